//! The host's TCP socket calls: handle-based, sans-IO, BSD in spirit.
//!
//! A [`ConnHandle`] or [`ListenerHandle`] is a slot and a generation, so a
//! handle kept after `tcp_close` never reaches a later socket. Queries
//! (`tcp_state`, `tcp_status`, addresses) work on any connection the host
//! holds, including one still in a listener's queues; the calls that act
//! (`tcp_send`, `tcp_recv`, `tcp_close`, ...) need a connection the
//! application owns: one it connected or accepted and has not closed.

use core::net::SocketAddrV4;
use core::time::Duration;

use super::config::{OptionError, SocketOption};
use super::error::{AcceptError, CallError, ConnectError, ListenError};
use super::listener::{ListenOptions, Listener, ListenerHandle};
use super::names_a_host;
use super::table::{ConnHandle, Entry, Owner, TcpTableStats};
use crate::host::udp::BadHandle;
use crate::host::Host;
use crate::tcp::{
    CloseError, Config, Connection, FourTuple, Keepalive, RecvError, SendError, SendFlags,
    Shutdown, State, Status, TcpEvent,
};
use crate::time::Instant;

impl Host {
    /// Passive OPEN (RFC 9293 3.10.1): listen on `local` (our address or
    /// 0.0.0.0, and a port, or 0 for an ephemeral one) with `backlog`.
    pub fn tcp_listen(
        &mut self,
        local: SocketAddrV4,
        backlog: usize,
    ) -> Result<ListenerHandle, ListenError> {
        let options = ListenOptions {
            backlog,
            ..ListenOptions::default()
        };
        self.tcp_listen_with(local, options)
    }

    /// Passive OPEN with a remote filter or a configuration of its own.
    ///
    /// Listeners clash only with a listener of the same local address,
    /// port and remote filter (MUST-42: several on one port otherwise);
    /// connections on the port, TIME-WAIT ones included, never clash
    /// (`SO_REUSEADDR` semantics).
    pub fn tcp_listen_with(
        &mut self,
        local: SocketAddrV4,
        options: ListenOptions,
    ) -> Result<ListenerHandle, ListenError> {
        let addr = *local.ip();
        if !addr.is_unspecified() && addr != self.config.ipv4 {
            return Err(ListenError::AddrNotAvailable);
        }
        let tcp = &mut self.tcp;
        if tcp.listeners.len() >= tcp.config.max_listeners {
            return Err(ListenError::TooManyListeners);
        }
        let config = options
            .config
            .unwrap_or_else(|| tcp.config.defaults.clone());
        config.validate().map_err(ListenError::Config)?;
        let port = match local.port() {
            0 => tcp
                .listeners
                .ephemeral_port(addr)
                .ok_or(ListenError::NoEphemeralPort)?,
            port => port,
        };
        let local = SocketAddrV4::new(addr, port);
        if tcp.listeners.clashes(local, options.remote) {
            return Err(ListenError::AddrInUse);
        }
        Ok(tcp.listeners.insert(Listener {
            local,
            remote: options.remote,
            backlog: options.backlog.clamp(1, tcp.config.max_backlog),
            config,
            tos: 0,
            syn_queue: Vec::new(),
            accept_queue: Default::default(),
        }))
    }

    /// Return the oldest connection that completed its handshake on the
    /// listener; the application owns it from now on.
    pub fn tcp_accept(&mut self, listener: ListenerHandle) -> Result<ConnHandle, AcceptError> {
        let tcp = &mut self.tcp;
        let queue = &mut tcp
            .listeners
            .get_mut(listener)
            .ok_or(AcceptError::BadHandle)?
            .accept_queue;
        let handle = queue.pop_front().ok_or(AcceptError::WouldBlock)?;
        if let Some(entry) = tcp.table.get_mut(handle) {
            entry.owner = Owner::App;
        }
        Ok(handle)
    }

