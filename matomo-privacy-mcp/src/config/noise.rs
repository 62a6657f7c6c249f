//! `[privacy.noise]`: differential privacy for aggregate answers, on by default.

use std::path::PathBuf;
use std::time::Duration;

use super::error::ConfigError;
use super::parse_bool;
use super::raw::RawNoise;
use super::state_dir::{BUDGET_FILE_NAME, default_state_dir};
use matomo_privacy_mcp_core::RedactedDebug;
use matomo_privacy_mcp_core::dp::{ContributionBounds, CountedVisits, MIN_NOISE_KEY_BYTES};
use matomo_privacy_mcp_core::privacy::without_trailing_newline;

/// Differential-privacy settings (`[privacy.noise]`).
#[derive(Clone, PartialEq, RedactedDebug)]
pub struct NoiseSettings {
    /// Whether aggregate answers get noise (`privacy.noise.enabled`, `MATOMO_PRIVACY_MCP_NOISE`; default `true`).
    pub enabled: bool,
    /// Millionths of ε one released statistic spends (`privacy.noise.epsilon_per_statistic`;
    /// default 0.5): one metric of one report, site, period and segment, over all its rows.
    pub epsilon_micros: u64,
    /// Millionths of ε a Matomo token may spend per site per window
    /// (`privacy.noise.budget_per_window`; default 150).
    pub budget_micros: u64,
    /// The budget's window (`privacy.noise.window_hours`; default 24: windows start at midnight UTC).
    pub window: Duration,
    /// Where the budget is kept across restarts (`privacy.noise.budget_file`,
    /// `MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE`; default `privacy-budget.json` in the user's state
    /// directory, `$XDG_STATE_HOME/matomo-privacy-mcp` or `~/.local/state/matomo-privacy-mcp`);
    /// `None` when noise is off, or when `[shared_state]` keeps the budget in Redis.
    pub budget_file: Option<PathBuf>,
    /// The secret the noise is derived from (`privacy.noise.key_file`, `MATOMO_PRIVACY_MCP_NOISE_KEY_FILE`);
    /// without one, a random key drawn on the first start and kept beside the budget file.
    #[redact]
    key: Option<Vec<u8>>,
    /// How much one visitor may contribute (`privacy.noise.visit_spacing_days` (default 1),
    /// `visit_spacing_minutes` or `visits_per_visitor` (a visitor's first visits only), and
    /// `actions_per_visit` (default 10)).
    pub bounds: ContributionBounds,
}

impl Default for NoiseSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            epsilon_micros: 500_000,
            budget_micros: 150_000_000,
            window: Duration::from_secs(86_400),
            budget_file: None,
            key: None,
            bounds: ContributionBounds::default(),
        }
    }
}

impl NoiseSettings {
    /// Whether a key file was given (otherwise the key kept beside the budget file is used).
    pub fn has_key_file(&self) -> bool {
        self.key.is_some()
    }

    /// The key file's bytes, when one was given.
    pub(crate) fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }
}

const KEY: &str = "privacy.noise";

fn epsilon(key: &str, value: Option<f64>, default: u64, errors: &mut Vec<ConfigError>) -> u64 {
    match value {
        None => default,
        Some(value) if value.is_finite() && value > 0.0 && value <= 1000.0 => {
            // In range: at most 10^9 millionths.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let micros = (value * 1e6).round() as u64;
            micros.max(1)
        }
        Some(value) => {
            errors.push(ConfigError::new(
                key,
                format!("{value} is not a usable ε"),
                "use a positive number such as 1.0 (smaller is more private and noisier)",
            ));
            default
        }
    }
}

