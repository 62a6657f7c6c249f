//! The two kinds of failure: a tool's own error, reported to the model, and a protocol error.

use crate::privacy::PrivacyClass;

/// The longest error message passed to the model; the rest is cut, so that a
/// hostile 1 MB argument echoed by a decoder does not come back in full.
pub(crate) const MAX_MESSAGE_CHARS: usize = 500;

/// A failure inside a tool call, reported as a result with `isError: true` so
/// that the model can read it and correct itself.
///
/// ```
/// use matomo_privacy_mcp_core::ToolError;
///
/// let err = ToolError::invalid_arguments("`limit` must be between 1 and 500");
/// assert_eq!(err.to_string(), "invalid arguments: `limit` must be between 1 and 500");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// The arguments do not fit the tool's input type.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// Matomo (or another upstream) failed or answered something unusable.
    #[error("upstream failure: {0}")]
    Upstream(String),
    /// The privacy policy refused the request (a segment, a site, a class).
    #[error("refused by privacy policy: {0}")]
    PolicyRefusal(String),
    /// The tool failed for a reason of its own (for example its output could not be encoded).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ToolError {
    /// Arguments that do not fit; say which argument and what would fit.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self::InvalidArguments(bounded(message.into()))
    }

    /// An upstream failure; say what failed and what the user can do.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::Upstream(bounded(message.into()))
    }

    /// A refusal by policy; say which rule refused and why.
    pub fn policy_refusal(message: impl Into<String>) -> Self {
        Self::PolicyRefusal(bounded(message.into()))
    }

    /// A failure of the tool itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(bounded(message.into()))
    }
}

fn bounded(mut message: String) -> String {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    message
}

/// A call the toolbox cannot dispatch at all; an MCP server answers it with a
/// JSON-RPC error rather than a tool result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    /// No tool of that name is registered.
    #[error("unknown tool `{name}`; list the tools to see which exist")]
    UnknownTool {
        /// The name that was asked for (cut to a readable length).
        name: String,
    },
    /// The tool exists but its class is above the deployment's ceiling, so it is hidden.
    #[error(
        "tool `{name}` is not available: it exposes {class} data and this deployment allows at most {ceiling}"
    )]
    AboveCeiling {
        /// The tool's name.
        name: String,
        /// The tool's declared class.
        class: PrivacyClass,
        /// The deployment ceiling.
        ceiling: PrivacyClass,
    },
}

impl DispatchError {
    /// The JSON-RPC error code for this error: `-32602` (invalid params), as MCP specifies for unknown tools.
    pub const fn json_rpc_code(&self) -> i32 {
        -32602
    }
}

pub(crate) fn bounded_name(name: &str) -> String {
    let mut name = bounded(name.to_owned());
    name.retain(|c| !c.is_control());
    name
}

/// A parameter refused before any request, as the model should see it: an argument error
/// naming the parameter. Lets tools use `?` on the typed parameters' constructors.
impl From<crate::params::ParamError> for ToolError {
    fn from(error: crate::params::ParamError) -> Self {
        // Worded as the client words the same error, so that a model sees one message for it.
        ToolError::invalid_arguments(format!("{error} (nothing was sent to Matomo)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut() {
        let err = ToolError::invalid_arguments("x".repeat(1_000_000));
        assert!(err.to_string().chars().count() < MAX_MESSAGE_CHARS + 40);
        assert!(err.to_string().ends_with('…'));
    }

    #[test]
    fn control_characters_are_removed_from_echoed_names() {
        let name = bounded_name("evil\u{1b}[31m\nname");
        assert_eq!(name, "evil[31mname");
    }
}
