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
            guarantee: guarantee(
                Chargeable::of(settings),
                micros(settings.epsilon_micros),
                settings.window.as_secs() / 3600,
            ),
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
/// Each statistic charged `εᵢ` gets discrete Gaussian noise of `σ = Δ₂/εᵢ`: it is `εᵢ²/2`-zCDP
/// (CKS20, Theorem 14). zCDP adds up, so a window's releases are `ρ = Σ εᵢ²/2`-zCDP, which is
/// `(ρ + 2√(ρ·ln(1/δ)), δ)`-DP for every `δ` (Bun and Steinke 2016, Proposition 1.3); a year
/// adds the windows' `ρ`. The window's `ρ` is bounded by [`window_rho`] over what the ledger
/// can charge ([`Chargeable::of`]), not by assuming every charge is `epsilon_per_statistic`.
fn guarantee(chargeable: Chargeable, epsilon: f64, window_hours: u64) -> String {
    let window_hours = window_hours.max(1);
    let windows_per_year = (365u64 * 24).div_ceil(window_hours);
    let rho = chargeable.largest * chargeable.largest / 2.0;
    let window_rho = window_rho(chargeable);
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
        chargeable.budget,
        round3(window_rho),
        round3(dp(window_rho)),
        round3(year_rho),
        dp(year_rho).round(),
    )
}

/// What the ledger can charge one account in one window: the ε of its largest single charge and
/// the window's budget, both in ε.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Chargeable {
    /// The largest ε one statistic can be charged.
    largest: f64,
    /// The most ε the window's charges can add up to.
    budget: f64,
}

impl Chargeable {
    /// Every statistic is charged `epsilon_per_statistic` (`pay_ids` and `all_or_none` charge
    /// each statistic `setup.dp.epsilon_micros()`, the same setting). A tool that charges one
    /// statistic more must raise `largest` here: [`window_rho`] then stays an upper bound.
    fn of(settings: &NoiseSettings) -> Self {
        Self {
            largest: settings.epsilon_micros as f64 / 1e6,
            budget: settings.budget_micros as f64 / 1e6,
        }
    }
}

/// The most `ρ = Σ εᵢ²/2` a window's charges can reach when each `εᵢ ≤ largest` and
/// `Σ εᵢ ≤ budget`.
///
/// Proof: `Σ εᵢ²` is convex in `(ε₁, …, εₙ)`, so its maximum over the polytope
/// `{0 ≤ εᵢ ≤ largest, Σ εᵢ ≤ budget}` is reached at a vertex. At a vertex at most one `εᵢ` is
/// strictly between `0` and `largest` (two such would leave a segment through the point inside
/// the polytope, moving one up and the other down), so it is `n = ⌊budget/largest⌋` charges of
/// `largest` and one of the remainder `r = budget − n·largest`: `Σ εᵢ² ≤ n·largest² + r²`.
/// That is at most `largest·budget` (as `r² ≤ r·largest`), the bound when every charge is
/// `largest`; with charges of different sizes it is not `ε·budget` for the usual `ε`.
fn window_rho(chargeable: Chargeable) -> f64 {
    let Chargeable { largest, budget } = chargeable;
    if largest <= 0.0 || budget <= 0.0 {
        return 0.0;
    }
    let full = (budget / largest).floor();
    let rest = (budget - full * largest).max(0.0);
    (full * largest * largest + rest * rest) / 2.0
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
        // A profile's own budget may be larger than the top-level one: the guarantee is stated
        // for the largest window any token can spend.
        let dp = &mut self.manifest.differential_privacy;
        let largest_budget = self
            .manifest
            .profiles
            .iter()
            .filter_map(|profile| profile.budget_per_window)
            .fold(dp.budget_per_window, f64::max);
        if largest_budget > dp.budget_per_window {
            dp.guarantee = guarantee(
                Chargeable {
                    largest: dp.epsilon_per_statistic,
                    budget: largest_budget,
                },
                dp.epsilon_per_statistic,
                dp.window_hours,
            );
        }
        if self.manifest.shared_state.is_some() {
            // The budget is in the shared state; a budget file, if configured, is not used.
            self.manifest.differential_privacy.budget_file = None;
        }
        self.manifest.record_of_processing = record::record_of_processing(&self.manifest);
        self.manifest
    }
}

