//! `[shared_state]` end to end: two `matomo-privacy-mcp serve --http` processes over the emulator share a
//! real `redis-server`. A report one fetched is answered by the other without asking Matomo, the
//! privacy budget is one for both, a rate limit holds for both together; `check` and the manifest
//! describe the store (never its password); and with Redis down `check` fails while `serve` starts
//! anyway, refuses answers with noise, and answers again once Redis is back.
#![cfg(feature = "redis")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use matomo_privacy_mcp_testkit::redis::RedisServer;
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const MATOMO_TOKEN: &str = "shared0123456789abcdef0123456789";
const BEARER: &str = "bearer-shared-state-0123456789abcdef";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A directory, an emulator and a configuration file sharing `redis`.
struct Setup {
    dir: PathBuf,
    emulator: Emulator,
    config: PathBuf,
}

/// `extra` is appended to the configuration (after `[privacy.noise]`), then the
/// `[shared_state]` of `redis`, its password in a file.
async fn setup(name: &str, extra: &str, redis: &RedisServer) -> Setup {
    let emulator = Emulator::builder()
        .seed(11)
        .today(Day::from_ymd(2026, 11, 26).unwrap())
        .view_token(MATOMO_TOKEN, &[1, 2])
        .start()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-shared-state-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
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

/// One `matomo-privacy-mcp serve --http` process, with what it wrote to stderr.
struct Replica {
    /// Killed when dropped.
    _child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Replica {
    async fn start(config: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_matomo-privacy-mcp"))
            .arg("--config")
            .arg(config)
            .args(["serve", "--http"])
            .env(
                "MATOMO_PRIVACY_MCP_HTTP_BIND",
                format!("127.0.0.1:{}", free_port()),
            )
            .env_remove("MATOMO_URL")
            .env_remove("MATOMO_TOKEN")
            .env_remove("MATOMO_TOKEN_FILE")
            .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_URL")
            .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = stderr.next_line().await.unwrap() {
                log.lock().unwrap().push(line.clone());
                if let Some(url) = line.strip_prefix("matomo-privacy-mcp: serving MCP at ") {
                    return url.to_owned();
                }
                assert!(
                    !line.starts_with("matomo-privacy-mcp: "),
                    "the server did not start: {line}"
                );
            }
            panic!(
                "the server exited before serving:\n{}",
                log.lock().unwrap().join("\n")
            );
        })
        .await
        .expect("the server did not start within 60 s");
        let keep = Arc::clone(&log);
        // Keep reading stderr so the server never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                keep.lock().unwrap().push(line);
            }
        });
        Self {
            _child: child,
            url,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// A minimal Streamable HTTP client: one session, JSON-RPC by hand.
struct Client {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
    id: u64,
}

impl Client {
    async fn connect(url: &str) -> Self {
        let mut client = Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            session: None,
            id: 0,
        };
        let (status, _) = client
            .send(
                "initialize",
                json!({ "protocolVersion": "2025-11-25", "capabilities": {},
                        "clientInfo": { "name": "shared-state-test", "version": "1" } }),
            )
            .await;
        assert_eq!(status, 200);
        client.notify("notifications/initialized").await;
        client
    }

    fn request(&self) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2025-11-25")
            .header("authorization", format!("Bearer {BEARER}"));
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        request
    }

    async fn notify(&self, method: &str) {
        self.request()
            .json(&json!({ "jsonrpc": "2.0", "method": method }))
            .send()
            .await
            .unwrap();
    }

    /// The HTTP status and the JSON-RPC answer.
    async fn send(&mut self, method: &str, params: Value) -> (u16, Value) {
        self.id += 1;
        let response = self
            .request()
            .json(&json!({ "jsonrpc": "2.0", "id": self.id, "method": method, "params": params }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if let Some(session) = response.headers().get("mcp-session-id") {
            self.session = Some(session.to_str().unwrap().to_owned());
        }
        let text = response.text().await.unwrap();
        let message = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .or_else(|| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        (status, message)
    }

    async fn call(&mut self, tool: &str, arguments: Value) -> (u16, Value) {
        self.send(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await
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
    let mut command = Command::new(env!("CARGO_BIN_EXE_matomo-privacy-mcp"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_URL")
        .env_remove("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_report_one_replica_fetched_is_served_by_the_other_and_the_budget_is_one() {
    let redis = RedisServer::start().unwrap();
    // ε 1 per statistic (these countries answers release one: visits; the threshold withholds
    // the other counts), 2 per day: two different questions, for both replicas together.
    let setup = setup(
        "reports",
        "epsilon_per_statistic = 1.0\nbudget_per_window = 2.0\n",
        &redis,
    )
    .await;
    let first = Replica::start(&setup.config).await;
    let second = Replica::start(&setup.config).await;
    let mut one = Client::connect(&first.url).await;
    let mut two = Client::connect(&second.url).await;

    setup.emulator.clear_requests();
    let (status, answer) = one.call("countries", countries("2026-11-20")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(tool_error(&answer), None, "{answer}");
    assert_eq!(
        answer["result"]["structuredContent"]["withheld"], false,
        "{answer}"
    );
    assert_eq!(
        answer["result"]["structuredContent"]["noise"]["epsilon_charged"], 1.0,
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
    repeated["noise"]["epsilon_charged"] = json!(1.0);
    assert_eq!(repeated, answer["result"]["structuredContent"], "{again}");

    // The second question spends the rest of the one budget; the third, on the first replica
    // (which on its own has spent only ε 1), is refused.
    let (_, september) = two.call("countries", countries("2026-11-21")).await;
    assert_eq!(tool_error(&september), None, "{september}");
    let (_, august) = one.call("countries", countries("2026-11-22")).await;
    let refused = tool_error(&august).unwrap_or_else(|| panic!("not refused: {august}"));
    assert!(
        refused.contains("privacy budget of this window is spent"),
        "{refused}"
    );

    for replica in [&first, &second] {
        let log = replica.log();
        assert!(log.contains("shared state answered"), "{log}");
        assert!(!log.contains(redis.password()), "{log}");
    }
    drop((first, second));
    let _ = std::fs::remove_dir_all(&setup.dir);
}

#[tokio::test]
async fn a_rate_limit_holds_for_both_replicas_together() {
    let redis = RedisServer::start().unwrap();
    let setup = setup(
        "rate",
        "enabled = false\n[rate_limit]\nper_minute = 3\n",
        &redis,
    )
    .await;
    let first = Replica::start(&setup.config).await;
    let second = Replica::start(&setup.config).await;
    let mut clients = [
        Client::connect(&first.url).await,
        Client::connect(&second.url).await,
    ];
    let mut statuses = Vec::new();
    // Three calls pass, whichever replica takes them; then both refuse, though neither has made
    // three calls of its own.
    for i in 0..5 {
        let (status, answer) = clients[i % 2].call("list_sites", json!({})).await;
        if status == 429 {
            assert_eq!(answer["error"]["code"], -32029, "{answer}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    drop((first, second));
    let _ = std::fs::remove_dir_all(&setup.dir);
}

#[tokio::test]
async fn check_and_the_manifest_describe_the_store_and_serve_starts_without_it() {
    let mut redis = RedisServer::start().unwrap();
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
    let replica = Replica::start(&setup.config).await;
    assert!(
        replica.log().contains("the shared state did not answer"),
        "{}",
        replica.log()
    );
    let mut client = Client::connect(&replica.url).await;
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
