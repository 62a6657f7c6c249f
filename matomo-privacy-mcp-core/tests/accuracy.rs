//! The accuracy contract of noisy answers, against the emulator's ground truth: every interval
//! holds Matomo's own value in about 95 % of trials (visits, bounces, rates, report rows), a site
//! too small for a private figure says so once in plain words, and `compare_periods` calls a
//! change inside the noise "no clear change" while showing the numbers `countries` shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matomo_privacy_mcp_core::dp::{
    ContributionBounds, CountedVisits, DifferentialPrivacy, NoiseSetup, PrivacyBudget, Sigma,
};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{Toolbox, testing};
use matomo_privacy_mcp_testkit::{Day, Emulator, Visit};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod emulated;

const K: u64 = 5;

/// ε 0.5 per statistic, as the default configuration.
const EPSILON: u64 = 500_000;

/// A noisy toolbox with ε `epsilon` (millionths) per statistic and a noise key of its own per
/// trial. The emulator's sites have 1 to 18 visits a day: tests that need numbers shown use a
/// larger ε than the default (the contract does not depend on ε).
async fn noisy(emu: &Emulator, trial: u32, epsilon: u64) -> Toolbox<Deployment> {
    let key = Sha256::digest(format!("accuracy trial {trial}")).to_vec();
    let deployment = emulated::deployment(emu, K).await.with_noise(NoiseSetup {
        dp: DifferentialPrivacy::new(key, epsilon, ContributionBounds::default()).unwrap(),
        budget: PrivacyBudget::in_memory(1_000_000_000, Duration::from_secs(86_400)),
    });
    tools::toolbox(deployment, |_| true).unwrap()
}

async fn call(toolbox: &Toolbox<Deployment>, tool: &str, arguments: Value) -> (Value, String) {
    let result = testing::answered(toolbox, tool, arguments).await;
    (
        result.structured().cloned().unwrap_or(Value::Null),
        result.text().to_owned(),
    )
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

/// The visits a noisy answer counts: a visitor's first, then any a day or more after the last.
fn counted(v: &Visit) -> bool {
    v.visit_count == 1 || v.details.days_since_last >= 1
}

fn holds(interval: &Value, truth: f64) -> bool {
    interval[0].as_f64().unwrap() <= truth && truth <= interval[1].as_f64().unwrap()
}

/// A busier emulator (30 copies of the dataset's visitors, about 3,000 visits a fortnight), so
/// that the numbers are shown under the complete total's bound (675 visits per visitor in 14
/// days) at ε 2.
async fn busier_emulator() -> Emulator {
    testing::busier_emulator(emulated::TOKEN, &[1], 30).await
}

/// Over 100 trials (a noise key each), with the default counting rule (a visitor's visits at
/// most once a day, which leaves out returns within a day, completed to Matomo's by the share
/// counted), the 95 % intervals of a fortnight's visits, bounces and bounce rate and of each
/// country's visits hold *Matomo's own* numbers (every visit, no bound applied) in at least
/// 91 % of the trials that show them (the expected share is 95 % or more). Every shown country
/// keeps the order of its counted visits.
///
/// Mutation-checked: with the bias left out of the intervals (`Completion::complete` keeping
/// the counted high end, `interval.high()` instead of `interval.high() * self.ratio_high`),
/// the fortnight's visits are held in 51 of 100 trials (their shown number is scaled, the
/// interval not), and this fails.
#[tokio::test]
async fn intervals_hold_matomos_own_numbers_in_95_percent_of_trials() {
    let emu = busier_emulator().await;
    let data = emu.dataset();
    let (start, end) = (data.today.plus(-20), data.today.plus(-7));
    let all: Vec<&Visit> = data.visits_in(1, start, end).collect();
    let daily = all.iter().filter(|v| counted(v)).count() as f64;
    let matomo = [
        all.len() as f64,
        all.iter().filter(|v| v.is_bounce()).count() as f64,
    ];
    assert!(
        daily < 0.9 * matomo[0],
        "the daily rule leaves out {daily} of {}",
        matomo[0]
    );
    let matomo_rate = matomo[1] / matomo[0];
    let mut by_country = std::collections::BTreeMap::<&str, f64>::new();
    for visit in &all {
        *by_country.entry(visit.location.country).or_default() += 1.0;
    }
    let date = format!("{},{}", ymd(start), ymd(end));
    let ask = json!({"site": 1, "period": "range", "date": date});
    const TRIALS: u32 = 100;
    let names = ["nb_visits", "bounce_count", "bounce_rate"];
    let (mut shown, mut held) = ([0u32; 3], [0u32; 3]);
    let (mut rows_shown, mut rows_held) = (0u32, 0u32);
    for trial in 0..TRIALS {
        let toolbox = noisy_separated(&emu, trial, None).await;
        let (out, _) = call(&toolbox, "visits_summary", ask.clone()).await;
        for (i, name) in names.iter().enumerate() {
            let truth = matomo.get(i).copied().unwrap_or(matomo_rate);
            if let Some(interval) = out["intervals"].get(name) {
                shown[i] += 1;
                held[i] += u32::from(holds(interval, truth));
            }
        }
        let share = out["noise"]["counted_share"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&share), "{out}");
        let (countries, text) = call(
            &toolbox,
            "countries",
            json!({"site": 1, "period": "range", "date": date, "limit": 100}),
        )
        .await;
        assert!(text.contains("of the visits Matomo counts here"), "{text}");
        assert!(text.contains("noisy counted visits"), "{text}");
        for row in countries["rows"].as_array().unwrap() {
            let (Some(interval), Some(truth)) = (
                row["intervals"].get("nb_visits"),
                by_country.get(row["label"].as_str().unwrap()),
            ) else {
                continue;
            };
            rows_shown += 1;
            rows_held += u32::from(holds(interval, *truth));
        }
    }
    for i in 0..3 {
        eprintln!(
            "{}: {} of {} intervals held Matomo's",
            names[i], held[i], shown[i]
        );
        assert!(
            shown[i] >= TRIALS * 3 / 4,
            "{}: shown {}",
            names[i],
            shown[i]
        );
        assert!(
            f64::from(held[i]) >= 0.91 * f64::from(shown[i]),
            "{}: {} of {} intervals held Matomo's number",
            names[i],
            held[i],
            shown[i]
        );
    }
    eprintln!("countries: {rows_held} of {rows_shown} intervals held Matomo's");
    assert!(rows_shown >= TRIALS * 3, "countries shown: {rows_shown}");
    assert!(
        f64::from(rows_held) >= 0.91 * f64::from(rows_shown),
        "countries: {rows_held} of {rows_shown} intervals held Matomo's visits"
    );
}

