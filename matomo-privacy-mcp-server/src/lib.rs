//! Serves a [`matomo_privacy_mcp_core::Toolbox`] to MCP clients, over stdio for desktop
//! clients and over Streamable HTTP for shared deployments.
//!
//! The MCP protocol itself comes from the official Rust SDK, `rmcp`, behind one
//! private module: nothing of rmcp appears in this crate's API, so an rmcp
//! major release changes this crate's internals, not the programs using it.
//! The server names itself with a [`ServerInfo`] (default: this crate's name
//! and version), never with the SDK's name.
//!
//! The HTTP transport binds `127.0.0.1` unless told otherwise, refuses foreign
//! `Origin`s (403) and unknown `Host`s (421), requires a configured bearer
//! token (401 with `WWW-Authenticate: Bearer` otherwise; compared in constant
//! time; never logged), bounds request bodies (413), the time a client may
//! take to send a request (408 or a closed connection), requests in flight
//! and open sessions (503), marks every response `Cache-Control: private,
//! no-store`, and shuts down gracefully.
//!
//! ```no_run
//! use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
//! use matomo_privacy_mcp_server::{ServerInfo, log_to_stderr, serve_stdio};
//!
//! #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
//! struct Visits {
//!     #[privacy(aggregate)]
//!     nb_visits: u64,
//! }
//!
//! /// Visits today (a fixed sample here).
//! #[matomo_tool]
//! async fn visits_today() -> Result<Visits, ToolError> {
//!     Ok(Visits { nb_visits: 42 })
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), matomo_privacy_mcp_server::ServeError> {
//!     log_to_stderr(); // stdout belongs to the protocol
//!     let toolbox = Toolbox::new().tool(VisitsTodayTool);
//!     serve_stdio(toolbox, ServerInfo::new("my-matomo-privacy-mcp", "1.0.0")).await
//! }
//! ```
//!
//! For HTTP, see [`HttpServer`] and [`serve_http`].
//!
//! For OAuth 2.1 access tokens from an authorization server (instead of configured bearer
//! tokens), the building blocks are in [`oauth`]: [`TokenValidator`] checks a JWT access token
//! against the server's published keys, [`protected_resource_metadata`] and [`www_authenticate`]
//! tell a refused client where to get one.
//!
//! # Feature flags
//!
//! Both transports are always built, so that a deployment can switch between them in
//! configuration without a rebuild.
//!
//! - `redis` (off by default): rate limits counted for all replicas behind a load balancer in
//!   Redis (or Valkey), `HttpConfig::with_shared_state`; it turns on the core's `redis` feature
//!   (the shared report cache, coalescing and privacy budget).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bearer;
mod error;
mod http;
mod logging;
mod profile;
mod rmcp_adapter;
mod server_info;
mod setters;
mod stdio;
mod stdio_lines;

pub use error::ServeError;
pub use http::oauth;
pub use http::oauth::{
    AccessClaims, Challenge, OAuthConfig, OAuthConfigError, SigningAlgorithm, TokenRejection,
    TokenValidator, protected_resource_metadata, protected_resource_metadata_url, www_authenticate,
};
pub use http::{
    BearerToken, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_SESSIONS,
    DEFAULT_READ_TIMEOUT, DEFAULT_SESSION_IDLE_TIMEOUT, HttpConfig, HttpServer, MIN_TOKEN_CHARS,
    SessionCount, TOKEN_FILE_RECHECK, serve_http,
};
pub use logging::{log_filter, log_to_stderr};
pub use profile::{OAuthMatch, Profile, ProfileTools, Profiles, RateLimit};
pub use server_info::{ServerIcon, ServerInfo};
pub use stdio::{serve_io, serve_profile_io, serve_stdio, serve_stdio_profile};
