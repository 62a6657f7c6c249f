//! The configuration file as written: every key optional, unknown keys refused.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub enabled: Option<bool>,
    pub ceiling: Option<String>,
    #[serde(default)]
    pub matomo: RawMatomo,
    #[serde(default)]
    pub privacy: RawPrivacy,
    #[serde(default)]
    pub tools: RawTools,
    #[serde(default)]
    pub audit: RawAudit,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub cache: RawCache,
    #[serde(default)]
    pub rate_limit: RawRateLimit,
    #[serde(default)]
    pub profiles: Vec<RawProfile>,
    #[serde(default)]
    pub oauth: RawOAuth,
    pub shared_state: Option<RawSharedState>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCache {
    pub enabled: Option<bool>,
    pub max_entries: Option<usize>,
    pub max_bytes: Option<usize>,
    pub today_ttl_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatomo {
    pub url: Option<String>,
    pub token: Option<String>,
    pub token_file: Option<String>,
    pub allowed_sites: Option<Vec<u32>>,
    pub allow_privileged_token: Option<bool>,
    pub allow_insecure_http: Option<bool>,
    pub timeout_seconds: Option<u64>,
    pub max_concurrent_requests: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrivacy {
    pub threshold_k: Option<u64>,
    pub pseudonym_key_file: Option<String>,
    pub allowed_query_params: Option<Vec<String>>,
    pub scrub_patterns: Option<Vec<RawPattern>>,
    #[serde(default)]
    pub noise: RawNoise,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPattern {
    pub name: String,
    pub regex: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTools {
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    pub log: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttp {
    pub bind: Option<String>,
    pub bearer_tokens: Option<Vec<String>>,
    pub bearer_tokens_file: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub allowed_hosts: Option<Vec<String>>,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub max_concurrent_calls: Option<usize>,
    pub read_timeout_seconds: Option<u64>,
    pub max_sessions: Option<usize>,
    pub session_idle_timeout_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNoise {
    pub enabled: Option<bool>,
    pub epsilon_per_statistic: Option<f64>,
    pub budget_per_window: Option<f64>,
    pub window_hours: Option<u64>,
    pub budget_file: Option<String>,
    pub key_file: Option<String>,
    pub visit_spacing_days: Option<u32>,
    pub visit_spacing_minutes: Option<u32>,
    pub visits_per_visitor: Option<u32>,
    pub actions_per_visit: Option<u32>,
}

/// `[oauth]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOAuth {
    pub issuer: Option<String>,
    pub jwks_uri: Option<String>,
    pub leeway_seconds: Option<u64>,
    pub allow_insecure_http: Option<bool>,
}

/// `[shared_state]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSharedState {
    pub url: Option<String>,
    pub password_file: Option<String>,
    pub prefix: Option<String>,
    pub timeout_ms: Option<u64>,
    pub allow_without_password: Option<bool>,
    pub ca_file: Option<String>,
}

/// One `[[profiles]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub name: Option<String>,
    pub matomo_token_file: Option<String>,
    pub bearer_token_file: Option<String>,
    pub oauth_scope: Option<String>,
    pub oauth_client_id: Option<String>,
    pub oauth_subject: Option<String>,
    pub allowed_sites: Option<Vec<u32>>,
    pub allowed_tools: Option<Vec<String>>,
    pub ceiling: Option<String>,
    pub threshold_k: Option<u64>,
    pub rate_limit_per_minute: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub budget_per_window: Option<f64>,
}

/// `[rate_limit]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRateLimit {
    pub per_minute: Option<u32>,
    pub burst: Option<u32>,
}
