//! From a configuration to a running [`Deployment`]: the client, the token check, the
//! minimisation settings, the noise and the shared state, each failure named by the key that
//! fixes it.

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::audit::AuditSink;
use matomo_privacy_mcp_core::client::{ClientError, MatomoClient, RequestLimit};
use matomo_privacy_mcp_core::dp::{
    DifferentialPrivacy, MIN_NOISE_KEY_BYTES, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::minimise::ScrubConfigError;
use matomo_privacy_mcp_core::policy::{PrivilegeError, SiteAccess};
use matomo_privacy_mcp_core::reporting::Deployment;

use std::sync::Arc;

use crate::catalogue;
#[cfg(feature = "redis")]
use crate::config::SharedStateSettings;
use crate::config::{Config, NoiseSettings, ProfileSettings, Secret};
#[cfg(feature = "redis")]
use matomo_privacy_mcp_core::shared::{SharedState, SharedStateConfig};

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
    /// The shared state (`[shared_state]`) cannot be used.
    #[error("{0}")]
    SharedState(String),
    /// A configuration built in code without any profile (a loaded one always has one).
    #[error("the configuration has no client profile to connect")]
    NoProfile,
}

/// Connects the first profile (`default` without `[[profiles]]`): what a single-profile
/// program, such as the demo or a test, serves.
pub async fn connect(config: &Config) -> Result<Deployment, StartupError> {
    let state = process_state(config)?;
    let profile = config.profiles.first().ok_or(StartupError::NoProfile)?;
    connect_profile(config, profile, &profile.matomo_token, &state).await
}

/// What every profile of one process shares, made once by [`process_state`]: the noise and its
/// privacy budget, the places for requests to Matomo, and the connection to the shared state.
/// Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct ProcessState {
    /// The cap on requests in flight to Matomo (`matomo.max_concurrent_requests`): every
    /// profile's client, and the client of a rotated token, take their places from it, so the
    /// process as a whole stays under it.
    pub matomo_requests: RequestLimit,
    /// The noise and the privacy budget; `None` when noise is off.
    pub noise: Option<Arc<NoiseSetup>>,
    /// The connection to Redis (`[shared_state]`), when configured: every profile's client
    /// shares its report cache there, and the budget is kept there.
    #[cfg(feature = "redis")]
    pub shared_state: Option<SharedState>,
}

/// The state of this process: the connection to the shared state, when configured (made
/// lazily: a Redis that is down now is used once it answers), and the noise with its budget, in
/// the shared state then, else in `privacy.noise.budget_file`. Call it once, within the async
/// runtime.
pub fn process_state(config: &Config) -> Result<ProcessState, StartupError> {
    let matomo_requests = RequestLimit::new(config.matomo.max_concurrent_requests)?;
    #[cfg(feature = "redis")]
    {
        let shared_state = config
            .shared_state
            .as_ref()
            .map(connect_shared_state)
            .transpose()?;
        let noise = shared_noise(config, shared_state.as_ref())?;
        Ok(ProcessState {
            matomo_requests,
            noise,
            shared_state,
        })
    }
    #[cfg(not(feature = "redis"))]
    {
        Ok(ProcessState {
            matomo_requests,
            noise: shared_noise(config)?,
        })
    }
}

/// A connection to the shared state `settings` describe; made on first use, remade whenever it
/// breaks.
#[cfg(feature = "redis")]
pub fn connect_shared_state(settings: &SharedStateSettings) -> Result<SharedState, StartupError> {
    let mut shared = SharedStateConfig::new(settings.connect_url().expose())
        .prefix(settings.prefix.clone())
        .timeout(settings.timeout);
    if let Some(password) = settings.password() {
        shared = shared.password(password.expose());
    }
    if settings.allow_without_password {
        shared = shared.danger_allow_without_auth();
    }
    if let Some(pem) = &settings.ca_certificate {
        shared = shared.ca_certificate(pem.clone());
    }
    SharedState::connect(shared).map_err(|e| {
        StartupError::SharedState(format!(
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: {e}"
        ))
    })
}

