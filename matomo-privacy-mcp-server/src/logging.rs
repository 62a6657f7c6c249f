//! Logs to stderr, so that stdout stays free for the stdio transport.

use tracing_subscriber::EnvFilter;

/// Installs a global `tracing` subscriber that writes to stderr, filtered by
/// [`log_filter`] over `RUST_LOG` (default `info`).
///
/// Over stdio, stdout belongs to the protocol: a log line there would corrupt
/// the session. Call this once at the start of `main`; if a subscriber is
/// already installed, it is kept and this does nothing.
///
/// Whatever `RUST_LOG` says, the MCP SDK's own logs stay at warnings: at debug level it logs
/// whole messages, tool arguments (segment values) and results included.
pub fn log_to_stderr() {
    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref());
    let _already_installed = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// The filter [`log_to_stderr`] uses: the directives of `rust_log` (default `info`), except
/// any for the MCP SDK (`rmcp`), which is held at `warn`.
///
/// Our own crates never log argument values or result data at any level; rmcp logs whole
/// JSON-RPC messages at debug and trace, so no setting may raise it there. An unparsable
/// `RUST_LOG` falls back to the default.
///
/// ```
/// let filter = matomo_privacy_mcp_server::log_filter(Some("debug,rmcp=trace"));
/// assert_eq!(filter.to_string(), "rmcp=warn,debug");
/// ```
pub fn log_filter(rust_log: Option<&str>) -> EnvFilter {
    let kept: Vec<&str> = rust_log
        .unwrap_or("info")
        .split(',')
        .map(str::trim)
        .filter(|directive| !directive.is_empty() && !directive.starts_with("rmcp"))
        .collect();
    let base = if kept.is_empty() {
        "info".to_owned()
    } else {
        kept.join(",")
    };
    EnvFilter::try_new(format!("{base},rmcp=warn"))
        .unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"))
}