    /// Close a listener. Connections in its queues are aborted (ABORT, RFC
    /// 9293 3.10.5: a RST to the peer of each, SYN-RECEIVED included);
    /// accepted ones are not touched.
    pub fn tcp_close_listener(&mut self, listener: ListenerHandle) -> Result<(), BadHandle> {
        let listener = self.tcp.listeners.remove(listener).ok_or(BadHandle)?;
        let queued = listener.syn_queue.iter().chain(&listener.accept_queue);
        for &handle in queued {
            if let Some(entry) = self.tcp.table.get_mut(handle) {
                entry.conn.abort();
                entry.owner = Owner::Nobody;
                self.tcp.table.settle(handle);
            }
        }
        Ok(())
    }

    /// Return the listener's local address.
    pub fn tcp_listener_addr(&self, listener: ListenerHandle) -> Result<SocketAddrV4, BadHandle> {
        self.tcp
            .listeners
            .get(listener)
            .map(|l| l.local)
            .ok_or(BadHandle)
    }

    /// Return the lengths of the listener's SYN queue and accept queue.
    pub fn tcp_listener_queues(
        &self,
        listener: ListenerHandle,
    ) -> Result<(usize, usize), BadHandle> {
        let l = self.tcp.listeners.get(listener).ok_or(BadHandle)?;
        Ok((l.syn_queue.len(), l.accept_queue.len()))
    }

    /// Set an option on the listener: the connections it makes from now on
    /// start with it.
    pub fn tcp_set_listener_option(
        &mut self,
        listener: ListenerHandle,
        option: SocketOption,
    ) -> Result<(), OptionError> {
        let l = self
            .tcp
            .listeners
            .get_mut(listener)
            .ok_or(OptionError::BadHandle)?;
        if let SocketOption::Tos(tos) = option {
            l.tos = tos;
        }
        option.apply(&mut l.config)
    }

    /// Active OPEN (RFC 9293 3.10.1) to `remote`, from `local` (our address
    /// or 0.0.0.0, MUST-43; port 0 or `None` for an ephemeral port, RFC 6056
    /// Algorithm 3, see [`ports`](super::ports)), with `config` or the
    /// host's defaults. The SYN leaves at the next `poll_transmit`.
    pub fn tcp_connect(
        &mut self,
        now: Instant,
        remote: SocketAddrV4,
        local: Option<SocketAddrV4>,
        config: Option<Config>,
    ) -> Result<ConnHandle, ConnectError> {
        self.check_remote(remote)?;
        let ours = self.config.ipv4;
        let local = local.unwrap_or(SocketAddrV4::new(ours, 0));
        if !local.ip().is_unspecified() && *local.ip() != ours {
            return Err(ConnectError::AddrNotAvailable);
        }
        let mut config = config.unwrap_or_else(|| self.tcp.config.defaults.clone());
        config.mss = config.mss.min(self.link_mss());
        config.validate().map_err(ConnectError::Config)?;
        let tcp = &mut self.tcp;
        if tcp.table.len() >= tcp.config.max_connections {
            return Err(ConnectError::TooManyConnections);
        }
        let tuple = |port| FourTuple {
            local: SocketAddrV4::new(ours, port),
            remote,
        };
        let (table, listeners) = (&tcp.table, &tcp.listeners);
        let free = |port: u16| !table.holds(&tuple(port)) && !listeners.holds(ours, port);
        let port = match local.port() {
            0 => tcp
                .ports
                .pick(ours, remote, free)
                .ok_or(ConnectError::NoEphemeralPort)?,
            port if free(port) => port,
            _ => return Err(ConnectError::AddrInUse),
        };
        let seeds = tcp.seeds(now, tuple(port));
        let conn =
            Connection::connect(now, config, tuple(port), seeds).map_err(ConnectError::Config)?;
        let handle = tcp.table.insert(conn, Owner::App, 0);
        tcp.settle(handle);
        Ok(handle)
    }

