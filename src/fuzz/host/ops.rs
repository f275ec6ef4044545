//! The input of the `host` target: a [`Setup`], then [`Op`]s until the
//! bytes run out (a [`Scenario`]). Every type derives `Arbitrary` and has an
//! [`Encode`](super::encode::Encode) that writes it back (see
//! [`encode`](super::encode)); [`Wait`] is shared with `tcp_connection`.
//!
//! Choices are small enums rather than raw numbers where the host only
//! cares about a few classes of value (our address, a peer on the link, a
//! broadcast, ...), so that most inputs reach deep code; every class has a
//! `Raw` escape for the rest.

use super::encode::{encoded_enum, encoded_struct, Bytes};
pub use crate::fuzz::Wait;

encoded_struct! {
    /// The host's configuration, as far as the input chooses it.
    pub struct Setup {
        /// The seed of the host's random choices (IP IDs, ephemeral ports).
        pub seed: u8,
        /// The IP MTU.
        pub mtu: Mtu,
        /// The transmit queue: 0 is the default (1024), else `n % 16 + 1`.
        pub tx_queue: u8,
        /// The ICMP error burst: `n % 8` (0 sends no errors at all).
        pub error_burst: u8,
        /// Answer echo requests sent to a broadcast address.
        pub echo_broadcast: bool,
        /// Datagrams reassembled at once: `n % 8 + 1`.
        pub reassembly_datagrams: u8,
        /// The reassembly memory bound: 0 is the default (256 KiB), else
        /// `n` KiB.
        pub reassembly_kib: u8,
        /// Datagrams waiting per address being resolved: `n % 4 + 1`.
        pub arp_queue: u8,
        /// Datagrams waiting per socket: `n % 8 + 1`.
        pub rx_queue: u8,
        /// Give the host a gateway (198.51.100.254) for off-link addresses.
        pub gateway: bool,
    }
}

encoded_enum! {
    /// The IP MTU of the host.
    pub enum Mtu {
        /// 1500, Ethernet's.
        Ethernet,
        /// 576, the datagram every host must take (RFC 791 3.1).
        Small,
        /// 68, the least (RFC 791 3.2).
        Least,
        /// `68 + n % 1433`.
        Other(u16),
    }
}

encoded_enum! {
    /// One step.
    pub enum Op {
        /// Hand these bytes to the host as a frame.
        Raw(Bytes),
        /// Hand the host an ARP frame built from fields.
        Arp(ArpOp),
        /// Hand the host an IPv4 datagram built from fields, maybe in
        /// fragments.
        Ipv4(Ipv4Op),
        /// Let time pass, running every timer due on the way.
        Wait(Wait),
        /// Send a UDP datagram from one of the sockets.
        Send(SendOp),
        /// Send an echo request.
        Ping(PingOp),
        /// Read what waits for the application.
        Read(Read),
        /// Close a socket and open it again, bound as before.
        Reopen(Socket),
    }
}

encoded_enum! {
    /// A station on the link, or an address class, as the source or the
    /// destination of an IPv4 datagram or an ARP packet.
    pub enum Addr {
        /// The host under test, 198.51.100.1.
        Us,
        /// Peer `n % 4` on the link: 198.51.100.(2 + n % 4).
        Peer(u8),
        /// The gateway, 198.51.100.254.
        Gateway,
        /// An address off the link, 203.0.113.n, behind the gateway.
        OffLink(u8),
        /// The subnet's directed broadcast, 198.51.100.255.
        SubnetBroadcast,
        /// The limited broadcast, 255.255.255.255.
        LimitedBroadcast,
        /// A multicast group, 224.0.0.n.
        Multicast(u8),
        /// 0.0.0.0.
        Zero,
        /// 127.0.0.1.
        Loopback,
        /// Any address.
        Raw(u32),
    }
}

encoded_enum! {
    /// The Ethernet destination of an injected frame.
    pub enum LinkDst {
        /// The host's MAC.
        Us,
        /// ff:ff:ff:ff:ff:ff.
        Broadcast,
        /// A multicast MAC, 01:00:5e:00:00:01.
        Multicast,
        /// Another station's MAC.
        Other,
    }
}

encoded_enum! {
    /// What an injected ARP packet says.
    pub enum ArpKind {
        /// A request: who has the target address?
        Request,
        /// A reply to the target.
        Reply,
        /// A gratuitous ARP: a request from the sender about itself.
        Gratuitous,
        /// An RFC 5227 probe: a request with sender address 0.0.0.0.
        Probe,
        /// Any operation code.
        Operation(u16),
    }
}

encoded_struct! {
    /// An ARP frame built from fields.
    pub struct ArpOp {
        /// What it says.
        pub kind: ArpKind,
        /// Its sender, whose MAC goes with it (see [`Addr`]).
        pub sender: Addr,
        /// The address it asks about or answers to.
        pub target: Addr,
        /// The Ethernet destination (requests normally broadcast).
        pub link_dst: LinkDst,
        /// Claim another MAC for the sender than its own.
        pub spoof_mac: bool,
    }
}

