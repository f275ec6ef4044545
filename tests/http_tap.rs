//! HTTP/1.1 over TAP: the reference stack's HTTP server and client
//! (`apps::http::server`, `apps::http::client`) and the Linux kernel's TCP,
//! in a namespace of their own (see `tests/common`).
//!
//! - The kernel's std `TcpStream` fetches from the reference server: two
//!   requests on one connection (keep-alive), three pipelined requests
//!   answered in order, `Connection: close` answered and followed by a FIN
//!   (read returns 0), a chunked page, and a malformed request answered 400.
//! - curl, run in the namespace, fetches several pages on one connection
//!   and a chunked page (curl decodes it; the bodies are compared).
//! - The reference client fetches three pipelined requests from a kernel
//!   `TcpListener` server: a Content-Length body, a chunked body, and a body
//!   delimited by the close.

mod common;

use core::net::SocketAddrV4;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use apps::http::client::{Client, ClientError, Fetched};
use apps::http::server::{Server, ServerConfig, ServerEvent};
use apps::http::{emit_chunk, BodyDecoder, Event, Limits, Request, Response, Status, EMPTY_HEADER};
use common::{beside_host, curl, have_curl, host_driver, in_namespace, KERNEL_WAIT};
use synack::serve::{HOST_ADDR, KERNEL_ADDR};

/// The server's port on the reference host.
const HTTP_PORT: u16 = 80;
/// The kernel's server port.
const KERNEL_PORT: u16 = 8080;

/// A page that takes several segments: 20 000 bytes.
fn big() -> Vec<u8> {
    (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

/// The reference host's server, with its pages.
fn server(host: &mut stack::host::Host) -> Server {
    let local = SocketAddrV4::new(HOST_ADDR, HTTP_PORT);
    let mut server = Server::bind(host, local, 16, ServerConfig::default()).unwrap();
    server.add_page("/", "text/html", "<h1>synack</h1>\n");
    server.add_page("/a.txt", "text/plain", "page a\n");
    server.add_page("/big", "application/octet-stream", big());
    server.add_chunked_page("/chunked", "application/octet-stream", big());
    server
}

/// A response as the kernel's side read it.
#[derive(Debug)]
struct Got {
    code: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| &v[..])
    }
}

/// Read one response to `method` from `stream`, keeping what follows it in
/// `buffered`.
fn read_response(stream: &mut TcpStream, buffered: &mut Vec<u8>, method: &[u8]) -> Got {
    let mut chunk = [0u8; 8192];
    let mut fill = |stream: &mut TcpStream, buffered: &mut Vec<u8>| {
        let n = stream.read(&mut chunk).expect("the kernel's read");
        assert!(n > 0, "the connection closed inside a response");
        buffered.extend_from_slice(&chunk[..n]);
    };
    let (mut got, mut decoder) = loop {
        let mut headers = [EMPTY_HEADER; 32];
        match Response::parse(buffered, &mut headers, method, &Limits::DEFAULT).unwrap() {
            Status::Complete(r) => {
                let got = Got {
                    code: r.code,
                    headers: r
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name_str().to_owned(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: Vec::new(),
                    keep_alive: r.keep_alive,
                };
                let decoder = BodyDecoder::new(r.body, &Limits::DEFAULT);
                let head_len = r.head_len;
                buffered.drain(..head_len);
                break (got, decoder);
            }
            Status::Partial => fill(stream, buffered),
        }
    };
    loop {
        let decoded = decoder.decode(buffered).unwrap();
        let consumed = decoded.consumed;
        let end = match decoded.event {
            Event::Data(data) => {
                got.body.extend_from_slice(data);
                false
            }
            Event::Trailer(_) => false,
            Event::End => true,
            Event::Partial => {
                buffered.drain(..consumed);
                fill(stream, buffered);
                continue;
            }
        };
        buffered.drain(..consumed);
        if end {
            return got;
        }
    }
}

/// Connect the kernel to the reference server.
fn connect() -> TcpStream {
    let addr = SocketAddrV4::new(HOST_ADDR, HTTP_PORT);
    let stream = TcpStream::connect_timeout(&addr.into(), KERNEL_WAIT).unwrap();
    stream.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    stream.set_write_timeout(Some(KERNEL_WAIT)).unwrap();
    stream
}

fn get(target: &str, close: bool) -> String {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {target} HTTP/1.1\r\nHost: 198.51.100.2\r\n{connection}\r\n")
}

/// Serve from the reference host while `kernel` runs; return what it
/// returned and the server's events.
fn with_server<K: Send>(
    test: &str,
    kernel: impl FnOnce() -> K + Send,
) -> Option<(K, Vec<ServerEvent>)> {
    in_namespace(test, |tap| {
        let mut driver = host_driver(tap);
        let mut server = server(driver.host_mut());
        let mut events = Vec::new();
        let kernel = beside_host(
            &mut driver,
            |host, now| {
                server.poll(now, host);
                events.extend(std::iter::from_fn(|| server.poll_event()));
                true
            },
            kernel,
        );
        (kernel, events)
    })
}

#[test]
fn kernel_keeps_one_connection_alive_for_two_requests() {
    let run = with_server("kernel_keeps_one_connection_alive_for_two_requests", || {
        let mut stream = connect();
        let mut buffered = Vec::new();
        stream.write_all(get("/", false).as_bytes()).unwrap();
        let first = read_response(&mut stream, &mut buffered, b"GET");
        stream.write_all(get("/big", false).as_bytes()).unwrap();
        let second = read_response(&mut stream, &mut buffered, b"GET");
        (first, second)
    });
    let Some(((first, second), events)) = run else {
        return;
    };
    assert_eq!(
        (first.code, &first.body[..]),
        (200, &b"<h1>synack</h1>\n"[..])
    );
    assert_eq!(first.header("content-type"), Some("text/html"));
    assert!(first.keep_alive && second.keep_alive);
    assert_eq!(second.code, 200);
    assert!(second.body == big(), "the 20 000-byte page differs");
    let accepted = events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Accepted { .. }));
    assert_eq!(accepted.count(), 1, "{events:?}");
}

