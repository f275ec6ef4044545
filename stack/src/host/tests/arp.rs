//! ARP: answering, learning (RFC 826 merge), resolution with queueing,
//! retry, give-up and expiry (RFC 1122 2.3.2).

use core::net::SocketAddrV4;
use core::time::Duration;

use super::*;
use crate::host::{Layer, RecvError, SocketError};
use crate::wire::WireError;

fn send_to_peer(host: &mut Host, now: Instant, socket: UdpHandle, data: &[u8]) {
    host.udp_send_to(now, socket, data, SocketAddrV4::new(IP_PEER, 7))
        .unwrap();
}

#[test]
fn request_for_our_address_is_answered_and_sender_learned() {
    let mut host = host();
    let request = ArpRepr::request(MAC_PEER, IP_PEER, IP_US);
    let verdict = host.handle_frame(T0, &arp_frame(EthernetAddress::BROADCAST, &request));
    assert_accepted(verdict, Action::ArpReplied);
    let frames = drain(&mut host, T0);
    assert_eq!(frames.len(), 1);
    let (eth, reply) = parse_arp(&frames[0]);
    // RFC 826: a unicast reply, with the fields swapped.
    assert_eq!(eth.dst_addr, MAC_PEER);
    assert_eq!(reply, request.reply_to(MAC_US));
    assert_eq!(host.arp_cache().lookup(T0, IP_PEER), Some(MAC_PEER));
}

#[test]
fn request_for_another_address_teaches_nothing() {
    let mut host = host();
    let request = ArpRepr::request(MAC_PEER, IP_PEER, IP_OTHER);
    let verdict = host.handle_frame(T0, &arp_frame(EthernetAddress::BROADCAST, &request));
    assert_dropped(verdict, Why::ArpNotForUs);
    assert!(drain(&mut host, T0).is_empty());
    assert!(host.arp_cache().is_empty());
    assert_eq!(host.stats().dropped.get("arp_not_for_us"), 1);
}

#[test]
fn gratuitous_arp_updates_an_existing_entry_only() {
    let mut host = host();
    // Unknown sender: a gratuitous ARP is not for us, and teaches nothing.
    let other = ArpRepr::request(MAC_OTHER, IP_OTHER, IP_OTHER);
    assert_dropped(
        host.handle_frame(T0, &arp_frame(EthernetAddress::BROADCAST, &other)),
        Why::ArpNotForUs,
    );
    assert_eq!(host.arp_cache().lookup(T0, IP_OTHER), None);
    // Known sender that moved to a new MAC: RFC 826's merge updates it.
    learn_peer(&mut host, T0);
    let moved = EthernetAddress([0x02, 0, 0, 0, 0, 0x22]);
    let announce = ArpRepr::request(moved, IP_PEER, IP_PEER);
    assert!(announce.is_gratuitous());
    let verdict = host.handle_frame(ms(10), &arp_frame(EthernetAddress::BROADCAST, &announce));
    assert_accepted(verdict, Action::ArpLearned);
    assert_eq!(host.arp_cache().lookup(ms(10), IP_PEER), Some(moved));
    assert!(
        drain(&mut host, ms(10)).is_empty(),
        "a gratuitous ARP is not answered"
    );
}

#[test]
fn probe_for_our_address_is_answered_not_learned() {
    let mut host = host();
    let probe = ArpRepr::request(MAC_PEER, Ipv4Addr::UNSPECIFIED, IP_US);
    assert!(probe.is_probe());
    assert_accepted(
        host.handle_frame(T0, &arp_frame(EthernetAddress::BROADCAST, &probe)),
        Action::ArpReplied,
    );
    assert!(host.arp_cache().is_empty());
    assert_eq!(drain(&mut host, T0).len(), 1);
}

#[test]
fn malformed_and_suspicious_arp_is_ignored_with_a_reason() {
    let mut host = host();
    let good = arp_bytes(&ArpRepr::request(MAC_PEER, IP_PEER, IP_US));
    let frame =
        |bytes: &[u8]| ethernet(EthernetAddress::BROADCAST, MAC_PEER, EtherType::Arp, bytes);

    // Truncated: the addresses are missing (frame padding is zeroes, which
    // would read as addresses, so the ARP part is cut inside the header).
    let short = ethernet(
        EthernetAddress::BROADCAST,
        MAC_PEER,
        EtherType::Arp,
        &good[..7],
    );
    let short = &short[..14 + 7];
    let verdict = host.handle_frame(T0, short);
    let err = WireError::Truncated {
        field: "arp header",
        need: 8,
        have: 7,
    };
    assert_dropped(verdict, Why::Malformed(Layer::Arp, err));

    let mut bad_hlen = good.clone();
    bad_hlen[4] = 8;
    let err = WireError::Invalid {
        field: "hlen",
        value: 8,
    };
    assert_dropped(
        host.handle_frame(T0, &frame(&bad_hlen)),
        Why::Malformed(Layer::Arp, err),
    );

    let mut rarp = good.clone();
    rarp[7] = 3;
    assert_dropped(
        host.handle_frame(T0, &frame(&rarp)),
        Why::ArpUnknownOperation(ArpOperation::Unknown(3)),
    );

    let broadcast_sender = ArpRepr::request(EthernetAddress::BROADCAST, IP_PEER, IP_US);
    assert_dropped(
        host.handle_frame(T0, &frame(&arp_bytes(&broadcast_sender))),
        Why::ArpBadSender,
    );

    let conflict = ArpRepr::request(MAC_PEER, IP_US, IP_US);
    assert_dropped(
        host.handle_frame(T0, &frame(&arp_bytes(&conflict))),
        Why::ArpAddressConflict,
    );

    assert!(drain(&mut host, T0).is_empty());
    assert!(host.arp_cache().is_empty());
    assert_eq!(host.stats().dropped.total(), 5);
}

