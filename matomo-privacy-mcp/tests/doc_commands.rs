//! Every shell command in the documentation is run here or by CI.
//!
//! The commands are read from the fenced `sh`/`bash`/`shell`/`console` blocks of `README.md`,
//! `docs/*.md`, `fuzz/README.md` and `matomo-privacy-mcp-core/benches/README.md`, and from inline code that starts with a command (`cargo `,
//! `bash `, `matomo-privacy-mcp `, ...). Each one is either
//! - a `matomo-privacy-mcp` command (written `matomo-privacy-mcp ARGS` or `cargo run -p matomo-privacy-mcp -- ARGS`): this
//!   test runs it, through `sh`, in a directory holding a `matomo-privacy-mcp.toml` pointed at the Matomo
//!   emulator; `serve` is started, answers an MCP `initialize` (over stdio, or over HTTP with a bearer
//!   token) and is killed; or
//! - listed in `.ci/doc-commands.txt` with what covers it: `ci: TEXT` (a line of `.ci/run` runs
//!   TEXT), `test: PATH::NAME` (the test function NAME in PATH) or `manual: REASON`, for a template
//!   with `<placeholders>` (replaying a fuzz crash) or a command needing the network CI lacks (RustSec
//!   advisories); at most [`MANUAL_AT_MOST`] of those, so that the list stays an exception.
//!
//! The test fails on a command that is neither, on a listed command the docs no longer hold, and on a
//! `ci:` or `test:` target that does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::binary;
use matomo_privacy_mcp_core::testing::{self, TOKEN};

const BEARER: &str = "doc-commands-bearer-0123456789abcdef";
/// How many docs commands may be left to a person (`manual:` in `.ci/doc-commands.txt`).
const MANUAL_AT_MOST: usize = 4;
/// Words that start a command when they open an inline code span.
const COMMAND_STARTS: &[&str] = &[
    "cargo ",
    "bash ",
    "sh ",
    "matomo-privacy-mcp ",
    "fuzz/run.sh",
    "python3 ",
    "pip ",
    "curl ",
    "rustup ",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A command as the docs write it, and where.
#[derive(Debug)]
struct DocCommand {
    file: String,
    command: String,
}

fn documents(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![
        root.join("README.md"),
        root.join("fuzz/README.md"),
        root.join("matomo-privacy-mcp-core/benches/README.md"),
    ];
    let mut guide: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    guide.sort();
    files.extend(guide);
    files
}

/// Drops a trailing ` # comment` and a `$ ` prompt.
fn clean(line: &str) -> String {
    let line = line.trim();
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let without_comment = match line.find(" #") {
        Some(at) => &line[..at],
        None => line,
    };
    without_comment.trim().to_owned()
}

fn extract(file: &str, text: &str) -> Vec<DocCommand> {
    let mut commands = Vec::new();
    let mut in_shell_block = false;
    let mut in_other_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_shell_block || in_other_block {
                in_shell_block = false;
                in_other_block = false;
            } else if matches!(info.trim(), "sh" | "bash" | "shell" | "console") {
                in_shell_block = true;
            } else {
                in_other_block = true;
            }
            continue;
        }
        if in_shell_block {
            let trimmed = trimmed.trim_end();
            if let Some(start) = trimmed.strip_suffix('\\') {
                pending.push_str(start.trim());
                pending.push(' ');
                continue;
            }
            let whole = format!("{pending}{trimmed}");
            pending.clear();
            let command = clean(&whole);
            // `cd DIR` only sets the directory for the commands after it.
            if command.is_empty() || command.starts_with('#') || command.starts_with("cd ") {
                continue;
            }
            commands.push(DocCommand {
                file: file.to_owned(),
                command,
            });
        } else if !in_other_block {
            for (index, span) in line.split('`').enumerate() {
                if index % 2 == 1 && COMMAND_STARTS.iter().any(|start| span.starts_with(start)) {
                    commands.push(DocCommand {
                        file: file.to_owned(),
                        command: span.trim().to_owned(),
                    });
                }
            }
        }
    }
    commands
}

/// The `matomo-privacy-mcp` arguments of a command that runs the server binary, written either way.
fn server_command(command: &str) -> Option<String> {
    if let Some(rest) = command.strip_prefix("cargo run -p matomo-privacy-mcp -- ") {
        return Some(format!("matomo-privacy-mcp {rest}"));
    }
    command
        .starts_with("matomo-privacy-mcp ")
        .then(|| command.to_owned())
}

/// One entry of `.ci/doc-commands.txt`: `COMMAND => ci: TEXT` or `COMMAND => test: PATH::NAME`.
struct Covered {
    command: String,
    by: String,
}

