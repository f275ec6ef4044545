//! BSD socket calls on the reference host's TCP API.

use core::time::Duration;
use std::net::SocketAddrV4;

use stack::host::{ListenOptions, SocketErrno, SocketOption};
use stack::tcp::{Config as TcpConfig, Keepalive, SendFlags, Shutdown as TcpShutdown, State};
use stack::time::Instant;

use super::ReferenceTarget;
use crate::script::{Call, Config, Errno, Shutdown, SockOpt, TcpState};
use crate::target::{CallOutcome, SocketId, TargetError};

/// The backlog of a `listen` that names none (Linux's default SOMAXCONN is
/// 4096; the reference host's table caps it).
const DEFAULT_BACKLOG: usize = 128;

/// What a socket number stands for.
#[derive(Debug, Clone)]
pub(super) enum Socket {
    /// Made by a `bind` or a `setsockopt`, neither listening nor connected.
    Fresh {
        /// The local port `bind` chose, if any.
        port: Option<u16>,
        /// The configuration options set so far.
        config: TcpConfig,
    },
    /// A listener, and the configuration its connections start from.
    Listener(stack::host::ListenerHandle, TcpConfig),
    /// A connection, made by `connect` or `accept`, and the configuration
    /// its options were last set to (keep-alive timings build on it).
    Conn(stack::host::ConnHandle, TcpConfig),
    /// Closed by the application: the number names nothing any more.
    Closed,
}

/// Build the TCP configuration a script's `config` asks for.
pub(super) fn tcp_config(config: &Config) -> Result<TcpConfig, TargetError> {
    let mut tcp = TcpConfig {
        mss: config.mss,
        msl: config.msl,
        timestamps: config.timestamps,
        sack: config.sack,
        window_scaling: config.window_scaling,
        nodelay: config.nodelay,
        recv_buffer: config.rcv_buf as usize,
        send_buffer: config.snd_buf as usize,
        ..TcpConfig::default()
    };
    tcp.challenge_ack_limit = Some(config.challenge_ack_limit);
    tcp.rtt.initial_rto = config.rto_initial;
    tcp.rtt.min_rto = config.rto_min;
    // The script's default is the RFC 5681 3.1 rule, as on the linux target.
    tcp.congestion.initial_window = match config.initial_window {
        Some(segments) => stack::tcp::congestion::InitialWindow::Segments(segments as usize),
        None => stack::tcp::congestion::InitialWindow::Rfc5681,
    };
    tcp.validate()
        .map_err(|e| TargetError::Config(e.to_string()))?;
    Ok(tcp)
}

/// Turn a socket errno into the script's errno, by name.
fn errno(e: SocketErrno) -> Result<CallOutcome, TargetError> {
    Errno::from_name(e.name())
        .map(CallOutcome::Errno)
        .ok_or_else(|| TargetError::Failed(format!("errno {} has no name in scripts", e.name())))
}

/// The bytes a `write(n)` sends: a recognisable repeating pattern.
fn pattern(len: u32) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Make a socket call on the reference host.
pub(super) fn call(
    target: &mut ReferenceTarget,
    now: Instant,
    id: SocketId,
    call: &Call,
) -> Result<CallOutcome, TargetError> {
    let socket = target
        .sockets
        .entry(id)
        .or_insert_with(|| Socket::Fresh {
            port: None,
            config: target.tcp.clone(),
        })
        .clone();
    match (*call, socket) {
        (_, Socket::Closed) => errno(SocketErrno::EBADF),
        (Call::Bind { port, .. }, Socket::Fresh { config, .. }) => {
            target.sockets.insert(
                id,
                Socket::Fresh {
                    port: Some(port),
                    config,
                },
            );
            Ok(CallOutcome::Value(0))
        }
        (Call::Listen { port, backlog }, Socket::Fresh { config, .. }) => {
            listen(target, id, port, backlog, config)
        }
        (Call::Connect(remote), Socket::Fresh { port, config }) => {
            connect(target, now, id, remote, port, config)
        }
        (Call::Connect(_), Socket::Conn(..)) => errno(SocketErrno::EISCONN),
        (Call::Accept, Socket::Listener(listener, config)) => {
            match target.host.tcp_accept(listener) {
                Ok(conn) => {
                    let new = next_free(target, id);
                    target.sockets.insert(new, Socket::Conn(conn, config));
                    Ok(CallOutcome::Value(new))
                }
                Err(e) => errno(e.errno()),
            }
        }
        (Call::SetSockOpt(opt, value), socket) => set_option(target, now, id, socket, opt, value),
        (Call::Close, Socket::Listener(listener, _)) => {
            target.sockets.insert(id, Socket::Closed);
            match target.host.tcp_close_listener(listener) {
                Ok(()) => Ok(CallOutcome::Value(0)),
                Err(_) => errno(SocketErrno::EBADF),
            }
        }
        (Call::Close, Socket::Fresh { .. }) => {
            target.sockets.insert(id, Socket::Closed);
            Ok(CallOutcome::Value(0))
        }
        (_, Socket::Conn(conn, _)) => conn_call(target, now, id, conn, call),
        (call, _) => errno_for_wrong_socket(call),
    }
}

