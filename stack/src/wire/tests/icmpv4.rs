//! Tests of the ICMPv4 view, quote and repr.

use super::*;
use crate::wire::ipv4::tests::{packet_repr, repr_strategy, PACKET_BYTES};
use crate::wire::ipv4::Ipv4Packet;
use proptest::collection::vec;
use proptest::prelude::*;

use ChecksumPolicy::{Ignore, Verify};

/// An echo request (the smoltcp vector).
#[rustfmt::skip]
static ECHO_BYTES: [u8; 12] = [
    0x08,                   // type 8, echo request
    0x00,                   // code 0
    0x8e, 0xfe,             // checksum
    0x12, 0x34,             // identifier 0x1234
    0xab, 0xcd,             // sequence number 0xabcd
    0xaa, 0x00, 0x00, 0xff, // data
];

/// A port unreachable quoting the TFTP datagram's header and UDP header.
#[rustfmt::skip]
static PORT_UNREACHABLE_BYTES: [u8; 36] = [
    0x03,                   // type 3, destination unreachable
    0x03,                   // code 3, port unreachable
    0x4a, 0x64,             // checksum
    0x00, 0x00, 0x00, 0x00, // unused
    // quoted IPv4 header: 192.168.0.55 > 192.168.0.1, UDP, total length 83
    0x45, 0x00, 0x00, 0x53, 0x93, 0x25, 0x00, 0x00, 0x80, 0x11,
    0x25, 0xec, 0xc0, 0xa8, 0x00, 0x37, 0xc0, 0xa8, 0x00, 0x01,
    // quoted UDP header: 1492 > 69, length 63, checksum 0xac40
    0x05, 0xd4, 0x00, 0x45, 0x00, 0x3f, 0xac, 0x40,
];

fn echo_repr() -> Icmpv4Repr<'static> {
    Icmpv4Repr::EchoRequest {
        ident: 0x1234,
        seq_no: 0xabcd,
        data: &ECHO_BYTES[8..],
    }
}

/// The quote of the TFTP datagram: header and the 8-byte UDP header.
fn udp_quote() -> Icmpv4Quote<'static> {
    Icmpv4Quote::parse(&PACKET_BYTES[..28]).unwrap()
}

fn port_unreachable_repr() -> Icmpv4Repr<'static> {
    Icmpv4Repr::DstUnreachable {
        reason: DstUnreachable::PortUnreachable,
        unused: 0,
        next_hop_mtu: 0,
        quote: udp_quote(),
    }
}

fn read(bytes: &[u8]) -> Result<Icmpv4Repr<'_>, WireError> {
    Icmpv4Repr::parse(&Icmpv4Packet::new_unchecked(bytes), Verify)
}

/// Emit `repr` into a 0xa5-filled buffer of exactly its length.
fn emitted(repr: &Icmpv4Repr<'_>) -> Vec<u8> {
    let mut bytes = vec![0xa5; repr.buffer_len()];
    repr.emit(&mut Icmpv4Packet::new_unchecked(&mut bytes[..]), Verify);
    bytes
}

#[test]
fn echo_deconstruct() {
    let packet = Icmpv4Packet::new_checked(&ECHO_BYTES[..]).unwrap();
    assert_eq!(packet.msg_type(), Icmpv4Message::EchoRequest);
    assert_eq!(packet.msg_code(), 0);
    assert_eq!(packet.checksum(), 0x8efe);
    assert!(packet.verify_checksum());
    assert_eq!(
        (packet.echo_ident(), packet.echo_seq_no()),
        (0x1234, 0xabcd)
    );
    assert_eq!(packet.rest_of_header(), [0x12, 0x34, 0xab, 0xcd]);
    assert_eq!(packet.data(), &[0xaa, 0x00, 0x00, 0xff]);
    assert_eq!(packet.rest(), &ECHO_BYTES[4..]);
}

#[test]
fn echo_construct() {
    let mut bytes = [0xa5; 12];
    let mut packet = Icmpv4Packet::new_unchecked(&mut bytes[..]);
    packet.set_msg_type(Icmpv4Message::EchoRequest);
    packet.set_msg_code(0);
    packet.set_echo_ident(0x1234);
    packet.set_echo_seq_no(0xabcd);
    packet.data_mut().copy_from_slice(&ECHO_BYTES[8..]);
    packet.fill_checksum();
    assert_eq!(&bytes[..], &ECHO_BYTES[..]);
}

