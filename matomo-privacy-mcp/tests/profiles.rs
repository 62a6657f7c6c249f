//! Client profiles end to end: the installed binary serving Streamable HTTP over the emulator, two
//! profiles with their own Matomo tokens, sites, tools and thresholds. Each client sees only its
//! profile's sites and tools, Matomo only ever sees the profile's own Matomo token (never a
//! client's credential), the audit log names the profile, and both token files rotate while the
//! server runs: a bearer token removed from its file is refused within the documented second, a
//! new Matomo token is checked and then used, and one that fails the check suspends the profile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../../matomo-privacy-mcp-server/tests/common/oauth_as.rs"]
mod oauth_as;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::binary::{self, Served};
use common::mcp_http::Session;
use common::scratch;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::{Value, json};

const MATOMO_MARKETING: &str = "marketing0123456789abcdef012345";
const MATOMO_MARKETING_NEXT: &str = "marketingNEXT456789abcdef012345";
const MATOMO_SUPPORT: &str = "support0123456789abcdef01234567";
const MATOMO_ROOT: &str = "root0123456789abcdef0123456789ab";
const BEARER_MARKETING: &str = "bearer-marketing-0123456789abcdef";
const BEARER_MARKETING_NEXT: &str = "bearer-marketing-next-0123456789";
const BEARER_SUPPORT: &str = "bearer-support-0123456789abcdef";

struct Setup {
    dir: PathBuf,
    emulator: Emulator,
    server: Served,
    url: String,
}

fn write(path: &Path, text: &str) {
    // Replaced the way operators should: written beside, then renamed over.
    let staged = path.with_extension("staged");
    std::fs::write(&staged, text).unwrap();
    std::fs::rename(&staged, path).unwrap();
}

