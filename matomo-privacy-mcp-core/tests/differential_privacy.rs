//! Differential privacy through the built-in tools, against the emulator: the differencing attack
//! that thresholds cannot stop, consistent answers, and the privacy budget (charged, refused
//! with its renewal time, kept across a restart, never overspent by concurrent calls).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::{self, TOKEN, TestDeployment};
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const DAY: Duration = Duration::from_secs(86_400);

/// The test world of these tests, dataset 11 with sites 1 and 2, and a client of it (keep the
/// emulator alive as long as the client is used).
async fn emulator() -> (Emulator, MatomoClient) {
    let emu = testing::emulator(11, &[1, 2]).await;
    let client = testing::client(&emu);
    (emu, client)
}

/// A toolbox over `client` (shared, so trials reuse its cache), with noise when given.
async fn toolbox(client: &MatomoClient, noise: Option<NoiseSetup>) -> Toolbox<Deployment> {
    TestDeployment::over(client.clone(), TOKEN)
        .noise(noise)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await
}

/// [`toolbox`] with [`noise`] of trial `trial`'s [`key`] and a day's budget of `micros`
/// millionths of ε, kept in memory.
async fn budgeted(client: &MatomoClient, trial: u32, micros: u64) -> Toolbox<Deployment> {
    toolbox(
        client,
        Some(noise(key(trial), PrivacyBudget::in_memory(micros, DAY))),
    )
    .await
}

/// A deployment key of its own for each trial (a digest of the trial's number: reproducible).
fn key(trial: u32) -> Vec<u8> {
    Sha256::digest(format!("differencing trial {trial}")).to_vec()
}

