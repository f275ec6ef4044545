//! IPv4: the silent discards of RFC 1122 3.2.1, each with its reason;
//! what is "for us" (RFC 1122 3.3.6); output TTL, IDs, routing and
//! fragmentation.

use core::net::SocketAddrV4;

use super::*;
use crate::host::fragment::fragments;
use crate::host::reassembly::{Reassembler, Reassembly, ReassemblyConfig};
use crate::host::{ConfigError, Layer, SendError};
use crate::wire::ethernet::VlanTag;
use crate::wire::WireError;

/// A valid UDP datagram to us, as datagram bytes (not yet framed).
fn udp_datagram() -> Vec<u8> {
    let udp = udp_bytes(IP_PEER, IP_US, 5000, 9, b"data");
    datagram(
        &Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, udp.len()),
        &udp,
    )
}

fn frame_of(bytes: &[u8]) -> Vec<u8> {
    ethernet(MAC_US, MAC_PEER, EtherType::Ipv4, bytes)
}

/// Re-fill the header checksum after a test edited the header.
fn refill_checksum(bytes: &mut [u8]) {
    Ipv4Packet::new_unchecked(bytes).fill_checksum();
}

#[test]
fn bad_version_is_discarded() {
    let mut host = host();
    let mut bytes = udp_datagram();
    bytes[0] = 0x65;
    refill_checksum(&mut bytes);
    assert_dropped(host.handle_frame(T0, &frame_of(&bytes)), Why::BadVersion(6));
    assert_eq!(host.stats().dropped.get("bad_version"), 1);
}

#[test]
fn bad_header_checksum_is_discarded() {
    let mut host = host();
    let mut bytes = udp_datagram();
    bytes[10] ^= 0xff;
    assert_dropped(
        host.handle_frame(T0, &frame_of(&bytes)),
        Why::BadChecksum(Layer::Ipv4),
    );
}

#[test]
fn bad_lengths_are_discarded() {
    let mut host = host();
    let good = udp_datagram();
    let malformed = |err| Why::Malformed(Layer::Ipv4, err);

    let mut ihl = good.clone();
    ihl[0] = 0x44;
    refill_checksum(&mut ihl);
    let err = WireError::Invalid {
        field: "ihl",
        value: 4,
    };
    assert_dropped(host.handle_frame(T0, &frame_of(&ihl)), malformed(err));

    let mut short_total = good.clone();
    short_total[2..4].copy_from_slice(&19u16.to_be_bytes());
    refill_checksum(&mut short_total);
    let err = WireError::Invalid {
        field: "total_length",
        value: 19,
    };
    assert_dropped(
        host.handle_frame(T0, &frame_of(&short_total)),
        malformed(err),
    );

    // A total length beyond the frame (padding included): truncated.
    let mut long_total = good.clone();
    long_total[2..4].copy_from_slice(&100u16.to_be_bytes());
    refill_checksum(&mut long_total);
    let err = WireError::Truncated {
        field: "payload",
        need: 100,
        have: 46,
    };
    assert_dropped(
        host.handle_frame(T0, &frame_of(&long_total)),
        malformed(err),
    );

    let header_only = &frame_of(&good)[..14 + 12];
    let err = WireError::Truncated {
        field: "header",
        need: 20,
        have: 12,
    };
    assert_dropped(host.handle_frame(T0, header_only), malformed(err));
    assert!(drain(&mut host, T0).is_empty(), "all silently");
}

#[test]
fn datagrams_for_other_addresses_are_discarded() {
    let mut host = host();
    bind(&mut host, 9);
    assert_dropped(
        host.handle_frame(T0, &udp_frame(IP_OTHER, 9, b"x")),
        Why::NotForUs(IP_OTHER),
    );
    let multicast = Ipv4Addr::new(224, 0, 0, 1);
    assert_dropped(
        host.handle_frame(T0, &udp_frame(multicast, 9, b"x")),
        Why::NotForUs(multicast),
    );
    // Another subnet's broadcast is not ours either.
    let foreign = Ipv4Addr::new(192, 0, 2, 255);
    assert_dropped(
        host.handle_frame(T0, &udp_frame(foreign, 9, b"x")),
        Why::NotForUs(foreign),
    );
    assert!(drain(&mut host, T0).is_empty());
}

