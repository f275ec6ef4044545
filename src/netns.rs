//! Run code inside a fresh, private Linux network namespace.
//!
//! Everything in synack that touches the kernel's network stack goes through
//! [`run`]: it spawns a dedicated thread, which calls `unshare(CLONE_NEWNET)`
//! and so gets an empty namespace of its own (only a down `lo`), then sets it
//! up from a [`NetnsConfig`]:
//!
//! 1. brings `lo` up;
//! 2. creates each TAP device by name ([`TapDevice`]), with its MTU and MAC;
//! 3. writes the sysctls (after the devices exist, so per-device keys such as
//!    `net.ipv6.conf.tap0.disable_ipv6` work, and before any link is up);
//! 4. adds the TEST-NET-2 addresses (198.51.100.0/24 only) and brings the
//!    TAP devices up;
//! 5. adds the static neighbour entries.
//!
//! Then it calls the closure on that thread. Everything the closure does is
//! in the namespace: sockets it opens, threads it spawns and processes it
//! starts inherit the thread's namespace. When the closure ends, by returning
//! or by panicking, the thread exits and drops its TAP devices, and the
//! kernel destroys the namespace with everything in it: no name is ever
//! given to it (no `ip netns add`), and nothing is created in the host's
//! namespace. (A [`TapDevice`] or a child process that the closure lets
//! escape keeps the namespace alive until it ends; it is still not the host's.)
//!
//! Configuration runs iproute2's `ip` from the namespaced thread (its
//! children inherit the thread's namespace): the commands are the ones a
//! person would type, they print readable errors, and no `unsafe` ioctl or
//! netlink code is needed here. `ip` must be in `PATH`; [`check_support`]
//! says so if it is not. Sysctls are written to `/proc/sys/net/...` from the
//! same thread; the kernel resolves those files in the writer's namespace,
//! and shows only the per-namespace `net.*` sysctls inside a new namespace.

use std::fmt;
use std::io::{self, Write};
use std::marker::PhantomData;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use nix::sched::{unshare, CloneFlags};
use stack::device::{TapDevice, ETHERNET_HEADER_LEN};
use stack::wire::EthernetAddress;

/// The only addresses a namespace may use: TEST-NET-2 (RFC 5737).
pub const TEST_NET_2: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 0);
/// The prefix length of [`TEST_NET_2`].
pub const TEST_NET_2_PREFIX: u8 = 24;

const TUN_PATH: &str = "/dev/net/tun";
const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_ADMIN: u32 = 21;

/// Return whether `addr` lies in 198.51.100.0/24.
pub fn in_test_net_2(addr: Ipv4Addr) -> bool {
    addr.octets()[..3] == TEST_NET_2.octets()[..3]
}

/// A TAP device to create in the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapConfig {
    name: String,
    address: Option<(Ipv4Addr, u8)>,
    mtu: Option<u16>,
    mac: Option<EthernetAddress>,
    neighbours: Vec<(Ipv4Addr, EthernetAddress)>,
}

impl TapConfig {
    /// Describe a TAP device called `name` (at most 15 bytes), with no address.
    pub fn new(name: &str) -> TapConfig {
        TapConfig {
            name: name.to_owned(),
            address: None,
            mtu: None,
            mac: None,
            neighbours: Vec::new(),
        }
    }

    /// Give the device `address/prefix_len`; both must stay inside TEST-NET-2.
    pub fn address(mut self, address: Ipv4Addr, prefix_len: u8) -> TapConfig {
        self.address = Some((address, prefix_len));
        self
    }

    /// Set the interface's (IP) MTU; the [`TapDevice`] accepts that plus 14.
    pub fn mtu(mut self, mtu: u16) -> TapConfig {
        self.mtu = Some(mtu);
        self
    }

    /// Set the device's MAC address instead of the kernel's random one.
    pub fn mac(mut self, mac: EthernetAddress) -> TapConfig {
        self.mac = Some(mac);
        self
    }

    /// Add a permanent neighbour entry: `address` is at `mac` on this device.
    pub fn neighbour(mut self, address: Ipv4Addr, mac: EthernetAddress) -> TapConfig {
        self.neighbours.push((address, mac));
        self
    }