/// Tries `attempt` every `every_ms` milliseconds until it succeeds, asserting that it does
/// within `within_s` seconds of the first try (its error says what has not happened yet): its
/// result.
async fn eventually<T>(
    within_s: u64,
    every_ms: u64,
    mut attempt: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let started = Instant::now();
    loop {
        match attempt().await {
            Ok(done) => return done,
            Err(not_yet) => assert!(
                started.elapsed() < Duration::from_secs(within_s),
                "{not_yet}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(every_ms)).await;
    }
}

/// Whether `answer` refuses the call: a protocol error or a tool's error.
fn is_refusal(answer: &Value) -> bool {
    answer["error"].is_object() || answer["result"]["isError"] == true
}

/// Replaces the token in `setup`'s file `file` with `token`.
fn rotate(setup: &Setup, file: &str, token: &str) {
    write(&setup.dir.join(file), &format!("{token}\n"));
}

async fn setup(name: &str) -> Setup {
    setup_with(name, "", "").await
}

/// [`setup`] with `http_extra` added to `[http]` and `extra` appended to the configuration (after
/// the profiles).
async fn setup_with(name: &str, http_extra: &str, extra: &str) -> Setup {
    let emulator = testing::emulator_builder(5)
        .view_token(MATOMO_MARKETING, &[1, 2])
        .view_token(MATOMO_MARKETING_NEXT, &[1, 2])
        .view_token(MATOMO_SUPPORT, &[2])
        .super_user_token(MATOMO_ROOT)
        .start()
        .await
        .unwrap();
    let dir = scratch::dir(&format!("profiles-{name}"));
    let file = |name: &str, text: &str| scratch::file(&dir, name, text);
    let port = binary::free_port();
    let config = format!(
        r#"enabled = true
[matomo]
url = "{url}"
[privacy]
pseudonym_key_file = "{pseudonym_key}"
[privacy.noise]
budget_file = "{budget}"
[audit]
log = "{audit}"
[http]
bind = "127.0.0.1:{port}"
{http_extra}

[[profiles]]
name = "marketing"
matomo_token_file = "{marketing_token}"
bearer_token_file = "{marketing_bearer}"
allowed_sites = [1]
allowed_tools = ["list_sites", "visits_summary", "countries"]

[[profiles]]
name = "support"
matomo_token_file = "{support_token}"
bearer_token_file = "{support_bearer}"
threshold_k = 10
ceiling = "pseudonymous"
{extra}"#,
        url = emulator.base_url(),
        budget = dir.join("budget.json").display(),
        pseudonym_key = file(
            "pseudonym.key",
            "pseudonym-key-of-the-profiles-test-0123456789"
        ),
        audit = dir.join("audit.jsonl").display(),
        marketing_token = file("matomo-marketing", &format!("{MATOMO_MARKETING}\n")),
        marketing_bearer = file("bearer-marketing", &format!("{BEARER_MARKETING}\n")),
        support_token = file("matomo-support", &format!("{MATOMO_SUPPORT}\n")),
        support_bearer = file(
            "bearer-support",
            &format!("# the support desk\n{BEARER_SUPPORT}\n")
        ),
    );
    let config_path = dir.join("matomo-privacy-mcp.toml");
    std::fs::write(&config_path, config).unwrap();
    let mut command = binary::command();
    command
        .arg("--config")
        .arg(&config_path)
        .args(["serve", "--http"]);
    let server = Served::start(command, Duration::from_secs(30)).await;
    let url = server.url.clone();
    Setup {
        dir,
        emulator,
        server,
        url,
    }
}

/// The ids of the sites `list_sites` lists to `session`.
async fn listed_sites(session: &mut Session) -> Vec<u64> {
    let answer = session.call_ok("list_sites", json!({})).await;
    answer["result"]["structuredContent"]["sites"]
        .as_array()
        .unwrap_or_else(|| panic!("no sites in {answer}"))
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn each_profile_sees_only_its_own_sites_and_tools_over_its_own_token() {
    let october_of_site_2 = json!({ "site": 2, "period": "month", "date": "2026-10-01" });
    let mut setup = setup("scope").await;
    let mut marketing = Session::new(&setup.url, Some(BEARER_MARKETING));
    assert_eq!(marketing.initialize("profiles-test").await, 200);
    assert_eq!(
        marketing.tools().await.unwrap(),
        ["list_sites", "visits_summary", "countries"]
    );
    let refused = marketing.call_ok("visit_log", json!({ "site": 1 })).await;
    assert!(is_refusal(&refused), "{refused}");
    assert_eq!(listed_sites(&mut marketing).await, [1]);
    let refused = marketing
        .call_ok("visits_summary", october_of_site_2.clone())
        .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    let refused = marketing.call_ok("top_pages", json!({ "site": 1 })).await;
    assert!(is_refusal(&refused), "{refused}");

    let mut support = Session::new(&setup.url, Some(BEARER_SUPPORT));
    assert_eq!(support.initialize("profiles-test").await, 200);
    let tools = support.tools().await.unwrap();
    assert!(
        tools.len() > 20 && tools.contains(&"top_pages".to_owned()),
        "{tools:?}"
    );
    // Its ceiling is pseudonymous: the visitor log is served to this profile, and only to it.
    assert!(tools.contains(&"visit_log".to_owned()), "{tools:?}");
    assert!(!tools.contains(&"raw_page_urls".to_owned()));
    assert_eq!(listed_sites(&mut support).await, [2]);
    let summary = support
        .call_ok("visits_summary", october_of_site_2.clone())
        .await;
    assert_eq!(
        summary["result"]["structuredContent"]["threshold_k"], 10,
        "{summary}"
    );

    // Matomo saw each profile's own token and nothing of the clients' credentials.
    let requests = setup.emulator.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        let token = request.body_param("token_auth").unwrap_or_default();
        assert!(
            token == MATOMO_MARKETING || token == MATOMO_SUPPORT,
            "Matomo got another token"
        );
        let all = format!("{:?}", request);
        assert!(!all.contains(BEARER_MARKETING) && !all.contains(BEARER_SUPPORT));
    }
    let support_sites: Vec<String> = requests
        .iter()
        .filter(|r| r.body_param("token_auth") == Some(MATOMO_SUPPORT))
        .filter_map(|r| r.body_param("idSite").map(str::to_owned))
        .collect();
    assert!(
        support_sites.iter().all(|site| site == "2"),
        "{support_sites:?}"
    );

    // The audit log names the profile of every call.
    let audit = std::fs::read_to_string(setup.dir.join("audit.jsonl")).unwrap();
    let records: Vec<Value> = audit
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let profile_of = |tool: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r["tool"] == tool)
            .map(|r| r["profile"].as_str().unwrap_or("<none>").to_owned())
            .collect()
    };
    assert_eq!(profile_of("list_sites"), ["marketing", "support"]);
    assert!(profile_of("visits_summary").contains(&"support".to_owned()));
    assert!(!audit.contains(BEARER_MARKETING) && !audit.contains(MATOMO_SUPPORT));
    setup.server.child.kill().await.unwrap();
}

