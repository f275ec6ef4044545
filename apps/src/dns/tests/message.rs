//! Whole messages: header, sections, truncation, display.

use super::*;
use core::net::Ipv4Addr;

#[test]
fn deconstruct_response() {
    let message = Message::parse(&RESPONSE).unwrap();
    let header = message.header();
    assert_eq!(header.id, 0x1234);
    assert!(header.qr && header.rd && header.ra);
    assert!(!header.aa && !header.tc && !header.z && !header.ad && !header.cd);
    assert_eq!(header.opcode, Opcode::Query);
    assert_eq!(header.rcode, Rcode::NoError);
    let counts = Section::ALL.map(|s| message.count(s));
    assert_eq!(counts, [1, 2, 1, 1]);

    let questions: Vec<_> = message.questions().collect();
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0].name, name("example.com").as_name());
    assert_eq!(questions[0].qtype, RecordType::A);
    assert_eq!(questions[0].qclass, Class::In);

    let answers: Vec<_> = message.answers().collect();
    assert_eq!(answers[0].data, RData::A(Ipv4Addr::new(93, 184, 216, 34)));
    assert_eq!(answers[0].ttl, 3600);
    assert_eq!(answers[1].name, name("www.example.com").as_name());
    assert_eq!(answers[1].data, RData::Cname(name("example.com").as_name()));
    let soa = message.authorities().next().unwrap();
    let RData::Soa(soa) = soa.data else {
        panic!("{soa:?}")
    };
    assert_eq!(soa.rname, name("hostmaster.example.com").as_name());
    assert_eq!(soa.serial, 2_024_010_101);
    assert_eq!(soa.expire, 1_209_600);
    let edns = message.edns().unwrap();
    assert_eq!((edns.udp_payload_size, edns.dnssec_ok), (4096, true));
    assert_eq!(message.records(Section::Question).count(), 0);
    assert_eq!(message.as_bytes(), &RESPONSE[..]);
}

#[test]
fn compressed_emit_reproduces_a_server_compressed_message() {
    let message = Message::parse(&RESPONSE).unwrap();
    assert_eq!(round_trip(&message), RESPONSE);
    // Uncompressed: every pointer becomes the labels it stood for.
    assert_eq!(message.buffer_len(), 124 + 4 * 11 + 2 * 11);
}

#[test]
fn messages_compare_by_content_not_bytes() {
    let message = Message::parse(&RESPONSE).unwrap();
    let mut plain = vec![0; message.buffer_len()];
    message.emit(&mut plain, Compression::Off).unwrap();
    assert_ne!(plain[..], RESPONSE[..]);
    assert_eq!(Message::parse(&plain).unwrap(), message);
    let mut other = RESPONSE;
    other[1] ^= 1;
    assert_ne!(Message::parse(&other).unwrap(), message);
    other = RESPONSE;
    other[44] ^= 1; // the last byte of the A record's address
    assert_ne!(Message::parse(&other).unwrap(), message);
}

#[test]
fn every_flags_word_round_trips() {
    for flags in 0..=u16::MAX {
        let bytes = header_bytes(0xabcd, flags, [0; 4]);
        let (header, counts) = Header::parse(&bytes).unwrap();
        assert_eq!(header.flags(), flags);
        assert_eq!(counts, [0; 4]);
        let mut out = [0xa5; HEADER_LEN];
        header.emit(counts, &mut out).unwrap();
        assert_eq!(out[..], bytes[..]);
    }
}

/// Read one flag of a header.
type Flag = fn(&Header) -> bool;

#[test]
fn each_header_bit_lands_in_its_field() {
    let cases: [(u16, Flag); 8] = [
        (0x8000, |h| h.qr),
        (0x0400, |h| h.aa),
        (0x0200, |h| h.tc),
        (0x0100, |h| h.rd),
        (0x0080, |h| h.ra),
        (0x0040, |h| h.z),
        (0x0020, |h| h.ad),
        (0x0010, |h| h.cd),
    ];
    for (bit, get) in cases {
        let (header, _) = Header::parse(&header_bytes(0, bit, [0; 4])).unwrap();
        assert!(get(&header), "{bit:#06x}");
        assert_eq!(header.flags(), bit);
    }
    let (header, _) = Header::parse(&header_bytes(0, 0x2825, [0; 4])).unwrap();
    assert_eq!(
        (header.opcode, header.rcode),
        (Opcode::Update, Rcode::Refused)
    );
    assert_eq!(
        header.to_string(),
        "opcode: UPDATE, status: REFUSED, id: 0; flags: ad"
    );
}

#[test]
fn every_prefix_of_a_message_is_truncated() {
    for len in 0..RESPONSE.len() {
        match Message::parse(&RESPONSE[..len]) {
            Err(DnsError::Truncated { have, .. }) => assert_eq!(have, len),
            other => panic!("{len}: {other:?}"),
        }
    }
}

#[test]
fn counts_beyond_the_sections_are_truncated() {
    let mut bytes = QUERY;
    bytes[7] = 1; // ANCOUNT 1, with no answer
    assert_eq!(
        Message::parse(&bytes).unwrap_err(),
        DnsError::Truncated {
            field: "name label",
            need: 30,
            have: 29
        }
    );
    let bytes = header_bytes(0, 0, [0xffff, 0, 0, 0]);
    assert!(matches!(
        Message::parse(&bytes),
        Err(DnsError::Truncated { .. })
    ));
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = QUERY.to_vec();
    bytes.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        Message::parse(&bytes).unwrap_err(),
        DnsError::TrailingBytes { len: 3 }
    );
}

#[test]
fn query_prints_like_tcpdump() {
    let message = Message::parse(&QUERY).unwrap();
    assert_eq!(message.to_string(), "DNS 48879+ A? example.com.");
    assert_eq!(round_trip(&message), QUERY);
}

#[test]
fn response_prints_like_tcpdump() {
    let message = Message::parse(&RESPONSE).unwrap();
    assert_eq!(
        message.to_string(),
        "DNS 4660 q: A? example.com. 2/1/1 A 93.184.216.34, CNAME example.com."
    );
    let mut bytes = QUERY;
    bytes[2] = 0x86; // qr, aa, tc
    bytes[3] = 0x03; // NXDOMAIN, no ra
    let message = Message::parse(&bytes).unwrap();
    assert_eq!(
        message.to_string(),
        "DNS 48879*-| NXDOMAIN q: A? example.com. 0/0/0"
    );
}

#[test]
fn response_prints_like_dig() {
    let message = Message::parse(&RESPONSE).unwrap();
    let expected = "\
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660
;; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 1, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags: do; udp: 4096

;; QUESTION SECTION:
;example.com.\t\tIN\tA

;; ANSWER SECTION:
example.com.\t3600\tIN\tA\t93.184.216.34
www.example.com.\t300\tIN\tCNAME\texample.com.

;; AUTHORITY SECTION:
example.com.\t3600\tIN\tSOA\tns.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300
";
    assert_eq!(message.dig().to_string(), expected);
}

#[test]
fn errors_print_their_field() {
    let cases = [
        (
            DnsError::Truncated {
                field: "qtype",
                need: 4,
                have: 2,
            },
            "truncated qtype: need 4 bytes, have 2",
        ),
        (
            DnsError::PointerNotBackward { at: 12, target: 12 },
            "compression pointer at offset 12 to 12 does not point backwards",
        ),
        (
            DnsError::RdataLength { rtype: 1, len: 3 },
            "rdata of A does not fill its length 3",
        ),
        (
            DnsError::TrailingBytes { len: 2 },
            "2 bytes after the last record",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
}
