//! The state report tools share: the client, the policy and the transforms.

use std::future::Future;
use std::sync::Arc;

use crate::RedactedDebug;
use crate::client::MatomoClient;
use crate::minimise::{Scrubber, Threshold};
use crate::models::{Report, api, sites_manager};
use crate::params::{Params, Sites};
use crate::policy::{SiteAccess, parse_and_check_segment};
use crate::privacy::{PrivacyClass, PseudonymKey};
use crate::segment::Segment;
use crate::tool::{RegistrationError, SecretGuard, Tool, ToolDescriptor};
use crate::{SiteId, ToolError, Toolbox};

use super::args::Request;
use super::noisy::all_or_none;
use super::visitors::{Known, Visitors};
use crate::dp::answer::site_account;

use crate::dp::NoiseSetup;

/// The budget account of a Matomo token: a digest that tells tokens apart without revealing them.
pub(super) fn budget_account(token: &str) -> String {
    use sha2::{Digest, Sha256};
    // Domain separator from the working name, kept so that budget accounts already spent stay the same.
    let digest = Sha256::new_with_prefix(b"matomo-mcp budget account\0")
        .chain_update(token.as_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What report tools need: a Matomo client, the sites they may read, and the minimisation settings.
///
/// An embedding server sets one up with [`builder`](Self::builder), which checks the token;
/// [`from_parts`](Self::from_parts) assembles one from parts already checked.
#[derive(RedactedDebug)]
pub struct Deployment {
    pub(crate) client: MatomoClient,
    pub(crate) sites: SiteAccess,
    pub(crate) scrubber: Scrubber,
    pub(crate) threshold: Threshold,
    pub(crate) ceiling: PrivacyClass,
    pub(crate) pseudonym_key: Option<PseudonymKey>,
    #[redact]
    pub(crate) token_guard: SecretGuard,
    pub(crate) noise: Option<Arc<NoiseSetup>>,
    /// Whom the privacy budget is charged to: a digest of the Matomo token.
    #[redact]
    pub(crate) account: String,
}

/// A toolbox over a deployment guards its token and starts at its ceiling.
impl crate::tool::ToolState for Deployment {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        vec![self.token_guard.clone()]
    }

    fn ceiling(&self) -> PrivacyClass {
        self.ceiling
    }
}

impl Deployment {
    /// A deployment from its parts; `token` is
    /// the client's Matomo token, which the toolbox's final guard keeps out of every result.
    ///
    /// Its answers carry exact numbers until [`with_noise`](Self::with_noise) adds
    /// differential privacy (the `matomo-privacy-mcp` application adds it by default: `privacy.noise`).
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
    /// # fn demo(deployment: matomo_privacy_mcp_core::reporting::Deployment) {
    /// use std::time::Duration;
    /// use matomo_privacy_mcp_core::dp::{
    ///     ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
    /// };
    ///
    /// let key = std::fs::read("/etc/matomo-privacy-mcp/noise.key").unwrap();
    /// let dp = DifferentialPrivacy::new(key, 1_000_000, ContributionBounds::default()).unwrap();
    /// let budget = PrivacyBudget::open(20_000_000, Duration::from_secs(86_400),
    ///     "/var/lib/matomo-privacy-mcp/budget.json".as_ref()).unwrap();
    /// let deployment = deployment.with_noise(NoiseSetup { dp, budget });
    /// # }
    /// ```
    ///
    /// Deployments that share one budget (one per client profile, say) share one setup:
    /// pass the same `Arc<NoiseSetup>` to each, and give each its own account
    /// ([`with_budget_account`](Self::with_budget_account)).
    pub fn with_noise(mut self, noise: impl Into<Arc<NoiseSetup>>) -> Self {
        self.noise = Some(noise.into());
        self
    }

    /// Charges the privacy budget to `account` (a client profile's name, say) instead of a
    /// digest of the Matomo token.
    pub fn with_budget_account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// The account this deployment's answers are charged to.
    pub fn budget_account(&self) -> &str {
        &self.account
    }

    /// The differential-privacy settings, when noise is on.
    pub fn noise(&self) -> Option<&NoiseSetup> {
        self.noise.as_deref()
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

/// Whether a toolbox serves a tool with noise on or off (`noise`): every tool but those declared
/// `#[matomo_tool(exact_only)]` while noise is on (they show numbers no noise can be calibrated
/// to).
pub fn served_with(tool: &ToolDescriptor, noise: bool) -> bool {
    !(noise && tool.exact_only())
}

/// What tools ask of the deployment beside reports: the sites and their calendars, the report
/// catalogue, distinct visitors, answers charged together, and a toolbox of tools.
impl Deployment {
    /// A toolbox of `tools` over this deployment, at its ceiling and with its token guard, each
    /// tool the deployment serves ([`served_with`]: exact-only tools are left out while noise is
    /// on).
    ///
    /// # Errors
    ///
    /// Two tools of one name.
    pub fn toolbox_of(
        self,
        tools: impl IntoIterator<Item = Box<dyn Tool<Deployment>>>,
    ) -> Result<Toolbox<Deployment>, RegistrationError> {
        let noisy = self.noise.is_some();
        let mut toolbox = Toolbox::with_state(self);
        for tool in tools {
            if served_with(&tool.descriptor(), noisy) {
                toolbox = toolbox.try_tool(tool)?;
            }
        }
        Ok(toolbox)
    }

    /// Every site the token may view (`SitesManager.getSitesWithAtLeastViewAccess`), through the
    /// report cache: names, URLs and time zones. The sites this deployment serves are those of
    /// [`site_access`](Self::site_access) among them.
    ///
    /// # Errors
    ///
    /// Matomo unreachable, refusing, or answering in another shape.
    pub async fn viewable_sites(&self) -> Result<Vec<sites_manager::Site>, ToolError> {
        self.one_report::<sites_manager::GetSitesWithAtLeastViewAccess>(
            &Params::new(),
            "the site list",
        )
        .await
    }

    /// Report `R` through the report cache, as the single value of a one-site, one-period
    /// answer: what a tool asking about one site and one period reads.
    ///
    /// # Errors
    ///
    /// Matomo unreachable or refusing, or answering in another shape (an internal error that
    /// names `what`, such as "the page report").
    pub async fn one_report<R: Report>(
        &self,
        params: &Params,
        what: &str,
    ) -> Result<R::Output, ToolError> {
        self.client
            .report_with::<R>(params)
            .await?
            .into_one()
            .ok_or_else(|| {
                ToolError::internal(format!("Matomo answered {what} in an unexpected shape"))
            })
    }

    /// Today in the site's time zone, from Matomo's site list (through the cache): relative
    /// dates are then asked for by their dates, so that two questions cannot straddle a
    /// midnight and a statistic is one question however its date is written.
    ///
    /// # Errors
    ///
    /// Matomo unreachable, or not saying the site's time zone (the message says to give a date).
    pub async fn site_today(&self, site: u32) -> Result<jiff::civil::Date, ToolError> {
        self.site_today_if_known(site).await?.ok_or_else(|| {
            ToolError::invalid_arguments(format!(
                "Matomo did not say site {site}'s time zone, so `today` and `yesterday` cannot be dated; give `date` as YYYY-MM-DD"
            ))
        })
    }

    /// [`site_today`](Self::site_today), `None` when Matomo does not say the site's time zone.
    ///
    /// # Errors
    ///
    /// Matomo unreachable.
    pub(crate) async fn site_today_if_known(
        &self,
        site: u32,
    ) -> Result<Option<jiff::civil::Date>, ToolError> {
        Ok(self
            .viewable_sites()
            .await?
            .iter()
            .find(|s| s.idsite.0 == u64::from(site))
            .and_then(|s| s.timezone.as_deref())
            .and_then(crate::client::today_in))
    }

    /// The site's report catalogue (`API.getReportMetadata`), through the report cache:
    /// metadata only, never data (and never Matomo's image URLs, which embed the token).
    ///
    /// # Errors
    ///
    /// Matomo unreachable, refusing, or answering in another shape.
    pub async fn site_reports(&self, site: u32) -> Result<Vec<api::ReportMetadata>, ToolError> {
        let params = Params::new().sites(Sites::one(site)?);
        self.one_report::<api::GetReportMetadata>(&params, "the report metadata")
            .await
    }

    /// The distinct visitors (a lower bound Matomo proves) and the visits of the request's
    /// site and period within `segment`: what an answer about these visits must be withheld
    /// by ([`KnownVisitors::too_few`](super::KnownVisitors::too_few)). `None` when Matomo did
    /// not count them (a year within a day of New Year, an answer of another shape), which
    /// proves nothing.
    ///
    /// # Errors
    ///
    /// Matomo unreachable or refusing: the answer it guards would fail the same way.
    pub async fn distinct_visitors(
        &self,
        request: &Request,
        segment: Option<&Segment>,
    ) -> Result<Option<Known>, ToolError> {
        Visitors::new(&self.client, request, segment).whole().await
    }

    /// Runs `question`, a question of several answers about one site (the two periods of a
    /// comparison, the parts of an overview), so that with noise on the statistics all its
    /// answers release are charged to the budget together, all or none: refused for the budget,
    /// it has spent nothing. Without noise it is `question` itself.
    ///
    /// # Errors
    ///
    /// The question's own, or the budget's refusal.
    pub async fn all_or_none<T>(
        &self,
        site: u32,
        question: impl Future<Output = Result<T, ToolError>>,
    ) -> Result<T, ToolError> {
        all_or_none(self, &site_account(&self.account, site), question).await
    }
}
