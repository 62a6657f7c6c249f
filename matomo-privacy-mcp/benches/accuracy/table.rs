//! The scores and the printed tables: interval coverage, relative error, recall of Matomo's
//! top rows, questions per day's budget; and every shown number to `target/accuracy-shown.tsv`.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::cli::Opts;
use crate::questions::Question;
use crate::shown::Shown;

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!("{:.1} % ({n}/{of})", 100.0 * n as f64 / of as f64)
    }
}

fn holds(s: &Shown, truth: Option<f64>) -> Option<bool> {
    let (lo, hi) = s.interval?;
    let t = truth?;
    // Matomo's rates are rounded to a percent or a hundredth; allow that much.
    let slack = if s.metric.contains("rate") || s.metric.contains("per_visit") {
        0.005
    } else {
        1e-9
    };
    Some(lo - slack <= t && t <= hi + slack)
}

fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn report(
    o: &Opts,
    questions: &[Question],
    all: &[Shown],
    answered: usize,
    refused_budget: usize,
    epsilon: &[f64],
    withheld_rows: u64,
    uncertain_rows: u64,
    recall: &BTreeMap<&str, (usize, usize)>,
    (answered100, budget100, first_refusal, asked100): (usize, usize, Option<usize>, usize),
) {
    let mut tsv = String::from(
        "question\ttool\tperiod\tdate\tlabel\tmetric\tvalue\tlow\thigh\tmatomo\tcounted\n",
    );
    for s in all {
        let (lo, hi) = s.interval.unwrap_or((f64::NAN, f64::NAN));
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{lo}\t{hi}\t{}\t{}",
            s.question,
            s.tool,
            s.period,
            s.date,
            s.label.as_deref().unwrap_or("(summary)"),
            s.metric,
            s.value,
            s.exact.map_or("–".to_owned(), |x| x.to_string()),
            s.counted.map_or("–".to_owned(), |x| x.to_string()),
        );
    }
    let tsv_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/accuracy-shown.tsv");
    let _ = std::fs::write(&tsv_path, tsv);

    type Keep = Box<dyn Fn(&Shown) -> bool>;
    let groups: [(&str, Keep); 4] = [
        ("all shown numbers", Box::new(|_| true)),
        (
            "summaries (visits_summary, returning, goals, e-commerce, trends)",
            Box::new(|s| s.label.is_none()),
        ),
        (
            "report rows (pages, countries, referrers, …, compare_periods)",
            Box::new(|s| s.label.is_some()),
        ),
        (
            "rates (bounce, conversion)",
            Box::new(|s| s.metric.contains("rate")),
        ),
    ];
    println!(
        "Matomo {} site {}, counting rule {}, {} trials (noise keys) of {} questions: {} answers, {} numbers shown, {} refused for the budget; ε spent per trial {:?}",
        o.matomo,
        o.site,
        o.visit_spacing_minutes.map_or_else(
            || "the default".to_owned(),
            |m| format!("visit_spacing_minutes = {m}")
        ),
        o.trials,
        questions.len(),
        answered,
        all.len(),
        refused_budget,
        epsilon
    );
    println!(
        "\n| Interval coverage (95 % intervals) | holds Matomo's exact value | holds the counted visits' value |"
    );
    println!("|---|---:|---:|");
    for (name, keep) in &groups {
        let sel: Vec<&Shown> = all.iter().filter(|s| keep(s)).collect();
        let exact: Vec<bool> = sel.iter().filter_map(|s| holds(s, s.exact)).collect();
        let counted: Vec<bool> = sel.iter().filter_map(|s| holds(s, s.counted)).collect();
        println!(
            "| {name} | {} | {} |",
            pct(exact.iter().filter(|&&b| b).count(), exact.len()),
            pct(counted.iter().filter(|&&b| b).count(), counted.len())
        );
    }
    println!(
        "\n| Tool | numbers shown | coverage of Matomo's value | coverage of the counted value | median relative error of `nb_visits` vs Matomo |"
    );
    println!("|---|---:|---:|---:|---:|");
    let mut tools: Vec<&str> = all.iter().map(|s| s.tool).collect();
    tools.dedup();
    let mut seen = HashSet::new();
    tools.retain(|t| seen.insert(*t));
    for tool in tools {
        let sel: Vec<&Shown> = all.iter().filter(|s| s.tool == tool).collect();
        let exact: Vec<bool> = sel.iter().filter_map(|s| holds(s, s.exact)).collect();
        let counted: Vec<bool> = sel.iter().filter_map(|s| holds(s, s.counted)).collect();
        let errors: Vec<f64> = sel
            .iter()
            .filter(|s| s.metric == "nb_visits")
            .filter_map(|s| {
                s.exact
                    .filter(|t| *t > 0.0)
                    .map(|t| (s.value - t).abs() / t)
            })
            .collect();
        println!(
            "| {tool} | {} | {} | {} | {} |",
            sel.len(),
            pct(exact.iter().filter(|&&b| b).count(), exact.len()),
            pct(counted.iter().filter(|&&b| b).count(), counted.len()),
            if errors.is_empty() {
                "–".to_owned()
            } else {
                format!("{:.1} %", 100.0 * median(errors))
            }
        );
    }
    // Numbers are shown only when their interval is narrower than themselves: a count whose
    // true value is below the half-width is shown only after noise lifted it, so its interval
    // holds the truth less often (selection by the noise).
    let small = |s: &&Shown| {
        let (Some((lo, hi)), Some(c)) = (s.interval, s.counted) else {
            return false;
        };
        !s.metric.contains("rate") && c < (hi - lo) / 2.0
    };
    let sel: Vec<&Shown> = all.iter().filter(small).collect();
    let held = sel
        .iter()
        .filter(|s| holds(s, s.counted) == Some(true))
        .count();
    println!(
        "\nCounts whose counted value is below their interval's half-width (shown only when the noise lifted them): {} hold the counted value.",
        pct(held, sel.len())
    );
    let unmatched = all.iter().filter(|s| s.exact.is_none()).count();
    println!(
        "\n{unmatched} shown numbers had no Matomo row with the same label (not in the coverage)."
    );

    println!(
        "\n| Site-level relative error vs Matomo | metric | answers | median | max | median vs counted visits |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for (kind, period) in [("monthly", "month"), ("weekly", "week"), ("daily", "day")] {
        let mut by_metric: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for s in all.iter().filter(|s| {
            s.label.is_none()
                && s.period == period
                && (s.tool == "visits_summary" || s.tool == "metric_trend")
                && questions[s.question].args.get("segment").is_none()
        }) {
            if let Some(t) = s.exact.filter(|t| *t > 0.0) {
                let e = by_metric.entry(&s.metric).or_default();
                e.0.push((s.value - t).abs() / t);
                if let Some(c) = s.counted.filter(|c| *c > 0.0) {
                    e.1.push((s.value - c).abs() / c);
                }
            }
        }
        for (metric, (errors, counted)) in by_metric {
            let n = errors.len();
            let max = errors.iter().copied().fold(0.0, f64::max);
            println!(
                "| {kind} | {metric} | {n} | {:.1} % | {:.1} % | {:.1} % |",
                100.0 * median(errors),
                100.0 * max,
                100.0 * median(counted)
            );
        }
    }
    println!("\n| Matomo's top 10 rows by visits (month) shown | found |");
    println!("|---|---:|");
    for (tool, (found, of)) in recall {
        println!("| {tool} | {} |", pct(*found, *of));
    }
    println!(
        "\nRows withheld (fewer than k visitors) over all answers: {withheld_rows}; rows too uncertain to show: {uncertain_rows}."
    );
    println!(
        "\n| One day's budget | answered |\n|---|---:|\n| the battery ({} questions, per trial) | {} |\n| 100 distinct questions | {} (first refusal for the budget at question {}) |",
        questions.len(),
        pct(answered / o.trials.max(1) as usize, questions.len()),
        pct(answered100, asked100),
        first_refusal.map_or("–".to_owned(), |n| n.to_string())
    );
    let _ = budget100;
    println!("\nEvery shown number: {}", tsv_path.display());
}
