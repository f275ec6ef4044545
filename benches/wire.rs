//! Wire-layer benchmarks, side by side with etherparse and smoltcp.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

fn checksum(c: &mut Criterion) {
    let data: Vec<u8> = (0..1480u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut g = c.benchmark_group("checksum_1480");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(BenchmarkId::new("synack", 1480), |b| {
        b.iter(|| stack::wire::checksum::data(black_box(&data)))
    });
    g.bench_function(BenchmarkId::new("smoltcp", 1480), |b| {
        b.iter(|| smoltcp::wire::checksum::data(black_box(&data)))
    });
    g.finish();
}

criterion_group!(benches, checksum);
criterion_main!(benches);
