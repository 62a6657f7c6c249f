//! The report cache and request coalescing against the emulator, counting the requests Matomo sees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matomo_privacy_mcp_core::client::{CacheConfig, MatomoClient, ReportCache};
use matomo_privacy_mcp_core::models::visits_summary;
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use tokio::task::JoinSet;

const TOKEN_A: &str = "viewaaaa0123456789abcdef01234567";
const TOKEN_B: &str = "viewbbbb0123456789abcdef01234567";

async fn emulator() -> Emulator {
    Emulator::builder()
        .seed(5)
        .view_token(TOKEN_A, &[1, 2])
        .view_token(TOKEN_B, &[1, 2])
        .start()
        .await
        .unwrap()
}

fn day(date: &str) -> Params {
    day_of(1, date)
}

/// The parameters of site `site`'s `date`.
fn day_of(site: u32, date: &str) -> Params {
    Params::new()
        .sites(Sites::one(site).unwrap())
        .period(Period::Day)
        .date(date.parse::<Date>().unwrap())
}

/// `VisitsSummary.get` through `client`, answered.
async fn summary(client: &MatomoClient, params: &Params) -> serde_json::Value {
    client.call_raw("VisitsSummary.get", params).await.unwrap()
}

#[tokio::test]
async fn a_repeated_past_period_call_makes_no_upstream_request() {
    let emu = emulator().await;
    let client = testing::client_at(&emu.base_url(), TOKEN_A);
    let past = day("2026-10-01");
    let first = summary(&client, &past).await;
    let typed = client
        .report_with::<visits_summary::Get>(&past)
        .await
        .unwrap();
    // The typed call is the same request as the raw one: already cached.
    assert_eq!(emu.request_count(), 1);
    emu.clear_requests();
    for _ in 0..5 {
        assert_eq!(summary(&client, &past).await, first);
        assert_eq!(
            client
                .report_with::<visits_summary::Get>(&past)
                .await
                .unwrap(),
            typed
        );
    }
    assert_eq!(emu.request_count(), 0);
    // Parameter order does not matter; another date does.
    let reordered = Params::new()
        .date("2026-10-01".parse::<Date>().unwrap())
        .period(Period::Day)
        .sites(Sites::one(1).unwrap());
    summary(&client, &reordered).await;
    assert_eq!(emu.request_count(), 0);
    summary(&client, &day("2026-10-02")).await;
    assert_eq!(emu.request_count(), 1);
}

#[tokio::test]
async fn a_today_call_refreshes_after_its_ttl_and_errors_are_not_cached() {
    let emu = emulator().await;
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN_A)
        .cache(CacheConfig::default().today_ttl(Duration::from_millis(300)))
        .build()
        .unwrap();
    let today = day("today");
    summary(&client, &today).await;
    summary(&client, &today).await;
    assert_eq!(emu.request_count(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    summary(&client, &today).await;
    assert_eq!(emu.request_count(), 2);

    let forbidden = day_of(3, "2026-10-01");
    for _ in 0..2 {
        assert!(
            client
                .call_raw("VisitsSummary.get", &forbidden)
                .await
                .is_err()
        );
    }
    assert_eq!(emu.request_count(), 4);
}

#[tokio::test]
async fn clients_with_different_tokens_never_share_answers() {
    let emu = emulator().await;
    let shared = ReportCache::new(CacheConfig::default());
    let build = |token: &str| {
        MatomoClient::builder(emu.base_url())
            .token(token)
            .shared_cache(shared.clone())
            .build()
            .unwrap()
    };
    let (a, b, a_again) = (build(TOKEN_A), build(TOKEN_B), build(TOKEN_A));
    let past = day("2026-10-01");
    summary(&a, &past).await;
    summary(&b, &past).await;
    assert_eq!(emu.request_count(), 2);
    summary(&a_again, &past).await;
    assert_eq!(emu.request_count(), 2, "same token, same cache");
    assert_eq!(shared.len(), 2);
    let tokens: Vec<_> = emu
        .requests()
        .iter()
        .map(|r| r.body_param("token_auth").unwrap().to_owned())
        .collect();
    assert_eq!(tokens, [TOKEN_A, TOKEN_B]);
    assert!(!format!("{shared:?}").contains(TOKEN_A));
}

#[tokio::test]
async fn twenty_concurrent_identical_calls_make_one_request() {
    let emu = emulator().await;
    emu.inject(Fault::Latency(Duration::from_millis(300)));
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN_A)
        .no_cache()
        .build()
        .unwrap();
    let mut calls = JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.spawn(async move { client.call_raw("VisitsSummary.get", &day("today")).await });
    }
    let answers: Vec<_> = calls.join_all().await;
    assert_eq!(emu.request_count(), 1);
    let first = answers[0].as_ref().unwrap();
    assert!(answers.iter().all(|a| a.as_ref().unwrap() == first));
    // Without a cache, the next call after they finished goes upstream again.
    summary(&client, &day("today")).await;
    assert_eq!(emu.request_count(), 2);
}

#[tokio::test]
async fn concurrent_calls_share_a_failure_too() {
    let emu = emulator().await;
    emu.inject(Fault::Latency(Duration::from_millis(200)));
    emu.inject(Fault::http_status(503));
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN_A)
        .max_retries(0)
        .build()
        .unwrap();
    let mut calls = JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .call_raw("VisitsSummary.get", &day("2026-10-01"))
                .await
        });
    }
    for answer in calls.join_all().await {
        assert!(answer.is_err());
    }
    assert_eq!(emu.request_count(), 1);
    emu.clear_faults();
    summary(&client, &day("2026-10-01")).await;
    assert_eq!(emu.request_count(), 2, "the failure was not cached");
}

#[tokio::test]
async fn list_sites_teaches_the_cache_each_sites_time_zone() {
    use matomo_privacy_mcp_core::testing::TestDeployment;

    let emu = emulator().await;
    let cache = ReportCache::new(CacheConfig::default());
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN_A)
        .shared_cache(cache.clone())
        .build()
        .unwrap();
    let toolbox = TestDeployment::over(client, TOKEN_A)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    assert_eq!(
        cache.site_utc_offset(1),
        None,
        "nothing known before the list"
    );
    let listed = toolbox.call("list_sites", None).await.unwrap();
    assert!(!listed.is_error(), "{}", listed.text());
    // The emulator's site 1 is in "UTC"; site 2 in "Europe/Berlin": UTC+1, or +2 in summer.
    assert_eq!(cache.site_utc_offset(1), Some(0));
    assert!(
        matches!(cache.site_utc_offset(2), Some(60 | 120)),
        "{:?}",
        cache.site_utc_offset(2)
    );
}
