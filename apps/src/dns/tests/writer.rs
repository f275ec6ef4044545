//! The emitter: building messages, compression, section order, failures.

use super::*;
use core::net::Ipv4Addr;

/// A record of `data` owned by `owner`, class IN.
fn record<'a>(owner: &'a NameBuf, ttl: u32, data: RData<'a>) -> Record<'a> {
    Record {
        name: owner.as_name(),
        class: Class::In,
        ttl,
        data,
    }
}

#[test]
fn construct_response_from_scratch() {
    let (apex, www) = (name("example.com"), name("www.example.com"));
    let (ns, hostmaster) = (name("ns.example.com"), name("hostmaster.example.com"));
    let header = Header {
        id: 0x1234,
        qr: true,
        rd: true,
        ra: true,
        ..Header::default()
    };
    let mut buffer = [0xa5; 200];
    let mut writer = MessageWriter::new(&mut buffer, header, Compression::On).unwrap();
    let question = Question {
        name: apex.as_name(),
        qtype: RecordType::A,
        qclass: Class::In,
    };
    writer.question(&question).unwrap();
    let a = RData::A(Ipv4Addr::new(93, 184, 216, 34));
    writer
        .record(Section::Answer, &record(&apex, 3600, a))
        .unwrap();
    let cname = RData::Cname(apex.as_name());
    writer
        .record(Section::Answer, &record(&www, 300, cname))
        .unwrap();
    let soa = RData::Soa(Soa {
        mname: ns.as_name(),
        rname: hostmaster.as_name(),
        serial: 2_024_010_101,
        refresh: 7200,
        retry: 900,
        expire: 1_209_600,
        minimum: 300,
    });
    writer
        .record(Section::Authority, &record(&apex, 3600, soa))
        .unwrap();
    let edns = Edns {
        udp_payload_size: 4096,
        extended_rcode: 0,
        version: 0,
        dnssec_ok: true,
        z: 0,
    };
    let (class, ttl) = edns.to_class_ttl();
    let root = NameBuf::root();
    let opt = Record {
        name: root.as_name(),
        class,
        ttl,
        data: RData::Opt(OptData::new(&[]).unwrap()),
    };
    writer.record(Section::Additional, &opt).unwrap();
    assert_eq!(writer.count(Section::Answer), 2);
    let len = writer.finish();
    assert_eq!(buffer[..len], RESPONSE[..]);
    assert!(buffer[len..].iter().all(|&b| b == 0xa5));
}

#[test]
fn compression_matches_exact_bytes_only() {
    let (upper, lower) = (name("Example.com"), name("example.com"));
    let www = name("www.Example.com");
    let mut buffer = [0; 100];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::On).unwrap();
    for owner in [&upper, &lower, &www] {
        let q = Question {
            name: owner.as_name(),
            qtype: RecordType::Any,
            qclass: Class::In,
        };
        writer.question(&q).unwrap();
    }
    let len = writer.finish();
    // "Example.com" in full (13); "example" in full, "com" as a pointer
    // (8 + 2); "www" then a pointer to "Example.com" (4 + 2); 4 bytes of
    // type and class each.
    assert_eq!(len, HEADER_LEN + 13 + 10 + 6 + 12);
    let message = Message::parse(&buffer[..len]).unwrap();
    let names: Vec<String> = message.questions().map(|q| q.name.to_string()).collect();
    assert_eq!(names, ["Example.com.", "example.com.", "www.Example.com."]);
}

#[test]
fn pointers_only_target_the_first_16k() {
    let (apex, far) = (name("example.com"), name("far.test"));
    let big = [0x5a; 20_000];
    let mut buffer = vec![0; 21_000];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::On).unwrap();
    let null = RData::Other {
        rtype: RecordType::Null,
        data: &big,
    };
    writer
        .record(Section::Answer, &record(&apex, 0, null))
        .unwrap();
    let before = writer.len();
    writer
        .record(
            Section::Answer,
            &record(&far, 0, RData::Ptr(apex.as_name())),
        )
        .unwrap();
    writer
        .record(
            Section::Answer,
            &record(&far, 0, RData::Ptr(apex.as_name())),
        )
        .unwrap();
    let len = writer.finish();
    // Each far.test is written in full (10 bytes): the first lies beyond
    // 0x3fff. Each PTR target is a pointer to offset 12.
    assert_eq!(len - before, 2 * (10 + 10 + 2));
    let message = Message::parse(&buffer[..len]).unwrap();
    round_trip(&message);
}

