//! Building lower-layer frames from script lines and reading them back:
//! every line matches the frame built from it, and a changed field is
//! named.

use super::build;
use super::seen::{self, Seen};
use crate::notation::Isns;
use crate::script::lower::{parse_arp, parse_frame, parse_icmp, parse_udp, UdpChecksum};
use crate::script::Config;

#[test]
fn arp_lines_match_what_they_build() {
    let config = Config::default();
    for text in [
        "request who-has 198.51.100.1 tell 198.51.100.2",
        "request 198.51.100.2 tell 198.51.100.2 (02:00:00:00:00:99)",
        "reply 198.51.100.2 is-at 02:00:00:00:00:02 to 198.51.100.1 (02:00:00:00:00:01)",
    ] {
        let line = parse_arp(text).unwrap();
        let frame = build::arp_frame(&config, &line);
        let Seen::Arp(seen) = Seen::read(&frame) else {
            panic!("{text}: not ARP");
        };
        assert_eq!(seen::match_arp(&line, &seen), Ok(()), "{text}");
        let described = Seen::read(&frame)
            .describe(Isns::default(), &frame)
            .to_string();
        assert_eq!(
            parse_arp(&described).map(|l| l.operation),
            Ok(line.operation),
            "{described}"
        );
    }
    let request = parse_arp("request who-has 198.51.100.1 tell 198.51.100.2").unwrap();
    let frame = build::arp_frame(&config, &request);
    assert_eq!(frame[..6], [0xff; 6], "a request is broadcast");
    let Seen::Arp(seen) = Seen::read(&frame) else {
        panic!()
    };
    let other = parse_arp("request who-has 198.51.100.9 tell 198.51.100.2").unwrap();
    assert_eq!(seen::match_arp(&other, &seen), Err("target address"));
    let reply = parse_arp("reply 198.51.100.2 is-at * ").unwrap();
    assert_eq!(seen::match_arp(&reply, &seen), Err("operation"));
}

#[test]
fn icmp_lines_match_what_they_build() {
    let config = Config::default();
    for text in [
        "echo request id 1 seq 2 len 56",
        "echo reply id 1 seq 2 len 0",
        "198.51.100.2 > 198.51.100.1 unreachable port",
        "unreachable frag-needed mtu 576",
        "time-exceeded reassembly",
        "param-problem pointer 9",
        "source-quench",
        "type 13 code 0",
    ] {
        let line = parse_icmp(text).unwrap();
        let frame = build::icmp_frame(&config, &line, None).unwrap();
        let Seen::Icmp(seen) = Seen::read(&frame) else {
            panic!("{text}: not ICMP");
        };
        assert_eq!(seen::match_icmp(&line, &seen), Ok(()), "{text}");
        assert_eq!(seen.addrs, Some((config.remote, config.local)), "{text}");
    }
    let frame = build::icmp_frame(
        &config,
        &parse_icmp("echo request id 1 seq 2 len 8").unwrap(),
        None,
    )
    .unwrap();
    let Seen::Icmp(seen) = Seen::read(&frame) else {
        panic!()
    };
    for (text, field) in [
        ("echo request id 2", "id"),
        ("echo request id 1 seq 3", "seq"),
        ("echo request id 1 seq 2 len 9", "len"),
        ("echo reply", "message type"),
        ("198.51.100.1 > 198.51.100.2 echo request", "addresses"),
    ] {
        let line = parse_icmp(text).unwrap();
        assert_eq!(seen::match_icmp(&line, &seen), Err(field), "{text}");
    }
}

#[test]
fn udp_lines_match_what_they_build_checksums_included() {
    let config = Config::default();
    for text in [
        "40000 > 53",
        "198.51.100.2.40000 > 198.51.100.1.53 data 68656c6c6f",
        "40000 > 53 len 10 csum zero",
        "40000 > 53 len 10 csum bad",
    ] {
        let line = parse_udp(text).unwrap();
        let frame = build::udp_frame(&config, &line).unwrap();
        let Seen::Udp(seen) = Seen::read(&frame) else {
            panic!("{text}: not UDP");
        };
        assert_eq!(seen::match_udp(&line, &seen), Ok(()), "{text}");
        assert_eq!(seen.checksum, line.checksum, "{text}");
    }
    let frame =
        build::udp_frame(&config, &parse_udp("40000 > 53 len 10 csum bad").unwrap()).unwrap();
    let Seen::Udp(seen) = Seen::read(&frame) else {
        panic!()
    };
    assert_eq!(seen.checksum, UdpChecksum::Bad);
    for (text, field) in [
        ("40001 > 53", "source"),
        ("40000 > 54", "destination"),
        ("40000 > 53 len 11", "len"),
        ("40000 > 53 data 00", "data"),
        ("40000 > 53", "csum"),
    ] {
        let line = parse_udp(text).unwrap();
        assert_eq!(seen::match_udp(&line, &seen), Err(field), "{text}");
    }
    let wild = parse_udp("* > 53").unwrap();
    assert!(build::udp_frame(&config, &wild).is_err());
}

#[test]
fn raw_frames_match_as_prefixes_with_wildcards() {
    let frame = build::raw_frame(
        &parse_frame("02 00 00 00 00 01 08 06 00 01", false)
            .unwrap()
            .0,
    );
    let line = |text| parse_frame(text, true).unwrap();
    assert_eq!(seen::match_frame(&line("02 ?? 00"), &frame), Ok(()));
    assert_eq!(seen::match_frame(&line("03"), &frame), Err("bytes"));
    let long = "02 00 00 00 00 01 08 06 00 01 00";
    assert_eq!(seen::match_frame(&line(long), &frame), Err("length"));
}
