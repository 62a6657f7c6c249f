//! Throughput of decoding, minimising and encoding large Matomo answers, against a plain
//! `serde_json::Value` round trip of the same bytes. (Peak memory is in `benches/memory.rs`,
//! whose counting allocator would slow these timings down.)
//!
//! `cargo bench -p matomo-privacy-mcp-core --bench pipeline`; see `benches/README.md` for results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use matomo_privacy_mcp_core::minimise::{Generaliser, Scrubber, Threshold};
use matomo_privacy_mcp_core::privacy::PseudonymKey;

mod data;
mod pipelines;

use pipelines::{args, noise, noisy_report_pipeline, plain, report_pipeline, visit_pipeline};

const ROWS: [usize; 3] = [1_000, 10_000, 100_000];
const VISITS: usize = 10_000;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// One timed pass of each, for a quick rows/s and ratio table next to criterion's numbers.
fn quick_table(scrubber: &Scrubber, threshold: Threshold, generaliser: &Generaliser<'_>) {
    let args = args();
    let time = |f: &dyn Fn() -> usize| {
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let started = Instant::now();
            black_box(f());
            best = best.min(started.elapsed());
        }
        best
    };
    println!("best of 3 passes: input | plain MB/s | full MB/s | full rows/s | ratio full/plain");
    let line = |name: String, rows: usize, body: &[u8], full: &dyn Fn() -> usize| {
        let a = time(&|| plain(body));
        let b = time(full);
        println!(
            "  {name:<22} {:>8.1} {:>8.1} {:>12.0} {:>6.2}",
            mb(body.len()) / a.as_secs_f64(),
            mb(body.len()) / b.as_secs_f64(),
            rows as f64 / b.as_secs_f64(),
            b.as_secs_f64() / a.as_secs_f64()
        );
    };
    for rows in ROWS {
        let body = data::page_urls(rows, 42);
        line(format!("page_urls {rows}"), rows, &body, &|| {
            report_pipeline(&body, scrubber, threshold, &args)
        });
    }
    // Differential privacy on, next to it off, on the same body: passes taking turns, the best
    // of ten each (the machine's speed drifts more than the difference between them).
    let noise = noise();
    println!("noise on vs off, best of 10 taking turns: input | off µs | on µs | extra");
    for rows in ROWS {
        let body = data::page_urls(rows, 42);
        let (mut off, mut on) = (Duration::MAX, Duration::MAX);
        for _ in 0..10 {
            let started = Instant::now();
            black_box(report_pipeline(&body, scrubber, threshold, &args));
            off = off.min(started.elapsed());
            let started = Instant::now();
            black_box(noisy_report_pipeline(
                &body, scrubber, threshold, &args, &noise,
            ));
            on = on.min(started.elapsed());
        }
        println!(
            "  page_urls {rows:<12} {:>10.0} {:>10.0} {:>6.1}%",
            off.as_secs_f64() * 1e6,
            on.as_secs_f64() * 1e6,
            (on.as_secs_f64() / off.as_secs_f64() - 1.0) * 100.0
        );
    }
    let body = data::visit_log(VISITS, 42);
    line(format!("visit_log {VISITS}"), VISITS, &body, &|| {
        visit_pipeline(&body, generaliser)
    });
}

fn benches(
    c: &mut Criterion,
    scrubber: &Scrubber,
    threshold: Threshold,
    generaliser: &Generaliser<'_>,
) {
    let args = args();
    let noise = noise();
    let mut group = c.benchmark_group("page_urls");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    for rows in ROWS {
        let body = data::page_urls(rows, 42);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("plain_value", rows), &body, |b, body| {
            b.iter(|| plain(body))
        });
        group.bench_with_input(BenchmarkId::new("full_pipeline", rows), &body, |b, body| {
            b.iter(|| report_pipeline(body, scrubber, threshold, &args))
        });
        group.bench_with_input(
            BenchmarkId::new("noisy_pipeline", rows),
            &body,
            |b, body| b.iter(|| noisy_report_pipeline(body, scrubber, threshold, &args, &noise)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("visit_log");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    let body = data::visit_log(VISITS, 42);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_with_input(BenchmarkId::new("plain_value", VISITS), &body, |b, body| {
        b.iter(|| plain(body))
    });
    group.bench_with_input(
        BenchmarkId::new("full_pipeline", VISITS),
        &body,
        |b, body| b.iter(|| visit_pipeline(body, generaliser)),
    );
    group.finish();
}

fn main() {
    let scrubber = Scrubber::builder()
        .build()
        .expect("built-in patterns compile");
    let threshold = Threshold::default();
    let key = PseudonymKey::from_bytes(vec![7; 32]).expect("a 32-byte key");
    let generaliser = Generaliser::new(&key, &scrubber);
    let quick = std::env::args().any(|a| a == "--quick-table");
    quick_table(&scrubber, threshold, &generaliser);
    if quick {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &scrubber, threshold, &generaliser);
    c.final_summary();
}
