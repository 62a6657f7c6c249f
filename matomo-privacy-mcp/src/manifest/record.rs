//! The record of processing (Art. 30 GDPR) as far as the software knows it: the items a
//! data-protection officer fills in, with what the deployment itself says about each.

use serde::Serialize;

use super::PrivacyManifest;

/// One item of the record of processing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordItem {
    /// What the item is.
    pub item: &'static str,
    /// The operator's answer; `None` in a generated manifest.
    pub answer: Option<String>,
    /// What the software knows about it from the configuration, if anything.
    pub known: Option<String>,
}

fn blank(item: &'static str) -> RecordItem {
    RecordItem {
        item,
        answer: None,
        known: None,
    }
}

fn with_known(item: &'static str, known: String) -> RecordItem {
    RecordItem {
        item,
        answer: None,
        known: Some(known),
    }
}

/// The items, in the order a record of processing lists them.
pub(super) fn record_of_processing(m: &PrivacyManifest) -> Vec<RecordItem> {
    let budget = match (&m.shared_state, &m.differential_privacy.budget_file) {
        (Some(_), _) => "kept in the shared state (Redis)".to_owned(),
        (None, Some(file)) => format!("kept in `{file}`"),
        (None, None) => "not kept across restarts".to_owned(),
    };
    vec![
        blank("Controller (name and address)"),
        blank("Contact (data-protection officer)"),
        blank("Purposes of this processing"),
        blank("Legal basis (consent or legitimate interest; compatibility, Art. 6(4))"),
        blank("Categories of data subjects (visitors of the sites below)"),
        with_known(
            "Sites read, by name",
            match (&m.token_check, m.sites.is_empty()) {
                (_, false) => m
                    .sites
                    .iter()
                    .map(super::ManifestSite::describe)
                    .collect::<Vec<_>>()
                    .join("; "),
                (Some(check), true) => {
                    format!("names not looked up; the token check says: {check}")
                }
                (None, true) => "the sites the Matomo token can view".to_owned(),
            },
        ),
        blank("Recipients (AI provider; processor or independent controller; DPA)"),
        blank("Transfers outside the EEA and their safeguards"),
        blank("Retention at the AI provider (prompts and tool results)"),
        with_known(
            "Retention of the audit log",
            format!(
                "written to {} (one line per call: tool, sites, period, outcome; no argument values or results)",
                m.audit_log.as_deref().unwrap_or("nowhere (not configured)")
            ),
        ),
        with_known(
            "Retention of the privacy budget file",
            format!("{budget} (ε spent per token and site, no visitor data)"),
        ),
        with_known(
            "Retention of caches",
            "Matomo's answers are cached by the report cache in the process's memory (or in the shared \
             state when configured), never on disk; they hold the same scrubbed, thresholded data as the answers"
                .to_owned(),
        ),
    ]
}
