//! Every packet kind, case rules, NUL termination, option values, errors.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

#[test]
fn every_packet_kind_round_trips() {
    let oack = [TftpOption::Blksize(1428), TftpOption::Tsize(1 << 40)];
    let packets = [
        Packet::Wrq(Request {
            filename: b"upload.bin",
            mode: Mode::Octet,
            options: Options::none(),
        }),
        Packet::Data {
            block: 7,
            data: b"hello",
        },
        Packet::Data {
            block: 65535,
            data: b"",
        },
        Packet::Ack { block: 0 },
        Packet::Error {
            code: ErrorCode::FileNotFound,
            message: b"no such file",
        },
        Packet::Oack(Options::from_list(&oack)),
    ];
    let expected: [&[u8]; 6] = [
        b"\x00\x02upload.bin\x00octet\x00",
        b"\x00\x03\x00\x07hello",
        b"\x00\x03\xff\xff",
        b"\x00\x04\x00\x00",
        b"\x00\x05\x00\x01no such file\x00",
        b"\x00\x06blksize\x001428\x00tsize\x001099511627776\x00",
    ];
    for (packet, bytes) in packets.iter().zip(expected) {
        let mut out = vec![0; packet.buffer_len()];
        assert_eq!(packet.emit(&mut out), Ok(bytes.len()));
        assert_eq!(out, bytes, "{packet}");
        assert_eq!(Packet::parse(bytes).as_ref(), Ok(packet));
    }
    let text: Vec<String> = packets.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            r#"TFTP WRQ "upload.bin" octet"#,
            "TFTP DATA block 7, 5 bytes",
            "TFTP DATA block 65535, 0 bytes",
            "TFTP ACK block 0",
            r#"TFTP ERROR 1 (file not found) "no such file""#,
            "TFTP OACK blksize 1428 tsize 1099511627776",
        ]
    );
}

#[test]
fn error_codes_round_trip_and_print() {
    for value in 0..=9u16 {
        let code = ErrorCode::from(value);
        assert_eq!(u16::from(code), value);
        let mut bytes = vec![0, 5];
        bytes.extend_from_slice(&value.to_be_bytes());
        bytes.extend_from_slice(b"why\0");
        assert_eq!(
            Packet::parse(&bytes),
            Ok(Packet::Error {
                code,
                message: b"why"
            })
        );
    }
    assert_eq!(ErrorCode::from(8), ErrorCode::OptionNegotiation);
    assert_eq!(ErrorCode::from(9), ErrorCode::Unknown(9));
    assert_eq!(
        ErrorCode::OptionNegotiation.to_string(),
        "8 (option negotiation)"
    );
    assert_eq!(ErrorCode::Unknown(300).to_string(), "300");
}

#[test]
fn modes_and_option_names_ignore_case() {
    let bytes = b"\x00\x01f\x00NetASCII\x00BLKSIZE\x001024\x00TSize\x00007\x00";
    let Packet::Rrq(request) = Packet::parse(bytes).unwrap() else {
        panic!()
    };
    assert_eq!(request.mode, Mode::Netascii);
    assert_eq!(request.options.blksize(), Some(1024));
    assert_eq!(request.options.tsize(), Some(7));
    for (text, mode) in [
        ("OCTET", Mode::Octet),
        ("Mail", Mode::Mail),
        ("octet", Mode::Octet),
    ] {
        assert_eq!(Mode::parse(text.as_bytes()), Ok(mode));
    }
    assert_eq!(Mode::parse(b"binary"), Err(TftpError::UnknownMode));
    assert_eq!(Mode::parse(b"octets"), Err(TftpError::UnknownMode));
}

#[test]
fn unknown_options_are_kept_in_order() {
    let bytes = b"\x00\x06Foo\x00Bar\x00timeout\x00255\x00foo\x00\x00";
    let Packet::Oack(options) = Packet::parse(bytes).unwrap() else {
        panic!()
    };
    let got: Vec<_> = options.iter().collect();
    assert_eq!(
        got,
        [
            TftpOption::Other {
                name: b"Foo",
                value: b"Bar"
            },
            TftpOption::Timeout(255),
            TftpOption::Other {
                name: b"foo",
                value: b""
            },
        ]
    );
}

/// Return the error parsing `bytes`.
fn error(bytes: &[u8]) -> TftpError {
    Packet::parse(bytes).unwrap_err()
}

#[test]
fn strings_must_end_with_nul() {
    let unterminated = |field| TftpError::Unterminated { field };
    assert_eq!(error(b"\x00\x01file"), unterminated("filename"));
    assert_eq!(error(b"\x00\x01file\x00octet"), unterminated("mode"));
    assert_eq!(
        error(b"\x00\x02f\x00octet\x00blksize"),
        unterminated("option name")
    );
    assert_eq!(
        error(b"\x00\x02f\x00octet\x00blksize\x00"),
        unterminated("option value")
    );
    assert_eq!(
        error(b"\x00\x02f\x00octet\x00blksize\x00512"),
        unterminated("option value")
    );
    assert_eq!(
        error(b"\x00\x05\x00\x01oops"),
        unterminated("error message")
    );
    assert_eq!(error(b"\x00\x06tsize"), unterminated("option name"));
}

#[test]
fn nothing_may_follow_an_ack_or_error_message() {
    assert_eq!(
        error(b"\x00\x04\x00\x01\x00"),
        TftpError::TrailingBytes { len: 1 }
    );
    assert_eq!(
        error(b"\x00\x05\x00\x00x\x00\x00\x00"),
        TftpError::TrailingBytes { len: 2 }
    );
    // An empty option name is where a stray NUL lands in a request.
    assert_eq!(
        error(b"\x00\x01f\x00octet\x00\x00"),
        TftpError::Invalid {
            field: "option name",
            value: 10
        }
    );
}

