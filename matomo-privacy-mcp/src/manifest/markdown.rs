//! The Markdown rendering of a manifest: an annex for records of processing and a DPIA.

use std::fmt::Write;

use matomo_privacy_mcp_core::privacy::PrivacyClass;

use super::PrivacyManifest;
use crate::text::code_list;

/// Renders the manifest as Markdown.
pub(super) fn render(m: &PrivacyManifest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Privacy manifest: {} {}", m.software, m.version);
    let _ = writeln!(
        out,
        "\nGenerated {} from the registered tools and the configuration.\n",
        m.generated_at
    );
    summary(m, &mut out);
    let _ = writeln!(out, "## Technical and organisational measures\n");
    let _ = writeln!(
        out,
        "What the software enforces, from the configuration; the operator's own measures (access to the \
         host, who may hand out client tokens, training) belong beside it.\n"
    );
    let _ = writeln!(out, "| measure | in this deployment |\n|---|---|");
    let _ = writeln!(out, "| serving enabled | {} |", yes_no(m.enabled));
    let _ = writeln!(
        out,
        "| privacy ceiling | {} ({}) |",
        m.ceiling,
        m.ceiling.meaning()
    );
    let _ = writeln!(
        out,
        "| small-count threshold k | {} distinct visitors known behind every number shown (rows, cells, whole answers) and every visitor-log value |",
        m.threshold_k
    );
    let dp = &m.differential_privacy;
    if dp.enabled {
        let _ = writeln!(
            out,
            "| differential privacy | on: {}; ε = {} per statistic, at most ε = {} per Matomo token and site per {} h (budget kept in {}; noise key {}); counted: {}, and in reports with a row per action only visits of up to {} actions; {}; guarantee: {} |",
            dp.mechanism,
            dp.epsilon_per_statistic,
            dp.budget_per_window,
            dp.window_hours,
            match (&m.shared_state, &dp.budget_file) {
                (Some(_), _) => "the shared state",
                (None, Some(file)) => file.as_str(),
                (None, None) => "no file",
            },
            match (dp.key_file, &m.shared_state) {
                (true, _) => "from a file",
                (false, None) => "drawn once and kept beside the budget file",
                (false, Some(_)) => "random for each start of each replica",
            },
            dp.counted_visits,
            dp.actions_per_visit,
            dp.threshold_rule,
            dp.guarantee
        );
    } else {
        let _ = writeln!(
            out,
            "| differential privacy | off: answers carry exact numbers, and two answers whose populations differ by one person reveal that person's contribution |"
        );
    }
    let _ = writeln!(
        out,
        "| query parameters kept in URLs | {} |",
        list_or(&m.allowed_query_params, "none")
    );
    let _ = writeln!(
        out,
        "| custom scrub patterns | {} |",
        list_or(&m.custom_scrub_patterns, "none")
    );
    let _ = writeln!(out, "| segment rule | {} |", m.segment_rule);
    let _ = writeln!(
        out,
        "| Matomo token check | {} |",
        m.token_check.as_deref().unwrap_or("not performed")
    );
    let _ = writeln!(
        out,
        "| pseudonym key fingerprint | {} |",
        m.pseudonym_key_fingerprint
            .as_deref()
            .unwrap_or("no key configured")
    );
    let _ = writeln!(
        out,
        "| audit log | {} |",
        m.audit_log.as_deref().unwrap_or("not configured")
    );
    let _ = writeln!(out, "{}", super::shared_state::row(m.shared_state.as_ref()));
    super::profiles::render(&m.profiles, &m.sites, &mut out);
    noise_section(m, &mut out);
    dpia(m, &mut out);
    let _ = writeln!(out, "\n## Tools\n");
    let _ = writeln!(
        out,
        "Every registered tool. Each one's details are folded; unfolded, they list only the fields that \
         are not plain aggregates or that a transform changes (the others are counts and rates about at \
         least k visitors).\n"
    );
    for tool in &m.tools {
        let state = if tool.available {
            "served"
        } else {
            "registered but above the ceiling: not served"
        };
        let notable: Vec<_> = tool
            .fields
            .iter()
            .filter(|f| f.class != PrivacyClass::Aggregate || f.transform.is_some())
            .collect();
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code>: {}, {}; {} of {} fields not plain aggregates</summary>\n",
            tool.name,
            tool.class,
            state,
            notable.len(),
            tool.fields.len()
        );
        // The whole description, as the model reads it: its later paragraphs say what is
        // withheld and why, which is what a DPIA reader needs.
        let _ = writeln!(out, "{}\n", tool.description.trim());
        let noisy: Vec<String> = tool
            .fields
            .iter()
            .filter(|f| is_noisy_number(&f.path))
            .map(|f| format!("`{}`", f.path))
            .collect();
        if m.differential_privacy.enabled && !noisy.is_empty() {
            let _ = writeln!(
                out,
                "Changed by the noise (see the transforms above): {}.\n",
                noisy.join(", ")
            );
        }
        if !notable.is_empty() {
            let _ = writeln!(out, "| field | class | transform |\n|---|---|---|");
            for field in notable {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} |",
                    field.path,
                    field.class,
                    field.transform.unwrap_or("none")
                );
            }
        }
        if !tool.declassifications.is_empty() {
            let _ = writeln!(
                out,
                "\nDeclassified by the developer (values handed on below their class):\n\n| declassification | reason |\n|---|---|"
            );
            for d in &tool.declassifications {
                let _ = writeln!(out, "| `{}` | {} |", d.name, d.reason.replace('|', "\\|"));
            }
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    let _ = writeln!(out, "## Further questions for the operator\n");
    let _ = writeln!(
        out,
        "From Matomo's guidance; the software cannot decide these: answer each before enabling the server.\n"
    );
    let _ = writeln!(out, "| topic | question | answer |\n|---|---|---|");
    for item in &m.operator_items {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            item.topic,
            item.question,
            item.answer.as_deref().unwrap_or("_(to be completed)_")
        );
    }
    out
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn list_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        code_list(items)
    }
}