#[test]
fn echo_parse() {
    assert_eq!(read(&ECHO_BYTES), Ok(echo_repr()));
}

#[test]
fn echo_emit() {
    assert_eq!(echo_repr().buffer_len(), 12);
    assert_eq!(emitted(&echo_repr()), ECHO_BYTES);
}

#[test]
fn emit_under_ignore_writes_a_zero_checksum() {
    let mut bytes = [0xa5; 12];
    echo_repr().emit(&mut Icmpv4Packet::new_unchecked(&mut bytes[..]), Ignore);
    assert_eq!(&bytes[2..4], &[0, 0]);
    assert_eq!(&bytes[4..], &ECHO_BYTES[4..]);
}

#[test]
fn truncated() {
    let err = WireError::Truncated {
        field: "header",
        need: 8,
        have: 7,
    };
    assert_eq!(Icmpv4Packet::new_checked(&ECHO_BYTES[..7]), Err(err));
    assert_eq!(read(&ECHO_BYTES[..7]), Err(err));
}

#[test]
fn bad_checksum() {
    let mut bytes = ECHO_BYTES;
    bytes[3] = 0xff;
    let err = WireError::BadChecksum {
        expected: 0x8efe,
        found: 0x8eff,
    };
    assert_eq!(read(&bytes), Err(err));
    let ignored = Icmpv4Repr::parse(&Icmpv4Packet::new_unchecked(&bytes[..]), Ignore);
    assert_eq!(ignored, Ok(echo_repr()));
}

#[test]
fn port_unreachable_quoting_a_udp_datagram() {
    let packet = Icmpv4Packet::new_checked(&PORT_UNREACHABLE_BYTES[..]).unwrap();
    assert_eq!(packet.msg_type(), Icmpv4Message::DstUnreachable);
    assert_eq!(
        DstUnreachable::from(packet.msg_code()),
        DstUnreachable::PortUnreachable
    );
    let repr = Icmpv4Repr::parse(&packet, Verify).unwrap();
    assert_eq!(repr, port_unreachable_repr());
    let quote = repr.quote().unwrap();
    assert_eq!(quote.header(), &packet_repr());
    assert_eq!(quote.header_checksum(), 0x25ec);
    assert_eq!(quote.data(), &PACKET_BYTES[20..28]);
    assert_eq!(quote.ports(), Some((1492, 69)));
    assert_eq!(quote.as_bytes(), &PORT_UNREACHABLE_BYTES[8..]);
    assert_eq!(emitted(&repr), PORT_UNREACHABLE_BYTES);
    assert!(repr.is_error());
}

#[test]
fn frag_required_carries_the_next_hop_mtu() {
    let repr = Icmpv4Repr::DstUnreachable {
        reason: DstUnreachable::FragRequired,
        unused: 0,
        next_hop_mtu: 1400,
        quote: udp_quote(),
    };
    let bytes = emitted(&repr);
    assert_eq!(&bytes[..8], &[3, 4, 0x44, 0xeb, 0, 0, 0x05, 0x78]);
    let packet = Icmpv4Packet::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.next_hop_mtu(), 1400);
    assert_eq!(Icmpv4Repr::parse(&packet, Verify), Ok(repr));
    assert_eq!(
        repr.to_string(),
        "ICMP 192.168.0.1 unreachable - need to frag (mtu 1400), length 36"
    );
}

#[test]
fn param_problem_carries_a_pointer() {
    let repr = Icmpv4Repr::ParamProblem {
        reason: ParamProblem::AtPointer,
        pointer: 20,
        unused: [0; 3],
        quote: udp_quote(),
    };
    let bytes = emitted(&repr);
    assert_eq!(&bytes[4..8], &[20, 0, 0, 0]);
    assert_eq!(Icmpv4Packet::new_unchecked(&bytes[..]).pointer(), 20);
    assert_eq!(read(&bytes), Ok(repr));
    assert_eq!(
        repr.to_string(),
        "ICMP parameter problem - octet 20, length 36"
    );
}

