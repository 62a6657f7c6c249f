//! The row-by-row ranking diagnostic: how many of Matomo's top 10 rows of the month each ranked
//! answer shows, and for each row not shown, why (its counted visits against the least the rule
//! for numbers too uncertain lets through).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::matomo::{Matomo, counted_segment, fetch, normalise, rows_by_label};
use crate::questions::{Question, Truth};

/// Recall of Matomo's top 10 rows by visits (exact, caller's segment) of a ranked report over
/// the month, into `recall` by tool; in trial 0 also one line per row into `missing`
/// ([`why_not_shown`]). Other questions are left alone.
pub(crate) async fn top_ten(
    m: &mut Matomo,
    site: u32,
    trial: u32,
    question: &Question,
    out: &Value,
    recall: &mut BTreeMap<&'static str, (usize, usize)>,
    missing: &mut Vec<String>,
) {
    if let Truth::Report { method, flat } = &question.truth
        && question.args["period"] == "month"
        && question.args.get("segment").is_none()
        && [
            "top_pages",
            "countries",
            "referrer_websites",
            "referrer_types",
            "search_engines",
        ]
        .contains(&question.tool)
    {
        let exact = rows_by_label(
            &fetch(m, site, method, "month", "2026-11-01", None, &[], *flat).await,
            *flat,
        );
        let mut top: Vec<(&String, f64)> = exact
            .iter()
            .map(|(k, r)| (k, r.get("nb_visits").copied().unwrap_or(0.0)))
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<&String> = top.into_iter().take(10).map(|x| x.0).collect();
        let labels: HashSet<String> = out["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["label"].as_str().map(normalise))
            .collect();
        let found = top.iter().filter(|k| labels.contains(k.as_str())).count();
        let e = recall.entry(question.tool).or_default();
        e.0 += found;
        e.1 += top.len();
        if trial == 0 {
            let raw = fetch(m, site, method, "month", "2026-11-01", None, &[], *flat).await;
            let counted = rows_by_label(
                &fetch(
                    m,
                    site,
                    method,
                    "month",
                    "2026-11-01",
                    Some(&counted_segment(None, None, &out["noise"])),
                    &[],
                    *flat,
                )
                .await,
                *flat,
            );
            for (rank, label) in top.iter().enumerate() {
                missing.push(why_not_shown(
                    question.tool,
                    rank + 1,
                    label,
                    labels.contains(label.as_str()),
                    exact[*label].get("nb_visits").copied().unwrap_or(0.0),
                    counted
                        .get(*label)
                        .and_then(|r| r.get("nb_visits").copied())
                        .unwrap_or(0.0),
                    parts_of(&raw, *flat, label),
                    out,
                ));
            }
        }
    }
}

/// How many of Matomo's rows a normalised label sums (the server merges them into one).
fn parts_of(answer: &Value, flat: bool, label: &str) -> usize {
    answer
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| {
            let url = if flat { row["url"].as_str() } else { None };
            normalise(url.or_else(|| row["label"].as_str()).unwrap_or_default()) == label
        })
        .count()
}

/// Why one of Matomo's top rows is (not) in an answer, in numbers: the row's counted visits
/// against the least counted visits whose interval, completed as the answer completes its
/// rows, is no wider than the row's value with no noise drawn (the server's rule for rows too
/// uncertain to show). The half-width is the answer's (`noise.metrics`), the same for every row
/// of it, merged or not (`ContributionBounds::l2_squared`).
#[allow(clippy::too_many_arguments)]
fn why_not_shown(
    tool: &str,
    rank: usize,
    label: &str,
    shown: bool,
    matomo: f64,
    counted: f64,
    parts: usize,
    out: &Value,
) -> String {
    let noise = &out["noise"];
    let w = noise["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["name"] == "nb_visits")
        .and_then(|m| m["plus_minus"].as_f64())
        .unwrap_or(f64::NAN);
    let share = noise["counted_share"].as_f64().unwrap_or(1.0);
    let share_low = noise["counted_share_interval"][0]
        .as_f64()
        .or_else(|| noise["counted_share_interval"]["low"].as_f64())
        .unwrap_or(share);
    let (r, r_high) = (1.0 / share, 1.0 / share_low);
    // Width (c + w)·R_high − (c − w) ≤ c·R.
    let needs = w * (r_high + 1.0) / (1.0 + r - r_high);
    let why = if shown {
        "shown".to_owned()
    } else if counted < needs {
        format!(
            "too uncertain: the interval must hold the bias (R {r:.2}, R_high {r_high:.2}) and ± {w:.0}"
        )
    } else {
        "passes the interval rule at zero noise: noise drew it below, the selection floor, the threshold or the limit".to_owned()
    };
    format!(
        "| {tool} `{label}` | {rank} | {matomo:.0} | {counted:.0} | {parts} | {} | {w:.0} | {needs:.0} | {why} |",
        if shown { "yes" } else { "no" }
    )
}
