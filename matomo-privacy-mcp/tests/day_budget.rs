//! Issue 26: with the application's default configuration (noise on, ε per statistic, budget
//! per token, site and day, counting rule, completion), an analyst's working day of 100
//! distinct questions fits in one day's budget, counted the way the accuracy benchmark counts
//! them (`benches/accuracy/questions.rs`, `hundred`): the battery of summaries, pages, countries,
//! referrers, goals, comparisons and trends, then every day's summary, then countries, pages
//! and referrer types by day. Over the emulator with enough visitors for rows to be shown, so
//! that answers release (and pay for) what they show; a question answered for free because it
//! showed nothing would prove nothing, so the test also asks that most of them paid.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::scratch;
use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{Toolbox, testing};
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::{Value, json};

const TOKEN: &str = "daybudget0123456789abcdef012345";

/// The emulator's today; its dataset holds the 14 days before.
fn today() -> Day {
    Day::from_ymd(2026, 11, 26).unwrap()
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

/// The default configuration: only the Matomo URL, the token, the budget file and the noise
/// key are set, and `extra` in `[privacy.noise]`.
async fn toolbox(emu: &Emulator, name: &str, extra: &str) -> (Toolbox<Deployment>, u64) {
    let dir = scratch::dir(name);
    let toml = format!(
        "enabled = true\n[matomo]\nurl = {url:?}\ntoken_file = {token:?}\n[privacy.noise]\nbudget_file = {budget:?}\nkey_file = {key:?}\n{extra}",
        url = emu.base_url(),
        token = scratch::file(&dir, "token", &format!("{TOKEN}\n")),
        budget = dir.join("budget.json").display().to_string(),
        key = scratch::file(
            &dir,
            "noise.key",
            "the day budget test's noise key, 0123456789"
        ),
    );
    let config = Config::from_toml_str(&toml, |_| None).unwrap();
    let deployment = matomo_privacy_mcp::startup::connect(&config).await.unwrap();
    let budget = config.privacy.noise.budget_micros;
    (
        catalogue::toolbox(deployment, config.allowed_tools.as_deref()).unwrap(),
        budget,
    )
}

/// The benchmark's battery (`benches/accuracy/questions.rs`), on the emulator's fortnight
/// instead of the real site's November: a tool and its arguments but the site, as `name=value`
/// (`{name}` one of the fortnight's dates of [`battery`], a whole number a JSON number).
const BATTERY: &[&str] = &[
    "visits_summary period=month date={month}",
    "visits_summary period=week date={week1}",
    "visits_summary period=week date={week2}",
    "visits_summary period=day date={day13}",
    "visits_summary period=day date={day10}",
    "visits_summary period=day date={day6}",
    "visits_summary period=day date={day3}",
    "visits_summary period=day date={day1}",
    "visits_summary period=range date={range1}",
    "visits_summary period=range date={range2}",
    "visits_summary period=month date={month} segment=countryCode==de",
    "visits_summary period=month date={month} segment=deviceType==smartphone",
    "visits_summary period=month date={month} segment=countryCode==us",
    "visits_summary period=week date={week2} segment=referrerType==campaign",
    "visits_summary period=day date={day3} segment=countryCode==fr",
    "returning_visits period=month date={month}",
    "top_pages period=month date={month} limit=10",
    "top_pages period=week date={week2} limit=10",
    "top_pages period=day date={day3} limit=10",
    "top_pages period=month date={month} segment=countryCode==de limit=10",
    "entry_pages period=month date={month} limit=10",
    "page_titles period=month date={month} limit=10",
    "countries period=month date={month} limit=10",
    "countries period=week date={week1} limit=10",
    "countries period=day date={day3} limit=10",
    "countries period=month date={month} segment=deviceType==desktop limit=10",
    "referrer_types period=month date={month} limit=10",
    "referrer_types period=day date={day3} limit=10",
    "referrer_websites period=month date={month} limit=10",
    "search_engines period=month date={month} limit=10",
    "social_networks period=month date={month} limit=10",
    "campaigns period=month date={month} limit=10",
    "campaigns period=week date={week2} limit=10",
    "site_search_keywords period=month date={month} limit=10",
    "device_types period=month date={month} limit=10",
    "browsers period=month date={month} limit=10",
    "os_versions period=month date={month} limit=10",
    "visits_per_hour period=month date={month} limit=24",
    "goals_overview period=month date={month}",
    "goals_overview period=month date={month} goal=1",
    "ecommerce_overview period=month date={month}",
    "compare_periods report=UserCountry.getCountry period=week date={week2}",
    "compare_periods report=Referrers.getReferrerType period=week date={week2}",
    "metric_trend metric=nb_visits period=day last=40",
    "metric_trend metric=nb_visits period=week last=6",
];

/// The benchmark's battery, on the emulator's fortnight instead of the real site's November.
fn battery() -> Vec<(&'static str, Value)> {
    let day = |back: i64| ymd(today().plus(-back));
    let dates = [
        ("month", "2026-11-01".to_owned()),
        ("week1", day(14)),
        ("week2", day(7)),
        ("range1", format!("{},{}", day(14), day(8))),
        ("range2", format!("{},{}", day(7), day(1))),
        ("day1", day(1)),
        ("day3", day(3)),
        ("day6", day(6)),
        ("day10", day(10)),
        ("day13", day(13)),
    ];
    let date = |name: &str| json!(dates.iter().find(|(n, _)| *n == name).unwrap().1);
    BATTERY
        .iter()
        .map(|question| {
            let mut words = question.split(' ');
            let tool = words.next().unwrap();
            let mut args = json!({"site": 1});
            for word in words {
                let (name, value) = word.split_once('=').unwrap();
                args[name] = match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                    Some(named) => date(named),
                    None => value
                        .parse::<u64>()
                        .map_or_else(|_| json!(value), |n| json!(n)),
                };
            }
            (tool, args)
        })
        .collect()
}

