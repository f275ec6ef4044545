//! ICMP: echo (small and fragmented both ways), port and protocol
//! unreachable, each RFC 1122 3.2.2 "no ICMP error" case, the rate limit,
//! reassembly time exceeded, and errors delivered to sockets.

use core::net::SocketAddrV4;
use core::time::Duration;

use super::*;
use crate::host::fragment::fragments;
use crate::host::reassembly::{Reassembler, Reassembly, ReassemblyConfig};
use crate::host::{Layer, NoIcmpError, RecvError, RxMeta, SocketError};
use crate::wire::icmpv4::{DstUnreachable, TimeExceeded};

fn echo_request(data: &[u8]) -> Icmpv4Repr<'_> {
    Icmpv4Repr::EchoRequest {
        ident: 0x1234,
        seq_no: 7,
        data,
    }
}

#[test]
fn echo_request_is_mirrored() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let verdict = host.handle_frame(T0, &icmp_frame(&echo_request(b"abcdefgh")));
    assert_accepted(verdict, Action::EchoReplied);
    let reply = only_icmp(&mut host, T0, IP_PEER);
    let expected = Icmpv4Repr::EchoReply {
        ident: 0x1234,
        seq_no: 7,
        data: b"abcdefgh",
    };
    assert_eq!(icmp(&reply), expected);
}

/// Send `bytes` (an ICMP message from the peer) as fragments of `mtu`, and
/// return the host's last verdict.
fn send_fragmented(host: &mut Host, bytes: &[u8], mtu: usize) -> FrameVerdict {
    let header = Ipv4Repr {
        ident: 99,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Icmp, bytes.len())
    };
    let mut verdict = None;
    for (piece, range) in fragments(&header, bytes.len(), mtu).unwrap() {
        verdict = Some(host.handle_frame(T0, &ip_frame(&piece, &bytes[range])));
    }
    verdict.unwrap()
}

/// Reassemble the frames the host sent into one datagram's payload.
fn reassemble(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut reassembler = Reassembler::new(ReassemblyConfig::default());
    for frame in frames {
        let (_, header, payload) = parse_ipv4(frame);
        assert!(header.buffer_len() <= 1500);
        if let Reassembly::Complete { payload, .. } =
            reassembler.handle_fragment(T0, &header, &payload)
        {
            return payload.to_vec();
        }
    }
    panic!("{} frames did not complete a datagram", frames.len());
}

#[test]
fn echo_of_10000_bytes_is_reassembled_and_fragmented_back() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let request = icmp_bytes(&echo_request(&data));
    assert_accepted(
        send_fragmented(&mut host, &request, 1500),
        Action::EchoReplied,
    );
    let frames = drain(&mut host, T0);
    assert_eq!(frames.len(), 7, "10,008 bytes in 1480-byte fragments");
    let reply = reassemble(&frames);
    let expected = Icmpv4Repr::EchoReply {
        ident: 0x1234,
        seq_no: 7,
        data: &data,
    };
    assert_eq!(icmp(&reply), expected);
}

#[test]
fn echo_of_the_largest_size_works() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let data = vec![0x5a; 65_507];
    let request = icmp_bytes(&echo_request(&data));
    assert_accepted(
        send_fragmented(&mut host, &request, 1500),
        Action::EchoReplied,
    );
    let reply = reassemble(&drain(&mut host, T0));
    assert_eq!(reply.len(), 65_515);
    // One byte more does not fit an IPv4 datagram: refused by ping.
    let far = host.ping(T0, IP_PEER, 1, 1, &vec![0; 65_508]);
    assert!(far.is_err());
}

#[test]
fn echo_to_a_broadcast_is_discarded() {
    let mut host = host();
    let bytes = icmp_bytes(&echo_request(b"x"));
    let header = Ipv4Repr::new(IP_PEER, Ipv4Addr::BROADCAST, IpProtocol::Icmp, bytes.len());
    assert_dropped(
        host.handle_frame(T0, &ip_frame(&header, &bytes)),
        Why::EchoToBroadcast,
    );
}

#[test]
fn bad_icmp_checksum_is_discarded() {
    let mut host = host();
    let mut bytes = icmp_bytes(&echo_request(b"x"));
    bytes[2] ^= 1;
    let frame = ip_frame(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Icmp, bytes.len()),
        &bytes,
    );
    assert_dropped(
        host.handle_frame(T0, &frame),
        Why::BadChecksum(Layer::Icmpv4),
    );
}

#[test]
fn udp_to_a_closed_port_draws_port_unreachable_quoting_it() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let frame = udp_frame(IP_US, 9999, b"knock knock");
    assert_dropped(host.handle_frame(T0, &frame), Why::PortUnreachable(9999));
    let error = only_icmp(&mut host, T0, IP_PEER);
    match icmp(&error) {
        Icmpv4Repr::DstUnreachable { reason, quote, .. } => {
            assert_eq!(reason, DstUnreachable::PortUnreachable);
            // The whole datagram fits in 576 bytes: all of it is quoted.
            assert_eq!(quote.as_bytes(), &frame[14..14 + 20 + 8 + 11]);
            assert_eq!(quote.ports(), Some((5000, 9999)));
        }
        other => panic!("{other}"),
    }
    assert_eq!(host.stats().icmp_errors_sent, 1);
}

