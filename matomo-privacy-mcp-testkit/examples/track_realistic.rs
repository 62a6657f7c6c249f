//! Sends the realistic month ([`matomo_privacy_mcp_testkit::realistic`]) to a real Matomo and checks what
//! Matomo made of it.
//!
//! ```sh
//! ../shared/matomo/matomo-real install
//! cargo run --release -p matomo-privacy-mcp-testkit --features matomo-api --example track_realistic -- track --matomo http://127.0.0.1:8089 --site 1
//! ../shared/matomo/matomo-real archive 1
//! cargo run --release -p matomo-privacy-mcp-testkit --features matomo-api --example track_realistic -- check --site 1
//! cargo run --release -p matomo-privacy-mcp-testkit --features matomo-api --example track_realistic -- segments --site 1
//! ```
//!
//! `track` adds the goals (`Goals.addGoal`) when the site has none, refuses a site that already
//! has visits in November 2026 (`--force` sends anyway), and sends every visit through the bulk
//! Tracking API in chunks, visitors spread over a few parallel streams (each visitor's requests
//! in time order in one stream, as Matomo needs to recognise the visitor's previous visit).
//! `check` compares `VisitsSummary.get` for the month and each day with the generator's numbers;
//! `segments` compares what some segments select with the generator's knowledge of every visit.
//!
//! The admin token is read from `--token-file` (default `$MATOMO_HOME/run/admin-token.json`,
//! `{"value": "…"}`) and only ever sent in POST bodies; it is never printed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use matomo_privacy_mcp_testkit::Day;
use matomo_privacy_mcp_testkit::realistic::{
    DEFAULT_SEED, GOALS, MatomoApi, RealisticSite, Summary, Visit,
};
use serde_json::Value;

struct Args {
    command: String,
    matomo: String,
    site: u32,
    seed: u64,
    token_file: String,
    chunk: usize,
    streams: usize,
    force: bool,
    /// Only the visits of the first this many visitors (a trial run).
    visitors: Option<u32>,
}

