//! MCP tool annotations: hints to the client about what calling a tool does.

use serde::Serialize;

/// The `annotations` of an MCP tool definition.
///
/// Every tool of this SDK reads analytics and changes nothing, so
/// `read_only_hint` is always `true` and `destructive_hint` always `false`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A human-readable title for the tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    pub read_only_hint: bool,
    /// The tool may perform destructive updates (meaningful only when not read-only).
    pub destructive_hint: bool,
    /// Calling the tool again with the same arguments has no further effect.
    pub idempotent_hint: bool,
    /// The tool interacts with an open world of external entities (such as the web)
    /// rather than a closed domain (one Matomo instance).
    pub open_world_hint: bool,
}

impl ToolAnnotations {
    /// Annotations for a read-only tool over one Matomo: idempotent, closed world.
    pub fn read_only(title: Option<String>) -> Self {
        Self {
            title,
            read_only_hint: true,
            destructive_hint: false,
            idempotent_hint: true,
            open_world_hint: false,
        }
    }
}
