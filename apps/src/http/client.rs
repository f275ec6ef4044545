//! An HTTP/1.1 client on one of the reference host's TCP connections,
//! sans-IO like the host itself.
//!
//! [`Client::request`] queues a request; several may be queued at once,
//! and go out back to back (pipelining, RFC 9112 9.3.2). [`Client::poll`]
//! sends what the connection takes, reads what arrived, and parses the
//! responses in the order of the requests with [`Response::parse`] (given
//! each request's method, which the framing depends on) and
//! [`BodyDecoder`]. [`Client::poll_response`] hands them out.
//!
//! A response whose body runs to the close (no Content-Length, RFC 9112
//! 6.3 rule 7) ends at the server's FIN. A response that says the
//! connection does not persist ends the exchange: requests queued behind
//! it fail with [`ClientError::Closed`].

use core::fmt;
use core::net::SocketAddrV4;
use std::collections::VecDeque;

use stack::host::{CallError, ConnHandle, ConnectError, Host};
use stack::tcp::{RecvError, SendError, Shutdown, State};
use stack::time::Instant;

use super::{Body, BodyDecoder, Error, Event, Limits, Response, Status, EMPTY_HEADER};

/// The most field lines a response may have.
const MAX_HEADERS: usize = 64;

/// A response, read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The status code.
    pub code: u16,
    /// The field lines, names and values as sent.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body, with any chunked coding removed.
    pub body: Vec<u8>,
    /// Whether the body was chunked.
    pub chunked: bool,
    /// Whether the connection persists after it (RFC 9112 9.3).
    pub keep_alive: bool,
}

impl Fetched {
    /// Return the value of the first field named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| &v[..])
    }
}

/// Why a response could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientError {
    /// The response is not valid HTTP/1.1.
    Http(Error),
    /// The connection closed (or a response said it would) before this
    /// response was complete.
    Closed,
    /// The connection failed: reset, timed out or refused.
    Failed,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Http(e) => write!(f, "invalid response: {e}"),
            ClientError::Closed => f.write_str("connection closed before the response"),
            ClientError::Failed => f.write_str("connection failed"),
        }
    }
}

impl std::error::Error for ClientError {}

/// A response whose head was read and whose body is being read.
#[derive(Debug)]
struct Reading {
    fetched: Fetched,
    decoder: BodyDecoder,
}

/// An HTTP/1.1 client connection (see the [module docs](self)).
#[derive(Debug)]
pub struct Client {
    conn: ConnHandle,
    limits: Limits,
    /// The methods of the requests sent or queued, oldest first.
    methods: VecDeque<Vec<u8>>,
    output: Vec<u8>,
    sent: usize,
    input: Vec<u8>,
    reading: Option<Reading>,
    responses: VecDeque<Result<Fetched, ClientError>>,
    peer_closed: bool,
    /// No more responses will be read.
    finished: bool,
}

impl Client {
    /// Open a connection to `server`; requests may be queued at once.
    ///
    /// # Errors
    /// The host's [`ConnectError`].
    pub fn connect(
        now: Instant,
        host: &mut Host,
        server: SocketAddrV4,
    ) -> Result<Client, ConnectError> {
        Ok(Client {
            conn: host.tcp_connect(now, server, None, None)?,
            limits: Limits::DEFAULT,
            methods: VecDeque::new(),
            output: Vec::new(),
            sent: 0,
            input: Vec::with_capacity(16 * 1024),
            reading: None,
            responses: VecDeque::new(),
            peer_closed: false,
            finished: false,
        })
    }

    /// Return the connection's handle.
    pub fn handle(&self) -> ConnHandle {
        self.conn
    }

    /// Queue a request without a body: `method target`, a Host field of
    /// `authority`, and `Connection: close` when `close`.
    pub fn request(&mut self, method: &str, target: &str, authority: &str, close: bool) {
        self.output.extend_from_slice(method.as_bytes());
        self.output.push(b' ');
        self.output.extend_from_slice(target.as_bytes());
        self.output.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        self.output.extend_from_slice(authority.as_bytes());
        self.output.extend_from_slice(b"\r\nUser-Agent: synack\r\n");
        if close {
            self.output.extend_from_slice(b"Connection: close\r\n");
        }
        self.output.extend_from_slice(b"\r\n");
        self.methods.push_back(method.as_bytes().to_vec());
    }

    /// Queue `bytes` as they are, as one request whose method is `method`
    /// (for requests [`request`](Self::request) does not write: with a
    /// body, malformed, ...).
    pub fn request_raw(&mut self, bytes: &[u8], method: &str) {
        self.output.extend_from_slice(bytes);
        self.methods.push_back(method.as_bytes().to_vec());
    }

