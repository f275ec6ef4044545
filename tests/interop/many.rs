//! 100 concurrent connections from the kernel, echoed by the host.

use core::net::SocketAddrV4;
use std::net::{Shutdown, TcpStream};

use stack::host::{CallError, ConnHandle, Host, ListenerHandle};
use stack::tcp::{RecvError, State};
use stack::time::Instant;
use synack::serve::HOST_ADDR;

use crate::host::*;
use crate::streams::*;
use crate::*;

/// The kernel's connections in [`a_hundred_concurrent_connections_are_echoed`].
const CONNECTIONS: usize = 100;
/// The bytes each of them sends.
const ECHO_BYTES: u64 = 20_000;

/// The host's echo of many connections: each one reads to the end of the
/// stream, sends back what it read, and closes.
struct EchoMany {
    listener: ListenerHandle,
    conns: Vec<(ConnHandle, Vec<u8>, bool)>,
    closed: usize,
    errors: Vec<String>,
}

impl EchoMany {
    fn poll(&mut self, host: &mut Host, now: Instant) {
        while let Ok(conn) = host.tcp_accept(self.listener) {
            self.conns.push((conn, Vec::new(), false));
        }
        let mut buffer = [0; 4096];
        for (conn, pending, closed) in self.conns.iter_mut().filter(|c| !c.2) {
            loop {
                match host.tcp_recv(*conn, &mut buffer) {
                    Ok(0) => break,
                    Ok(n) => pending.extend_from_slice(&buffer[..n]),
                    Err(CallError::Tcp(RecvError::WouldBlock)) => break,
                    Err(e) => {
                        self.errors.push(format!("{e:?}"));
                        break;
                    }
                }
            }
            if let Ok(n) = host.tcp_send(now, *conn, pending) {
                pending.drain(..n);
            }
            let eof = host.tcp_state(*conn) == Ok(State::CloseWait);
            if eof && pending.is_empty() {
                let _ = host.tcp_close(*conn);
                *closed = true;
                self.closed += 1;
            }
        }
    }
}

#[test]
fn a_hundred_concurrent_connections_are_echoed() {
    let run = in_namespace("a_hundred_concurrent_connections_are_echoed", |tap| {
        let mut driver = host_driver(tap, 64 * 1024);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 128).unwrap();
        let mut echo = EchoMany {
            listener,
            conns: Vec::new(),
            closed: 0,
            errors: Vec::new(),
        };
        let echoed = beside_host(
            &mut driver,
            |h, now| {
                echo.poll(h, now);
                echo.closed == CONNECTIONS
            },
            || {
                // Every connection is open before any sends: all at once.
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT).into();
                let streams: Vec<TcpStream> = (0..CONNECTIONS)
                    .map(|_| bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap()))
                    .collect();
                std::thread::scope(|s| {
                    let each = streams.into_iter().enumerate().map(|(i, mut stream)| {
                        s.spawn(move || {
                            let mut source = Source::new(ECHO_BYTES, 100 + i as u64);
                            kernel_send(&mut stream, &mut source);
                            stream.shutdown(Shutdown::Write).unwrap();
                            let sink = kernel_receive(&mut stream);
                            sink.hash.finish() == source.hash.finish()
                        })
                    });
                    let each: Vec<_> = each.collect();
                    each.into_iter()
                        .map(|t| t.join().unwrap())
                        .collect::<Vec<bool>>()
                })
            },
        );
        (echoed, echo.errors, echo.conns.len())
    });
    let Some((echoed, errors, accepted)) = run else {
        return;
    };
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(accepted, CONNECTIONS);
    assert!(echoed.iter().all(|&ok| ok), "{echoed:?}");
    assert_eq!(echoed.len(), CONNECTIONS);
}