#[test]
fn broadcast_and_multicast_sources_are_discarded() {
    let mut host = host();
    bind(&mut host, 9);
    for src in [
        Ipv4Addr::BROADCAST,
        IP_SUBNET_BROADCAST,
        Ipv4Addr::new(224, 0, 0, 5),
        Ipv4Addr::LOCALHOST,
    ] {
        let udp = udp_bytes(src, IP_US, 5000, 9, b"x");
        let frame = ip_frame(&Ipv4Repr::new(src, IP_US, IpProtocol::Udp, udp.len()), &udp);
        assert_dropped(host.handle_frame(T0, &frame), Why::BadSource(src));
    }
}

#[test]
fn limited_and_subnet_broadcasts_are_for_us() {
    let mut host = host();
    let socket = bind(&mut host, 9);
    for dst in [Ipv4Addr::BROADCAST, IP_SUBNET_BROADCAST] {
        let frame = udp_frame(dst, 9, b"hi");
        assert_accepted(host.handle_frame(T0, &frame), Action::UdpDelivered(socket));
        let got = host.udp_recv_from(socket).unwrap().unwrap();
        assert_eq!((got.to, &got.payload[..]), (dst, &b"hi"[..]));
    }
}

#[test]
fn link_layer_filtering() {
    let mut host = host();
    let bytes = udp_datagram();
    let other_mac = ethernet(MAC_OTHER, MAC_PEER, EtherType::Ipv4, &bytes);
    assert_dropped(host.handle_frame(T0, &other_mac), Why::NotOurMac);
    let ipv6 = ethernet(MAC_US, MAC_PEER, EtherType::Ipv6, &bytes);
    assert_dropped(
        host.handle_frame(T0, &ipv6),
        Why::UnsupportedEtherType(EtherType::Ipv6),
    );
    let mut tagged = vec![0; 18 + bytes.len()];
    let eth = EthernetRepr {
        dst_addr: MAC_US,
        src_addr: MAC_PEER,
        vlan: Some(VlanTag::from_tci(7)),
        ethertype: EtherType::Ipv4,
    };
    eth.emit(&mut EthernetFrame::new_unchecked(&mut tagged[..]));
    assert_dropped(host.handle_frame(T0, &tagged), Why::VlanTagged);
    let verdict = host.handle_frame(T0, &[1, 2, 3]);
    assert!(matches!(
        verdict,
        FrameVerdict::Dropped(Why::Malformed(Layer::Ethernet, WireError::Truncated { .. }))
    ));
}

#[test]
fn ttl_zero_is_refused_in_config_and_received_ttl_zero_is_fine() {
    let config = HostConfig {
        ttl: 0,
        ..HostConfig::default()
    };
    assert_eq!(Host::new(config).unwrap_err().field, "ttl");
    // RFC 1122 3.2.1.7: a host does not discard a datagram for its TTL.
    let mut host = host();
    let socket = bind(&mut host, 9);
    let udp = udp_bytes(IP_PEER, IP_US, 5000, 9, b"x");
    let header = Ipv4Repr {
        ttl: 0,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, udp.len())
    };
    assert_accepted(
        host.handle_frame(T0, &ip_frame(&header, &udp)),
        Action::UdpDelivered(socket),
    );
}

#[test]
fn config_is_validated() {
    let bad = [
        HostConfig {
            mtu: 67,
            ..HostConfig::default()
        },
        HostConfig {
            prefix_len: 33,
            ..HostConfig::default()
        },
        HostConfig {
            ipv4: Ipv4Addr::BROADCAST,
            ..HostConfig::default()
        },
        HostConfig {
            mac: EthernetAddress::BROADCAST,
            ..HostConfig::default()
        },
    ];
    let fields: Vec<&str> = bad
        .into_iter()
        .map(|c| Host::new(c).map(|_| ()).unwrap_err())
        .map(|e: ConfigError| e.field)
        .collect();
    assert_eq!(fields, ["mtu", "prefix_len", "ipv4", "mac"]);
}

#[test]
fn output_uses_the_configured_ttl_and_per_tuple_counters_for_ids() {
    let mut host = host_with(|c| c.ttl = 7);
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 4000);
    let to = SocketAddrV4::new(IP_PEER, 7);
    for _ in 0..3 {
        host.udp_send_to(T0, socket, b"x", to).unwrap();
    }
    let headers: Vec<Ipv4Repr> = drain(&mut host, T0)
        .iter()
        .map(|f| parse_ipv4(f).1)
        .collect();
    assert!(headers.iter().all(|h| h.ttl == 7 && !h.dont_frag));
    // RFC 6864 4.1: IDs of one tuple do not repeat; here they count up.
    let ids: Vec<u16> = headers.iter().map(|h| h.ident).collect();
    assert_eq!(ids[1], ids[0].wrapping_add(1));
    assert_eq!(ids[2], ids[0].wrapping_add(2));
}