    fn validate(&self) -> Result<(), NetnsError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 15
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !name_ok || self.name == "lo" {
            return Err(config_error(format!(
                "TAP name {:?} must be 1 to 15 of [A-Za-z0-9._-] and not `lo`",
                self.name
            )));
        }
        if let Some((addr, len)) = self.address {
            if !in_test_net_2(addr) || !(TEST_NET_2_PREFIX..=32).contains(&len) {
                return Err(config_error(format!(
                    "{addr}/{len} on {} is outside TEST-NET-2 (198.51.100.0/24)",
                    self.name
                )));
            }
        }
        if let Some(&(addr, _)) = self.neighbours.iter().find(|(a, _)| !in_test_net_2(*a)) {
            return Err(config_error(format!(
                "neighbour {addr} on {} is outside TEST-NET-2 (198.51.100.0/24)",
                self.name
            )));
        }
        Ok(())
    }
}

/// What to build inside a new namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetnsConfig {
    taps: Vec<TapConfig>,
    sysctls: Vec<(String, String)>,
}

impl NetnsConfig {
    /// An empty namespace: only `lo`, brought up.
    pub fn new() -> NetnsConfig {
        NetnsConfig::default()
    }

    /// Add a TAP device.
    pub fn tap(mut self, tap: TapConfig) -> NetnsConfig {
        self.taps.push(tap);
        self
    }

    /// Set a `net.*` sysctl inside the namespace, e.g.
    /// `("net.ipv4.tcp_timestamps", "0")`; applied in the order given.
    pub fn sysctl(mut self, key: &str, value: &str) -> NetnsConfig {
        self.sysctls.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Check names, addresses and sysctl keys without touching anything.
    pub fn validate(&self) -> Result<(), NetnsError> {
        for tap in &self.taps {
            tap.validate()?;
        }
        for (i, tap) in self.taps.iter().enumerate() {
            if self.taps[..i].iter().any(|t| t.name == tap.name) {
                return Err(config_error(format!(
                    "TAP name {:?} is used twice",
                    tap.name
                )));
            }
        }
        for (key, _) in &self.sysctls {
            sysctl_path(key)?;
        }
        Ok(())
    }
}

/// Why a namespace could not be made or set up.
#[derive(Debug)]
#[non_exhaustive]
pub enum NetnsError {
    /// The process lacks a capability that namespaces or TAP devices need.
    NotPermitted {
        /// The missing capability, e.g. `CAP_SYS_ADMIN`.
        capability: &'static str,
    },
    /// `/dev/net/tun` does not exist.
    NoTunDevice,
    /// `/dev/net/tun` exists but cannot be opened read-write.
    TunUnusable(io::Error),
    /// iproute2's `ip` is not in `PATH`.
    NoIpCommand,
    /// `unshare(CLONE_NEWNET)` failed for a reason other than permissions.
    Unshare(nix::Error),
    /// A TAP device could not be created.
    Tap {
        /// The device's name.
        name: String,
        /// The OS error.
        error: io::Error,
    },
    /// An `ip` command failed.
    Ip {
        /// Its arguments.
        args: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// A sysctl could not be read or written.
    Sysctl {
        /// The key as given.
        key: String,
        /// The OS error.
        error: io::Error,
    },
    /// A child process could not be started.
    Spawn(io::Error),
    /// The configuration is refused (a name, an address outside TEST-NET-2,
    /// a sysctl key outside `net.`); nothing was created.
    Config(String),
}

fn config_error(why: String) -> NetnsError {
    NetnsError::Config(why)
}

impl fmt::Display for NetnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetnsError::NotPermitted { capability } => write!(
                f,
                "network namespaces need {capability}, which this process does not have: \
                 run as root, or in CI where the harness runs as root"
            ),
            NetnsError::NoTunDevice => write!(
                f,
                "{TUN_PATH} does not exist: load the tun module (`modprobe tun`), or give \
                 the container the device (`docker run --device /dev/net/tun ...`)"
            ),
            NetnsError::TunUnusable(e) => write!(
                f,
                "{TUN_PATH} cannot be opened read-write ({e}): run as root, or in CI where \
                 the harness runs as root"
            ),
            NetnsError::NoIpCommand => f.write_str(
                "iproute2's `ip` command is not in PATH: install iproute2 (`apt-get install iproute2`)",
            ),
            NetnsError::Unshare(e) => write!(f, "unshare(CLONE_NEWNET) failed: {e}"),
            NetnsError::Tap { name, error } => {
                write!(f, "cannot create TAP device {name}: {error}")
            }
            NetnsError::Ip { args, stderr } => write!(f, "`ip {args}` failed: {}", stderr.trim()),
            NetnsError::Sysctl { key, error } => write!(f, "sysctl {key}: {error}"),
            NetnsError::Spawn(e) => write!(f, "cannot start the child process: {e}"),
            NetnsError::Config(why) => write!(f, "bad namespace configuration: {why}"),
        }
    }
}

