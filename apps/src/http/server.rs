//! An HTTP/1.1 origin server of static pages on the reference host's TCP
//! sockets, sans-IO like the host itself.
//!
//! [`Server::poll`] does all the work at `now`: it accepts connections,
//! reads what arrived, parses each request with [`Request::parse`], writes
//! the responses in the order the requests came (pipelining, RFC 9112 9.3.2)
//! and sends them. Nothing is allocated per request: each connection keeps
//! one input and one output buffer, reused.
//!
//! - Persistence (RFC 9112 9.3): a connection stays open after a response
//!   unless the request said `Connection: close` (or was HTTP/1.0 without
//!   `keep-alive`); then the response carries `Connection: close` and the
//!   server closes in stages (RFC 9112 9.6): a FIN after the response, then
//!   it reads and drops what comes until the client's FIN, then releases
//!   the connection. Requests pipelined after the closing one are not
//!   answered (RFC 9112 9.6: the server MUST NOT process them).
//! - A request the parser rejects gets the status of its [`Error`] (400,
//!   414, 431, 501, 505) with the error's text as the body, then a close:
//!   after a malformed head, the framing of what follows is unknown.
//! - `GET` and `HEAD` of a page; 404 for an unknown path, 405 with `Allow`
//!   for other methods. A page added with
//!   [`add_chunked_page`](Server::add_chunked_page) is sent with the chunked
//!   transfer coding (RFC 9112 7.1).
//! - Request bodies (Content-Length or chunked) are read and dropped.
//! - No Date field: an origin server without a clock MUST NOT send one
//!   (RFC 9110 6.6.1), and a sans-IO server has none.

use core::net::SocketAddrV4;
use std::collections::{BTreeMap, VecDeque};

use stack::host::{CallError, ConnHandle, Host, ListenError, ListenerHandle};
use stack::tcp::{RecvError, SendError, Shutdown, State};
use stack::time::Instant;

use super::response_out::{self, Head};
use super::{BodyDecoder, Error, Event, Limits, Request, Status, EMPTY_HEADER};

/// The most field lines a request may have: the size of the array the
/// parser fills, on the stack, once per request.
pub const MAX_HEADERS: usize = 64;

/// The server's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// What one request may hold.
    pub limits: Limits,
    /// Field lines per request, at most [`MAX_HEADERS`]; more is 431.
    pub max_headers: usize,
    /// Connections served at once; one more is aborted at accept.
    pub max_connections: usize,
    /// Response bytes a connection may hold unsent before the server stops
    /// reading its pipelined requests, so a client that sends requests and
    /// never reads cannot grow the server's memory.
    pub max_pending_output: usize,
    /// The data bytes per chunk of a chunked page.
    pub chunk_size: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            limits: Limits::DEFAULT,
            max_headers: 32,
            max_connections: 64,
            max_pending_output: 256 * 1024,
            chunk_size: 1024,
        }
    }
}

/// A static page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Page {
    content_type: String,
    body: Vec<u8>,
    chunked: bool,
}

/// What the server did, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerEvent {
    /// A connection was accepted.
    Accepted {
        /// The client.
        peer: SocketAddrV4,
    },
    /// A request was answered with this status code.
    Answered {
        /// The client.
        peer: SocketAddrV4,
        /// The status code sent.
        code: u16,
    },
    /// A request could not be parsed: its error was answered, and the
    /// connection closes.
    Rejected {
        /// The client.
        peer: SocketAddrV4,
        /// Why.
        error: Error,
    },
    /// A connection over [`ServerConfig::max_connections`] was aborted.
    Refused {
        /// The client.
        peer: SocketAddrV4,
    },
    /// A connection was released: after both FINs, or a reset.
    Closed {
        /// The client.
        peer: SocketAddrV4,
        /// Whether it ended with both FINs (else a reset or a timeout).
        graceful: bool,
    },
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Requests are read and answered.
    Open,
    /// No more requests: the FIN follows the responses queued.
    Closing,
    /// The FIN is queued; what the client still sends is dropped until
    /// its FIN (RFC 9112 9.6).
    Draining,
    /// Released; the entry goes.
    Done,
}

/// One client connection.
#[derive(Debug)]
struct Conn {
    handle: ConnHandle,
    peer: SocketAddrV4,
    phase: Phase,
    /// Bytes received and not yet parsed.
    input: Vec<u8>,
    /// The body of the last request, being read and dropped.
    body: Option<BodyDecoder>,
    /// The client sent its FIN.
    peer_closed: bool,
    /// Responses not yet taken by the send buffer, from `sent` on.
    output: Vec<u8>,
    sent: usize,
}

/// An HTTP/1.1 server of static pages over a [`Host`] (see the [module
/// docs](self)).
#[derive(Debug)]
pub struct Server {
    listener: ListenerHandle,
    config: ServerConfig,
    pages: BTreeMap<Vec<u8>, Page>,
    conns: Vec<Conn>,
    events: VecDeque<ServerEvent>,
}