#[test]
fn resolution_queues_datagrams_then_sends_them_in_order() {
    let mut host = host();
    let socket = bind(&mut host, 4000);
    send_to_peer(&mut host, T0, socket, b"one");
    send_to_peer(&mut host, ms(1), socket, b"two");
    let frames = drain(&mut host, ms(1));
    assert_eq!(frames.len(), 1, "one request, the datagrams wait");
    let (eth, request) = parse_arp(&frames[0]);
    assert_eq!(eth.dst_addr, EthernetAddress::BROADCAST);
    assert_eq!(request, ArpRepr::request(MAC_US, IP_US, IP_PEER));
    assert_eq!(host.stats().arp_requests, 1);

    assert_accepted(
        host.handle_frame(ms(5), &arp_reply(IP_PEER, MAC_PEER)),
        Action::ArpLearned,
    );
    let frames = drain(&mut host, ms(5));
    let payloads: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| {
            let (eth, _, udp) = parse_ipv4(f);
            assert_eq!(eth.dst_addr, MAC_PEER);
            udp[8..].to_vec()
        })
        .collect();
    assert_eq!(payloads, [b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(host.poll_timeout(), None, "nothing left to retry");
}

#[test]
fn queue_per_destination_is_bounded_dropping_the_oldest() {
    let mut host = host_with(|c| c.arp.queue_per_destination = 2);
    let socket = bind(&mut host, 4000);
    for data in [b"1", b"2", b"3"] {
        send_to_peer(&mut host, T0, socket, data);
    }
    assert_eq!(host.stats().arp_queue_dropped, 1);
    drain(&mut host, T0);
    host.handle_frame(ms(1), &arp_reply(IP_PEER, MAC_PEER));
    let sent: Vec<u8> = drain(&mut host, ms(1))
        .iter()
        .map(|f| parse_ipv4(f).2[8])
        .collect();
    assert_eq!(sent, b"23");
}

#[test]
fn requests_are_retried_once_a_second_then_the_socket_is_told() {
    let mut host = host();
    let socket = bind(&mut host, 4000);
    send_to_peer(&mut host, T0, socket, b"lost");
    assert_eq!(drain(&mut host, T0).len(), 1);
    // Rate limit (RFC 1122 2.3.2.1): nothing before a second has passed.
    assert_eq!(host.poll_timeout(), Some(ms(1000)));
    host.handle_timeout(ms(999));
    assert!(drain(&mut host, ms(999)).is_empty());
    for t in [1000, 2000] {
        host.handle_timeout(ms(t));
        let frames = drain(&mut host, ms(t));
        assert_eq!(frames.len(), 1, "retry at {t} ms");
        parse_arp(&frames[0]);
        assert_eq!(host.udp_take_error(socket), Ok(None));
    }
    assert_eq!(host.stats().arp_requests, 3);
    // One interval after the third request, the host gives up.
    host.handle_timeout(ms(3000));
    assert!(drain(&mut host, ms(3000)).is_empty());
    assert_eq!(host.stats().arp_failures, 1);
    assert_eq!(host.stats().arp_queue_dropped, 1);
    assert_eq!(
        host.udp_recv_from(socket),
        Err(RecvError::Failed(SocketError::HostUnreachable))
    );
    assert_eq!(
        host.udp_recv_from(socket),
        Ok(None),
        "the error is reported once"
    );
    assert_eq!(host.poll_timeout(), None);
}

#[test]
fn entries_expire_and_are_resolved_again() {
    let mut host = host_with(|c| c.arp.entry_lifetime = Duration::from_secs(10));
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 4000);
    send_to_peer(&mut host, ms(9_999), socket, b"fresh");
    assert!(matches!(
        parse(&drain(&mut host, ms(9_999))[0]),
        Sent::Ipv4(..)
    ));
    assert_eq!(host.arp_cache().lookup(ms(10_000), IP_PEER), None);
    host.handle_timeout(ms(10_000));
    assert!(host.arp_cache().is_empty(), "stale entries are flushed");
    send_to_peer(&mut host, ms(10_000), socket, b"stale");
    let frames = drain(&mut host, ms(10_000));
    assert_eq!(frames.len(), 1);
    parse_arp(&frames[0]);
}

#[test]
fn too_many_resolutions_fail_the_send() {
    let mut host = host_with(|c| c.arp.max_resolving = 1);
    let socket = bind(&mut host, 4000);
    send_to_peer(&mut host, T0, socket, b"a");
    let other = SocketAddrV4::new(IP_OTHER, 7);
    assert_eq!(
        host.udp_send_to(T0, socket, b"b", other),
        Err(crate::host::SendError::QueueFull)
    );
}