/// Make a `write` that sends `data`, or a `read` that returns its bytes in
/// `data`; other calls, and calls on a socket that is not a connection,
/// go the usual way.
pub(super) fn call_with_data(
    target: &mut ReferenceTarget,
    now: Instant,
    id: SocketId,
    call: &Call,
    data: &mut Vec<u8>,
) -> Result<CallOutcome, TargetError> {
    let Some(&Socket::Conn(conn, _)) = target.sockets.get(&id) else {
        return self::call(target, now, id, call);
    };
    let host = &mut target.host;
    let result = match *call {
        Call::Write { oob, .. } => {
            let flags = SendFlags {
                push: true,
                urgent: oob,
            };
            host.tcp_send_with(now, conn, data, flags)
                .map_err(|e| e.errno())
        }
        Call::Read { len, .. } => {
            data.clear();
            data.resize(len as usize, 0);
            let got = host.tcp_recv(conn, data).map_err(|e| e.errno());
            data.truncate(*got.as_ref().unwrap_or(&0));
            got
        }
        _ => return self::call(target, now, id, call),
    };
    match result {
        Ok(n) => Ok(CallOutcome::Value(n as u32)),
        Err(e) => errno(e),
    }
}

/// The errno of a call made on a socket that cannot take it.
fn errno_for_wrong_socket(call: Call) -> Result<CallOutcome, TargetError> {
    let e = match call {
        Call::Write { .. } => Errno::Epipe,
        Call::Read { .. } | Call::Shutdown(_) => Errno::Enotconn,
        _ => Errno::Einval,
    };
    Ok(CallOutcome::Errno(e))
}

/// The lowest socket number above `from` that the script has not used.
fn next_free(target: &ReferenceTarget, from: SocketId) -> SocketId {
    let mut id = from + 1;
    while target.sockets.contains_key(&id) {
        id += 1;
    }
    id
}

fn listen(
    target: &mut ReferenceTarget,
    id: SocketId,
    port: u16,
    backlog: Option<u32>,
    config: TcpConfig,
) -> Result<CallOutcome, TargetError> {
    let options = ListenOptions {
        backlog: backlog.map_or(DEFAULT_BACKLOG, |b| b as usize),
        remote: None,
        config: Some(config.clone()),
    };
    let local = SocketAddrV4::new(target.host.config().ipv4, port);
    match target.host.tcp_listen_with(local, options) {
        Ok(listener) => {
            target
                .sockets
                .insert(id, Socket::Listener(listener, config));
            Ok(CallOutcome::Value(0))
        }
        Err(e) => errno(e.errno()),
    }
}

fn connect(
    target: &mut ReferenceTarget,
    now: Instant,
    id: SocketId,
    remote: SocketAddrV4,
    port: Option<u16>,
    config: TcpConfig,
) -> Result<CallOutcome, TargetError> {
    let local = port.map(|p| SocketAddrV4::new(target.host.config().ipv4, p));
    match target
        .host
        .tcp_connect(now, remote, local, Some(config.clone()))
    {
        Ok(conn) => {
            target.sockets.insert(id, Socket::Conn(conn, config));
            // A non-blocking connect: the handshake is under way.
            Ok(CallOutcome::Errno(Errno::Einprogress))
        }
        Err(e) => errno(e.errno()),
    }
}

/// Calls on a connection.
fn conn_call(
    target: &mut ReferenceTarget,
    now: Instant,
    id: SocketId,
    conn: stack::host::ConnHandle,
    call: &Call,
) -> Result<CallOutcome, TargetError> {
    let host = &mut target.host;
    let result = match *call {
        Call::Write { len, oob } => {
            let flags = SendFlags {
                push: true,
                urgent: oob,
            };
            host.tcp_send_with(now, conn, &pattern(len), flags)
                .map(|n| n as u32)
                .map_err(|e| e.errno())
        }
        Call::Read { len, .. } => {
            let mut buf = vec![0; len as usize];
            host.tcp_recv(conn, &mut buf)
                .map(|n| n as u32)
                .map_err(|e| e.errno())
        }
        Call::Shutdown(how) => {
            let how = match how {
                Shutdown::Read => TcpShutdown::Read,
                Shutdown::Write => TcpShutdown::Write,
                Shutdown::Both => TcpShutdown::Both,
            };
            host.tcp_shutdown(conn, how)
                .map(|()| 0)
                .map_err(|e| e.errno())
        }
        Call::Close | Call::Abort => {
            let released = if *call == Call::Close {
                host.tcp_close(conn)
            } else {
                host.tcp_abort(conn)
            };
            // The number keeps naming the connection for `state` steps
            // until the host frees it; further calls on it are EBADF.
            target.sockets.insert(id, Socket::Closed);
            target.closed.insert(id, conn);
            released.map(|()| 0).map_err(|_| SocketErrno::EBADF)
        }
        Call::GetSockOpt(_) => return Err(TargetError::Unsupported("getsockopt".into())),
        Call::Bind { .. } | Call::Listen { .. } => Err(SocketErrno::Tcp(stack::tcp::Errno::EINVAL)),
        Call::Connect(_) => Err(SocketErrno::EISCONN),
        Call::Accept => Err(SocketErrno::Tcp(stack::tcp::Errno::EINVAL)),
        // Handled before a connection is looked at; kept total.
        Call::SetSockOpt(..) => Err(SocketErrno::Tcp(stack::tcp::Errno::EINVAL)),
    };
    match result {
        Ok(v) => Ok(CallOutcome::Value(v)),
        Err(e) => errno(e),
    }
}

