//! Matomo token files watched while serving: when a profile's token file changes, the new token
//! is checked (least privilege, the profile's sites) before any call uses it. A token that fails
//! the check suspends the profile, which then refuses every call with the reason, until the file
//! holds a token that passes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use matomo_privacy_mcp_core::audit::AuditSink;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_server::ProfileTools;

use crate::config::{Config, token_from_file};
use crate::startup;

/// How often a Matomo token file is looked at (its modification time and length).
pub const MATOMO_TOKEN_RECHECK: Duration = Duration::from_secs(2);

/// What a watcher needs to build a profile's tools again.
pub struct Watched {
    /// The configuration (shared by every watcher).
    pub config: Arc<Config>,
    /// Which of its profiles.
    pub profile: usize,
    /// Where the profile's tools are served.
    pub tools: ProfileTools<Deployment>,
    /// What every profile shares: the noise, the shared state.
    pub state: startup::ProcessState,
    /// The audit sink every profile shares.
    pub audit: Option<Arc<dyn AuditSink>>,
}

/// Starts watching the profile's Matomo token file, if its token came from one.
pub fn watch_matomo_token(watched: Watched) -> Option<tokio::task::JoinHandle<()>> {
    let path = watched
        .config
        .profiles
        .get(watched.profile)?
        .matomo_token_file
        .clone()?;
    Some(tokio::spawn(watch(watched, path)))
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

async fn watch(watched: Watched, path: PathBuf) {
    let Some(profile) = watched.config.profiles.get(watched.profile) else {
        return;
    };
    let key = profile.config_key("matomo_token_file", "matomo.token_file");
    let mut last = stamp(&path);
    let mut current = profile.matomo_token.clone();
    loop {
        tokio::time::sleep(MATOMO_TOKEN_RECHECK).await;
        let now = stamp(&path);
        if now == last {
            continue;
        }
        last = now;
        let Ok(token) = token_from_file(&path) else {
            tracing::warn!(profile = %profile.name, "the Matomo token file is unreadable or holds no token; the profile is suspended");
            watched.tools.suspend(format!(
                "its Matomo token file cannot be read or holds no token; the operator must fix `{key}`"
            ));
            continue;
        };
        if token == current && watched.tools.is_serving() {
            continue;
        }
        match startup::profile_toolbox(
            &watched.config,
            profile,
            &token,
            &watched.state,
            watched.audit.as_ref(),
        )
        .await
        {
            Ok(toolbox) => {
                tracing::info!(profile = %profile.name, check = toolbox.state().site_access().summary(), "new Matomo token checked; serving with it");
                watched.tools.replace(toolbox);
                current = token;
            }
            Err(error) => {
                tracing::warn!(profile = %profile.name, %error, "the new Matomo token failed its check; the profile is suspended");
                watched.tools.suspend(format!(
                    "its new Matomo token failed the check ({error}); the operator must fix `{key}`"
                ));
            }
        }
    }
}
