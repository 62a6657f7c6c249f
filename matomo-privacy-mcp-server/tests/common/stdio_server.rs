//! Finds the `stdio_test_server` example binary that `cargo test` builds.

use std::path::PathBuf;

/// The example binary's path, next to this test's own `deps` directory.
pub fn stdio_test_server() -> PathBuf {
    example("stdio_test_server")
}

/// The built-in catalogue over an in-process emulator, served over stdio.
pub fn catalogue_stdio_server() -> PathBuf {
    example("catalogue_stdio_server")
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has no path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary is not in <target>/<profile>/deps");
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: run the whole test suite with `cargo test -p matomo-privacy-mcp-server` \
         (it builds the examples), or `cargo build -p matomo-privacy-mcp-server --example {name}` first",
        binary.display()
    );
    binary
}
