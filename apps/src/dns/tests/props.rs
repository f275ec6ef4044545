//! Property tests: messages built from a model parse back to the model, and
//! round trip through both emitters; any bytes run through the fuzz body.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

type Labels = Vec<Vec<u8>>;

/// RDATA in owned form.
#[derive(Debug, Clone)]
enum Data {
    A([u8; 4]),
    Ns(Labels),
    Cname(Labels),
    Ptr(Labels),
    Mx(u16, Labels),
    Soa(Labels, Labels, [u32; 5]),
    Txt(Vec<Vec<u8>>),
    Aaaa([u8; 16]),
    Opt(Vec<(u16, Vec<u8>)>),
    Other(u16, Vec<u8>),
}

#[derive(Debug, Clone)]
struct ModelRecord {
    owner: Labels,
    class: u16,
    ttl: u32,
    data: Data,
}

#[derive(Debug, Clone)]
struct Model {
    id: u16,
    flags: u16,
    questions: Vec<(Labels, u16, u16)>,
    sections: [Vec<ModelRecord>; 3],
}

/// Labels from a small pool (so that suffixes repeat and compress), in
/// both cases, or arbitrary bytes; at most 255 bytes in all.
fn labels() -> impl Strategy<Value = Labels> {
    let label = prop_oneof![
        3 => prop::sample::select(vec!["a", "b", "com", "Com", "example", "www"])
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => vec(any::<u8>(), 1..=63),
    ];
    vec(label, 0..5).prop_filter("at most 255 bytes", |labels| {
        labels.iter().map(|l| l.len() + 1).sum::<usize>() < MAX_NAME_LEN
    })
}

fn data() -> impl Strategy<Value = Data> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Data::A),
        labels().prop_map(Data::Ns),
        labels().prop_map(Data::Cname),
        labels().prop_map(Data::Ptr),
        (any::<u16>(), labels()).prop_map(|(p, n)| Data::Mx(p, n)),
        (labels(), labels(), any::<[u32; 5]>()).prop_map(|(m, r, n)| Data::Soa(m, r, n)),
        vec(vec(any::<u8>(), 0..=255), 1..4).prop_map(Data::Txt),
        any::<[u8; 16]>().prop_map(Data::Aaaa),
        vec((any::<u16>(), vec(any::<u8>(), 0..20)), 0..4).prop_map(Data::Opt),
        (any::<u16>(), vec(any::<u8>(), 0..40))
            .prop_filter("untyped", |(t, _)| !RecordType::from(*t).is_typed())
            .prop_map(|(t, d)| Data::Other(t, d)),
    ]
}

fn record() -> impl Strategy<Value = ModelRecord> {
    (labels(), any::<u16>(), any::<u32>(), data()).prop_map(|(owner, class, ttl, data)| {
        // RFC 6891 6.1.2: an OPT record is owned by the root.
        let owner = if matches!(data, Data::Opt(_)) {
            vec![]
        } else {
            owner
        };
        ModelRecord {
            owner,
            class,
            ttl,
            data,
        }
    })
}

fn model() -> impl Strategy<Value = Model> {
    let questions = vec((labels(), any::<u16>(), any::<u16>()), 0..3);
    let sections = [
        vec(record(), 0..4),
        vec(record(), 0..3),
        vec(record(), 0..3),
    ];
    (any::<u16>(), any::<u16>(), questions, sections).prop_map(
        |(id, flags, questions, sections)| Model {
            id,
            flags,
            questions,
            sections,
        },
    )
}

fn name_of(labels: &Labels) -> NameBuf {
    NameBuf::from_labels(labels.iter().map(Vec::as_slice)).unwrap()
}

/// Return the wire form of TXT strings or OPT options.
fn txt_bytes(strings: &[Vec<u8>]) -> Vec<u8> {
    strings
        .iter()
        .flat_map(|s| [&[s.len() as u8][..], s].concat())
        .collect()
}

fn opt_bytes(options: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (code, data) in options {
        bytes.extend_from_slice(&code.to_be_bytes());
        bytes.extend_from_slice(&(data.len() as u16).to_be_bytes());
        bytes.extend_from_slice(data);
    }
    bytes
}

/// Write one model record with `writer`.
fn write_record(writer: &mut MessageWriter<'_>, section: Section, r: &ModelRecord) {
    let owner = name_of(&r.owner);
    let (n1, n2) = match &r.data {
        Data::Ns(n) | Data::Cname(n) | Data::Ptr(n) | Data::Mx(_, n) => {
            (name_of(n), NameBuf::root())
        }
        Data::Soa(m, rn, _) => (name_of(m), name_of(rn)),
        _ => (NameBuf::root(), NameBuf::root()),
    };
    let raw = match &r.data {
        Data::Txt(strings) => txt_bytes(strings),
        Data::Opt(options) => opt_bytes(options),
        _ => vec![],
    };
    let data = match &r.data {
        Data::A(a) => RData::A((*a).into()),
        Data::Aaaa(a) => RData::Aaaa((*a).into()),
        Data::Ns(_) => RData::Ns(n1.as_name()),
        Data::Cname(_) => RData::Cname(n1.as_name()),
        Data::Ptr(_) => RData::Ptr(n1.as_name()),
        Data::Mx(preference, _) => RData::Mx {
            preference: *preference,
            exchange: n1.as_name(),
        },
        Data::Soa(_, _, [serial, refresh, retry, expire, minimum]) => RData::Soa(Soa {
            mname: n1.as_name(),
            rname: n2.as_name(),
            serial: *serial,
            refresh: *refresh,
            retry: *retry,
            expire: *expire,
            minimum: *minimum,
        }),
        Data::Txt(_) => RData::Txt(Txt::new(&raw).unwrap()),
        Data::Opt(_) => RData::Opt(OptData::new(&raw).unwrap()),
        Data::Other(rtype, data) => RData::Other {
            rtype: (*rtype).into(),
            data,
        },
    };
    let record = Record {
        name: owner.as_name(),
        class: r.class.into(),
        ttl: r.ttl,
        data,
    };
    writer.record(section, &record).unwrap();
}