#[test]
fn quotes_are_cut_to_fit_576_bytes() {
    let mut host = host();
    learn_peer(&mut host, T0);
    host.handle_frame(T0, &udp_frame(IP_US, 9999, &[1; 1000]));
    let error = only_icmp(&mut host, T0, IP_PEER);
    assert_eq!(20 + error.len(), 576);
}

#[test]
fn unknown_protocol_draws_protocol_unreachable() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let proto = IpProtocol::Unknown(200);
    let frame = ip_frame(&Ipv4Repr::new(IP_PEER, IP_US, proto, 8), &[0; 8]);
    assert_dropped(
        host.handle_frame(T0, &frame),
        Why::ProtocolUnreachable(proto),
    );
    let error = only_icmp(&mut host, T0, IP_PEER);
    let Icmpv4Repr::DstUnreachable { reason, quote, .. } = icmp(&error) else {
        panic!("not a destination unreachable");
    };
    assert_eq!(reason, DstUnreachable::ProtoUnreachable);
    assert_eq!(quote.header().protocol, proto);
}

#[test]
fn tcp_goes_to_tcp_and_draws_no_icmp() {
    // A corrupt segment is TCP's to discard (MUST-3), never an ICMP error's
    // cause; a good one for no connection gets a RST (see `tests::tcp`).
    let mut host = host();
    learn_peer(&mut host, T0);
    let mut segment = [0; 20];
    segment[12] = 0x50; // data offset 5, checksum 0: wrong
    let frame = ip_frame(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Tcp, 20),
        &segment,
    );
    assert_dropped(host.handle_frame(T0, &frame), Why::BadChecksum(Layer::Tcp));
    assert!(drain(&mut host, T0).is_empty());
    assert_eq!(host.stats().dropped.get("bad_checksum_tcp"), 1);
    assert_eq!(host.stats().icmp_errors_sent, 0);
}

/// Check that `frame` draws no ICMP error, for the stated reason.
#[track_caller]
fn assert_no_error(host: &mut Host, frame: &[u8], why: NoIcmpError) {
    host.handle_frame(T0, frame);
    assert!(drain(host, T0).is_empty());
    assert_eq!(host.stats().icmp_suppressed.get(why.label()), 1);
    assert_eq!(host.stats().icmp_errors_sent, 0);
}

#[test]
fn no_error_about_an_icmp_error() {
    // The first fragment of an ICMP error whose reassembly times out would
    // draw a time exceeded, were it not an ICMP error.
    let mut host = host();
    learn_peer(&mut host, T0);
    let quoted = datagram(&Ipv4Repr::new(IP_US, IP_PEER, IpProtocol::Udp, 8), &[0; 8]);
    let error = icmp_bytes(&Icmpv4Repr::DstUnreachable {
        reason: DstUnreachable::PortUnreachable,
        unused: 0,
        next_hop_mtu: 0,
        quote: crate::wire::icmpv4::Icmpv4Quote::parse(&quoted).unwrap(),
    });
    let first = Ipv4Repr {
        more_frags: true,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Icmp, 16)
    };
    assert_accepted(
        host.handle_frame(T0, &ip_frame(&first, &error[..16])),
        Action::FragmentHeld,
    );
    let deadline = host.poll_timeout().unwrap();
    host.handle_timeout(deadline);
    assert!(drain(&mut host, deadline).is_empty());
    assert_eq!(host.stats().reassembly_timeouts, 1);
    assert_eq!(
        host.stats()
            .icmp_suppressed
            .get(NoIcmpError::AboutIcmpError.label()),
        1
    );
}

#[test]
fn no_error_about_an_ip_broadcast() {
    let mut host = host();
    assert_no_error(
        &mut host,
        &udp_frame(IP_SUBNET_BROADCAST, 9999, b"x"),
        NoIcmpError::IpBroadcast,
    );
}

#[test]
fn no_error_about_a_link_broadcast() {
    let mut host = host();
    let bytes = udp_bytes(IP_PEER, IP_US, 5000, 9999, b"x");
    let datagram = datagram(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, bytes.len()),
        &bytes,
    );
    let frame = ethernet(
        EthernetAddress::BROADCAST,
        MAC_PEER,
        EtherType::Ipv4,
        &datagram,
    );
    assert_no_error(&mut host, &frame, NoIcmpError::LinkBroadcast);
}

