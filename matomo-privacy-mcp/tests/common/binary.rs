//! The installed `matomo-privacy-mcp` binary as a child process of a test: run to its end, on
//! stdio, or serving Streamable HTTP.

use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The binary without the Matomo settings of the environment the tests run in, killed when the
/// test drops it.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matomo-privacy-mcp"));
    command
        .env_remove("MATOMO_URL")
        .env_remove("MATOMO_TOKEN")
        .env_remove("MATOMO_TOKEN_FILE")
        .kill_on_drop(true);
    command
}

/// Runs `command` to its end with nothing on stdin: whether it succeeded, stdout, stderr.
pub async fn run_to_end(command: &mut Command) -> (bool, String, String) {
    let output = command.stdin(Stdio::null()).output().await.unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts `command` as a stdio server, its stderr going to `stderr`: the process, its input,
/// and its output line by line.
pub fn spawn_stdio(
    command: &mut Command,
    stderr: Stdio,
) -> (Child, ChildStdin, Lines<BufReader<ChildStdout>>) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, stdin, stdout)
}

/// Writes `message` to a stdio server's `stdin`, as the one line JSON-RPC over stdio sends it.
pub async fn send(stdin: &mut ChildStdin, message: &Value) {
    stdin
        .write_all(format!("{message}\n").as_bytes())
        .await
        .unwrap();
}

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `serve --http` process that said where it serves, with what it wrote to stderr.
pub struct Served {
    pub child: Child,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `command` (a `serve --http`) and waits up to `wait` for the line naming its URL;
    /// stderr is read on meanwhile, so the server never blocks on a full pipe.
    pub async fn start(mut command: Command, wait: Duration) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let url = tokio::time::timeout(wait, async {
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
        .unwrap_or_else(|_| panic!("the server did not start within {wait:?}"));
        let keep = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                keep.lock().unwrap().push(line);
            }
        });
        Self { child, url, log }
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}
