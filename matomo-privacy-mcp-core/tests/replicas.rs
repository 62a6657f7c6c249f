//! Three replicas (three clients and deployments, each with its own memory) sharing one real
//! `redis-server` and one emulator: the report cache, coalescing across replicas, the privacy
//! budget and rate limits are shared; Redis stopped mid-run degrades the cache to local and
//! makes the budget refuse, and service comes back with Redis, without a restart.
#![cfg(feature = "redis")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use matomo_privacy_mcp_core::dp::{
    BudgetError, ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget, Spend,
};
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::shared::{RateDecision, SharedState, SharedStateConfig};
use matomo_privacy_mcp_core::testing::{self, TOKEN, TestDeployment};
use matomo_privacy_mcp_core::{MatomoClient, Toolbox};
use matomo_privacy_mcp_testkit::redis::RedisServer;
use matomo_privacy_mcp_testkit::redis_or_skip;
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use serde_json::{Value, json};

const DAY: Duration = Duration::from_secs(86_400);

/// The test world of these tests: dataset 11, sites 1 and 2.
async fn emulator() -> Emulator {
    testing::emulator(11, &[1, 2]).await
}

fn shared(redis: &RedisServer) -> SharedState {
    SharedState::connect(
        SharedStateConfig::new(redis.url_without_password())
            .password(redis.password())
            .prefix("test:")
            .timeout(Duration::from_millis(300)),
    )
    .unwrap()
}

fn client(emu: &Emulator, redis: &RedisServer) -> MatomoClient {
    MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .shared_state(shared(redis))
        .build()
        .unwrap()
}

/// A replica: its own client (own memory cache), the shared state, a budget in Redis.
async fn replica(emu: &Emulator, redis: &RedisServer, noise: bool) -> Toolbox<Deployment> {
    let noise = noise.then(|| NoiseSetup {
        dp: DifferentialPrivacy::new(vec![5; 32], 100_000, ContributionBounds::default()).unwrap(),
        budget: PrivacyBudget::shared(10_000_000, DAY, shared(redis)),
    });
    TestDeployment::over(client(emu, redis), TOKEN)
        .threshold(3)
        .noise(noise)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await
}

/// `count` replicas without noise, sharing `redis`.
async fn plain_replicas(
    emu: &Emulator,
    redis: &RedisServer,
    count: usize,
) -> Vec<Toolbox<Deployment>> {
    let mut replicas = Vec::with_capacity(count);
    for _ in 0..count {
        replicas.push(replica(emu, redis, false).await);
    }
    replicas
}

/// ε 1 a day for each account, in the shared ledger: a replica's budget.
fn daily_budget(redis: &RedisServer) -> PrivacyBudget {
    PrivacyBudget::shared(1_000_000, DAY, shared(redis))
}

/// Makes `count` calls at once, call `i` at replica `i % 3` of `replicas`; their results, in
/// the order of `i`.
async fn over_three_replicas<R, T, F, Fut>(replicas: &[R; 3], count: u32, call: F) -> Vec<T>
where
    R: Clone,
    F: Fn(u32, R) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = (0..count)
        .map(|i| tokio::spawn(call(i, replicas[i as usize % 3].clone())))
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

/// The micro-ε left and asked of a refusal for want of budget; panics on anything else.
fn exhausted<T: std::fmt::Debug>(refused: Result<T, BudgetError>) -> (u64, u64) {
    match refused {
        Err(BudgetError::Exhausted {
            left_micros,
            asked_micros,
            ..
        }) => (left_micros, asked_micros),
        other => panic!("not refused for want of budget: {other:?}"),
    }
}

/// The day the replicas are asked about.
fn a_day() -> Value {
    json!({ "site": 1, "period": "day", "date": "2026-11-20" })
}

async fn call(toolbox: &Toolbox<Deployment>, tool: &str, args: Value) -> Value {
    let result = testing::answered(toolbox, tool, args).await;
    result.structured().unwrap().clone()
}

#[tokio::test]
async fn a_past_period_asked_at_one_replica_is_answered_at_the_others_without_matomo() {
    let redis = redis_or_skip!(
        "a_past_period_asked_at_one_replica_is_answered_at_the_others_without_matomo"
    );
    let emu = emulator().await;
    let replicas = plain_replicas(&emu, &redis, 3).await;
    for tool in ["countries", "visits_summary", "top_pages"] {
        emu.clear_requests();
        let first = call(&replicas[0], tool, a_day()).await;
        assert!(
            emu.request_count() > 0,
            "{tool}: the first replica asks Matomo"
        );
        emu.clear_requests();
        for (i, replica) in replicas.iter().enumerate().skip(1) {
            let answer = call(replica, tool, a_day()).await;
            assert_eq!(answer, first, "{tool}: replica {i} answers the same");
        }
        assert_eq!(
            emu.request_count(),
            0,
            "{tool}: replicas 2 and 3 asked Matomo: {:?}",
            emu.requests()
        );
    }
}