impl std::error::Error for NetnsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NetnsError::TunUnusable(e) | NetnsError::Spawn(e) => Some(e),
            NetnsError::Tap { error, .. } | NetnsError::Sysctl { error, .. } => Some(error),
            NetnsError::Unshare(e) => Some(e),
            _ => None,
        }
    }
}

/// Return the effective capability set, or `None` if it cannot be read.
fn effective_capabilities() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/thread-self/status").ok()?;
    let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
    u64::from_str_radix(hex.trim(), 16).ok()
}

/// Check everything [`run`] needs, without creating anything: the
/// capabilities `CAP_SYS_ADMIN` and `CAP_NET_ADMIN`, a usable `/dev/net/tun`,
/// and iproute2's `ip`. The error says what is missing and what to do.
pub fn check_support() -> Result<(), NetnsError> {
    if let Some(caps) = effective_capabilities() {
        for (bit, capability) in [
            (CAP_SYS_ADMIN, "CAP_SYS_ADMIN"),
            (CAP_NET_ADMIN, "CAP_NET_ADMIN"),
        ] {
            if caps & (1 << bit) == 0 {
                return Err(NetnsError::NotPermitted { capability });
            }
        }
    }
    if !Path::new(TUN_PATH).exists() {
        return Err(NetnsError::NoTunDevice);
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(TUN_PATH)
        .map_err(NetnsError::TunUnusable)?;
    match Command::new("ip").arg("-V").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err(NetnsError::NoIpCommand),
    }
}

/// For tests that need namespaces: return `true` if they can run. If not,
/// print why (to stderr, uncaptured) and return `false` (the test then returns early), except when
/// the environment variable `CI` is `true`, where it panics with the reason.
pub fn require_support(test: &str) -> bool {
    match check_support() {
        Ok(()) => true,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{test}: CI=true, so network namespaces must be available, but {e}")
        }
        Err(e) => {
            // Straight to stderr, past the test harness's output capture,
            // so the reason shows even when the test passes.
            let _ = writeln!(io::stderr(), "skipping {test}: {e}");
            false
        }
    }
}

/// Return the calling thread's network namespace, as `net:[inode]`.
pub fn current_namespace() -> io::Result<String> {
    let link = std::fs::read_link("/proc/thread-self/ns/net")?;
    Ok(link.to_string_lossy().into_owned())
}

/// Map a sysctl key (`net.ipv4.ip_default_ttl`, or the slash form
/// `net/ipv6/conf/eth0.100/disable_ipv6` for names with dots) to its file.
fn sysctl_path(key: &str) -> Result<PathBuf, NetnsError> {
    let rel = if key.contains('/') {
        key.to_owned()
    } else {
        key.replace('.', "/")
    };
    let parts: Vec<&str> = rel.split('/').collect();
    let bad_part = |p: &&str| p.is_empty() || *p == "." || *p == "..";
    if parts.first() != Some(&"net") || parts.len() < 2 || parts.iter().any(bad_part) {
        return Err(config_error(format!(
            "sysctl {key:?} is not a `net.*` key: only per-namespace network sysctls may be set"
        )));
    }
    Ok(Path::new("/proc/sys").join(rel))
}

/// The namespace, as the closure given to [`run`] sees it.
///
/// It is neither `Send` nor `Sync`: its methods must run on the namespaced
/// thread, or they would read and write the host's namespace.
#[derive(Debug)]
pub struct Namespace {
    taps: Vec<TapDevice>,
    _on_this_thread: PhantomData<*const ()>,
}

