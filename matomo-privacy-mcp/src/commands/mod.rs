//! The subcommands.

use std::error::Error;
use std::path::Path;

use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_core::tool::ToolDescriptor;

mod check;
mod manifest;
mod serve;

pub use check::check;
pub use manifest::manifest;
use manifest::*;
pub use serve::serve;
use serve::*;

pub(crate) type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The configuration, with everything that can be checked without Matomo checked: the tool
/// names of `tools.allowed` too, so that a typo is reported before "configuration: ok".
fn load(path: Option<&Path>) -> Result<Config> {
    load_with(path, |name| std::env::var(name).ok()).map_err(|error| match path {
        // A newcomer's first command: say where a configuration comes from, and how to try the
        // server without one.
        None => format!(
            "{error}\n(no configuration file was given: pass --config FILE or set MATOMO_PRIVACY_MCP_CONFIG; to try the server without a Matomo, add --emulator)"
        )
        .into(),
        Some(_) => error,
    })
}

/// [`load`] with `env` giving the environment overrides.
pub(crate) fn load_with(
    path: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config> {
    let config = Config::load_with(path, env)?;
    for profile in &config.profiles {
        catalogue::check_tool_names(
            &profile.config_key(
                "allowed_tools",
                "tools.allowed (MATOMO_PRIVACY_MCP_ALLOWED_TOOLS)",
            ),
            profile.allowed_tools.as_deref(),
        )?;
    }
    Ok(config)
}

/// `tools`: the definitions this configuration exposes (to any of its profiles), without
/// contacting Matomo.
///
/// Without a configuration file, the tools a default configuration exposes (every aggregate
/// tool): what an operator sees before writing one.
pub fn tools(path: Option<&Path>) -> Result<()> {
    let descriptors: Vec<ToolDescriptor> = match path {
        Some(path) => {
            let config = load(Some(path))?;
            let mut all: Vec<ToolDescriptor> = Vec::new();
            for settings in &config.profiles {
                for d in served_descriptors(settings, config.privacy.noise.enabled)? {
                    if !all.iter().any(|known| known.name() == d.name()) {
                        all.push(d);
                    }
                }
            }
            all
        }
        // A default configuration has noise on.
        None => catalogue::served_descriptors(None, true)?
            .into_iter()
            .filter(|d| d.max_class().is_within(PrivacyClass::Aggregate))
            .collect(),
    };
    println!("{}", serde_json::to_string_pretty(&descriptors)?);
    Ok(())
}