/// The first page: what leaves, to whom, under which safeguards, and the blanks of a record of
/// processing that only the operator can fill.
fn summary(m: &PrivacyManifest, out: &mut String) {
    let served: Vec<&str> = m
        .tools
        .iter()
        .filter(|t| t.available)
        .map(|t| t.name.as_str())
        .collect();
    let above_aggregate = m
        .tools
        .iter()
        .any(|t| t.available && t.class != PrivacyClass::Aggregate);
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "- **What leaves**: the answers of {} tool(s) (`{}` and the others below), each at most of class \
         {}: {}. Rows and numbers about fewer than {} distinct visitors are left out; page URLs lose query \
         strings and fragments; e-mail addresses, IP addresses, long numbers and the like are masked in \
         every label.{}",
        served.len(),
        served.first().copied().unwrap_or("none"),
        m.ceiling,
        m.ceiling.meaning(),
        m.threshold_k,
        if above_aggregate {
            " Visitor-level tools are served: see the DPIA section."
        } else {
            " No visitor-level data: no visit logs, visitor ids, user ids or IP addresses."
        }
    );
    let _ = writeln!(
        out,
        "- **To whom**: the AI client connected over MCP and the AI provider behind it (the recipients \
         below), through {}.",
        if m.profiles.is_empty() {
            "one client configuration".to_owned()
        } else {
            format!("{} client profile(s)", m.profiles.len())
        }
    );
    let _ = writeln!(
        out,
        "- **Safeguards**: the small-count threshold, scrubbing of labels, segments limited to aggregate \
         dimensions, {}, a view-only Matomo token (checked at start-up), {}.\n",
        if m.differential_privacy.enabled {
            "noise on every count with a daily privacy budget"
        } else {
            "no noise (differential privacy is off)"
        },
        if m.audit_log.is_some() {
            "an audit log of every call (no argument values, no results)"
        } else {
            "no audit log (configure `audit.log`)"
        }
    );
    let _ = writeln!(
        out,
        "### Record of processing: for the operator to fill in\n"
    );
    let _ = writeln!(out, "| item | answer |\n|---|---|");
    let blank = "_(to be completed)_";
    for row in &m.record_of_processing {
        let answer = row.answer.as_deref().unwrap_or(blank);
        match &row.known {
            Some(known) => {
                let _ = writeln!(out, "| {} | {answer}; {known} |", row.item);
            }
            None => {
                let _ = writeln!(out, "| {} | {answer} |", row.item);
            }
        }
    }
    let _ = writeln!(out);
}