impl Namespace {
    /// Return the TAP device called `name`, unless it was taken.
    pub fn tap(&mut self, name: &str) -> Option<&mut TapDevice> {
        self.taps.iter_mut().find(|t| t.name() == name)
    }

    /// Take the TAP device called `name` out of the namespace handle.
    pub fn take_tap(&mut self, name: &str) -> Option<TapDevice> {
        let at = self.taps.iter().position(|t| t.name() == name)?;
        Some(self.taps.remove(at))
    }

    /// Read a `net.*` sysctl of this namespace (trimmed).
    pub fn sysctl(&self, key: &str) -> Result<String, NetnsError> {
        let path = sysctl_path(key)?;
        let value = std::fs::read_to_string(path).map_err(|error| NetnsError::Sysctl {
            key: key.to_owned(),
            error,
        })?;
        Ok(value.trim().to_owned())
    }

    /// Write a `net.*` sysctl of this namespace.
    pub fn set_sysctl(&self, key: &str, value: &str) -> Result<(), NetnsError> {
        let path = sysctl_path(key)?;
        std::fs::write(path, value).map_err(|error| NetnsError::Sysctl {
            key: key.to_owned(),
            error,
        })
    }

    /// Run `ip args...` in this namespace and return its stdout.
    pub fn ip(&self, args: &[&str]) -> Result<String, NetnsError> {
        ip(args)
    }
}

