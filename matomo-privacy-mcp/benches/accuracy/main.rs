//! Accuracy of the default, noisy configuration on a realistic site in a real Matomo: a fixed
//! battery of analyst questions asked through the built-in tools, every number shown compared
//! with Matomo's exact value.
//!
//! Needs the real Matomo of `../shared/matomo` with the realistic month tracked into site 1 (see
//! `matomo-privacy-mcp-testkit/examples/track_realistic.rs`) and archived. Then:
//!
//! ```sh
//! cargo bench -p matomo-privacy-mcp --bench accuracy
//! cargo bench -p matomo-privacy-mcp --bench accuracy -- --visit-spacing-minutes 30
//! ```
//!
//! The second measures `privacy.noise.visit_spacing_minutes = 30` instead of the default counting
//! rule.
//!
//! The toolbox is the application's own (`Config::from_toml_str`, `startup::connect`,
//! `catalogue::toolbox`) with nothing set but the Matomo URL, the viewer token's file and the
//! budget file (noise on, default ε per statistic, default budget, default contribution bounds,
//! threshold 5), plus a fixed noise key per trial so a run can be repeated. For each shown
//! number Matomo is asked (admin token, POST body only) for the same site, period, date and the
//! caller's segment, without the server's bounds: the exact value an analyst wants. The value
//! over the visits the server counts (its bound segment ANDed with the caller's) is fetched too,
//! the truth the interval promises to hold.
//!
//! Prints a Markdown table (the README's section "Accuracy on a realistic site") and writes
//! every shown number with its truths to `target/accuracy-shown.tsv`. Without a reachable Matomo
//! it says so and exits 0, so that `cargo bench` over the workspace still runs.
//!
//! The modules: [`cli`] the command line, [`questions`] the battery and where Matomo holds each
//! question's truth, [`toolbox`] the server under test, [`matomo`] Matomo's own answers,
//! [`shown`] every shown number beside them, [`ranking`] the top-10 diagnostic, [`table`] the
//! scores and the printed tables.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod cli;
mod matomo;
mod questions;
mod ranking;
mod shown;
mod table;
mod toolbox;

use std::collections::BTreeMap;
use std::time::Instant;

use matomo_privacy_mcp_testkit::realistic::MatomoApi;
use serde_json::Value;

use crate::matomo::Matomo;
use crate::questions::{battery, hundred};
use crate::shown::{Shown, shown_numbers};
use crate::toolbox::{ask, read_token, toolbox};

#[tokio::main]
async fn main() {
    let o = cli::opts();
    let Some(admin) = read_token(&o.admin_token_file) else {
        eprintln!(
            "accuracy: no Matomo admin token at {}: skipped (install ../shared/matomo and track the realistic month first)",
            o.admin_token_file.display()
        );
        return;
    };
    let http = reqwest::Client::new();
    if http
        .get(format!("{}/index.php", o.matomo))
        .send()
        .await
        .is_err()
    {
        eprintln!("accuracy: Matomo is not reachable at {}: skipped", o.matomo);
        return;
    }
    let api = MatomoApi::new(http, o.matomo.clone(), admin);
    let month = api.month_summary(o.site).await.unwrap_or_else(|e| {
        eprintln!("Matomo refused {e}");
        Value::Null
    });
    let mut m = Matomo::new(api);
    if month["nb_visits"].as_u64().unwrap_or(0) == 0 {
        eprintln!(
            "accuracy: site {} has no visits in November 2026: skipped (track the realistic month first: see matomo-privacy-mcp-testkit/examples/track_realistic.rs)",
            o.site
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-accuracy-{}",
        std::process::id()
    ));
    let started = Instant::now();
    let questions = battery(o.site);
    let mut all: Vec<Shown> = Vec::new();
    let mut answered = 0;
    let mut refused_budget = 0;
    let mut epsilon_per_trial = Vec::new();
    let mut withheld_rows = 0u64;
    let mut uncertain_rows = 0u64;
    let mut recall: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut missing: Vec<String> = Vec::new();
    for trial in 0..o.trials {
        let toolbox = toolbox(&o, &dir.join(format!("trial-{trial}")), trial).await;
        let mut spent = 0.0;
        for (i, question) in questions.iter().enumerate() {
            let asked = ask(&toolbox, question).await;
            spent += asked.epsilon;
            if o.dump && trial == 0 {
                println!(
                    "## {} {}\n{}\n{}\n",
                    question.tool, question.args, asked.text, asked.out
                );
            }
            if !asked.answered {
                refused_budget += usize::from(asked.refused_for_budget);
                if trial == 0 {
                    eprintln!(
                        "refused: {} {}: {}",
                        question.tool, question.args, asked.text
                    );
                }
                continue;
            }
            answered += 1;
            withheld_rows += asked.out["suppressed_rows"].as_u64().unwrap_or(0);
            uncertain_rows += asked.out["noise"]["uncertain_rows"].as_u64().unwrap_or(0);
            let shown = shown_numbers(&mut m, o.site, i, question, &asked.out).await;
            ranking::top_ten(
                &mut m,
                o.site,
                trial,
                question,
                &asked.out,
                &mut recall,
                &mut missing,
            )
            .await;
            all.extend(shown);
        }
        epsilon_per_trial.push(spent);
        eprintln!(
            "trial {trial}: {} numbers so far, ε spent {spent:.1}, {:.0}s",
            all.len(),
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "\n| Matomo's top rows of the month (trial 0) | rank | Matomo | counted | Matomo rows merged | shown? | half-width | needs counted ≥ | why |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---:|---|");
    for line in &missing {
        println!("{line}");
    }
    // The 100 distinct questions, one day's budget.
    let hundred = hundred(o.site);
    let toolbox100 = toolbox(&o, &dir.join("hundred"), 1_000).await;
    let (mut answered100, mut budget100, mut first_refusal) = (0, 0, None);
    let mut spent100 = 0.0;
    for (i, question) in hundred.iter().enumerate() {
        let asked = ask(&toolbox100, question).await;
        spent100 += asked.epsilon;
        if asked.answered {
            answered100 += 1;
        } else if asked.refused_for_budget {
            budget100 += 1;
            first_refusal.get_or_insert(i + 1);
        }
    }
    eprintln!("the 100 distinct questions spent ε {spent100:.1}");
    table::report(
        &o,
        &questions,
        &all,
        answered,
        refused_budget,
        &epsilon_per_trial,
        withheld_rows,
        uncertain_rows,
        &recall,
        (answered100, budget100, first_refusal, hundred.len()),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
