//! Client profiles (`[[profiles]]`): who a client is, which Matomo token, sites, tools, ceiling,
//! threshold, rate limit and privacy budget it gets. Without profiles, the top-level settings
//! make one profile, `default`, as simple as before.

use std::path::PathBuf;

use matomo_privacy_mcp_core::minimise::Threshold;
use matomo_privacy_mcp_core::privacy::PrivacyClass;

use super::error::ConfigError;
use super::raw::{RawProfile, RawRateLimit};
use super::secret::Secret;

/// One client profile, with every setting it inherits from the top level filled in.
#[derive(Debug)]
pub struct ProfileSettings {
    /// Whether it is one of the operator's `[[profiles]]` (`false` for `default`, made of the
    /// top-level settings): its keys are then `profiles.<name>.…`, and its privacy budget has an
    /// account of its own.
    pub named: bool,
    /// The operator's name for it (`profiles.name`; `default` for the top-level profile), shown
    /// in the audit log and the manifest.
    pub name: String,
    /// Its Matomo token (`profiles.matomo_token_file`; `matomo.token` / `matomo.token_file` for
    /// `default`).
    pub matomo_token: Secret,
    /// The file the token came from, watched for rotation; `None` for an inline token.
    pub matomo_token_file: Option<PathBuf>,
    /// Bearer tokens given inline (`http.bearer_tokens`, `default` only).
    pub bearer_tokens: Vec<Secret>,
    /// The file of its bearer tokens, re-read when it changes (`profiles.bearer_token_file`;
    /// `http.bearer_tokens_file` for `default`).
    pub bearer_token_file: Option<PathBuf>,
    /// OAuth access tokens it accepts, by scope, client id or subject.
    pub oauth: Vec<OAuthRule>,
    /// Sites it may read (`profiles.allowed_sites`, else `matomo.allowed_sites`).
    pub allowed_sites: Option<Vec<u32>>,
    /// Tools it may call (`profiles.allowed_tools`, else `tools.allowed`).
    pub allowed_tools: Option<Vec<String>>,
    /// Its ceiling (`profiles.ceiling`, else `ceiling`).
    pub ceiling: PrivacyClass,
    /// Its threshold (`profiles.threshold_k`, else `privacy.threshold_k`).
    pub threshold: Threshold,
    /// Its rate limit (`profiles.rate_limit_per_minute` / `_burst`, else `[rate_limit]`).
    pub rate_limit: Option<RateLimitSettings>,
    /// Its privacy budget per window in millionths of ε (`profiles.budget_per_window`, else
    /// `privacy.noise.budget_per_window`).
    pub budget_micros: u64,
}

impl ProfileSettings {
    /// The configuration key of the profile's setting: `profiles.<name>.<profile_key>` for a named
    /// profile, `top_level_key` for `default`, so that every message names what the operator edits.
    pub fn config_key(&self, profile_key: &str, top_level_key: &str) -> String {
        if self.named {
            format!("profiles.{}.{profile_key}", self.name)
        } else {
            top_level_key.to_owned()
        }
    }
}

/// A Matomo token from its file: the file's text without surrounding white space, or why it
/// cannot be one (never the file's content).
pub fn token_from_file(path: &std::path::Path) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read token file `{}`: {e}", path.display()))?;
    let value = text.trim();
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the token is empty or contains spaces or control characters".to_owned());
    }
    Ok(Secret::new(value))
}

/// Which OAuth access tokens a profile accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthRule {
    /// Tokens with this scope (`profiles.oauth_scope`).
    Scope(String),
    /// Tokens issued to this client (`profiles.oauth_client_id`).
    ClientId(String),
    /// Tokens of this subject (`profiles.oauth_subject`).
    Subject(String),
}

/// Calls per minute and burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Calls per minute on average.
    pub per_minute: u32,
    /// Calls at once.
    pub burst: u32,
}

/// What a profile inherits when it does not say.
pub(super) struct Inherited<'a> {
    pub ceiling: PrivacyClass,
    pub allowed_sites: Option<&'a [u32]>,
    pub allowed_tools: Option<&'a [String]>,
    pub threshold: Threshold,
    pub rate_limit: Option<RateLimitSettings>,
    pub budget_micros: u64,
    pub has_pseudonym_key: bool,
}

/// `[rate_limit]`: the default of every profile.
pub(super) fn rate_limit(
    raw: RawRateLimit,
    errors: &mut Vec<ConfigError>,
) -> Option<RateLimitSettings> {
    limit_from(
        raw.per_minute,
        raw.burst,
        "rate_limit.per_minute",
        "rate_limit.burst",
        errors,
    )
}

