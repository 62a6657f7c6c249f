//! Differential privacy through the built-in tools, against the emulator: the differencing attack
//! that thresholds cannot stop, consistent answers, and the privacy budget (charged, refused
//! with its renewal time, kept across a restart, never overspent by concurrent calls).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use matomo_mcp_core::client::MatomoClient;
use matomo_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy};
use matomo_mcp_core::minimise::{Scrubber, Threshold};
use matomo_mcp_core::policy::{PrivacyBudget, SiteAccess};
use matomo_mcp_core::reporting::{Deployment, NoiseSetup, tools};
use matomo_mcp_core::{PrivacyClass, Toolbox};
use matomo_mcp_testkit::{Day, Emulator};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const TOKEN: &str = "view0123456789abcdef0123456789ab";
const DAY: Duration = Duration::from_secs(86_400);

async fn emulator() -> Emulator {
    Emulator::builder()
        .seed(11)
        .today(Day::from_ymd(2026, 11, 26).unwrap())
        .view_token(TOKEN, &[1, 2])
        .start()
        .await
        .unwrap()
}

/// A toolbox over `client` (shared, so trials reuse its cache), with noise when given.
async fn toolbox(client: &MatomoClient, noise: Option<NoiseSetup>) -> Toolbox<Deployment> {
    let sites = SiteAccess::check(&client.permissions().await.unwrap(), false, None).unwrap();
    let mut deployment = Deployment::from_parts(
        client.clone(),
        TOKEN,
        sites,
        Scrubber::builder().build().unwrap(),
        Threshold::new(5).unwrap(),
        PrivacyClass::Aggregate,
        None,
    );
    if let Some(noise) = noise {
        deployment = deployment.with_noise(noise);
    }
    tools::toolbox(deployment, |_| true).unwrap()
}

/// A deployment key of its own for each trial (a digest of the trial's number: reproducible).
fn key(trial: u32) -> Vec<u8> {
    Sha256::digest(format!("differencing trial {trial}")).to_vec()
}

