//! What a toolbox learns from the state its tools share.

use super::SecretGuard;
use crate::privacy::PrivacyClass;

/// The state a [`Toolbox`](super::Toolbox)'s tools share, and what the toolbox takes from it:
/// a guard for every secret it holds and the deployment ceiling.
///
/// [`Toolbox::with_state`](super::Toolbox::with_state) installs a [`SecretGuard`] for each
/// secret, so that a toolbox over a [`MatomoClient`](crate::client::MatomoClient) or a
/// [`Deployment`](crate::reporting::Deployment) has the token guard without being asked, and
/// starts at the state's ceiling (the deployment's; `Aggregate` unless a state says otherwise).
///
/// A state of your own that holds a client or a deployment hands on theirs:
///
/// ```
/// use matomo_privacy_mcp_core::reporting::Deployment;
/// use matomo_privacy_mcp_core::tool::{SecretGuard, ToolState};
/// use matomo_privacy_mcp_core::PrivacyClass;
///
/// struct State {
///     deployment: Deployment,
///     greeting: String,
/// }
///
/// impl ToolState for State {
///     fn secret_guards(&self) -> Vec<SecretGuard> {
///         self.deployment.secret_guards()
///     }
///     fn ceiling(&self) -> PrivacyClass {
///         self.deployment.ceiling()
///     }
/// }
/// ```
pub trait ToolState {
    /// A guard for every secret the state holds; empty when it holds none.
    fn secret_guards(&self) -> Vec<SecretGuard>;

    /// The highest class a tool may have to be listed and called.
    fn ceiling(&self) -> PrivacyClass {
        PrivacyClass::Aggregate
    }
}

/// No state, no secrets.
impl ToolState for () {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        Vec::new()
    }
}
