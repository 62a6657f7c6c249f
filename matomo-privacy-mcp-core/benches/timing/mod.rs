//! What the latency benchmarks share (`latency.rs` here, `transport.rs` in the server crate, which
//! includes this file): the catalogue over an upstream, the plain round trips the server's share is
//! measured against, and the statistics.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use matomo_privacy_mcp_core::client::{MatomoClient, TokenPermissions};
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
use matomo_privacy_mcp_core::policy::SiteAccess;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{PrivacyClass, SiteId, Toolbox};
use matomo_privacy_mcp_tools as tools;
use serde_json::Value;

/// The view token every benchmark upstream accepts.
pub const TOKEN: &str = "view0123456789abcdef0123456789ab";

/// The built-in catalogue over the Matomo at `base_url`, site 1 readable, with or without cache.
pub fn toolbox(base_url: &str, cached: bool) -> Toolbox<Deployment> {
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
    tools::toolbox(deployment, |_| true).expect("catalogue")
}

/// Median and 99th percentile of `samples`.
pub fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (median, p99)
}

/// The same upstream request as the tool's, sent and read with plain reqwest.
pub async fn time_plain(url: &str, form: &[(String, String)], n: usize) -> (Duration, Duration) {
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

pub fn value_round_trip(body: &[u8], n: usize) -> Duration {
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

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A loopback server answering every request with `body`, as Matomo would for the tool's request.
pub async fn static_upstream(body: Vec<u8>) -> String {
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