/// Build the model's message with `compression`.
fn build(model: &Model, compression: Compression) -> Vec<u8> {
    let mut buffer = vec![0xa5; 65_535];
    let (header, _) = Header::parse(&header_bytes(model.id, model.flags, [0; 4])).unwrap();
    let mut writer = MessageWriter::new(&mut buffer, header, compression).unwrap();
    for (labels, qtype, qclass) in &model.questions {
        let name = name_of(labels);
        let question = Question {
            name: name.as_name(),
            qtype: (*qtype).into(),
            qclass: (*qclass).into(),
        };
        writer.question(&question).unwrap();
    }
    for (section, records) in Section::ALL[1..].iter().zip(&model.sections) {
        for record in records {
            write_record(&mut writer, *section, record);
        }
    }
    let len = writer.finish();
    buffer.truncate(len);
    buffer
}

fn same_name(name: &Name<'_>, labels: &Labels) -> bool {
    name.labels().eq(labels.iter().map(Vec::as_slice))
}

/// Check a parsed record against its model.
fn check_record(record: &Record<'_>, model: &ModelRecord) {
    assert!(same_name(&record.name, &model.owner));
    assert_eq!(
        (u16::from(record.class), record.ttl),
        (model.class, model.ttl)
    );
    match (&record.data, &model.data) {
        (RData::A(a), Data::A(b)) => assert_eq!(a.octets(), *b),
        (RData::Aaaa(a), Data::Aaaa(b)) => assert_eq!(a.octets(), *b),
        (RData::Ns(n), Data::Ns(l)) | (RData::Cname(n), Data::Cname(l)) => {
            assert!(same_name(n, l))
        }
        (RData::Ptr(n), Data::Ptr(l)) => assert!(same_name(n, l)),
        (
            RData::Mx {
                preference,
                exchange,
            },
            Data::Mx(p, l),
        ) => {
            assert!(*preference == *p && same_name(exchange, l))
        }
        (RData::Soa(soa), Data::Soa(m, r, numbers)) => {
            assert!(same_name(&soa.mname, m) && same_name(&soa.rname, r));
            let got = [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum];
            assert_eq!(got, *numbers);
        }
        (RData::Txt(txt), Data::Txt(strings)) => {
            assert!(txt.strings().eq(strings.iter().map(Vec::as_slice)))
        }
        (RData::Opt(opt), Data::Opt(options)) => {
            let got: Vec<_> = opt
                .options()
                .map(|o| (u16::from(o.code), o.data.to_vec()))
                .collect();
            assert_eq!(&got, options);
        }
        (RData::Other { rtype, data }, Data::Other(t, d)) => {
            assert!(u16::from(*rtype) == *t && data == d)
        }
        (got, want) => panic!("{got:?} is not {want:?}"),
    }
}

fn check(message: &Message<'_>, model: &Model) {
    assert_eq!(
        (message.header().id, message.header().flags()),
        (model.id, model.flags)
    );
    let questions: Vec<_> = message.questions().collect();
    assert_eq!(questions.len(), model.questions.len());
    for (q, (labels, qtype, qclass)) in questions.iter().zip(&model.questions) {
        assert!(same_name(&q.name, labels));
        assert_eq!((u16::from(q.qtype), u16::from(q.qclass)), (*qtype, *qclass));
    }
    for (section, records) in Section::ALL[1..].iter().zip(&model.sections) {
        assert_eq!(message.records(*section).count(), records.len());
        for (record, model) in message.records(*section).zip(records) {
            check_record(&record, model);
        }
    }
}

proptest! {
    #[test]
    fn built_messages_parse_back_to_their_model(model in model()) {
        let plain = build(&model, Compression::Off);
        let packed = build(&model, Compression::On);
        prop_assert!(packed.len() <= plain.len());
        let message = Message::parse(&plain).unwrap();
        check(&message, &model);
        prop_assert_eq!(message.buffer_len(), plain.len());
        let compressed = Message::parse(&packed).unwrap();
        check(&compressed, &model);
        prop_assert_eq!(compressed, message);
        fuzz::dns(&packed);
        prop_assert_eq!(round_trip(&message), packed);
    }

    #[test]
    fn presentation_form_round_trips(labels in labels()) {
        let name = name_of(&labels);
        let text = name.to_string();
        prop_assert_eq!(NameBuf::from_dotted(&text).unwrap(), name);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..200)) {
        fuzz::dns(&bytes);
    }

    #[test]
    fn mutated_responses_round_trip_when_they_parse(
        edits in vec((0..RESPONSE.len(), any::<u8>()), 1..4),
    ) {
        let mut bytes = RESPONSE;
        for (at, value) in edits {
            bytes[at] = value;
        }
        fuzz::dns(&bytes);
    }
}