#[test]
fn fixed_fields_truncated_name_their_field() {
    let truncated = |field, need, have| TftpError::Truncated { field, need, have };
    assert_eq!(error(b""), truncated("opcode", 2, 0));
    assert_eq!(error(b"\x00"), truncated("opcode", 2, 1));
    assert_eq!(error(b"\x00\x03\x01"), truncated("block", 4, 3));
    assert_eq!(error(b"\x00\x04"), truncated("block", 4, 2));
    assert_eq!(error(b"\x00\x05\x00"), truncated("error code", 4, 3));
}

#[test]
fn unknown_opcodes_and_empty_oacks_are_invalid() {
    for op in [0u16, 7, 0x0100, 0xffff] {
        let bytes = op.to_be_bytes();
        assert_eq!(
            error(&bytes),
            TftpError::Invalid {
                field: "opcode",
                value: op.into()
            }
        );
    }
    let empty = TftpError::Invalid {
        field: "oack options",
        value: 0,
    };
    assert_eq!(error(b"\x00\x06"), empty);
    assert_eq!(Packet::Oack(Options::none()).emit(&mut [0; 8]), Err(empty));
}

#[test]
fn known_option_values_are_checked() {
    let cases: [(&[u8], &str); 10] = [
        (b"blksize\x007\x00", "blksize"),
        (b"blksize\x0065465\x00", "blksize"),
        (b"blksize\x00\x00", "blksize"),
        (b"blksize\x00 512\x00", "blksize"),
        (b"timeout\x000\x00", "timeout"),
        (b"timeout\x00256\x00", "timeout"),
        (b"tsize\x00-1\x00", "tsize"),
        (b"tsize\x0018446744073709551616\x00", "tsize"),
        (b"windowsize\x000\x00", "windowsize"),
        (b"windowsize\x0065536\x00", "windowsize"),
    ];
    for (area, option) in cases {
        let bytes = [&b"\x00\x06"[..], area].concat();
        assert_eq!(
            error(&bytes),
            TftpError::BadOptionValue { option },
            "{area:?}"
        );
    }
    let edges = b"\x00\x06blksize\x008\x00timeout\x001\x00tsize\x0018446744073709551615\x00windowsize\x0065535\x00";
    let options: Vec<_> = match Packet::parse(edges).unwrap() {
        Packet::Oack(options) => options.iter().collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        options,
        [
            TftpOption::Blksize(8),
            TftpOption::Timeout(1),
            TftpOption::Tsize(u64::MAX),
            TftpOption::Windowsize(65535)
        ]
    );
}

#[test]
fn known_options_may_not_repeat() {
    assert_eq!(
        error(b"\x00\x06blksize\x00512\x00BlkSize\x001024\x00"),
        TftpError::DuplicateOption { option: "blksize" }
    );
    let twice = [TftpOption::Tsize(1), TftpOption::Tsize(2)];
    assert_eq!(
        Packet::Oack(Options::from_list(&twice)).emit(&mut [0; 64]),
        Err(TftpError::DuplicateOption { option: "tsize" })
    );
}

#[test]
fn emit_refuses_what_would_not_parse_back() {
    let invalid = |field, value| Err(TftpError::Invalid { field, value });
    fn request<'a>(filename: &'a [u8], options: Options<'a>) -> Packet<'a> {
        Packet::Rrq(Request {
            filename,
            mode: Mode::Octet,
            options,
        })
    }
    let mut out = [0; 64];
    assert_eq!(
        request(b"a\0b", Options::none()).emit(&mut out),
        invalid("filename", 1)
    );
    let error = Packet::Error {
        code: ErrorCode::NotDefined,
        message: b"x\0",
    };
    assert_eq!(error.emit(&mut out), invalid("error message", 1));
    let cases: [(TftpOption<'_>, Result<usize, TftpError>); 6] = [
        (
            TftpOption::Other {
                name: b"",
                value: b"1",
            },
            invalid("option name", 0),
        ),
        (
            TftpOption::Other {
                name: b"a\0",
                value: b"1",
            },
            invalid("option name", 0),
        ),
        (
            TftpOption::Other {
                name: b"TSIZE",
                value: b"1",
            },
            invalid("option name", 0),
        ),
        (
            TftpOption::Other {
                name: b"a",
                value: b"\0",
            },
            invalid("option value", 0),
        ),
        (
            TftpOption::Blksize(7),
            Err(TftpError::BadOptionValue { option: "blksize" }),
        ),
        (
            TftpOption::Timeout(0),
            Err(TftpError::BadOptionValue { option: "timeout" }),
        ),
    ];
    for (option, expected) in cases {
        let list = [option];
        assert_eq!(
            request(b"f", Options::from_list(&list)).emit(&mut out),
            expected,
            "{option:?}"
        );
    }
}

#[test]
fn errors_print_their_field() {
    assert_eq!(
        TftpError::Unterminated { field: "mode" }.to_string(),
        "mode has no terminating NUL"
    );
    assert_eq!(
        TftpError::BadOptionValue { option: "blksize" }.to_string(),
        "bad value for option blksize"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..100)) {
        fuzz::tftp(&bytes);
    }

    #[test]
    fn mutated_requests_round_trip_when_they_parse(
        edits in vec((0..RRQ_BYTES.len(), any::<u8>()), 1..4),
    ) {
        let mut bytes = RRQ_BYTES;
        for (at, value) in edits {
            bytes[at] = value;
        }
        fuzz::tftp(&bytes);
    }
}