/// `setsockopt`: on a fresh socket, into its configuration; on an open
/// connection, through the host (only options that may change then).
fn set_option(
    target: &mut ReferenceTarget,
    now: Instant,
    id: SocketId,
    socket: Socket,
    opt: SockOpt,
    value: u32,
) -> Result<CallOutcome, TargetError> {
    let mut socket = socket;
    let config = match &mut socket {
        Socket::Fresh { config, .. } | Socket::Listener(_, config) | Socket::Conn(_, config) => {
            config
        }
        Socket::Closed => return errno(SocketErrno::EBADF),
    };
    let Some(option) = socket_option(opt, value, config) else {
        return Err(TargetError::Unsupported(format!(
            "setsockopt({opt}) on the reference stack"
        )));
    };
    if option.apply(config).is_err() {
        return Ok(CallOutcome::Errno(Errno::Einval));
    }
    let applied = match &socket {
        Socket::Conn(conn, _) => target.host.tcp_set_option(now, *conn, option).is_ok(),
        Socket::Listener(listener, _) => target
            .host
            .tcp_set_listener_option(*listener, option)
            .is_ok(),
        _ => true,
    };
    if !applied {
        return Ok(CallOutcome::Errno(Errno::Einval));
    }
    target.sockets.insert(id, socket);
    Ok(CallOutcome::Value(0))
}

/// The host option a script's `setsockopt(opt, value)` means, given the
/// socket's configuration so far (keep-alive timings build on each other).
fn socket_option(opt: SockOpt, value: u32, config: &TcpConfig) -> Option<SocketOption> {
    let keepalive = config.keepalive.unwrap_or_default();
    let secs = |v: u32| Duration::from_secs(u64::from(v));
    Some(match opt {
        SockOpt::NoDelay => SocketOption::NoDelay(value != 0),
        SockOpt::KeepAlive => SocketOption::Keepalive((value != 0).then_some(keepalive)),
        SockOpt::KeepIdle => SocketOption::Keepalive(Some(Keepalive {
            idle: secs(value),
            ..keepalive
        })),
        SockOpt::KeepIntvl => SocketOption::Keepalive(Some(Keepalive {
            interval: secs(value),
            ..keepalive
        })),
        SockOpt::KeepCnt => SocketOption::Keepalive(Some(Keepalive {
            count: value,
            ..keepalive
        })),
        SockOpt::UserTimeout => {
            SocketOption::UserTimeout((value != 0).then(|| Duration::from_millis(u64::from(value))))
        }
        SockOpt::RcvBuf => SocketOption::RecvBuffer(value as usize),
        SockOpt::SndBuf => SocketOption::SendBuffer(value as usize),
        SockOpt::Linger | SockOpt::OobInline | SockOpt::ReuseAddr => return None,
    })
}

/// The TCP state of a socket number, as the script names it.
pub(super) fn state(target: &ReferenceTarget, id: SocketId) -> TcpState {
    let state = match target.sockets.get(&id) {
        None | Some(Socket::Fresh { .. }) => State::Closed,
        Some(Socket::Listener(..)) => State::Listen,
        Some(Socket::Conn(conn, _)) => target.host.tcp_state(*conn).unwrap_or(State::Closed),
        Some(Socket::Closed) => target
            .closed
            .get(&id)
            .and_then(|conn| target.host.tcp_state(*conn).ok())
            .unwrap_or(State::Closed),
    };
    script_state(state)
}

/// Name an engine state as scripts do.
fn script_state(state: State) -> TcpState {
    match state {
        State::Closed => TcpState::Closed,
        State::Listen => TcpState::Listen,
        State::SynSent => TcpState::SynSent,
        State::SynReceived => TcpState::SynReceived,
        State::Established => TcpState::Established,
        State::FinWait1 => TcpState::FinWait1,
        State::FinWait2 => TcpState::FinWait2,
        State::CloseWait => TcpState::CloseWait,
        State::Closing => TcpState::Closing,
        State::LastAck => TcpState::LastAck,
        State::TimeWait => TcpState::TimeWait,
    }
}