/// `[privacy.noise]`; with `shared_budget` (`[shared_state]` is configured) the budget is kept
/// in Redis and needs no file.
pub(super) fn noise_settings(
    raw: RawNoise,
    shared_budget: bool,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> NoiseSettings {
    let defaults = NoiseSettings::default();
    let enabled = match env("MATOMO_PRIVACY_MCP_NOISE") {
        Some(value) => parse_bool(
            "privacy.noise.enabled (MATOMO_PRIVACY_MCP_NOISE)",
            &value,
            errors,
        )
        .unwrap_or(true),
        None => raw.enabled.unwrap_or(true),
    };
    let epsilon_micros = epsilon(
        "privacy.noise.epsilon_per_statistic",
        raw.epsilon_per_statistic,
        defaults.epsilon_micros,
        errors,
    );
    if epsilon_micros > 10_000_000 {
        errors.push(ConfigError::new(
            "privacy.noise.epsilon_per_statistic",
            "an ε above 10 per statistic protects nobody",
            "use at most 10; 0.5 is the default",
        ));
    }
    let budget_micros = epsilon(
        "privacy.noise.budget_per_window",
        raw.budget_per_window,
        defaults.budget_micros,
        errors,
    );
    if budget_micros < epsilon_micros {
        errors.push(ConfigError::new(
            "privacy.noise.budget_per_window",
            "the budget is smaller than one statistic's ε: every answer would be refused",
            "make it a multiple of `epsilon_per_statistic` (the default is 200 statistics per site a day)",
        ));
    }
    let window = match raw.window_hours {
        None => defaults.window,
        Some(0) => {
            errors.push(ConfigError::new(
                "privacy.noise.window_hours",
                "a window of 0 hours would renew the budget at every call",
                "use a number of hours such as 24 (the default)",
            ));
            defaults.window
        }
        Some(hours) => Duration::from_secs(hours.saturating_mul(3600)),
    };
    let given = env("MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE")
        .or(raw.budget_file)
        .map(PathBuf::from);
    // Without a path, the user's state directory: a first start needs nothing written down.
    // With `[shared_state]` the budget is in Redis and no file is used.
    let budget_file = match given {
        Some(file) => Some(file),
        None if !enabled || shared_budget => None,
        None => match default_state_dir(env) {
            Some(dir) => Some(dir.join(BUDGET_FILE_NAME)),
            None => {
                errors.push(ConfigError::new(
                    "privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)",
                    "noise is on (the default) and the privacy budget needs a file that survives restarts, but no state directory is known (neither XDG_STATE_HOME nor HOME is set)",
                    "set `budget_file` under `[privacy.noise]` to a writable path such as `/var/lib/matomo-privacy-mcp/privacy-budget.json`, or set HOME",
                ));
                None
            }
        },
    };
    let key = env("MATOMO_PRIVACY_MCP_NOISE_KEY_FILE")
        .or(raw.key_file)
        .and_then(|path| match std::fs::read(&path) {
            Ok(bytes) if without_trailing_newline(&bytes).len() >= MIN_NOISE_KEY_BYTES => {
                Some(without_trailing_newline(&bytes).to_vec())
            }
            Ok(bytes) => {
                errors.push(ConfigError::new(
                    "privacy.noise.key_file (MATOMO_PRIVACY_MCP_NOISE_KEY_FILE)",
                    format!(
                        "the key in `{path}` has {} bytes but needs at least {MIN_NOISE_KEY_BYTES}",
                        without_trailing_newline(&bytes).len()
                    ),
                    "create one with `head -c 32 /dev/urandom | base64 > noise.key`",
                ));
                None
            }
            Err(e) => {
                errors.push(ConfigError::new(
                    "privacy.noise.key_file (MATOMO_PRIVACY_MCP_NOISE_KEY_FILE)",
                    format!("cannot read `{path}`: {e}"),
                    "point it at a readable file of at least 32 random bytes",
                ));
                None
            }
        });
    let bound =
        |name: &str, value: Option<u32>, default: u32, errors: &mut Vec<ConfigError>| match value {
            Some(0) => {
                errors.push(ConfigError::new(
                    format!("{KEY}.{name}"),
                    "0 would leave every visit out",
                    format!("use at least 1; {default} is the default"),
                ));
                default
            }
            Some(value) => value,
            None => default,
        };
    let rules = [
        raw.visit_spacing_days.map(|_| "visit_spacing_days"),
        raw.visit_spacing_minutes.map(|_| "visit_spacing_minutes"),
        raw.visits_per_visitor.map(|_| "visits_per_visitor"),
    ];
    let set: Vec<&str> = rules.into_iter().flatten().collect();
    let counted = match (
        raw.visit_spacing_days,
        raw.visit_spacing_minutes,
        raw.visits_per_visitor,
    ) {
        _ if set.len() > 1 => {
            errors.push(ConfigError::new(
                format!("{KEY}.{}", set[set.len() - 1]),
                format!(
                    "{} are set, but only one rule can count a visitor's visits",
                    set.iter()
                        .map(|key| format!("`{key}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                "keep one: `visit_spacing_days` (loyal visitors stay counted, once a day by default), `visit_spacing_minutes` (every visit counted from 30, unbiased but noisier) or `visits_per_visitor` (only a visitor's first visits ever)",
            ));
            defaults.bounds.counted
        }
        (_, _, Some(visits)) => CountedVisits::First {
            visits: bound("visits_per_visitor", Some(visits), 2, errors),
        },
        (_, Some(minutes), None) => CountedVisits::Separated {
            minutes: bound("visit_spacing_minutes", Some(minutes), 30, errors),
        },
        (days, None, None) => CountedVisits::Spaced {
            days: bound("visit_spacing_days", days, 1, errors),
        },
    };
    let bounds = ContributionBounds {
        counted,
        actions_per_visit: bound(
            "actions_per_visit",
            raw.actions_per_visit,
            defaults.bounds.actions_per_visit,
            errors,
        ),
    };
    NoiseSettings {
        enabled,
        epsilon_micros,
        budget_micros,
        window,
        budget_file,
        key,
        bounds,
    }
}
