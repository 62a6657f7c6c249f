//! From a configuration to a running [`Deployment`]: the client, the token check, the
//! minimisation settings and the noise, each failure named by the key that fixes it.

use matomo_mcp_core::client::{ClientError, MatomoClient};
use matomo_mcp_core::minimise::ScrubConfigError;
use matomo_mcp_core::minimise::noise::{DifferentialPrivacy, MIN_NOISE_KEY_BYTES};
use matomo_mcp_core::policy::{PrivacyBudget, PrivilegeError, SiteAccess};
use matomo_mcp_core::reporting::{Deployment, NoiseSetup};

use crate::config::{Config, NoiseSettings};

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
    Scrub(#[from] ScrubConfigError),
    /// The noise settings or the privacy budget file cannot be used.
    #[error("{0}")]
    Noise(String),
}

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
    let deployment = Deployment::from_parts(
        client,
        config.matomo.token.expose(),
        sites,
        config.privacy.scrubber()?,
        config.privacy.threshold,
        config.ceiling,
        config.privacy.pseudonym_key.clone(),
    );
    Ok(match noise_setup(&config.privacy.noise)? {
        Some(noise) => deployment.with_noise(noise),
        None => deployment,
    })
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
