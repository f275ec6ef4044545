//! The Linux kernel's own stack as a target, in a private network
//! namespace behind a TAP device, on the real clock.
//!
//! Each [`LinuxTarget`] owns a worker thread that lives in a fresh namespace
//! made by [`crate::netns`]: one TAP device ([`setup::TAP_NAME`]) with the
//! kernel's address `config.local`/24 and MAC `config.local_mac`, the
//! script's `config` applied as sysctls, route metrics and socket options
//! ([`setup`]), IPv6 off. The script's peer, `config.remote`, is not in the
//! namespace: the runner plays it at layer 2, and its frames are written to
//! the TAP device as they are; what the kernel sends is read back from it.
//! No static neighbour entry is made: the kernel asks for the peer with ARP
//! like any host, and the runner answers (or the script does, in ARP scripts).
//!
//! Every [`Target`] method is a job sent to the worker, which runs it inside
//! the namespace and sends the result back: sockets ([`sockets`]) are
//! created there, and the TCP states ([`state`]) are asked of sock_diag
//! through a netlink socket made there. When the target is dropped the worker
//! ends and the kernel destroys the namespace with everything in it.
//!
//! The kernel keeps its own time: [`Target::poll_timeout`] is `None`, and
//! the runner polls the TAP device while it sleeps on the real clock. Its
//! timers fire late by up to the timer wheel's granularity at their range
//! (kernel/time/timer.c: at HZ=250, 32 ms for a 1 s timer, 2 s for a 30 s
//! one); a script that checks a kernel timer sets its `tolerance` to match.
//!
//! Creating a namespace needs `CAP_SYS_ADMIN`, a TAP device `CAP_NET_ADMIN`
//! and `/dev/net/tun`, and the setup iproute2's `ip`: [`check_support`]
//! says which is missing and what to do.

pub mod setup;
pub mod sockets;
pub mod state;

use core::net::SocketAddrV4;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use stack::device::{Device, DeviceError, TapDevice};
use stack::time::Instant;
use stack::wire::frame::{FrameRepr, NetworkRepr, TransportRepr};
use stack::wire::ChecksumPolicy;

use super::{CallOutcome, ClockKind, SocketId, Target, TargetError};
use crate::netns::{self, Namespace, NetnsError};
use crate::script::{Call, Config, TargetName, TcpState};

pub use setup::{Setup, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_LEN};

/// Check that this process can make namespaces with TAP devices; the error
/// says what is missing and what to do.
pub fn check_support() -> Result<(), TargetError> {
    netns::check_support().map_err(unavailable)
}

/// The error of a Linux target that cannot be set up.
fn unavailable(error: NetnsError) -> TargetError {
    match error {
        NetnsError::Config(_) => TargetError::Config(error.to_string()),
        error => TargetError::Unsupported(format!("the linux target cannot run here: {error}")),
    }
}

/// The kernel side, on the namespace's thread.
struct Kernel {
    tap: TapDevice,
    sockets: sockets::Sockets,
    diag: state::Diag,
}

impl Kernel {
    /// Take the TAP device and set the route metrics.
    fn new(ns: &mut Namespace, setup: &Setup) -> Result<Kernel, TargetError> {
        let tap = ns
            .take_tap(setup::TAP_NAME)
            .ok_or_else(|| TargetError::Failed("the namespace has no TAP device".into()))?;
        let route: Vec<&str> = setup.route.iter().map(String::as_str).collect();
        ns.ip(&route)
            .map_err(|e| TargetError::Config(e.to_string()))?;
        let diag = state::Diag::open()
            .map_err(|e| TargetError::Failed(format!("cannot open a sock_diag socket: {e}")))?;
        Ok(Kernel {
            tap,
            sockets: sockets::Sockets::new(setup.socket, setup.config.local),
            diag,
        })
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError> {
        if let Some((port, remote)) = tcp_ends(frame) {
            self.sockets.note_peer(port, remote);
        }
        match self.tap.send(now, frame) {
            Ok(()) => Ok(None),
            Err(DeviceError::QueueFull) => Ok(Some("dropped: the TAP queue is full".into())),
            Err(e) => Err(TargetError::Failed(format!("TAP write: {e}"))),
        }
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.tap.recv(now).ok().flatten()
    }

    fn tcp_state(&mut self, socket: SocketId) -> Result<TcpState, TargetError> {
        self.sockets.state(&mut self.diag, socket)
    }
}

/// Return the destination port and the source of a TCP segment in an
/// Ethernet frame, whatever its checksums.
fn tcp_ends(frame: &[u8]) -> Option<(u16, SocketAddrV4)> {
    let repr = FrameRepr::parse(frame, ChecksumPolicy::Ignore).ok()?;
    match repr.network {
        NetworkRepr::Ipv4 {
            header,
            transport: TransportRepr::Tcp(segment),
        } => Some((
            segment.dst_port,
            SocketAddrV4::new(header.src_addr, segment.src_port),
        )),
        _ => None,
    }
}

/// A job for the worker.
type Job = Box<dyn FnOnce(&mut Kernel) + Send>;

/// The Linux kernel as a [`Target`] (see the [module docs](self)).
#[derive(Debug)]
pub struct LinuxTarget {
    jobs: Option<Sender<Job>>,
    worker: Option<JoinHandle<()>>,
}

/// Why a job got no answer.
const WORKER_GONE: &str = "the namespace's worker thread stopped";

impl LinuxTarget {
    /// Make the namespace a script's `config` describes and start its
    /// worker. `seed` is unused: the kernel draws its own ISNs and ports.
    pub fn new(config: &Config, _seed: u64) -> Result<LinuxTarget, TargetError> {
        let setup = Setup::new(config)?;
        check_support()?;
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::sync_channel(1);
        let worker = std::thread::Builder::new()
            .name("synack-linux".into())
            .spawn(move || serve(&setup, &ready, inbox))
            .map_err(|e| TargetError::Failed(format!("cannot start the worker: {e}")))?;
        let target = LinuxTarget {
            jobs: Some(jobs),
            worker: Some(worker),
        };
        match started.recv() {
            Ok(Ok(())) => Ok(target),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(TargetError::Failed(WORKER_GONE.into())),
        }
    }

