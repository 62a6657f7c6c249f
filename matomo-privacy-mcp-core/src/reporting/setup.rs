//! Setting a [`Deployment`] up from a Matomo client: the token checked against least
//! privilege, the strictest defaults, and every setting optional.

use std::sync::Arc;

use super::Deployment;
use super::deployment::budget_account;
use crate::client::{ClientError, MatomoClient};
use crate::dp::NoiseSetup;
use crate::minimise::{ScrubConfigError, Scrubber, Threshold};
use crate::policy::{PrivilegeError, SiteAccess};
use crate::privacy::{PrivacyClass, PseudonymKey};
use crate::setters::setters;
use crate::tool::SecretGuard;

/// Why a deployment could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// Matomo could not be asked what the token may do.
    #[error("could not check the Matomo token: {0}")]
    Matomo(#[from] ClientError),
    /// The token may do more than read, or read none of the allowed sites.
    #[error(transparent)]
    Privilege(#[from] PrivilegeError),
    /// The label scrubber's patterns did not compile.
    #[error(transparent)]
    Scrubber(#[from] ScrubConfigError),
}

/// Settings of a [`Deployment`], started by [`Deployment::builder`] and finished by
/// [`build`](Self::build), which asks Matomo what the token may do.
///
/// Every setting starts at its strictest: no privileged token, every site the token can view,
/// the built-in scrubbing patterns, a threshold of 5 distinct visitors, the `Aggregate`
/// ceiling, no pseudonym key, no noise.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use matomo_privacy_mcp_core::client::MatomoClient;
/// use matomo_privacy_mcp_core::minimise::Threshold;
/// use matomo_privacy_mcp_core::reporting::Deployment;
///
/// let client = MatomoClient::builder("https://matomo.example.com").token("0123456789abcdef").build()?;
/// let deployment = Deployment::builder(client)
///     .allowed_sites([1, 3])
///     .threshold(Threshold::new(10)?)
///     .build()
///     .await?;
/// assert!(deployment.site_access().summary().starts_with("serving sites"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a deployment builder does nothing until `build` is awaited"]
pub struct DeploymentBuilder {
    client: MatomoClient,
    allowed_sites: Option<Vec<u32>>,
    allow_privileged_token: bool,
    scrubber: Option<Scrubber>,
    threshold: Threshold,
    ceiling: PrivacyClass,
    pseudonym_key: Option<PseudonymKey>,
    noise: Option<Arc<NoiseSetup>>,
    budget_account: Option<String>,
}

impl Deployment {
    /// Starts setting up a deployment over `client`, whose token is checked by
    /// [`build`](DeploymentBuilder::build).
    pub fn builder(client: MatomoClient) -> DeploymentBuilder {
        DeploymentBuilder {
            client,
            allowed_sites: None,
            allow_privileged_token: false,
            scrubber: None,
            threshold: Threshold::default(),
            ceiling: PrivacyClass::Aggregate,
            pseudonym_key: None,
            noise: None,
            budget_account: None,
        }
    }
}

impl DeploymentBuilder {
    setters! {
        /// Serves only these sites (of those the token can view); by default every site it can
        /// view.
        pub fn allowed_sites(sites: impl IntoIterator<Item = u32>) =>
            allowed_sites = Some(sites.into_iter().collect());

        /// Accepts a token with write, admin or super-user access (refused by default: reading
        /// reports needs view access only).
        pub fn allow_privileged_token(allow: bool) => allow_privileged_token = allow;

        /// Scrubs labels with `scrubber` instead of the built-in patterns alone.
        pub fn scrubber(scrubber: Scrubber) => scrubber = Some(scrubber);

        /// The fewest distinct visitors behind any number shown (default 5).
        pub fn threshold(threshold: Threshold) => threshold = threshold;

        /// The highest class a tool may have to be listed and called (default `Aggregate`).
        pub fn ceiling(ceiling: PrivacyClass) => ceiling = ceiling;

        /// The key of the pseudonyms pseudonymous tools show; without one they refuse to run.
        pub fn pseudonym_key(key: PseudonymKey) => pseudonym_key = Some(key);

        /// Differential privacy and its budget (see [`Deployment::with_noise`]).
        pub fn noise(noise: impl Into<Arc<NoiseSetup>>) => noise = Some(noise.into());

        /// Charges the privacy budget to `account` instead of a digest of the Matomo token.
        pub fn budget_account(account: impl Into<String>) => budget_account = Some(account.into());
    }

    /// Asks Matomo what the token may do, refuses more than view access (unless allowed) and
    /// sites it cannot read, and returns the deployment.
    ///
    /// # Errors
    ///
    /// [`SetupError::Matomo`] when Matomo cannot be asked, [`SetupError::Privilege`] when the
    /// token is privileged or reads none of the allowed sites, [`SetupError::Scrubber`] when
    /// the scrubber's built-in patterns fail to build.
    pub async fn build(self) -> Result<Deployment, SetupError> {
        let permissions = self.client.permissions().await?;
        let sites = SiteAccess::check(
            &permissions,
            self.allow_privileged_token,
            self.allowed_sites.as_deref(),
        )?;
        let scrubber = match self.scrubber {
            Some(scrubber) => scrubber,
            None => Scrubber::builder().build()?,
        };
        let token = self.client.token().expose();
        let (token_guard, token_account) = (SecretGuard::new(token), budget_account(token));
        Ok(Deployment {
            client: self.client,
            sites,
            scrubber,
            threshold: self.threshold,
            ceiling: self.ceiling,
            pseudonym_key: self.pseudonym_key,
            token_guard,
            noise: self.noise,
            account: self.budget_account.unwrap_or(token_account),
        })
    }
}
