//! Throughput of decoding, minimising and encoding large Matomo answers, against a plain
//! `serde_json::Value` round trip of the same bytes; and the peak memory of the full pipeline.
//!
//! `cargo bench -p matomo-mcp-core --bench pipeline`; see `benches/README.md` for results.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use matomo_mcp_core::catalogue::tools::visit_log::VisitLog;
use matomo_mcp_core::catalogue::{Labels, ReportArgs, render_report, report_from_body};
use matomo_mcp_core::minimise::{Generaliser, Scrubber, Threshold};
use matomo_mcp_core::models::{actions, live};
use matomo_mcp_core::privacy::PseudonymKey;
use peak_alloc::PeakAlloc;
use serde_json::Value;

mod data;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const ROWS: [usize; 3] = [1_000, 10_000, 100_000];
const VISITS: usize = 10_000;

fn args() -> ReportArgs {
    serde_json::from_value(serde_json::json!({
        "site": 1, "period": "range", "date": "2026-11-12,2026-11-25", "limit": 100
    }))
    .expect("valid arguments")
}

/// (a) The floor: parse the body into a `Value` and write it out again.
fn plain(body: &[u8]) -> usize {
    let value: Value = serde_json::from_slice(body).expect("generated JSON");
    serde_json::to_vec(&value).expect("serialisable").len()
}

/// (b) What a report tool does with Matomo's answer: typed decode, scrub, merge, threshold,
/// sort and page, then the structured and the text content of the tool result.
fn report_pipeline(
    body: &[u8],
    scrubber: &Scrubber,
    threshold: Threshold,
    args: &ReportArgs,
) -> usize {
    let output =
        report_from_body::<actions::GetPageUrls>(body, scrubber, threshold, Labels::Url, args)
            .expect("the pipeline accepts the report");
    let structured = serde_json::to_value(&output).expect("serialisable");
    let text = render_report(&output);
    structured.as_object().map_or(0, |o| o.len()) + text.len()
}

/// (b) for the visit log: typed decode, generalisation (pseudonyms, coarse times, scrubbed
/// URLs) of every visit, structured and text encoding.
fn visit_pipeline(body: &[u8], generaliser: &Generaliser<'_>) -> usize {
    let visits: <live::GetLastVisitsDetails as matomo_mcp_core::models::Report>::Output =
        matomo_mcp_core::models::decode(body).expect("generated visits decode");
    let log = VisitLog {
        visits: visits.iter().map(|v| generaliser.visit(v)).collect(),
    };
    let structured = serde_json::to_string(&log).expect("serialisable");
    let text: usize = log
        .visits
        .iter()
        .map(|v| format!("{:?} {:?} {}", v.visitor, v.started, v.actions.len()).len())
        .sum();
    structured.len() + text
}

/// Peak heap above the body itself while the full pipeline runs on `body`.
fn peak_over(body: &[u8], run: impl Fn(&[u8]) -> usize) -> usize {
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    black_box(run(body));
    ALLOCATOR.peak_usage().saturating_sub(before)
}

fn memory_report(scrubber: &Scrubber, threshold: Threshold) {
    let args = args();
    println!("peak heap of one pass, above the body (counting allocator):");
    for rows in ROWS {
        let body = data::page_urls(rows, 42);
        let full = peak_over(&body, |b| report_pipeline(b, scrubber, threshold, &args));
        let base = peak_over(&body, plain);
        println!(
            "  page_urls {rows:>6} rows, body {:>8.2} MB: full pipeline {:>8.2} MB ({:.2}x body), plain Value {:>8.2} MB ({:.2}x body)",
            mb(body.len()),
            mb(full),
            full as f64 / body.len() as f64,
            mb(base),
            base as f64 / body.len() as f64,
        );
    }
}

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
    memory_report(&scrubber, threshold);
    quick_table(&scrubber, threshold, &generaliser);
    if quick {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &scrubber, threshold, &generaliser);
    c.final_summary();
}