/// 100 distinct questions, as the benchmark's `hundred`: the battery, every day's summary,
/// then countries, pages and referrer types by day.
fn hundred() -> Vec<(&'static str, Value)> {
    let mut questions = battery();
    for back in (0..=14).rev() {
        let question = (
            "visits_summary",
            json!({"site": 1, "period": "day", "date": ymd(today().plus(-back))}),
        );
        if !questions.contains(&question) {
            questions.push(question);
        }
    }
    let mut back = 14;
    while questions.len() < 100 {
        let date = ymd(today().plus(-back));
        for tool in ["countries", "top_pages", "referrer_types"] {
            if questions.len() < 100 {
                questions.push((
                    tool,
                    json!({"site": 1, "period": "day", "date": date, "limit": 10}),
                ));
            }
        }
        back -= 1;
    }
    questions
}

/// The ε an answer charged, in millionths, summed over its parts (`compare_periods` has two).
fn charged(answer: &Value) -> u64 {
    let mut micros = 0;
    if let Some(noise) = answer.get("noise") {
        micros += (noise["epsilon_charged"].as_f64().unwrap_or(0.0) * 1e6).round() as u64;
    }
    for part in ["current", "previous"] {
        if let Some(noise) = answer.get(part).and_then(|p| p.get("noise")) {
            micros += (noise["epsilon_charged"].as_f64().unwrap_or(0.0) * 1e6).round() as u64;
        }
    }
    micros
}

/// The emulator with 30 copies of its visitors: enough for rows to be shown under the default
/// noise and threshold.
async fn busier() -> Emulator {
    testing::busier_emulator(TOKEN, &[1], 30).await
}

/// The day spends about ε 98 of the default 150 (ε 111 when summaries released their converting
/// visits too). Mutation-checked: releasing every count of every report (`Noisy::releasing` not
/// applied in `run_of`) spends the budget after 80 of the 100 questions, and this fails.
#[tokio::test]
async fn a_working_day_of_100_distinct_questions_fits_in_the_default_budget() {
    let emu = busier().await;
    let (tools, budget) = toolbox(&emu, "day-budget", "").await;
    let questions = hundred();
    assert_eq!(questions.len(), 100);
    let (mut answered, mut paid, mut spent) = (0, 0, 0u64);
    let mut refused = Vec::new();
    for (i, (tool, args)) in questions.iter().enumerate() {
        let result = tools.call(tool, Some(args.clone())).await.unwrap();
        let out = result.structured().cloned().unwrap_or(Value::Null);
        if result.is_error() {
            refused.push(format!("{}: {tool} {args}: {}", i + 1, result.text()));
            continue;
        }
        answered += 1;
        let micros = charged(&out);
        paid += usize::from(micros > 0);
        spent += micros;
        eprintln!("{:3} {tool:22} {args} ε {}", i + 1, micros as f64 / 1e6);
    }
    eprintln!(
        "answered {answered}, paid {paid}, spent ε {}",
        spent as f64 / 1e6
    );
    assert!(refused.is_empty(), "refused: {refused:#?}");
    assert!(
        spent <= budget,
        "ε {} spent of the default {}",
        spent as f64 / 1e6,
        budget as f64 / 1e6
    );
    assert!(
        paid >= 80,
        "only {paid} of 100 answers released anything: the day proves nothing"
    );
}

