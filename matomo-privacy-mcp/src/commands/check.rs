//! `check`: the configuration, the token and the state files tried, with the key to change.

use std::path::Path;

use matomo_privacy_mcp::config::{AuditTarget, Config};
use matomo_privacy_mcp_core::PrivacyClass;

use super::*;

/// `check`: what this configuration would do, without serving: every profile's Matomo token is
/// checked, and what each would expose is listed.
pub async fn check(path: Option<&Path>, emulator: bool) -> Result<()> {
    let (config, _emulator) = configured(path, emulator, false).await?;
    // The files it writes are tried before anything is called ok.
    let shared = open_shared(&config)?;
    println!("configuration: ok");
    println!("state files: {}", state_files_line(&config));
    println!(
        "serving enabled: {}",
        if config.enabled {
            "yes"
        } else {
            "no (set enabled = true to serve)"
        }
    );
    let noise = &config.privacy.noise;
    if noise.enabled {
        let budget_place = match (&config.shared_state, &noise.budget_file) {
            (Some(_), Some(file)) => format!(
                "the shared state (privacy.noise.budget_file `{}` is not used while [shared_state] is configured)",
                file.display()
            ),
            (Some(_), None) => "the shared state".to_owned(),
            (None, Some(file)) => file.display().to_string(),
            (None, None) => String::new(),
        };
        println!(
            "differential privacy: on; ε={} per statistic, at most ε={} per site per {} h, budget in {}{}",
            noise.epsilon_micros as f64 / 1e6,
            noise.budget_micros as f64 / 1e6,
            noise.window.as_secs() / 3600,
            budget_place,
            match (noise.has_key_file(), config.shared_state.is_some()) {
                (true, _) => "",
                (false, false) => {
                    " (no privacy.noise.key_file: the noise key is kept beside the budget file, `.key`)"
                }
                (false, true) => {
                    " (no privacy.noise.key_file: answers change at each start and differ between replicas, each charged again; give every replica the same key file)"
                }
            }
        );
    } else {
        println!(
            "differential privacy: off (privacy.noise.enabled = false): answers carry exact numbers"
        );
    }
    let toolboxes = connect_profiles(&config, &shared).await?;
    println!("Matomo: reachable");
    #[cfg(feature = "redis")]
    let shared_state = report_shared_state(&config, &shared.state).await;
    #[cfg(not(feature = "redis"))]
    {
        let _ = shared;
        println!(
            "shared state: none (built without the `redis` feature: each process keeps its own cache, budget and rate limits)"
        );
    }
    for (settings, toolbox) in config.profiles.iter().zip(&toolboxes) {
        println!("profile `{}`:", settings.name);
        println!(
            "  ceiling: {} ({})",
            settings.ceiling,
            settings.ceiling.meaning()
        );
        println!("  threshold k: {}", settings.threshold.k());
        println!("  token check: {}", toolbox.state().site_access().summary());
        let exposed: Vec<&str> = toolbox.list().map(|t| t.name()).collect();
        println!(
            "  tools exposed ({}): {}",
            exposed.len(),
            exposed.join(", ")
        );
        let hidden: Vec<String> = toolbox
            .all_descriptors()
            .filter(|d| !d.max_class().is_within(settings.ceiling))
            .map(|d| format!("{} ({})", d.name(), d.max_class()))
            .collect();
        if !hidden.is_empty() {
            println!(
                "  tools above the ceiling, not served: {}",
                hidden.join(", ")
            );
        }
        if let Some(limit) = settings.rate_limit {
            println!(
                "  rate limit: {} calls per minute, bursts of {}",
                limit.per_minute, limit.burst
            );
        }
        if settings.ceiling > PrivacyClass::Aggregate {
            println!(
                "  WARNING: the ceiling is above aggregate: visitor-level data reaches the AI provider; update your DPIA"
            );
        }
    }
    #[cfg(feature = "redis")]
    shared_state?;
    Ok(())
}

/// Where the files the server writes are, all tried already: `check` names them so that the
/// operator knows what to back up, protect and keep.
pub(super) fn state_files_line(config: &Config) -> String {
    let mut files = Vec::new();
    if config.privacy.noise.enabled
        && let (None, Some(file)) = (&config.shared_state, &config.privacy.noise.budget_file)
    {
        files.push(format!("privacy budget `{}`", file.display()));
        if !config.privacy.noise.has_key_file() {
            files.push(format!("noise key `{}.key`", file.display()));
        }
    }
    if let Some(AuditTarget::File(path)) = &config.audit_log {
        files.push(format!("audit log `{}`", path.display()));
    }
    if files.is_empty() {
        "none written".to_owned()
    } else {
        format!("{} (writable)", files.join(", "))
    }
}

/// `check`'s lines about the shared state, after asking it; an error (after every line is
/// printed) when it did not answer: the deployment would then refuse answers with noise and
/// rate-limited calls.
#[cfg(feature = "redis")]
pub(super) async fn report_shared_state(
    config: &Config,
    state: &matomo_privacy_mcp::startup::ProcessState,
) -> Result<()> {
    let (Some(settings), Some(shared)) = (&config.shared_state, &state.shared_state) else {
        println!("shared state: none (each process keeps its own cache, budget and rate limits)");
        return Ok(());
    };
    let place = format!(
        "Redis at {}, keys prefixed `{}`, {}, {}",
        settings.location,
        settings.prefix,
        if settings.tls { "TLS" } else { "no TLS" },
        if settings.authenticated {
            "with a password"
        } else {
            "without a password (allow_without_password = true)"
        }
    );
    let answer = shared.ping().await;
    match &answer {
        Ok(()) => println!("shared state: {place}: answered"),
        Err(error) => println!(
            "shared state: {place}: did NOT answer ({error}); `serve` starts anyway and connects again until it answers, refusing answers with noise and rate-limited calls meanwhile"
        ),
    }
    let mut holds = Vec::new();
    if config.cache.is_some() {
        holds.push("cached reports");
    } else {
        println!("  report cache: off (cache.enabled = false), so reports are not shared");
    }
    if config.privacy.noise.enabled {
        holds.push("the privacy budget");
    }
    if config.profiles.iter().any(|p| p.rate_limit.is_some()) {
        holds.push("the rate limits (HTTP)");
    }
    if !holds.is_empty() {
        println!("  shared with the other replicas: {}", holds.join(", "));
    }
    if !settings.tls && !settings.is_loopback() {
        println!(
            "  WARNING: plain redis:// to another machine: the password, cached reports and budget ledgers cross the network unencrypted; use rediss://"
        );
    }
    answer.map_err(|error| {
        format!(
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the shared state did not answer ({error}); check that Redis runs and is reachable there, and that it accepts the password of `shared_state.password_file (MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE)`"
        )
        .into()
    })
}