#[test]
fn redirect_carries_a_gateway() {
    let gateway = Ipv4Addr::new(192, 168, 0, 254);
    let repr = Icmpv4Repr::Redirect {
        reason: Redirect::Host,
        gateway,
        quote: udp_quote(),
    };
    let bytes = emitted(&repr);
    assert_eq!(&bytes[4..8], &[192, 168, 0, 254]);
    assert_eq!(Icmpv4Packet::new_unchecked(&bytes[..]).gateway(), gateway);
    assert_eq!(read(&bytes), Ok(repr));
    assert_eq!(
        repr.to_string(),
        "ICMP redirect 192.168.0.1 to host 192.168.0.254, length 36"
    );
}

/// One message of every type and code this module names, plus unnamed ones.
fn every_message() -> Vec<Icmpv4Repr<'static>> {
    let quote = udp_quote();
    let mut all = vec![
        echo_repr(),
        Icmpv4Repr::EchoReply {
            ident: 1,
            seq_no: 2,
            data: &[],
        },
        Icmpv4Repr::SourceQuench { unused: 0, quote },
        Icmpv4Repr::Unknown {
            msg_type: Icmpv4Message::Timestamp,
            code: 0,
            rest: &[0; 16],
        },
        Icmpv4Repr::Unknown {
            msg_type: Icmpv4Message::Unknown(42),
            code: 7,
            rest: &[1, 2, 3, 4],
        },
    ];
    for code in 0..=16 {
        let reason = DstUnreachable::from(code);
        all.push(Icmpv4Repr::DstUnreachable {
            reason,
            unused: 0,
            next_hop_mtu: 0,
            quote,
        });
    }
    for code in 0..=4 {
        let gateway = Ipv4Addr::new(10, 0, 0, code);
        all.push(Icmpv4Repr::Redirect {
            reason: Redirect::from(code),
            gateway,
            quote,
        });
    }
    for code in 0..=2 {
        all.push(Icmpv4Repr::TimeExceeded {
            reason: TimeExceeded::from(code),
            unused: 0,
            quote,
        });
    }
    for code in 0..=3 {
        let reason = ParamProblem::from(code);
        all.push(Icmpv4Repr::ParamProblem {
            reason,
            pointer: 9,
            unused: [0; 3],
            quote,
        });
    }
    all
}

#[test]
fn every_type_round_trips() {
    for repr in every_message() {
        let bytes = emitted(&repr);
        let packet = Icmpv4Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(), "{repr}");
        assert_eq!(packet.msg_type(), repr.msg_type(), "{repr}");
        assert_eq!(packet.msg_code(), repr.msg_code(), "{repr}");
        assert_eq!(Icmpv4Repr::parse(&packet, Verify), Ok(repr));
        assert_eq!(emitted(&read(&bytes).unwrap()), bytes, "{repr}");
    }
}

#[test]
fn every_named_code_has_a_name() {
    for code in 0..=15 {
        assert!(!matches!(
            DstUnreachable::from(code),
            DstUnreachable::Unknown(_)
        ));
    }
    assert_eq!(DstUnreachable::from(4), DstUnreachable::FragRequired);
    assert_eq!(DstUnreachable::from(16), DstUnreachable::Unknown(16));
    assert_eq!(u8::from(TimeExceeded::FragExpired), 1);
    assert_eq!(u8::from(Redirect::HostToS), 3);
    for t in 0..=255u8 {
        assert_eq!(u8::from(Icmpv4Message::from(t)), t);
    }
}

#[test]
fn error_types_are_errors() {
    let errors: Vec<_> = (0..=255u8)
        .filter(|&t| Icmpv4Message::from(t).is_error())
        .collect();
    assert_eq!(errors, [3, 4, 5, 11, 12]);
    assert!(!echo_repr().is_error());
    assert_eq!(echo_repr().quote(), None);
}

