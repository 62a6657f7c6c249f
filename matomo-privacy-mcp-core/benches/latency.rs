//! End-to-end `tools/call` latency through the Toolbox against in-process upstreams, and the
//! server's own share: the total minus a plain HTTP round trip of the same upstream request.
//!
//! `cargo bench -p matomo-privacy-mcp-core --bench latency`; see `benches/README.md` for results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::{Value, json};

mod data;
mod timing;

use timing::{TOKEN, ms, static_upstream, stats, time_plain, toolbox, value_round_trip};

fn arguments() -> Value {
    json!({ "site": 1, "period": "range", "date": "2026-11-12,2026-11-25", "limit": 100 })
}

async fn time_calls(toolbox: &Toolbox<Deployment>, n: usize) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let result = toolbox
            .call("top_pages", Some(arguments()))
            .await
            .expect("known tool");
        samples.push(started.elapsed());
        assert!(!result.is_error(), "{}", result.text());
    }
    stats(samples)
}

fn line(
    name: &str,
    total: (Duration, Duration),
    plain: (Duration, Duration),
    floor: Option<Duration>,
) {
    let share = total.0.saturating_sub(plain.0);
    let floor = floor.map_or_else(String::new, |f| {
        format!(
            " | Value round trip {:.3} ms, share/round trip {:.2}",
            ms(f),
            share.as_secs_f64() / f.as_secs_f64()
        )
    });
    println!(
        "  {name:<28} total median {:>8.3} ms p99 {:>8.3} ms | upstream median {:>8.3} ms p99 {:>8.3} ms | server share {:>7.3} ms{floor}",
        ms(total.0),
        ms(total.1),
        ms(plain.0),
        ms(plain.1),
        ms(share),
    );
}

async fn run() {
    println!("tools/call top_pages through the Toolbox (no cache unless said), 2 cores:");
    let emu = Emulator::builder()
        .seed(11)
        .view_token(TOKEN, &[1])
        .start()
        .await
        .expect("emulator");
    let tools = toolbox(&emu.base_url(), false);
    let _ = time_calls(&tools, 20).await;
    let total = time_calls(&tools, 300).await;
    let request = emu.requests().pop().expect("the tool called Matomo");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&request.query)
        .finish();
    let plain = time_plain(&format!("{}?{query}", emu.endpoint()), &request.body, 300).await;
    line("emulator (dataset report)", total, plain, None);

    let cached = toolbox(&emu.base_url(), true);
    let _ = time_calls(&cached, 5).await;
    let hits = time_calls(&cached, 300).await;
    println!(
        "  {:<28} total median {:>8.3} ms p99 {:>8.3} ms (no upstream request)",
        "emulator, cache hit",
        ms(hits.0),
        ms(hits.1)
    );

    // The tool asks Matomo for at most reporting::UPSTREAM_ROW_CAP rows.
    for rows in [
        100,
        1_000,
        matomo_privacy_mcp_core::reporting::UPSTREAM_ROW_CAP as usize,
    ] {
        let body = data::page_urls(rows, 42);
        let floor = value_round_trip(&body, 30);
        let base = static_upstream(body).await;
        let tools = toolbox(&base, false);
        let n = if rows > 1_000 { 60 } else { 200 };
        let _ = time_calls(&tools, 5).await;
        let total = time_calls(&tools, n).await;
        let form = vec![("token_auth".to_owned(), TOKEN.to_owned())];
        let plain = time_plain(&format!("{base}index.php"), &form, n).await;
        line(
            &format!("generated report, {rows} rows"),
            total,
            plain,
            Some(floor),
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run());
}