/// A day of a small site (a dozen visits) at the default ε: too few visitors for a private
/// figure, said once, in plain words, with what would help; no number is shown. (The day has
/// `k` visitors and more: the threshold alone would show it.)
#[tokio::test]
async fn a_site_too_small_for_a_private_figure_says_so_once() {
    let emu = emulated::emulator(11, &[1, 2, 3]).await;
    let toolbox = noisy(&emu, 1, EPSILON).await;
    let data = emu.dataset();
    let day = data.today.plus(-6);
    let people: std::collections::BTreeSet<&str> = data
        .visits_in(1, day, day)
        .filter(|v| counted(v))
        .map(|v| v.visitor_id.as_str())
        .collect();
    assert!(people.len() as u64 >= K, "{people:?}");
    let day = ymd(day);
    let (out, text) = call(
        &toolbox,
        "visits_summary",
        json!({"site": 1, "period": "day", "date": day}),
    )
    .await;
    assert_eq!(out["suppressed"], true, "{out}");
    assert!(out["metrics"].as_object().unwrap().is_empty(), "{out}");
    // A day: at most 3 counted visits a visitor, ε 0.5.
    let plus_minus = Sigma::for_epsilon(3 * 3, EPSILON).unwrap().interval(0.95);
    let expected = format!(
        "Site 1, day {day}: Too few visitors for a private figure: with differential privacy at ε=0.5 per statistic, the number of visits here is only known to ±{plus_minus}, more than half of it. A longer period (a week or a month instead of a day), a broader segment, or a larger ε chosen by the operator (privacy.noise.epsilon_per_statistic, less private) would give a usable answer."
    );
    assert_eq!(text.lines().next().unwrap(), expected, "{text}");
    assert_eq!(text.matches("Too few visitors").count(), 1, "{text}");
}

