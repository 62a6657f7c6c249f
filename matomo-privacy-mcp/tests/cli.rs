//! The `matomo-privacy-mcp` command against the Matomo emulator: check, manifest, tools, and the refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{binary, scratch};
use matomo_privacy_mcp_core::testing::{self, TOKEN};
use matomo_privacy_mcp_testkit::Emulator;

const ROOT: &str = "root0123456789abcdef0123456789ab";

async fn emulator() -> Emulator {
    testing::emulator_with_super_user(3, &[1, 2], ROOT).await
}

fn config(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-cli-{}-{name}.toml",
        std::process::id()
    ));
    // Noise is on by default and its budget needs a file.
    let budget = path.with_extension("budget.json");
    let _ = std::fs::remove_file(&budget);
    let text = match text.contains("[matomo]") {
        true => format!(
            "{text}[privacy.noise]\nbudget_file = \"{}\"\n",
            budget.display()
        ),
        false => text.to_owned(),
    };
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the command to its end (awaited, so the emulator keeps answering meanwhile).
async fn run(args: Vec<String>) -> Output {
    binary::command()
        .args(&args)
        .env_remove("MATOMO_PRIVACY_MCP_ENABLED")
        .output()
        .await
        .unwrap()
}

/// The `[matomo]` section of a configuration for `emu` with `token`.
fn matomo(emu: &Emulator, token: &str) -> String {
    format!(
        "[matomo]\nurl = \"{}\"\ntoken = \"{token}\"\n",
        emu.base_url()
    )
}

fn args(path: &Path, rest: &[&str]) -> Vec<String> {
    let mut all = vec!["--config".to_owned(), path.display().to_string()];
    all.extend(rest.iter().map(|s| (*s).to_owned()));
    all
}

/// Asserts that `text` holds each of `parts`.
fn says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
}