/// The rows' visits of an answer, by label.
fn visits(answer: &Value) -> Vec<(String, f64)> {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| {
            Some((
                row["label"].as_str()?.to_owned(),
                row["nb_visits"].as_f64()?,
            ))
        })
        .collect()
}

/// Per-metric ε keeps one statistic one number: `countries` releases the visits only (the rest
/// named in `noise.not_released`), `report` of the same data with `all_metrics` shows the same
/// visits and pays only for the counts not released before, and asking `countries` again, or
/// `compare_periods` about the same day, costs nothing and shows the same visits.
#[tokio::test]
async fn a_count_released_alone_is_the_same_number_when_more_are_asked() {
    let emu = busier().await;
    // The emulator's fortnight is small: a larger ε shows its rows (the accounting is the same).
    let (tools, _) = toolbox(
        &emu,
        "day-budget-consistency",
        "epsilon_per_statistic = 4.0",
    )
    .await;
    let day = ymd(today().plus(-3));
    let ask = |tool: &str, args: Value| {
        let tools = &tools;
        let tool = tool.to_owned();
        async move {
            let result = tools.call(&tool, Some(args)).await.unwrap();
            assert!(!result.is_error(), "{tool}: {}", result.text());
            (
                result.structured().cloned().unwrap(),
                result.text().to_owned(),
            )
        }
    };
    let scope = json!({"site": 1, "period": "day", "date": day, "limit": 10});
    let (countries, text) = ask("countries", scope.clone()).await;
    let epsilon = countries["noise"]["epsilon"].as_f64().unwrap();
    let shown = visits(&countries);
    assert!(shown.len() >= 3, "{text}");
    for row in countries["rows"].as_array().unwrap() {
        assert!(row.get("bounce_rate").is_none(), "{row}");
        assert!(row.get("nb_visits_converted").is_none(), "{row}");
    }
    let held: Vec<&str> = countries["noise"]["not_released"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        held.contains(&"bounce_count") && held.contains(&"nb_uniq_visitors"),
        "{held:?}"
    );
    assert!(
        text.contains("Not released, to save the privacy budget"),
        "{text}"
    );

    let mut all = scope.clone();
    all["report"] = json!("UserCountry.getCountry");
    all["all_metrics"] = json!(true);
    let (report, _) = ask("report", all).await;
    assert_eq!(visits(&report), shown, "the same visits through `report`");
    assert!(report["noise"].get("not_released").is_none());
    let released = report["noise"]["metrics"].as_array().unwrap().len() as f64;
    assert_eq!(
        report["noise"]["epsilon_charged"].as_f64().unwrap(),
        (released - 1.0) * epsilon,
        "only the counts not released before are charged"
    );
    let names: Vec<&str> = report["noise"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    for name in held {
        assert!(
            names.contains(&name),
            "{name} released with all_metrics: {names:?}"
        );
    }

    let (again, _) = ask("countries", scope).await;
    assert_eq!(again["noise"]["epsilon_charged"], 0.0);
    assert_eq!(visits(&again), shown);
    let (compared, _) = ask(
        "compare_periods",
        json!({"site": 1, "report": "UserCountry.getCountry", "period": "day", "date": day}),
    )
    .await;
    assert_eq!(compared["current"]["noise"]["epsilon_charged"], 0.0);
    for row in compared["rows"].as_array().unwrap() {
        let (Some(label), Some(current)) =
            (row["label"].as_str(), row["current"]["nb_visits"].as_f64())
        else {
            continue;
        };
        if let Some((_, visits)) = shown.iter().find(|(l, _)| l == label) {
            assert_eq!(current, *visits, "{label} in compare_periods");
        }
    }
}
