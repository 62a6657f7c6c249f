//! Why a request parameter was refused.

/// A request parameter Matomo would refuse or misread, found before any request.
///
/// The client turns it into [`ClientError::InvalidParameter`](crate::client::ClientError), a tool's
/// `?` into an argument error the model can act on.
///
/// ```
/// use matomo_privacy_mcp_core::params::Day;
///
/// let err = Day::new(2026, 2, 30).unwrap_err();
/// assert_eq!(err.name, "date");
/// assert_eq!(err.to_string(), "invalid parameter `date`: `2026-02-30` is not a calendar day");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter `{name}`: {reason}")]
#[non_exhaustive]
pub struct ParamError {
    /// The Matomo parameter name (`date`, `idSite`, `filter_limit`, …).
    pub name: String,
    /// What is wrong and what is accepted.
    pub reason: String,
}

impl ParamError {
    pub(crate) fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}