    /// MUST-46: refuse an OPEN to a broadcast or multicast address, or one
    /// that names no single host.
    fn check_remote(&self, remote: SocketAddrV4) -> Result<(), ConnectError> {
        let ip = *remote.ip();
        if remote.port() == 0
            || !names_a_host(ip)
            || self.is_broadcast(ip)
            || ip == self.config.ipv4
        {
            return Err(ConnectError::InvalidRemote);
        }
        if !self.has_route(ip) {
            return Err(ConnectError::NoRoute);
        }
        Ok(())
    }

    /// Return the application's connection, settled after `f` ran on it.
    fn with_conn<T, E>(
        &mut self,
        handle: ConnHandle,
        f: impl FnOnce(&mut Entry) -> Result<T, E>,
    ) -> Result<T, CallError<E>> {
        let entry = match self.tcp.table.get_mut(handle) {
            Some(entry) if entry.owner == Owner::App => entry,
            _ => return Err(CallError::BadHandle),
        };
        let result = f(entry);
        self.tcp.settle(handle);
        result.map_err(CallError::Tcp)
    }

    /// Return a connection the host holds, whoever owns it.
    fn conn(&self, handle: ConnHandle) -> Result<&Connection, BadHandle> {
        self.tcp.table.get(handle).map(|e| &e.conn).ok_or(BadHandle)
    }

    /// SEND with PUSH: queue as much of `data` as the send buffer takes.
    pub fn tcp_send(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        data: &[u8],
    ) -> Result<usize, CallError<SendError>> {
        self.with_conn(handle, |e| e.conn.send(now, data))
    }

    /// SEND with explicit PUSH and URGENT flags (MAY-15, MUST-30).
    pub fn tcp_send_with(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        data: &[u8],
        flags: SendFlags,
    ) -> Result<usize, CallError<SendError>> {
        self.with_conn(handle, |e| e.conn.send_with(now, data, flags))
    }

    /// RECEIVE: copy in-order data into `buf`; `Ok(0)` is the end of the stream.
    pub fn tcp_recv(
        &mut self,
        handle: ConnHandle,
        buf: &mut [u8],
    ) -> Result<usize, CallError<RecvError>> {
        self.with_conn(handle, |e| e.conn.recv(buf))
    }

    /// Shut down reading, writing (a FIN, MAY-1) or both; the handle stays.
    pub fn tcp_shutdown(
        &mut self,
        handle: ConnHandle,
        how: Shutdown,
    ) -> Result<(), CallError<CloseError>> {
        self.with_conn(handle, |e| e.conn.shutdown(how))
    }

    /// `close()`: CLOSE (a FIN after the queued data, or a RST if unread
    /// data is lost, SHLD-3), and give up the handle. The connection lives
    /// on through FIN-WAIT and TIME-WAIT, then is freed.
    pub fn tcp_close(&mut self, handle: ConnHandle) -> Result<(), BadHandle> {
        self.release(handle, |conn| {
            // An error here only says the connection had already ended.
            let _ = conn.close();
        })
    }

    /// ABORT (RFC 9293 3.10.5): a RST from a synchronized state, CLOSED at
    /// once, and the handle given up.
    pub fn tcp_abort(&mut self, handle: ConnHandle) -> Result<(), BadHandle> {
        self.release(handle, Connection::abort)
    }

    fn release(
        &mut self,
        handle: ConnHandle,
        f: impl FnOnce(&mut Connection),
    ) -> Result<(), BadHandle> {
        self.with_conn(handle, |e| {
            f(&mut e.conn);
            e.owner = Owner::Nobody;
            Ok::<(), ()>(())
        })
        .map_err(|_| BadHandle)
    }

    /// STATUS (RFC 9293 3.10.6).
    pub fn tcp_status(&self, handle: ConnHandle) -> Result<Status, BadHandle> {
        self.conn(handle).map(Connection::status)
    }

