//! From a configuration to a running [`Deployment`]: the client, the token check, the
//! minimisation settings and the noise, each failure named by the key that fixes it.

use matomo_mcp_core::Toolbox;
use matomo_mcp_core::audit::AuditSink;
use matomo_mcp_core::client::{ClientError, MatomoClient};
use matomo_mcp_core::minimise::ScrubConfigError;
use matomo_mcp_core::minimise::noise::{DifferentialPrivacy, MIN_NOISE_KEY_BYTES};
use matomo_mcp_core::policy::{PrivacyBudget, PrivilegeError, SiteAccess};
use matomo_mcp_core::reporting::{Deployment, NoiseSetup};

use std::sync::Arc;

use crate::catalogue;
use crate::config::{Config, NoiseSettings, ProfileSettings, Secret};

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
    /// A profile's token breaks least privilege or cannot read the profile's sites.
    #[error("profile `{profile}`: {source}")]
    Profile {
        /// The profile.
        profile: String,
        /// What the check found.
        source: PrivilegeError,
    },
    /// The scrub patterns are invalid.
    #[error("{0}")]
    Scrub(#[from] ScrubConfigError),
    /// The noise settings or the privacy budget file cannot be used.
    #[error("{0}")]
    Noise(String),
    /// A configuration built in code without any profile (a loaded one always has one).
    #[error("the configuration has no client profile to connect")]
    NoProfile,
}

/// Connects the first profile (`default` without `[[profiles]]`): what a single-profile
/// program, such as the demo or a test, serves.
pub async fn connect(config: &Config) -> Result<Deployment, StartupError> {
    let noise = shared_noise(config)?;
    let profile = config.profiles.first().ok_or(StartupError::NoProfile)?;
    connect_profile(config, profile, &profile.matomo_token, noise.as_ref()).await
}

/// Connects to Matomo as `profile` with `token` (its current Matomo token) and checks the token
/// (least privilege, the profile's allowed sites). `noise`, shared by every profile, is charged
/// to the profile's own account.
///
/// The check runs here, for every profile's token, before anything is served; a rotated token
/// is connected (and so checked) again before it is used.
pub async fn connect_profile(
    config: &Config,
    profile: &ProfileSettings,
    token: &Secret,
    noise: Option<&Arc<NoiseSetup>>,
) -> Result<Deployment, StartupError> {
    let mut builder = MatomoClient::builder(config.matomo.url.clone())
        .token(token.expose())
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
        profile.allowed_sites.as_deref(),
    )
    .map_err(|e| StartupError::Profile {
        profile: profile.name.clone(),
        source: e,
    })?;
    let deployment = Deployment::from_parts(
        client,
        token.expose(),
        sites,
        config.privacy.scrubber()?,
        profile.threshold,
        profile.ceiling,
        config.privacy.pseudonym_key.clone(),
    );
    Ok(match noise {
        Some(noise) if profile.named => deployment
            .with_noise(Arc::clone(noise))
            .with_budget_account(budget_account(&profile.name)),
        Some(noise) => deployment.with_noise(Arc::clone(noise)),
        None => deployment,
    })
}

/// The budget account of a named profile.
pub fn budget_account(profile: &str) -> String {
    format!("profile:{profile}")
}

/// The noise and budget every profile shares, opening the budget file; `None` when noise is
/// off. Each named profile's `budget_per_window` becomes its account's limit.
pub fn shared_noise(config: &Config) -> Result<Option<Arc<NoiseSetup>>, StartupError> {
    let Some(mut setup) = noise_setup(&config.privacy.noise)? else {
        return Ok(None);
    };
    // Named profiles are charged to accounts of their own; `default`, as before profiles, to
    // its token's digest.
    if config.profiles.iter().any(|p| p.named) {
        let mut budget = setup.budget;
        for profile in config.profiles.iter().filter(|p| p.named) {
            budget =
                budget.with_account_limit(budget_account(&profile.name), profile.budget_micros);
        }
        setup.budget = budget;
    }
    Ok(Some(Arc::new(setup)))
}

/// The noise and budget `settings` describe, opening the budget file; `None` when noise
/// is off. Without a key file, a random key is drawn: answers then change after a restart,
/// and each is a new answer, charged again (the budget tells answers apart by the key).
pub fn noise_setup(settings: &NoiseSettings) -> Result<Option<NoiseSetup>, StartupError> {
    if !settings.enabled {
        return Ok(None);
    }
    let key = match settings.key() {
        Some(key) => key.to_vec(),
        None => {
            let mut key = vec![0u8; MIN_NOISE_KEY_BYTES];
            getrandom::fill(&mut key).map_err(|e| {
                StartupError::Noise(format!("configuration `privacy.noise.key_file (MATOMO_MCP_NOISE_KEY_FILE)`: no random key could be drawn ({e}); give a key file"))
            })?;
            key
        }
    };
    let dp = DifferentialPrivacy::new(key, settings.epsilon_micros, settings.bounds)
        .map_err(|e| StartupError::Noise(format!("configuration `privacy.noise`: {e}")))?;
    let Some(file) = &settings.budget_file else {
        return Err(StartupError::Noise("configuration `privacy.noise.budget_file (MATOMO_MCP_NOISE_BUDGET_FILE)`: noise is on and the budget has no file".to_owned()));
    };
    let budget =
        PrivacyBudget::open(settings.budget_micros, settings.window, file).map_err(|e| {
            StartupError::Noise(format!(
                "configuration `privacy.noise.budget_file (MATOMO_MCP_NOISE_BUDGET_FILE)`: {e}"
            ))
        })?;
    Ok(Some(NoiseSetup { dp, budget }))
}

/// The built-in tools of `profile` over its Matomo token `token`: connected, checked, limited to
/// the profile's `allowed_tools`, auditing to `audit`.
pub async fn profile_toolbox(
    config: &Config,
    profile: &ProfileSettings,
    token: &Secret,
    noise: Option<&Arc<NoiseSetup>>,
    audit: Option<&Arc<dyn AuditSink>>,
) -> Result<Toolbox<Deployment>, Box<dyn std::error::Error + Send + Sync>> {
    let deployment = connect_profile(config, profile, token, noise).await?;
    let toolbox = catalogue::toolbox(deployment, profile.allowed_tools.as_deref())?;
    Ok(match audit {
        Some(sink) => toolbox.with_audit(Arc::clone(sink)),
        None => toolbox,
    })
}