#[test]
fn no_error_about_a_non_initial_fragment() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let header = Ipv4Repr {
        frag_offset: 10,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, 16)
    };
    assert_accepted(
        host.handle_frame(T0, &ip_frame(&header, &[0; 16])),
        Action::FragmentHeld,
    );
    let deadline = host.poll_timeout().unwrap();
    host.handle_timeout(deadline);
    assert!(drain(&mut host, deadline).is_empty());
    // RFC 1122 3.3.2: time exceeded only "if fragment zero has been
    // received"; the reassembler does not even report the others.
    assert_eq!(host.reassembly_stats().timeouts, 1);
    assert_eq!(host.stats().reassembly_timeouts, 0);
    // The rule itself, on a header alone.
    let rx = RxMeta::default();
    assert_eq!(
        host.forbids_icmp_error(rx, &header, &[0; 16]),
        Some(NoIcmpError::NonInitialFragment)
    );
}

#[test]
fn no_error_about_a_source_that_is_not_a_host() {
    let mut host = host();
    let src = Ipv4Addr::UNSPECIFIED;
    let bytes = udp_bytes(src, IP_US, 68, 9999, b"x");
    let frame = ip_frame(
        &Ipv4Repr::new(src, IP_US, IpProtocol::Udp, bytes.len()),
        &bytes,
    );
    assert_no_error(&mut host, &frame, NoIcmpError::SourceNotAHost);
}

#[test]
fn errors_are_rate_limited_by_a_token_bucket() {
    let mut host = host_with(|c| {
        c.icmp.error_burst = 2;
        c.icmp.error_interval = Duration::from_secs(1);
    });
    learn_peer(&mut host, T0);
    for _ in 0..5 {
        host.handle_frame(T0, &udp_frame(IP_US, 9999, b"x"));
    }
    assert_eq!(drain(&mut host, T0).len(), 2);
    assert_eq!(host.stats().icmp_suppressed.get("rate_limited"), 3);
    host.handle_frame(ms(999), &udp_frame(IP_US, 9999, b"x"));
    assert!(drain(&mut host, ms(999)).is_empty());
    host.handle_frame(ms(1000), &udp_frame(IP_US, 9999, b"x"));
    assert_eq!(drain(&mut host, ms(1000)).len(), 1, "one token a second");
}

#[test]
fn reassembly_timeout_with_fragment_zero_sends_time_exceeded() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let udp = udp_bytes(IP_PEER, IP_US, 5000, 9, &[3; 100]);
    let first = Ipv4Repr {
        more_frags: true,
        ident: 7,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, 48)
    };
    host.handle_frame(T0, &ip_frame(&first, &udp[..48]));
    let deadline = host.poll_timeout().expect("a reassembly timer");
    assert!(deadline > T0);
    host.handle_timeout(deadline);
    let error = only_icmp(&mut host, deadline, IP_PEER);
    let Icmpv4Repr::TimeExceeded { reason, quote, .. } = icmp(&error) else {
        panic!("not a time exceeded");
    };
    assert_eq!(reason, TimeExceeded::FragExpired);
    assert_eq!(quote.header().ident, 7);
    assert_eq!(quote.ports(), Some((5000, 9)));
    assert_eq!(host.poll_timeout(), None);
}

#[test]
fn errors_reach_the_socket_they_quote() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 4000);
    host.udp_send_to(T0, socket, b"hello?", SocketAddrV4::new(IP_PEER, 7))
        .unwrap();
    let sent = drain(&mut host, T0).remove(0);
    let error = icmp_bytes(&Icmpv4Repr::DstUnreachable {
        reason: DstUnreachable::PortUnreachable,
        unused: 0,
        next_hop_mtu: 0,
        quote: crate::wire::icmpv4::Icmpv4Quote::parse(&sent[14..14 + 28]).unwrap(),
    });
    let frame = ip_frame(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Icmp, error.len()),
        &error,
    );
    assert_accepted(
        host.handle_frame(T0, &frame),
        Action::IcmpErrorDelivered(socket),
    );
    let got = host.udp_recv_from(socket);
    assert_eq!(got, Err(RecvError::Failed(SocketError::PortUnreachable)));
    // An error quoting a port nobody holds goes nowhere.
    host.udp_close(socket).unwrap();
    assert_dropped(host.handle_frame(T0, &frame), Why::IcmpErrorUnmatched);
}

#[test]
fn ping_and_its_reply() {
    let mut host = host();
    learn_peer(&mut host, T0);
    host.ping(T0, IP_PEER, 3, 4, b"ping").unwrap();
    let request = only_icmp(&mut host, T0, IP_PEER);
    assert_eq!(
        icmp(&request),
        Icmpv4Repr::EchoRequest {
            ident: 3,
            seq_no: 4,
            data: b"ping"
        }
    );
    let reply = Icmpv4Repr::EchoReply {
        ident: 3,
        seq_no: 4,
        data: b"ping",
    };
    assert_accepted(
        host.handle_frame(T0, &icmp_frame(&reply)),
        Action::EchoReplyQueued,
    );
    let got = host.poll_echo_reply().unwrap();
    assert_eq!(
        (got.from, got.ident, got.seq_no, &got.data[..]),
        (IP_PEER, 3, 4, &b"ping"[..])
    );
    assert_eq!(host.poll_echo_reply(), None);
}