    /// Run `f` on the worker, inside the namespace, and return its result.
    fn exec<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Kernel) -> R + Send + 'static,
    ) -> Result<R, TargetError> {
        let gone = || TargetError::Failed(WORKER_GONE.into());
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |kernel| {
            let _ = tx.send(f(kernel));
        });
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())
    }
}

/// The worker: build the namespace, report, then run jobs until the target
/// is dropped.
fn serve(setup: &Setup, ready: &SyncSender<Result<(), TargetError>>, inbox: Receiver<Job>) {
    let result = netns::run(&setup.netns, |ns| {
        let mut kernel = match Kernel::new(ns, setup) {
            Ok(kernel) => kernel,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        for job in inbox {
            job(&mut kernel);
        }
    });
    if let Err(e) = result {
        let _ = ready.send(Err(unavailable(e)));
    }
}

impl Drop for LinuxTarget {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Target for LinuxTarget {
    fn name(&self) -> &'static str {
        "linux"
    }

    fn override_name(&self) -> Option<TargetName> {
        Some(TargetName::Linux)
    }

    fn clock(&self) -> ClockKind {
        ClockKind::Real
    }

    fn handle_frame(&mut self, now: Instant, frame: &[u8]) -> Result<Option<String>, TargetError> {
        let frame = frame.to_vec();
        self.exec(move |k| k.handle_frame(now, &frame))?
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.exec(move |k| k.poll_transmit(now)).ok().flatten()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn call(
        &mut self,
        _now: Instant,
        socket: SocketId,
        call: &Call,
    ) -> Result<CallOutcome, TargetError> {
        let call = *call;
        self.exec(move |k| k.sockets.call(socket, &call))?
    }

    fn tcp_state(&self, socket: SocketId) -> Result<TcpState, TargetError> {
        self.exec(move |k| k.tcp_state(socket))?
    }

    fn call_with_data(
        &mut self,
        _now: Instant,
        socket: SocketId,
        call: &Call,
        data: &mut Vec<u8>,
    ) -> Result<CallOutcome, TargetError> {
        let (call, mut bytes) = (*call, std::mem::take(data));
        let (outcome, bytes) = self.exec(move |k| {
            let outcome = k.sockets.call_with_data(socket, &call, &mut bytes);
            (outcome, bytes)
        })?;
        *data = bytes;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack::wire::ethernet::EthernetRepr;
    use stack::wire::ipv4::Ipv4Repr;
    use stack::wire::{EtherType, IpProtocol};

    /// Build the frame of a segment from the peer to the target.
    fn tcp_frame(config: &Config, segment: &stack::wire::tcp::TcpRepr<'_>) -> Vec<u8> {
        let frame = FrameRepr {
            ethernet: EthernetRepr {
                dst_addr: config.local_mac,
                src_addr: config.remote_mac,
                vlan: None,
                ethertype: EtherType::Ipv4,
            },
            network: NetworkRepr::Ipv4 {
                header: Ipv4Repr::new(config.remote, config.local, IpProtocol::Tcp, 0),
                transport: TransportRepr::Tcp(*segment),
            },
        };
        let mut bytes = vec![0; frame.buffer_len()];
        frame.emit(&mut bytes, ChecksumPolicy::Verify);
        bytes
    }

    #[test]
    fn missing_privileges_say_what_to_do() {
        let error = unavailable(NetnsError::NotPermitted {
            capability: "CAP_SYS_ADMIN",
        });
        let TargetError::Unsupported(text) = &error else {
            panic!("{error:?}");
        };
        assert!(
            text.starts_with("the linux target cannot run here"),
            "{text}"
        );
        assert!(
            text.contains("CAP_SYS_ADMIN") && text.contains("run as root"),
            "{text}"
        );
        let tun = unavailable(NetnsError::NoTunDevice).to_string();
        assert!(tun.contains("modprobe tun"), "{tun}");
        let config = unavailable(NetnsError::Config("outside TEST-NET-2".into()));
        assert!(matches!(config, TargetError::Config(_)), "{config:?}");
    }

    #[test]
    fn tcp_ends_are_read_from_inbound_segments_only() {
        let config = Config::default();
        let segment = stack::wire::tcp::TcpRepr {
            src_port: 40000,
            dst_port: 8080,
            ..stack::wire::tcp::TcpRepr::default()
        };
        let frame = tcp_frame(&config, &segment);
        assert_eq!(
            tcp_ends(&frame),
            Some((8080, SocketAddrV4::new(config.remote, 40000)))
        );
        assert_eq!(tcp_ends(&frame[..20]), None);
        assert_eq!(tcp_ends(&[0; 60]), None);
    }
}
