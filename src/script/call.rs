//! Socket calls: the grammar of `call:` steps.
//!
//! ```text
//! call    = name "(" [arg *("," arg)] ")" ["=" result]
//! result  = u32 | errno | "-1" errno
//! ```
//!
//! | call | meaning |
//! |---|---|
//! | `bind(8080)`, `bind(198.51.100.1:8080)` | bind the socket |
//! | `listen(8080)`, `listen(8080, backlog=1)` | bind and listen (passive OPEN) |
//! | `connect(198.51.100.2:40000)` | active OPEN, non-blocking |
//! | `accept()` | take a connection off the backlog; the result is its socket id |
//! | `write(1000)`, `write(1, oob)` | queue N bytes (urgent with `oob`) |
//! | `read(1000)`, `read(1, oob)` | read up to N bytes; the result is the count, 0 at end of stream |
//! | `shutdown(rd)`, `shutdown(wr)`, `shutdown(rdwr)` | half-close (CLOSE for `wr`) |
//! | `close()` | CLOSE |
//! | `abort()` | ABORT: close sending a RST (`SO_LINGER` 0) |
//! | `setsockopt(nodelay, 1)` | set an option (see [`SockOpt`]) |
//! | `getsockopt(rcvbuf) = 65535` | read an option |
//!
//! Without `= result` the call must succeed with any value. A result is a
//! number (the return value) or an errno name; packetdrill's `= -1 EPIPE`
//! is accepted too.

use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};

use crate::notation::cursor::Cursor;
use crate::notation::SyntaxError;

/// A socket call a `call:` step makes on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// Bind to a local port, and address if given (else `config.local`).
    Bind {
        /// The local address; `None` for the configured one.
        addr: Option<Ipv4Addr>,
        /// The local port.
        port: u16,
    },
    /// Bind to `port` and listen: a passive OPEN (RFC 9293 3.10.1).
    Listen {
        /// The local port.
        port: u16,
        /// The backlog; `None` for the target's default.
        backlog: Option<u32>,
    },
    /// Open a connection to `remote`: an active OPEN, non-blocking.
    Connect(SocketAddrV4),
    /// Take an established connection from a listener's backlog.
    Accept,
    /// Queue `len` bytes to send (SEND).
    Write {
        /// How many bytes.
        len: u32,
        /// Whether the bytes are urgent data (`MSG_OOB`).
        oob: bool,
    },
    /// Read at most `len` bytes (RECEIVE).
    Read {
        /// The most bytes to read.
        len: u32,
        /// Whether to read urgent data (`MSG_OOB`).
        oob: bool,
    },
    /// Shut down one or both directions.
    Shutdown(Shutdown),
    /// CLOSE (RFC 9293 3.10.4).
    Close,
    /// ABORT (RFC 9293 3.10.5): close with a RST.
    Abort,
    /// Set a socket option.
    SetSockOpt(SockOpt, u32),
    /// Read a socket option; compare it with the expected result.
    GetSockOpt(SockOpt),
}

/// Which directions `shutdown` closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Receiving (`SHUT_RD`).
    Read,
    /// Sending (`SHUT_WR`): a FIN follows the queued data.
    Write,
    /// Both (`SHUT_RDWR`).
    Both,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// Return the name a script writes.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// Look a value up by the name a script writes.
            pub fn from_name(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// A socket option a script can set or read.
    pub enum SockOpt {
        /// `TCP_NODELAY`: disable Nagle (RFC 9293 3.7.4, MUST-17).
        NoDelay = "nodelay",
        /// `SO_KEEPALIVE` (RFC 9293 3.8.4, MUST-24).
        KeepAlive = "keepalive",
        /// `TCP_KEEPIDLE`, seconds (MUST-27).
        KeepIdle = "keepidle",
        /// `TCP_KEEPINTVL`, seconds.
        KeepIntvl = "keepintvl",
        /// `TCP_KEEPCNT`.
        KeepCnt = "keepcnt",
        /// `TCP_USER_TIMEOUT`, milliseconds (R2, MUST-21).
        UserTimeout = "user_timeout",
        /// `SO_RCVBUF`, bytes.
        RcvBuf = "rcvbuf",
        /// `SO_SNDBUF`, bytes.
        SndBuf = "sndbuf",
        /// `SO_LINGER` with the given timeout in seconds.
        Linger = "linger",
        /// `SO_OOBINLINE`: urgent data read in line.
        OobInline = "oobinline",
        /// `SO_REUSEADDR`.
        ReuseAddr = "reuseaddr",
    }
}