/// Noise as a transform of the numbers it changes.
fn noise_section(m: &PrivacyManifest, out: &mut String) {
    let dp = &m.differential_privacy;
    let _ = writeln!(out, "\n## Transforms of the numbers\n");
    if !dp.enabled {
        let _ = writeln!(
            out,
            "No noise: counts are Matomo's own, after the threshold. Two answers whose populations differ by \
             one person reveal that person's contribution; turn `privacy.noise` on to prevent it."
        );
        return;
    }
    let changed: Vec<String> = m
        .tools
        .iter()
        .filter(|t| t.available)
        .flat_map(|t| t.fields.iter())
        .filter(|f| is_noisy_number(&f.path))
        .map(|f| format!("`{}`", f.path))
        .fold(Vec::new(), |mut seen, path| {
            if !seen.contains(&path) {
                seen.push(path);
            }
            seen
        });
    let _ = writeln!(
        out,
        "| transform | numbers it changes | parameters |\n|---|---|---|\n\
         | differential-privacy noise ({}) | every count of visits, visitors, actions and conversions, and the rates computed from them, in {} (each shown with its 95 % interval; a number whose interval is wider than itself is not shown) | ε = {} per statistic; at most ε = {} per Matomo token and site per {} h |\n\
         | counting bound | the same numbers: {}; in reports with a row per action only visits of up to {} actions | — |\n\
         | small-count threshold | every row and number: {} | k = {} |",
        dp.mechanism,
        if changed.is_empty() {
            "the tools' metrics".to_owned()
        } else {
            changed.join(", ")
        },
        dp.epsilon_per_statistic,
        dp.budget_per_window,
        dp.window_hours,
        dp.counted_visits,
        dp.actions_per_visit,
        dp.threshold_rule,
        m.threshold_k
    );
    let _ = writeln!(out, "\nWhat this guarantees: {}.", dp.guarantee);
}

/// The DPIA section: what a data-protection impact assessment needs from the software.
fn dpia(m: &PrivacyManifest, out: &mut String) {
    let visitor_level: Vec<&str> = m
        .tools
        .iter()
        .filter(|t| t.available && t.class != PrivacyClass::Aggregate)
        .map(|t| t.name.as_str())
        .collect();
    let _ = writeln!(out, "\n## Data-protection impact assessment\n");
    let _ = writeln!(
        out,
        "- **Personal data in the answers**: {}",
        if visitor_level.is_empty() {
            format!(
                "none by design: every tool served is of class aggregate (counts about at least {} visitors); \
                 labels are visitor text, scrubbed and shown only when at least {} visitors share them.",
                m.threshold_k, m.threshold_k
            )
        } else {
            format!(
                "visitor-level tools are served ({}): visits under keyed pseudonyms, coarsened times, scrubbed \
                 text, and values fewer than {} visitors share generalised. A DPIA (Art. 35 GDPR) is likely needed.",
                visitor_level.join(", "),
                m.threshold_k
            )
        }
    );
    let _ = writeln!(
        out,
        "- **Risks that remain**: re-identification by combining answers (differencing two segments or \
         periods) {}; visitor text that escapes the masking patterns; an AI provider that keeps or reuses \
         prompts and results; a model that misreads numbers (intervals and withheld rows are stated in each \
         answer and in the server's instructions).",
        if m.differential_privacy.enabled {
            "is bounded by the noise and its budget"
        } else {
            "is limited by the threshold only (noise is off)"
        }
    );
    let _ = writeln!(
        out,
        "- **Measures**: the technical measures above, the audit log for accountability, and the operator's \
         contracts and policies (the questions below).\n- **Is a DPIA required for this processing?** \
         _(operator: to be completed, with the supervisory authority's list)_"
    );
}

/// Whether a field holds a number the noise changes: a metric (or its interval) or a trend's value.
fn is_noisy_number(path: &str) -> bool {
    path.contains("{metric}") || path.ends_with("].value")
}
