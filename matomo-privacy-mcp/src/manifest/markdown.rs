//! The Markdown rendering of a manifest: an annex for records of processing and a DPIA.

use std::fmt::Write;

use super::PrivacyManifest;

/// Renders the manifest as Markdown.
pub(super) fn render(m: &PrivacyManifest) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Privacy manifest: {} {}", m.software, m.version);
    let _ = writeln!(
        out,
        "\nGenerated {} from the registered tools and the configuration.\n",
        m.generated_at
    );
    let _ = writeln!(out, "## Deployment\n");
    let _ = writeln!(out, "| setting | value |\n|---|---|");
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
    super::profiles::render(&m.profiles, &mut out);
    let _ = writeln!(out, "\n## Tools\n");
    for tool in &m.tools {
        let state = if tool.available {
            "available"
        } else {
            "registered but above the ceiling: not served"
        };
        let _ = writeln!(out, "### `{}` ({}, {})\n", tool.name, tool.class, state);
        // The whole description, as the model reads it: its later paragraphs say what is
        // withheld and why, which is what a DPIA reader needs.
        let _ = writeln!(out, "{}\n", tool.description.trim());
        let _ = writeln!(out, "| field | class | transform |\n|---|---|---|");
        for field in &tool.fields {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                field.path,
                field.class,
                field.transform.unwrap_or("none")
            );
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
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## For the operator to answer\n");
    let _ = writeln!(
        out,
        "The software cannot decide these; answer each before enabling the server.\n"
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
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