#[cfg(test)]
mod tests {
    use super::{Chargeable, ManifestProfile, PrivacyManifest, window_rho};
    use crate::config::NoiseSettings;
    use matomo_privacy_mcp_core::privacy::PrivacyClass;

    /// A profile with a budget of its own larger than the top-level one: the manifest states the
    /// guarantee of the largest window a token can spend. Mutation-checked: stated for the
    /// top-level budget, the profile's tokens would get twice the loss the manifest says.
    #[test]
    fn the_guarantee_holds_for_the_largest_budget_of_any_profile() {
        let mut settings = NoiseSettings::default();
        settings.enabled = true;
        let profile = |budget: Option<f64>| ManifestProfile {
            name: "analysts".to_owned(),
            authentication: Vec::new(),
            token_check: String::new(),
            allowed_sites: None,
            ceiling: PrivacyClass::Aggregate,
            threshold_k: 5,
            tools: Vec::new(),
            rate_limit: None,
            budget_per_window: budget,
        };
        let manifest = |budget: Option<f64>| {
            PrivacyManifest::from_descriptors([], PrivacyClass::Aggregate)
                .noise(&settings)
                .profile(profile(budget))
                .build()
                .differential_privacy
                .guarantee
        };
        let own = manifest(None);
        assert!(
            own.contains("(at most ε = 150 charged) are at most ρ = 37.5-zCDP"),
            "{own}"
        );
        assert_eq!(manifest(Some(100.0)), own);
        let larger = manifest(Some(300.0));
        assert!(
            larger.contains("(at most ε = 300 charged) are at most ρ = 75-zCDP"),
            "{larger}"
        );
    }

    /// Brute force over every way of charging a window in steps of `step`: the largest `Σ εᵢ²/2`.
    fn most_rho(largest: f64, budget: f64, step: f64) -> f64 {
        let sizes: Vec<f64> = (1..)
            .map(|i| i as f64 * step)
            .take_while(|size| *size <= largest + 1e-12)
            .collect();
        let cells = (budget / step).round() as usize;
        // best[c]: the most Σ εᵢ² with Σ εᵢ = c·step.
        let mut best = vec![0.0f64; cells + 1];
        for c in 1..=cells {
            for (i, size) in sizes.iter().enumerate() {
                if i < c {
                    best[c] = best[c].max(best[c - i - 1] + size * size);
                }
            }
        }
        best.iter().copied().fold(0.0, f64::max) / 2.0
    }

    #[test]
    fn a_window_of_equal_charges_is_epsilon_times_budget_over_two() {
        let rho = window_rho(Chargeable {
            largest: 0.5,
            budget: 150.0,
        });
        assert!((rho - 0.5 * 150.0 / 2.0).abs() < 1e-9, "{rho}");
    }

    #[test]
    fn a_window_with_larger_charges_accounts_their_squares() {
        // A per-metric ε of 2 beside 0.5: 75 charges of 2 in a budget of 150 are ρ = 150, not
        // the 37.5 that assuming every charge is 0.5 would state.
        let rho = window_rho(Chargeable {
            largest: 2.0,
            budget: 150.0,
        });
        assert!((rho - 150.0).abs() < 1e-9, "{rho}");
        assert!(rho > 0.5 * 150.0 / 2.0);
    }

    #[test]
    fn the_bound_is_the_most_any_charges_reach() {
        for (largest, budget) in [(0.5, 3.0), (1.0, 2.5), (0.75, 2.0), (2.0, 1.5), (1.25, 5.0)] {
            let bound = window_rho(Chargeable { largest, budget });
            let reached = most_rho(largest, budget, 0.25);
            assert!(
                (bound - reached).abs() < 1e-9,
                "largest {largest}, budget {budget}: bound {bound}, reached {reached}"
            );
        }
    }

    #[test]
    fn nothing_charged_is_no_loss() {
        assert_eq!(
            window_rho(Chargeable {
                largest: 0.0,
                budget: 10.0
            }),
            0.0
        );
        assert_eq!(
            window_rho(Chargeable {
                largest: 1.0,
                budget: 0.0
            }),
            0.0
        );
    }
}