fn noise(key: Vec<u8>, budget: PrivacyBudget) -> NoiseSetup {
    NoiseSetup {
        dp: DifferentialPrivacy::new(key, 1_000_000, ContributionBounds::default()).unwrap(),
        budget,
    }
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

async fn call(
    toolbox: &Toolbox<Deployment>,
    tool: &str,
    arguments: Value,
) -> (bool, Value, String) {
    let result = toolbox.call(tool, Some(arguments)).await.unwrap();
    (
        result.is_error(),
        result.structured().cloned().unwrap_or(Value::Null),
        result.text().to_owned(),
    )
}

/// The attacker's estimate of one visit's duration: `sum_visit_length` of the day minus that of
/// the day without visits of that duration; `None` when either answer withholds it.
async fn estimate(toolbox: &Toolbox<Deployment>, date: &str, duration: u64) -> Option<f64> {
    let sum = |v: &Value| v["metrics"]["sum_visit_length"].as_f64();
    let (e1, all, _) = call(
        toolbox,
        "visits_summary",
        json!({"site": 1, "period": "day", "date": date}),
    )
    .await;
    let (e2, without, _) = call(
        toolbox,
        "visits_summary",
        json!({"site": 1, "period": "day", "date": date, "segment": format!("visitDuration!={duration}")}),
    )
    .await;
    assert!(!e1 && !e2, "{all} {without}");
    Some(sum(&all)? - sum(&without)?)
}

/// The attack: two questions whose populations differ by one visit, and their
/// difference. Without noise it recovers the visit's duration exactly (the control, which also
/// proves the test can fail). With noise, over 200 trials with a fresh deployment key each, the
/// error exceeds half the true duration in at least 90% of trials.
///
/// The bound: with ε = 1 split over the six noisy metrics of `visits_summary`, the scale of
/// `sum_visit_length` is b = 2 visits × 1800 s × 6 = 21 600 s. The difference of two independent
/// discrete Laplace samples has density at most 1/(2b) near 0, so an error below d/2 (d ≤ 1800 s)
/// has probability at most d/(2b) ≤ 4.2%; 90% leaves a wide margin for 200 trials.
#[tokio::test]
async fn the_differencing_attack_fails_against_noise() {
    let emu = emulator().await;
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let data = emu.dataset();
    let bounds = ContributionBounds::default();
    let within = |v: &matomo_mcp_testkit::Visit| {
        v.visit_count <= bounds.visits_per_visitor
            && v.duration <= u64::from(bounds.visit_seconds)
            && v.nb_actions() <= u64::from(bounds.actions_per_visit)
    };
    // The target: a visit within the bounds whose duration no other visit of its day has, on
    // the day with the most visits within the bounds.
    let (day, target) = (1..=14)
        .map(|back| data.today.plus(-back))
        .filter_map(|day| {
            let visits: Vec<_> = data.visits_in(1, day, day).collect();
            let target = visits
                .iter()
                .filter(|v| within(v))
                .filter(|v| v.duration >= 60)
                .filter(|v| visits.iter().filter(|o| o.duration == v.duration).count() == 1)
                .max_by_key(|v| v.duration)?;
            Some((
                visits.iter().filter(|v| within(v)).count(),
                day,
                target.duration,
            ))
        })
        .max_by_key(|(n, _, _)| *n)
        .map(|(_, day, duration)| (day, duration))
        .expect("a day with a visit of a unique duration");
    let date = ymd(day);

    let exact = toolbox(&client, None).await;
    assert_eq!(
        estimate(&exact, &date, target).await,
        Some(target as f64),
        "without noise the attack recovers the visit's duration exactly"
    );

    const TRIALS: u32 = 200;
    let mut large = 0;
    let mut errors = Vec::new();
    for trial in 0..TRIALS {
        let budget = PrivacyBudget::in_memory(100_000_000, DAY);
        let noisy = toolbox(&client, Some(noise(key(trial), budget))).await;
        match estimate(&noisy, &date, target).await {
            Some(guess) => {
                let error = (guess - target as f64).abs();
                errors.push(error);
                if error > target as f64 / 2.0 {
                    large += 1;
                }
            }
            // A withheld number tells the attacker nothing.
            None => large += 1,
        }
    }
    assert!(
        f64::from(large) >= 0.9 * f64::from(TRIALS),
        "the attack came within half of {target} s in {} of {TRIALS} trials; errors {errors:?}",
        TRIALS - large
    );
    // The noise is not a constant offset: the estimates spread.
    errors.sort_by(f64::total_cmp);
    assert!(errors.last().unwrap() - errors[0] > f64::from(bounds.visit_seconds));
}

/// The same question gets the same noisy answer and costs nothing the second time; another
/// question gets other noise; the answer says it is noisy and how much.
#[tokio::test]
async fn answers_are_consistent_honest_and_charged_once() {
    let emu = emulator().await;
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let budget = PrivacyBudget::in_memory(5_000_000, DAY);
    let tools = toolbox(&client, Some(noise(key(1), budget))).await;
    // A week as a range: enough visitors within the bounds (the emulator's days have a few).
    let (start, end) = (emu.dataset().today.plus(-16), emu.dataset().today.plus(-10));
    let date = format!("{},{}", ymd(start), ymd(end));
    let ask = json!({"site": 1, "period": "range", "date": date});
    let (_, first, text) = call(&tools, "visits_summary", ask.clone()).await;
    let (_, again, _) = call(&tools, "visits_summary", ask.clone()).await;
    assert_eq!(
        first["metrics"], again["metrics"],
        "the same question, the same answer"
    );
    assert_eq!(first["noise"]["epsilon_charged"], 1.0);
    assert_eq!(
        again["noise"]["epsilon_charged"], 0.0,
        "a repeat costs nothing"
    );
    assert_eq!(again["noise"]["epsilon_left"], 4.0);
    assert!(text.contains("Numbers are noisy"), "{text}");
    assert!(text.contains("nb_visits ±"), "{text}");
    let plus_minus = first["noise"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "nb_visits")
        .unwrap()["plus_minus"]
        .as_u64()
        .unwrap();
    // ε split evenly over the noisy metrics; nb_visits has sensitivity 2 (two visits a visitor).
    let columns = first["noise"]["metrics"].as_array().unwrap().len() as u64;
    let scale = matomo_mcp_core::minimise::noise::Scale::for_epsilon(2, 1_000_000 / columns);
    assert_eq!(plus_minus, scale.unwrap().interval(0.95));
    // The true count within the bounds is what the noise is added to: within a generous
    // multiple of the stated interval.
    let truth = emu
        .dataset()
        .visits_in(1, start, end)
        .filter(|v| v.visit_count <= 2 && v.duration <= 1800 && v.nb_actions() <= 10)
        .count() as f64;
    let shown = first["metrics"]["nb_visits"].as_f64().unwrap();
    assert!(
        (shown - truth).abs() <= 3.0 * plus_minus as f64,
        "{shown} vs {truth}"
    );
    assert!(
        first["metrics"].get("max_actions").is_none(),
        "maxima have no noise and are left out: {first}"
    );
    let names = |list: &Value| {
        list.as_array()
            .is_some_and(|names| names.iter().any(|m| m == "max_actions"))
    };
    assert!(
        names(&first["noise"]["left_out"]) || names(&first["withheld_metrics"]),
        "max_actions is named as left out: {first}"
    );
    // Rates come from the noisy counts.
    let rate = first["metrics"]["bounce_rate"].as_f64();
    let (bounces, visits) = (
        first["metrics"]["bounce_count"].as_f64(),
        first["metrics"]["nb_visits"].as_f64(),
    );
    if let (Some(rate), Some(b), Some(v)) = (rate, bounces, visits) {
        assert!((rate - b / v).abs() < 1e-9);
    }
    // Another question: a report, with noise of its own and the rows ordered by it.
    let (_, countries, text) = call(
        &tools,
        "countries",
        json!({"site": 1, "period": "range", "date": date}),
    )
    .await;
    assert_eq!(countries["noise"]["epsilon_charged"], 1.0, "{countries}");
    assert!(text.contains("Numbers are noisy"), "{text}");
    let rows = countries["rows"].as_array().unwrap();
    let visits: Vec<f64> = rows
        .iter()
        .map(|row| row["nb_visits"].as_f64().unwrap())
        .collect();
    assert!(
        visits.iter().all(|v| *v >= 5.0),
        "noisy visits below k are not shown: {visits:?}"
    );
    // "Other" comes last; the others by their noisy visits.
    let named: Vec<f64> = rows
        .iter()
        .filter(|row| !row["label"].as_str().unwrap().starts_with("Other"))
        .map(|row| row["nb_visits"].as_f64().unwrap())
        .collect();
    assert!(named.windows(2).all(|w| w[0] >= w[1]), "{rows:?}");
}

fn temp(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("matomo-mcp-dp-{}-{name}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// The budget through the tools: spent, refused with its renewal time, kept across a restart
/// (a new deployment over the same file and key), and never overspent by 200 concurrent calls.
#[tokio::test]
async fn the_budget_is_spent_refused_kept_and_never_overspent() {
    let emu = emulator().await;
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let file = temp("budget");
    // Four weeks as ranges, each with enough visitors within the bounds to be answered.
    let today = emu.dataset().today;
    let days: Vec<String> = (0..4)
        .map(|i| format!("{},{}", ymd(today.plus(-16 - i)), ymd(today.plus(-10 - i))))
        .collect();
    let ask = |date: &str| json!({"site": 1, "period": "range", "date": date});
    {
        let budget = PrivacyBudget::open(3_000_000, DAY, &file).unwrap();
        let tools = toolbox(&client, Some(noise(key(7), budget))).await;
        for date in &days[..3] {
            let (error, _, text) = call(&tools, "visits_summary", ask(date)).await;
            assert!(!error, "{text}");
        }
        let (error, _, text) = call(&tools, "visits_summary", ask(&days[3])).await;
        assert!(error, "the fourth answer is over the budget");
        assert!(
            text.contains("the privacy budget of this window is spent")
                && text.contains("renews at 20")
                && text.contains("T00:00:00Z"),
            "{text}"
        );
    }
    // A restart: the same file and key. What was spent stays spent; a repeat stays free.
    let budget = PrivacyBudget::open(3_000_000, DAY, &file).unwrap();
    let tools = toolbox(&client, Some(noise(key(7), budget))).await;
    let (error, repeat, text) = call(&tools, "visits_summary", ask(&days[0])).await;
    assert!(!error, "{text}");
    assert_eq!(repeat["noise"]["epsilon_charged"], 0.0);
    let (error, _, _) = call(&tools, "visits_summary", ask(&days[3])).await;
    assert!(error, "still spent after the restart");
    let _ = std::fs::remove_file(&file);

    // 200 concurrent calls, each a different question, over a budget of 50 answers.
    let file = temp("concurrent");
    let budget = PrivacyBudget::open(50_000_000, DAY, &file).unwrap();
    let tools = Arc::new(toolbox(&client, Some(noise(key(8), budget))).await);
    let segments: Vec<String> = (0..200)
        .map(|i| format!("visitDuration!={}", 100_000 + i))
        .collect();
    let calls: Vec<_> = segments
        .into_iter()
        .map(|segment| {
            let tools = tools.clone();
            let date = days[0].clone();
            tokio::spawn(async move {
                let arguments =
                    json!({"site": 1, "period": "range", "date": date, "segment": segment});
                !tools
                    .call("visits_summary", Some(arguments))
                    .await
                    .unwrap()
                    .is_error()
            })
        })
        .collect();
    let mut answered = 0;
    for call in calls {
        if call.await.unwrap() {
            answered += 1;
        }
    }
    assert_eq!(answered, 50, "exactly the budget, never more");
    let reread = PrivacyBudget::open(50_000_000, DAY, &file).unwrap();
    assert!(reread.spend("anyone-else", b"q", 1, 0).is_ok());
    let _ = std::fs::remove_file(&file);
}
