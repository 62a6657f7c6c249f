//! The built-in tool catalogue over a [`Deployment`]: which of the ready-made tools of
//! [`matomo_privacy_mcp_tools`] the application serves, and the operator's allow-list
//! (`tools.allowed`).
//!
//! The tools are the tools crate's ([`tools::all`], in listing order; [`TOOL_NAMES`] are their
//! names, declared with that list). All are aggregate, and so listed by default, but `visit_log` (pseudonymous) and
//! `raw_page_urls` (identifying), hidden until the operator raises the ceiling; while
//! differential privacy is on, the exact-only ones (`#[matomo_tool(exact_only)]`, [`tools::served_with`]) are not served.
//! Every answer passes through minimisation: labels scrubbed, equal labels merged, rows under
//! the threshold merged or dropped.

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::tool::{RegistrationError, Tool, ToolDescriptor};
use matomo_privacy_mcp_tools as tools;

/// Every built-in tool's name, in listing order: the names of [`tools::all`], for error
/// messages and allow-lists checked without building a tool ([`tools::NAMES`], declared with the
/// list itself).
pub const TOOL_NAMES: &[&str] = tools::NAMES;

/// Why the catalogue could not be assembled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// An allow-list (`tools.allowed`, a profile's `allowed_tools`) names a tool that does not exist.
    #[error("configuration `{key}`: there is no tool `{tool}`; the tools are {names}", names = TOOL_NAMES.join(", "))]
    UnknownTool {
        /// The configuration key of the list.
        key: String,
        /// The name that is no tool.
        tool: String,
    },
    /// A tool could not be registered (a bug).
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// Every built-in tool, in listing order: the ready-made tools of `matomo-privacy-mcp-tools`.
pub fn all_tools() -> Vec<Box<dyn Tool<Deployment>>> {
    tools::all()
}

/// The definitions of the built-in tools in `allowed` (all when `None`), without connecting to Matomo.
pub fn descriptors(allowed: Option<&[String]>) -> Result<Vec<ToolDescriptor>, CatalogueError> {
    check_allowed(allowed)?;
    Ok(all_tools()
        .iter()
        .map(|tool| tool.descriptor())
        .filter(|d| is_allowed(allowed, d.name()))
        .collect())
}

/// The definitions of the built-in tools in `allowed` that a deployment serves, with noise on
/// or off: while differential privacy is on, the tools that answer only with exact numbers
/// (`#[matomo_tool(exact_only)]`, [`tools::served_with`]) are not served.
pub fn served_descriptors(
    allowed: Option<&[String]>,
    noise: bool,
) -> Result<Vec<ToolDescriptor>, CatalogueError> {
    Ok(descriptors(allowed)?
        .into_iter()
        .filter(|d| tools::served_with(d, noise))
        .collect())
}

/// The key of the top-level allow-list, which [`descriptors`] and [`toolbox`] check.
const TOOLS_ALLOWED: &str = "tools.allowed (MATOMO_PRIVACY_MCP_ALLOWED_TOOLS)";

fn check_allowed(allowed: Option<&[String]>) -> Result<(), CatalogueError> {
    check_tool_names(TOOLS_ALLOWED, allowed)
}

/// Refuses a name in the allow-list `allowed` (set under configuration key `key`) that is no
/// built-in tool, naming the key.
pub fn check_tool_names(key: &str, allowed: Option<&[String]>) -> Result<(), CatalogueError> {
    match allowed
        .into_iter()
        .flatten()
        .find(|n| !TOOL_NAMES.contains(&n.as_str()))
    {
        Some(unknown) => Err(CatalogueError::UnknownTool {
            key: key.to_owned(),
            tool: unknown.clone(),
        }),
        None => Ok(()),
    }
}

fn is_allowed(allowed: Option<&[String]>, name: &str) -> bool {
    allowed.is_none_or(|names| names.iter().any(|n| n == name))
}

/// A toolbox with the built-in tools (those in `allowed`, or all when `None`) over `deployment`,
/// with the deployment's ceiling and a final guard that withholds any result holding the Matomo token.
pub fn toolbox(
    deployment: Deployment,
    allowed: Option<&[String]>,
) -> Result<Toolbox<Deployment>, CatalogueError> {
    check_allowed(allowed)?;
    Ok(tools::toolbox(deployment, |name| {
        is_allowed(allowed, name)
    })?)
}
