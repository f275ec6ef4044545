//! What the TAP tests of the application protocols (`tests/http_tap.rs`,
//! `tests/tftp_tap.rs`) share: the namespace of `ServeConfig::default()`
//! (the kernel is 198.51.100.1 on `synack0`, the reference host
//! 198.51.100.2 behind it), the host driven in real time on a thread of its
//! own beside the test's kernel side, and curl.
//!
//! Without root or /dev/net/tun each test prints why and returns, except
//! under `CI=true`, where it fails (`netns::require_support`); the same
//! goes for curl. Every wait is bounded: kernel sockets time out after
//! [`KERNEL_WAIT`], curl after [`CURL_WAIT`], and the host's loop gives up
//! after [`HOST_DEADLINE`]. `tests/interop/` shares the namespace and the
//! host's thread too (`beside_host_within`, with its own deadline).
#![allow(dead_code)] // each test crate that includes this uses a part of it

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use stack::device::TapDevice;
use stack::host::Host;
use stack::time::Instant;
use synack::netns;
use synack::realtime::{Driver, Stopped};
use synack::serve::{ServeConfig, TAP_NAME};

/// How long the kernel's side waits for any one read or write.
pub const KERNEL_WAIT: Duration = Duration::from_secs(10);
/// How long curl may take for one run (`--max-time`, seconds).
pub const CURL_WAIT: &str = "20";
/// When the host's loop gives up on its own, however the test goes.
pub const HOST_DEADLINE: Duration = Duration::from_secs(60);
/// What CI runs to install curl.
const CURL_INSTALL: &str = "DEBIAN_FRONTEND=noninteractive apt-get install -y curl";

/// Run `body` in a fresh namespace with the TAP device, or return `None`
/// if namespaces are not available here (outside CI).
pub fn in_namespace<R: Send>(test: &str, body: impl FnOnce(TapDevice) -> R + Send) -> Option<R> {
    if !netns::require_support(test) {
        return None;
    }
    let run = netns::run(&ServeConfig::default().netns(), |ns| {
        // NOTE(unwrap): the namespace was built with this device.
        body(ns.take_tap(TAP_NAME).unwrap())
    });
    Some(run.unwrap())
}

/// The reference host of `ServeConfig::default()` on `tap`.
pub fn host_driver(tap: TapDevice) -> Driver<TapDevice> {
    let host = Host::new(ServeConfig::default().host()).unwrap();
    Driver::on_tap(host, tap).unwrap()
}

/// Sets the flag when dropped, so the host's loop stops even when the
/// kernel's side panics.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Run the host's `app` on its own thread while `kernel` runs on this one.
/// The host's loop ends when `app` says it is done and `kernel` has
/// returned (or at [`HOST_DEADLINE`], or when `kernel` panics).
pub fn beside_host<K>(
    driver: &mut Driver<TapDevice>,
    app: impl FnMut(&mut Host, Instant) -> bool + Send,
    kernel: impl FnOnce() -> K,
) -> K {
    beside_host_within(driver, HOST_DEADLINE, app, kernel)
}

/// [`beside_host`] with the host's loop giving up after `limit`.
pub fn beside_host_within<K>(
    driver: &mut Driver<TapDevice>,
    limit: Duration,
    mut app: impl FnMut(&mut Host, Instant) -> bool + Send,
    kernel: impl FnOnce() -> K,
) -> K {
    let kernel_done = AtomicBool::new(false);
    let panicked = AtomicBool::new(false);
    let deadline = Some(driver.now() + limit);
    std::thread::scope(|s| {
        let host = s.spawn(|| {
            driver.run(&panicked, deadline, |host, now| {
                let done = app(host, now);
                if done && kernel_done.load(Ordering::Relaxed) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
        });
        let guard = SetOnDrop(&panicked);
        let result = kernel();
        std::mem::forget(guard);
        kernel_done.store(true, Ordering::Relaxed);
        let stopped = host.join().unwrap();
        assert_eq!(stopped, Ok(Stopped::App(())), "the host's loop ended early");
        result
    })
}

/// Return whether curl can run here. If not, say why (on stderr, past the
/// harness's capture) and return `false`, except under `CI=true`, where
/// curl must be there (`.ci/run` installs it).
pub fn have_curl(test: &str) -> bool {
    match Command::new("curl").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        other if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{test}: CI=true, so curl must be installed ({CURL_INSTALL}): {other:?}")
        }
        _ => {
            let why = format!("skipping {test}: curl is not installed; `{CURL_INSTALL}`");
            let _ = writeln!(io::stderr(), "{why}");
            false
        }
    }
}

/// Run curl with `args` (inside the namespace: call it from the namespace's
/// thread); return its exit status, stdout and stderr.
pub fn curl(args: &[&str]) -> (std::process::ExitStatus, Vec<u8>, String) {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", CURL_WAIT])
        .args(args)
        .output()
        .expect("run curl");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status, out.stdout, stderr)
}
