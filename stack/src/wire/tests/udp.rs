//! Tests of the UDP view and repr, on the TFTP read request of
//! `tests/vectors/tftp-rrq.yaml`.

use super::*;
use proptest::prelude::*;

/// 192.168.0.55, the TFTP client.
const SRC_ADDR: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 55);
/// 192.168.0.1, the TFTP server.
const DST_ADDR: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);

/// The UDP datagram of the TFTP vector (frame bytes 34..97).
static PACKET_BYTES: [u8; 63] = [
    0x05, 0xd4, // source port 1492
    0x00, 0x45, // destination port 69 (TFTP)
    0x00, 0x3f, // length 63 (8 header + 55 data)
    0xac, 0x40, // checksum 0xac40
    // data: TFTP RRQ, opcode 1, "c:\qwerq.qwe", "netascii",
    // blksize 512, timeout 10, tsize 0
    0x00, 0x01, 0x63, 0x3a, 0x5c, 0x71, 0x77, 0x65, 0x72, 0x71, 0x2e, 0x71, 0x77, 0x65, 0x00, 0x6e,
    0x65, 0x74, 0x61, 0x73, 0x63, 0x69, 0x69, 0x00, 0x62, 0x6c, 0x6b, 0x73, 0x69, 0x7a, 0x65, 0x00,
    0x35, 0x31, 0x32, 0x00, 0x74, 0x69, 0x6d, 0x65, 0x6f, 0x75, 0x74, 0x00, 0x31, 0x30, 0x00, 0x74,
    0x73, 0x69, 0x7a, 0x65, 0x00, 0x30, 0x00,
];

fn payload() -> &'static [u8] {
    &PACKET_BYTES[HEADER_LEN..]
}

fn repr() -> UdpRepr<'static> {
    UdpRepr {
        src_port: 1492,
        dst_port: 69,
        payload: payload(),
    }
}

#[test]
fn deconstruct() {
    let packet = UdpPacket::new_checked(&PACKET_BYTES[..]).unwrap();
    assert_eq!(packet.src_port(), 1492);
    assert_eq!(packet.dst_port(), 69);
    assert_eq!(packet.len(), 63);
    assert_eq!(packet.checksum(), 0xac40);
    assert_eq!(packet.payload().len(), 55);
    assert_eq!(&packet.payload()[..2], &[0x00, 0x01]); // TFTP opcode RRQ
    assert!(packet.verify_checksum(SRC_ADDR, DST_ADDR));
    assert_eq!(packet.expected_checksum(SRC_ADDR, DST_ADDR), 0xac40);
    // The same bytes between other addresses do not verify.
    assert!(!packet.verify_checksum(Ipv4Addr::new(192, 168, 0, 56), DST_ADDR));
}

#[test]
fn construct() {
    let mut bytes = [0xa5; 63];
    let mut packet = UdpPacket::new_unchecked(&mut bytes[..]);
    packet.set_src_port(1492);
    packet.set_dst_port(69);
    packet.set_len(63);
    packet.payload_mut().copy_from_slice(payload());
    packet.fill_checksum(SRC_ADDR, DST_ADDR);
    assert_eq!(bytes, PACKET_BYTES);
}

#[test]
fn parse() {
    let packet = UdpPacket::new_checked(&PACKET_BYTES[..]).unwrap();
    let parsed = UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify);
    assert_eq!(parsed, Ok(repr()));
}

#[test]
fn emit() {
    let repr = repr();
    assert_eq!(repr.header_len(), 8);
    assert_eq!(repr.buffer_len(), 63);
    let mut bytes = vec![0xa5; repr.buffer_len()];
    let mut packet = UdpPacket::new_unchecked(&mut bytes[..]);
    repr.emit(&mut packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify);
    assert_eq!(bytes, PACKET_BYTES);
}

#[test]
fn emit_without_checksum_writes_zero() {
    let mut bytes = vec![0xa5; repr().buffer_len()];
    let mut packet = UdpPacket::new_unchecked(&mut bytes[..]);
    repr().emit(&mut packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Ignore);
    assert_eq!(&bytes[6..8], &[0, 0]);
    assert_eq!(&bytes[..6], &PACKET_BYTES[..6]);
    assert_eq!(&bytes[8..], &PACKET_BYTES[8..]);
}

#[test]
fn zero_checksum_means_none_and_is_accepted() {
    let mut bytes = PACKET_BYTES;
    bytes[6..8].copy_from_slice(&[0, 0]);
    let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
    assert!(packet.verify_checksum(SRC_ADDR, DST_ADDR));
    let parsed = UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify);
    assert_eq!(parsed, Ok(repr()));
}

#[test]
fn computed_zero_is_sent_as_all_ones() {
    // Choose the last data word so that the checksum comes out as zero.
    let mut data = [0x12, 0x34, 0x00, 0x00];
    let probe = UdpRepr {
        src_port: 7,
        dst_port: 9,
        payload: &data,
    };
    let mut bytes = [0xa5; 12];
    probe.emit(
        &mut UdpPacket::new_unchecked(&mut bytes[..]),
        SRC_ADDR,
        DST_ADDR,
        ChecksumPolicy::Ignore,
    );
    let sum = checksum::combine(&[
        checksum::pseudo_header(SRC_ADDR, DST_ADDR, IpProtocol::Udp, 12),
        checksum::data(&bytes),
    ]);
    data[2..].copy_from_slice(&(!sum).to_be_bytes());
    let repr = UdpRepr {
        src_port: 7,
        dst_port: 9,
        payload: &data,
    };
    repr.emit(
        &mut UdpPacket::new_unchecked(&mut bytes[..]),
        SRC_ADDR,
        DST_ADDR,
        ChecksumPolicy::Verify,
    );
    let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.checksum(), 0xffff);
    assert!(packet.verify_checksum(SRC_ADDR, DST_ADDR));
    assert_eq!(
        UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify),
        Ok(repr)
    );
}