impl Server {
    /// Listen on `host` at `local` with a backlog of `backlog`.
    ///
    /// # Errors
    /// The host's [`ListenError`].
    pub fn bind(
        host: &mut Host,
        local: SocketAddrV4,
        backlog: usize,
        config: ServerConfig,
    ) -> Result<Server, ListenError> {
        Ok(Server {
            listener: host.tcp_listen(local, backlog)?,
            config,
            pages: BTreeMap::new(),
            conns: Vec::new(),
            events: VecDeque::new(),
        })
    }

    /// Serve `body` at `path` (the target up to any `?`, byte for byte),
    /// with a Content-Length.
    pub fn add_page(&mut self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.insert(path, content_type, body.into(), false);
    }

    /// Serve `body` at `path` with the chunked transfer coding, in chunks
    /// of [`ServerConfig::chunk_size`] bytes.
    pub fn add_chunked_page(&mut self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        self.insert(path, content_type, body.into(), true);
    }

    fn insert(&mut self, path: &str, content_type: &str, body: Vec<u8>, chunked: bool) {
        let page = Page {
            content_type: content_type.to_owned(),
            body,
            chunked,
        };
        self.pages.insert(path.as_bytes().to_vec(), page);
    }

    /// Return the listening address.
    pub fn local_addr(&self, host: &Host) -> Option<SocketAddrV4> {
        host.tcp_listener_addr(self.listener).ok()
    }

    /// Return how many connections are being served.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Return the next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Do everything there is to do at `now`: accept, read, answer, send,
    /// close.
    pub fn poll(&mut self, now: Instant, host: &mut Host) {
        while let Ok(handle) = host.tcp_accept(self.listener) {
            let Ok(peer) = host.tcp_peer_addr(handle) else {
                continue;
            };
            if self.conns.len() >= self.config.max_connections {
                let _ = host.tcp_abort(handle);
                self.events.push_back(ServerEvent::Refused { peer });
                continue;
            }
            self.events.push_back(ServerEvent::Accepted { peer });
            self.conns.push(Conn {
                handle,
                peer,
                phase: Phase::Open,
                input: Vec::with_capacity(self.input_capacity()),
                body: None,
                peer_closed: false,
                output: Vec::new(),
                sent: 0,
            });
        }
        let cap = self.input_capacity();
        for conn in &mut self.conns {
            let mut ctx = Ctx {
                host: &mut *host,
                now,
                config: &self.config,
                pages: &self.pages,
                events: &mut self.events,
            };
            ctx.drive(conn, cap);
        }
        self.conns.retain(|c| c.phase != Phase::Done);
    }

    /// The input buffer of a connection: a whole head at the limit, and one
    /// byte more so that the parser can tell a head over the limit.
    fn input_capacity(&self) -> usize {
        self.config.limits.max_head_len.saturating_add(1).max(4096)
    }
}

/// What driving one connection needs from the server.
struct Ctx<'a> {
    host: &'a mut Host,
    now: Instant,
    config: &'a ServerConfig,
    pages: &'a BTreeMap<Vec<u8>, Page>,
    events: &'a mut VecDeque<ServerEvent>,
}

