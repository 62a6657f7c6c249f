//! `[shared_state]` end to end: two `matomo-privacy-mcp serve --http` processes over the emulator share a
//! real `redis-server`. A report one fetched is answered by the other without asking Matomo, the
//! privacy budget is one for both, a rate limit holds for both together; `check` and the manifest
//! describe the store (never its password); and with Redis down `check` fails while `serve` starts
//! anyway, refuses answers with noise, and answers again once Redis is back.
#![cfg(feature = "redis")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::binary::{self, Served};
use common::mcp_http::Session;
use common::scratch;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::Emulator;
use matomo_privacy_mcp_testkit::redis::RedisServer;
use matomo_privacy_mcp_testkit::redis_or_skip;
use serde_json::{Value, json};

const MATOMO_TOKEN: &str = "shared0123456789abcdef0123456789";
const BEARER: &str = "bearer-shared-state-0123456789abcdef";

/// A directory, an emulator and a configuration file sharing `redis`.
struct Setup {
    dir: PathBuf,
    emulator: Emulator,
    config: PathBuf,
}

/// `extra` is appended to the configuration (after `[privacy.noise]`), then the
/// `[shared_state]` of `redis`, its password in a file.
async fn setup(name: &str, extra: &str, redis: &RedisServer) -> Setup {
    let emulator = testing::emulator_for(MATOMO_TOKEN, 11, &[1, 2]).await;
    let dir = scratch::dir(&format!("shared-state-{name}"));
    let file = |name: &str, text: &str| scratch::file(&dir, name, text);
    let shared = format!(
        "[shared_state]\nurl = \"{}\"\npassword_file = \"{}\"\nprefix = \"test-{name}:\"\ntimeout_ms = 300\n",
        redis.url_without_password(),
        file("redis-password", &format!("{}\n", redis.password())),
    );
    let config = format!(
        r#"enabled = true
[matomo]
url = "{url}"
token_file = "{token}"
[http]
bearer_tokens_file = "{bearer}"
[privacy.noise]
key_file = "{noise_key}"
{extra}
{shared}"#,
        url = emulator.base_url(),
        token = file("matomo-token", &format!("{MATOMO_TOKEN}\n")),
        bearer = file("bearer-tokens", &format!("{BEARER}\n")),
        // One key for both replicas: the same question gets the same noisy answer on both.
        noise_key = file("noise.key", "noise-key-of-the-shared-state-test-0123456789"),
    );
    let path = dir.join("matomo-privacy-mcp.toml");
    std::fs::write(&path, config).unwrap();
    Setup {
        dir,
        emulator,
        config: path,
    }
}

/// One `matomo-privacy-mcp serve --http` process of `config`, killed when dropped.
async fn replica(config: &Path) -> Served {
    let mut command = binary::command();
    command
        .arg("--config")
        .arg(config)
        .args(["serve", "--http"])
        .env(
            "MATOMO_PRIVACY_MCP_HTTP_BIND",
            format!("127.0.0.1:{}", binary::free_port()),
        )
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_URL")
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE")
        .env_remove("RUST_LOG");
    Served::start(command, Duration::from_secs(60)).await
}

/// A session with the replica at `url`, initialised.
async fn connect(url: &str) -> Session {
    let mut session = Session::new(url, Some(BEARER));
    assert_eq!(session.initialize("shared-state-test").await, 200);
    session
}

/// Two replicas of one [`setup`] sharing a `redis-server` of their own, and a session with each.
struct Replicas {
    redis: RedisServer,
    setup: Setup,
    served: [Served; 2],
    sessions: [Session; 2],
}

/// The [`setup`] of `name` with `extra` over `redis`, a `redis-server` of its own, and two
/// replicas of it.
async fn two_replicas(redis: RedisServer, name: &str, extra: &str) -> Replicas {
    let setup = setup(name, extra, &redis).await;
    let served = [replica(&setup.config).await, replica(&setup.config).await];
    let sessions = [connect(&served[0].url).await, connect(&served[1].url).await];
    Replicas {
        redis,
        setup,
        served,
        sessions,
    }
}

/// The countries of site 1 on `day`, a day that is over (the emulator keeps two weeks).
fn countries(day: &str) -> Value {
    json!({ "site": 1, "period": "day", "date": day })
}

