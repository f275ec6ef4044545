//! Tests of TFTP packets, on the read request of
//! `tests/vectors/tftp-rrq.yaml`.

use super::*;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::ChecksumPolicy;

mod packets;
mod props;
mod server;
mod transfer;

/// The UDP payload of the vector's frame (bytes 42..97): an RRQ.
static RRQ_BYTES: [u8; 55] = [
    0x00, 0x01, // opcode 1, RRQ
    b'c', b':', b'\\', b'q', b'w', b'e', b'r', b'q', b'.', b'q', b'w', b'e', 0x00, // filename
    b'n', b'e', b't', b'a', b's', b'c', b'i', b'i', 0x00, // mode netascii
    b'b', b'l', b'k', b's', b'i', b'z', b'e', 0x00, b'5', b'1', b'2', 0x00, // blksize 512
    b't', b'i', b'm', b'e', b'o', b'u', b't', 0x00, b'1', b'0', 0x00, // timeout 10
    b't', b's', b'i', b'z', b'e', 0x00, b'0', 0x00, // tsize 0
];

/// Return the frame of `tests/vectors/tftp-rrq.yaml`, decoded from the hex
/// lines of its `frame:` block.
fn vector_frame() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/tftp-rrq.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let hex: String = text
        .lines()
        .skip_while(|line| !line.starts_with("frame:"))
        .skip(1)
        .take_while(|line| line.starts_with("  ") && !line.trim().contains(':'))
        .map(str::trim)
        .collect();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn rrq_options() -> [TftpOption<'static>; 3] {
    [
        TftpOption::Blksize(512),
        TftpOption::Timeout(10),
        TftpOption::Tsize(0),
    ]
}

#[test]
fn vector_rrq_parses_field_by_field() {
    let frame = vector_frame();
    assert_eq!(frame.len(), 97);
    let repr = FrameRepr::parse(&frame, ChecksumPolicy::Verify).unwrap();
    let NetworkRepr::Ipv4 {
        transport: TransportRepr::Udp(udp),
        ..
    } = repr.network
    else {
        panic!("{repr:?}")
    };
    assert_eq!((udp.src_port, udp.dst_port), (1492, PORT));
    assert_eq!(udp.payload, &RRQ_BYTES[..]);

    let packet = Packet::parse(udp.payload).unwrap();
    assert_eq!(packet.opcode(), 1);
    let Packet::Rrq(request) = packet else {
        panic!("{packet:?}")
    };
    assert_eq!(request.filename, b"c:\\qwerq.qwe");
    assert_eq!(request.mode, Mode::Netascii);
    let options: Vec<_> = request.options.iter().collect();
    assert_eq!(options, rrq_options());
    assert_eq!(request.options.blksize(), Some(512));
    assert_eq!(request.options.timeout(), Some(10));
    assert_eq!(request.options.tsize(), Some(0));
    assert_eq!(request.options.windowsize(), None);
    assert_eq!(
        packet.to_string(),
        r#"TFTP RRQ "c:\\qwerq.qwe" netascii blksize 512 timeout 10 tsize 0"#
    );
}

#[test]
fn construct_rrq_from_a_list() {
    let options = rrq_options();
    let packet = Packet::Rrq(Request {
        filename: b"c:\\qwerq.qwe",
        mode: Mode::Netascii,
        options: Options::from_list(&options),
    });
    assert_eq!(packet.buffer_len(), 55);
    let mut buffer = [0xa5; 60];
    assert_eq!(packet.emit(&mut buffer), Ok(55));
    assert_eq!(buffer[..55], RRQ_BYTES);
    assert_eq!(buffer[55..], [0xa5; 5]);
    assert_eq!(Packet::parse(&RRQ_BYTES), Ok(packet));
    assert_eq!(
        packet.emit(&mut [0; 54]),
        Err(TftpError::NoSpace { need: 55, have: 54 })
    );
}

#[test]
fn corpus_seeds_are_what_their_names_say() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tftp");
    let seed = |name: &str| std::fs::read(dir.join(format!("seed-{name}"))).unwrap();
    assert_eq!(seed("rrq-vector"), RRQ_BYTES);
    for code in 0..=8u16 {
        let bytes = seed(&format!("error-{code}"));
        match Packet::parse(&bytes) {
            Ok(Packet::Error { code: c, .. }) => assert_eq!(u16::from(c), code),
            other => panic!("error-{code}: {other:?}"),
        }
    }
    let all = seed("oack-all-options");
    let Ok(Packet::Oack(options)) = Packet::parse(&all) else {
        panic!()
    };
    assert_eq!(
        (
            options.blksize(),
            options.timeout(),
            options.tsize(),
            options.windowsize()
        ),
        (Some(1428), Some(3), Some(1_048_576), Some(16))
    );
    let all = seed("rrq-all-options");
    let Ok(Packet::Rrq(request)) = Packet::parse(&all) else {
        panic!()
    };
    assert_eq!(request.options.iter().count(), 5);
    assert_eq!(
        Packet::parse(&seed("unterminated-mode")),
        Err(TftpError::Unterminated { field: "mode" })
    );
}
