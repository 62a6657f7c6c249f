//! Load over real HTTP: 240 `tools/call` requests in flight at once, spread over
//! several MCP sessions, against the built-in catalogue and an emulated Matomo
//! that takes 25 ms per request. Every answer is checked against the emulator's
//! dataset; throughput, latency and peak memory are printed.
//!
//! The report cache is switched off (`MatomoClient::builder(..).no_cache()`) and
//! every call asks for a different site and date range, so neither the cache nor
//! the coalescing of identical calls in flight can answer a call without Matomo.
//!
//! `cargo test -p matomo-privacy-mcp-server --test http_load -- --nocapture`
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{RawClient, start_with, test_config};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::{self, TOKEN as MATOMO_TOKEN, TestDeployment};
use matomo_privacy_mcp_testkit::{Day, Emulator, Fault};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};
/// Days of data the emulator generates, ending today.
const DAYS: i64 = 15;
const SESSIONS: usize = 16;
const UPSTREAM_LATENCY: Duration = Duration::from_millis(25);
/// A hang guard, far above the few seconds the run takes.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// One call: a site and a date range, with the visits the dataset holds for them.
struct Call {
    site: u32,
    start: Day,
    end: Day,
    expected_visits: usize,
}

/// Every (site, start, end) with start <= end within the dataset's days: 2 x 120 distinct calls.
fn calls(emu: &Emulator) -> Vec<Call> {
    let today = emu.dataset().today;
    let mut calls = Vec::new();
    for site in [1, 2] {
        for from in 0..DAYS {
            for to in from..DAYS {
                let (start, end) = (today.plus(from - DAYS + 1), today.plus(to - DAYS + 1));
                calls.push(Call {
                    site,
                    start,
                    end,
                    expected_visits: emu.dataset().visits_in(site, start, end).count(),
                });
            }
        }
    }
    calls
}

/// The process's peak resident memory so far (`VmHWM`), in KiB, where Linux reports it.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], per_cent: usize) -> Duration {
    sorted[(sorted.len() * per_cent / 100).min(sorted.len() - 1)]
}

async fn uncached_catalogue(emu: &Emulator) -> matomo_privacy_mcp_core::Toolbox<Deployment> {
    let deployment = TestDeployment::over(testing::raw_client(emu), MATOMO_TOKEN)
        // k = 1: no summary is withheld, so every call has numbers to check.
        .threshold(1)
        .build()
        .await;
    tools::toolbox(deployment, |name| name == "visits_summary").unwrap()
}

/// Sends one `tools/call` and returns the JSON-RPC result and how long it took.
async fn call(client: &RawClient, id: usize, call: &Call) -> (Value, Duration) {
    let body = json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {
            "name": "visits_summary",
            "arguments": {
                "site": call.site, "period": "range",
                "date": format!("{},{}", call.start, call.end)
            }
        }
    });
    let started = Instant::now();
    let reply = client.send(client.post().json(&body)).await;
    let elapsed = started.elapsed();
    assert_eq!(reply.status, 200, "call {id}: {}", reply.text);
    let message = reply
        .message
        .unwrap_or_else(|| panic!("call {id}: no JSON-RPC reply: {}", reply.text));
    assert_eq!(message["id"], id, "{message}");
    (message["result"].clone(), elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_concurrent_calls_all_answer_correctly() {
    let emu = testing::emulator(11, &[1, 2]).await;
    let toolbox = uncached_catalogue(&emu).await;
    let calls = Arc::new(calls(&emu));
    assert!(calls.len() >= 200, "only {} calls", calls.len());
    let server = start_with(toolbox, test_config().with_max_in_flight(1024)).await;

    let mut sessions = Vec::new();
    for _ in 0..SESSIONS {
        let client = RawClient::connected(&server.url).await;
        sessions.push(Arc::new(client));
    }
    emu.clear_requests();
    emu.inject(Fault::Latency(UPSTREAM_LATENCY));
    let memory_before = peak_memory_kib();

    let started = Instant::now();
    let start_together = Arc::new(tokio::sync::Barrier::new(calls.len()));
    let tasks: Vec<_> = (0..calls.len())
        .map(|index| {
            let client = Arc::clone(&sessions[index % SESSIONS]);
            let calls = Arc::clone(&calls);
            let barrier = Arc::clone(&start_together);
            tokio::spawn(async move {
                barrier.wait().await;
                call(&client, index + 1, &calls[index]).await
            })
        })
        .collect();
    let results = tokio::time::timeout(HANG_GUARD, futures_join_all(tasks))
        .await
        .expect("the calls did not all finish within the hang guard");
    let wall = started.elapsed();
    let memory_after = peak_memory_kib();

    let mut latencies = Vec::with_capacity(results.len());
    for (index, (result, latency)) in results.into_iter().enumerate() {
        let expected = &calls[index];
        assert_eq!(result["isError"], false, "call {index}: {result}");
        let out = &result["structuredContent"];
        assert_eq!(out["site"], expected.site, "{out}");
        assert_eq!(out["period"], "range", "{out}");
        assert_eq!(out["suppressed"], false, "{out}");
        let visits = out["metrics"]["nb_visits"].as_f64().unwrap_or(0.0);
        assert_eq!(
            visits, expected.expected_visits as f64,
            "call {index}: site {} {}..{}: {out}",
            expected.site, expected.start, expected.end
        );
        latencies.push(latency);
    }
    // Nothing was answered without asking Matomo.
    assert!(
        emu.request_count() >= calls.len(),
        "{} upstream requests for {} calls",
        emu.request_count(),
        calls.len()
    );
    latencies.sort();
    let throughput = latencies.len() as f64 / wall.as_secs_f64();
    println!(
        "load: {} concurrent tools/call over {SESSIONS} sessions, upstream latency {UPSTREAM_LATENCY:?}, cache off",
        latencies.len()
    );
    println!(
        "load: wall {wall:.2?}, throughput {throughput:.0} calls/s, median {:.1?}, p99 {:.1?}, max {:.1?}",
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies[latencies.len() - 1]
    );
    println!(
        "load: peak resident memory (VmHWM) before {} KiB, after {} KiB",
        memory_before.map_or("n/a".to_owned(), |k| k.to_string()),
        memory_after.map_or("n/a".to_owned(), |k| k.to_string())
    );
    server.shutdown().await;
}

/// Awaits every task, in order (a panicking task fails the test with its message).
async fn futures_join_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}
