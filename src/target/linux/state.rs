//! The kernel's TCP states, asked of sock_diag (netlink, `NETLINK_SOCK_DIAG`)
//! one connection at a time, and mapped to RFC 9293 names.
//!
//! A request without `NLM_F_DUMP` names one connection by its address pair;
//! the kernel finds it with a hash lookup (`inet_diag_find_one_icsk`), so a
//! query costs microseconds. Reading `/proc/net/tcp` instead walks every
//! bucket of the established hash table, which a namespace shares with the
//! host: milliseconds on a large machine, long enough to make the runner
//! late for a step. The netlink socket is made on the namespace's thread,
//! so it asks about that namespace only.
//!
//! The lookup falls back to a listener on the local port when no
//! connection matches (`inet_lookup`); an answer whose remote port is not
//! the one asked for is therefore "no such connection": `CLOSED`.

use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;
use std::io;
use std::os::fd::AsRawFd;

use nix::libc;
use nix::sys::socket::{self as nixsock, MsgFlags};
use socket2::{Domain, Protocol, Socket, Type};

use crate::script::TcpState;

/// `SOCK_DIAG_BY_FAMILY` (linux/sock_diag.h).
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NLMSG_ERROR` (linux/netlink.h).
const NLMSG_ERROR: u16 = 2;
/// `NLM_F_REQUEST`.
const NLM_F_REQUEST: u16 = 1;
/// The length of `struct nlmsghdr`.
const NLMSG_HDR_LEN: usize = 16;
/// The length of `struct inet_diag_req_v2`.
const REQ_LEN: usize = 56;
/// Where `struct inet_diag_sockid` starts in an answer's `inet_diag_msg`.
const MSG_ID: usize = 4;
/// How long to wait for the kernel's answer (it comes at once).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(1);

/// Map a kernel `TCP_*` state number to its RFC 9293 name.
pub fn rfc_state(number: u8) -> Option<TcpState> {
    // include/net/tcp_states.h
    Some(match number {
        1 => TcpState::Established,
        2 => TcpState::SynSent,
        3 | 12 => TcpState::SynReceived, // TCP_SYN_RECV, TCP_NEW_SYN_RECV
        4 => TcpState::FinWait1,
        5 => TcpState::FinWait2,
        6 => TcpState::TimeWait,
        7 => TcpState::Closed,
        8 => TcpState::CloseWait,
        9 => TcpState::LastAck,
        10 => TcpState::Listen,
        11 => TcpState::Closing,
        _ => return None,
    })
}

/// Build the request for the connection `local` ↔ `remote`.
pub fn request(local: SocketAddrV4, remote: SocketAddrV4, seq: u32) -> Vec<u8> {
    let mut msg = Vec::with_capacity(NLMSG_HDR_LEN + REQ_LEN);
    // struct nlmsghdr, in the machine's byte order.
    msg.extend_from_slice(&((NLMSG_HDR_LEN + REQ_LEN) as u32).to_ne_bytes());
    msg.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    msg.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    msg.extend_from_slice(&seq.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    // struct inet_diag_req_v2: family, protocol, ext, pad, states.
    msg.extend_from_slice(&[libc::AF_INET as u8, libc::IPPROTO_TCP as u8, 0, 0]);
    msg.extend_from_slice(&u32::MAX.to_ne_bytes());
    // struct inet_diag_sockid: ports and addresses in network order.
    msg.extend_from_slice(&local.port().to_be_bytes());
    msg.extend_from_slice(&remote.port().to_be_bytes());
    for addr in [local.ip(), remote.ip()] {
        msg.extend_from_slice(&addr.octets());
        msg.extend_from_slice(&[0; 12]);
    }
    msg.extend_from_slice(&0u32.to_ne_bytes()); // any interface
    msg.extend_from_slice(&[0xff; 8]); // INET_DIAG_NOCOOKIE
    msg
}

/// What the kernel said about one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The socket's local address and port.
    pub local: SocketAddrV4,
    /// Its remote address and port (0.0.0.0:0 for a listener).
    pub remote: SocketAddrV4,
    /// Its state, as the kernel numbers it.
    pub state: u8,
}

/// Read an endpoint of a `struct inet_diag_sockid` at `id`.
fn endpoint(bytes: &[u8], id: usize, remote: bool) -> Option<SocketAddrV4> {
    let port_at = id + if remote { 2 } else { 0 };
    let addr_at = id + if remote { 20 } else { 4 };
    let port = u16::from_be_bytes(bytes.get(port_at..port_at + 2)?.try_into().ok()?);
    let addr: [u8; 4] = bytes.get(addr_at..addr_at + 4)?.try_into().ok()?;
    Some(SocketAddrV4::new(Ipv4Addr::from(addr), port))
}

/// Parse the kernel's answer: `Ok(None)` when there is no such socket.
pub fn parse_answer(bytes: &[u8]) -> io::Result<Option<Found>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let header = bytes
        .get(..NLMSG_HDR_LEN)
        .ok_or_else(|| bad("sock_diag answer shorter than a netlink header"))?;
    let kind = u16::from_ne_bytes([header[4], header[5]]);
    let body = &bytes[NLMSG_HDR_LEN..];
    match kind {
        NLMSG_ERROR => {
            let code = body
                .get(..4)
                .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| bad("truncated netlink error"))?;
            if code == -libc::ENOENT {
                Ok(None)
            } else {
                Err(io::Error::from_raw_os_error(-code))
            }
        }
        SOCK_DIAG_BY_FAMILY => {
            let state = *body.get(1).ok_or_else(|| bad("truncated inet_diag_msg"))?;
            let local = endpoint(body, MSG_ID, false);
            let remote = endpoint(body, MSG_ID, true);
            match local.zip(remote) {
                Some((local, remote)) => Ok(Some(Found {
                    local,
                    remote,
                    state,
                })),
                None => Err(bad("truncated inet_diag_sockid")),
            }
        }
        other => Err(bad(&format!("unexpected netlink message type {other}"))),
    }
}

/// A sock_diag socket in the namespace it was made in.
#[derive(Debug)]
pub struct Diag {
    socket: Socket,
    seq: u32,
}

impl Diag {
    /// Open the socket; call it on the namespace's thread.
    pub fn open() -> io::Result<Diag> {
        let socket = Socket::new(
            Domain::from(libc::AF_NETLINK),
            Type::DGRAM,
            Some(Protocol::from(libc::NETLINK_SOCK_DIAG)),
        )?;
        socket.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        Ok(Diag { socket, seq: 0 })
    }

    /// Return the state of the connection `local` ↔ `remote`, `CLOSED`
    /// when the kernel has none.
    pub fn state(&mut self, local: SocketAddrV4, remote: SocketAddrV4) -> io::Result<TcpState> {
        self.seq = self.seq.wrapping_add(1);
        // With no address, a netlink message goes to the kernel.
        self.socket.send(&request(local, remote, self.seq))?;
        let mut buffer = [0u8; 1024];
        let len = nixsock::recv(self.socket.as_raw_fd(), &mut buffer, MsgFlags::empty())
            .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
        let found = parse_answer(&buffer[..len])?;
        Ok(match found {
            // A listener answers for a port with no such connection.
            Some(f) if f.remote == remote => rfc_state(f.state).unwrap_or(TcpState::Closed),
            _ => TcpState::Closed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `struct inet_diag_sockid` starts in a request's `inet_diag_req_v2`.
    const REQ_ID: usize = 8;

    fn addr(last: u8, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, last), port)
    }

    #[test]
    fn request_names_the_connection_in_network_order() {
        let msg = request(addr(1, 8080), addr(2, 40000), 7);
        assert_eq!(msg.len(), 72);
        assert_eq!(u32::from_ne_bytes(msg[0..4].try_into().unwrap()), 72);
        assert_eq!(u16::from_ne_bytes([msg[4], msg[5]]), SOCK_DIAG_BY_FAMILY);
        assert_eq!(u16::from_ne_bytes([msg[6], msg[7]]), NLM_F_REQUEST);
        let id = NLMSG_HDR_LEN + REQ_ID;
        assert_eq!(&msg[id..id + 4], &[0x1f, 0x90, 0x9c, 0x40]);
        assert_eq!(&msg[id + 4..id + 8], &[198, 51, 100, 1]);
        assert_eq!(&msg[id + 20..id + 24], &[198, 51, 100, 2]);
        assert_eq!(&msg[64..72], &[0xff; 8]);
    }

    /// An answer as the kernel builds it: header, then `inet_diag_msg`.
    fn answer(state: u8, local: SocketAddrV4, remote: SocketAddrV4) -> Vec<u8> {
        let mut msg = vec![0; NLMSG_HDR_LEN];
        msg[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        msg.extend_from_slice(&[2, state, 0, 0]);
        let req = request(local, remote, 0);
        msg.extend_from_slice(&req[NLMSG_HDR_LEN + REQ_ID..]);
        msg.extend_from_slice(&[0; 20]);
        msg
    }

    #[test]
    fn answers_parse_to_the_socket_and_its_state() {
        let found = parse_answer(&answer(6, addr(1, 8080), addr(2, 40000))).unwrap();
        assert_eq!(
            found,
            Some(Found {
                local: addr(1, 8080),
                remote: addr(2, 40000),
                state: 6
            })
        );
        let mut missing = vec![0; NLMSG_HDR_LEN];
        missing[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        missing.extend_from_slice(&(-libc::ENOENT).to_ne_bytes());
        assert_eq!(parse_answer(&missing).unwrap(), None);
        let mut denied = missing.clone();
        denied[16..20].copy_from_slice(&(-libc::EPERM).to_ne_bytes());
        assert!(parse_answer(&denied).is_err());
        assert!(parse_answer(&[0; 8]).is_err());
        assert!(parse_answer(&answer(1, addr(1, 1), addr(2, 2))[..30]).is_err());
    }

    #[test]
    fn every_kernel_state_has_an_rfc_name() {
        for number in 1..=12 {
            assert!(rfc_state(number).is_some(), "state {number}");
        }
        assert_eq!(rfc_state(12), Some(TcpState::SynReceived));
        assert_eq!(rfc_state(0), None);
        assert_eq!(rfc_state(13), None); // TCP_BOUND_INACTIVE is never a connection.
    }
}
