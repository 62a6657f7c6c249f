//! Why a server could not start or stopped with an error.

use std::net::SocketAddr;

/// A server that could not start, or a session that ended with an error.
///
/// Messages say what went wrong and what to change; none of them contains a
/// bearer token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The HTTP transport must authenticate every request, so it needs a token.
    #[error(
        "no bearer token is configured for the HTTP transport; set at least one \
         (for example one made with `openssl rand -hex 32`) so that clients must authenticate"
    )]
    NoBearerToken,
    /// A configured bearer token is unusable (too short, or has characters a header cannot carry).
    #[error("bearer token number {position} is unusable: {reason}")]
    InvalidBearerToken {
        /// The token's position in the configured list, from 1.
        position: usize,
        /// What is wrong with it (never the token itself).
        reason: &'static str,
    },
    /// A configuration value is invalid.
    #[error("`{key}` is invalid: {reason}")]
    InvalidConfig {
        /// The configuration key.
        key: &'static str,
        /// What is wrong and what would fit.
        reason: String,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {address}: {source}; choose a free port or another address")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A tool definition cannot be expressed in the MCP protocol.
    #[error("the definition of tool `{name}` cannot be sent to MCP clients: {reason}")]
    ToolDefinition {
        /// The tool's name.
        name: String,
        /// Why the definition was rejected.
        reason: String,
    },
    /// The MCP session failed (for example the client broke the protocol).
    #[error("the MCP session ended with an error: {0}")]
    Protocol(String),
    /// Reading or writing the connection failed.
    #[error("serving failed: {0}")]
    Io(#[from] std::io::Error),
}
