//! The `[privacy]` section: threshold, ceiling, scrubbing, pseudonym key, audit log and noise.

use std::path::PathBuf;

pub use error::ConfigError;
pub use noise::NoiseSettings;

use matomo_privacy_mcp_core::minimise::{CustomPattern, Scrubber, Threshold};
use matomo_privacy_mcp_core::privacy::{PrivacyClass, PseudonymKey};

/// The validated configuration.
use super::*;

/// Minimisation settings.
#[derive(Debug)]
pub struct PrivacySettings {
    /// Small-count threshold (`privacy.threshold_k`, `MATOMO_PRIVACY_MCP_THRESHOLD_K`; default 5).
    pub threshold: Threshold,
    /// Pseudonym key (`privacy.pseudonym_key_file`, `MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE`); required for a
    /// ceiling above `aggregate`.
    pub pseudonym_key: Option<PseudonymKey>,
    /// Query parameters kept in scrubbed URLs (`privacy.allowed_query_params`).
    pub allowed_query_params: Vec<String>,
    /// Operator-defined scrub patterns (`privacy.scrub_patterns`), as (name, regex).
    pub scrub_patterns: Vec<(String, String)>,
    /// Differential privacy (`[privacy.noise]`; on by default).
    pub noise: NoiseSettings,
}

impl PrivacySettings {
    /// A scrubber with these settings (the patterns were validated when the configuration was loaded).
    pub fn scrubber(
        &self,
    ) -> Result<Scrubber, matomo_privacy_mcp_core::minimise::ScrubConfigError> {
        let mut builder = Scrubber::builder();
        for param in &self.allowed_query_params {
            builder = builder.allow_query_param(param.clone());
        }
        for (name, regex) in &self.scrub_patterns {
            builder = builder.pattern(CustomPattern::new(name.clone(), regex.clone()));
        }
        builder.build()
    }
}

/// Where audit records go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    /// Standard error.
    Stderr,
    /// An append-only file.
    File(PathBuf),
}

pub(super) fn privacy_settings(
    raw: raw::RawPrivacy,
    ceiling: PrivacyClass,
    shared_budget: bool,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<PrivacySettings> {
    let k = match env("MATOMO_PRIVACY_MCP_THRESHOLD_K") {
        Some(text) => text.trim().parse::<u64>().ok().or_else(|| {
            errors.push(ConfigError::new(
                "privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)",
                format!("`{text}` is not a whole number"),
                "use a number of visitors such as 5 (the default)",
            ));
            None
        }),
        None => raw.threshold_k,
    };
    let threshold = match k.map(Threshold::new) {
        None => Threshold::default(),
        Some(Ok(threshold)) => threshold,
        Some(Err(_)) => {
            errors.push(ConfigError::new(
                "privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)",
                "0 would show rows of no visitors",
                "use at least 1; 5 is the default",
            ));
            Threshold::default()
        }
    };
    let key_file = env("MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE").or(raw.pseudonym_key_file);
    let pseudonym_key = match &key_file {
        Some(path) => match PseudonymKey::from_file(path) {
            Ok(key) => Some(key),
            Err(e) => {
                errors.push(ConfigError::new(
                    "privacy.pseudonym_key_file (MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE)",
                    e.to_string(),
                    "point it at a file of at least 32 random bytes",
                ));
                None
            }
        },
        None => None,
    };
    if ceiling > PrivacyClass::Aggregate && key_file.is_none() {
        errors.push(ConfigError::new(
            "privacy.pseudonym_key_file (MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE)",
            format!("the ceiling is {ceiling}, and tools above aggregate need a pseudonym key"),
            "create one with `head -c 32 /dev/urandom > pseudonym.key` and set the key, or lower the ceiling",
        ));
    }
    let allowed_query_params = raw.allowed_query_params.unwrap_or_default();
    let scrub_patterns: Vec<(String, String)> = raw
        .scrub_patterns
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.name, p.regex))
        .collect();
    let settings = PrivacySettings {
        threshold,
        pseudonym_key,
        allowed_query_params,
        scrub_patterns,
        noise: noise::noise_settings(raw.noise, shared_budget, env, errors),
    };
    if let Err(e) = settings.scrubber() {
        errors.push(ConfigError::new(
            "privacy.scrub_patterns",
            e.to_string(),
            "fix the pattern's name or regular expression",
        ));
    }
    Some(settings)
}
