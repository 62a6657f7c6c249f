//! The privacy manifest: what the deployment exposes, generated from the code and the configuration.
//!
//! It lists every tool with its fields, their classes and the transform applied,
//! the threshold, the scrubbing and segment rules, the token check, the key
//! fingerprint and the audit-log location, plus the items of Matomo's guidance
//! that only the operator can answer, left blank. Render it as JSON for tooling
//! or as Markdown for the records of processing and the DPIA.

mod markdown;
mod operator_items;
mod profiles;
mod record;
mod shared_state;
mod sites;

use serde::Serialize;

pub use operator_items::{OperatorItem, operator_items};
pub use profiles::ManifestProfile;
pub use record::RecordItem;
pub use shared_state::ManifestSharedState;
pub use sites::{ManifestSite, name_sites, unnamed_because};

use crate::config::NoiseSettings;
use matomo_privacy_mcp_core::audit::now_rfc3339;
use matomo_privacy_mcp_core::minimise::Threshold;
use matomo_privacy_mcp_core::privacy::{FieldClass, PrivacyClass};
use matomo_privacy_mcp_core::{ToolDescriptor, Toolbox};

/// One tool in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ManifestTool {
    /// The tool's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The highest class it may return.
    pub class: PrivacyClass,
    /// Whether the deployment serves it (its class is within the ceiling).
    pub available: bool,
    /// Its output fields.
    pub fields: Vec<ManifestField>,
    /// The escape-hatch uses it declares: values it hands on below their class, and why.
    pub declassifications: Vec<ManifestDeclassification>,
}

/// One declared use of the escape hatch, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestDeclassification {
    /// The declaration's name (`declassify(name = "…")`).
    pub name: &'static str,
    /// The reason given.
    pub reason: &'static str,
}

/// One output field in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestField {
    /// JSON path of the field.
    pub path: String,
    /// Its class.
    pub class: PrivacyClass,
    /// The transform that produced it, if any.
    pub transform: Option<&'static str>,
}

impl From<&FieldClass> for ManifestField {
    fn from(field: &FieldClass) -> Self {
        Self {
            path: field.path.clone(),
            class: field.class,
            transform: field.transform,
        }
    }
}

/// What a deployment exposes to AI clients, for the operator's records.
///
/// ```
/// use matomo_privacy_mcp::manifest::PrivacyManifest;
/// use matomo_privacy_mcp_core::Toolbox;
///
/// let manifest = PrivacyManifest::builder(&Toolbox::new()).enabled(false).build();
/// let markdown = manifest.to_markdown();
/// assert!(markdown.contains("| serving enabled | no |"));
/// assert!(markdown.contains("What is the legal basis"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrivacyManifest {
    /// The software that generated it.
    pub software: &'static str,
    /// Its version.
    pub version: &'static str,
    /// When it was generated (RFC 3339, UTC).
    pub generated_at: String,
    /// Whether serving is enabled in the configuration.
    pub enabled: bool,
    /// The deployment ceiling.
    pub ceiling: PrivacyClass,
    /// The small-count threshold.
    pub threshold_k: u64,
    /// Differential privacy: the noise on aggregate answers and the budget.
    pub differential_privacy: ManifestNoise,
    /// Query parameters kept in scrubbed URLs.
    pub allowed_query_params: Vec<String>,
    /// Names of operator-defined scrub patterns.
    pub custom_scrub_patterns: Vec<String>,
    /// How segments are restricted.
    pub segment_rule: String,
    /// The result of the Matomo token's privilege check.
    pub token_check: Option<String>,
    /// The sites read, with their names as Matomo gives them (empty when not looked up, as with
    /// `--offline`).
    pub sites: Vec<ManifestSite>,
    /// The fingerprint of the pseudonym key, if one is configured.
    pub pseudonym_key_fingerprint: Option<String>,
    /// Where the audit log goes.
    pub audit_log: Option<String>,
    /// The state replicas share (`[shared_state]`); `None`: each process keeps its own.
    pub shared_state: Option<ManifestSharedState>,
    /// The client profiles, each with what it exposes (empty for a server without profiles).
    pub profiles: Vec<ManifestProfile>,
    /// The record of processing: what the operator fills in, with what the deployment says.
    pub record_of_processing: Vec<RecordItem>,
    /// Every registered tool.
    pub tools: Vec<ManifestTool>,
    /// The questions only the operator can answer, unanswered.
    pub operator_items: Vec<OperatorItem>,
}

