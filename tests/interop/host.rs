//! The reference host's side: its application as phases, its driver in a namespace.

use core::net::SocketAddrV4;
use std::collections::VecDeque;
use std::io::{self, Write};
use std::net::TcpStream;

use stack::device::TapDevice;
use stack::host::{CallError, ConnHandle, Host, HostConfig, ListenerHandle};
use stack::tcp::{RecvError, SendError, Shutdown as TcpShutdown, State};
use stack::time::Instant;
use synack::realtime::Driver;
use synack::serve::ServeConfig;

use crate::streams::*;
use crate::*;

/// One thing the host's application does on its connection, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Take a connection from the listener.
    Accept(ListenerHandle),
    /// Connect and wait for ESTABLISHED.
    Connect(SocketAddrV4),
    /// Read to the end of the stream.
    Receive,
    /// Send the whole source.
    Send,
    /// shutdown(Write): a FIN after the data.
    ShutdownWrite,
    /// close().
    Close,
    /// abort(): a RST.
    Abort,
}

/// The host's side of one connection.
pub(crate) struct HostConn {
    pub(crate) phases: VecDeque<Phase>,
    pub(crate) conn: Option<ConnHandle>,
    pub(crate) source: Source,
    pub(crate) sink: Sink,
    /// The states the connection went through, each once.
    pub(crate) states: Vec<State>,
    /// The error that ended a phase early, if any.
    pub(crate) error: Option<String>,
    pub(crate) buffer: Vec<u8>,
}

impl HostConn {
    pub(crate) fn new(phases: &[Phase], source: Source) -> HostConn {
        HostConn {
            phases: phases.iter().copied().collect(),
            conn: None,
            source,
            sink: Sink::new(),
            states: Vec::new(),
            error: None,
            buffer: vec![0; CHUNK],
        }
    }

    pub(crate) fn done(&self) -> bool {
        self.phases.is_empty() || self.error.is_some()
    }

    /// Run the current phase as far as it goes this turn.
    pub(crate) fn poll(&mut self, host: &mut Host, now: Instant) {
        while let Some(&phase) = self.phases.front() {
            if let Some(conn) = self.conn {
                let state = host.tcp_state(conn).unwrap_or(State::Closed);
                if self.states.last() != Some(&state) {
                    self.states.push(state);
                }
            }
            match self.step(phase, host, now) {
                Ok(true) => {
                    self.phases.pop_front();
                }
                Ok(false) => return,
                Err(e) => {
                    self.error = Some(format!("{phase:?}: {e}"));
                    return;
                }
            }
        }
    }

    /// Run `phase`; return whether it is complete.
    pub(crate) fn step(
        &mut self,
        phase: Phase,
        host: &mut Host,
        now: Instant,
    ) -> Result<bool, String> {
        let conn = self.conn;
        let need = || conn.ok_or_else(|| "no connection".to_owned());
        match phase {
            Phase::Accept(listener) => Ok(match host.tcp_accept(listener) {
                Ok(conn) => {
                    self.conn = Some(conn);
                    true
                }
                Err(_) => false,
            }),
            Phase::Connect(remote) => {
                let conn = match conn {
                    Some(conn) => conn,
                    None => {
                        let conn = host.tcp_connect(now, remote, None, None);
                        *self.conn.insert(conn.map_err(|e| format!("{e:?}"))?)
                    }
                };
                match host.tcp_state(conn) {
                    Ok(State::SynSent | State::SynReceived) => Ok(false),
                    Ok(State::Established) => Ok(true),
                    other => Err(format!("connect ended in {other:?}")),
                }
            }
            Phase::Receive => self.receive(host, need()?),
            Phase::Send => self.send(host, now, need()?),
            Phase::ShutdownWrite => host
                .tcp_shutdown(need()?, TcpShutdown::Write)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
            Phase::Close => host
                .tcp_close(need()?)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
            Phase::Abort => host
                .tcp_abort(need()?)
                .map(|()| true)
                .map_err(|e| format!("{e:?}")),
        }
    }

    pub(crate) fn receive(&mut self, host: &mut Host, conn: ConnHandle) -> Result<bool, String> {
        for _ in 0..64 {
            match host.tcp_recv(conn, &mut self.buffer) {
                Ok(0) => return Ok(true),
                Ok(n) => self.sink.take(&self.buffer[..n]),
                Err(CallError::Tcp(RecvError::WouldBlock)) => return Ok(false),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
        Ok(false)
    }

    pub(crate) fn send(
        &mut self,
        host: &mut Host,
        now: Instant,
        conn: ConnHandle,
    ) -> Result<bool, String> {
        for _ in 0..64 {
            let data = self.source.pending();
            if data.is_empty() {
                return Ok(true);
            }
            match host.tcp_send(now, conn, data) {
                Ok(0) | Err(CallError::Tcp(SendError::WouldBlock)) => return Ok(false),
                Ok(n) => self.source.take(n),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
        Ok(false)
    }
}

pub(crate) use crate::common::in_namespace;

/// The reference host of `ServeConfig::default()` with `buffer`-byte TCP
/// buffers, on `tap`.
pub(crate) fn host_driver(tap: TapDevice, buffer: usize) -> Driver<TapDevice> {
    let mut config: HostConfig = ServeConfig::default().host();
    config.tcp.defaults.send_buffer = buffer;
    config.tcp.defaults.recv_buffer = buffer;
    Driver::on_tap(Host::new(config).unwrap(), tap).unwrap()
}

/// Run the host's `app` on its own thread while `kernel` runs on this one,
/// the host's loop giving up after [`HOST_DEADLINE`] (the shared harness
/// of `tests/common`, with the longer deadline 100 MiB transfers need).
pub(crate) fn beside_host<K>(
    driver: &mut Driver<TapDevice>,
    app: impl FnMut(&mut Host, Instant) -> bool + Send,
    kernel: impl FnOnce() -> K,
) -> K {
    crate::common::beside_host_within(driver, HOST_DEADLINE, app, kernel)
}

/// Print a figure past the test harness's capture.
pub(crate) fn figure(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// A kernel socket with both timeouts set.
pub(crate) fn bounded(stream: TcpStream) -> TcpStream {
    stream.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    stream.set_write_timeout(Some(KERNEL_WAIT)).unwrap();
    stream
}
