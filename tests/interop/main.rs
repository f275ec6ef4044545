//! Interop over TAP: the Linux kernel and the reference host, two real
//! TCP/IP stacks, talking through a TAP device.
//!
//! Each test makes its own namespace from `ServeConfig::default().netns()`:
//! the kernel is 198.51.100.1 on `synack0`, and the reference host is
//! 198.51.100.2 behind it, driven in real time by `synack::realtime::Driver`
//! on a thread of its own. The host's application is a list of [`Phase`]s
//! (accept, connect, receive, send, shutdown, close, abort) run once per
//! driver turn; the test's thread plays the kernel's side with std's
//! sockets.
//!
//! - 100 MiB each way on one connection, in both directions of open, each
//!   stream checked with a running hash; the sender half-closes before the
//!   other side sends, so half-close is exercised both ways. The
//!   throughput each way is printed (on stderr, past the test harness).
//! - 100 concurrent connections from the kernel, echoed by the host.
//! - An abort's RST, seen as `ECONNRESET` on either side.
//! - Ping and UDP both ways.
//!
//! Without root or /dev/net/tun each test prints why and returns, except
//! under `CI=true`, where it fails (`netns::require_support`). Every wait
//! is bounded: kernel sockets time out after [`KERNEL_WAIT`], and the
//! host's loop gives up after [`HOST_DEADLINE`].

mod aborts;
mod bulk;
#[path = "../common/mod.rs"]
mod common;
mod datagrams;
mod host;
mod many;
mod streams;

use core::time::Duration;

/// The bytes each way in the bulk tests.
pub(crate) const BULK_BYTES: u64 = 100 << 20;
/// How much the sender generates at a time.
pub(crate) const CHUNK: usize = 64 * 1024;
/// The host's TCP buffers in the bulk tests: room for a window scale.
pub(crate) const HOST_BUFFER: usize = 1 << 20;
/// The host's listening port.
pub(crate) const HOST_PORT: u16 = 5001;
/// The kernel's listening port.
pub(crate) const KERNEL_PORT: u16 = 5002;
/// How long the kernel's side waits for any one read or write.
pub(crate) const KERNEL_WAIT: Duration = Duration::from_secs(10);
/// When the host's loop gives up on its own, however the test goes.
pub(crate) const HOST_DEADLINE: Duration = Duration::from_secs(120);