/// The noise these tests count releases and charges of: counts as counted, without the two
/// totals that complete them to Matomo's (whose intervals the emulator's dozen visits a day
/// could not narrow; completion is tested in `accuracy.rs`, and is post-processing of
/// releases charged like any other).
fn noise(key: Vec<u8>, budget: PrivacyBudget) -> NoiseSetup {
    NoiseSetup {
        dp: DifferentialPrivacy::new(key, 1_000_000, ContributionBounds::default())
            .unwrap()
            .without_completion(),
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

/// `visits_summary` of site 1 for `period` `date`: whether it failed, its output and its text.
async fn summary(toolbox: &Toolbox<Deployment>, period: &str, date: &str) -> (bool, Value, String) {
    call(
        toolbox,
        "visits_summary",
        json!({"site": 1, "period": period, "date": date}),
    )
    .await
}

/// The attacker's estimate of whether one visit is in the data: `nb_visits` of the day minus
/// that of the day without visits of its duration (1 when it is); `None` when either answer
/// withholds it.
async fn estimate(toolbox: &Toolbox<Deployment>, date: &str, duration: u64) -> Option<f64> {
    let sum = |v: &Value| v["metrics"]["nb_visits"].as_f64();
    let (e1, all, _) = summary(toolbox, "day", date).await;
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
/// difference. Without noise it tells exactly that the visit is there (the control, which also
/// proves the test can fail). With noise, over 200 trials with a fresh deployment key each, the
/// estimate is off by more than half (anything but exactly 1) in at least 85% of trials.
///
/// The bound: with ε = 1 per statistic, `nb_visits` of a day has sensitivity 3 (counted visits
/// a visitor can have in a day), so σ = 3 (discrete Gaussian). Two independent samples are equal
/// with probability Σ P[x]² ≈ 1/(2√π·3) ≈ 9.4% (8.5% with the discrete Laplace of scale 3 used
/// before: one pair of releases at ε²/2-zCDP is a little less private than at ε-DP, many releases
/// together far more, `dp::gaussian`), so at least 85% of 200 trials miss (18.8 hits expected,
/// standard deviation 4.1: the 30 allowed are 2.7 deviations above); a withheld answer counts as
/// a miss for the attacker.
#[tokio::test]
async fn the_differencing_attack_fails_against_noise() {
    let (emu, client) = emulator().await;
    let data = emu.dataset();
    // The visits a noisy answer counts: a visitor's first, then any a day or more after the last.
    let within = |v: &matomo_privacy_mcp_testkit::Visit| {
        v.visit_count == 1 || v.details.days_since_last >= 1
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
        Some(1.0),
        "without noise the attack tells that the visit is there"
    );

    const TRIALS: u32 = 200;
    let mut large = 0;
    let mut errors = Vec::new();
    for trial in 0..TRIALS {
        let budget = PrivacyBudget::in_memory(100_000_000, DAY);
        let noisy = toolbox(&client, Some(noise(key(trial), budget))).await;
        match estimate(&noisy, &date, target).await {
            Some(guess) => {
                let error = (guess - 1.0).abs();
                errors.push(error);
                if error > 0.5 {
                    large += 1;
                }
            }
            // A withheld number tells the attacker nothing.
            None => large += 1,
        }
    }
    assert!(
        f64::from(large) >= 0.85 * f64::from(TRIALS),
        "the attack came within half of {target} s in {} of {TRIALS} trials; errors {errors:?}",
        TRIALS - large
    );
    // The noise is not a constant offset: the estimates spread.
    errors.sort_by(f64::total_cmp);
    if let (Some(first), Some(last)) = (errors.first(), errors.last()) {
        assert!(last - first > 2.0, "{errors:?}");
    }
}

/// The same question gets the same noisy answer and costs nothing the second time; another
/// question gets other noise; the answer says it is noisy and how much, and every number
/// carries its interval.
#[tokio::test]
async fn answers_are_consistent_honest_and_charged_once() {
    let (emu, client) = emulator().await;
    let tools = budgeted(&client, 1, 20_000_000).await;
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
    let columns = first["noise"]["metrics"].as_array().unwrap().len();
    assert!(columns >= 2, "{first}");
    // ε = 1 per statistic: one per noisy metric.
    assert_eq!(first["noise"]["epsilon_charged"], columns as f64);
    assert_eq!(
        again["noise"]["epsilon_charged"], 0.0,
        "a repeat costs nothing"
    );
    assert_eq!(again["noise"]["epsilon_left"], 20.0 - columns as f64);
    assert!(text.contains("Numbers are noisy"), "{text}");
    assert!(text.contains("95% interval"), "{text}");
    let plus_minus = first["noise"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "nb_visits")
        .unwrap()["plus_minus"]
        .as_u64()
        .unwrap();
    // A week-long range: at most 9 counted visits a visitor (seven days, and the visits begun
    // before it and on a 25-hour day), each statistic with the whole ε = 1.
    let sigma = matomo_privacy_mcp_core::dp::Sigma::for_epsilon(9 * 9, 1_000_000);
    assert_eq!(plus_minus, sigma.unwrap().interval(0.95));
    // The true count of the counted visits is what the noise is added to: the shown interval
    // is the value ± plus_minus, and holds it well within a generous multiple.
    let truth = emu
        .dataset()
        .visits_in(1, start, end)
        .filter(|v| v.visit_count == 1 || v.details.days_since_last >= 1)
        .count() as f64;
    let shown = first["metrics"]["nb_visits"].as_f64().unwrap();
    let interval = &first["intervals"]["nb_visits"];
    assert_eq!(
        interval[1].as_f64().unwrap(),
        shown + plus_minus as f64,
        "{first}"
    );
    assert!(
        (shown - truth).abs() <= 3.0 * plus_minus as f64,
        "{shown} vs {truth}"
    );
    assert!(text.contains("nb_visits: "), "{text}");
    assert!(
        first["metrics"].get("max_actions").is_none(),
        "maxima have no noise and are left out: {first}"
    );
    let names = |list: &Value, name: &str| {
        list.as_array()
            .is_some_and(|names| names.iter().any(|m| m == name))
    };
    assert!(
        names(&first["noise"]["left_out"], "max_actions")
            || names(&first["withheld_metrics"], "max_actions"),
        "max_actions is named as left out: {first}"
    );
    assert!(
        first["metrics"].get("avg_time_on_site").is_none()
            && names(&first["noise"]["left_out"], "avg_time_on_site"),
        "time on site has no bound that keeps long visits: left out, {first}"
    );
    // Rates come from the noisy counts, with an interval of their own.
    if let (Some(rate), Some(b), Some(v)) = (
        first["metrics"]["bounce_rate"].as_f64(),
        first["metrics"]["bounce_count"].as_f64(),
        first["metrics"]["nb_visits"].as_f64(),
    ) {
        assert!((rate - (b / v).min(1.0)).abs() < 1e-9);
        let interval = &first["intervals"]["bounce_rate"];
        assert!(interval[0].as_f64().unwrap() <= rate && rate <= interval[1].as_f64().unwrap());
    }
    // Another question: a report, with noise of its own and the rows ordered by it.
    let (_, countries, text) = call(
        &tools,
        "countries",
        json!({"site": 1, "period": "range", "date": date}),
    )
    .await;
    assert!(
        countries["noise"]["epsilon_charged"].as_f64().unwrap() >= 1.0,
        "{countries}"
    );
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
    // "Other" comes last; the others by their noisy visits, each with its interval and ranks.
    let named: Vec<&Value> = rows
        .iter()
        .filter(|row| !row["label"].as_str().unwrap().starts_with("Other"))
        .collect();
    let named_visits: Vec<f64> = named
        .iter()
        .map(|row| row["nb_visits"].as_f64().unwrap())
        .collect();
    assert!(named_visits.windows(2).all(|w| w[0] >= w[1]), "{rows:?}");
    for row in &named {
        let interval = row["intervals"]["nb_visits"].as_array().unwrap();
        let visits = row["nb_visits"].as_f64().unwrap();
        assert!(
            interval[1].as_f64().unwrap() - interval[0].as_f64().unwrap() <= visits,
            "{row}"
        );
        let rank = row["rank"].as_array().unwrap();
        assert!(
            rank[0].as_u64().unwrap() <= rank[1].as_u64().unwrap(),
            "{row}"
        );
    }
}

/// One statistic, one release: a day's visits through `visits_summary` and through
/// `metric_trend` are the same number, charged once.
#[tokio::test]
async fn a_statistic_is_the_same_number_through_every_tool_and_charged_once() {
    let (_emu, client) = emulator().await;
    let tools = budgeted(&client, 3, 100_000_000).await;
    let (_, trend, text) = call(
        &tools,
        "metric_trend",
        json!({"site": 1, "metric": "nb_visits", "period": "day", "last": 10}),
    )
    .await;
    let points = trend["points"]
        .as_array()
        .unwrap_or_else(|| panic!("{trend} {text}"));
    let mut compared = 0;
    for point in points {
        let Some(value) = point["value"].as_f64() else {
            continue;
        };
        let date = point["period"].as_str().unwrap();
        let interval = point["interval"]
            .as_array()
            .unwrap_or_else(|| panic!("{point}"));
        assert!(
            interval[0].as_f64().unwrap() <= value && value <= interval[1].as_f64().unwrap(),
            "{point}"
        );
        let (_, summary, _) = summary(&tools, "day", date).await;
        if let Some(visits) = summary["metrics"]["nb_visits"].as_f64() {
            assert_eq!(visits, value, "{date}: {summary}");
            compared += 1;
        }
        // nb_visits was released by the trend: only the summary's other statistics are new.
        let columns = summary["noise"]["metrics"].as_array().unwrap().len() as f64;
        assert_eq!(
            summary["noise"]["epsilon_charged"].as_f64().unwrap(),
            columns - 1.0,
            "{date}: {summary}"
        );
    }
    assert!(compared > 0, "some day is shown by both: {trend}");
}

/// A trend is one question: its points' statistics are charged together or not at all. Refused
/// for the budget, it has spent nothing, so a summary of one of its days still pays for every
/// statistic it shows (none of them was released).
#[tokio::test]
async fn a_trend_refused_for_the_budget_spends_nothing() {
    let (_emu, client) = emulator().await;
    let trend = json!({"site": 1, "metric": "nb_visits", "period": "day", "last": 10});
    let (_, probe, text) = call(
        &budgeted(&client, 4, 100_000_000).await,
        "metric_trend",
        trend.clone(),
    )
    .await;
    let cost = (probe["noise"]["epsilon_charged"]
        .as_f64()
        .unwrap_or_else(|| panic!("{probe} {text}"))
        * 1e6) as u64;
    let first = probe["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|point| point["value"].is_number())
        .unwrap_or_else(|| panic!("a point is shown: {probe}"))["period"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(cost >= 5_000_000, "{probe}");
    let tools = budgeted(&client, 4, cost - 1).await;
    let (error, _, text) = call(&tools, "metric_trend", trend).await;
    assert!(
        error,
        "the trend needs ε {cost} micros, one more than the budget"
    );
    assert!(
        text.contains("the privacy budget of this window is spent"),
        "{text}"
    );
    let (error, summary, text) = summary(&tools, "day", &first).await;
    assert!(!error, "{text}");
    let columns = summary["noise"]["metrics"].as_array().unwrap().len() as f64;
    assert_eq!(
        summary["noise"]["epsilon_charged"].as_f64().unwrap(),
        columns,
        "{first}: nothing of the refused trend was released: {summary}"
    );
}

/// The budget through the tools: spent, refused with its renewal time, kept across a restart
/// (a new deployment over the same file and key), and never overspent by 100 concurrent calls.
#[tokio::test]
async fn the_budget_is_spent_refused_kept_and_never_overspent() {
    let (emu, client) = emulator().await;
    let file = testing::temp_path("dp-budget.json");
    // Four weeks as ranges, each with enough visitors within the bounds to be answered.
    let today = emu.dataset().today;
    let days: Vec<String> = (0..4)
        .map(|i| format!("{},{}", ymd(today.plus(-16 - i)), ymd(today.plus(-10 - i))))
        .collect();
    let ask = |date: &str| json!({"site": 1, "period": "range", "date": date});
    // What one such answer costs: one ε per noisy statistic in it.
    let cost = {
        let probe = budgeted(&client, 70, 100_000_000).await;
        let (_, answer, _) = call(&probe, "visits_summary", ask(&days[0])).await;
        (answer["noise"]["epsilon_charged"].as_f64().unwrap() * 1e6) as u64
    };
    assert!(cost >= 2_000_000);
    {
        let budget = PrivacyBudget::open(3 * cost, DAY, &file).unwrap();
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
    let budget = PrivacyBudget::open(3 * cost, DAY, &file).unwrap();
    let tools = toolbox(&client, Some(noise(key(7), budget))).await;
    let (error, repeat, text) = call(&tools, "visits_summary", ask(&days[0])).await;
    assert!(!error, "{text}");
    assert_eq!(repeat["noise"]["epsilon_charged"], 0.0);
    let (error, _, _) = call(&tools, "visits_summary", ask(&days[3])).await;
    assert!(error, "still spent after the restart");
    let _ = std::fs::remove_file(&file);

    // 100 concurrent calls, each a different question, over a budget of 25 answers (100, not
    // more: each call's requests hold two sockets of this process, the client's and the
    // emulator's, and a fresh machine's default of 1,024 open files is shared with the
    // binary's other tests).
    let file = testing::temp_path("dp-concurrent.json");
    let budget = PrivacyBudget::open(25 * cost, DAY, &file).unwrap();
    let tools = Arc::new(toolbox(&client, Some(noise(key(8), budget))).await);
    let segments: Vec<String> = (0..100)
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
    // Each answer pays for its statistics all or none, so calls racing for the last of the
    // budget never pay a part and are refused: exactly 25 fit.
    assert_eq!(answered, 25, "answers for a budget of 25");
    let reread = PrivacyBudget::open(25 * cost, DAY, &file).unwrap();
    assert!(reread.spend("anyone-else", b"q", 1, 0).is_ok());
    let _ = std::fs::remove_file(&file);
}

/// A relative date is the days it names: `yesterday` and that day's date, `last7` and its seven
/// days, are one statistic each (the same number, charged once), whichever is asked first. The
/// emulator here follows the real clock, as a real Matomo does.
#[tokio::test]
async fn a_relative_date_and_its_days_are_one_statistic() {
    let emu = matomo_privacy_mcp_testkit::Emulator::builder()
        .seed(11)
        .busier(20)
        .view_token(TOKEN, &[1, 2])
        .start()
        .await
        .unwrap();
    let client = testing::client(&emu);
    let tools = budgeted(&client, 5, 100_000_000).await;
    let mut shown = 0;
    for (period, relative) in [("day", "yesterday"), ("range", "last7"), ("month", "today")] {
        let (error, first, text) = summary(&tools, period, relative).await;
        assert!(!error, "{text}");
        // The answer names the days it is about.
        let dated = first["date"].as_str().unwrap().to_owned();
        assert!(
            dated.starts_with("20") && !dated.contains("last") && !dated.contains("day"),
            "{relative}: {first}"
        );
        assert!(first["noise"]["epsilon_charged"].as_f64().unwrap() > 0.0);
        let (error, again, text) = summary(&tools, period, &dated).await;
        assert!(!error, "{text}");
        assert_eq!(again["metrics"], first["metrics"], "{relative} = {dated}");
        shown += usize::from(first["metrics"]["nb_visits"].is_number());
        assert_eq!(
            again["noise"]["epsilon_charged"], 0.0,
            "{relative} = {dated}: released already"
        );
    }
    assert_eq!(shown, 3, "visits shown in {shown} of 3 answers");
}

/// A comparison and an overview are one question each: refused for the budget, neither leaves
/// one of its parts paid for (and free to the next question).
#[tokio::test]
async fn a_question_of_several_answers_refused_for_the_budget_spends_nothing() {
    let (emu, client) = emulator().await;
    let day = ymd(emu.dataset().today.plus(-7));
    let compare =
        json!({"site": 1, "report": "UserCountry.getCountry", "period": "week", "date": day});
    let overview = json!({"site": 1, "period": "week", "date": day});
    let micros = |v: &Value| (v.as_f64().unwrap() * 1e6).round() as u64;
    let probe = budgeted(&client, 6, 100_000_000).await;
    let (_, compared, text) = call(&probe, "compare_periods", compare.clone()).await;
    let current = micros(&compared["current"]["noise"]["epsilon_charged"]);
    let both = current + micros(&compared["previous"]["noise"]["epsilon_charged"]);
    assert!(current > 0 && both > current, "{text}");
    let (_, probed, text) = call(&probe, "site_overview", overview.clone()).await;
    let visits = micros(&probed["visits"]["noise"]["epsilon_charged"]);
    assert!(visits > 0, "{text}");

    // Room for one period of the comparison, not both; then for the overview's visits, not all.
    let tools = budgeted(&client, 6, both - 1).await;
    let (error, _, text) = call(&tools, "compare_periods", compare).await;
    assert!(error, "{text}");
    let (error, countries, text) = call(
        &tools,
        "countries",
        json!({"site": 1, "period": "week", "date": day, "limit": 100}),
    )
    .await;
    assert!(!error, "{text}");
    assert_eq!(
        micros(&countries["noise"]["epsilon_charged"]),
        current,
        "nothing of the refused comparison was released: {countries}"
    );
    let tools = budgeted(&client, 6, visits + 1).await;
    let (error, _, text) = call(&tools, "site_overview", overview).await;
    assert!(error, "{text}");
    let (error, summary, text) = summary(&tools, "week", &day).await;
    assert!(!error, "{text}");
    assert_eq!(
        micros(&summary["noise"]["epsilon_charged"]),
        visits,
        "nothing of the refused overview was released: {summary}"
    );
}

/// The dashboard over two sites, each its own budget account: a site whose budget is spent is
/// refused on its own, while the other is answered (and charged once), rather than the whole
/// dashboard failing after the first site was charged. Mutation-checked: with the site's
/// refusal passed on as the tool's error, the dashboard fails and so does this test.
#[tokio::test]
async fn a_dashboard_refuses_only_the_site_whose_budget_is_spent() {
    let (_emu, client) = emulator().await;
    let month = json!({"period": "month", "date": "2026-11-01"});
    let week = json!({"site": 2, "period": "week", "date": "2026-11-16"});
    let summary_of = |site: u32| json!({"site": site, "period": "month", "date": "2026-11-01"});
    let charged = |answer: &Value| -> u64 {
        (answer["noise"]["epsilon_charged"]
            .as_f64()
            .unwrap_or_else(|| panic!("charged: {answer}"))
            * 1e6) as u64
    };
    // What each question costs, asked of a deployment with budget to spare.
    let probe = budgeted(&client, 90, 100_000_000).await;
    let mut cost = Vec::new();
    for arguments in [summary_of(1), week.clone(), summary_of(2)] {
        let (error, answer, text) = call(&probe, "visits_summary", arguments).await;
        assert!(!error, "{text}");
        cost.push(charged(&answer));
    }
    let (site_1, week_2, month_2) = (cost[0], cost[1], cost[2]);
    let budget = site_1.max(week_2);
    assert!(
        week_2 + month_2 > budget,
        "site 2's week must leave too little for its month: {cost:?}"
    );

    let tools = budgeted(&client, 90, budget).await;
    let (error, _, text) = call(&tools, "visits_summary", week).await;
    assert!(!error, "{text}");
    let (error, dashboard, text) = call(&tools, "all_sites", month).await;
    assert!(
        !error,
        "one site's spent budget fails the dashboard: {text}"
    );
    let sites = dashboard["sites"].as_array().unwrap();
    let site = |id: u64| {
        sites
            .iter()
            .find(|s| s["site"].as_u64() == Some(id))
            .unwrap_or_else(|| panic!("site {id}: {dashboard}"))
    };
    assert_eq!(charged(&site(1)["summary"]), site_1, "{dashboard}");
    assert!(site(2)["summary"].is_null(), "{dashboard}");
    assert!(
        site(2)["refused"]
            .as_str()
            .is_some_and(|reason| reason.contains("the privacy budget of this window is spent")),
        "{dashboard}"
    );
    assert!(text.contains("refused: "), "{text}");
}

/// Per-metric ε for summaries: a visits summary releases its visits, distinct visitors and
/// bounces and names the converting visits it holds back; `all_metrics` releases them too,
/// charging only that one new statistic, the others the same numbers. The overview's visits
/// and a trend's points are those same releases: asked after the summary, they cost nothing
/// for them. Mutation-checked: releasing every count by default fails the first assertion on
/// `not_released` and the charge.
#[tokio::test]
async fn a_summary_releases_what_it_is_read_for_and_the_rest_on_request_once() {
    let (_emu, client) = emulator().await;
    let tools = budgeted(&client, 5, 100_000_000).await;
    let month = json!({"site": 1, "period": "month", "date": "2026-11-01"});
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let released = |answer: &Value| -> Vec<String> {
        let mut names: Vec<String> = answer["noise"]["metrics"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer}"))
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };

    let (error, summary, text) = call(&tools, "visits_summary", month.clone()).await;
    assert!(!error, "{text}");
    assert_eq!(
        released(&summary),
        ["bounce_count", "nb_uniq_visitors", "nb_visits"],
        "{summary}"
    );
    assert_eq!(
        names(&summary["noise"]["not_released"]),
        ["nb_visits_converted"],
        "{summary}"
    );
    assert!(summary["metrics"].get("nb_visits_converted").is_none());
    assert_eq!(summary["noise"]["epsilon_charged"], 3.0, "{summary}");
    assert!(
        text.contains(
            "Not released, to save the privacy budget: nb_visits_converted (all_metrics=true releases them, ε=1 per count)."
        ),
        "{text}"
    );

    let mut all = month.clone();
    all["all_metrics"] = json!(true);
    let (error, every, text) = call(&tools, "visits_summary", all).await;
    assert!(!error, "{text}");
    assert!(every["noise"].get("not_released").is_none(), "{every}");
    assert_eq!(
        every["noise"]["epsilon_charged"], 1.0,
        "only the converting visits are new: {every}"
    );
    for name in [
        "nb_visits",
        "nb_uniq_visitors",
        "bounce_count",
        "bounce_rate",
    ] {
        assert_eq!(
            summary["metrics"][name], every["metrics"][name],
            "{name}: {summary} {every}"
        );
    }

    // The overview's visits are the summary's releases: only its goals and referrer types are new.
    let (error, overview, text) = call(&tools, "site_overview", month.clone()).await;
    assert!(!error, "{text}");
    assert_eq!(
        overview["visits"]["metrics"], summary["metrics"],
        "{overview}"
    );
    assert_eq!(
        overview["visits"]["noise"]["epsilon_charged"], 0.0,
        "{overview}"
    );

    // A trend of months: its November point is the summary's visits, charged before.
    let (error, trend, text) = call(
        &tools,
        "metric_trend",
        json!({"site": 1, "metric": "nb_visits", "period": "month", "last": 2}),
    )
    .await;
    assert!(!error, "{text}");
    let point = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2026-11")
        .unwrap_or_else(|| panic!("{trend}"));
    assert_eq!(
        point["value"].as_f64(),
        summary["metrics"]["nb_visits"].as_f64(),
        "{trend}"
    );
    assert_eq!(trend["noise"]["epsilon_charged"], 0.0, "{trend}");
}