#[test]
fn kernel_pipelines_three_requests_answered_in_order() {
    let run = with_server("kernel_pipelines_three_requests_answered_in_order", || {
        let mut stream = connect();
        let mut buffered = Vec::new();
        // One write: all three requests may arrive in one segment.
        let requests = [
            get("/big", false),
            get("/missing", false),
            get("/a.txt", false),
        ]
        .concat();
        stream.write_all(requests.as_bytes()).unwrap();
        (0..3)
            .map(|_| read_response(&mut stream, &mut buffered, b"GET"))
            .collect::<Vec<_>>()
    });
    let Some((got, _)) = run else {
        return;
    };
    let got: Vec<(u16, Vec<u8>)> = got.into_iter().map(|g| (g.code, g.body)).collect();
    assert_eq!(got[0].0, 200);
    assert!(got[0].1 == big(), "the first response is not /big");
    assert_eq!(got[1], (404, b"not found\n".to_vec()));
    assert_eq!(got[2], (200, b"page a\n".to_vec()));
}

#[test]
fn connection_close_is_answered_then_the_server_sends_its_fin() {
    let run = with_server(
        "connection_close_is_answered_then_the_server_sends_its_fin",
        || {
            let mut stream = connect();
            let mut buffered = Vec::new();
            stream.write_all(get("/a.txt", true).as_bytes()).unwrap();
            let got = read_response(&mut stream, &mut buffered, b"GET");
            // The FIN: read returns 0 once what was buffered is taken.
            let mut rest = [0u8; 64];
            let after = stream.read(&mut rest).unwrap();
            (got, buffered, after)
        },
    );
    let Some(((got, buffered, after), events)) = run else {
        return;
    };
    assert_eq!((got.code, &got.body[..]), (200, &b"page a\n"[..]));
    assert_eq!(got.header("connection"), Some("close"));
    assert!(!got.keep_alive);
    assert!(
        buffered.is_empty(),
        "bytes after the response: {buffered:?}"
    );
    assert_eq!(after, 0, "no FIN after the response");
    let closed = events
        .iter()
        .find(|e| matches!(e, ServerEvent::Closed { .. }));
    assert!(
        matches!(closed, Some(ServerEvent::Closed { graceful: true, .. })),
        "{events:?}"
    );
}

#[test]
fn chunked_page_and_a_malformed_request() {
    let run = with_server("chunked_page_and_a_malformed_request", || {
        let mut stream = connect();
        let mut buffered = Vec::new();
        stream.write_all(get("/chunked", false).as_bytes()).unwrap();
        let chunked = read_response(&mut stream, &mut buffered, b"GET");
        // Whitespace before the colon: RFC 9112 5.1 says 400.
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n")
            .unwrap();
        let bad = read_response(&mut stream, &mut buffered, b"GET");
        let mut rest = [0u8; 64];
        let after = stream.read(&mut rest).unwrap();
        (chunked, bad, after)
    });
    let Some(((chunked, bad, after), events)) = run else {
        return;
    };
    assert_eq!(chunked.header("transfer-encoding"), Some("chunked"));
    assert!(chunked.body == big(), "the chunked body differs");
    assert_eq!(bad.code, 400);
    assert_eq!(bad.body, b"whitespace between field name and colon\n");
    assert_eq!(after, 0, "no FIN after the 400");
    assert!(events.iter().any(|e| matches!(
        e,
        ServerEvent::Rejected {
            error: apps::http::Error::WhitespaceBeforeColon,
            ..
        }
    )));
}

