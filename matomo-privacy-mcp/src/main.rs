//! `matomo-privacy-mcp`: the configurable MCP server for a Matomo, with the built-in privacy-minimised tools.
//!
//! ```text
//! matomo-privacy-mcp [--config FILE] serve [--http] [--profile NAME]
//!                                               serve over stdio (desktop clients) or Streamable HTTP
//! matomo-privacy-mcp [--config FILE] check              connectivity, token privileges, sites, what would be exposed
//! matomo-privacy-mcp [--config FILE] manifest [--json]  the privacy manifest (Markdown, or JSON)
//! matomo-privacy-mcp [--config FILE] tools              the tool definitions as JSON
//! ```
//!
//! With `--emulator` (`serve --emulator`, `check --emulator`, `manifest --emulator`), the built-in
//! Matomo emulator is the Matomo: the server can be tried without one.
//!
//! Configuration comes from the TOML file and `MATOMO_URL`, `MATOMO_TOKEN` / `MATOMO_TOKEN_FILE` and
//! `MATOMO_PRIVACY_MCP_*` environment variables (see docs/configuration.md). Nothing is served unless
//! `enabled = true`.

mod commands;
mod emulated;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A privacy-minimising MCP server for Matomo analytics.
#[derive(Parser)]
#[command(name = "matomo-privacy-mcp", version, about)]
struct Cli {
    /// The TOML configuration file (environment variables override it).
    #[arg(long, short, global = true, env = "MATOMO_PRIVACY_MCP_CONFIG")]
    config: Option<PathBuf>,
    /// Use the built-in Matomo emulator (three synthetic sites, visits up to today) as the
    /// Matomo, to try the server without one; no configuration file is needed.
    #[arg(long, global = true, env = "MATOMO_PRIVACY_MCP_EMULATOR")]
    emulator: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the tools: over stdio (for desktop AI clients) unless `--http` is given.
    Serve {
        /// Serve over Streamable HTTP on the configured address instead of stdio.
        #[arg(long)]
        http: bool,
        /// The client profile to serve over stdio (required when the configuration has several).
        #[arg(long, env = "MATOMO_PRIVACY_MCP_PROFILE")]
        profile: Option<String>,
    },
    /// Check the configuration against Matomo: connectivity, token privileges, sites, exposed tools.
    Check,
    /// Print the privacy manifest, an annex for records of processing and a DPIA.
    Manifest {
        /// Print JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Do not contact Matomo (the token check is then left out).
        #[arg(long)]
        offline: bool,
    },
    /// Print the definitions of the tools this configuration exposes, as JSON.
    Tools,
}

fn main() -> ExitCode {
    matomo_privacy_mcp_server::log_to_stderr();
    let cli = Cli::parse();
    let runtime = match runtime_for(&cli.command) {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("matomo-privacy-mcp: the async runtime could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { http, profile } => {
                commands::serve(
                    cli.config.as_deref(),
                    http,
                    profile.as_deref(),
                    cli.emulator,
                )
                .await
            }
            Command::Check => commands::check(cli.config.as_deref(), cli.emulator).await,
            Command::Manifest { json, offline } => {
                commands::manifest(cli.config.as_deref(), json, offline, cli.emulator).await
            }
            Command::Tools => commands::tools(cli.config.as_deref()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("matomo-privacy-mcp: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Worker threads for Streamable HTTP, which serves many clients at once; one thread for stdio
/// (one client) and the one-shot commands. On one thread the server's tasks hand each message on
/// without waking another thread, which cost about half a millisecond per call on two cores in
/// the transport benchmark (`matomo-privacy-mcp-server/benches/transport.rs`; results in
/// `matomo-privacy-mcp-core/benches/README.md`).
fn runtime_for(command: &Command) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match command {
        Command::Serve { http: true, .. } => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder.enable_all().build()
}