/// Connects to Matomo as `profile` with `token` (its current Matomo token) and checks the token
/// (least privilege, the profile's allowed sites). The noise of `state`, shared by every
/// profile, is charged to the profile's own account; with a shared state, the client's report
/// cache is shared with the other replicas.
///
/// The check runs here, for every profile's token, before anything is served; a rotated token
/// is connected (and so checked) again before it is used.
pub async fn connect_profile(
    config: &Config,
    profile: &ProfileSettings,
    token: &Secret,
    state: &ProcessState,
) -> Result<Deployment, StartupError> {
    let mut builder = MatomoClient::builder(config.matomo.url.clone())
        .token(token.expose())
        .timeout(config.matomo.timeout)
        .shared_request_limit(state.matomo_requests.clone());
    if config.matomo.allow_insecure_http {
        builder = builder.danger_allow_insecure_http();
    }
    builder = match &config.cache {
        Some(cache) => builder.cache(cache.clone()),
        None => builder.no_cache(),
    };
    #[cfg(feature = "redis")]
    if let Some(shared) = &state.shared_state {
        builder = builder.shared_state(shared.clone());
    }
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
    Ok(match &state.noise {
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

/// The noise and budget every profile shares, in the shared state when there is one, else in
/// the budget file; `None` when noise is off. Each named profile's `budget_per_window` becomes
/// its account's limit.
fn shared_noise(
    config: &Config,
    #[cfg(feature = "redis")] shared_state: Option<&SharedState>,
) -> Result<Option<Arc<NoiseSetup>>, StartupError> {
    #[cfg(feature = "redis")]
    let setup = match shared_state {
        // Shared wins: `privacy.noise.budget_file`, if also given, is not used.
        Some(state) if config.privacy.noise.enabled => {
            let settings = &config.privacy.noise;
            Some(NoiseSetup {
                dp: differential_privacy(settings, None)?,
                budget: PrivacyBudget::shared(
                    settings.budget_micros,
                    settings.window,
                    state.clone(),
                ),
            })
        }
        _ => noise_setup(&config.privacy.noise)?,
    };
    #[cfg(not(feature = "redis"))]
    let setup = noise_setup(&config.privacy.noise)?;
    let Some(mut setup) = setup else {
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
/// is off. Without a key file, the key is kept beside the budget file ([`kept_key`]), drawn at
/// random the first time: a statistic released before a restart is the same release after it,
/// shown the same and not charged again.
pub fn noise_setup(settings: &NoiseSettings) -> Result<Option<NoiseSetup>, StartupError> {
    if !settings.enabled {
        return Ok(None);
    }
    let Some(file) = &settings.budget_file else {
        return Err(StartupError::Noise("configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: noise is on and the budget has no file".to_owned()));
    };
    crate::state_files::try_budget_file(file).map_err(|what| {
        StartupError::Noise(format!(
            "configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: the privacy budget file `{}` cannot be used: {what}; make that directory writable by this user, or set the key to a writable path",
            file.display()
        ))
    })?;
    let dp = differential_privacy(settings, Some(file))?;
    let budget =
        PrivacyBudget::open(settings.budget_micros, settings.window, file).map_err(|e| {
            StartupError::Noise(format!(
                "configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: {e}"
            ))
        })?;
    Ok(Some(NoiseSetup { dp, budget }))
}

/// The noise `settings` describe, with their key, the one kept beside `budget_file`, or (with
/// neither) a random one.
fn differential_privacy(
    settings: &NoiseSettings,
    budget_file: Option<&std::path::Path>,
) -> Result<DifferentialPrivacy, StartupError> {
    let key = match (settings.key(), budget_file) {
        (Some(key), _) => key.to_vec(),
        (None, Some(file)) => kept_key(file)?,
        (None, None) => random_key()?,
    };
    DifferentialPrivacy::new(key, settings.epsilon_micros, settings.bounds)
        .map_err(|e| StartupError::Noise(format!("configuration `privacy.noise`: {e}")))
}

/// A new random noise key.
fn random_key() -> Result<Vec<u8>, StartupError> {
    let mut key = vec![0u8; MIN_NOISE_KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| {
        StartupError::Noise(format!("configuration `privacy.noise.key_file (MATOMO_PRIVACY_MCP_NOISE_KEY_FILE)`: no random key could be drawn ({e}); give a key file"))
    })?;
    Ok(key)
}

/// The noise key kept beside the budget file (`<budget file>.key`, readable by its owner only),
/// drawn at random and written the first time. The budget tells releases apart by the key, so
/// a key that changed at each start would charge every statistic again after a restart.
pub fn kept_key(budget_file: &std::path::Path) -> Result<Vec<u8>, StartupError> {
    let mut path = budget_file.as_os_str().to_owned();
    path.push(".key");
    let path = std::path::PathBuf::from(path);
    let error = |what: String| {
        StartupError::Noise(format!(
            "configuration `privacy.noise.key_file (MATOMO_PRIVACY_MCP_NOISE_KEY_FILE)`: not given, and the key kept beside the budget file, `{}`, {what}; give a key file or make that file usable",
            path.display()
        ))
    };
    match std::fs::read(&path) {
        Ok(key) if key.len() >= MIN_NOISE_KEY_BYTES => return Ok(key),
        Ok(key) => {
            return Err(error(format!(
                "has {} bytes, not {MIN_NOISE_KEY_BYTES}",
                key.len()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(error(format!("cannot be read ({e})"))),
    }
    let key = random_key()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .map_err(|e| error(format!("cannot be created ({e})")))?;
    std::io::Write::write_all(&mut file, &key)
        .and_then(|()| file.sync_all())
        .map_err(|e| error(format!("cannot be written ({e})")))?;
    Ok(key)
}

/// The built-in tools of `profile` over its Matomo token `token`: connected, checked, limited to
/// the profile's `allowed_tools`, auditing to `audit`.
pub async fn profile_toolbox(
    config: &Config,
    profile: &ProfileSettings,
    token: &Secret,
    state: &ProcessState,
    audit: Option<&Arc<dyn AuditSink>>,
) -> Result<Toolbox<Deployment>, Box<dyn std::error::Error + Send + Sync>> {
    let deployment = connect_profile(config, profile, token, state).await?;
    let toolbox = catalogue::toolbox(deployment, profile.allowed_tools.as_deref())?;
    Ok(match audit {
        Some(sink) => toolbox.with_audit(Arc::clone(sink)),
        None => toolbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state_files::test_support::{assert_owner_only, fresh_dir};

    /// Without a key file, the noise key is drawn once and kept beside the budget file
    /// (owner-only), so a restart releases the same statistics with the same noise.
    #[test]
    fn the_noise_key_is_kept_beside_the_budget_file() {
        let dir = fresh_dir("kept-key");
        let budget = dir.join("budget.json");
        let first = kept_key(&budget).unwrap();
        assert_eq!(first.len(), MIN_NOISE_KEY_BYTES);
        assert_eq!(
            kept_key(&budget).unwrap(),
            first,
            "the same key after a restart"
        );
        assert_owner_only(&dir.join("budget.json.key"));
        std::fs::write(dir.join("budget.json.key"), b"short").unwrap();
        let refused = kept_key(&budget).unwrap_err().to_string();
        assert!(
            refused.contains("privacy.noise.key_file") && refused.contains("5 bytes"),
            "{refused}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
