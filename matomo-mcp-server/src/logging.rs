//! Logs to stderr, so that stdout stays free for the stdio transport.

use tracing_subscriber::EnvFilter;

/// Installs a global `tracing` subscriber that writes to stderr, filtered by
/// `RUST_LOG` (default `info,rmcp=warn`).
///
/// Over stdio, stdout belongs to the protocol: a log line there would corrupt
/// the session. Call this once at the start of `main`; if a subscriber is
/// already installed, it is kept and this does nothing.
///
/// The default keeps the MCP SDK's own logs at warnings: at debug level it
/// logs whole requests, arguments included, and arguments can hold segment
/// values. Set `RUST_LOG=debug` only while debugging.
pub fn log_to_stderr() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    let _already_installed = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
