//! The server and the client on two reference hosts across a simulated
//! link (`stack::host::sim::Pair`): keep-alive, pipelining, close, chunked
//! pages, and the parser's errors answered with their status codes.

use core::net::SocketAddrV4;
use core::time::Duration;

use stack::device::PipeConfig;
use stack::host::sim::Pair;
use stack::host::HostConfig;
use stack::tcp::State;
use stack::time::Instant;
use stack::wire::{EthernetAddress, Ipv4Addr};

use crate::http::client::{Client, ClientError, Fetched};
use crate::http::server::{Server, ServerConfig, ServerEvent};
use crate::http::Error;

const SERVER_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
const SERVER: SocketAddrV4 = SocketAddrV4::new(SERVER_IP, 80);
const AUTHORITY: &str = "198.51.100.2";

/// The page bodies.
fn big() -> Vec<u8> {
    (0..10_000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

fn setup() -> (Pair<stack::device::Pipe>, Server, Client) {
    let b = HostConfig {
        mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
        ipv4: SERVER_IP,
        seed: 2,
        ..HostConfig::default()
    };
    let link = PipeConfig {
        latency: Duration::from_millis(1),
        ..PipeConfig::default()
    };
    let mut pair = Pair::new(HostConfig::default(), b, link).unwrap();
    let local = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 80);
    let mut server = Server::bind(&mut pair.b.host, local, 8, ServerConfig::default()).unwrap();
    server.add_page("/", "text/html", "<h1>synack</h1>\n");
    server.add_page("/a.txt", "text/plain", "page a\n");
    server.add_page("/big", "application/octet-stream", big());
    server.add_chunked_page("/chunked", "text/plain", big());
    let client = Client::connect(pair.now, &mut pair.a.host, SERVER).unwrap();
    (pair, server, client)
}

/// Poll both applications and run the link until it is quiet, a few
/// times, at the current instant. (A socket call makes the host ask to be
/// polled at once, so a step after it is never quiet.)
fn turn(
    pair: &mut Pair<stack::device::Pipe>,
    server: &mut Server,
    client: &mut Client,
    got: &mut Vec<Result<Fetched, ClientError>>,
) {
    for _ in 0..3 {
        server.poll(pair.now, &mut pair.b.host);
        client.poll(pair.now, &mut pair.a.host);
        got.extend(std::iter::from_fn(|| client.poll_response()));
        while pair.step().unwrap() {}
    }
}

/// Run until the client has `n` responses; return them.
fn run(
    pair: &mut Pair<stack::device::Pipe>,
    server: &mut Server,
    client: &mut Client,
    n: usize,
) -> Vec<Result<Fetched, ClientError>> {
    let mut got = Vec::new();
    for _ in 0..10_000 {
        turn(pair, server, client, &mut got);
        if got.len() >= n {
            return got;
        }
        let Some(next) = pair.next_event() else {
            panic!("stalled with {} responses: {got:?}", got.len());
        };
        assert!(
            next < Instant::ZERO + Duration::from_secs(600),
            "ran too long"
        );
        pair.now = pair.now.max(next);
    }
    panic!("no end after 10000 turns")
}

/// Let `span` of virtual time pass with both applications polled.
fn settle(
    pair: &mut Pair<stack::device::Pipe>,
    server: &mut Server,
    client: &mut Client,
    span: Duration,
) {
    let end = pair.now + span;
    let mut got = Vec::new();
    while pair.now < end {
        turn(pair, server, client, &mut got);
        pair.now = pair.next_event().map_or(end, |t| t.min(end)).max(pair.now);
    }
    assert!(got.is_empty(), "{got:?}");
}

fn events(server: &mut Server) -> Vec<ServerEvent> {
    std::iter::from_fn(|| server.poll_event()).collect()
}

#[test]
fn keep_alive_serves_two_requests_on_one_connection() {
    let (mut pair, mut server, mut client) = setup();
    client.request("GET", "/", AUTHORITY, false);
    let first = run(&mut pair, &mut server, &mut client, 1);
    client.request("GET", "/a.txt?x=1", AUTHORITY, false);
    let second = run(&mut pair, &mut server, &mut client, 1);
    let (first, second) = (first[0].clone().unwrap(), second[0].clone().unwrap());
    assert_eq!(
        (first.code, &first.body[..]),
        (200, &b"<h1>synack</h1>\n"[..])
    );
    assert_eq!((second.code, &second.body[..]), (200, &b"page a\n"[..]));
    assert!(first.keep_alive && second.keep_alive);
    assert_eq!(first.header("content-type"), Some(&b"text/html"[..]));
    assert_eq!(server.connections(), 1);
    let accepted = events(&mut server)
        .iter()
        .filter(|e| matches!(e, ServerEvent::Accepted { .. }))
        .count();
    assert_eq!(accepted, 1);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let (mut pair, mut server, mut client) = setup();
    for target in ["/big", "/nope", "/a.txt"] {
        client.request("GET", target, AUTHORITY, false);
    }
    let got = run(&mut pair, &mut server, &mut client, 3);
    let got: Vec<(u16, Vec<u8>)> = got
        .into_iter()
        .map(|r| r.map(|f| (f.code, f.body)).unwrap())
        .collect();
    assert_eq!(
        got,
        [
            (200, big()),
            (404, b"not found\n".to_vec()),
            (200, b"page a\n".to_vec())
        ]
    );
}

#[test]
fn connection_close_gets_a_response_then_a_fin() {
    let (mut pair, mut server, mut client) = setup();
    client.request("GET", "/a.txt", AUTHORITY, true);
    // Pipelined after the closing request: never answered (RFC 9112 9.6).
    client.request("GET", "/", AUTHORITY, false);
    let got = run(&mut pair, &mut server, &mut client, 2);
    settle(
        &mut pair,
        &mut server,
        &mut client,
        Duration::from_millis(100),
    );
    let first = got[0].clone().unwrap();
    assert_eq!(first.header("connection"), Some(&b"close"[..]));
    assert!(!first.keep_alive);
    assert_eq!(got[1], Err(ClientError::Closed));
    // The server's FIN arrived: the client's connection is in CLOSE-WAIT.
    let state = pair.a.host.tcp_state(client.handle()).unwrap();
    assert_eq!(state, State::CloseWait);
    client.close(&mut pair.a.host);
    settle(&mut pair, &mut server, &mut client, Duration::from_secs(1));
    assert_eq!(server.connections(), 0);
    let closed = events(&mut server)
        .into_iter()
        .find(|e| matches!(e, ServerEvent::Closed { .. }));
    assert!(
        matches!(closed, Some(ServerEvent::Closed { graceful: true, .. })),
        "{closed:?}"
    );
}

#[test]
fn chunked_page_is_decoded() {
    let (mut pair, mut server, mut client) = setup();
    client.request("GET", "/chunked", AUTHORITY, false);
    client.request("HEAD", "/chunked", AUTHORITY, false);
    let got = run(&mut pair, &mut server, &mut client, 2);
    let (get, head) = (got[0].clone().unwrap(), got[1].clone().unwrap());
    assert!(get.chunked && get.header("content-length").is_none());
    assert_eq!(get.body, big());
    assert!(head.body.is_empty());
    assert_eq!(head.header("transfer-encoding"), Some(&b"chunked"[..]));
}

#[test]
fn other_methods_get_405_with_allow() {
    let (mut pair, mut server, mut client) = setup();
    client.request_raw(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST",
    );
    client.request("GET", "/a.txt", AUTHORITY, false);
    let got = run(&mut pair, &mut server, &mut client, 2);
    let post = got[0].clone().unwrap();
    assert_eq!(post.code, 405);
    assert_eq!(post.header("allow"), Some(&b"GET, HEAD"[..]));
    // The body was read past: the next request is answered.
    assert_eq!(got[1].clone().unwrap().body, b"page a\n");
}

/// Send `raw`, return the one response and the server's rejection.
fn rejected(raw: &[u8]) -> (Fetched, Option<Error>) {
    let (mut pair, mut server, mut client) = setup();
    client.request_raw(raw, "GET");
    let got = run(&mut pair, &mut server, &mut client, 1);
    let error = events(&mut server).into_iter().find_map(|e| match e {
        ServerEvent::Rejected { error, .. } => Some(error),
        _ => None,
    });
    (got[0].clone().unwrap(), error)
}

#[test]
fn parse_errors_are_answered_with_their_status_and_a_close() {
    let (response, error) = rejected(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n");
    assert_eq!(error, Some(Error::WhitespaceBeforeColon));
    assert_eq!(response.code, 400);
    assert_eq!(response.body, b"whitespace between field name and colon\n");
    assert!(!response.keep_alive);

    let (response, error) = rejected(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!((response.code, error), (400, Some(Error::MissingHost)));

    let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..40 {
        many.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let (response, error) = rejected(&many);
    assert_eq!((response.code, error), (431, Some(Error::TooManyHeaders)));

    let mut huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    huge.resize(20_000, b'a');
    let (response, error) = rejected(&huge);
    assert_eq!((response.code, error), (431, Some(Error::HeadTooLarge)));
}
