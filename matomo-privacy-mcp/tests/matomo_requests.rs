//! `matomo.max_concurrent_requests` (`MATOMO_MAX_CONCURRENT_REQUESTS`) as the binary sets it up:
//! every client the process connects (each profile's, and the one a rotated token gets) takes
//! its places from one cap, the configured one, else the SDK's default.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp::startup;
use matomo_privacy_mcp_core::client::DEFAULT_MAX_CONCURRENT_REQUESTS;
use matomo_privacy_mcp_core::params::{Params, Sites};
use matomo_privacy_mcp_core::testing::{self, TOKEN};
use matomo_privacy_mcp_testkit::Fault;

/// Far above the emulator's latency below; only a stuck test reaches it.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn config(url: &str, extra: &str, vars: &[(&str, &str)]) -> Config {
    let toml = format!(
        "enabled = true\n[matomo]\nurl = \"{url}\"\ntoken = \"{TOKEN}\"\n{extra}\n[privacy.noise]\nenabled = false\n"
    );
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_toml_str(&toml, move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_of_the_process_shares_the_configured_cap() {
    let emu = testing::emulator(11, &[1, 2]).await;
    let config = config(&emu.base_url(), "max_concurrent_requests = 3", &[]);
    assert_eq!(config.matomo.max_concurrent_requests, 3);
    let state = startup::process_state(&config).unwrap();
    let profile = &config.profiles[0];
    // The profile's client, and the client its rotated token would get.
    let first = startup::connect_profile(&config, profile, &profile.matomo_token, &state)
        .await
        .unwrap();
    let rotated = startup::connect_profile(&config, profile, &profile.matomo_token, &state)
        .await
        .unwrap();
    let (first, rotated) = (first.client().clone(), rotated.client().clone());
    assert_eq!(first.request_limit().max_in_flight(), 3);
    assert_eq!(rotated.request_limit().max_in_flight(), 3);

    // A request of the first client in flight takes a place the other client sees taken.
    emu.inject(Fault::Latency(Duration::from_secs(3)));
    let call = tokio::spawn({
        let first = first.clone();
        async move {
            let params = Params::new().sites(Sites::one(1).unwrap());
            first.call_raw("API.getMatomoVersion", &params).await
        }
    });
    tokio::time::timeout(HANG_GUARD, async {
        while first.request_limit().in_flight() == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(rotated.request_limit().in_flight(), 1, "one cap for both");
    assert_eq!(state.matomo_requests.in_flight(), 1, "the process's cap");
    call.abort();
}

#[tokio::test]
async fn the_variable_overrides_the_file_and_the_default_applies_without_either() {
    let url = "https://matomo.example.com";
    let unset = config(url, "", &[]);
    assert_eq!(
        unset.matomo.max_concurrent_requests,
        DEFAULT_MAX_CONCURRENT_REQUESTS
    );
    let state = startup::process_state(&unset).unwrap();
    assert_eq!(
        state.matomo_requests.max_in_flight(),
        DEFAULT_MAX_CONCURRENT_REQUESTS
    );
    let both = config(
        url,
        "max_concurrent_requests = 3",
        &[("MATOMO_MAX_CONCURRENT_REQUESTS", " 12 ")],
    );
    assert_eq!(both.matomo.max_concurrent_requests, 12);
    assert_eq!(
        startup::process_state(&both)
            .unwrap()
            .matomo_requests
            .max_in_flight(),
        12
    );
}

/// Every mistake names the key and the variable, and says what to give.
#[test]
fn invalid_caps_name_the_key_and_the_variable() {
    let url = "https://matomo.example.com";
    let text = |extra: &str| {
        format!(
            "[matomo]\nurl = \"{url}\"\ntoken = \"{TOKEN}\"\n{extra}\n[privacy.noise]\nenabled = false\n"
        )
    };
    let errors = |extra: &str, vars: &[(&'static str, &'static str)]| -> String {
        let vars = vars.to_vec();
        Config::from_toml_str(&text(extra), move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap_err()
        .to_string()
    };
    let key = "configuration `matomo.max_concurrent_requests (MATOMO_MAX_CONCURRENT_REQUESTS)`";
    assert_eq!(
        errors("max_concurrent_requests = 0", &[]),
        format!(
            "{key}: 0 requests at once cannot be used (none would ever be sent); use at least 1, at most the PHP workers Matomo can spare (php-fpm's `pm.max_children`); 4 is the default"
        )
    );
    assert_eq!(
        errors("", &[("MATOMO_MAX_CONCURRENT_REQUESTS", "0")]),
        errors("max_concurrent_requests = 0", &[])
    );
    assert_eq!(
        errors("", &[("MATOMO_MAX_CONCURRENT_REQUESTS", "many")]),
        format!(
            "{key}: `many` is not a whole number; use a number of requests such as 4 (the default)"
        )
    );
    let negative = errors("max_concurrent_requests = -2", &[]);
    assert!(
        negative.contains("max_concurrent_requests") && negative.contains("whole number"),
        "{negative}"
    );
    let quoted = errors("max_concurrent_requests = \"8\"", &[]);
    assert!(
        quoted.contains("write it without quotes: `max_concurrent_requests = 8`"),
        "{quoted}"
    );
}