/// Run iproute2's `ip` from the calling thread (so in its namespace).
fn ip(args: &[&str]) -> Result<String, NetnsError> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => NetnsError::NoIpCommand,
            _ => NetnsError::Spawn(e),
        })?;
    if !out.status.success() {
        return Err(NetnsError::Ip {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Create one TAP device with its MTU and MAC (still down, no address).
fn create_tap(tap: &TapConfig) -> Result<TapDevice, NetnsError> {
    let mut device = TapDevice::open(&tap.name).map_err(|error| match error.kind() {
        io::ErrorKind::PermissionDenied => NetnsError::NotPermitted {
            capability: "CAP_NET_ADMIN",
        },
        _ => NetnsError::Tap {
            name: tap.name.clone(),
            error,
        },
    })?;
    let name = tap.name.as_str();
    if let Some(mtu) = tap.mtu {
        ip(&["link", "set", "dev", name, "mtu", &mtu.to_string()])?;
        device.set_mtu(usize::from(mtu) + ETHERNET_HEADER_LEN);
    }
    if let Some(mac) = tap.mac {
        ip(&["link", "set", "dev", name, "address", &mac.to_string()])?;
    }
    Ok(device)
}

/// Address a TAP device, bring it up, and add its neighbours.
fn bring_up(tap: &TapConfig) -> Result<(), NetnsError> {
    let name = tap.name.as_str();
    if let Some((addr, len)) = tap.address {
        ip(&["addr", "add", &format!("{addr}/{len}"), "dev", name])?;
    }
    ip(&["link", "set", "dev", name, "up"])?;
    for (addr, mac) in &tap.neighbours {
        let (addr, mac) = (addr.to_string(), mac.to_string());
        ip(&[
            "neigh",
            "replace",
            &addr,
            "lladdr",
            &mac,
            "dev",
            name,
            "nud",
            "permanent",
        ])?;
    }
    Ok(())
}

/// On the dedicated thread: leave the host's namespace and build the new one.
fn enter(config: &NetnsConfig) -> Result<Namespace, NetnsError> {
    unshare(CloneFlags::CLONE_NEWNET).map_err(|e| match e {
        nix::Error::EPERM => NetnsError::NotPermitted {
            capability: "CAP_SYS_ADMIN",
        },
        e => NetnsError::Unshare(e),
    })?;
    let mut ns = Namespace {
        taps: Vec::new(),
        _on_this_thread: PhantomData,
    };
    ip(&["link", "set", "dev", "lo", "up"])?;
    for tap in &config.taps {
        ns.taps.push(create_tap(tap)?);
    }
    for (key, value) in &config.sysctls {
        ns.set_sysctl(key, value)?;
    }
    for tap in &config.taps {
        bring_up(tap)?;
    }
    Ok(ns)
}

/// Run `f` inside a fresh network namespace built from `config`, and return
/// what it returns.
///
/// The namespace lives on a dedicated thread for exactly as long as `f`
/// runs, then vanishes (see the [module docs](self)). If `f` panics, the
/// namespace is gone before the panic resumes in the caller.
///
/// # Errors
/// A [`NetnsError`] if the configuration is refused, if the process lacks
/// the capabilities, `/dev/net/tun` or `ip`, or if a setup step fails; `f`
/// is not called then.
pub fn run<F, R>(config: &NetnsConfig, f: F) -> Result<R, NetnsError>
where
    F: FnOnce(&mut Namespace) -> R + Send,
    R: Send,
{
    config.validate()?;
    check_support()?;
    let joined = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("synack-netns".into())
            .spawn_scoped(scope, || enter(config).map(|mut ns| f(&mut ns)))
            .map_err(NetnsError::Spawn)?;
        Ok(worker.join())
    })?;
    match joined {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Run `command` as a child process inside a fresh namespace built from
/// `config`, wait for it, and return its exit status.
pub fn run_command(config: &NetnsConfig, command: &mut Command) -> Result<ExitStatus, NetnsError> {
    run(config, |_| command.status())?.map_err(NetnsError::Spawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_net_2_bounds() {
        assert!(in_test_net_2(Ipv4Addr::new(198, 51, 100, 0)));
        assert!(in_test_net_2(Ipv4Addr::new(198, 51, 100, 255)));
        assert!(!in_test_net_2(Ipv4Addr::new(198, 51, 101, 1)));
        assert!(!in_test_net_2(Ipv4Addr::new(192, 0, 2, 1)));
    }

    #[test]
    fn config_refuses_addresses_outside_test_net_2() {
        let bad = |tap: TapConfig| NetnsConfig::new().tap(tap).validate().is_err();
        let tap = || TapConfig::new("tap0");
        assert!(bad(tap().address(Ipv4Addr::new(192, 0, 2, 1), 24)));
        assert!(bad(tap().address(Ipv4Addr::new(198, 51, 100, 1), 16)));
        assert!(bad(tap().neighbour(
            Ipv4Addr::new(10, 0, 0, 1),
            EthernetAddress::BROADCAST
        )));
        assert!(!bad(tap().address(Ipv4Addr::new(198, 51, 100, 1), 24)));
        assert!(!bad(tap().address(Ipv4Addr::new(198, 51, 100, 9), 32)));
    }

    #[test]
    fn config_refuses_bad_names() {
        let bad = |name: &str| {
            NetnsConfig::new()
                .tap(TapConfig::new(name))
                .validate()
                .is_err()
        };
        assert!(bad(""));
        assert!(bad("lo"));
        assert!(bad("a-name-that-is-too-long"));
        assert!(bad("tap%d"));
        assert!(bad("t/0"));
        assert!(!bad("tap0"));
        let twice = NetnsConfig::new()
            .tap(TapConfig::new("t"))
            .tap(TapConfig::new("t"));
        assert!(twice.validate().is_err());
    }

    #[test]
    fn sysctl_keys_must_be_net() {
        let path = |k: &str| sysctl_path(k).map_err(|e| e.to_string());
        assert_eq!(
            path("net.ipv4.ip_default_ttl"),
            Ok(PathBuf::from("/proc/sys/net/ipv4/ip_default_ttl"))
        );
        assert_eq!(
            path("net/ipv6/conf/eth0.100/disable_ipv6"),
            Ok(PathBuf::from(
                "/proc/sys/net/ipv6/conf/eth0.100/disable_ipv6"
            ))
        );
        for key in [
            "kernel.hostname",
            "net",
            "net..ipv4",
            "net/../kernel/x",
            "/net/ipv4/x",
        ] {
            let err = path(key).unwrap_err();
            assert!(err.contains("not a `net.*` key"), "{key}: {err}");
        }
    }

    #[test]
    fn errors_say_what_to_do() {
        let text = |e: NetnsError| e.to_string();
        let perm = text(NetnsError::NotPermitted {
            capability: "CAP_SYS_ADMIN",
        });
        assert!(perm.contains("CAP_SYS_ADMIN") && perm.contains("run as root"));
        assert!(text(NetnsError::NoTunDevice).contains("modprobe tun"));
        assert!(text(NetnsError::NoIpCommand).contains("apt-get install iproute2"));
    }
}
