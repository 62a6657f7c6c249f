//! End-to-end `tools/call` latency through the Toolbox against in-process upstreams, and the
//! server's own share: the total minus a plain HTTP round trip of the same upstream request.
//!
//! `cargo bench -p matomo-mcp-core --bench latency`; see `benches/README.md` for results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use matomo_mcp_core::catalogue::{self, Deployment};
use matomo_mcp_core::client::{MatomoClient, TokenPermissions};
use matomo_mcp_core::minimise::{Scrubber, Threshold};
use matomo_mcp_core::policy::SiteAccess;
use matomo_mcp_core::{PrivacyClass, SiteId, Toolbox};
use matomo_mcp_testkit::Emulator;
use serde_json::{Value, json};

mod data;

const TOKEN: &str = "view0123456789abcdef0123456789ab";

fn toolbox(base_url: &str, cached: bool) -> Toolbox<Deployment> {
    let mut builder = MatomoClient::builder(base_url).token(TOKEN);
    if !cached {
        builder = builder.no_cache();
    }
    let client = builder.build().expect("loopback client");
    let sites: BTreeSet<SiteId> = [SiteId(1)].into();
    let permissions = TokenPermissions {
        at_least_view: sites.clone(),
        view: sites,
        ..TokenPermissions::default()
    };
    let access = SiteAccess::check(&permissions, false, None).expect("view-only");
    let deployment = Deployment::from_parts(
        client,
        TOKEN,
        access,
        Scrubber::builder().build().expect("built-in patterns"),
        Threshold::default(),
        PrivacyClass::Aggregate,
        None,
    );
    catalogue::toolbox(deployment, None).expect("catalogue")
}

fn arguments() -> Value {
    json!({ "site": 1, "period": "range", "date": "2026-11-12,2026-11-25", "limit": 100 })
}

/// Median and 99th percentile of `samples`.
fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (median, p99)
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

/// The same upstream request as the tool's, sent and read with plain reqwest.
async fn time_plain(url: &str, form: &[(String, String)], n: usize) -> (Duration, Duration) {
    let http = reqwest::Client::new();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let bytes = http
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("upstream answers")
            .bytes()
            .await
            .expect("a body");
        samples.push(started.elapsed());
        black_box(bytes);
    }
    stats(samples)
}

fn value_round_trip(body: &[u8], n: usize) -> Duration {
    let samples = (0..n)
        .map(|_| {
            let started = Instant::now();
            let value: Value = serde_json::from_slice(body).expect("JSON");
            black_box(serde_json::to_vec(&value).expect("serialisable"));
            started.elapsed()
        })
        .collect();
    stats(samples).0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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

/// A loopback server answering every request with `body`, as Matomo would for the tool's request.
async fn static_upstream(body: Vec<u8>) -> String {
    let body = Bytes::from(body);
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(CONTENT_TYPE, "application/json; charset=utf-8")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/")
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

    // The tool asks Matomo for at most catalogue::UPSTREAM_ROW_CAP rows.
    for rows in [100, 1_000, catalogue::UPSTREAM_ROW_CAP as usize] {
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
