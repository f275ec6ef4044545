//! Bugs the `host` fuzz target found, one test each; the input that found
//! it is kept as `corpus/host/regress-*` and replayed by `tests/corpus.rs`.

use super::*;
use crate::host::SendError;

/// A host with a gateway, so that every address has some route.
fn routed_host() -> Host {
    host_with(|c| c.gateway = Some(Ipv4Addr::new(198, 51, 100, 254)))
}

/// RFC 1122 3.2.1.3: 0.0.0.0 "MUST NOT be sent, except as a source address".
/// `ping` sent an echo request to 0.0.0.0 through the gateway.
#[test]
fn ping_to_unspecified_address_has_no_route() {
    let mut host = routed_host();
    let unspecified = Ipv4Addr::UNSPECIFIED;
    assert_eq!(
        host.ping(T0, unspecified, 1, 1, b"x"),
        Err(SendError::NoRoute(unspecified))
    );
    assert!(drain(&mut host, T0).is_empty());
}

/// The same rule on the reply path: an echo request from 0.0.0.0 (a host
/// that does not know its address yet) cannot be answered.
#[test]
fn echo_request_from_unspecified_source_draws_no_reply() {
    let mut host = routed_host();
    let request = icmp_bytes(&Icmpv4Repr::EchoRequest {
        ident: 1,
        seq_no: 1,
        data: b"x",
    });
    let header = Ipv4Repr::new(
        Ipv4Addr::UNSPECIFIED,
        IP_US,
        IpProtocol::Icmp,
        request.len(),
    );
    let verdict = host.handle_frame(T0, &ip_frame(&header, &request));
    assert_dropped(
        verdict,
        Why::CannotReply(SendError::NoRoute(Ipv4Addr::UNSPECIFIED)),
    );
    assert!(drain(&mut host, T0).is_empty());
}

/// RFC 1122 3.2.2: no ICMP error about "a datagram sent as a link-layer
/// broadcast". A reassembly that timed out drew a time exceeded even when
/// its fragment 0 had come to the broadcast MAC: the reassembler did not
/// keep the link-layer destination.
#[test]
fn reassembly_timeout_of_link_broadcast_fragment_sends_no_time_exceeded() {
    for link_broadcast in [true, false] {
        let mut host = host();
        learn_peer(&mut host, T0);
        let udp = udp_bytes(IP_PEER, IP_US, 5000, 9, &[7; 16]);
        let first = Ipv4Repr {
            more_frags: true,
            ident: 42,
            ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, 16)
        };
        let dst = match link_broadcast {
            true => EthernetAddress::BROADCAST,
            false => MAC_US,
        };
        let frame = ethernet(
            dst,
            MAC_PEER,
            EtherType::Ipv4,
            &datagram(&first, &udp[..16]),
        );
        assert_accepted(host.handle_frame(T0, &frame), Action::FragmentHeld);
        let expiry = host.poll_timeout().unwrap();
        host.handle_timeout(expiry);
        let sent = drain(&mut host, expiry);
        assert_eq!(host.stats().reassembly_timeouts, 1);
        if link_broadcast {
            assert!(
                sent.is_empty(),
                "a time exceeded about a link-layer broadcast"
            );
            assert_eq!(host.stats().icmp_suppressed.get("link_broadcast"), 1);
        } else {
            assert_eq!(
                sent.len(),
                1,
                "the unicast case still draws its time exceeded"
            );
        }
    }
}
