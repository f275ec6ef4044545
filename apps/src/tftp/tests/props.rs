//! Property tests: packets built from arbitrary parts round trip.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// A string without NULs.
fn string() -> impl Strategy<Value = Vec<u8>> {
    vec(1u8..=255, 0..20)
}

/// An option in owned form: a known one, or another with a name that is
/// not a known one's.
#[derive(Debug, Clone)]
enum Opt {
    Known(u8, u64),
    Other(Vec<u8>, Vec<u8>),
}

fn opt() -> impl Strategy<Value = Opt> {
    prop_oneof![
        (0u8..4, any::<u64>()).prop_map(|(k, n)| Opt::Known(k, n)),
        (vec(b'a'..=b'z', 1..8), string())
            .prop_filter("not a known name", |(name, _)| {
                TftpOption::parse(name, b"1").is_ok_and(|o| matches!(o, TftpOption::Other { .. }))
            })
            .prop_map(|(name, value)| Opt::Other(name, value)),
    ]
}

/// Turn owned options into typed ones: known values clamped into range,
/// and each known option kept once.
fn typed(opts: &[Opt]) -> Vec<TftpOption<'_>> {
    let mut seen = [false; 4];
    let mut list = Vec::new();
    for opt in opts {
        let option = match opt {
            Opt::Known(k, n) => {
                if std::mem::replace(&mut seen[usize::from(*k)], true) {
                    continue;
                }
                match k {
                    0 => TftpOption::Blksize((8 + n % 65457) as u16),
                    1 => TftpOption::Timeout((1 + n % 255) as u8),
                    2 => TftpOption::Tsize(*n),
                    _ => TftpOption::Windowsize((1 + n % 65535) as u16),
                }
            }
            Opt::Other(name, value) => TftpOption::Other { name, value },
        };
        list.push(option);
    }
    list
}

#[track_caller]
fn assert_round_trips(packet: &Packet<'_>) {
    let mut out = vec![0xa5; packet.buffer_len()];
    assert_eq!(packet.emit(&mut out), Ok(out.len()));
    assert_eq!(Packet::parse(&out).as_ref(), Ok(packet));
    fuzz::tftp(&out);
}

proptest! {
    #[test]
    fn requests_and_oacks_round_trip(
        filename in string(),
        mode in prop::sample::select(vec![Mode::Netascii, Mode::Octet, Mode::Mail]),
        opts in vec(opt(), 0..6),
        write in any::<bool>(),
    ) {
        let list = typed(&opts);
        let request = Request { filename: &filename, mode, options: Options::from_list(&list) };
        assert_round_trips(&if write { Packet::Wrq(request) } else { Packet::Rrq(request) });
        if !list.is_empty() {
            assert_round_trips(&Packet::Oack(Options::from_list(&list)));
        }
    }

    #[test]
    fn data_ack_and_error_round_trip(
        block in any::<u16>(),
        data in vec(any::<u8>(), 0..600),
        code in any::<u16>(),
        message in string(),
    ) {
        assert_round_trips(&Packet::Data { block, data: &data });
        assert_round_trips(&Packet::Ack { block });
        assert_round_trips(&Packet::Error { code: code.into(), message: &message });
    }
}