#[test]
fn display() {
    let quote = udp_quote();
    let unreachable = |reason| Icmpv4Repr::DstUnreachable {
        reason,
        unused: 0,
        next_hop_mtu: 0,
        quote,
    };
    let cases = [
        (
            echo_repr(),
            "ICMP echo request, id 4660, seq 43981, length 12",
        ),
        (
            Icmpv4Repr::EchoRequest {
                ident: 1,
                seq_no: 2,
                data: &[0; 56],
            },
            "ICMP echo request, id 1, seq 2, length 64",
        ),
        (
            Icmpv4Repr::EchoReply {
                ident: 1,
                seq_no: 2,
                data: &[0; 56],
            },
            "ICMP echo reply, id 1, seq 2, length 64",
        ),
        (
            port_unreachable_repr(),
            "ICMP 192.168.0.1 udp port 69 unreachable, length 36",
        ),
        (
            unreachable(DstUnreachable::NetUnreachable),
            "ICMP net 192.168.0.1 unreachable, length 36",
        ),
        (
            unreachable(DstUnreachable::HostUnreachable),
            "ICMP host 192.168.0.1 unreachable, length 36",
        ),
        (
            unreachable(DstUnreachable::ProtoUnreachable),
            "ICMP 192.168.0.1 protocol 17 unreachable, length 36",
        ),
        (
            unreachable(DstUnreachable::CommProhibited),
            "ICMP 192.168.0.1 unreachable - administratively prohibited, length 36",
        ),
        (
            Icmpv4Repr::TimeExceeded {
                reason: TimeExceeded::TtlExpired,
                unused: 0,
                quote,
            },
            "ICMP time exceeded in-transit, length 36",
        ),
        (
            Icmpv4Repr::TimeExceeded {
                reason: TimeExceeded::FragExpired,
                unused: 0,
                quote,
            },
            "ICMP ip reassembly time exceeded, length 36",
        ),
        (
            Icmpv4Repr::SourceQuench { unused: 0, quote },
            "ICMP source quench, length 36",
        ),
        (
            Icmpv4Repr::Unknown {
                msg_type: Icmpv4Message::Timestamp,
                code: 0,
                rest: &[0; 16],
            },
            "ICMP type 13, code 0, length 20",
        ),
    ];
    for (repr, text) in cases {
        assert_eq!(repr.to_string(), text);
    }
    assert_eq!(
        Icmpv4Packet::new_unchecked(&ECHO_BYTES[..]).to_string(),
        cases[0].1
    );
    assert_eq!(
        Icmpv4Packet::new_unchecked(&ECHO_BYTES[..3]).to_string(),
        "ICMP (truncated header: need 8 bytes, have 3)"
    );
}

#[test]
fn tcp_port_unreachable_display() {
    let mut datagram = PACKET_BYTES[..28].to_vec();
    Ipv4Packet::new_unchecked(&mut datagram[..]).set_protocol(crate::wire::IpProtocol::Tcp);
    let quote = Icmpv4Quote::parse(&datagram).unwrap();
    let reason = DstUnreachable::PortUnreachable;
    let repr = Icmpv4Repr::DstUnreachable {
        reason,
        unused: 0,
        next_hop_mtu: 0,
        quote,
    };
    assert_eq!(
        repr.to_string(),
        "ICMP 192.168.0.1 tcp port 69 unreachable, length 36"
    );
}

/// Return the port unreachable message after `edit` of its quoted datagram.
fn with_quote(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut quote = PACKET_BYTES[..28].to_vec();
    edit(&mut quote);
    let mut bytes = PORT_UNREACHABLE_BYTES[..8].to_vec();
    bytes.extend_from_slice(&quote);
    Icmpv4Packet::new_unchecked(&mut bytes[..]).fill_checksum();
    bytes
}

#[test]
fn a_bad_quote_is_a_named_error() {
    let cases: [(Vec<u8>, WireError); 7] = [
        (
            with_quote(|q| q.truncate(10)),
            WireError::Truncated {
                field: "quoted_header",
                need: 20,
                have: 10,
            },
        ),
        (
            with_quote(|q| q[0] = 0x65),
            WireError::Invalid {
                field: "quoted_version",
                value: 6,
            },
        ),
        (
            with_quote(|q| q[0] = 0x44),
            WireError::Invalid {
                field: "quoted_ihl",
                value: 4,
            },
        ),
        (
            with_quote(|q| q[0] = 0x48),
            WireError::Truncated {
                field: "quoted_options",
                need: 32,
                have: 28,
            },
        ),
        (
            with_quote(|q| q[3] = 19),
            WireError::Invalid {
                field: "quoted_total_length",
                value: 19,
            },
        ),
        (
            with_quote(|q| q.truncate(27)),
            WireError::Truncated {
                field: "quoted_data",
                need: 28,
                have: 27,
            },
        ),
        (
            with_quote(|q| {
                q[0] = 0x46;
                q[20..24].copy_from_slice(&[148, 5, 0, 0]);
            }),
            WireError::BadOptionLength {
                kind: 148,
                length: 5,
            },
        ),
    ];
    for (bytes, err) in cases {
        assert_eq!(read(&bytes), Err(err), "{bytes:02x?}");
    }
}