/// Every string value Redis holds, by `redis-cli` (Debian's package `redis-tools`, installed with
/// the server).
fn stored_values(redis: &RedisServer) -> String {
    let dump = "local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do \
        if redis.call('TYPE', k).ok == 'string' then table.insert(out, redis.call('GET', k)) end end \
        return out";
    let output = std::process::Command::new("redis-cli")
        .args([
            "-p",
            &redis.port().to_string(),
            "-a",
            redis.password(),
            "--no-auth-warning",
        ])
        .args(["EVAL", dump, "0"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Matomo echoes the token in the report catalogue's image URLs: such a body is never stored in
/// Redis (each replica asks Matomo for it), while other answers are.
#[tokio::test]
async fn no_body_holding_the_token_is_stored_in_redis() {
    let redis = redis_or_skip!("no_body_holding_the_token_is_stored_in_redis");
    let emu = emulator().await;
    let replicas = plain_replicas(&emu, &redis, 2).await;
    call(&replicas[0], "report_catalogue", json!({ "site": 1 })).await;
    call(&replicas[0], "countries", a_day()).await;
    let stored = stored_values(&redis);
    assert!(stored.contains("Germany"), "answers are shared: {stored}");
    assert!(!stored.contains(TOKEN), "the token reached Redis");
    emu.clear_requests();
    call(&replicas[1], "report_catalogue", json!({ "site": 1 })).await;
    assert!(emu.request_count() > 0, "the catalogue came from Matomo");
    emu.clear_requests();
    call(&replicas[1], "countries", a_day()).await;
    assert_eq!(emu.request_count(), 0, "{:?}", emu.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_identical_calls_over_three_replicas_make_one_request() {
    let redis = redis_or_skip!("sixty_identical_calls_over_three_replicas_make_one_request");
    let emu = emulator().await;
    let clients = [(); 3].map(|()| client(&emu, &redis));
    // A slow Matomo, so that every call is in flight before the first answer.
    emu.inject(Fault::Latency(Duration::from_millis(400)));
    emu.clear_requests();
    let params = Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Day)
        .date(Date::Day("2026-11-19".parse().unwrap()));
    let answers = over_three_replicas(&clients, 60, |_, client| {
        let params = params.clone();
        async move { client.call_raw("VisitsSummary.get", &params).await.unwrap() }
    })
    .await;
    emu.clear_faults();
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "every caller gets the one answer"
    );
    let upstream: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.query_param("method") == Some("VisitsSummary.get"))
        .collect();
    assert_eq!(upstream.len(), 1, "{upstream:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_budget_is_never_overspent_by_200_concurrent_calls_over_three_replicas() {
    let redis =
        redis_or_skip!("a_budget_is_never_overspent_by_200_concurrent_calls_over_three_replicas");
    let budgets = [(); 3].map(|()| Arc::new(daily_budget(&redis)));
    let now = 1_795_680_000; // 2026-11-26T00:00:00Z
    // ε = 1 per day, 0.02 per answer: room for exactly 50 of 200 different questions.
    let spends = over_three_replicas(&budgets, 200, |i, budget| async move {
        budget
            .charge("profile:analysts", &i.to_be_bytes(), 20_000, now)
            .await
    })
    .await;
    let mut charged = Vec::new();
    let mut refused = 0;
    for (question, spent) in (0u32..).zip(spends) {
        match spent {
            Ok(Spend::Charged { .. }) => charged.push(question),
            Err(BudgetError::Exhausted { renews_at, .. }) => {
                assert_eq!(renews_at, now - now % 86_400 + 86_400);
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((charged.len(), refused), (50, 150));
    // A replica started later sees the same ledger; a repeated question still costs nothing.
    let late = daily_budget(&redis);
    assert!(matches!(
        late.charge("profile:analysts", &charged[0].to_be_bytes(), 20_000, now)
            .await,
        Ok(Spend::Repeated { left_micros: 0 })
    ));
    assert!(
        late.charge("profile:analysts", b"new", 1, now)
            .await
            .is_err()
    );
    // Another account, and the next window, have their own.
    assert!(
        late.charge("profile:other", b"new", 20_000, now)
            .await
            .is_ok()
    );
    assert!(
        late.charge("profile:analysts", b"new", 20_000, now + 86_400)
            .await
            .is_ok()
    );
}

/// The shared ledger charges the statistics of one answer all or none, concurrently over
/// replicas too: never a part of an answer, never past the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_budget_charges_an_answers_statistics_all_or_none() {
    let redis = redis_or_skip!("a_shared_budget_charges_an_answers_statistics_all_or_none");
    let budgets = [(); 3].map(|()| Arc::new(daily_budget(&redis)));
    let now = 1_795_680_000;
    // 60 answers of three statistics each at ε 0.02: room for 16 whole answers (ε 0.96), never
    // a part of the 17th.
    let answers = over_three_replicas(&budgets, 60, |i, budget| async move {
        let ids: Vec<Vec<u8>> = (0..3u8)
            .map(|m| [&i.to_be_bytes()[..], &[m]].concat())
            .collect();
        let questions: Vec<&[u8]> = ids.iter().map(Vec::as_slice).collect();
        budget
            .charge_all("profile:analysts", &questions, 20_000, now)
            .await
    })
    .await;
    let mut charged = 0;
    for answer in answers {
        match answer {
            Ok(charges) => {
                assert_eq!(charges.charged_micros, 60_000);
                charged += 1;
            }
            Err(BudgetError::Exhausted { asked_micros, .. }) => assert_eq!(asked_micros, 60_000),
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(charged, 16);
    let late = daily_budget(&redis);
    // ε 0.04 left: one statistic fits, so no refused answer left a part of itself charged.
    assert!(matches!(
        late.charge("profile:analysts", b"one more", 20_000, now)
            .await,
        Ok(Spend::Charged {
            left_micros: 20_000
        })
    ));
    // Two new statistics need ε 0.04 with 0.02 left: refused, and the one already released
    // beside them is still free.
    let refused = late
        .charge_all("profile:analysts", &[b"one more", b"x", b"y"], 20_000, now)
        .await;
    assert_eq!(exhausted(refused), (20_000, 40_000));
    let free = late
        .charge_all("profile:analysts", &[b"one more", b"one more"], 20_000, now)
        .await
        .unwrap();
    assert_eq!(free.charged_micros, 0);
    assert!(
        late.charge("profile:analysts", b"x", 20_000, now)
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_holds_across_replicas() {
    let redis = redis_or_skip!("a_rate_limit_holds_across_replicas");
    let states = [(); 3].map(|()| shared(&redis));
    let takes = over_three_replicas(&states, 30, |_, state| async move {
        state.take_call("profile:analysts", 6, 5).await.unwrap()
    })
    .await;
    let mut allowed = 0;
    for take in takes {
        match take {
            RateDecision::Allowed => allowed += 1,
            RateDecision::RetryAfter(wait) => {
                // 6 a minute: one call every 10 s.
                assert!(
                    wait <= Duration::from_secs(10) && wait > Duration::ZERO,
                    "{wait:?}"
                );
            }
        }
    }
    assert_eq!(allowed, 5, "the burst, once, for all replicas together");
}

#[tokio::test]
async fn redis_stopped_mid_run_degrades_the_cache_refuses_the_budget_and_recovers() {
    let mut redis =
        redis_or_skip!("redis_stopped_mid_run_degrades_the_cache_refuses_the_budget_and_recovers");
    let emu = emulator().await;
    let plain = plain_replicas(&emu, &redis, 2).await;
    let noisy = replica(&emu, &redis, true).await;
    let state = shared(&redis);
    let day = |d: u32| json!({ "site": 1, "period": "day", "date": format!("2026-11-{d:02}") });
    let expected = call(&plain[0], "countries", day(14)).await;

    redis.stop();
    // The cache: served from this replica's memory or from Matomo, the same answer, no panic.
    assert_eq!(call(&plain[0], "countries", day(14)).await, expected);
    emu.clear_requests();
    assert_eq!(call(&plain[1], "countries", day(14)).await, expected);
    assert!(
        emu.request_count() > 0,
        "without Redis, replica 2 asks Matomo itself"
    );
    // The budget fails closed, saying why.
    let refused = testing::refused(&noisy, "countries", day(15)).await;
    assert!(
        refused.contains("shared privacy budget cannot be reached"),
        "{refused}"
    );
    // Rate limits fail closed (the server answers 503; see matomo-privacy-mcp-server's tests).
    assert!(state.take_call("profile:x", 60, 10).await.is_err());

    redis.resume().unwrap();
    // Reconnection without a restart: within a few seconds every part works again.
    let mut recovered = false;
    for _ in 0..50 {
        if state.ping().await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the shared state never answered again");
    testing::answered(&noisy, "countries", day(15)).await;
    assert_eq!(
        state.take_call("profile:x", 60, 10).await.unwrap(),
        RateDecision::Allowed
    );
    let fresh = call(&plain[0], "countries", day(16)).await;
    emu.clear_requests();
    assert_eq!(call(&plain[1], "countries", day(16)).await, fresh);
    assert_eq!(emu.request_count(), 0, "{:?}", emu.requests());
}

/// Over TLS (`rediss://`) with the certificate authority that signed the server's certificate;
/// without it (the system's roots) the store is unreachable, and nothing panics.
#[tokio::test]
async fn tls_with_a_private_certificate_authority() {
    let redis = redis_or_skip!(tls, "tls_with_a_private_certificate_authority");
    assert!(redis.url().starts_with("rediss://"));
    let trusted = SharedState::connect(
        SharedStateConfig::new(redis.url_without_password())
            .password(redis.password())
            .ca_certificate(redis.ca_certificate().unwrap())
            .timeout(Duration::from_secs(2)),
    )
    .unwrap();
    trusted.ping().await.unwrap();
    let budget = PrivacyBudget::shared(1_000_000, DAY, trusted);
    assert!(matches!(
        budget.charge("a", b"q", 10, 1_795_680_000).await,
        Ok(Spend::Charged { .. })
    ));
    let untrusted = SharedState::connect(
        SharedStateConfig::new(redis.url_without_password())
            .password(redis.password())
            .timeout(Duration::from_millis(500)),
    )
    .unwrap();
    assert!(untrusted.ping().await.is_err());
    let wrong_password = SharedState::connect(
        SharedStateConfig::new(redis.url_without_password())
            .password("not-the-password")
            .ca_certificate(redis.ca_certificate().unwrap())
            .timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let error = wrong_password.ping().await.unwrap_err().to_string();
    assert!(!error.contains("not-the-password"), "{error}");
}

/// A Redis that stops answering for a while (`DEBUG SLEEP`) counts as unreachable after the
/// deadline: a cached call is served from Matomo within about the deadline, a budget spend is
/// refused, and neither waits for Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_redis_counts_as_unreachable() {
    let redis = redis_or_skip!("a_slow_redis_counts_as_unreachable");
    let emu = emulator().await;
    let toolbox = replica(&emu, &redis, false).await;
    let budget = daily_budget(&redis);
    // Another connection puts Redis to sleep for two seconds.
    let port = redis.port();
    let password = redis.password().to_owned();
    let sleeper = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let command = |parts: &[&str]| {
            let mut out = format!("*{}\r\n", parts.len());
            for part in parts {
                out.push_str(&format!("${}\r\n{part}\r\n", part.len()));
            }
            out
        };
        stream
            .write_all(command(&["AUTH", &password]).as_bytes())
            .unwrap();
        stream
            .write_all(command(&["DEBUG", "SLEEP", "2"]).as_bytes())
            .unwrap();
        let mut reply = [0u8; 64];
        let _ = stream.read(&mut reply);
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    testing::answered(
        &toolbox,
        "visits_summary",
        json!({ "site": 1, "period": "day", "date": "2026-11-21" }),
    )
    .await;
    let refused = budget.charge("a", b"q", 10, 1_795_680_000).await;
    assert!(
        matches!(refused, Err(BudgetError::Shared { .. })),
        "{refused:?}"
    );
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(1_700),
        "waited {waited:?} for a Redis that sleeps 2 s"
    );
    sleeper.join().unwrap();
}

/// A question of several answers quotes each answer in the shared ledger (nothing written) and
/// charges them together at the end: a quote is what the charge will be, and refuses what
/// would not fit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_budget_quotes_without_charging() {
    let redis = redis_or_skip!("a_shared_budget_quotes_without_charging");
    let budget = PrivacyBudget::shared(100_000, DAY, shared(&redis));
    let now = 1_795_680_000;
    budget.charge("a", b"old", 20_000, now).await.unwrap();
    let quote = budget
        .quote_all("a", &[b"old", b"x", b"y", b"y"], 20_000, now)
        .await
        .unwrap();
    assert_eq!((quote.charged_micros, quote.left_micros), (40_000, 40_000));
    // Quoting twice writes nothing: the same quote, and the charge is the quote.
    assert_eq!(
        budget
            .quote_all("a", &[b"old", b"x", b"y"], 20_000, now)
            .await
            .unwrap(),
        quote
    );
    let charged = budget
        .charge_all("a", &[b"old", b"x", b"y"], 20_000, now)
        .await
        .unwrap();
    assert_eq!(charged, quote);
    let refused = budget
        .quote_all("a", &[b"p", b"q", b"r"], 20_000, now)
        .await;
    assert_eq!(exhausted(refused), (40_000, 60_000));
}