named_enum! {
    /// An errno a call may be expected to fail with.
    pub enum Errno {
        /// Write on a connection the peer reset or closed for reading.
        Epipe = "EPIPE",
        /// Connection refused (a RST answered the SYN).
        Econnrefused = "ECONNREFUSED",
        /// Connection reset by the peer.
        Econnreset = "ECONNRESET",
        /// Connection aborted.
        Econnaborted = "ECONNABORTED",
        /// Timed out (R2, user timeout, keep-alive).
        Etimedout = "ETIMEDOUT",
        /// Would block.
        Eagain = "EAGAIN",
        /// A non-blocking connect is under way.
        Einprogress = "EINPROGRESS",
        /// A connect is already under way.
        Ealready = "EALREADY",
        /// Not connected.
        Enotconn = "ENOTCONN",
        /// Already connected.
        Eisconn = "EISCONN",
        /// Address in use (e.g. during TIME-WAIT).
        Eaddrinuse = "EADDRINUSE",
        /// Address not available.
        Eaddrnotavail = "EADDRNOTAVAIL",
        /// Invalid argument.
        Einval = "EINVAL",
        /// Not a valid socket.
        Ebadf = "EBADF",
        /// Host unreachable (ICMP).
        Ehostunreach = "EHOSTUNREACH",
        /// Network unreachable (ICMP).
        Enetunreach = "ENETUNREACH",
        /// Operation not supported.
        Eopnotsupp = "EOPNOTSUPP",
        /// Message too long.
        Emsgsize = "EMSGSIZE",
    }
}

/// What a call must return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Expect {
    /// Any success (no `= ...` written).
    #[default]
    Success,
    /// Exactly this return value.
    Value(u32),
    /// Failure with this errno.
    Errno(Errno),
}

/// A socket call and what it must return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallStep {
    /// The call.
    pub call: Call,
    /// Its expected result.
    pub expect: Expect,
}

const EXPECTED_NAME: &str = "a socket call: bind, listen, connect, accept, write, read, \
                             shutdown, close, abort, setsockopt or getsockopt";
const EXPECTED_RESULT: &str = "a number or an errno name such as EPIPE";
const EXPECTED_PORT: &str = "a port number (0 to 65535)";
const EXPECTED_LEN: &str = "a byte count";
const EXPECTED_CLOSE: &str = "`)`";

/// Parse a `call:` value.
pub fn parse_call(text: &str) -> Result<CallStep, SyntaxError> {
    let mut c = Cursor::new(text);
    let name_at = c.peek_position();
    let name = c.word();
    if !c.eat('(') {
        return Err(if name.is_empty() {
            c.error_char(EXPECTED_NAME)
        } else {
            c.error_char("`(` after the call's name")
        });
    }
    let call = match name {
        "bind" => bind(&mut c)?,
        "listen" => listen(&mut c)?,
        "connect" => Call::Connect(socket_addr(&mut c)?),
        "accept" => Call::Accept,
        "write" => read_write(&mut c, true)?,
        "read" => read_write(&mut c, false)?,
        "shutdown" => Call::Shutdown(shutdown(&mut c)?),
        "close" => Call::Close,
        "abort" => Call::Abort,
        "setsockopt" => {
            let opt = sockopt(&mut c)?;
            c.expect(',', "`,` and the option's value")?;
            Call::SetSockOpt(opt, c.number("an option value (a number)")?)
        }
        "getsockopt" => Call::GetSockOpt(sockopt(&mut c)?),
        _ => return Err(c.error_at(name_at, name_at + name.len(), EXPECTED_NAME)),
    };
    c.expect(')', EXPECTED_CLOSE)?;
    let expect = if c.eat('=') {
        result(&mut c)?
    } else {
        Expect::Success
    };
    c.end("`= result` or the end of the call")?;
    Ok(CallStep { call, expect })
}