    /// Return the room left in the connection's send buffer (0 once it
    /// can send no more): a readiness check, cheaper than a whole
    /// [`tcp_status`](Self::tcp_status).
    pub fn tcp_send_room(&self, handle: ConnHandle) -> Result<usize, BadHandle> {
        self.conn(handle).map(Connection::send_room)
    }

    /// Return the in-order bytes ready to read: a readiness check, cheaper
    /// than a whole [`tcp_status`](Self::tcp_status).
    pub fn tcp_recv_queued(&self, handle: ConnHandle) -> Result<usize, BadHandle> {
        self.conn(handle).map(Connection::recv_queued)
    }

    /// Return the connection's state.
    pub fn tcp_state(&self, handle: ConnHandle) -> Result<State, BadHandle> {
        self.conn(handle).map(Connection::state)
    }

    /// Return the connection's local address: the SYN's destination for a
    /// passive one (MUST-44).
    pub fn tcp_local_addr(&self, handle: ConnHandle) -> Result<SocketAddrV4, BadHandle> {
        self.conn(handle).map(|c| c.tuple().local)
    }

    /// Return the connection's remote address.
    pub fn tcp_peer_addr(&self, handle: ConnHandle) -> Result<SocketAddrV4, BadHandle> {
        self.conn(handle).map(|c| c.tuple().remote)
    }

    /// Return the Type of Service octet of the last datagram received on
    /// the connection (MAY-9: received Diffserv passed up).
    pub fn tcp_received_tos(&self, handle: ConnHandle) -> Result<Option<u8>, BadHandle> {
        self.tcp
            .table
            .get(handle)
            .map(|e| e.rx_tos)
            .ok_or(BadHandle)
    }

    /// Return the application's next event on the connection.
    pub fn tcp_poll_event(&mut self, handle: ConnHandle) -> Result<Option<TcpEvent>, BadHandle> {
        self.with_conn(handle, |e| Ok::<_, ()>(e.conn.poll_event()))
            .map_err(|_| BadHandle)
    }

    /// Set an option on an open connection; only those of
    /// [`SocketOption::settable_when_open`] are taken.
    pub fn tcp_set_option(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        option: SocketOption,
    ) -> Result<(), OptionError> {
        let result = self.with_conn(handle, |e| {
            if !option.settable_when_open() {
                return Err(OptionError::FixedWhenOpen);
            }
            option.apply(&mut e.conn.config().clone())?;
            match option {
                SocketOption::NoDelay(on) => e.conn.set_nodelay(on),
                SocketOption::Keepalive(ka) => e.conn.set_keepalive(now, ka),
                SocketOption::UserTimeout(t) => e.conn.set_user_timeout(t),
                SocketOption::Tos(tos) => e.tos = tos,
                _ => {}
            }
            Ok(())
        });
        result.map_err(|err| match err {
            CallError::BadHandle => OptionError::BadHandle,
            CallError::Tcp(err) => err,
        })
    }

    /// `TCP_NODELAY` (MUST-17).
    pub fn tcp_set_nodelay(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        on: bool,
    ) -> Result<(), OptionError> {
        self.tcp_set_option(now, handle, SocketOption::NoDelay(on))
    }

    /// `SO_KEEPALIVE` and its timings (MUST-24).
    pub fn tcp_set_keepalive(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        keepalive: Option<Keepalive>,
    ) -> Result<(), OptionError> {
        self.tcp_set_option(now, handle, SocketOption::Keepalive(keepalive))
    }

    /// `TCP_USER_TIMEOUT` (MUST-21).
    pub fn tcp_set_user_timeout(
        &mut self,
        now: Instant,
        handle: ConnHandle,
        timeout: Option<Duration>,
    ) -> Result<(), OptionError> {
        self.tcp_set_option(now, handle, SocketOption::UserTimeout(timeout))
    }

    /// Return what the connection table holds.
    pub fn tcp_table_stats(&self) -> TcpTableStats {
        TcpTableStats {
            listeners: self.tcp.listeners.len(),
            ..self.tcp.table.stats()
        }
    }
}