#[test]
fn a_quote_of_a_short_datagram_may_have_fewer_than_eight_octets() {
    // The datagram carried only four octets of data: that is all it can quote.
    let bytes = with_quote(|q| {
        q[3] = 24;
        q.truncate(24);
    });
    let repr = read(&bytes).unwrap();
    assert_eq!(repr.quote().unwrap().data(), &PACKET_BYTES[20..24]);
    assert_eq!(repr.quote().unwrap().ports(), Some((1492, 69)));
    assert_eq!(emitted(&repr), bytes);
}

#[test]
fn parsing_is_lossless() {
    // An echo with a non-zero code does not fit the echo variant.
    let mut odd_echo = ECHO_BYTES;
    odd_echo[1] = 1;
    Icmpv4Packet::new_unchecked(&mut odd_echo[..]).fill_checksum();
    let repr = read(&odd_echo).unwrap();
    let rest = &odd_echo[4..];
    assert_eq!(
        repr,
        Icmpv4Repr::Unknown {
            msg_type: Icmpv4Message::EchoRequest,
            code: 1,
            rest
        }
    );
    assert_eq!(emitted(&repr), odd_echo);

    let whole = with_quote(|q| q.extend_from_slice(&PACKET_BYTES[28..]));
    let bad_quoted_checksum = with_quote(|q| q[10] ^= 0xff);
    let mut unused = PORT_UNREACHABLE_BYTES;
    unused[5] = 2; // RFC 4884 length, say
    Icmpv4Packet::new_unchecked(&mut unused[..]).fill_checksum();
    for bytes in [&whole[..], &bad_quoted_checksum[..], &unused[..]] {
        assert_eq!(emitted(&read(bytes).unwrap()), bytes);
    }
    assert_eq!(
        read(&whole).unwrap().quote().unwrap().data(),
        &PACKET_BYTES[20..]
    );
}

/// An ICMP message with owned data, for property tests.
#[derive(Debug, Clone)]
enum Spec {
    Echo {
        request: bool,
        ident: u16,
        seq_no: u16,
        data: Vec<u8>,
    },
    Error {
        msg_type: u8,
        code: u8,
        word: [u8; 4],
        quote: Vec<u8>,
    },
    Other {
        msg_type: u8,
        code: u8,
        rest: Vec<u8>,
    },
}

impl Spec {
    /// Build the repr, variant by variant.
    fn repr(&self) -> Icmpv4Repr<'_> {
        let (msg_type, code, word, quote) = match self {
            Spec::Echo {
                request: true,
                ident,
                seq_no,
                data,
            } => {
                return Icmpv4Repr::EchoRequest {
                    ident: *ident,
                    seq_no: *seq_no,
                    data,
                }
            }
            Spec::Echo {
                ident,
                seq_no,
                data,
                ..
            } => {
                return Icmpv4Repr::EchoReply {
                    ident: *ident,
                    seq_no: *seq_no,
                    data,
                }
            }
            Spec::Other {
                msg_type,
                code,
                rest,
            } => {
                let msg_type = Icmpv4Message::from(*msg_type);
                return Icmpv4Repr::Unknown {
                    msg_type,
                    code: *code,
                    rest,
                };
            }
            Spec::Error {
                msg_type,
                code,
                word,
                quote,
            } => (*msg_type, *code, *word, quote),
        };
        let quote = Icmpv4Quote::parse(quote).unwrap();
        let [a, b, c, d] = word;
        match msg_type {
            3 => Icmpv4Repr::DstUnreachable {
                reason: code.into(),
                unused: u16::from_be_bytes([a, b]),
                next_hop_mtu: u16::from_be_bytes([c, d]),
                quote,
            },
            4 => Icmpv4Repr::SourceQuench {
                unused: u32::from_be_bytes(word),
                quote,
            },
            5 => Icmpv4Repr::Redirect {
                reason: code.into(),
                gateway: Ipv4Addr::from(word),
                quote,
            },
            11 => Icmpv4Repr::TimeExceeded {
                reason: code.into(),
                unused: u32::from_be_bytes(word),
                quote,
            },
            _ => Icmpv4Repr::ParamProblem {
                reason: code.into(),
                pointer: a,
                unused: [b, c, d],
                quote,
            },
        }
    }

    /// Build the bytes directly, without the repr.
    fn bytes(&self) -> Vec<u8> {
        let mut bytes = match self {
            Spec::Echo {
                request,
                ident,
                seq_no,
                data,
            } => {
                let [i0, i1] = ident.to_be_bytes();
                let [s0, s1] = seq_no.to_be_bytes();
                let mut bytes = vec![if *request { 8 } else { 0 }, 0, 0, 0, i0, i1, s0, s1];
                bytes.extend_from_slice(data);
                bytes
            }
            Spec::Error {
                msg_type,
                code,
                word,
                quote,
            } => [&[*msg_type, *code, 0, 0], &word[..], quote].concat(),
            Spec::Other {
                msg_type,
                code,
                rest,
            } => [&[*msg_type, *code, 0, 0], &rest[..]].concat(),
        };
        Icmpv4Packet::new_unchecked(&mut bytes[..]).fill_checksum();
        bytes
    }
}