/// Read `port` or `addr:port`.
fn bind(c: &mut Cursor<'_>) -> Result<Call, SyntaxError> {
    let word = c.peek_word();
    if word.contains('.') {
        let addr = socket_addr(c)?;
        return Ok(Call::Bind {
            addr: Some(*addr.ip()),
            port: addr.port(),
        });
    }
    Ok(Call::Bind {
        addr: None,
        port: c.number(EXPECTED_PORT)?,
    })
}

/// Read `port [, backlog=N]`.
fn listen(c: &mut Cursor<'_>) -> Result<Call, SyntaxError> {
    let port = c.number(EXPECTED_PORT)?;
    let mut backlog = None;
    if c.eat(',') {
        c.expect_word("backlog", "`backlog=N`")?;
        c.expect('=', "`=` after `backlog`")?;
        backlog = Some(c.number("a backlog length")?);
    }
    Ok(Call::Listen { port, backlog })
}

/// Read `a.b.c.d:port`.
pub(crate) fn socket_addr(c: &mut Cursor<'_>) -> Result<SocketAddrV4, SyntaxError> {
    let ip = c.ipv4()?;
    c.expect(':', "`:` and a port after the address")?;
    Ok(SocketAddrV4::new(ip, c.number(EXPECTED_PORT)?))
}

/// Read `len [, oob]` for `write` (`is_write`) or `read`.
fn read_write(c: &mut Cursor<'_>, is_write: bool) -> Result<Call, SyntaxError> {
    let len = c.number(EXPECTED_LEN)?;
    let oob = if c.eat(',') {
        c.expect_word("oob", "`oob`")?;
        true
    } else {
        false
    };
    Ok(if is_write {
        Call::Write { len, oob }
    } else {
        Call::Read { len, oob }
    })
}

/// Read `rd`, `wr` or `rdwr`.
fn shutdown(c: &mut Cursor<'_>) -> Result<Shutdown, SyntaxError> {
    let how = match c.peek_word() {
        "rd" => Shutdown::Read,
        "wr" => Shutdown::Write,
        "rdwr" => Shutdown::Both,
        _ => return Err(c.error_word("`rd`, `wr` or `rdwr`")),
    };
    c.word();
    Ok(how)
}

/// Read a socket option name.
fn sockopt(c: &mut Cursor<'_>) -> Result<SockOpt, SyntaxError> {
    let opt = SockOpt::from_name(c.peek_word()).ok_or_else(|| {
        c.error_word(
            "a socket option: nodelay, keepalive, keepidle, keepintvl, keepcnt, \
             user_timeout, rcvbuf, sndbuf, linger, oobinline or reuseaddr",
        )
    })?;
    c.word();
    Ok(opt)
}

/// Read the result after `=`.
fn result(c: &mut Cursor<'_>) -> Result<Expect, SyntaxError> {
    if c.eat_word("-1") {
        return errno(c).map(Expect::Errno);
    }
    if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        return c.number(EXPECTED_RESULT).map(Expect::Value);
    }
    errno(c).map(Expect::Errno)
}