/// `compare_periods` of countries, week over week (the emulator's data begins in late October): each period's numbers are those `countries`
/// shows for it (one release, charged once), and a change whose interval holds zero is "no
/// clear change", with no difference or percentage; a clear change is given with both.
#[tokio::test]
async fn compare_periods_calls_a_change_within_the_noise_no_clear_change() {
    // Countries with a few hundred visits a week, at ε 2: shown with their completed intervals.
    let emu = busier_emulator().await;
    let toolbox = noisy_separated(&emu, 2, None).await;
    let day = ymd(emu.dataset().today.plus(-7));
    let (compared, text) = call(
        &toolbox,
        "compare_periods",
        json!({"site": 1, "report": "UserCountry.getCountry", "period": "week", "date": day}),
    )
    .await;
    let (countries, _) = call(
        &toolbox,
        "countries",
        json!({"site": 1, "period": "week", "date": day, "limit": 100}),
    )
    .await;
    assert_eq!(
        countries["noise"]["epsilon_charged"], 0.0,
        "released by compare_periods already: {countries}"
    );
    let (mut unclear, mut clear) = (0, 0);
    for row in compared["rows"].as_array().unwrap() {
        let label = row["label"].as_str().unwrap();
        if let Some(now) = row.get("current") {
            let shown = countries["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["label"] == label)
                .unwrap_or_else(|| panic!("{label} not in countries: {countries}"));
            assert_eq!(now["nb_visits"], shown["nb_visits"], "{label}");
            assert_eq!(
                row["current_intervals"]["nb_visits"], shown["intervals"]["nb_visits"],
                "{label}"
            );
        }
        if row["change"] != "both" {
            continue;
        }
        let within_noise = row["no_clear_change"]
            .as_array()
            .is_some_and(|names| names.iter().any(|n| n == "nb_visits"));
        if within_noise {
            unclear += 1;
            assert!(row["relative"].get("nb_visits").is_none(), "{row}");
            assert!(row["difference"].get("nb_visits").is_none(), "{row}");
            assert!(text.contains(&format!("{label} [both]: ")), "{text}");
        } else {
            clear += 1;
            assert!(row["difference"].get("nb_visits").is_some(), "{row}");
        }
    }
    assert!(unclear > 0, "some change is within the noise: {compared}");
    assert!(text.contains("no clear change"), "{text}");
    let _ = clear;
}

/// The toolbox of [`noisy`] with visits counted every `minutes` instead of once a day.
async fn noisy_separated(emu: &Emulator, trial: u32, minutes: Option<u32>) -> Toolbox<Deployment> {
    let key = Sha256::digest(format!("accuracy trial {trial}")).to_vec();
    let bounds = ContributionBounds {
        counted: minutes.map_or(ContributionBounds::default().counted, |minutes| {
            CountedVisits::Separated { minutes }
        }),
        ..ContributionBounds::default()
    };
    let deployment = emulated::deployment(emu, K).await.with_noise(NoiseSetup {
        dp: DifferentialPrivacy::new(key, 2_000_000, bounds).unwrap(),
        budget: PrivacyBudget::in_memory(1_000_000_000, Duration::from_secs(86_400)),
    });
    tools::toolbox(deployment, |_| true).unwrap()
}

/// With visits counted every 30 minutes (Matomo's visit timeout), nothing is completed (the
/// rule leaves out nearly nothing) and the intervals of a fortnight's visits hold *Matomo's
/// own* number of visits in at least 91 % of 100 trials, as the default's completed ones do.
#[tokio::test]
async fn with_visits_counted_every_thirty_minutes_intervals_hold_matomos_own_numbers() {
    let emu = busier_emulator().await;
    let data = emu.dataset();
    let (start, end) = (data.today.plus(-20), data.today.plus(-7));
    let matomo = data.visits_in(1, start, end).count() as f64;
    let daily = data.visits_in(1, start, end).filter(|v| counted(v)).count() as f64;
    assert!(
        daily < 0.9 * matomo,
        "the daily rule leaves out {daily} of {matomo}"
    );
    let ask = json!({"site": 1, "period": "range", "date": format!("{},{}", ymd(start), ymd(end))});
    const TRIALS: u32 = 100;
    for minutes in [Some(30), None] {
        let (mut shown, mut held) = (0u32, 0u32);
        for trial in 0..TRIALS {
            let toolbox = noisy_separated(&emu, trial, minutes).await;
            let (out, _) = call(&toolbox, "visits_summary", ask.clone()).await;
            if let Some(interval) = out["intervals"].get("nb_visits") {
                shown += 1;
                held += u32::from(holds(interval, matomo));
            }
        }
        assert!(shown >= TRIALS * 9 / 10, "{minutes:?}: shown {shown}");
        let share = f64::from(held) / f64::from(shown);
        eprintln!("{minutes:?} minutes: {held} of {shown} intervals held Matomo's {matomo} visits");
        assert!(
            share >= 0.91,
            "{minutes:?} minutes: {held} of {shown} intervals held Matomo's {matomo} visits"
        );
    }
}

/// A page URL as rows are matched here: no scheme, host, query or fragment.
fn page_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/").to_owned()
}

