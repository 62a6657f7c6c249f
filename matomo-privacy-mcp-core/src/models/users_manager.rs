//! `UsersManager.hasSuperUserAccess`: whether the token is a super user.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Classified;

/// A boolean answer, which Matomo wraps as `{"value": true}`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema, Classified,
)]
pub struct BoolValue {
    /// The answer.
    #[privacy(aggregate)]
    pub value: bool,
}

report! {
    /// `UsersManager.hasSuperUserAccess`: refuse to run on a super-user token.
    HasSuperUserAccess = "UsersManager.hasSuperUserAccess" => BoolValue;
}
