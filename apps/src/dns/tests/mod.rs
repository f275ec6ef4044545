//! Tests of the DNS message parser and emitter.

use super::*;

mod message;
mod names;
mod props;
mod records;
mod seeds;
mod writer;

/// A response to `example.com. IN A` with EDNS, compressed as servers do.
/// 124 bytes; re-emitting it compressed gives the same bytes.
static RESPONSE: [u8; 124] = [
    0x12, 0x34, // id 0x1234
    0x81, 0x80, // qr, opcode QUERY, rd, ra, NOERROR
    0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, // qd 1, an 2, ns 1, ar 1
    // 12: question example.com. IN A
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x03, b'c', b'o', b'm', 0x00, //
    0x00, 0x01, 0x00, 0x01, //
    // 29: answer example.com. 3600 IN A 93.184.216.34
    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, //
    93, 184, 216, 34, //
    // 45: answer www.example.com. 300 IN CNAME example.com.
    0x03, b'w', b'w', b'w', 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, //
    0x00, 0x02, 0xc0, 0x0c, //
    // 63: authority example.com. 3600 IN SOA ns.example.com.
    // hostmaster.example.com. 2024010101 7200 900 1209600 300
    0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x26, //
    0x02, b'n', b's', 0xc0, 0x0c, //
    0x0a, b'h', b'o', b's', b't', b'm', b'a', b's', b't', b'e', b'r', 0xc0, 0x0c, //
    0x78, 0xa3, 0xf1, 0x75, // serial 2024010101
    0x00, 0x00, 0x1c, 0x20, // refresh 7200
    0x00, 0x00, 0x03, 0x84, // retry 900
    0x00, 0x12, 0x75, 0x00, // expire 1209600
    0x00, 0x00, 0x01, 0x2c, // minimum 300
    // 113: additional OPT, udp 4096, version 0, DO
    0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
];

/// The 29-byte query `example.com. IN A`, id 0xbeef, RD.
static QUERY: [u8; 29] = [
    0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x03, b'c', b'o', b'm', 0x00, //
    0x00, 0x01, 0x00, 0x01,
];

/// Return a name built from text.
#[track_caller]
fn name(text: &str) -> NameBuf {
    NameBuf::from_dotted(text).unwrap()
}

/// Return a header with `id` and the counts, for hand-made messages.
fn header_bytes(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes.extend_from_slice(&flags.to_be_bytes());
    for count in counts {
        bytes.extend_from_slice(&count.to_be_bytes());
    }
    bytes
}

/// Return a message with one record (in the answer section) of `rtype`
/// with `rdata`, owned by the root, after a question for the root.
fn one_record(rtype: u16, rdata: &[u8]) -> Vec<u8> {
    let mut bytes = header_bytes(7, 0x8400, [1, 1, 0, 0]);
    bytes.extend_from_slice(&[0, 0x00, 0xff, 0x00, 0x01]); // . ANY IN
    bytes.push(0); // owner: the root
    bytes.extend_from_slice(&rtype.to_be_bytes());
    bytes.extend_from_slice(&[0x00, 0x01, 0x00, 0x00, 0x00, 0x3c]); // IN, ttl 60
    bytes.extend_from_slice(&u16::try_from(rdata.len()).unwrap().to_be_bytes());
    bytes.extend_from_slice(rdata);
    bytes
}

/// Emit `message` both ways and check each parses back to it; return the
/// compressed bytes.
#[track_caller]
fn round_trip(message: &Message<'_>) -> Vec<u8> {
    let mut plain = vec![0xa5; message.buffer_len()];
    let n = message.emit(&mut plain, Compression::Off).unwrap();
    assert_eq!(n, plain.len());
    assert_eq!(Message::parse(&plain).unwrap(), *message);
    let mut packed = vec![0xa5; message.buffer_len()];
    let m = message.emit(&mut packed, Compression::On).unwrap();
    packed.truncate(m);
    assert_eq!(Message::parse(&packed).unwrap(), *message);
    packed
}
