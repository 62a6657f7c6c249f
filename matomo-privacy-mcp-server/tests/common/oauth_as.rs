//! A real authorization server for the OAuth tests: `tests/oauth-as/server.mjs` runs
//! `oauth2-mock-server` (npm) on loopback; tokens come from its `/token` endpoint with
//! `grant_type=client_credentials`, and its stdin drives key rotation.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use matomo_privacy_mcp_server::{OAuthConfig, TokenValidator};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use url::Url;

pub const RESOURCE: &str = "https://mcp.example/mcp";

/// The harness's directory, from this crate or from another one that includes this file.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../matomo-privacy-mcp-server/tests/oauth-as")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A running `server.mjs`.
pub struct AuthServer {
    pub issuer: String,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    http: reqwest::Client,
    _child: Child,
}

impl AuthServer {
    /// Starts one, or answers `None` (after saying so) when its packages are not installed and
    /// this is not CI.
    pub async fn start() -> Option<Self> {
        if !dir()
            .join("node_modules/oauth2-mock-server/package.json")
            .exists()
        {
            let problem = "the npm packages of tests/oauth-as are not installed; \
                           run `bash matomo-privacy-mcp-server/tests/interop/setup.sh`";
            if std::env::var_os("CI").is_some() {
                panic!("the OAuth token tests cannot run in CI: {problem}");
            }
            // Written to stderr directly: libtest captures `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED OAuth token test against oauth2-mock-server: {problem}"
            );
            return None;
        }
        let mut child = Command::new("node")
            .current_dir(dir())
            .arg("server.mjs")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot run `node`; install Node.js 20.19 or later");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = read_line(&mut stdout).await;
        let issuer = first["issuer"].as_str().unwrap().to_owned();
        assert_eq!(first["alg"], "RS256", "{first}");
        Some(Self {
            issuer,
            stdin,
            stdout,
            http: reqwest::Client::new(),
            _child: child,
        })
    }

    /// Sends one command line and returns its JSON answer, which must say `ok`.
    pub async fn command(&mut self, line: &str) -> Value {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
        let answer = read_line(&mut self.stdout).await;
        assert_eq!(answer["ok"], true, "`{line}`: {answer}");
        answer
    }

    /// How many times `/jwks` was asked for.
    pub async fn jwks_requests(&mut self) -> u64 {
        self.command("keys").await["jwks_requests"]
            .as_u64()
            .unwrap()
    }

    /// A token from the `/token` endpoint, for this resource unless `params` say otherwise.
    pub async fn token(&self, params: &[(&str, &str)]) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        if !params.iter().any(|(name, _)| *name == "aud") {
            form.append_pair("aud", RESOURCE);
        }
        for (name, value) in params {
            form.append_pair(name, value);
        }
        let response = self
            .http
            .post(format!("{}/token", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "token endpoint: {status} {body}");
        assert_eq!(body["token_type"], "Bearer");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A token whose claims are changed as `claims` says (null removes a claim).
    pub async fn token_with(&self, claims: Value) -> String {
        self.token(&[
            ("scope", "matomo:read"),
            ("test_claims", &claims.to_string()),
        ])
        .await
    }

    pub fn config(&self) -> OAuthConfig {
        OAuthConfig::new(self.issuer.clone(), RESOURCE)
    }

    pub fn validator(&self) -> TokenValidator {
        TokenValidator::new(self.config()).unwrap()
    }

    pub fn jwks_uri(&self) -> Url {
        Url::parse(&format!("{}/jwks", self.issuer)).unwrap()
    }
}

pub async fn read_line(stdout: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), stdout.next_line())
        .await
        .expect("the authorization server did not answer within 30 s")
        .unwrap()
        .expect("the authorization server exited");
    serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}"))
}
