//! What the manifest says about each client profile: who it is, what it may see, how much.

use matomo_privacy_mcp_core::privacy::PrivacyClass;
use serde::Serialize;

use super::ManifestSite;
use crate::text::code_list;

/// One client profile in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ManifestProfile {
    /// The operator's name for it.
    pub name: String,
    /// How its clients authenticate (token files by path, OAuth rules), never a secret.
    pub authentication: Vec<String>,
    /// The result of its Matomo token's privilege check, or why there is none.
    pub token_check: String,
    /// The sites it may read, when restricted (`None`: every site its token can view).
    pub allowed_sites: Option<Vec<u32>>,
    /// Its ceiling.
    pub ceiling: PrivacyClass,
    /// Its small-count threshold.
    pub threshold_k: u64,
    /// The tools it is served (within its ceiling and `allowed_tools`).
    pub tools: Vec<String>,
    /// Its rate limit as calls per minute and burst, when it has one.
    pub rate_limit: Option<(u32, u32)>,
    /// Its privacy budget per window (ε), when noise is on.
    pub budget_per_window: Option<f64>,
}

/// The Markdown table of the profiles; a site is named when Matomo named it (`sites`).
pub(super) fn render(profiles: &[ManifestProfile], sites: &[ManifestSite], out: &mut String) {
    use std::fmt::Write;
    if profiles.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Client profiles\n");
    let _ = writeln!(
        out,
        "Each client gets the tools of the profile its credential belongs to, over that profile's own Matomo token.\n"
    );
    let _ = writeln!(
        out,
        "| profile | authenticates by | Matomo token check | sites | ceiling | k | tools | rate limit | budget per window |\n|---|---|---|---|---|---|---|---|---|"
    );
    for p in profiles {
        let cell = |text: &str| text.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            p.name,
            cell(&if p.authentication.is_empty() {
                "stdio only (no HTTP credential)".to_owned()
            } else {
                p.authentication.join("; ")
            }),
            cell(&p.token_check),
            p.allowed_sites.as_ref().map_or_else(
                || "every site its token can view".to_owned(),
                |ids| ids
                    .iter()
                    .map(|id| {
                        match sites
                            .iter()
                            .find(|s| s.id == *id)
                            .and_then(|s| s.name.as_ref())
                        {
                            Some(name) => format!("{id} “{}”", cell(name)),
                            None => id.to_string(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            p.ceiling,
            p.threshold_k,
            code_list(&p.tools),
            p.rate_limit.map_or_else(
                || "none".to_owned(),
                |(per_minute, burst)| format!("{per_minute}/min, bursts of {burst}")
            ),
            p.budget_per_window
                .map_or_else(|| "no noise".to_owned(), |e| format!("ε = {e}")),
        );
    }
}