    /// Return whether the exchange is over: a response said the connection
    /// does not persist, the connection closed or failed, or
    /// [`close`](Self::close) was called.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Return how many requests await their response.
    pub fn outstanding(&self) -> usize {
        self.methods.len()
    }

    /// Return the next response (or why it failed), in request order.
    pub fn poll_response(&mut self) -> Option<Result<Fetched, ClientError>> {
        self.responses.pop_front()
    }

    /// Send, receive and parse as far as the connection goes at `now`.
    pub fn poll(&mut self, now: Instant, host: &mut Host) {
        if self.finished {
            return;
        }
        match host.tcp_state(self.conn) {
            Ok(State::SynSent | State::SynReceived) => return,
            Ok(State::Closed) | Err(_) => return self.fail_all(ClientError::Failed),
            Ok(_) => {}
        }
        while self.sent < self.output.len() {
            match host.tcp_send(now, self.conn, &self.output[self.sent..]) {
                Ok(0) | Err(CallError::Tcp(SendError::WouldBlock)) => break,
                Ok(n) => self.sent += n,
                Err(_) => return self.fail_all(ClientError::Failed),
            }
        }
        if self.sent == self.output.len() {
            self.output.clear();
            self.sent = 0;
        }
        let mut buf = [0u8; 4096];
        while !self.peer_closed {
            match host.tcp_recv(self.conn, &mut buf) {
                Ok(0) => self.peer_closed = true,
                Ok(n) => self.input.extend_from_slice(&buf[..n]),
                Err(CallError::Tcp(RecvError::WouldBlock)) => break,
                Err(_) => return self.fail_all(ClientError::Failed),
            }
        }
        self.parse();
    }

    /// Close the connection: a FIN after what is queued.
    pub fn close(&mut self, host: &mut Host) {
        let _ = host.tcp_shutdown(self.conn, Shutdown::Write);
        let _ = host.tcp_close(self.conn);
        self.finished = true;
    }

    /// Read the responses the input holds.
    fn parse(&mut self) {
        let mut at = 0;
        while !self.finished {
            let rest = &self.input[at..];
            if let Some(reading) = &mut self.reading {
                match reading.decoder.decode(rest) {
                    Ok(decoded) => {
                        at += decoded.consumed;
                        match decoded.event {
                            Event::Data(data) => reading.fetched.body.extend_from_slice(data),
                            Event::Trailer(_) => {}
                            Event::End => self.complete(),
                            Event::Partial if self.peer_closed => {
                                if matches!(reading.decoder, BodyDecoder::UntilClose) {
                                    self.complete();
                                } else {
                                    self.fail_all(ClientError::Closed);
                                }
                            }
                            Event::Partial => break,
                        }
                    }
                    Err(e) => self.fail_all(ClientError::Http(e)),
                }
                continue;
            }
            let Some(method) = self.methods.front() else {
                break;
            };
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            match Response::parse(rest, &mut headers, method, &self.limits) {
                Ok(Status::Complete(response)) => {
                    at += response.head_len;
                    // 1xx responses are interim: the final one follows.
                    if response.code < 200 {
                        continue;
                    }
                    let fetched = Fetched {
                        code: response.code,
                        headers: response
                            .headers
                            .iter()
                            .map(|h| (h.name.to_vec(), h.value.to_vec()))
                            .collect(),
                        body: Vec::new(),
                        chunked: response.body == Body::Chunked,
                        keep_alive: response.keep_alive,
                    };
                    let decoder = BodyDecoder::new(response.body, &self.limits);
                    self.reading = Some(Reading { fetched, decoder });
                }
                Ok(Status::Partial) if self.peer_closed => self.fail_all(ClientError::Closed),
                Ok(Status::Partial) => break,
                Err(e) => self.fail_all(ClientError::Http(e)),
            }
        }
        self.input.drain(..at.min(self.input.len()));
    }

    /// The response being read is whole.
    fn complete(&mut self) {
        let Some(reading) = self.reading.take() else {
            return;
        };
        self.methods.pop_front();
        let keep_alive = reading.fetched.keep_alive;
        self.responses.push_back(Ok(reading.fetched));
        if !keep_alive {
            self.fail_all(ClientError::Closed);
        }
    }

    /// Fail every request still waiting, and stop reading.
    fn fail_all(&mut self, error: ClientError) {
        // The response being read, if any, answers the oldest method.
        self.reading = None;
        for _ in self.methods.drain(..) {
            self.responses.push_back(Err(error));
        }
        self.finished = true;
    }
}