#[tokio::test]
async fn token_files_rotate_while_the_server_runs() {
    let mut setup = setup("rotation").await;
    let mut old = Session::new(&setup.url, Some(BEARER_MARKETING));
    assert_eq!(old.initialize("profiles-test").await, 200);

    // A new bearer token replaces the old one in its file: the old one stops working within the
    // documented second (checked here with slack for a loaded machine), the new one works.
    rotate(&setup, "bearer-marketing", BEARER_MARKETING_NEXT);
    eventually(5, 100, async || {
        let (status, _) = old.send("tools/list", json!({})).await;
        match status {
            401 => Ok(()),
            _ => Err("the removed bearer token still works".to_owned()),
        }
    })
    .await;
    let mut new = Session::new(&setup.url, Some(BEARER_MARKETING_NEXT));
    assert_eq!(new.initialize("profiles-test").await, 200);

    // A new Matomo token: checked, then used for the profile's calls.
    rotate(&setup, "matomo-marketing", MATOMO_MARKETING_NEXT);
    eventually(10, 200, async || {
        setup.emulator.clear_requests();
        new.call_ok("list_sites", json!({})).await;
        let used: Vec<String> = setup
            .emulator
            .requests()
            .iter()
            .filter_map(|r| r.body_param("token_auth").map(str::to_owned))
            .collect();
        match !used.is_empty() && used.iter().all(|t| t == MATOMO_MARKETING_NEXT) {
            true => Ok(()),
            false => Err(format!("the new Matomo token is not used: {used:?}")),
        }
    })
    .await;

    // A super-user token fails the least-privilege check: the profile is suspended, naming the key.
    rotate(&setup, "matomo-marketing", MATOMO_ROOT);
    let reason = eventually(10, 200, async || match new.tools().await {
        Err(reason) => Ok(reason),
        Ok(_) => Err("a super-user token was accepted".to_owned()),
    })
    .await;
    assert!(
        reason.contains("profiles.marketing.matomo_token_file"),
        "{reason}"
    );
    assert!(!reason.contains(MATOMO_ROOT));
    // The other profile is not affected.
    let mut support = Session::new(&setup.url, Some(BEARER_SUPPORT));
    assert_eq!(support.initialize("profiles-test").await, 200);
    assert!(support.tools().await.is_ok());
    setup.server.child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&setup.dir);
}

/// Runs the binary to its end with `args` and the configuration `config`.
async fn run_to_end(config: &Path, args: &[&str]) -> (bool, String, String) {
    binary::run_to_end(
        binary::command()
            .arg("--config")
            .arg(config)
            .args(args)
            .env_remove("MATOMO_PRIVACY_MCP_PROFILE"),
    )
    .await
}

#[tokio::test]
async fn check_manifest_and_stdio_know_the_profiles() {
    let mut setup = setup("commands").await;
    setup.server.child.kill().await.unwrap();
    let config = setup.dir.join("matomo-privacy-mcp.toml");
    let (ok, out, err) = run_to_end(&config, &["check"]).await;
    assert!(ok, "{err}");
    for expected in [
        "profile `marketing`:",
        "  tools exposed (3): list_sites, visits_summary, countries",
        "profile `support`:",
        "  threshold k: 10",
        "  ceiling: pseudonymous",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    let (ok, out, err) = run_to_end(&config, &["manifest", "--offline"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("## Client profiles"), "{out}");
    assert!(out.contains("| `support` | bearer tokens in `"), "{out}");
    assert!(!out.contains(BEARER_SUPPORT) && !out.contains(MATOMO_SUPPORT));
    let (ok, _, err) = run_to_end(&config, &["serve"]).await;
    assert!(!ok);
    assert!(
        err.contains("--profile (MATOMO_PRIVACY_MCP_PROFILE): stdio serves one client, and the configuration has profiles `marketing`, `support`; choose one"),
        "{err}"
    );
    let (ok, _, err) = run_to_end(&config, &["serve", "--profile", "sales"]).await;
    assert!(!ok);
    assert!(err.contains("there is no profile `sales`"), "{err}");
    let _ = std::fs::remove_dir_all(&setup.dir);
}

/// OAuth through the configuration file: `[oauth]` and `http.public_url` make the server a resource
/// server of a real authorization server; a profile's `oauth_scope` picks who a token is served as,
/// and Matomo sees the profile's own token, never the client's access token.
#[tokio::test]
async fn oauth_tokens_are_served_as_the_profile_their_scope_names() {
    let Some(auth) = oauth_as::AuthServer::start().await else {
        return;
    };
    let extra = format!(
        "oauth_scope = \"matomo:support\"\n[oauth]\nissuer = \"{}\"\n",
        auth.issuer
    );
    let http_extra = format!("public_url = \"{}\"", oauth_as::RESOURCE);
    let mut setup = setup_with("oauth", &http_extra, &extra).await;
    let url = setup.url.clone();
    // From here on, Matomo hears only of this client's calls (the start-up checks are done).
    setup.emulator.clear_requests();
    let token = auth.token(&[("scope", "matomo:support")]).await;
    let mut client = Session::new(&url, Some(&token));
    assert_eq!(client.initialize("profiles-test").await, 200);
    assert_eq!(listed_sites(&mut client).await, [2]);
    let unscoped = auth.token(&[("scope", "matomo:other")]).await;
    let mut refused = Session::new(&url, Some(&unscoped));
    assert_eq!(refused.initialize("profiles-test").await, 403);
    for request in setup.emulator.requests() {
        assert_eq!(request.body_param("token_auth"), Some(MATOMO_SUPPORT));
        assert!(!format!("{request:?}").contains(&token[..40]));
    }
    setup.server.child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&setup.dir);
}
