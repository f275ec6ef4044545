//! Every typed record, raw records, and RDATA of the wrong length.

use super::*;
use core::net::{Ipv4Addr, Ipv6Addr};

/// Parse a message made by `one_record` and return its answer.
#[track_caller]
fn answer(bytes: &[u8]) -> Record<'_> {
    let message = Message::parse(bytes).unwrap();
    round_trip(&message);
    let mut answers = message.answers();
    let record = answers.next().unwrap();
    assert!(answers.next().is_none());
    record
}

/// Return the error parsing a message made by `one_record`.
fn error(rtype: u16, rdata: &[u8]) -> DnsError {
    Message::parse(&one_record(rtype, rdata)).unwrap_err()
}

/// Check that `rdata` of `rtype` parses to `expected`, prints as `text`
/// after the owner, TTL and class, and has the right TYPE.
#[track_caller]
fn assert_record(rtype: u16, rdata: &[u8], expected: RData<'_>, text: &str) {
    let bytes = one_record(rtype, rdata);
    let record = answer(&bytes);
    assert_eq!(record.data, expected);
    assert_eq!(u16::from(record.rtype()), rtype);
    assert_eq!(record.to_string(), format!(".\t60\tIN\t{text}"));
    assert_eq!(record.wire_len(), 11 + rdata.len());
}

#[test]
fn a_record() {
    let addr = Ipv4Addr::new(192, 0, 2, 1);
    assert_record(1, &[192, 0, 2, 1], RData::A(addr), "A\t192.0.2.1");
}

#[test]
fn aaaa_record() {
    let addr: Ipv6Addr = "2001:db8::1".parse().unwrap();
    assert_record(28, &addr.octets(), RData::Aaaa(addr), "AAAA\t2001:db8::1");
}

#[test]
fn ns_cname_and_ptr_records() {
    let target = name("ns1.example.net");
    let n = target.as_name();
    let wire = target.as_bytes();
    assert_record(2, wire, RData::Ns(n), "NS\tns1.example.net.");
    assert_record(5, wire, RData::Cname(n), "CNAME\tns1.example.net.");
    assert_record(12, wire, RData::Ptr(n), "PTR\tns1.example.net.");
}

#[test]
fn mx_record() {
    let exchange = name("mail.example.com");
    let mut rdata = vec![0x00, 0x0a];
    rdata.extend_from_slice(exchange.as_bytes());
    let expected = RData::Mx {
        preference: 10,
        exchange: exchange.as_name(),
    };
    assert_record(15, &rdata, expected, "MX\t10 mail.example.com.");
}

#[test]
fn soa_record() {
    let (mname, rname) = (name("ns.example.com"), name("hostmaster.example.com"));
    let mut rdata = Vec::new();
    rdata.extend_from_slice(mname.as_bytes());
    rdata.extend_from_slice(rname.as_bytes());
    for number in [1u32, 7200, 900, 1_209_600, 300] {
        rdata.extend_from_slice(&number.to_be_bytes());
    }
    let expected = RData::Soa(Soa {
        mname: mname.as_name(),
        rname: rname.as_name(),
        serial: 1,
        refresh: 7200,
        retry: 900,
        expire: 1_209_600,
        minimum: 300,
    });
    let text = "SOA\tns.example.com. hostmaster.example.com. 1 7200 900 1209600 300";
    assert_record(6, &rdata, expected, text);
}

#[test]
fn txt_record_with_several_strings() {
    let rdata = b"\x05hello\x00\x06a \"q\"\\\x01\xff";
    let bytes = one_record(16, rdata);
    let record = answer(&bytes);
    let RData::Txt(txt) = record.data else {
        panic!("{record:?}")
    };
    assert_eq!(
        txt.strings().collect::<Vec<_>>(),
        [&b"hello"[..], b"", b"a \"q\"\\", b"\xff"]
    );
    assert_eq!(txt.as_bytes(), rdata);
    assert_eq!(
        record.to_string(),
        ".\t60\tIN\tTXT\t\"hello\" \"\" \"a \\\"q\\\"\\\\\" \"\\255\""
    );
}

#[test]
fn txt_rdata_must_hold_whole_strings() {
    let invalid = |len| DnsError::Invalid {
        field: "txt rdata",
        value: len,
    };
    assert_eq!(error(16, b""), invalid(0));
    assert_eq!(error(16, b"\x05abc"), invalid(4));
    assert_eq!(error(16, b"\x01a\x01"), invalid(3));
}

