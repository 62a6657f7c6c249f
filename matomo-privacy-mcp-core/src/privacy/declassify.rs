//! The one escape hatch: giving up a value's class for a reason declared on a tool.

use serde::Serialize;

/// Permission, declared on one tool with a reason, to read classified values as plain values.
///
/// The only way to get one is `#[matomo_tool(declassify(name = "reason"))]`, which adds
/// the constant `NAME` (the name in upper case) to the tool's struct and lists the
/// declaration in the tool's [`ToolDescriptor`](crate::ToolDescriptor), so that the
/// privacy manifest (of the `matomo-privacy-mcp` application) shows every one with its reason and the tool it
/// serves. [`Identifying::declassify`](super::Identifying::declassify) and
/// [`Pseudonymous::declassify`](super::Pseudonymous::declassify) take it.
///
/// Why a declaration on the tool rather than a reason at the call: the manifest is built
/// from tool definitions without running anything, so a reason only written at a call
/// site could not be listed; and a use that names a declaration cannot exist without it,
/// so no use escapes the manifest. The `declassify` in both places keeps every use one
/// `grep` away.
///
/// ```
/// use matomo_privacy_mcp_core::privacy::Identifying;
/// use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};
///
/// #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
/// struct Out {
///     #[privacy(aggregate)]
///     site_name: String,
/// }
///
/// /// The site's name.
/// #[matomo_tool(declassify(site_name = "site names are chosen by the operator, not by visitors"))]
/// async fn site_name() -> Result<Out, ToolError> {
///     let name = Identifying::new(String::from("Example shop"));
///     Ok(Out { site_name: name.declassify(&SiteNameTool::SITE_NAME) })
/// }
///
/// assert_eq!(SiteNameTool::SITE_NAME.reason(), "site names are chosen by the operator, not by visitors");
/// assert_eq!(SiteNameTool::SITE_NAME.tool(), "site_name");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Declassification {
    tool: &'static str,
    name: &'static str,
    reason: &'static str,
}

impl Declassification {
    /// Only `#[matomo_tool]` calls this (through its hidden support module).
    pub(crate) const fn new(tool: &'static str, name: &'static str, reason: &'static str) -> Self {
        Self { tool, name, reason }
    }

    /// The tool that declared it.
    pub const fn tool(&self) -> &'static str {
        self.tool
    }

    /// Its name, as written in the declaration.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Why the value may leave its class.
    pub const fn reason(&self) -> &'static str {
        self.reason
    }
}