fn manifest(root: &Path) -> Vec<Covered> {
    let text = std::fs::read_to_string(root.join(".ci/doc-commands.txt")).unwrap();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (command, by) = line
                .split_once(" => ")
                .unwrap_or_else(|| panic!("no ` => ` in .ci/doc-commands.txt line: {line}"));
            Covered {
                command: command.trim().to_owned(),
                by: by.trim().to_owned(),
            }
        })
        .collect()
}

/// Why `by` does not name something that exists, if it does not.
fn missing_cover(root: &Path, by: &str) -> Option<String> {
    if let Some(text) = by.strip_prefix("ci: ") {
        let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
        let runs = ci
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with('#') && !line.starts_with("step "))
            .any(|line| line.contains(text));
        return (!runs).then(|| format!("no command line of .ci/run contains `{text}`"));
    }
    if let Some(target) = by.strip_prefix("test: ") {
        let Some((path, name)) = target.split_once("::") else {
            return Some(format!("`{target}` is not PATH::NAME"));
        };
        let Ok(source) = std::fs::read_to_string(root.join(path)) else {
            return Some(format!("{path} does not exist"));
        };
        let defined = source.contains(&format!("fn {name}("));
        return (!defined).then(|| format!("{path} has no function `{name}`"));
    }
    if by.starts_with("manual: ") {
        // Left to a person: a template with <placeholders>, or a command that needs the network.
        return None;
    }
    Some(format!(
        "`{by}` is neither `ci: TEXT`, `test: PATH::NAME` nor `manual: REASON`"
    ))
}

/// A directory with `matomo-privacy-mcp.toml` and a `bin/matomo-privacy-mcp` that is the binary under test.
struct Workdir {
    dir: PathBuf,
    http_port: u16,
}

impl Workdir {
    fn new(matomo_url: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "matomo-privacy-mcp-doc-commands-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_matomo-privacy-mcp"),
            dir.join("bin/matomo-privacy-mcp"),
        )
        .unwrap();
        // The docs' bind address (127.0.0.1:8765) may be taken on a test machine; the port is
        // the only thing that differs from the documented setup.
        let http_port = binary::free_port();
        std::fs::write(
            dir.join("matomo-privacy-mcp.toml"),
            format!(
                "enabled = true\n[matomo]\nurl = \"{matomo_url}\"\ntoken = \"{TOKEN}\"\n\
                 [privacy.noise]\nbudget_file = \"{budget}\"\n\
                 [http]\nbind = \"127.0.0.1:{http_port}\"\nbearer_tokens = [\"{BEARER}\"]\n",
                budget = dir.join("privacy-budget.json").display()
            ),
        )
        .unwrap();
        Self { dir, http_port }
    }

    /// `sh -c COMMAND` in this directory, with the binary under test first on `PATH`.
    fn shell(&self, command: &str) -> Command {
        // The docs' placeholder for a configuration file.
        let command = command.replace("--config FILE", "--config matomo-privacy-mcp.toml");
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(command)
            .current_dir(&self.dir)
            .env("PATH", path)
            .env_remove("MATOMO_URL")
            .env_remove("MATOMO_TOKEN")
            .env_remove("MATOMO_TOKEN_FILE")
            .env_remove("MATOMO_PRIVACY_MCP_ENABLED")
            .env_remove("MATOMO_PRIVACY_MCP_CONFIG")
            .env_remove("MATOMO_PRIVACY_MCP_EMULATOR")
            // What `--emulator` commands (no configuration file) get instead of the file's
            // settings: the same address and bearer token, and state in this directory.
            .env(
                "MATOMO_PRIVACY_MCP_HTTP_BIND",
                format!("127.0.0.1:{}", self.http_port),
            )
            .env("MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS", BEARER)
            .env("XDG_STATE_HOME", self.dir.join("state"));
        shell
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"doc-commands","version":"0"}}}"#;

/// Kills the child when the check is over, whatever its outcome.
struct Running(Child);

