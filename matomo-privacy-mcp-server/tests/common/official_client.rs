//! An official MCP client this project did not write (the Python or the TypeScript SDK), run as
//! a child process against a test server: skipped with a message when it is not installed,
//! except in CI.

use std::io::Write;
use std::time::Duration;

use tokio::process::Command;

/// What installs the official clients.
const SETUP: &str = "run `bash matomo-privacy-mcp-server/tests/interop/setup.sh`";

/// Whether the test `what` may run: yes without a `problem`; otherwise it fails in CI and is
/// skipped, with one line saying what to install, elsewhere.
pub fn runs(what: &str, problem: Option<&str>) -> bool {
    let Some(problem) = problem else {
        return true;
    };
    if std::env::var_os("CI").is_some() {
        panic!("{what} cannot run in CI: {problem}; {SETUP}");
    }
    // Written to stderr directly: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(std::io::stderr(), "SKIPPED {what}: {problem}; {SETUP}");
    false
}

/// Runs the `client` (its name in messages) to its end, within 180 s, and asserts that it
/// succeeded and printed `passed`; its output.
pub async fn run(mut command: Command, client: &str, passed: &str) -> String {
    command.kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(180), command.output())
        .await
        .unwrap_or_else(|_| panic!("the {client} did not finish within 180 s"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the official {client} reported a failure:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(passed), "{stdout}");
    stdout
}
