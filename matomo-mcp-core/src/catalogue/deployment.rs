//! The state every built-in tool shares: the client, the policy and the transforms.

use std::fmt;

use crate::client::{ClientError, MatomoClient};
use crate::config::Config;
use crate::minimise::{Scrubber, Threshold};
use crate::policy::{PrivilegeError, SiteAccess, parse_and_check_segment};
use crate::privacy::{PrivacyClass, PseudonymKey};
use crate::segment::Segment;
use crate::tool::SecretGuard;
use crate::{SiteId, ToolError};

use super::noisy::NoiseSetup;

/// The budget account of a Matomo token: a digest that tells tokens apart without revealing them.
fn budget_account(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new_with_prefix(b"matomo-mcp budget account\0")
        .chain_update(token.as_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What the built-in tools need: a Matomo client, the sites they may read, and the minimisation settings.
pub struct Deployment {
    pub(crate) client: MatomoClient,
    pub(crate) sites: SiteAccess,
    pub(crate) scrubber: Scrubber,
    pub(crate) threshold: Threshold,
    pub(crate) ceiling: PrivacyClass,
    pub(crate) pseudonym_key: Option<PseudonymKey>,
    pub(crate) token_guard: SecretGuard,
    pub(crate) noise: Option<NoiseSetup>,
    /// Whom the privacy budget is charged to: a digest of the Matomo token.
    pub(crate) account: String,
}

impl crate::tool::GuardedState for Deployment {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        vec![self.token_guard.clone()]
    }
}

impl fmt::Debug for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deployment")
            .field("sites", &self.sites)
            .field("threshold", &self.threshold)
            .field("ceiling", &self.ceiling)
            .field("pseudonym_key", &self.pseudonym_key)
            .field("noise", &self.noise)
            .finish_non_exhaustive()
    }
}

/// Why a deployment could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The client could not be built or Matomo could not be reached.
    #[error("cannot use Matomo: {0}")]
    Client(#[from] ClientError),
    /// The token breaks least privilege.
    #[error("{0}")]
    Privilege(#[from] PrivilegeError),
    /// The scrub patterns are invalid.
    #[error("{0}")]
    Scrub(#[from] crate::minimise::ScrubConfigError),
    /// The noise settings or the privacy budget file cannot be used.
    #[error("{0}")]
    Noise(String),
}

impl Deployment {
    /// Connects to Matomo as configured and checks the token (least privilege, allowed sites).
    ///
    /// The check runs once here and its result is kept for the deployment's lifetime.
    pub async fn connect(config: &Config) -> Result<Deployment, StartupError> {
        let mut builder = MatomoClient::builder(config.matomo.url.clone())
            .token(config.matomo.token.expose())
            .timeout(config.matomo.timeout);
        if config.matomo.allow_insecure_http {
            builder = builder.danger_allow_insecure_http();
        }
        builder = match &config.cache {
            Some(cache) => builder.cache(cache.clone()),
            None => builder.no_cache(),
        };
        let client = builder.build()?;
        let permissions = client.permissions().await?;
        let sites = SiteAccess::check(
            &permissions,
            config.matomo.allow_privileged_token,
            config.matomo.allowed_sites.as_deref(),
        )?;
        Ok(Deployment {
            client,
            sites,
            scrubber: config.privacy.scrubber()?,
            threshold: config.privacy.threshold,
            ceiling: config.ceiling,
            pseudonym_key: config.privacy.pseudonym_key.clone(),
            token_guard: SecretGuard::new(config.matomo.token.expose()),
            noise: NoiseSetup::from_settings(&config.privacy.noise).map_err(StartupError::Noise)?,
            account: budget_account(config.matomo.token.expose()),
        })
    }

    /// A deployment from parts, for embedding without a configuration file; `token` is
    /// the client's Matomo token, which the toolbox's final guard keeps out of every result.
    ///
    /// Its answers carry exact numbers until [`with_noise`](Self::with_noise) adds
    /// differential privacy (a configured deployment has it by default: `privacy.noise`).
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        client: MatomoClient,
        token: &str,
        sites: SiteAccess,
        scrubber: Scrubber,
        threshold: Threshold,
        ceiling: PrivacyClass,
        pseudonym_key: Option<PseudonymKey>,
    ) -> Self {
        Deployment {
            client,
            sites,
            scrubber,
            threshold,
            ceiling,
            pseudonym_key,
            token_guard: SecretGuard::new(token),
            noise: None,
            account: budget_account(token),
        }
    }

    /// Adds differential privacy: every count and sum of the aggregate tools' answers gets
    /// calibrated noise, computed over the visits within the contribution bounds, and each
    /// answer is charged to `budget` under a digest of the Matomo token.
    ///
    /// ```no_run
    /// # fn demo(deployment: matomo_mcp_core::catalogue::Deployment) {
    /// use std::time::Duration;
    /// use matomo_mcp_core::catalogue::NoiseSetup;
    /// use matomo_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy};
    /// use matomo_mcp_core::policy::PrivacyBudget;
    ///
    /// let key = std::fs::read("/etc/matomo-mcp/noise.key").unwrap();
    /// let dp = DifferentialPrivacy::new(key, 1_000_000, ContributionBounds::default()).unwrap();
    /// let budget = PrivacyBudget::open(20_000_000, Duration::from_secs(86_400),
    ///     "/var/lib/matomo-mcp/budget.json".as_ref()).unwrap();
    /// let deployment = deployment.with_noise(NoiseSetup { dp, budget });
    /// # }
    /// ```
    pub fn with_noise(mut self, noise: NoiseSetup) -> Self {
        self.noise = Some(noise);
        self
    }

    /// The differential-privacy settings, when noise is on.
    pub fn noise(&self) -> Option<&NoiseSetup> {
        self.noise.as_ref()
    }

    /// The result of the token check.
    pub fn site_access(&self) -> &SiteAccess {
        &self.sites
    }

    /// The deployment ceiling.
    pub fn ceiling(&self) -> PrivacyClass {
        self.ceiling
    }

    /// The threshold.
    pub fn threshold(&self) -> Threshold {
        self.threshold
    }

    /// The Matomo client, for a custom tool's own requests (the typed reports of [`crate::models`]).
    pub fn client(&self) -> &MatomoClient {
        &self.client
    }

    /// The label scrubber, configured as the operator set `privacy.scrub`.
    pub fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }

    /// The final guard that withholds any result holding the Matomo token.
    pub fn token_guard(&self) -> &SecretGuard {
        &self.token_guard
    }

    /// The pseudonym key; pseudonymous tools refuse to run without one.
    pub fn key(&self) -> Result<&PseudonymKey, ToolError> {
        self.pseudonym_key.as_ref().ok_or_else(|| {
            ToolError::policy_refusal(
                "this tool needs a pseudonym key and none is configured; the operator sets `privacy.pseudonym_key_file`",
            )
        })
    }

    /// Parses a tool's `segment` argument and refuses a dimension above the tool's class or the
    /// deployment ceiling, as every built-in tool does; `None` when there is no segment.
    pub fn check_segment(
        &self,
        text: Option<&str>,
        tool_class: PrivacyClass,
    ) -> Result<Option<Segment>, ToolError> {
        text.map(|text| parse_and_check_segment(text, tool_class, self.ceiling))
            .transpose()
    }

    /// Refuses a site the token check did not allow (`matomo.allowed_sites`), as every built-in tool does.
    pub fn check_site(&self, site: u32) -> Result<SiteId, ToolError> {
        let site = SiteId(site);
        self.sites.check_site(site)?;
        Ok(site)
    }
}