#[test]
fn large_datagrams_are_fragmented_and_reassemble() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 4000);
    let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    host.udp_send_to(T0, socket, &data, SocketAddrV4::new(IP_PEER, 7))
        .unwrap();
    let frames = drain(&mut host, T0);
    assert_eq!(frames.len(), 3, "3008 bytes over a 1500-byte MTU");
    let mut reassembler = Reassembler::new(ReassemblyConfig::default());
    let mut whole = None;
    for (i, frame) in frames.iter().enumerate() {
        let (_, header, payload) = parse_ipv4(frame);
        assert!(header.buffer_len() <= 1500);
        assert_eq!(header.more_frags, i < 2);
        assert_eq!(header.frag_offset_bytes(), i * 1480);
        if let Reassembly::Complete { payload, .. } =
            reassembler.handle_fragment(T0, &header, &payload)
        {
            whole = Some(payload.to_vec());
        }
    }
    let whole = whole.expect("the fragments reassemble");
    assert_eq!(&whole[8..], &data[..]);
}

#[test]
fn dont_fragment_above_the_mtu_fails_the_send() {
    let mut host = host();
    learn_peer(&mut host, T0);
    let socket = bind(&mut host, 4000);
    host.udp_set_dont_fragment(socket, true).unwrap();
    let to = SocketAddrV4::new(IP_PEER, 7);
    assert_eq!(
        host.udp_send_to(T0, socket, &[0; 1473], to),
        Err(SendError::DontFragment { mtu: 1500 })
    );
    host.udp_send_to(T0, socket, &[0; 1472], to).unwrap();
    let (_, header, _) = parse_ipv4(&drain(&mut host, T0)[0]);
    assert!(header.dont_frag);
    assert_eq!(header.buffer_len(), 1500);
}

#[test]
fn routing_needs_the_subnet_or_a_gateway() {
    let far = SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 9), 7);
    let mut host = host();
    let socket = bind(&mut host, 4000);
    assert_eq!(
        host.udp_send_to(T0, socket, b"x", far),
        Err(SendError::NoRoute(*far.ip()))
    );
    let gateway = Ipv4Addr::new(198, 51, 100, 254);
    let mut host = host_with(|c| c.gateway = Some(gateway));
    let socket = bind(&mut host, 4000);
    host.udp_send_to(T0, socket, b"x", far).unwrap();
    let (_, request) = parse_arp(&drain(&mut host, T0)[0]);
    assert_eq!(
        request.target_protocol_addr, gateway,
        "resolve the gateway, not the destination"
    );
    // A broadcast needs no resolution.
    host.udp_send_to(
        T0,
        socket,
        b"all",
        SocketAddrV4::new(Ipv4Addr::BROADCAST, 7),
    )
    .unwrap();
    let (eth, header, _) = parse_ipv4(&drain(&mut host, T0)[0]);
    assert_eq!(
        (eth.dst_addr, header.dst_addr),
        (EthernetAddress::BROADCAST, Ipv4Addr::BROADCAST)
    );
}

#[test]
fn fragments_of_a_datagram_to_us_are_reassembled_out_of_order() {
    let mut host = host();
    let socket = bind(&mut host, 9);
    let data: Vec<u8> = (0..2000u32).map(|i| (i * 7) as u8).collect();
    let udp = udp_bytes(IP_PEER, IP_US, 5000, 9, &data);
    let header = Ipv4Repr {
        ident: 0x4242,
        ..Ipv4Repr::new(IP_PEER, IP_US, IpProtocol::Udp, udp.len())
    };
    let pieces: Vec<_> = fragments(&header, udp.len(), 576).unwrap().collect();
    assert!(pieces.len() >= 4);
    let (last, rest) = pieces.split_last().unwrap();
    assert_accepted(
        host.handle_frame(T0, &ip_frame(&last.0, &udp[last.1.clone()])),
        Action::FragmentHeld,
    );
    let mut verdicts = Vec::new();
    for (piece, range) in rest.iter().rev() {
        verdicts.push(host.handle_frame(T0, &ip_frame(piece, &udp[range.clone()])));
    }
    assert_eq!(
        verdicts.last(),
        Some(&FrameVerdict::Accepted(Action::UdpDelivered(socket)))
    );
    assert_eq!(host.udp_recv_from(socket).unwrap().unwrap().payload, data);
    assert_eq!(host.stats().reassembled, 1);
}