impl PrivacyManifest {
    /// Starts a manifest for the tools of `toolbox` and its ceiling.
    pub fn builder<S: Send + Sync + 'static>(toolbox: &Toolbox<S>) -> ManifestBuilder {
        Self::from_descriptors(toolbox.all_descriptors(), toolbox.ceiling())
    }

    /// Starts a manifest for tool definitions and a ceiling, without a toolbox.
    pub fn from_descriptors<'a>(
        descriptors: impl IntoIterator<Item = &'a ToolDescriptor>,
        ceiling: PrivacyClass,
    ) -> ManifestBuilder {
        let tools = descriptors
            .into_iter()
            .map(|d| ManifestTool {
                name: d.name().to_owned(),
                description: d.description().to_owned(),
                class: d.max_class(),
                available: d.max_class().is_within(ceiling),
                fields: d.fields().iter().map(ManifestField::from).collect(),
                declassifications: d
                    .declassifications()
                    .iter()
                    .map(|d| ManifestDeclassification {
                        name: d.name(),
                        reason: d.reason(),
                    })
                    .collect(),
            })
            .collect();
        ManifestBuilder {
            manifest: PrivacyManifest {
                software: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
                generated_at: now_rfc3339(),
                enabled: false,
                ceiling,
                threshold_k: Threshold::DEFAULT_K,
                differential_privacy: ManifestNoise::from(&NoiseSettings::default()),
                allowed_query_params: Vec::new(),
                custom_scrub_patterns: Vec::new(),
                segment_rule: format!(
                    "segments may only use dimensions of class {ceiling} or lower, and never above the tool's own class"
                ),
                token_check: None,
                sites: Vec::new(),
                pseudonym_key_fingerprint: None,
                audit_log: None,
                shared_state: None,
                profiles: Vec::new(),
                record_of_processing: Vec::new(),
                tools,
                operator_items: operator_items(),
            },
        }
    }

    /// The manifest as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The manifest as Markdown.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}

/// What the manifest states about differential privacy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ManifestNoise {
    /// Whether aggregate answers carry noise.
    pub enabled: bool,
    /// The noise distribution and how it is drawn.
    pub mechanism: &'static str,
    /// The privacy loss of one released statistic (one metric of one report, site, period and
    /// segment over all its rows; released once, reused by every answer that needs it).
    pub epsilon_per_statistic: f64,
    /// The privacy loss one Matomo token may spend per site per window.
    pub budget_per_window: f64,
    /// What that means for one person: the most their data can shift what one token learns
    /// about one site in a day and in a year.
    pub guarantee: String,
    /// The budget's window, in hours (windows start at midnight UTC for whole days).
    pub window_hours: u64,
    /// Where the budget is kept across restarts; `None` with a shared state, which keeps it.
    pub budget_file: Option<String>,
    /// Whether the noise key comes from a file (else a random key per start).
    pub key_file: bool,
    /// Which of a visitor's visits are counted, in words.
    pub counted_visits: String,
    /// In reports with a row per action (pages, titles, events), only visits with up to this
    /// many actions are counted.
    pub actions_per_visit: u32,
    /// How the small-count threshold works with the noise.
    pub threshold_rule: &'static str,
}

impl From<&NoiseSettings> for ManifestNoise {
    fn from(settings: &NoiseSettings) -> Self {
        let micros = |m: u64| m as f64 / 1e6;
        Self {
            enabled: settings.enabled,
            mechanism: "discrete Gaussian of standard deviation Δ₂/ε (Δ₂: one visitor's contribution to the count over all its rows, in Euclidean length), sampled exactly (Canonne, Kamath, Steinke 2020) from HMAC-SHA256 of the key, the statistic and its data; each statistic (one count over a report's rows) released once, charged its ε, and reused by every answer that needs it; every number shown with its 95 % interval, and not shown when that interval is wider than the number",
            epsilon_per_statistic: micros(settings.epsilon_micros),
            budget_per_window: micros(settings.budget_micros),
            guarantee: guarantee(settings),
            window_hours: settings.window.as_secs() / 3600,
            budget_file: settings
                .budget_file
                .as_ref()
                .map(|path| path.display().to_string()),
            key_file: settings.has_key_file(),
            counted_visits: settings.bounds.describe(),
            actions_per_visit: settings.bounds.actions_per_visit,
            threshold_rule: "a number is shown when Matomo counts at least k distinct visitors behind it (exact) and its noisy visits are at least k",
        }
    }
}

/// The `δ` the manifest states its `(ε, δ)` guarantees at.
const STATED_DELTA: f64 = 1e-9;

