//! HTTP/1.1 request parsing, side by side with httparse on the same bytes.
//!
//! synack's parser does more per request than httparse: it also works out
//! the body framing, keep-alive, the target form and the Host rules. Both
//! get 32 field-line slots.
//!
//! Each sample is the fastest of ten slices of its iterations ([`timed`],
//! as in `benches/wire.rs`): the machines this runs on are shared, and a
//! slice another process interrupted would otherwise decide the median.
use std::hint::black_box;
use std::time::{Duration, Instant};

use apps::http::{Limits, Request, Status, EMPTY_HEADER};
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion, Throughput};

/// The smallest useful request.
const SMALL_GET: &[u8] = b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";

/// A browser-like request with 20 field lines.
const TWENTY_HEADERS: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x\r\n\
Referer: http://www.kittyhell.com/\r\n\
Cache-Control: max-age=0\r\n\
If-Modified-Since: Tue, 30 Mar 2010 08:12:19 GMT\r\n\
If-None-Match: \"3c2f0a-7fa8-4830e2a2a32c0\"\r\n\
DNT: 1\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: image\r\n\
Sec-Fetch-Mode: no-cors\r\n\
Sec-Fetch-Site: same-origin\r\n\
Pragma: no-cache\r\n\
X-Request-Id: 4bf92f3577b34da6a3ce929d0e0e4736\r\n\r\n";

/// Three pipelined requests, without bodies.
const PIPELINED: &[u8] = b"GET /a HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n\
GET /b?page=2 HTTP/1.1\r\nHost: example.org\r\nAccept: text/html\r\nUser-Agent: bench/1\r\n\r\n\
GET /c.css HTTP/1.1\r\nHost: example.org\r\nAccept: text/css\r\nReferer: http://example.org/a\r\n\r\n";

/// Parse every request of `buf` with synack; return the bytes parsed.
fn synack(buf: &[u8]) -> usize {
    let mut at = 0;
    while at < buf.len() {
        let mut headers = [EMPTY_HEADER; 32];
        match Request::parse(&buf[at..], &mut headers, &Limits::DEFAULT) {
            Ok(Status::Complete(request)) => at += request.head_len,
            other => panic!("{other:?}"),
        }
    }
    at
}

/// Parse every request of `buf` with httparse; return the bytes parsed.
fn httparse(buf: &[u8]) -> usize {
    let mut at = 0;
    while at < buf.len() {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf[at..]) {
            Ok(httparse::Status::Complete(n)) => at += n,
            other => panic!("{other:?}"),
        }
    }
    at
}

/// Slices per criterion sample; see [`timed`].
const SLICES: u64 = 10;

/// Time `routine` for criterion, robustly on a shared machine: each sample's
/// iterations run in [`SLICES`] equal slices, and the sample is the fastest
/// slice scaled to the whole count. Another process can only add time to a
/// slice, so a sample it interrupted is not counted; both parsers are timed
/// the same way. Set `SYNACK_BENCH_PLAIN=1` for criterion's plain `iter`.
fn timed<O>(b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
    if std::env::var_os("SYNACK_BENCH_PLAIN").is_some() {
        return b.iter(routine);
    }
    b.iter_custom(|iters| {
        let per_slice = (iters / SLICES).max(1);
        let mut fastest = Duration::MAX;
        for _ in 0..SLICES {
            let start = Instant::now();
            for _ in 0..per_slice {
                black_box(routine());
            }
            fastest = fastest.min(start.elapsed());
        }
        fastest.mul_f64(iters as f64 / per_slice as f64)
    })
}

fn requests(c: &mut Criterion) {
    let mut g = c.benchmark_group("http_request");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for (name, buf) in [
        ("small_get", SMALL_GET),
        ("20_headers", TWENTY_HEADERS),
        ("pipelined_3", PIPELINED),
    ] {
        assert_eq!((synack(buf), httparse(buf)), (buf.len(), buf.len()));
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.bench_function(BenchmarkId::new("synack", name), |b| {
            timed(b, || synack(black_box(buf)))
        });
        g.bench_function(BenchmarkId::new("httparse", name), |b| {
            timed(b, || httparse(black_box(buf)))
        });
    }
    g.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
