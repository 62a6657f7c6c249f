//! `manifest`: the privacy manifest of what the configuration serves.

use std::error::Error;
use std::path::Path;

use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::{AuditTarget, Config, OAuthRule, ProfileSettings};
use matomo_privacy_mcp::manifest::{
    ManifestBuilder, ManifestProfile, ManifestSharedState, PrivacyManifest, name_sites,
};
use matomo_privacy_mcp::startup;
use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_core::tool::ToolDescriptor;

use super::*;

/// The tools profile `settings` is served: its allowed tools within its ceiling (without the
/// exact-only ones while `noise` is on).
pub(super) fn served_descriptors(
    settings: &ProfileSettings,
    noise: bool,
) -> Result<Vec<ToolDescriptor>> {
    Ok(
        catalogue::served_descriptors(settings.allowed_tools.as_deref(), noise)?
            .into_iter()
            .filter(|d| d.max_class().is_within(settings.ceiling))
            .collect(),
    )
}

/// What the manifest says of a profile.
pub(super) fn manifest_profile(
    settings: &ProfileSettings,
    token_check: String,
    noise: bool,
) -> Result<ManifestProfile> {
    let mut authentication: Vec<String> = Vec::new();
    if !settings.bearer_tokens.is_empty() {
        authentication.push(format!(
            "{} bearer token(s) from the configuration",
            settings.bearer_tokens.len()
        ));
    }
    if let Some(file) = &settings.bearer_token_file {
        authentication.push(format!("bearer tokens in `{}`", file.display()));
    }
    for rule in &settings.oauth {
        authentication.push(match rule {
            OAuthRule::Scope(scope) => format!("OAuth access tokens with scope `{scope}`"),
            OAuthRule::ClientId(id) => format!("OAuth access tokens issued to client `{id}`"),
            OAuthRule::Subject(subject) => format!("OAuth access tokens of subject `{subject}`"),
        });
    }
    Ok(ManifestProfile {
        name: settings.name.clone(),
        authentication,
        token_check,
        allowed_sites: settings.allowed_sites.clone(),
        ceiling: settings.ceiling,
        threshold_k: settings.threshold.k(),
        tools: served_descriptors(settings, noise)?
            .iter()
            .map(|d| d.name().to_owned())
            .collect(),
        rate_limit: settings.rate_limit.map(|l| (l.per_minute, l.burst)),
        budget_per_window: noise.then(|| settings.budget_micros as f64 / 1e6),
    })
}

/// Every tool some profile may call, once, and the highest ceiling of the profiles.
pub(super) fn union_of_profiles(config: &Config) -> Result<(Vec<ToolDescriptor>, PrivacyClass)> {
    let allowed: Vec<String> = {
        let mut names = Vec::new();
        for settings in &config.profiles {
            let noise = config.privacy.noise.enabled;
            for d in catalogue::served_descriptors(settings.allowed_tools.as_deref(), noise)? {
                if !names.contains(&d.name().to_owned()) {
                    names.push(d.name().to_owned());
                }
            }
        }
        names
    };
    let ceiling = config
        .profiles
        .iter()
        .map(|p| p.ceiling)
        .max()
        .unwrap_or(PrivacyClass::Aggregate);
    Ok((catalogue::descriptors(Some(&allowed))?, ceiling))
}

/// `manifest`: Markdown or JSON, with every profile's token check unless offline.
pub async fn manifest(
    path: Option<&Path>,
    json: bool,
    offline: bool,
    emulator: bool,
) -> Result<()> {
    let (config, _emulator) = configured(path, emulator, false).await?;
    let (descriptors, ceiling) = union_of_profiles(&config)?;
    let mut sites = Vec::new();
    let checks: Vec<String> = if offline {
        config
            .profiles
            .iter()
            .map(|_| "not performed (manifest generated with --offline)".to_owned())
            .collect()
    } else {
        let shared = open_shared(&config)?;
        let mut checks = Vec::with_capacity(config.profiles.len());
        for profile in &config.profiles {
            let toolbox = match startup::profile_toolbox(
                &config,
                profile,
                &profile.matomo_token,
                &shared.state,
                shared.audit.as_ref(),
            )
            .await
            {
                Ok(toolbox) => toolbox,
                Err(error) => match unreachable_matomo(error.as_ref()) {
                    // The document is still wanted while Matomo is down: it says what it lacks.
                    Some(why) => {
                        eprintln!(
                            "matomo-privacy-mcp: WARNING: profile `{}`: {why}",
                            profile.name
                        );
                        checks.push(why);
                        continue;
                    }
                    None => return Err(format!("{error}").into()),
                },
            };
            let deployment = toolbox.state();
            sites.extend(
                name_sites(
                    deployment.client(),
                    deployment.site_access().sites(),
                    &profile.config_key(
                        "allowed_sites",
                        "matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)",
                    ),
                )
                .await,
            );
            checks.push(deployment.site_access().summary().to_owned());
        }
        checks
    };
    let mut builder = settings(
        PrivacyManifest::from_descriptors(&descriptors, ceiling),
        &config,
    )
    .token_check(checks.first().cloned().unwrap_or_default())
    .sites(sites);
    if config.profiles.iter().any(|p| p.named) {
        for (profile, check) in config.profiles.iter().zip(checks) {
            builder = builder.profile(manifest_profile(
                profile,
                check,
                config.privacy.noise.enabled,
            )?);
        }
    }
    let manifest = builder.build();
    println!(
        "{}",
        if json {
            manifest.to_json()
        } else {
            manifest.to_markdown()
        }
    );
    Ok(())
}

/// The manifest's token check when `error` says Matomo could not be reached (no answer, or not
/// one from Matomo): what was not done and what to check; `None` for any other error.
pub(super) fn unreachable_matomo(error: &(dyn Error + Send + Sync + 'static)) -> Option<String> {
    match error.downcast_ref::<startup::StartupError>() {
        // Busy is transient, but it is this process's own cap on requests that held the call
        // back, not Matomo's address: nothing was sent.
        Some(startup::StartupError::Client(client))
            if client.is_transient()
                && !matches!(
                    client,
                    matomo_privacy_mcp_core::client::ClientError::Busy { .. }
                ) =>
        {
            Some(format!(
                "not performed: Matomo could not be reached ({client}); check `matomo.url (MATOMO_URL)`, or generate the manifest with --offline"
            ))
        }
        _ => None,
    }
}

pub(super) fn settings(builder: ManifestBuilder, config: &Config) -> ManifestBuilder {
    let mut builder = builder
        .enabled(config.enabled)
        .threshold(config.privacy.threshold)
        .noise(&config.privacy.noise)
        .scrubbing(
            config.privacy.allowed_query_params.clone(),
            config
                .privacy
                .scrub_patterns
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
        );
    if let Some(key) = &config.privacy.pseudonym_key {
        builder = builder.pseudonym_key_fingerprint(key.fingerprint());
    }
    if let Some(shared) = &config.shared_state {
        builder = builder.shared_state(ManifestSharedState::new(
            shared,
            config.cache.is_some(),
            config.privacy.noise.enabled,
            config.profiles.iter().any(|p| p.rate_limit.is_some()),
        ));
    }
    match &config.audit_log {
        Some(AuditTarget::Stderr) => builder.audit_log("standard error"),
        Some(AuditTarget::File(path)) => builder.audit_log(path.display().to_string()),
        None => builder,
    }
}
