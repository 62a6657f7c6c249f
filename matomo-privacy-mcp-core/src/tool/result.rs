//! The result of a tool call, independent of any MCP framework.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::ToolError;
use crate::audit::Outcome;

/// What a successful tool returns: structured content and a text rendering of it.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutput {
    structured: Value,
    text: String,
}

impl ToolOutput {
    /// Serialises `value` as structured content, with `text` as its readable rendering.
    pub fn new<T: Serialize>(value: &T, text: String) -> Result<Self, ToolError> {
        let structured = serde_json::to_value(value).map_err(|e| {
            ToolError::internal(format!("the tool's output could not be encoded: {e}"))
        })?;
        Ok(Self { structured, text })
    }

    /// Serialises `value` as structured content, with its compact JSON as the text rendering.
    pub fn json<T: Serialize>(value: &T) -> Result<Self, ToolError> {
        let structured = serde_json::to_value(value).map_err(|e| {
            ToolError::internal(format!("the tool's output could not be encoded: {e}"))
        })?;
        let text = structured.to_string();
        Ok(Self { structured, text })
    }

    /// The structured content.
    pub fn structured(&self) -> &Value {
        &self.structured
    }

    /// The text rendering.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// An MCP `CallToolResult`: either the output of a tool, or a tool error with `isError: true`.
///
/// ```
/// use matomo_privacy_mcp_core::{CallToolResult, ToolError};
///
/// let result = CallToolResult::from(ToolError::upstream("Matomo answered HTTP 502"));
/// assert!(result.is_error());
/// assert_eq!(result.to_json()["isError"], true);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CallToolResult {
    text: String,
    structured: Option<Value>,
    is_error: bool,
    error_kind: Option<Outcome>,
    meta: Option<Map<String, Value>>,
}

impl CallToolResult {
    /// Whether the call failed (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.is_error
    }

    /// The text content: the rendering on success, the error message on failure.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The structured content, present on success.
    pub fn structured(&self) -> Option<&Value> {
        self.structured.as_ref()
    }

    /// The text, the structured content and `isError`, moved out: for transports that build
    /// their own result type without copying a large structured content.
    pub fn into_parts(self) -> (String, Option<Value>, bool) {
        (self.text, self.structured, self.is_error)
    }

    /// The result's `_meta`: the marking of visitor-controlled text (see
    /// [`UNTRUSTED_META_KEY`](super::UNTRUSTED_META_KEY)), when the tool returns any.
    pub fn meta(&self) -> Option<&Map<String, Value>> {
        self.meta.as_ref()
    }

    /// Sets `_meta`.
    pub(crate) fn with_meta(mut self, meta: Map<String, Value>) -> Self {
        self.meta = Some(meta);
        self
    }

    /// The audit outcome of a failed call.
    pub(crate) fn error_outcome(&self) -> Outcome {
        self.error_kind.unwrap_or(Outcome::Ok)
    }

    /// The JSON of an MCP `CallToolResult`.
    pub fn to_json(&self) -> Value {
        let mut result = json!({
            "content": [{ "type": "text", "text": self.text }],
            "isError": self.is_error,
        });
        if let (Some(structured), Value::Object(map)) = (&self.structured, &mut result) {
            map.insert("structuredContent".to_owned(), structured.clone());
        }
        if let (Some(meta), Value::Object(map)) = (&self.meta, &mut result) {
            map.insert("_meta".to_owned(), Value::Object(meta.clone()));
        }
        result
    }
}

impl From<ToolOutput> for CallToolResult {
    fn from(output: ToolOutput) -> Self {
        Self {
            text: output.text,
            structured: Some(output.structured),
            is_error: false,
            error_kind: None,
            meta: None,
        }
    }
}

impl From<ToolError> for CallToolResult {
    fn from(error: ToolError) -> Self {
        let kind = match &error {
            ToolError::InvalidArguments(_) => Outcome::InvalidArguments,
            ToolError::Upstream(_) => Outcome::UpstreamFailure,
            ToolError::PolicyRefusal(_) => Outcome::PolicyRefusal,
            ToolError::Internal(_) => Outcome::InternalError,
        };
        Self {
            text: error.to_string(),
            structured: None,
            is_error: true,
            error_kind: Some(kind),
            meta: None,
        }
    }
}