/// Page rows (a visit in one row per page it viewed, the noise of the Gaussian calibrated to the
/// whole row vector): over 100 trials, each shown page's 95 % interval of its counted visits
/// (not completed) holds the emulator's count of them (a visitor's visits at most once a day,
/// of up to 10 actions, summed over the Matomo rows scrubbing merged) in at least 91 % and at
/// most 99.5 % of the rows shown.
///
/// Mutation-checked: with `Sigma::interval` leaving out the normal quantile (half-widths of one
/// σ), 627 of 904 (69 %) hold and this fails. (A factor left out of σ itself, such as ε, moves
/// the noise and its interval together, so coverage cannot see it: the unit tests of
/// `dp::gaussian`, `dp::bounds` and `dp::tests` pin σ² to `Δ₂²/ε²`.)
#[tokio::test]
async fn page_rows_intervals_hold_the_counted_visits_in_95_percent_of_trials() {
    let emu = busier_emulator().await;
    let data = emu.dataset();
    let (start, end) = (data.today.plus(-20), data.today.plus(-7));
    let mut truth = std::collections::BTreeMap::<String, f64>::new();
    for visit in data.visits_in(1, start, end) {
        if !counted(visit) || visit.actions.len() > 10 {
            continue;
        }
        let urls: std::collections::BTreeSet<&str> = visit
            .actions
            .iter()
            .filter_map(|action| match action {
                matomo_privacy_mcp_testkit::Action::Page { url, .. } => Some(url.as_str()),
                _ => None,
            })
            .collect();
        for url in urls {
            *truth.entry(page_path(url)).or_default() += 1.0;
        }
    }
    let date = format!("{},{}", ymd(start), ymd(end));
    const TRIALS: u32 = 100;
    let (mut shown, mut held, mut unmatched) = (0u32, 0u32, Vec::new());
    for trial in 0..TRIALS {
        let key = Sha256::digest(format!("page rows trial {trial}")).to_vec();
        let deployment = emulated::deployment(&emu, K).await.with_noise(NoiseSetup {
            dp: DifferentialPrivacy::new(key, 2_000_000, ContributionBounds::default())
                .unwrap()
                .without_completion(),
            budget: PrivacyBudget::in_memory(1_000_000_000, Duration::from_secs(86_400)),
        });
        let toolbox = tools::toolbox(deployment, |_| true).unwrap();
        let (pages, _) = call(
            &toolbox,
            "top_pages",
            json!({"site": 1, "period": "range", "date": date, "limit": 100}),
        )
        .await;
        for row in pages["rows"].as_array().unwrap() {
            let Some(interval) = row["intervals"].get("nb_visits") else {
                continue;
            };
            let label = row["label"].as_str().unwrap();
            match truth.get(&page_path(label)) {
                Some(truth) => {
                    shown += 1;
                    held += u32::from(holds(interval, *truth));
                }
                None => unmatched.push(label.to_owned()),
            }
        }
    }
    eprintln!(
        "page rows: {held} of {shown} intervals held the counted visits; unmatched {unmatched:?}"
    );
    assert!(shown >= TRIALS * 3, "page rows shown: {shown}");
    assert!(
        f64::from(held) >= 0.91 * f64::from(shown),
        "page rows: {held} of {shown} intervals held the counted visits"
    );
    assert!(
        f64::from(held) <= 0.995 * f64::from(shown),
        "page rows: {held} of {shown}: intervals far wider than the noise"
    );
}
