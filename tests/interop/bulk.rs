//! 100 MiB each way on one connection, in both directions of open.

use core::net::SocketAddrV4;
use std::net::{Shutdown, TcpListener, TcpStream};

use stack::tcp::State;
use synack::serve::{HOST_ADDR, KERNEL_ADDR};

use crate::host::*;
use crate::streams::*;
use crate::*;

#[test]
fn kernel_connects_and_100_mib_cross_each_way() {
    let run = in_namespace("kernel_connects_and_100_mib_cross_each_way", |tap| {
        let mut driver = host_driver(tap, HOST_BUFFER);
        let local = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
        let listener = driver.host_mut().tcp_listen(local, 8).unwrap();
        let phases = [
            Phase::Accept(listener),
            Phase::Receive,
            Phase::Send,
            Phase::Close,
        ];
        let mut host = HostConn::new(&phases, Source::new(BULK_BYTES, 2));
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                host.poll(h, now);
                host.done()
            },
            || {
                let addr = SocketAddrV4::new(HOST_ADDR, HOST_PORT);
                let stream = TcpStream::connect_timeout(&addr.into(), KERNEL_WAIT).unwrap();
                let mut stream = bounded(stream);
                let mut source = Source::new(BULK_BYTES, 1);
                kernel_send(&mut stream, &mut source);
                // Half-close: the host still sends its 100 MiB after this.
                stream.shutdown(Shutdown::Write).unwrap();
                (source.hash.finish(), kernel_receive(&mut stream))
            },
        );
        (kernel, host)
    });
    let Some(((sent, received), host)) = run else {
        return;
    };
    assert_eq!(host.error, None);
    assert_eq!(sent, (sent.0, BULK_BYTES));
    assert_eq!(host.sink.hash.finish(), sent, "kernel -> reference stream");
    assert_eq!(received.hash.finish(), host.source.hash.finish());
    assert_eq!(received.hash.len, BULK_BYTES, "reference -> kernel stream");
    // The kernel's FIN came before the host sent a byte: CLOSE-WAIT.
    assert!(host.states.contains(&State::CloseWait), "{:?}", host.states);
    figure(&format!(
        "interop, kernel connects: kernel -> reference {:.2} Gbit/s, reference -> kernel {:.2} Gbit/s",
        host.sink.gbit_per_s(),
        received.gbit_per_s()
    ));
}

#[test]
fn reference_connects_and_100_mib_cross_each_way() {
    let run = in_namespace("reference_connects_and_100_mib_cross_each_way", |tap| {
        let listener = TcpListener::bind((KERNEL_ADDR, KERNEL_PORT)).unwrap();
        let mut driver = host_driver(tap, HOST_BUFFER);
        let remote = SocketAddrV4::new(KERNEL_ADDR, KERNEL_PORT);
        let phases = [
            Phase::Connect(remote),
            Phase::Send,
            Phase::ShutdownWrite,
            Phase::Receive,
            Phase::Close,
        ];
        let mut host = HostConn::new(&phases, Source::new(BULK_BYTES, 3));
        let kernel = beside_host(
            &mut driver,
            |h, now| {
                host.poll(h, now);
                host.done()
            },
            || {
                let (stream, _) = listener.accept().unwrap();
                let mut stream = bounded(stream);
                let received = kernel_receive(&mut stream);
                // The host half-closed; the kernel still sends.
                let mut source = Source::new(BULK_BYTES, 4);
                kernel_send(&mut stream, &mut source);
                drop(stream);
                (received, source.hash.finish())
            },
        );
        (kernel, host)
    });
    let Some(((received, sent), host)) = run else {
        return;
    };
    assert_eq!(host.error, None);
    assert_eq!(received.hash.finish(), host.source.hash.finish());
    assert_eq!(received.hash.len, BULK_BYTES, "reference -> kernel stream");
    assert_eq!(host.sink.hash.finish(), sent, "kernel -> reference stream");
    assert_eq!(sent.1, BULK_BYTES);
    // The host's FIN was acknowledged while the kernel still sent.
    assert!(host.states.contains(&State::FinWait2), "{:?}", host.states);
    figure(&format!(
        "interop, reference connects: reference -> kernel {:.2} Gbit/s, kernel -> reference {:.2} Gbit/s",
        received.gbit_per_s(),
        host.sink.gbit_per_s()
    ));
}
