//! Server-side time to build one 100-job page (JSON body) out of 100,000 jobs: the
//! sandbox must never be the bottleneck when the SDK is measured.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hpc_sandbox::BenchJobs;

fn serve_page(c: &mut Criterion) {
    let jobs = BenchJobs::seeded(100_000, 7);
    c.bench_function("page of 100 from 100,000 jobs", |b| {
        b.iter(|| jobs.page_json(black_box(50_000), black_box(100), false))
    });
    c.bench_function("last page of 100 from 100,000 jobs, reversed", |b| {
        b.iter(|| jobs.page_json(black_box(99_900), black_box(100), true))
    });
}

criterion_group!(benches, serve_page);
criterion_main!(benches);