fn args() -> Args {
    let home = std::env::var("MATOMO_HOME").unwrap_or_else(|_| "/var/lib/matomo-real".to_owned());
    let mut a = Args {
        command: "track".to_owned(),
        matomo: "http://127.0.0.1:8089".to_owned(),
        site: 1,
        seed: DEFAULT_SEED,
        token_file: format!("{home}/run/admin-token.json"),
        chunk: 300,
        streams: 3,
        force: false,
        visitors: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--matomo" => a.matomo = value().trim_end_matches('/').to_owned(),
            "--site" => a.site = value().parse().expect("--site is a number"),
            "--seed" => a.seed = value().parse().expect("--seed is a number"),
            "--token-file" => a.token_file = value(),
            "--chunk" => a.chunk = value().parse().expect("--chunk is a number"),
            "--streams" => a.streams = value().parse().expect("--streams is a number"),
            "--force" => a.force = true,
            "--visitors" => a.visitors = Some(value().parse().expect("--visitors is a number")),
            "track" | "check" | "segments" => a.command = arg,
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// Matomo's APIs with the admin token; a call that fails ends the run.
struct Api(MatomoApi);

impl Api {
    async fn call(&self, method: &str, params: &[(&str, &str)]) -> Value {
        self.0
            .call(method, params)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn month_summary(&self, site: u32) -> Value {
        self.0
            .month_summary(site)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn read_token(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value: Value = serde_json::from_str(&text).expect("a token file of {\"value\": …}");
    value["value"]
        .as_str()
        .expect("a token file of {\"value\": …}")
        .to_owned()
}

#[tokio::main]
async fn main() {
    let a = args();
    let api = Api(MatomoApi::new(
        reqwest::Client::new(),
        a.matomo.clone(),
        read_token(&a.token_file),
    ));
    let started = Instant::now();
    let mut site = RealisticSite::generate(a.seed);
    if let Some(n) = a.visitors {
        site.visits.retain(|v| v.visitor < n);
    }
    let month = site.summary(site.first_day, site.last_day());
    eprintln!(
        "generated seed {} in {:.1}s: {} visits, {} visitors, {} actions",
        a.seed,
        started.elapsed().as_secs_f64(),
        month.nb_visits,
        month.nb_uniq_visitors,
        month.nb_actions
    );
    match a.command.as_str() {
        "track" => track(&api, &a, &site).await,
        "check" => check(&api, a.site, &site).await,
        _ => segments(&api, a.site, &site).await,
    }
}

async fn ensure_goals(api: &Api, site: u32) {
    let id = site.to_string();
    let goals = api.call("Goals.getGoals", &[("idSite", &id)]).await;
    let existing: Vec<String> = match &goals {
        Value::Object(map) => map
            .values()
            .filter_map(|g| g["name"].as_str().map(str::to_owned))
            .collect(),
        Value::Array(list) => list
            .iter()
            .filter_map(|g| g["name"].as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if !existing.is_empty() {
        let wanted: Vec<&str> = GOALS.iter().map(|g| g.name).collect();
        assert_eq!(
            existing, wanted,
            "site {site} has other goals than the generator's"
        );
        return;
    }
    for goal in &GOALS {
        let revenue = format!(
            "{}.{:02}",
            goal.revenue_cents / 100,
            goal.revenue_cents % 100
        );
        let added = api
            .call(
                "Goals.addGoal",
                &[
                    ("idSite", &id),
                    ("name", goal.name),
                    ("matchAttribute", "manually"),
                    ("pattern", "manually"), // required, unused by manual goals
                    ("patternType", "contains"),
                    ("revenue", &revenue),
                ],
            )
            .await;
        let given = added["value"].as_u64().or_else(|| added.as_u64());
        assert_eq!(
            given,
            Some(u64::from(goal.id)),
            "goal {} got id {added}",
            goal.name
        );
        eprintln!("goal {} \"{}\" added", goal.id, goal.name);
    }
}

async fn track(api: &Api, a: &Args, site: &RealisticSite) {
    let existing = api.month_summary(a.site).await;
    let already = existing["nb_visits"].as_u64().unwrap_or(0);
    if already > 0 && !a.force {
        eprintln!(
            "site {} already has {already} visits in November 2026: not tracking again (--force to send anyway)",
            a.site
        );
        std::process::exit(1);
    }
    ensure_goals(api, a.site).await;
    // Each visitor's requests stay in one stream, in time order.
    let mut streams: Vec<Vec<(i64, String)>> = vec![Vec::new(); a.streams.max(1)];
    for visit in &site.visits {
        let stream = visit.visitor as usize % streams.len();
        let times = visit
            .actions
            .iter()
            .map(|x| x.ts)
            .chain(visit.conversions.iter().map(|c| c.ts));
        let mut times: Vec<i64> = times.collect();
        times.sort_unstable();
        for (ts, request) in times.into_iter().zip(visit.tracking_requests(a.site)) {
            streams[stream].push((ts, request));
        }
    }
    let total: usize = streams.iter().map(Vec::len).sum();
    eprintln!(
        "sending {total} requests in {} streams of chunks of {}",
        streams.len(),
        a.chunk
    );
    let started = Instant::now();
    let api = std::sync::Arc::new(api.0.clone());
    let mut tasks = Vec::new();
    for (n, mut stream) in streams.into_iter().enumerate() {
        // Stable: a visit's conversion follows its action of the same second.
        stream.sort_by_key(|(ts, _)| *ts);
        let api = std::sync::Arc::clone(&api);
        let chunk = a.chunk;
        tasks.push(tokio::spawn(async move {
            let requests: Vec<String> = stream.into_iter().map(|(_, r)| r).collect();
            let mut sent = 0;
            for part in requests.chunks(chunk) {
                let answer = api.track(part).await.unwrap_or_else(|e| panic!("{e}"));
                let tracked = answer["tracked"].as_u64().unwrap_or(0) as usize;
                let invalid = answer["invalid"].as_u64().unwrap_or(0);
                assert!(
                    tracked == part.len() && invalid == 0,
                    "stream {n}: chunk at {sent}: {answer}"
                );
                sent += part.len();
                if (sent / chunk).is_multiple_of(50) {
                    eprintln!("stream {n}: {sent} of {}", requests.len());
                }
            }
            sent
        }));
    }
    let mut sent = 0;
    for task in tasks {
        sent += task.await.expect("a stream");
    }
    eprintln!(
        "tracked {sent} requests in {:.0}s; now run: matomo-real archive {}",
        started.elapsed().as_secs_f64(),
        a.site
    );
}

fn summary_row(label: &str, truth: &Summary, matomo: &Value) -> bool {
    // Matomo answers an empty day with `[]`: zeros.
    let get = |k: &str| {
        if matomo.is_array() {
            0
        } else {
            matomo[k].as_u64().unwrap_or(u64::MAX)
        }
    };
    let pairs = [
        ("nb_visits", truth.nb_visits, get("nb_visits")),
        (
            "nb_uniq_visitors",
            truth.nb_uniq_visitors,
            get("nb_uniq_visitors"),
        ),
        ("nb_actions", truth.nb_actions, get("nb_actions")),
        ("bounce_count", truth.bounce_count, get("bounce_count")),
        (
            "sum_visit_length",
            truth.sum_visit_length,
            get("sum_visit_length"),
        ),
        ("max_actions", truth.max_actions, get("max_actions")),
        (
            "nb_visits_converted",
            truth.nb_visits_converted,
            get("nb_visits_converted"),
        ),
    ];
    let same = pairs.iter().all(|(_, t, m)| t == m);
    let cells: Vec<String> = pairs
        .iter()
        .map(|(k, t, m)| {
            if t == m {
                format!("{k} {t}")
            } else {
                format!("{k} {t} ≠ Matomo {m}")
            }
        })
        .collect();
    println!(
        "{label}: {} {}",
        if same { "same" } else { "DIFFERENT" },
        cells.join(", ")
    );
    same
}

async fn check(api: &Api, site_id: u32, site: &RealisticSite) {
    let id = site_id.to_string();
    let month = api.month_summary(site_id).await;
    let mut all_same = summary_row(
        "2026-11",
        &site.summary(site.first_day, site.last_day()),
        &month,
    );
    let range = format!("{},{}", site.first_day, site.last_day());
    let days = api
        .call(
            "VisitsSummary.get",
            &[("idSite", &id), ("period", "day"), ("date", &range)],
        )
        .await;
    let mut differing = 0;
    for d in 0..site.days {
        let day = site.first_day.plus(d);
        let label = day.to_string();
        let quiet = summary_row(&label, &site.summary(day, day), &days[&label]);
        differing += usize::from(!quiet);
    }
    for week in [
        Day::from_ymd(2026, 11, 9).unwrap(),
        Day::from_ymd(2026, 11, 23).unwrap(),
    ] {
        let label = week.to_string();
        let matomo = api
            .call(
                "VisitsSummary.get",
                &[("idSite", &id), ("period", "week"), ("date", &label)],
            )
            .await;
        all_same &= summary_row(
            &format!("week of {label}"),
            &site.summary(week, week.plus(6)),
            &matomo,
        );
    }
    println!(
        "{} of {} days differ; month and weeks {}",
        differing,
        site.days,
        if all_same { "the same" } else { "DIFFERENT" }
    );
}

/// A segment and what the generator says it selects.
struct Case {
    segment: String,
    meaning: &'static str,
    selects: Box<dyn Fn(&Visit) -> bool>,
}

async fn segments(api: &Api, site_id: u32, site: &RealisticSite) {
    let id = site_id.to_string();
    // The two most viewed URLs of the month, for an OR of two row segments as Matomo writes them.
    let pages = api
        .call(
            "Actions.getPageUrls",
            &[
                ("idSite", &id),
                ("period", "month"),
                ("date", "2026-11-01"),
                ("flat", "1"),
                ("filter_limit", "2"),
            ],
        )
        .await;
    let row_segments: Vec<String> = pages
        .as_array()
        .expect("page rows")
        .iter()
        .map(|r| r["segment"].as_str().expect("a row segment").to_owned())
        .collect();
    let row_urls: Vec<String> = pages
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap_or_default().to_owned())
        .collect();
    println!("row segments: {row_segments:?} ({row_urls:?})");
    let urls = row_urls.clone();
    let cases = vec![
        Case {
            segment: "visitCount==1,daysSinceLastVisit>=1".to_owned(),
            meaning: "a first visit, or one starting at least 86,400 s after the first action of the visitor's previous visit",
            selects: Box::new(|v: &Visit| {
                v.visit_count == 1 || v.seconds_since_last.is_some_and(|s| s >= 86_400)
            }),
        },
        Case {
            segment: "visitCount<=2;visitDuration<=1800;actions<=10".to_owned(),
            meaning: "visit number ≤ 2, Matomo's visit_total_time ≤ 1,800 s, at most 10 actions",
            selects: Box::new(|v: &Visit| {
                v.visit_count <= 2 && v.matomo_visit_total_time() <= 1_800 && v.nb_actions() <= 10
            }),
        },
        Case {
            segment: row_segments.join(","),
            meaning: "visits with at least one page view of either URL (query strings included as tracked)",
            selects: Box::new(move |v: &Visit| {
                v.actions.iter().any(|a| {
                    matches!(
                        a.kind,
                        matomo_privacy_mcp_testkit::realistic::ActionKind::Page { .. }
                    ) && urls.contains(&a.url)
                })
            }),
        },
        Case {
            segment: "daysSinceLastVisit>=8".to_owned(),
            meaning: "a returning visit starting at least 8 × 86,400 s after the previous visit's first action",
            selects: Box::new(|v: &Visit| v.seconds_since_last.is_some_and(|s| s >= 8 * 86_400)),
        },
        Case {
            segment: "daysSinceLastVisit==0".to_owned(),
            meaning: "first visits (Matomo stores 0) and returns within 86,400 s",
            selects: Box::new(|v: &Visit| v.seconds_since_last.is_none_or(|s| s < 86_400)),
        },
        Case {
            segment: "visitCount>=2".to_owned(),
            meaning: "returning visits",
            selects: Box::new(|v: &Visit| v.visit_count >= 2),
        },
    ];
    let periods: Vec<(String, String, Day, Day)> = vec![
        (
            "month".into(),
            "2026-11-01".into(),
            site.first_day,
            site.last_day(),
        ),
        (
            "week".into(),
            "2026-11-23".into(),
            Day::from_ymd(2026, 11, 23).unwrap(),
            Day::from_ymd(2026, 11, 29).unwrap(),
        ),
        (
            "day".into(),
            "2026-11-27".into(),
            Day::from_ymd(2026, 11, 27).unwrap(),
            Day::from_ymd(2026, 11, 27).unwrap(),
        ),
        (
            "day".into(),
            "2026-11-02".into(),
            Day::from_ymd(2026, 11, 2).unwrap(),
            Day::from_ymd(2026, 11, 2).unwrap(),
        ),
    ];
    for case in &cases {
        println!("\n{} — {}", case.segment, case.meaning);
        for (period, date, from, to) in &periods {
            let truth = RealisticSite::summarise(
                site.visits_between(*from, *to)
                    .filter(|v| (case.selects)(v)),
            );
            let matomo = api
                .call(
                    "VisitsSummary.get",
                    &[
                        ("idSite", &id),
                        ("period", period),
                        ("date", date),
                        ("segment", &case.segment),
                    ],
                )
                .await;
            summary_row(&format!("  {period} {date}"), &truth, &matomo);
        }
    }
    // Visit by visit on one day: which visits each segment selects (Live, admin token).
    let day = "2026-11-27";
    let the_day = Day::parse(day).unwrap();
    let by_visitor_time: HashMap<(String, i64), &Visit> = site
        .visits_between(the_day, the_day)
        .map(|v| ((v.visitor_id.clone(), v.first_ts()), v))
        .collect();
    for case in &cases {
        let live = api
            .call(
                "Live.getLastVisitsDetails",
                &[
                    ("idSite", &id),
                    ("period", "day"),
                    ("date", day),
                    ("segment", &case.segment),
                    ("filter_limit", "-1"),
                    ("doNotFetchActions", "1"),
                ],
            )
            .await;
        let selected: HashSet<(String, i64)> = live
            .as_array()
            .expect("visits")
            .iter()
            .map(|v| {
                (
                    v["visitorId"].as_str().unwrap_or_default().to_owned(),
                    v["firstActionTimestamp"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        let meant: HashSet<(String, i64)> = by_visitor_time
            .iter()
            .filter(|(_, v)| (case.selects)(v))
            .map(|(k, _)| k.clone())
            .collect();
        let missing = meant.difference(&selected).count();
        let extra = selected.difference(&meant).count();
        println!(
            "Live {day} {}: Matomo {} visits, generator {}, {} the generator selects and Matomo not, {} Matomo selects and the generator not",
            case.segment,
            selected.len(),
            meant.len(),
            missing,
            extra
        );
    }
    // How the visit counts and days since the last visit are spread, for the record.
    let mut gaps: BTreeMap<i64, usize> = BTreeMap::new();
    for v in &site.visits {
        if let Some(s) = v.seconds_since_last {
            *gaps.entry(s / 86_400).or_default() += 1;
        }
    }
    println!("\nreturning visits by whole days since the previous visit's first action: {gaps:?}");
}