/// The text of an answer that is a tool error, or `None` for a result.
fn tool_error(answer: &Value) -> Option<String> {
    (answer["result"]["isError"] == true).then(|| answer["result"]["content"].to_string())
}

/// Runs the binary to its end: success, stdout, stderr.
async fn run_to_end(config: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = binary::command();
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_URL")
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE");
    for (name, value) in env {
        command.env(name, value);
    }
    binary::run_to_end(&mut command).await
}

#[tokio::test]
async fn a_report_one_replica_fetched_is_served_by_the_other_and_the_budget_is_one() {
    // ε 1 per statistic (these countries answers release three: visits, and the two totals of
    // their day that complete counted visits to Matomo's; the threshold withholds the other
    // counts), 6 per day: two different questions, for both replicas together.
    let extra = "epsilon_per_statistic = 1.0\nbudget_per_window = 6.0\n";
    let redis =
        redis_or_skip!("a_report_one_replica_fetched_is_served_by_the_other_and_the_budget_is_one");
    let mut replicas = two_replicas(redis, "reports", extra).await;
    let (redis, setup) = (&replicas.redis, &replicas.setup);
    let [one, two] = &mut replicas.sessions;

    setup.emulator.clear_requests();
    let (status, answer) = one.call("countries", countries("2026-11-20")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(tool_error(&answer), None, "{answer}");
    assert_eq!(
        answer["result"]["structuredContent"]["withheld"], false,
        "{answer}"
    );
    assert_eq!(
        answer["result"]["structuredContent"]["noise"]["epsilon_charged"], 3.0,
        "{answer}"
    );
    assert!(
        !setup.emulator.requests().is_empty(),
        "the first replica asked Matomo"
    );

    // The other replica answers the same past period from the shared cache: Matomo hears nothing.
    setup.emulator.clear_requests();
    let (status, again) = two.call("countries", countries("2026-11-20")).await;
    assert_eq!(status, 200, "{again}");
    let upstream: Vec<String> = setup
        .emulator
        .requests()
        .iter()
        .map(|r| format!("{:?}", r.body_param("method")))
        .collect();
    assert!(upstream.is_empty(), "Matomo was asked again: {upstream:?}");
    // The same key, the same data: the same noisy answer; and, the question answered already in
    // the one budget, no charge.
    let mut repeated = again["result"]["structuredContent"].clone();
    assert_eq!(repeated["noise"]["epsilon_charged"], 0.0, "{again}");
    repeated["noise"]["epsilon_charged"] = json!(3.0);
    assert_eq!(repeated, answer["result"]["structuredContent"], "{again}");

    // The second question spends the rest of the one budget; the third, on the first replica
    // (which on its own has spent only ε 3), is refused.
    let (_, september) = two.call("countries", countries("2026-11-21")).await;
    assert_eq!(tool_error(&september), None, "{september}");
    let (_, august) = one.call("countries", countries("2026-11-22")).await;
    let refused = tool_error(&august).unwrap_or_else(|| panic!("not refused: {august}"));
    assert!(
        refused.contains("privacy budget of this window is spent"),
        "{refused}"
    );

    for replica in &replicas.served {
        let log = replica.log();
        assert!(log.contains("shared state answered"), "{log}");
        assert!(!log.contains(redis.password()), "{log}");
    }
    drop(replicas.served);
    let _ = std::fs::remove_dir_all(&replicas.setup.dir);
}

#[tokio::test]
async fn a_rate_limit_holds_for_both_replicas_together() {
    let extra = "enabled = false\n[rate_limit]\nper_minute = 3\n";
    let redis = redis_or_skip!("a_rate_limit_holds_for_both_replicas_together");
    let mut replicas = two_replicas(redis, "rate", extra).await;
    let mut statuses = Vec::new();
    // Three calls pass, whichever replica takes them; then both refuse, though neither has made
    // three calls of its own.
    for i in 0..5 {
        let (status, answer) = replicas.sessions[i % 2].call("list_sites", json!({})).await;
        if status == 429 {
            assert_eq!(answer["error"]["code"], -32029, "{answer}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    drop(replicas.served);
    let _ = std::fs::remove_dir_all(&replicas.setup.dir);
}

#[tokio::test]
async fn check_and_the_manifest_describe_the_store_and_serve_starts_without_it() {
    let mut redis =
        redis_or_skip!("check_and_the_manifest_describe_the_store_and_serve_starts_without_it");
    let setup = setup("check", "", &redis).await;
    let port = redis.port();

    let (ok, out, err) = run_to_end(&setup.config, &["check"], &[]).await;
    assert!(ok, "{out}\n{err}");
    for expected in [
        format!(
            "shared state: Redis at redis://127.0.0.1:{port}/0, keys prefixed `test-check:`, no TLS, with a password: answered\n"
        ),
        "  shared with the other replicas: cached reports, the privacy budget\n".to_owned(),
        // A key file is configured: the line ends with the budget's place.
        "budget in the shared state\n".to_owned(),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in\n{out}");
    }
    assert!(!out.contains(redis.password()) && !err.contains(redis.password()));

    // A URL with its password, from the environment only.
    let plain = setup.dir.join("without-section.toml");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let without_section = &text[..text.find("[shared_state]").unwrap()];
    std::fs::write(&plain, without_section).unwrap();
    let (ok, out, err) = run_to_end(
        &plain,
        &["check"],
        &[("MATOMO_PRIVACY_MCP_SHARED_STATE_URL", &redis.url())],
    )
    .await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "shared state: Redis at redis://127.0.0.1:{port}/0, keys prefixed `matomo-privacy-mcp:`, no TLS, with a password: answered"
        )),
        "{out}"
    );
    assert!(!out.contains(redis.password()) && !err.contains(redis.password()));
    // Without any: state per process, the budget in the user's state directory.
    let state = setup.dir.join("state");
    let (ok, out, err) = run_to_end(
        &plain,
        &["check"],
        &[("XDG_STATE_HOME", state.to_str().unwrap())],
    )
    .await;
    assert!(ok, "a noise budget in the state directory: {out}\n{err}");
    let budget = state.join("matomo-privacy-mcp").join("privacy-budget.json");
    assert!(
        out.contains(&format!("budget in {}", budget.display())),
        "{out}"
    );

    // The manifest says where the state is, that it needs a password, and what it holds.
    let (ok, out, err) = run_to_end(&setup.config, &["manifest", "--offline"], &[]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "| shared state | Redis (or Valkey) at `redis://127.0.0.1:{port}/0`, shared by every replica using it: no TLS (Redis on this machine), password required; keys prefixed `test-check:`; holds cached report bodies"
        )),
        "{out}"
    );
    assert!(out.contains("privacy-budget ledgers"), "{out}");
    assert!(out.contains("budget kept in the shared state"), "{out}");
    let (ok, json, _) = run_to_end(&setup.config, &["manifest", "--offline", "--json"], &[]).await;
    assert!(ok);
    let manifest: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(manifest["shared_state"]["authenticated"], true);
    assert_eq!(manifest["shared_state"]["tls"], false);
    assert_eq!(manifest["shared_state"]["local"], true);
    assert!(!json.contains(redis.password()));

    // Redis down: `check` says so and fails; `serve` starts anyway and refuses answers with noise.
    redis.stop();
    let (ok, out, err) = run_to_end(&setup.config, &["check"], &[]).await;
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!(
            "shared state: Redis at redis://127.0.0.1:{port}/0, keys prefixed `test-check:`, no TLS, with a password: did NOT answer"
        )),
        "{out}"
    );
    assert!(
        err.contains(
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the shared state did not answer"
        ),
        "{err}"
    );
    let replica = replica(&setup.config).await;
    assert!(
        replica.log().contains("the shared state did not answer"),
        "{}",
        replica.log()
    );
    let mut client = connect(&replica.url).await;
    let (_, answer) = client.call("countries", countries("2026-11-20")).await;
    let refused = tool_error(&answer).unwrap_or_else(|| panic!("not refused: {answer}"));
    assert!(
        refused.contains("shared privacy budget cannot be reached"),
        "{refused}"
    );
    // Back: the same process answers, without a restart.
    redis.resume().unwrap();
    let back = Instant::now();
    loop {
        let (_, answer) = client.call("countries", countries("2026-11-20")).await;
        if tool_error(&answer).is_none() {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "still refused after Redis is back: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!replica.log().contains(redis.password()));
    drop(replica);
    let _ = std::fs::remove_dir_all(&setup.dir);
}
