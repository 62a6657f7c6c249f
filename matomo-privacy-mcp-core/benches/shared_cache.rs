//! A cache hit through Redis next to one in this process's memory: `call_raw` of a finished
//! period's `VisitsSummary.get`, answered (a) by the local cache, (b) by the shared cache in a
//! real `redis-server` on 127.0.0.1 (the local cache keeps nothing, so that every call goes to
//! Redis), with the body sizes of a small summary and of a 100-row page report.
//!
//! `cargo bench -p matomo-privacy-mcp-core --features redis --bench shared_cache` (needs `redis-server`);
//! see `benches/README.md` for results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use matomo_privacy_mcp_core::MatomoClient;
use matomo_privacy_mcp_core::client::CacheConfig;
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::shared::{SharedState, SharedStateConfig};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::redis::RedisServer;

const TOKEN: &str = "view0123456789abcdef0123456789ab";
const CALLS: usize = 5_000;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

async fn time(client: &MatomoClient, method: &str, params: &Params) -> (Duration, Duration) {
    // Warm: the first call fills whichever cache answers the rest.
    client.call_raw(method, params).await.unwrap();
    let mut samples = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        std::hint::black_box(client.call_raw(method, params).await.unwrap());
        samples.push(started.elapsed());
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
    )
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let redis = RedisServer::start().expect("redis-server (Debian package redis-server) runs");
    let emu = testing::emulator_for(TOKEN, 11, &[1, 2]).await;
    let shared = SharedState::connect(
        SharedStateConfig::new(redis.url_without_password()).password(redis.password()),
    )
    .unwrap();
    let local = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let through_redis = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .cache(CacheConfig::default().max_entries(0))
        .shared_state(shared)
        .build()
        .unwrap();
    let day = Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Day)
        .date(Date::Day("2026-11-20".parse().unwrap()));
    let pages = day.clone().flat(true);
    println!("cache hit, {CALLS} calls each: median / p99");
    for (name, method, params) in [
        ("VisitsSummary.get", "VisitsSummary.get", &day),
        ("Actions.getPageUrls flat", "Actions.getPageUrls", &pages),
    ] {
        let body = local
            .call_raw(method, params)
            .await
            .unwrap()
            .to_string()
            .len();
        let (local_p50, local_p99) = time(&local, method, params).await;
        let (redis_p50, redis_p99) = time(&through_redis, method, params).await;
        println!(
            "  {name:<28} {:>6.1} KB | in memory {:>7.1} µs / {:>7.1} µs | through Redis {:>7.1} µs / {:>7.1} µs",
            body as f64 / 1024.0,
            micros(local_p50),
            micros(local_p99),
            micros(redis_p50),
            micros(redis_p99),
        );
    }
}
