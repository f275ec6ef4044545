//! ARP, ICMP, UDP and frame lines: parse, print back, and errors.

use super::*;

#[track_caller]
fn round_trip<T: fmt::Display>(text: &str, parse: impl Fn(&str) -> Result<T, SyntaxError>) -> T {
    let value = parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.display(text)));
    assert_eq!(value.to_string(), text);
    value
}

#[track_caller]
fn fails<T: fmt::Debug>(
    text: &str,
    result: Result<T, SyntaxError>,
    at: usize,
    end: usize,
    expected: &str,
) {
    let e = result.expect_err(text);
    assert_eq!((e.at, e.end, e.expected), (at, end, expected), "{text}");
}

#[test]
fn arp_lines() {
    let request = round_trip("request who-has 198.51.100.1 tell 198.51.100.2", parse_arp);
    assert_eq!(request.operation, ArpOperation::Request);
    assert_eq!(request.sender_ip, Ipv4Addr::new(198, 51, 100, 2));
    assert_eq!(request.sender_mac, None);
    round_trip(
        "request who-has 198.51.100.1 (00:00:00:00:00:00) tell 198.51.100.2 (02:00:00:00:00:02)",
        parse_arp,
    );
    let reply = round_trip("reply 198.51.100.1 is-at 02:00:00:00:00:01", parse_arp);
    assert_eq!(reply.sender_mac, Some(EthernetAddress([2, 0, 0, 0, 0, 1])));
    round_trip(
        "reply 198.51.100.1 is-at * to 198.51.100.2 (02:00:00:00:00:02)",
        parse_arp,
    );
    // `who-has` may be left out, as in a gratuitous request.
    let gratuitous = parse_arp("request 198.51.100.2 tell 198.51.100.2").unwrap();
    assert_eq!(gratuitous.target_ip, Some(gratuitous.sender_ip));
    fails(
        "announce 1.2.3.4",
        parse_arp("announce 1.2.3.4"),
        0,
        8,
        "`request` or `reply`",
    );
    fails(
        "reply 1.2.3.4 is-at 02:00",
        parse_arp("reply 1.2.3.4 is-at 02:00"),
        20,
        25,
        "a MAC address (xx:xx:xx:xx:xx:xx)",
    );
    fails(
        "reply 1.2.3.4 at 1",
        parse_arp("reply 1.2.3.4 at 1"),
        14,
        16,
        "`is-at` and a MAC address",
    );
    let e = parse_arp("request 1.2.3 tell 1.2.3.4").unwrap_err();
    assert!(e.is_address());
}

#[test]
fn icmp_lines() {
    let echo = round_trip("echo request id 7 seq 1 len 56", parse_icmp);
    let want = Echo {
        id: Wild::Exact(7),
        seq: Wild::Exact(1),
        len: Wild::Exact(56),
    };
    assert_eq!(echo.message, IcmpMessage::EchoRequest(want));
    let reply = round_trip("echo reply", parse_icmp);
    assert_eq!(
        reply.message,
        IcmpMessage::EchoReply(Echo {
            id: Wild::Any,
            seq: Wild::Any,
            len: Wild::Any
        })
    );
    let unreachable = round_trip("198.51.100.1 > 198.51.100.2 unreachable port", parse_icmp);
    assert_eq!(
        unreachable.addrs,
        Some((
            Ipv4Addr::new(198, 51, 100, 1),
            Ipv4Addr::new(198, 51, 100, 2)
        ))
    );
    round_trip("unreachable frag-needed mtu 576", parse_icmp);
    round_trip("time-exceeded reassembly", parse_icmp);
    round_trip("param-problem pointer 9", parse_icmp);
    round_trip("source-quench", parse_icmp);
    round_trip("type 42 code 1", parse_icmp);
    assert_eq!(
        parse_icmp("echo request id *").unwrap().message,
        IcmpMessage::EchoRequest(Echo {
            id: Wild::Any,
            seq: Wild::Any,
            len: Wild::Any
        })
    );
    // tcpdump's colon after the addresses is accepted.
    assert_eq!(
        parse_icmp("198.51.100.1 > 198.51.100.2: unreachable port"),
        Ok(unreachable)
    );
    fails(
        "unreachable door",
        parse_icmp("unreachable door"),
        12,
        16,
        "`net`, `host`, `proto`, `port`, `frag-needed` or `admin`",
    );
    fails(
        "echo request id x",
        parse_icmp("echo request id x"),
        16,
        17,
        "an identifier (0 to 65535) or `*`",
    );
    fails(
        "echo request junk",
        parse_icmp("echo request junk"),
        13,
        17,
        "the end of the ICMP line",
    );
}

#[test]
fn udp_lines() {
    let udp = round_trip("198.51.100.2.40000 > 198.51.100.1.53 len 10", parse_udp);
    assert_eq!(
        udp.src,
        Endpoint {
            addr: Some(Ipv4Addr::new(198, 51, 100, 2)),
            port: Wild::Exact(40000)
        }
    );
    assert_eq!(udp.payload, UdpPayload::Len(10));
    let udp = round_trip("40000 > 53 data 68656c6c6f csum zero", parse_udp);
    assert_eq!(udp.payload, UdpPayload::Bytes(b"hello".to_vec()));
    assert_eq!(udp.checksum, UdpChecksum::Zero);
    let udp = round_trip("53 > * csum bad", parse_udp);
    assert_eq!(udp.dst.port, Wild::Any);
    fails(
        "53 < 40000",
        parse_udp("53 < 40000"),
        3,
        4,
        "`>` and the destination",
    );
    fails(
        "53 > 99999",
        parse_udp("53 > 99999"),
        5,
        10,
        "a port, `*` or address.port (198.51.100.2.40000)",
    );
    fails(
        "53 > 1 data 0g",
        parse_udp("53 > 1 data 0g"),
        12,
        14,
        "two hex digits",
    );
    fails(
        "53 > 1 csum ok",
        parse_udp("53 > 1 csum ok"),
        12,
        14,
        "`bad` or `zero`",
    );
    assert!(parse_udp("1.2.3.4.5.6 > 1").unwrap_err().is_address());
}

#[test]
fn frames() {
    let frame = parse_frame("ff ff\n0a0b ??", true).unwrap();
    assert_eq!(
        frame.0,
        [Some(0xff), Some(0xff), Some(0x0a), Some(0x0b), None]
    );
    assert_eq!(frame.to_string(), "ff ff 0a 0b ??");
    fails("0a ??", parse_frame("0a ??", false), 3, 5, "two hex digits");
    fails(
        "0a b",
        parse_frame("0a b", true),
        3,
        4,
        "two hex digits or `??`",
    );
    fails("", parse_frame("", true), 0, 0, "at least one hex byte");
    fails(
        "0a é",
        parse_frame("0a é", true),
        3,
        5,
        "two hex digits or `??`",
    );
}