/// Read an errno name.
fn errno(c: &mut Cursor<'_>) -> Result<Errno, SyntaxError> {
    let word = c.peek_word();
    let errno = match word {
        "EWOULDBLOCK" => Some(Errno::Eagain),
        _ => Errno::from_name(word),
    };
    let errno = errno.ok_or_else(|| c.error_word(EXPECTED_RESULT))?;
    c.word();
    Ok(errno)
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let oob = |oob: bool| if oob { ", oob" } else { "" };
        match *self {
            Call::Bind {
                addr: Some(a),
                port,
            } => write!(f, "bind({a}:{port})"),
            Call::Bind { addr: None, port } => write!(f, "bind({port})"),
            Call::Listen {
                port,
                backlog: Some(b),
            } => write!(f, "listen({port}, backlog={b})"),
            Call::Listen {
                port,
                backlog: None,
            } => write!(f, "listen({port})"),
            Call::Connect(addr) => write!(f, "connect({addr})"),
            Call::Accept => f.write_str("accept()"),
            Call::Write { len, oob: o } => write!(f, "write({len}{})", oob(o)),
            Call::Read { len, oob: o } => write!(f, "read({len}{})", oob(o)),
            Call::Shutdown(how) => {
                let how = match how {
                    Shutdown::Read => "rd",
                    Shutdown::Write => "wr",
                    Shutdown::Both => "rdwr",
                };
                write!(f, "shutdown({how})")
            }
            Call::Close => f.write_str("close()"),
            Call::Abort => f.write_str("abort()"),
            Call::SetSockOpt(opt, v) => write!(f, "setsockopt({opt}, {v})"),
            Call::GetSockOpt(opt) => write!(f, "getsockopt({opt})"),
        }
    }
}

impl fmt::Display for CallStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.call)?;
        match self.expect {
            Expect::Success => Ok(()),
            Expect::Value(v) => write!(f, " = {v}"),
            Expect::Errno(e) => write!(f, " = {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_parses_and_displays_back() {
        for text in [
            "bind(8080)",
            "bind(198.51.100.1:8080)",
            "listen(8080)",
            "listen(8080, backlog=1)",
            "connect(198.51.100.2:40000)",
            "accept() = 4",
            "write(1000) = 1000",
            "write(1, oob) = 1",
            "read(1000) = 0",
            "read(1, oob) = EAGAIN",
            "shutdown(wr)",
            "shutdown(rdwr)",
            "close()",
            "abort()",
            "setsockopt(nodelay, 1)",
            "getsockopt(rcvbuf) = 65535",
            "write(10) = EPIPE",
        ] {
            let step = parse_call(text).unwrap_or_else(|e| panic!("{text}: {}", e.display(text)));
            assert_eq!(step.to_string(), text);
        }
    }

    #[test]
    fn packetdrill_forms_are_accepted() {
        let step = parse_call("write(10)=-1 EPIPE").unwrap();
        assert_eq!(step.expect, Expect::Errno(Errno::Epipe));
        let step = parse_call(" read( 5 ) = EWOULDBLOCK ").unwrap();
        assert_eq!(step.call, Call::Read { len: 5, oob: false });
        assert_eq!(step.expect, Expect::Errno(Errno::Eagain));
    }

    #[test]
    fn errors_point_at_the_fault() {
        let cases = [
            ("conect(1.2.3.4:5)", 0, 6, EXPECTED_NAME),
            ("close", 5, 5, "`(` after the call's name"),
            ("write(abc)", 6, 9, EXPECTED_LEN),
            ("listen(80, backlog 1)", 19, 20, "`=` after `backlog`"),
            (
                "connect(198.51.100.300:80)",
                8,
                22,
                crate::notation::EXPECTED_ADDRESS,
            ),
            (
                "connect(198.51.100.2)",
                20,
                21,
                "`:` and a port after the address",
            ),
            ("connect(1.2.3.4:70000)", 16, 21, EXPECTED_PORT),
            ("write(10) = EPIPES", 12, 18, EXPECTED_RESULT),
            ("close() junk", 8, 12, "`= result` or the end of the call"),
            ("shutdown(both)", 9, 13, "`rd`, `wr` or `rdwr`"),
            ("read(10", 7, 7, EXPECTED_CLOSE),
        ];
        for (text, at, end, expected) in cases {
            let err = parse_call(text).unwrap_err();
            assert_eq!(
                (err.at, err.end, err.expected),
                (at, end, expected),
                "{text}"
            );
        }
        assert!(parse_call("connect(198.51.100.300:80)")
            .unwrap_err()
            .is_address());
    }
}
