//! MCP tool annotations: hints to the client about what calling a tool does.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The `annotations` of an MCP tool definition.
///
/// Every tool of this SDK reads analytics and changes nothing, so
/// `read_only_hint` is always `true` and `destructive_hint` always `false`.
///
/// MCP says `destructiveHint` and `idempotentHint` mean something only for a tool that is not
/// read-only: a read-only tool's JSON leaves them out (they would be sent with every tool of
/// every `tools/list`, to be ignored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolAnnotations {
    /// A human-readable title for the tool.
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

impl Serialize for ToolAnnotations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(title) = &self.title {
            map.serialize_entry("title", title)?;
        }
        map.serialize_entry("readOnlyHint", &self.read_only_hint)?;
        if !self.read_only_hint {
            map.serialize_entry("destructiveHint", &self.destructive_hint)?;
            map.serialize_entry("idempotentHint", &self.idempotent_hint)?;
        }
        map.serialize_entry("openWorldHint", &self.open_world_hint)?;
        map.end()
    }
}