#[test]
fn curl_fetches_pages_on_one_connection_and_decodes_a_chunked_page() {
    let test = "curl_fetches_pages_on_one_connection_and_decodes_a_chunked_page";
    if !have_curl(test) {
        return;
    }
    let run = with_server(test, || {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let (files, urls): (Vec<String>, Vec<String>) = ["/", "/big", "/chunked", "/a.txt"]
            .iter()
            .enumerate()
            .map(|(i, p)| (path(&format!("{i}.out")), format!("http://198.51.100.2{p}")))
            .unzip();
        let mut args = vec!["--http1.1", "--write-out", "%{http_code} %{num_connects}\n"];
        for (file, url) in files.iter().zip(&urls) {
            args.extend(["--output", file.as_str(), url.as_str()]);
        }
        let (status, stdout, stderr) = curl(&args);
        let bodies: Vec<Vec<u8>> = files
            .iter()
            .map(|f| std::fs::read(f).unwrap_or_default())
            .collect();
        (
            status,
            String::from_utf8_lossy(&stdout).into_owned(),
            stderr,
            bodies,
        )
    });
    let Some(((status, stdout, stderr, bodies), events)) = run else {
        return;
    };
    assert!(status.success(), "curl failed: {stderr}");
    // One line per URL: the status, and the connections curl opened for
    // it: one for the first, none for the others (the connection was kept).
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, ["200 1", "200 0", "200 0", "200 0"], "{stderr}");
    assert_eq!(bodies[0], b"<h1>synack</h1>\n");
    assert!(bodies[1] == big(), "/big differs");
    assert!(bodies[2] == big(), "/chunked, decoded by curl, differs");
    assert_eq!(bodies[3], b"page a\n");
    let accepted = events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Accepted { .. }));
    assert_eq!(accepted.count(), 1, "{events:?}");
}

/// The kernel's server: answer the three pipelined requests of the test
/// client in order, then close.
fn kernel_server(listener: &TcpListener) -> Vec<String> {
    let (mut stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(KERNEL_WAIT)).unwrap();
    let mut buffered = Vec::new();
    let mut targets = Vec::new();
    let mut chunk = [0u8; 4096];
    while targets.len() < 3 {
        let mut headers = [EMPTY_HEADER; 32];
        match Request::parse(&buffered, &mut headers, &Limits::DEFAULT).unwrap() {
            Status::Complete(request) => {
                targets.push(request.target_str().to_owned());
                let head_len = request.head_len;
                buffered.drain(..head_len);
            }
            Status::Partial => {
                let n = stream.read(&mut chunk).unwrap();
                assert!(n > 0, "the client closed early");
                buffered.extend_from_slice(&chunk[..n]);
            }
        }
    }
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nfirst\n".to_vec();
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for part in big().chunks(3000) {
        let start = out.len();
        out.resize(start + apps::http::chunk_len(part.len()), 0);
        emit_chunk(part, &mut out[start..]);
    }
    out.extend_from_slice(b"0\r\n\r\n");
    // No Content-Length: the body runs to the close (RFC 9112 6.3 rule 7).
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close\n");
    stream.write_all(&out).unwrap();
    targets
}

#[test]
fn reference_client_pipelines_three_requests_to_a_kernel_server() {
    let run = in_namespace(
        "reference_client_pipelines_three_requests_to_a_kernel_server",
        |tap| {
            let listener = TcpListener::bind((KERNEL_ADDR, KERNEL_PORT)).unwrap();
            let mut driver = host_driver(tap);
            let remote = SocketAddrV4::new(KERNEL_ADDR, KERNEL_PORT);
            let mut client = Client::connect(driver.now(), driver.host_mut(), remote).unwrap();
            for target in ["/one", "/two", "/three"] {
                client.request("GET", target, "198.51.100.1:8080", false);
            }
            let mut got: Vec<Result<Fetched, ClientError>> = Vec::new();
            let targets = beside_host(
                &mut driver,
                |host, now| {
                    client.poll(now, host);
                    got.extend(std::iter::from_fn(|| client.poll_response()));
                    got.len() == 3
                },
                || kernel_server(&listener),
            );
            (targets, got)
        },
    );
    let Some((targets, got)) = run else {
        return;
    };
    assert_eq!(targets, ["/one", "/two", "/three"]);
    let got: Vec<Fetched> = got.into_iter().map(Result::unwrap).collect();
    assert_eq!((got[0].code, &got[0].body[..]), (200, &b"first\n"[..]));
    assert!(got[1].chunked);
    assert!(got[1].body == big(), "the chunked body differs");
    assert_eq!(got[2].body, b"until the close\n");
    assert!(!got[2].keep_alive);
}