/// Runs the command with the configuration at `path`, which must fail: its stdout and stderr.
async fn refused(path: &Path, rest: &[&str]) -> (String, String) {
    let output = run(args(path, rest)).await;
    let (stdout, stderr) = text(&output);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// Runs the command with the configuration at `path`, which must succeed: its stdout and
/// stderr.
async fn succeeded(path: &Path, rest: &[&str]) -> (String, String) {
    let output = run(args(path, rest)).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn check_reports_sites_tools_and_hides_above_the_ceiling() {
    let emu = emulator().await;
    let path = config("check", &matomo(&emu, TOKEN));
    let (stdout, stderr) = succeeded(&path, &["check"]).await;
    says(
        &stdout,
        &[
            "serving enabled: no",
            "token check: serving sites 1, 2; the token has view access only",
            "tools exposed (34)",
            "visit_log (pseudonymous)",
        ],
    );
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
}

#[tokio::test]
async fn a_super_user_token_is_refused_with_how_to_fix() {
    let emu = emulator().await;
    let path = config("root", &matomo(&emu, ROOT));
    let (_, stderr) = refused(&path, &["check"]).await;
    says(&stderr, &["super-user access", "view access only"]);
}

#[tokio::test]
async fn serve_refuses_until_enabled() {
    let emu = emulator().await;
    let path = config("disabled", &matomo(&emu, TOKEN));
    let (stdout, stderr) = refused(&path, &["serve"]).await;
    assert!(
        stdout.is_empty(),
        "stdout belongs to the protocol: {stdout}"
    );
    says(&stderr, &["serving is disabled, which is the default"]);
}

#[tokio::test]
async fn manifest_and_tools_need_no_matomo_offline() {
    let path = config(
        "offline",
        "[matomo]\nurl = \"https://matomo.example.com\"\ntoken = \"0123456789abcdef\"\n",
    );
    let (stdout, _) = succeeded(&path, &["manifest", "--offline"]).await;
    assert!(stdout.starts_with("# Privacy manifest"), "{stdout}");
    assert!(
        stdout
            .contains("| Matomo token check | not performed (manifest generated with --offline) |")
    );
    let output = run(args(&path, &["tools"])).await;
    let tools: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tools.as_array().unwrap().len(), 34);
    assert_eq!(
        tools[0]["_meta"]["matomo-privacy-mcp/privacyClass"],
        "aggregate"
    );
}

#[tokio::test]
async fn manifest_json_includes_the_token_check() {
    let emu = emulator().await;
    let path = config(
        "manifest",
        &format!("enabled = true\n{}", matomo(&emu, TOKEN)),
    );
    let output = run(args(&path, &["manifest", "--json"])).await;
    let manifest: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(manifest["enabled"], true);
    assert_eq!(
        manifest["token_check"],
        "serving sites 1, 2; the token has view access only"
    );
}

#[tokio::test]
async fn configuration_mistakes_name_the_key() {
    let path = config("bad", "ceiling = \"everything\"\n");
    let (_, stderr) = refused(&path, &["tools"]).await;
    says(
        &stderr,
        &[
            "configuration `ceiling (MATOMO_PRIVACY_MCP_CEILING)`: `everything` is not a privacy class",
            "configuration `matomo.url (MATOMO_URL)`",
        ],
    );
}

/// A misspelt tool in `tools.allowed` is found with the rest of the offline checks: `check`
/// fails before it prints "configuration: ok" and before it contacts Matomo.
#[tokio::test]
async fn a_tool_name_typo_fails_before_configuration_ok() {
    let path = config(
        "typo",
        "[tools]\nallowed = [\"visits_sumary\"]\n[matomo]\nurl = \"https://matomo.invalid\"\ntoken = \"0123456789abcdef\"\n",
    );
    let (stdout, stderr) = refused(&path, &["check"]).await;
    assert!(!stdout.contains("configuration: ok"), "{stdout}");
    says(
        &stderr,
        &[
            "configuration `tools.allowed (MATOMO_PRIVACY_MCP_ALLOWED_TOOLS)`: there is no tool `visits_sumary`",
        ],
    );
    assert!(
        !stderr.contains("matomo.invalid"),
        "Matomo was contacted: {stderr}"
    );
}

/// Before any configuration exists, `tools` shows what a default one would expose: every
/// aggregate tool, and nothing above the default ceiling.
#[tokio::test]
async fn tools_without_a_configuration_lists_the_default_exposure() {
    let output = run(vec!["tools".to_owned()]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let tools: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 34, "{names:?}");
    assert!(!names.contains(&"visit_log") && !names.contains(&"raw_page_urls"));
    // A default configuration has noise on: no exact-only tool.
    assert!(!names.contains(&"page_performance"), "{names:?}");
}

/// A first start keeps the budget and its key in the user's state directory, made owner-only;
/// a state directory that cannot be used stops `check` before "configuration: ok", with the key
/// to change, rather than turning every later call into a refusal.
#[tokio::test]
async fn state_files_default_to_the_state_directory_and_check_tries_them() {
    let root = scratch::dir("cli-state");
    let run_with_state = |state: PathBuf, extra: Vec<(&'static str, String)>| async move {
        let mut command = binary::command();
        command
            .args(["--emulator", "check"])
            .env_remove("MATOMO_PRIVACY_MCP_CONFIG")
            .env_remove("MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE")
            .env_remove("MATOMO_PRIVACY_MCP_NOISE_KEY_FILE")
            .env_remove("MATOMO_PRIVACY_MCP_AUDIT_LOG")
            .env("XDG_STATE_HOME", state);
        for (name, value) in extra {
            command.env(name, value);
        }
        command.output().await
    };
    let state = root.join("state");
    let output = run_with_state(state.clone(), Vec::new()).await.unwrap();
    let (out, err) = text(&output);
    assert!(output.status.success(), "{out}\n{err}");
    let dir = state.join("matomo-privacy-mcp");
    assert!(
        out.contains(&format!(
            "state files: privacy budget `{0}/privacy-budget.json`, noise key `{0}/privacy-budget.json.key` (writable)\n",
            dir.display()
        )),
        "{out}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in [dir.clone(), dir.join("privacy-budget.json.key")] {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{}: {mode:o}", path.display());
        }
    }

    // A state "directory" that is a file: even root cannot write under it.
    let blocked = root.join("a-file");
    std::fs::write(&blocked, b"").unwrap();
    let output = run_with_state(blocked.clone(), Vec::new()).await.unwrap();
    let (out, err) = text(&output);
    assert!(!output.status.success(), "{out}\n{err}");
    assert!(!out.contains("configuration: ok"), "{out}");
    assert!(
        err.contains(&format!(
            "matomo-privacy-mcp: configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: the privacy budget file `{}/matomo-privacy-mcp/privacy-budget.json` cannot be used: its directory cannot be created (",
            blocked.display()
        )) && err.contains("); make that directory writable by this user, or set the key to a writable path\n"),
        "{err}"
    );

    // The audit log is tried too.
    let output = run_with_state(
        state,
        vec![(
            "MATOMO_PRIVACY_MCP_AUDIT_LOG",
            blocked.join("audit.jsonl").display().to_string(),
        )],
    )
    .await
    .unwrap();
    let (out, err) = text(&output);
    assert!(!output.status.success(), "{out}\n{err}");
    assert!(
        err.contains(&format!(
            "matomo-privacy-mcp: configuration `audit.log (MATOMO_PRIVACY_MCP_AUDIT_LOG)`: `{}/audit.jsonl`: its directory cannot be created (",
            blocked.display()
        )) && err.contains("make that directory writable by this user, or set the key to a writable path (or `stderr`)"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