/// A quoted datagram: any header (its checksum arbitrary) and enough data.
fn quote_strategy() -> impl Strategy<Value = Vec<u8>> {
    repr_strategy()
        .prop_flat_map(|header| {
            let min = header.payload_len.min(Icmpv4Quote::MIN_DATA_LEN);
            (Just(header), any::<u16>(), vec(any::<u8>(), min..min + 16))
        })
        .prop_map(|(header, checksum, data)| {
            let mut bytes = vec![0; header.header_len()];
            let mut packet = Ipv4Packet::new_unchecked(&mut bytes[..]);
            header.emit(&mut packet, Ignore);
            packet.set_checksum(checksum);
            bytes.extend_from_slice(&data);
            bytes
        })
}

fn spec_strategy() -> impl Strategy<Value = Spec> {
    let echo = (
        any::<bool>(),
        any::<u16>(),
        any::<u16>(),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(|(request, ident, seq_no, data)| Spec::Echo {
            request,
            ident,
            seq_no,
            data,
        });
    let error_type = prop_oneof![
        Just((4, 0)),
        (prop::sample::select(vec![3u8, 5, 11, 12]), any::<u8>())
    ];
    let error = (error_type, any::<[u8; 4]>(), quote_strategy()).prop_map(
        |((msg_type, code), word, quote)| Spec::Error {
            msg_type,
            code,
            word,
            quote,
        },
    );
    let unnamed =
        any::<u8>().prop_filter("no typed variant", |t| ![0, 3, 4, 5, 8, 11, 12].contains(t));
    let odd_code = (prop::sample::select(vec![0u8, 4, 8]), 1..=255u8);
    let other_type = prop_oneof![(unnamed, any::<u8>()), odd_code];
    let other =
        (other_type, vec(any::<u8>(), 4..32)).prop_map(|((msg_type, code), rest)| Spec::Other {
            msg_type,
            code,
            rest,
        });
    prop_oneof![echo, error, other]
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(spec in spec_strategy()) {
        let repr = spec.repr();
        let bytes = emitted(&repr);
        prop_assert_eq!(read(&bytes), Ok(repr));
    }

    #[test]
    fn parse_emit_gives_the_same_bytes(spec in spec_strategy()) {
        let bytes = spec.bytes();
        let repr = read(&bytes).unwrap();
        prop_assert_eq!(repr, spec.repr());
        prop_assert_eq!(emitted(&repr), bytes);
    }

    #[test]
    fn parsing_any_bytes_never_panics(mut bytes in vec(any::<u8>(), 0..64), quoted in any::<bool>()) {
        if quoted && bytes.len() > 8 {
            bytes[0] = 3; // destination unreachable
            bytes[8] = 0x40 | (bytes[8] & 0x0f);
        }
        let packet = Icmpv4Packet::new_unchecked(&bytes[..]);
        let _ = packet.to_string();
        if let Ok(repr) = Icmpv4Repr::parse(&packet, Ignore) {
            let _ = repr.to_string();
            prop_assert_eq!(repr.buffer_len(), bytes.len());
        }
    }
}