impl Running {
    /// Runs `command` in `work`'s shell, its stdin and its stdout both made by `pipes` (its
    /// stderr thrown away).
    fn start(work: &Workdir, command: &str, pipes: fn() -> Stdio) -> Self {
        let child = work
            .shell(&format!("exec {command}"))
            .stdin(pipes())
            .stdout(pipes())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Running(child)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a stdio server and reads its answer to `initialize`.
fn probe_stdio(work: &Workdir, command: &str) -> Result<(), String> {
    let mut running = Running::start(work, command, Stdio::piped);
    let mut stdin = running.0.stdin.take().unwrap();
    writeln!(stdin, "{INITIALIZE}").map_err(|e| format!("cannot write to the server: {e}"))?;
    let stdout = running.0.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "no answer to initialize within 30 s".to_owned())?;
    drop(stdin);
    if line.contains("\"result\"") && line.contains("serverInfo") {
        Ok(())
    } else {
        Err(format!("unexpected answer to initialize: {line}"))
    }
}

/// Starts an HTTP server, waits for its port and posts `initialize` with the bearer token.
fn probe_http(work: &Workdir, command: &str) -> Result<(), String> {
    let _running = Running::start(work, command, Stdio::null);
    let address = format!("127.0.0.1:{}", work.http_port);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stream = loop {
        match TcpStream::connect(&address) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => return Err(format!("the server never listened on {address}: {error}")),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {BEARER}\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{INITIALIZE}",
        INITIALIZE.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    if response.starts_with("HTTP/1.1 200") && response.contains("serverInfo") {
        Ok(())
    } else {
        Err(format!("unexpected answer to initialize: {response}"))
    }
}

/// Runs a command to its end; it must succeed and leave output on stdout or in its redirect.
fn run_to_end(work: &Workdir, command: &str) -> Result<(), String> {
    let output = work.shell(command).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("exit {}: {stdout}\n{stderr}", output.status));
    }
    let produced = match command.split_once(" > ") {
        Some((_, file)) => std::fs::read_to_string(work.dir.join(file.trim())).unwrap_or_default(),
        None => stdout.into_owned(),
    };
    if produced.trim().is_empty() {
        return Err("no output".to_owned());
    }
    if produced.contains(TOKEN) || stderr.contains(TOKEN) {
        return Err("the Matomo token appears in the output".to_owned());
    }
    Ok(())
}

fn run_server_command(work: &Workdir, command: &str) -> Result<(), String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    if words.contains(&"serve") && words.contains(&"--http") {
        probe_http(work, command)
    } else if words.contains(&"serve") {
        probe_stdio(work, command)
    } else {
        run_to_end(work, command)
    }
}

#[test]
fn extraction_reads_blocks_continuations_comments_and_inline_commands() {
    let text = "Run `cargo build -p x` or `matomo-privacy-mcp-core`.\n\
                ```sh\n$ cargo run -p a   # note\ncd fuzz\ncargo fuzz run t -- \\\n    -max_total_time=1\n```\n\
                ```toml\nx = \"`cargo nope`\"\n```\n\
                   ```bash\n   bash x.sh\n   ```\n";
    let commands: Vec<String> = extract("f.md", text)
        .into_iter()
        .map(|c| c.command)
        .collect();
    assert_eq!(
        commands,
        [
            "cargo build -p x",
            "cargo run -p a",
            "cargo fuzz run t -- -max_total_time=1",
            "bash x.sh"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_in_the_docs_is_run_here_or_by_ci() {
    let root = repo_root();
    let mut commands = Vec::new();
    for path in documents(&root) {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        commands.extend(extract(&name, &text));
    }
    assert!(
        commands.len() >= 10,
        "too few commands found; is the extraction broken? {commands:?}"
    );
    let covered = manifest(&root);

    let emu = testing::emulator(3, &[1, 2]).await;
    let work = Workdir::new(&emu.base_url());

    let mut failures = Vec::new();
    let mut ran = 0;
    for doc in &commands {
        if let Some(command) = server_command(&doc.command) {
            let work = &work;
            let outcome = tokio::task::block_in_place(|| run_server_command(work, &command));
            ran += 1;
            if let Err(why) = outcome {
                failures.push(format!("{}: `{}` failed: {why}", doc.file, doc.command));
            }
        } else if let Some(entry) = covered.iter().find(|c| c.command == doc.command) {
            if let Some(why) = missing_cover(&root, &entry.by) {
                failures.push(format!(
                    "{}: `{}` is said to be covered by `{}`, but {why}",
                    doc.file, doc.command, entry.by
                ));
            }
        } else {
            failures.push(format!(
                "{}: `{}` is neither a matomo-privacy-mcp command (run here) nor listed in .ci/doc-commands.txt",
                doc.file, doc.command
            ));
        }
    }
    for entry in &covered {
        if !commands.iter().any(|doc| doc.command == entry.command) {
            failures.push(format!(
                ".ci/doc-commands.txt lists `{}`, which no document holds any more",
                entry.command
            ));
        }
    }
    let manual = covered
        .iter()
        .filter(|c| c.by.starts_with("manual: "))
        .count();
    if manual > MANUAL_AT_MOST {
        failures.push(format!(
            ".ci/doc-commands.txt leaves {manual} commands to a person, more than {MANUAL_AT_MOST}: run or map them"
        ));
    }
    let _ = std::fs::remove_dir_all(&work.dir);
    emu.shutdown().await;
    assert!(
        ran >= 5,
        "expected the README's server commands to run, ran {ran}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