#[test]
fn sections_must_come_in_order() {
    let apex = name("example.com");
    let q = Question {
        name: apex.as_name(),
        qtype: RecordType::A,
        qclass: Class::In,
    };
    let a = record(&apex, 1, RData::A(Ipv4Addr::LOCALHOST));
    let mut buffer = [0; 200];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::Off).unwrap();
    let order = |section: Section| DnsError::Invalid {
        field: "section order",
        value: section.index() as u32,
    };
    assert_eq!(
        writer.record(Section::Question, &a),
        Err(order(Section::Question))
    );
    writer.record(Section::Authority, &a).unwrap();
    assert_eq!(
        writer.record(Section::Answer, &a),
        Err(order(Section::Answer))
    );
    assert_eq!(writer.question(&q), Err(order(Section::Question)));
    writer.record(Section::Additional, &a).unwrap();
    let len = writer.finish();
    let message = Message::parse(&buffer[..len]).unwrap();
    let counts = Section::ALL.map(|s| message.count(s));
    assert_eq!(counts, [0, 0, 1, 1]);
}

#[test]
fn a_failed_write_leaves_the_writer_as_it_was() {
    let apex = name("example.com");
    let q = Question {
        name: apex.as_name(),
        qtype: RecordType::Txt,
        qclass: Class::In,
    };
    let long = [4, b'l', b'o', b'n', b'g'].repeat(10);
    let txt = record(&apex, 1, RData::Txt(Txt::new(&long).unwrap()));
    let mut buffer = [0; 60];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::On).unwrap();
    writer.question(&q).unwrap();
    assert!(!writer.is_empty());
    let len = writer.len();
    assert_eq!(
        writer.record(Section::Answer, &txt),
        Err(DnsError::NoSpace { need: 91, have: 60 })
    );
    assert_eq!((writer.len(), writer.count(Section::Answer)), (len, 0));
    // RFC 1035 4.1.1: what did not fit is dropped and TC says so.
    writer.header_mut().tc = true;
    let len = writer.finish();
    let message = Message::parse(&buffer[..len]).unwrap();
    assert!(message.header().tc);
    assert_eq!(message.answers().count(), 0);
}

#[test]
fn writer_refuses_what_it_cannot_write_faithfully() {
    let apex = name("example.com");
    let mut small = [0; 11];
    assert_eq!(
        MessageWriter::new(&mut small, Header::default(), Compression::Off).unwrap_err(),
        DnsError::NoSpace { need: 12, have: 11 }
    );
    let mut buffer = vec![0; 70_000];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::Off).unwrap();
    let typed_raw = RData::Other {
        rtype: RecordType::A,
        data: &[1, 2, 3, 4],
    };
    assert_eq!(
        writer.record(Section::Answer, &record(&apex, 1, typed_raw)),
        Err(DnsError::Invalid {
            field: "rdata type",
            value: 1
        })
    );
    let huge = vec![0; 65_536];
    let too_long = RData::Other {
        rtype: RecordType::Null,
        data: &huge,
    };
    assert_eq!(
        writer.record(Section::Answer, &record(&apex, 1, too_long)),
        Err(DnsError::Invalid {
            field: "rdlength",
            value: 65_536
        })
    );
    assert!(writer.is_empty());
}

#[test]
fn question_count_is_capped_at_65535() {
    let root = NameBuf::root();
    let q = Question {
        name: root.as_name(),
        qtype: RecordType::A,
        qclass: Class::In,
    };
    let mut buffer = vec![0; HEADER_LEN + 5 * 65_536];
    let mut writer = MessageWriter::new(&mut buffer, Header::default(), Compression::Off).unwrap();
    for _ in 0..u16::MAX {
        writer.question(&q).unwrap();
    }
    assert_eq!(
        writer.question(&q),
        Err(DnsError::Invalid {
            field: "count",
            value: 65_536
        })
    );
    let len = writer.finish();
    assert_eq!(
        Message::parse(&buffer[..len]).unwrap().questions().count(),
        65_535
    );
}
