//! The `matomo-privacy-mcp` application: its configuration file, its built-in tools and its privacy
//! manifest, on the `matomo-privacy-mcp-core` SDK and the `matomo-privacy-mcp-server` transports.
//!
//! Most operators only need the binary (`cargo install matomo-privacy-mcp`). The library is for tests,
//! for embedding the configured server in another program, and for a server that wants the
//! built-in tools next to its own:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use matomo_privacy_mcp::{catalogue, config::Config, startup};
//!
//! let config = Config::load(Some("matomo-privacy-mcp.toml".as_ref()))?;
//! let deployment = startup::connect(&config).await?;
//! let toolbox = catalogue::toolbox(deployment, config.allowed_tools.as_deref())?;
//! # let _ = toolbox; Ok(()) }
//! ```
//!
//! Building a server of your own from scratch needs only `matomo-privacy-mcp-core` (tools, the report
//! pipeline, minimisation) and `matomo-privacy-mcp-server` (stdio and Streamable HTTP).
//!
//! # Feature flags
//!
//! Both on by default:
//! - `redis`: `[shared_state]`, the report cache, privacy budget and rate limits replicas share
//!   through Redis (or Valkey);
//! - `emulator`: the binary's `--emulator`, which serves the synthetic Matomo of
//!   `matomo-privacy-mcp-testkit` to try the server without a Matomo (the library does not use it).

pub mod catalogue;
pub mod config;
pub mod identity;
pub mod manifest;
pub mod rotation;
pub mod startup;
pub mod state_files;
mod text;