/// The guarantee per person, in words: per statistic, per window and per year, per token and
/// site.
///
/// Each statistic charged ε gets discrete Gaussian noise of `σ = Δ₂/ε`: it is `ε²/2`-zCDP
/// (CKS20, Theorem 14). zCDP adds up, so releases charged `εᵢ ≤ ε` summing to the window's
/// budget `B` are `ρ = Σ εᵢ²/2 ≤ ε·B/2`-zCDP, which is `(ρ + 2√(ρ·ln(1/δ)), δ)`-DP for every
/// `δ` (Bun and Steinke 2016, Proposition 1.3); a year adds the windows' `ρ`.
fn guarantee(settings: &NoiseSettings) -> String {
    let micros = |m: u64| m as f64 / 1e6;
    let window_hours = (settings.window.as_secs() / 3600).max(1);
    let windows_per_year = (365u64 * 24).div_ceil(window_hours);
    let epsilon = micros(settings.epsilon_micros);
    let rho = epsilon * epsilon / 2.0;
    let window_rho = epsilon * micros(settings.budget_micros) / 2.0;
    let year_rho = window_rho * windows_per_year as f64;
    let log = (1.0 / STATED_DELTA).ln();
    let dp = |rho: f64| rho + 2.0 * (rho * log).sqrt();
    format!(
        "each statistic is ρ = {}-zero-concentrated differentially private (zCDP) for one visitor within the counted visits \
         (ε = {} per statistic, ρ = ε²/2); all answers one Matomo token gets about one site in one {window_hours}-hour window \
         together (at most ε = {} charged) are at most ρ = {}-zCDP, that is (ε = {}, δ = 10⁻⁹)-differentially private, and over a \
         year ρ = {}, (ε = {}, δ = 10⁻⁹) (zCDP composition; sites are separate data and compose in parallel). \
         A daily total of this size is a weak formal bound: what protects a person in an analyst's normal day is that \
         each statistic is released once (asking again, by any tool, reveals nothing new), that every answer is about \
         at least k distinct visitors, and that telling one person apart takes many distinct questions about the same \
         few numbers, each of which spends the budget",
        round3(rho),
        epsilon,
        micros(settings.budget_micros),
        round3(window_rho),
        round3(dp(window_rho)),
        round3(year_rho),
        dp(year_rho).round(),
    )
}

/// A guarantee's number as people write it: three significant decimals at most.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Fills in what the toolbox does not know.
#[derive(Clone, Debug)]
pub struct ManifestBuilder {
    manifest: PrivacyManifest,
}

impl ManifestBuilder {
    /// Whether serving is enabled.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.manifest.enabled = enabled;
        self
    }

    /// The small-count threshold in use.
    pub fn threshold(mut self, threshold: Threshold) -> Self {
        self.manifest.threshold_k = threshold.k();
        self
    }

    /// The differential-privacy settings in use (`[privacy.noise]`).
    pub fn noise(mut self, settings: &NoiseSettings) -> Self {
        self.manifest.differential_privacy = ManifestNoise::from(settings);
        self
    }

    /// The scrubbing settings: kept query parameters and custom pattern names.
    pub fn scrubbing(
        mut self,
        allowed_query_params: Vec<String>,
        custom_patterns: Vec<String>,
    ) -> Self {
        self.manifest.allowed_query_params = allowed_query_params;
        self.manifest.custom_scrub_patterns = custom_patterns;
        self
    }

    /// The result of the token check, in words.
    pub fn token_check(mut self, summary: impl Into<String>) -> Self {
        self.manifest.token_check = Some(summary.into());
        self
    }

    /// The sites read, named (each site once, whichever profile reads it).
    pub fn sites(mut self, sites: impl IntoIterator<Item = ManifestSite>) -> Self {
        for site in sites {
            match self.manifest.sites.iter_mut().find(|s| s.id == site.id) {
                // A name one profile's token could read beats another's failure.
                Some(known) if known.name.is_none() && site.name.is_some() => *known = site,
                Some(_) => {}
                None => self.manifest.sites.push(site),
            }
        }
        self.manifest.sites.sort_by_key(|s| s.id);
        self
    }

    /// The pseudonym key's fingerprint (never the key).
    pub fn pseudonym_key_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.manifest.pseudonym_key_fingerprint = Some(fingerprint.into());
        self
    }

    /// Where the audit log goes.
    pub fn audit_log(mut self, location: impl Into<String>) -> Self {
        self.manifest.audit_log = Some(location.into());
        self
    }

    /// The state replicas share, which then keeps the privacy budget too.
    pub fn shared_state(mut self, shared: ManifestSharedState) -> Self {
        self.manifest.shared_state = Some(shared);
        self
    }

    /// Adds a client profile.
    pub fn profile(mut self, profile: ManifestProfile) -> Self {
        self.manifest.profiles.push(profile);
        self
    }

    /// The manifest.
    pub fn build(mut self) -> PrivacyManifest {
        if self.manifest.shared_state.is_some() {
            // The budget is in the shared state; a budget file, if configured, is not used.
            self.manifest.differential_privacy.budget_file = None;
        }
        self.manifest.record_of_processing = record::record_of_processing(&self.manifest);
        self.manifest
    }
}
