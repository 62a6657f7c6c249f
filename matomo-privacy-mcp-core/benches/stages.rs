//! Where the time of one report reply goes: each stage of what `top_pages` does with Matomo's
//! answer, timed on its own, next to the plain `serde_json::Value` decode and round trip of the
//! same body.
//!
//! `cargo bench -p matomo-privacy-mcp-core --bench stages` (100 rows; `STAGES_ROWS=1000` for another
//! size). Results in `benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use matomo_privacy_mcp_core::ToolOutput;
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
use matomo_privacy_mcp_core::privacy::Identifying;
use matomo_privacy_mcp_core::reporting::{Labels, SourceRow, render_report, report_from_body};
use serde_json::Value;

mod data;
mod pipelines;

/// Median microseconds of `n` runs of `f`, with every run's result kept alive until timed.
fn median_us(n: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut samples: Vec<f64> = (0..n)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[n / 2]
}

fn main() {
    let rows = std::env::var("STAGES_ROWS")
        .ok()
        .and_then(|rows| rows.parse().ok())
        .unwrap_or(100);
    let n = if rows > 1_000 { 50 } else { 1_000 };
    let scrubber = Scrubber::builder().build().expect("built-in patterns");
    let threshold = Threshold::default();
    let args = pipelines::args();
    let body = data::page_urls(rows, 42);
    let pipeline = || {
        report_from_body(&body, &scrubber, threshold, Labels::Url, &args)
            .expect("the pipeline accepts the report")
    };
    let labels: Vec<Identifying<String>> = serde_json::from_slice::<Vec<SourceRow>>(&body)
        .unwrap()
        .into_iter()
        .map(|row| row.label)
        .collect();
    let output = pipeline();
    let structured = serde_json::to_value(&output).unwrap();

    println!(
        "page URLs, {rows} rows, body {:.1} KB, median of {n} runs:",
        body.len() as f64 / 1e3
    );
    let stages: [(&str, &dyn Fn() -> usize); 8] = [
        ("(a) plain Value decode + encode", &|| {
            pipelines::plain(&body)
        }),
        ("    plain Value decode", &|| {
            serde_json::from_slice::<Value>(&body).unwrap().is_array() as usize
        }),
        ("decode into SourceRows", &|| {
            serde_json::from_slice::<Vec<SourceRow>>(&body)
                .unwrap()
                .len()
        }),
        ("scrub every label as a URL", &|| {
            labels.iter().fold(0, |n, l| {
                black_box(scrubber.url(l));
                n + 1
            })
        }),
        (
            "report_from_body (all of the above, merge, threshold, page)",
            &|| pipeline().rows.len(),
        ),
        (
            "structured content (ToolOutput::new, Value built and dropped)",
            &|| {
                ToolOutput::new(&output, String::new())
                    .unwrap()
                    .structured()
                    .is_object() as usize
            },
        ),
        ("text content (render_report)", &|| {
            render_report(&output).len()
        }),
        ("structured content serialised (as rmcp does)", &|| {
            serde_json::to_vec(&structured).unwrap().len()
        }),
    ];
    for (stage, run) in stages {
        println!("  {stage:<64} {:>9.1} µs", median_us(n, run));
    }
    println!(
        "  {:<64} {:>9.1} µs",
        "(b) full pipeline as benches/pipeline.rs times it",
        median_us(n, || pipelines::report_pipeline(
            &body, &scrubber, threshold, &args
        ))
    );
}