encoded_enum! {
    /// A UDP port.
    pub enum Port {
        /// The port the bound socket listens on (7).
        Bound,
        /// The sending socket's (ephemeral) port.
        Sender,
        /// Any port.
        Raw(u16),
    }
}

encoded_enum! {
    /// Payload bytes.
    pub enum Data {
        /// These bytes.
        Bytes(Bytes),
        /// `len` bytes counting up from `start` (for large payloads).
        Pattern(Pattern),
    }
}

encoded_struct! {
    /// A long payload that costs four bytes of input.
    pub struct Pattern {
        /// The length: `len % 1024`, unless `big`.
        pub len: u16,
        /// The first byte; each next one is one more.
        pub start: u8,
        /// Take `len` whole, up to 65,535, if its low three bits are set
        /// (one pattern in eight: big payloads are slow to fuzz).
        pub big: u8,
    }
}

encoded_struct! {
    /// An IPv4 datagram built from fields.
    pub struct Ipv4Op {
        /// The Ethernet destination.
        pub link_dst: LinkDst,
        /// The source address (the frame comes from its station's MAC).
        pub src: Addr,
        /// The destination address.
        pub dst: Addr,
        /// The Time to Live.
        pub ttl: u8,
        /// The Identification: small, so that datagrams collide.
        pub ident: u8,
        /// Flags: bit 0 Don't Fragment, bit 1 the reserved flag, bit 2 a
        /// TOS of 0x10.
        pub flags: u8,
        /// The options.
        pub options: IpOptions,
        /// What it carries.
        pub payload: Payload,
        /// How it is cut into fragments.
        pub split: Split,
        /// What is broken in its first frame.
        pub corrupt: Corrupt,
    }
}

encoded_enum! {
    /// The options of an injected datagram.
    pub enum IpOptions {
        /// None.
        None,
        /// `n % 10 * 4` octets of No Operation, ending in End of List.
        Nops(u8),
        /// Router Alert (RFC 2113).
        RouterAlert,
        /// An empty Record Route with room for two addresses.
        RecordRoute,
    }
}

encoded_enum! {
    /// The payload of an injected datagram.
    pub enum Payload {
        /// A UDP datagram.
        Udp(UdpOp),
        /// An ICMP message.
        Icmp(IcmpOp),
        /// These bytes as a TCP segment.
        Tcp(Data),
        /// These bytes under protocol number `n` (one the host does not
        /// serve unless it is 1, 6 or 17).
        Other(OtherProto),
    }
}

encoded_struct! {
    /// A payload under any protocol number.
    pub struct OtherProto {
        /// The protocol number.
        pub protocol: u8,
        /// The payload.
        pub data: Data,
    }
}

encoded_struct! {
    /// A UDP datagram built from fields.
    pub struct UdpOp {
        /// The source port.
        pub src_port: Port,
        /// The destination port.
        pub dst_port: Port,
        /// The payload.
        pub data: Data,
        /// Send it without a checksum (zero: RFC 768).
        pub no_checksum: bool,
    }
}

encoded_enum! {
    /// An ICMP message built from fields.
    pub enum IcmpOp {
        /// An echo request.
        EchoRequest(Echo),
        /// An echo reply.
        EchoReply(Echo),
        /// An error quoting a datagram.
        Error(IcmpErrorOp),
        /// Any type and code, with these bytes after the checksum.
        Other(IcmpOther),
    }
}

encoded_struct! {
    /// An echo request or reply.
    pub struct Echo {
        /// The identifier.
        pub ident: u16,
        /// The sequence number.
        pub seq_no: u16,
        /// The data.
        pub data: Data,
    }
}

encoded_struct! {
    /// An ICMP message of any type.
    pub struct IcmpOther {
        /// The type.
        pub msg_type: u8,
        /// The code.
        pub code: u8,
        /// The bytes after the checksum.
        pub rest: Bytes,
    }
}

encoded_struct! {
    /// An ICMP error about a datagram.
    pub struct IcmpErrorOp {
        /// The error's type: 3 destination unreachable, 4 source quench,
        /// 5 redirect, 11 time exceeded, 12 parameter problem (`n % 5`).
        pub kind: u8,
        /// The code.
        pub code: u8,
        /// The datagram it quotes.
        pub about: Quoted,
    }
}

encoded_struct! {
    /// The datagram an injected ICMP error quotes.
    pub struct Quoted {
        /// Its source (the host's own, for an error about what it sent).
        pub src: Addr,
        /// Its destination.
        pub dst: Addr,
        /// What it carried.
        pub protocol: QuotedProto,
        /// Its Identification.
        pub ident: u16,
        /// How many data octets after the first eight are quoted.
        pub extra: u8,
    }
}

encoded_enum! {
    /// What a quoted datagram carried.
    pub enum QuotedProto {
        /// UDP between these ports.
        Udp(QuotedPorts),
        /// An ICMP message of this type.
        Icmp(u8),
        /// TCP.
        Tcp,
        /// Another protocol.
        Other(u8),
    }
}

encoded_struct! {
    /// The ports of a quoted UDP datagram.
    pub struct QuotedPorts {
        /// Its source port.
        pub src: Port,
        /// Its destination port.
        pub dst: Port,
    }
}

