//! Peak heap of the full report pipeline, measured with a counting global allocator.
//!
//! `cargo bench -p matomo-privacy-mcp-core --bench memory`; see `benches/README.md` for results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
use peak_alloc::PeakAlloc;

mod data;
mod pipelines;

use pipelines::{args, plain, report_pipeline};

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const ROWS: [usize; 3] = [1_000, 10_000, 100_000];

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

fn main() {
    let scrubber = Scrubber::builder()
        .build()
        .expect("built-in patterns compile");
    memory_report(&scrubber, Threshold::default());
}