#[test]
fn opt_record_with_options_and_edns_fields() {
    // udp 1232, extended rcode 1 (BADVERS with the header's 0), version 0,
    // DO; NSID "ns1", COOKIE 8 bytes.
    let mut bytes = header_bytes(1, 0x8000, [0, 0, 0, 1]);
    bytes.extend_from_slice(&[0, 0x00, 0x29, 0x04, 0xd0, 0x01, 0x00, 0x80, 0x00, 0x00, 19]);
    bytes.extend_from_slice(&[0x00, 0x03, 0x00, 0x03, b'n', b's', b'1']);
    bytes.extend_from_slice(&[0x00, 0x0a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
    let message = Message::parse(&bytes).unwrap();
    round_trip(&message);
    let opt = message.additionals().next().unwrap();
    let edns = Edns {
        udp_payload_size: 1232,
        extended_rcode: 1,
        version: 0,
        dnssec_ok: true,
        z: 0,
    };
    assert_eq!(opt.edns(), Some(edns));
    assert_eq!(message.edns(), Some(edns));
    assert_eq!(message.extended_rcode(), 16);
    assert_eq!(edns.to_class_ttl(), (opt.class, opt.ttl));
    let RData::Opt(data) = opt.data else {
        panic!("{opt:?}")
    };
    let options: Vec<_> = data.options().collect();
    assert_eq!(options.len(), 2);
    assert_eq!(options[0].code, OptionCode::Nsid);
    assert_eq!(options[0].data, b"ns1");
    assert_eq!(options[1].code, OptionCode::Cookie);
    assert_eq!(
        opt.to_string(),
        "; EDNS: version: 0, flags: do; udp: 1232; NSID: 6e7331; COOKIE: 0102030405060708"
    );
}

#[test]
fn opt_rdata_must_hold_whole_options() {
    let truncated = |need, have| DnsError::Truncated {
        field: "edns option",
        need,
        have,
    };
    assert_eq!(error(41, &[0, 3, 0]), truncated(4, 3));
    assert_eq!(error(41, &[0, 3, 0, 2, b'x']), truncated(6, 5));
    assert!(Message::parse(&one_record(41, &[])).is_ok());
}

#[test]
fn opt_owner_must_be_the_root() {
    let mut bytes = header_bytes(1, 0, [0, 0, 0, 1]);
    bytes.extend_from_slice(&[1, b'a', 0, 0x00, 0x29, 0x10, 0x00, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        Message::parse(&bytes).unwrap_err(),
        DnsError::Invalid {
            field: "opt owner",
            value: 12
        }
    );
}

#[test]
fn other_types_are_kept_raw() {
    // SRV is named but not typed; 65280 is unknown; both print per RFC 3597.
    let srv = [0, 1, 0, 2, 0x01, 0xbb, 0];
    let expected = RData::Other {
        rtype: RecordType::Srv,
        data: &srv,
    };
    assert_record(33, &srv, expected, "SRV\t\\# 7 0001000201bb00");
    let expected = RData::Other {
        rtype: RecordType::Unknown(65280),
        data: &[],
    };
    assert_record(65280, &[], expected, "TYPE65280\t\\# 0");
}

#[test]
fn fixed_length_rdata_of_the_wrong_length_is_rejected() {
    for (rtype, len) in [(1u16, 3usize), (1, 5), (28, 15), (28, 17), (28, 0)] {
        assert_eq!(
            error(rtype, &vec![0; len]),
            DnsError::RdataLength {
                rtype,
                len: len as u16
            }
        );
    }
}

#[test]
fn name_rdata_must_end_at_rdlength() {
    // A name and one byte more.
    let rdata = [1, b'a', 0, 0xff];
    for rtype in [2u16, 5, 12] {
        assert_eq!(
            error(rtype, &rdata),
            DnsError::RdataLength { rtype, len: 4 }
        );
    }
    // A name running past the RDATA is truncated there, not read on.
    assert_eq!(
        error(2, &[3, b'a']),
        DnsError::Truncated {
            field: "name label",
            need: one_record(2, &[3, b'a']).len() + 2,
            have: one_record(2, &[3, b'a']).len(),
        }
    );
    assert_eq!(
        error(15, &[0, 1, 0, 0]),
        DnsError::RdataLength { rtype: 15, len: 4 }
    );
    let mut soa = vec![0, 0];
    soa.extend_from_slice(&[0; 19]);
    assert_eq!(
        error(6, &soa),
        DnsError::Truncated {
            field: "soa numbers",
            need: one_record(6, &soa).len() + 1,
            have: one_record(6, &soa).len(),
        }
    );
}

#[test]
fn record_fields_truncated_name_their_field() {
    let full = one_record(1, &[10, 0, 0, 1]);
    // Header 12, question 5, owner 1: then type, class, ttl, rdlength, rdata.
    let cases = [
        (18, "rr type"),
        (20, "rr class"),
        (22, "ttl"),
        (26, "rdlength"),
        (28, "rdata"),
        (31, "rdata"),
    ];
    for (len, field) in cases {
        match Message::parse(&full[..len]).unwrap_err() {
            DnsError::Truncated { field: f, .. } => assert_eq!(f, field, "{len}"),
            e => panic!("{len}: {e}"),
        }
    }
}

#[test]
fn code_points_print_mnemonics_or_numbers() {
    assert_eq!(RecordType::from(257).to_string(), "CAA");
    assert_eq!(RecordType::from(1234).to_string(), "TYPE1234");
    assert_eq!(Class::from(3).to_string(), "CH");
    assert_eq!(Class::from(4096).to_string(), "CLASS4096");
    assert_eq!(Opcode::from(5).to_string(), "UPDATE");
    assert_eq!(Opcode::from(3).to_string(), "OPCODE3");
    assert_eq!(Rcode::from(3).to_string(), "NXDOMAIN");
    assert_eq!(Rcode::from(12).to_string(), "RCODE12");
    for value in [0u16, 1, 41, 255, 256, 65535] {
        assert_eq!(u16::from(RecordType::from(value)), value);
        assert_eq!(u16::from(Class::from(value)), value);
        assert_eq!(u16::from(OptionCode::from(value)), value);
    }
    assert!(RecordType::Opt.is_typed() && !RecordType::Srv.is_typed());
}