impl Ctx<'_> {
    /// Read, answer, send and close as far as the connection goes now.
    fn drive(&mut self, conn: &mut Conn, cap: usize) {
        if let Err(graceful) = self.read(conn, cap) {
            return self.release(conn, graceful);
        }
        if conn.phase == Phase::Open {
            self.answer(conn);
        }
        if let Err(graceful) = self.send(conn) {
            return self.release(conn, graceful);
        }
        if conn.phase == Phase::Closing && conn.sent == conn.output.len() {
            // RFC 9112 9.6: close in stages; a FIN now, the rest after the
            // client's, so that a RST cannot destroy the response.
            let _ = self.host.tcp_shutdown(conn.handle, Shutdown::Write);
            conn.phase = Phase::Draining;
        }
        if conn.phase == Phase::Draining && conn.peer_closed {
            self.release(conn, true);
        }
    }

    /// Take what arrived into the input buffer (dropped once no more
    /// requests are read). `Err` when the connection failed.
    fn read(&mut self, conn: &mut Conn, cap: usize) -> Result<(), bool> {
        while !conn.peer_closed {
            if conn.phase != Phase::Open {
                conn.input.clear();
            }
            let start = conn.input.len();
            if start >= cap {
                return Ok(());
            }
            conn.input.resize(cap, 0);
            let got = self.host.tcp_recv(conn.handle, &mut conn.input[start..]);
            conn.input.truncate(start + *got.as_ref().unwrap_or(&0));
            match got {
                Ok(0) => conn.peer_closed = true,
                Ok(_) => {}
                Err(CallError::Tcp(RecvError::WouldBlock)) => return Ok(()),
                Err(_) => return Err(false),
            }
        }
        Ok(())
    }

    /// Answer the complete requests in the input, in order.
    fn answer(&mut self, conn: &mut Conn) {
        let mut at = 0;
        while conn.phase == Phase::Open
            && conn.output.len() - conn.sent < self.config.max_pending_output
        {
            let rest = &conn.input[at..];
            if let Some(decoder) = &mut conn.body {
                match decoder.decode(rest) {
                    Ok(decoded) => {
                        at += decoded.consumed;
                        match decoded.event {
                            Event::End => conn.body = None,
                            Event::Partial => break,
                            Event::Data(_) | Event::Trailer(_) => {}
                        }
                    }
                    Err(error) => self.reject(conn, error),
                }
                continue;
            }
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            let slots = &mut headers[..self.config.max_headers.min(MAX_HEADERS)];
            match Request::parse(rest, slots, &self.config.limits) {
                Ok(Status::Complete(request)) => {
                    at += request.head_len;
                    let code = respond(&mut conn.output, &request, self.pages, self.config);
                    self.events.push_back(ServerEvent::Answered {
                        peer: conn.peer,
                        code,
                    });
                    let decoder = BodyDecoder::new(request.body, &self.config.limits);
                    conn.body = (!decoder.is_done()).then_some(decoder);
                    if !request.keep_alive {
                        conn.phase = Phase::Closing;
                    }
                }
                Ok(Status::Partial) => break,
                Err(error) => self.reject(conn, error),
            }
        }
        conn.input.drain(..at);
        // The client closed: what is left can never be a whole request.
        if conn.peer_closed && conn.phase == Phase::Open {
            conn.phase = Phase::Closing;
        }
    }

    /// Answer a request the parser rejected, and close.
    fn reject(&mut self, conn: &mut Conn, error: Error) {
        let body = error.as_str().as_bytes();
        let head = Head {
            code: error.status_code(),
            content_type: "text/plain",
            len: Some(body.len() + 1),
            close: true,
            keep_alive_10: false,
            allow: false,
        };
        response_out::head(&mut conn.output, &head);
        conn.output.extend_from_slice(body);
        conn.output.push(b'\n');
        self.events.push_back(ServerEvent::Rejected {
            peer: conn.peer,
            error,
        });
        conn.phase = Phase::Closing;
    }

    /// Hand the send buffer what it takes. `Err` when the connection failed.
    fn send(&mut self, conn: &mut Conn) -> Result<(), bool> {
        while conn.sent < conn.output.len() {
            let data = &conn.output[conn.sent..];
            match self.host.tcp_send(self.now, conn.handle, data) {
                Ok(0) | Err(CallError::Tcp(SendError::WouldBlock)) => break,
                Ok(n) => conn.sent += n,
                Err(_) => return Err(false),
            }
        }
        if conn.sent == conn.output.len() {
            conn.output.clear();
            conn.sent = 0;
        }
        Ok(())
    }

    /// Give the connection back to the host and forget it.
    fn release(&mut self, conn: &mut Conn, graceful: bool) {
        let graceful = graceful && self.host.tcp_state(conn.handle) != Ok(State::Closed);
        let _ = self.host.tcp_close(conn.handle);
        conn.phase = Phase::Done;
        self.events.push_back(ServerEvent::Closed {
            peer: conn.peer,
            graceful,
        });
    }
}

/// Write the response to `request` into `out`; return its status code.
fn respond(
    out: &mut Vec<u8>,
    request: &Request<'_, '_>,
    pages: &BTreeMap<Vec<u8>, Page>,
    config: &ServerConfig,
) -> u16 {
    let path = request.target.split(|&b| b == b'?').next().unwrap_or(b"");
    let head_only = request.method == b"HEAD";
    let mut head = Head {
        code: 200,
        content_type: "text/plain",
        len: None,
        close: !request.keep_alive,
        // RFC 9112 9.3: an HTTP/1.0 client that asked for keep-alive is
        // told the connection persists.
        keep_alive_10: request.keep_alive && request.version == super::Version::Http10,
        allow: false,
    };
    let (page, body): (Option<&Page>, &[u8]) = match pages.get(path) {
        _ if request.method != b"GET" && !head_only => {
            head.code = 405;
            head.allow = true;
            (None, b"method not allowed\n")
        }
        Some(page) => (Some(page), &page.body),
        None => {
            head.code = 404;
            (None, b"not found\n")
        }
    };
    if let Some(page) = page {
        head.content_type = &page.content_type;
        if page.chunked {
            response_out::head(out, &head);
            if !head_only {
                response_out::chunked(out, body, config.chunk_size);
            }
            return head.code;
        }
    }
    head.len = Some(body.len());
    response_out::head(out, &head);
    if !head_only {
        out.extend_from_slice(body);
    }
    head.code
}