#[test]
fn bad_checksum() {
    let mut bytes = PACKET_BYTES;
    bytes[20] ^= 0x01;
    let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
    let mut fixed = bytes;
    UdpPacket::new_unchecked(&mut fixed[..]).fill_checksum(SRC_ADDR, DST_ADDR);
    let expected = u16::from_be_bytes([fixed[6], fixed[7]]);
    assert_ne!(expected, 0xac40);
    assert_eq!(
        UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify),
        Err(WireError::BadChecksum {
            expected,
            found: 0xac40
        })
    );
    let ignored = UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Ignore).unwrap();
    assert_eq!(ignored.payload, &bytes[8..]);
}

#[test]
fn truncated() {
    assert_eq!(
        UdpPacket::new_checked(&PACKET_BYTES[..7]),
        Err(WireError::Truncated {
            field: "udp header",
            need: 8,
            have: 7
        })
    );
    assert_eq!(
        UdpPacket::new_checked(&PACKET_BYTES[..62]),
        Err(WireError::Truncated {
            field: "udp length",
            need: 63,
            have: 62
        })
    );
}

#[test]
fn length_field_below_header_is_invalid() {
    for length in [0u16, 7] {
        let mut bytes = PACKET_BYTES;
        bytes[4..6].copy_from_slice(&length.to_be_bytes());
        assert_eq!(
            UdpPacket::new_checked(&bytes[..]),
            Err(WireError::Invalid {
                field: "udp length",
                value: u32::from(length)
            })
        );
    }
}

#[test]
fn impossible_len() {
    let mut bytes = [0; 12];
    let mut packet = UdpPacket::new_unchecked(&mut bytes[..]);
    packet.set_len(13);
    assert_eq!(
        packet.check_len(),
        Err(WireError::Truncated {
            field: "udp length",
            need: 13,
            have: 12
        })
    );
    let packet = UdpPacket::new_unchecked(&bytes[..]);
    let parsed = UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Ignore);
    assert_eq!(
        parsed,
        Err(WireError::Truncated {
            field: "udp length",
            need: 13,
            have: 12
        })
    );
}

#[test]
fn trailing_padding_is_not_payload() {
    let mut bytes = PACKET_BYTES.to_vec();
    bytes.extend_from_slice(&[0; 5]); // e.g. Ethernet padding
    let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(packet.payload(), payload());
    assert_eq!(
        UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify),
        Ok(repr())
    );
}

#[test]
fn display() {
    assert_eq!(repr().to_string(), "UDP 1492 > 69, length 55");
    let packet = UdpPacket::new_unchecked(&PACKET_BYTES[..]);
    assert_eq!(packet.to_string(), "UDP 1492 > 69, length 55");
    let short = UdpPacket::new_unchecked(&PACKET_BYTES[..4]);
    assert_eq!(
        short.to_string(),
        "UDP (truncated udp header: need 8 bytes, have 4)"
    );
}

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

proptest! {
    #[test]
    fn repr_emit_parse_round_trips(
        src_port: u16, dst_port: u16,
        payload in proptest::collection::vec(any::<u8>(), 0..600),
        src in addr(), dst in addr(),
        verify: bool,
    ) {
        let policy = if verify { ChecksumPolicy::Verify } else { ChecksumPolicy::Ignore };
        let repr = UdpRepr { src_port, dst_port, payload: &payload };
        let mut bytes = vec![0xa5; repr.buffer_len()];
        repr.emit(&mut UdpPacket::new_unchecked(&mut bytes[..]), src, dst, policy);
        let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
        prop_assert_ne!(packet.checksum() == 0, verify);
        // A zero checksum verifies too, so Verify parses both.
        prop_assert_eq!(UdpRepr::parse(&packet, src, dst, ChecksumPolicy::Verify), Ok(repr));
    }

    #[test]
    fn bytes_parse_emit_round_trips(
        mut bytes in proptest::collection::vec(any::<u8>(), 8..600),
        src in addr(), dst in addr(),
        verify: bool,
    ) {
        let length = u16::try_from(bytes.len()).unwrap();
        let mut packet = UdpPacket::new_unchecked(&mut bytes[..]);
        packet.set_len(length);
        let policy = if verify {
            packet.fill_checksum(src, dst);
            ChecksumPolicy::Verify
        } else {
            packet.set_checksum(0);
            ChecksumPolicy::Ignore
        };
        let packet = UdpPacket::new_checked(&bytes[..]).unwrap();
        let repr = UdpRepr::parse(&packet, src, dst, policy).unwrap();
        let mut out = vec![0xa5; repr.buffer_len()];
        repr.emit(&mut UdpPacket::new_unchecked(&mut out[..]), src, dst, policy);
        prop_assert_eq!(out, bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(packet) = UdpPacket::new_checked(&bytes[..]) {
            let _ = (packet.src_port(), packet.dst_port(), packet.checksum(), packet.payload());
            let _ = UdpRepr::parse(&packet, SRC_ADDR, DST_ADDR, ChecksumPolicy::Verify);
            let _ = packet.to_string();
        }
    }
}

proptest! {
    /// The one-test fast path of `check_len` agrees with the full check.
    #[test]
    fn check_len_fast_path_agrees(mut bytes in proptest::collection::vec(any::<u8>(), 0..24), length in 0u16..28) {
        if bytes.len() >= HEADER_LEN {
            bytes[4..6].copy_from_slice(&length.to_be_bytes());
        }
        let packet = UdpPacket::new_unchecked(&bytes[..]);
        prop_assert_eq!(packet.check_len(), packet.check_len_slow());
    }
}
