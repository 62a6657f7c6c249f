//! Why a segment was refused.

/// A segment Matomo would refuse or misread, found before any request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", position_prefix(*.position))]
pub struct SegmentError {
    /// The 1-based character position in the URL-decoded segment, when the problem has one.
    pub position: Option<usize>,
    /// What is wrong and what is expected.
    pub reason: String,
}

fn position_prefix(position: Option<usize>) -> String {
    match position {
        Some(position) => format!("at character {position}: "),
        None => String::new(),
    }
}

impl SegmentError {
    pub(crate) fn at(position: usize, reason: impl Into<String>) -> Self {
        Self {
            position: Some(position),
            reason: reason.into(),
        }
    }

    pub(crate) fn whole(reason: impl Into<String>) -> Self {
        Self {
            position: None,
            reason: reason.into(),
        }
    }
}
