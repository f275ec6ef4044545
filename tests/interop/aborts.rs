//! An abort's RST, seen as ECONNRESET on either side.

use core::net::SocketAddrV4;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use socket2::SockRef;
use stack::host::CallError;
use stack::tcp::{ConnectionError, RecvError};
use synack::serve::HOST_ADDR;

use crate::host::*;
use crate::streams::*;
use crate::*;

#[test]
fn an_abort_is_a_reset_on_either_side() {
    let run = in_namespace("an_abort_is_a_reset_on_either_side", |tap| {
        let mut driver = host_driver(tap, 64 * 1024);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 8).unwrap();
        // First connection: the host aborts once the kernel's 5 bytes and
        // FIN are in. Second: the host reads until the kernel's RST.
        let first = [Phase::Accept(listener), Phase::Receive, Phase::Abort];
        let second = [Phase::Accept(listener), Phase::Receive];
        let mut hosts = [
            HostConn::new(&first, Source::new(0, 0)),
            HostConn::new(&second, Source::new(0, 0)),
        ];
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                hosts[0].poll(h, now);
                if hosts[0].done() {
                    hosts[1].poll(h, now);
                }
                hosts.iter().all(HostConn::done)
            },
            || {
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT).into();
                let mut stream = bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap());
                stream.write_all(b"hello").unwrap();
                stream.shutdown(Shutdown::Write).unwrap();
                let kernel_sees = stream.read(&mut [0; 16]).map_err(|e| e.kind());
                let mut second = bounded(TcpStream::connect_timeout(&addr, KERNEL_WAIT).unwrap());
                second.write_all(b"bye").unwrap();
                // Wait until the host has read it, then abort: SO_LINGER 0.
                std::thread::sleep(Duration::from_millis(100));
                SockRef::from(&second)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
                drop(second);
                kernel_sees
            },
        );
        (kernel, hosts)
    });
    let Some((kernel_sees, [first, second])) = run else {
        return;
    };
    assert_eq!(first.error, None);
    assert_eq!(first.sink.hash.len, 5);
    assert_eq!(kernel_sees, Err(io::ErrorKind::ConnectionReset));
    assert_eq!(second.sink.hash.len, 3);
    let reset = format!(
        "{:?}",
        CallError::<RecvError>::Tcp(RecvError::Connection(ConnectionError::Reset))
    );
    assert_eq!(second.error, Some(format!("Receive: {reset}")));
}
