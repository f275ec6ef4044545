//! The kernel's TCP states, read from `/proc/thread-self/net/tcp` on the
//! namespace's own thread (the file shows the reader's namespace), and
//! mapped to RFC 9293 names.
//!
//! Each line is one socket: `sl local rem st ...`, addresses as the raw
//! 32-bit word in hex (so in the machine's byte order) and ports in hex, the
//! state as the kernel's `TCP_*` number (include/net/tcp_states.h). A
//! connection still in the SYN queue (a request socket, `TCP_NEW_SYN_RECV`)
//! is printed as `TCP_SYN_RECV`; a TIME-WAIT mini-socket as `TCP_TIME_WAIT`.

use core::net::{Ipv4Addr, SocketAddrV4};
use std::io;

use crate::script::TcpState;

/// Where the namespace's TCP sockets are listed.
pub const PROC_NET_TCP: &str = "/proc/thread-self/net/tcp";

/// One line of `/proc/net/tcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The local address and port.
    pub local: SocketAddrV4,
    /// The remote address and port (0.0.0.0:0 for a listener).
    pub remote: SocketAddrV4,
    /// The state, by its RFC name.
    pub state: TcpState,
}

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

/// Parse `0164337C6:1F90`-style `address:port`.
fn endpoint(text: &str) -> Option<SocketAddrV4> {
    let (addr, port) = text.split_once(':')?;
    let raw = u32::from_str_radix(addr, 16).ok()?;
    let port = u16::from_str_radix(port, 16).ok()?;
    // The kernel prints the network-order word as a native integer.
    Some(SocketAddrV4::new(Ipv4Addr::from(raw.to_ne_bytes()), port))
}

/// Parse one line of the table; `None` for the header or a line that does
/// not parse.
pub fn parse_line(line: &str) -> Option<Entry> {
    let mut fields = line.split_whitespace().skip(1);
    let local = endpoint(fields.next()?)?;
    let remote = endpoint(fields.next()?)?;
    let state = rfc_state(u8::from_str_radix(fields.next()?, 16).ok()?)?;
    Some(Entry {
        local,
        remote,
        state,
    })
}

/// Parse the whole table.
pub fn parse(text: &str) -> Vec<Entry> {
    text.lines().skip(1).filter_map(parse_line).collect()
}

/// Read the table of the calling thread's namespace.
pub fn read() -> io::Result<Vec<Entry>> {
    Ok(parse(&std::fs::read_to_string(PROC_NET_TCP)?))
}

/// Return the state of the connection `local` ↔ `remote`: a live socket
/// before a TIME-WAIT one of the same ports, `CLOSED` when there is none.
pub fn of_connection(table: &[Entry], local: SocketAddrV4, remote: SocketAddrV4) -> TcpState {
    let mut found = table
        .iter()
        .filter(|e| e.local == local && e.remote == remote)
        .map(|e| e.state);
    let first = found.next();
    match first {
        Some(TcpState::TimeWait) => found.next().unwrap_or(TcpState::TimeWait),
        Some(state) => state,
        None => TcpState::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table as a namespace printed it: a listener on 8080, a connection
    /// in the SYN queue, one established, one in TIME-WAIT.
    const TABLE: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 016433C6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 016433C6:1F90 026433C6:9C40 03 00000000:00000000 02:00000064 00000000     0        0 0 1 0000000000000000
   2: 016433C6:1F90 026433C6:9C41 01 00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 20 4 30 10 -1
   3: 016433C6:8000 026433C6:9C40 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
";

    fn addr(last: u8, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, last), port)
    }

    #[test]
    fn parses_addresses_ports_and_states() {
        if cfg!(target_endian = "big") {
            return; // The sample was printed by a little-endian machine.
        }
        let table = parse(TABLE);
        assert_eq!(table.len(), 4);
        assert_eq!(table[0].local, addr(1, 8080));
        assert_eq!(table[0].remote, SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0));
        assert_eq!(table[0].state, TcpState::Listen);
        assert_eq!(table[1].remote, addr(2, 40000));
        assert_eq!(table[1].state, TcpState::SynReceived);
        assert_eq!(table[2].state, TcpState::Established);
        assert_eq!(table[3].state, TcpState::TimeWait);
    }

    #[test]
    fn connection_state_by_address_pair() {
        if cfg!(target_endian = "big") {
            return;
        }
        let table = parse(TABLE);
        assert_eq!(
            of_connection(&table, addr(1, 8080), addr(2, 40001)),
            TcpState::Established
        );
        assert_eq!(
            of_connection(&table, addr(1, 0x8000), addr(2, 40000)),
            TcpState::TimeWait
        );
        assert_eq!(
            of_connection(&table, addr(1, 9), addr(2, 40000)),
            TcpState::Closed
        );
    }

    #[test]
    fn every_kernel_state_has_an_rfc_name() {
        for number in 1..=12 {
            assert!(rfc_state(number).is_some(), "state {number}");
        }
        assert_eq!(rfc_state(0), None);
        assert_eq!(rfc_state(13), None); // TCP_BOUND_INACTIVE is never listed.
        assert_eq!(parse_line("garbage"), None);
        assert_eq!(parse_line("0: 016433C6 026433C6:0001 01"), None);
    }
}