fn limit_from(
    per_minute: Option<u32>,
    burst: Option<u32>,
    per_minute_key: &str,
    burst_key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<RateLimitSettings> {
    match (per_minute, burst) {
        (None, None) => None,
        (None, Some(_)) => {
            errors.push(ConfigError::new(
                burst_key,
                "a burst without calls per minute",
                format!("set `{per_minute_key}` too"),
            ));
            None
        }
        (Some(0), _) | (_, Some(0)) => {
            errors.push(ConfigError::new(
                per_minute_key,
                "0 would refuse every call",
                "use at least 1 (for example 60 calls per minute, bursts of 10)",
            ));
            None
        }
        (Some(per_minute), burst) => Some(RateLimitSettings {
            per_minute,
            burst: burst.unwrap_or(per_minute.min(60)),
        }),
    }
}

/// Every `[[profiles]]` entry, checked and with its inherited settings.
pub(super) fn profiles(
    raw: Vec<RawProfile>,
    inherited: &Inherited<'_>,
    errors: &mut Vec<ConfigError>,
) -> Vec<ProfileSettings> {
    let mut checked: Vec<ProfileSettings> = Vec::with_capacity(raw.len());
    for (index, raw) in raw.into_iter().enumerate() {
        let label = match &raw.name {
            Some(name) => format!("profiles.{name}"),
            None => format!("profiles[{}]", index + 1),
        };
        let key = |k: &str| format!("{label}.{k}");
        let name = match raw.name {
            Some(name) if is_profile_name(&name) => name,
            Some(name) => {
                errors.push(ConfigError::new(
                    key("name"),
                    format!("`{name}` is not a profile name"),
                    "use 1 to 64 letters, digits, `-` or `_`",
                ));
                continue;
            }
            None => {
                errors.push(ConfigError::new(
                    key("name"),
                    "the profile has no name",
                    "give each profile a `name`; the audit log and the manifest show it",
                ));
                continue;
            }
        };
        if checked.iter().any(|p| p.name == name) {
            errors.push(ConfigError::new(
                key("name"),
                format!("two profiles are named `{name}`"),
                "give each profile its own name",
            ));
            continue;
        }
        let Some(token_file) = raw.matomo_token_file else {
            errors.push(ConfigError::new(
                key("matomo_token_file"),
                "the profile has no Matomo token",
                "create a view-only token in Matomo for this use only (Personal > Security > Auth tokens) and point `matomo_token_file` at a file holding it",
            ));
            continue;
        };
        let Some(matomo_token) = read_token(&key("matomo_token_file"), &token_file, errors) else {
            continue;
        };
        let ceiling = match raw.ceiling {
            None => inherited.ceiling,
            Some(text) => {
                let fix = "use `aggregate`, `pseudonymous` or `identifying`";
                let Some(class) = super::parse_ceiling(&key("ceiling"), &text, fix, errors) else {
                    continue;
                };
                class
            }
        };
        if ceiling > PrivacyClass::Aggregate && !inherited.has_pseudonym_key {
            errors.push(ConfigError::new(
                key("ceiling"),
                format!("the ceiling is {ceiling}, and tools above aggregate need a pseudonym key"),
                "set `privacy.pseudonym_key_file`, or lower the profile's ceiling",
            ));
        }
        let threshold = match raw.threshold_k.map(Threshold::new) {
            None => inherited.threshold,
            Some(Ok(threshold)) => threshold,
            Some(Err(_)) => {
                errors.push(ConfigError::new(
                    key("threshold_k"),
                    "0 would show rows of no visitors",
                    "use at least 1; 5 is the default",
                ));
                continue;
            }
        };
        if raw
            .allowed_sites
            .as_ref()
            .is_some_and(|sites| sites.is_empty() || sites.contains(&0))
        {
            errors.push(ConfigError::new(
                key("allowed_sites"),
                "the list is empty or holds 0",
                "list the positive site ids this profile may read, or remove the key",
            ));
        }
        let budget_micros = match raw.budget_per_window {
            None => inherited.budget_micros,
            Some(epsilon) if epsilon.is_finite() && epsilon > 0.0 && epsilon <= 1e6 => {
                // In range: the product fits a u64.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let micros = (epsilon * 1e6).round() as u64;
                micros
            }
            Some(_) => {
                errors.push(ConfigError::new(
                    key("budget_per_window"),
                    "not a positive ε",
                    "use a number such as 10.0 (privacy.noise.budget_per_window is the default)",
                ));
                continue;
            }
        };
        let rate_limit = limit_from(
            raw.rate_limit_per_minute,
            raw.rate_limit_burst,
            &key("rate_limit_per_minute"),
            &key("rate_limit_burst"),
            errors,
        )
        .or(inherited.rate_limit);
        let oauth: Vec<OAuthRule> = [
            raw.oauth_scope.map(OAuthRule::Scope),
            raw.oauth_client_id.map(OAuthRule::ClientId),
            raw.oauth_subject.map(OAuthRule::Subject),
        ]
        .into_iter()
        .flatten()
        .collect();
        checked.push(ProfileSettings {
            named: true,
            name,
            matomo_token,
            matomo_token_file: Some(PathBuf::from(token_file)),
            bearer_tokens: Vec::new(),
            bearer_token_file: raw.bearer_token_file.map(PathBuf::from),
            oauth,
            allowed_sites: raw
                .allowed_sites
                .or_else(|| inherited.allowed_sites.map(<[u32]>::to_vec)),
            allowed_tools: raw
                .allowed_tools
                .or_else(|| inherited.allowed_tools.map(<[String]>::to_vec)),
            ceiling,
            threshold,
            rate_limit,
            budget_micros,
        });
    }
    checked
}

fn is_profile_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// [`token_from_file`] for the configuration: a mistake becomes an error naming `key`.
pub(super) fn read_token(key: &str, path: &str, errors: &mut Vec<ConfigError>) -> Option<Secret> {
    token_from_file(std::path::Path::new(path))
        .map_err(|problem| {
            errors.push(ConfigError::new(
                key,
                problem,
                "point it at a readable file holding only the token, copied exactly as Matomo shows it",
            ));
        })
        .ok()
}