encoded_enum! {
    /// How an injected datagram is cut.
    pub enum Split {
        /// One frame.
        Whole,
        /// Pieces of equal size, sent in some order, one maybe tampered with.
        Pieces(Pieces),
        /// One fragment alone, at a chosen place.
        Single(Single),
    }
}

encoded_struct! {
    /// Fragments of equal size.
    pub struct Pieces {
        /// The size of each piece, in 8-octet blocks: `n % 64 + 1` (more if
        /// there would be over 64 pieces).
        pub blocks: u8,
        /// The order they are sent in.
        pub order: Order,
        /// What is done to one of them.
        pub tweak: Tweak,
    }
}

encoded_enum! {
    /// The order of fragments.
    pub enum Order {
        /// First to last.
        Forward,
        /// Last to first.
        Reverse,
        /// Starting with piece `n`, wrapping around.
        Rotate(u8),
    }
}

encoded_enum! {
    /// Something done to one piece (`n` picks it, modulo the count).
    pub enum Tweak {
        /// Nothing.
        None,
        /// Send it twice.
        Duplicate(u8),
        /// Leave it out.
        Drop(u8),
        /// Send it with its bytes inverted, after the true one.
        Poison(u8),
        /// Send it eight octets longer, overlapping the next.
        Overlap(u8),
        /// Send it with the link-layer broadcast destination.
        Broadcast(u8),
    }
}

encoded_struct! {
    /// One fragment of the datagram, alone.
    pub struct Single {
        /// Its offset in 8-octet blocks (`n % 8192`).
        pub offset: u16,
        /// More Fragments.
        pub more: bool,
        /// Its length in 8-octet blocks, from the offset (0: to the end).
        pub blocks: u8,
    }
}

encoded_enum! {
    /// A fault in the first frame of an injected datagram.
    pub enum Corrupt {
        /// None.
        None,
        /// A wrong IPv4 header checksum.
        IpChecksum,
        /// A wrong UDP or ICMP checksum (inside the first fragment).
        TransportChecksum,
        /// This total length.
        TotalLength(u16),
        /// The frame cut to `n` bytes.
        Truncate(u8),
        /// This version and IHL octet.
        VersionIhl(u8),
    }
}

encoded_enum! {
    /// One of the two sockets: one bound to 0.0.0.0:7, one to our address
    /// and an ephemeral port.
    pub enum Socket {
        /// 0.0.0.0:7.
        Bound,
        /// 198.51.100.1:ephemeral.
        Sender,
    }
}

encoded_struct! {
    /// A UDP send.
    pub struct SendOp {
        /// From this socket.
        pub socket: Socket,
        /// To this address.
        pub to: Addr,
        /// And port.
        pub port: Port,
        /// The payload.
        pub data: Data,
        /// Set Don't Fragment on the socket first.
        pub dont_frag: bool,
    }
}

encoded_struct! {
    /// An echo request sent with [`stack::host::Host::ping`].
    pub struct PingOp {
        /// To this address.
        pub to: Addr,
        /// The identifier.
        pub ident: u16,
        /// The sequence number.
        pub seq_no: u16,
        /// The data.
        pub data: Data,
    }
}

encoded_enum! {
    /// What to read.
    pub enum Read {
        /// One datagram (or error) from this socket.
        Socket(Socket),
        /// One echo reply.
        EchoReply,
        /// Everything waiting, everywhere.
        All,
    }
}

/// The whole input of the target: the host's configuration, then the steps.
pub type Scenario = crate::fuzz::Scenario<Setup, Op>;

impl crate::fuzz::ScenarioOp for Op {
    /// No limit: ops run until the bytes run out.
    const MAX_OPS: usize = usize::MAX;
}

impl Data {
    /// Return the bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.extend_into(&mut bytes);
        bytes
    }

    /// Append the bytes to `out` (the harness reuses one buffer).
    pub fn extend_into(&self, out: &mut Vec<u8>) {
        match self {
            Data::Bytes(bytes) => out.extend_from_slice(&bytes.0),
            Data::Pattern(p) => {
                let len = match p.big & 7 {
                    7 => usize::from(p.len),
                    _ => usize::from(p.len % 1024),
                };
                // Counting up from `start`, wrapping every 256 bytes: one
                // block, copied whole (a push per byte is an instrumented
                // call per byte under the fuzzer).
                let block: [u8; 256] = core::array::from_fn(|i| p.start.wrapping_add(i as u8));
                let mut left = len;
                while left > 0 {
                    let n = left.min(block.len());
                    out.extend_from_slice(&block[..n]);
                    left -= n;
                }
            }
        }
    }
}

impl Default for Setup {
    /// The defaults of [`stack::host::HostConfig`], with a gateway.
    fn default() -> Setup {
        Setup {
            seed: 0,
            mtu: Mtu::Ethernet,
            tx_queue: 0,
            error_burst: 7,
            echo_broadcast: false,
            reassembly_datagrams: 7,
            reassembly_kib: 0,
            arp_queue: 2,
            rx_queue: 7,
            gateway: true,
        }
    }
}
