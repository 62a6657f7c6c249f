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
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use matomo_privacy_mcp::{catalogue, config::Config, startup};
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_testkit::realistic::form_encode;
use serde_json::{Value, json};

struct Opts {
    matomo: String,
    site: u32,
    viewer_token_file: PathBuf,
    admin_token_file: PathBuf,
    trials: u32,
    dump: bool,
    /// `privacy.noise.visit_spacing_minutes`, when the run measures that counting rule instead
    /// of the default.
    visit_spacing_minutes: Option<u32>,
}

fn opts() -> Opts {
    let home = std::env::var("MATOMO_HOME").unwrap_or_else(|_| "/var/lib/matomo-real".to_owned());
    let mut o = Opts {
        matomo: "http://127.0.0.1:8089".to_owned(),
        site: 1,
        viewer_token_file: Path::new(&home).join("run/viewer-token.json"),
        admin_token_file: Path::new(&home).join("run/admin-token.json"),
        trials: 3,
        dump: false,
        visit_spacing_minutes: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--matomo" => o.matomo = it.next().expect("--matomo URL"),
            "--site" => o.site = it.next().expect("--site N").parse().expect("a site id"),
            "--trials" => o.trials = it.next().expect("--trials N").parse().expect("a number"),
            "--dump" => o.dump = true,
            "--visit-spacing-minutes" => {
                let minutes: u32 = it
                    .next()
                    .expect("--visit-spacing-minutes N")
                    .parse()
                    .expect("a number of minutes");
                o.visit_spacing_minutes = Some(minutes);
                let _ = COUNTING.set(format!(
                    "visitCount==1,secondsSinceLastVisit>={}",
                    u64::from(minutes) * 60
                ));
            }
            // cargo bench passes --bench.
            _ => {}
        }
    }
    o
}

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).expect("a private file");
    file.write_all(bytes).expect("the private file written");
}

/// `{"value": "<token>"}` as `matomo-real` writes it.
fn read_token(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value["value"].as_str().map(str::to_owned)
}

/// Matomo's Reporting API with the admin token, answers cached by request.
struct Matomo {
    http: reqwest::Client,
    base: String,
    token: String,
    cache: HashMap<String, Value>,
}

impl Matomo {
    async fn call(&mut self, method: &str, params: &[(&str, &str)]) -> Value {
        let key = format!("{method}?{params:?}");
        if let Some(v) = self.cache.get(&key) {
            return v.clone();
        }
        let mut pairs = vec![
            ("module", "API"),
            ("format", "JSON"),
            ("method", method),
            ("token_auth", self.token.as_str()),
        ];
        pairs.extend_from_slice(params);
        let text = self
            .http
            .post(format!("{}/index.php", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(&pairs))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
            .text()
            .await
            .expect("Matomo's answer");
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        // A truth Matomo would not give is reported, never taken for a number.
        if value.is_null() || value.get("result").and_then(Value::as_str) == Some("error") {
            let what = value
                .get("message")
                .map_or_else(|| "not JSON".to_owned(), Value::to_string);
            eprintln!("Matomo refused {method} {:?}: {what}", &params);
        }
        self.cache.insert(key, value.clone());
        value
    }
}

/// Where the exact value of a question's numbers is in Matomo.
#[derive(Clone)]
enum Truth {
    /// One row of metrics (`VisitsSummary.get`, `Goals.get`), with extra parameters and a
    /// segment the tool adds for its population (`returning_visits`).
    Summary {
        method: &'static str,
        extra: &'static [(&'static str, &'static str)],
        population: Option<&'static str>,
    },
    /// A report's rows, matched by label.
    Report { method: &'static str, flat: bool },
    /// `compare_periods`: the report's rows in each compared period.
    Compare,
    /// `metric_trend`: `VisitsSummary.get` of each point's period.
    Trend,
}

#[derive(Clone)]
struct Question {
    tool: &'static str,
    args: Value,
    truth: Truth,
}

fn report_method(tool: &str) -> Option<(&'static str, bool)> {
    Some(match tool {
        "top_pages" => ("Actions.getPageUrls", true),
        "entry_pages" => ("Actions.getEntryPageUrls", true),
        "page_titles" => ("Actions.getPageTitles", true),
        "site_search_keywords" => ("Actions.getSiteSearchKeywords", false),
        "referrer_types" => ("Referrers.getReferrerType", false),
        "referrer_websites" => ("Referrers.getWebsites", false),
        "search_engines" => ("Referrers.getSearchEngines", false),
        "campaigns" => ("Referrers.getCampaigns", false),
        "social_networks" => ("Referrers.getSocials", false),
        "countries" => ("UserCountry.getCountry", false),
        "device_types" => ("DevicesDetection.getType", false),
        "browsers" => ("DevicesDetection.getBrowsers", false),
        "os_versions" => ("DevicesDetection.getOsVersions", false),
        "visits_per_hour" => ("VisitTime.getVisitInformationPerServerTime", false),
        _ => return None,
    })
}

fn q(tool: &'static str, args: Value) -> Question {
    let truth = match tool {
        "visits_summary" => Truth::Summary {
            method: "VisitsSummary.get",
            extra: &[],
            population: None,
        },
        "returning_visits" => Truth::Summary {
            method: "VisitsSummary.get",
            extra: &[],
            // The tool's own population: Matomo 5.0.2's `visitorType==returning` leaves out
            // returning customers (`visitor_returning` 2), which its returning visits include.
            population: Some("visitorType==returning,visitorType==returningCustomer"),
        },
        "goals_overview" => Truth::Summary {
            method: "Goals.get",
            extra: &[],
            population: None,
        },
        "ecommerce_overview" => Truth::Summary {
            method: "Goals.get",
            extra: &[("idGoal", "ecommerceOrder")],
            population: None,
        },
        "compare_periods" => Truth::Compare,
        "metric_trend" => Truth::Trend,
        other => {
            let (method, flat) = report_method(other).expect("a known report tool");
            Truth::Report { method, flat }
        }
    };
    Question { tool, args, truth }
}

/// The battery: what an analyst of the shop asks about November 2026.
fn battery(site: u32) -> Vec<Question> {
    let s = site;
    let sum = |period: &str, date: &str| json!({"site": s, "period": period, "date": date});
    let seg = |period: &str, date: &str, segment: &str| json!({"site": s, "period": period, "date": date, "segment": segment});
    let rep =
        |period: &str, date: &str| json!({"site": s, "period": period, "date": date, "limit": 10});
    vec![
        q("visits_summary", sum("month", "2026-11-01")),
        q("visits_summary", sum("week", "2026-11-02")),
        q("visits_summary", sum("week", "2026-11-23")),
        q("visits_summary", sum("day", "2026-11-02")),
        q("visits_summary", sum("day", "2026-11-08")),
        q("visits_summary", sum("day", "2026-11-15")),
        q("visits_summary", sum("day", "2026-11-27")),
        q("visits_summary", sum("day", "2026-11-30")),
        q("visits_summary", sum("range", "2026-11-01,2026-11-15")),
        q("visits_summary", sum("range", "2026-11-20,2026-11-30")),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "countryCode==de"),
        ),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "deviceType==smartphone"),
        ),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "countryCode==us"),
        ),
        q(
            "visits_summary",
            seg("week", "2026-11-23", "referrerType==campaign"),
        ),
        q(
            "visits_summary",
            seg("day", "2026-11-27", "countryCode==fr"),
        ),
        q("returning_visits", sum("month", "2026-11-01")),
        q("top_pages", rep("month", "2026-11-01")),
        q("top_pages", rep("week", "2026-11-23")),
        q("top_pages", rep("day", "2026-11-27")),
        q(
            "top_pages",
            json!({"site": s, "period": "month", "date": "2026-11-01", "segment": "countryCode==de", "limit": 10}),
        ),
        q("entry_pages", rep("month", "2026-11-01")),
        q("page_titles", rep("month", "2026-11-01")),
        q("countries", rep("month", "2026-11-01")),
        q("countries", rep("week", "2026-11-09")),
        q("countries", rep("day", "2026-11-27")),
        q(
            "countries",
            json!({"site": s, "period": "month", "date": "2026-11-01", "segment": "deviceType==desktop", "limit": 10}),
        ),
        q("referrer_types", rep("month", "2026-11-01")),
        q("referrer_types", rep("day", "2026-11-27")),
        q("referrer_websites", rep("month", "2026-11-01")),
        q("search_engines", rep("month", "2026-11-01")),
        q("social_networks", rep("month", "2026-11-01")),
        q("campaigns", rep("month", "2026-11-01")),
        q("campaigns", rep("week", "2026-11-23")),
        q("site_search_keywords", rep("month", "2026-11-01")),
        q("device_types", rep("month", "2026-11-01")),
        q("browsers", rep("month", "2026-11-01")),
        q("os_versions", rep("month", "2026-11-01")),
        q(
            "visits_per_hour",
            json!({"site": s, "period": "month", "date": "2026-11-01", "limit": 24}),
        ),
        q("goals_overview", sum("month", "2026-11-01")),
        q(
            "goals_overview",
            json!({"site": s, "period": "month", "date": "2026-11-01", "goal": 1}),
        ),
        q("ecommerce_overview", sum("month", "2026-11-01")),
        q(
            "compare_periods",
            json!({"site": s, "report": "UserCountry.getCountry", "period": "week", "date": "2026-11-23"}),
        ),
        q(
            "compare_periods",
            json!({"site": s, "report": "Referrers.getReferrerType", "period": "week", "date": "2026-11-23"}),
        ),
        q(
            "metric_trend",
            json!({"site": s, "metric": "nb_visits", "period": "day", "last": 40}),
        ),
        q(
            "metric_trend",
            json!({"site": s, "metric": "nb_visits", "period": "week", "last": 6}),
        ),
    ]
}

/// 100 distinct questions an analyst might ask in one day: the battery, then every day of the
/// month, then countries and pages by week and day.
fn hundred(site: u32) -> Vec<Question> {
    let mut questions = battery(site);
    for d in 1..=30 {
        let date = format!("2026-11-{d:02}");
        let question = q(
            "visits_summary",
            json!({"site": site, "period": "day", "date": date}),
        );
        if !questions
            .iter()
            .any(|x| x.tool == question.tool && x.args == question.args)
        {
            questions.push(question);
        }
    }
    let mut d = 1;
    while questions.len() < 100 {
        let date = format!("2026-11-{d:02}");
        for tool in ["countries", "top_pages", "referrer_types"] {
            if questions.len() < 100 {
                questions.push(q(
                    tool,
                    json!({"site": site, "period": "day", "date": date, "limit": 10}),
                ));
            }
        }
        d += 1;
    }
    questions
}

/// The application's default configuration against `matomo` with the viewer token: only the
/// URL, the token's file, the budget file and (for repeatable runs) the noise key are set.
async fn toolbox(o: &Opts, dir: &Path, trial: u32) -> Toolbox<Deployment> {
    std::fs::create_dir_all(dir).expect("a work folder");
    let token = read_token(&o.viewer_token_file).expect("the viewer token");
    let token_file = dir.join("viewer.token");
    write_private(&token_file, token.as_bytes());
    let key_file = dir.join("noise.key");
    std::fs::write(
        &key_file,
        format!("matomo-privacy-mcp accuracy benchmark, noise key of trial {trial:04}"),
    )
    .expect("the key file");
    let budget = dir.join("budget.json");
    let _ = std::fs::remove_file(&budget);
    let mut toml = format!(
        "enabled = true\n[matomo]\nurl = {url:?}\ntoken_file = {token:?}\n[privacy.noise]\nbudget_file = {budget:?}\nkey_file = {key:?}\n",
        url = o.matomo,
        token = token_file.display().to_string(),
        budget = budget.display().to_string(),
        key = key_file.display().to_string(),
    );
    if let Some(minutes) = o.visit_spacing_minutes {
        let _ = writeln!(toml, "visit_spacing_minutes = {minutes}");
    }
    let config = Config::from_toml_str(&toml, |_| None).expect("the configuration");
    let deployment = startup::connect(&config).await.expect("connected");
    catalogue::toolbox(deployment, config.allowed_tools.as_deref()).expect("the toolbox")
}

/// One number an answer shows.
#[derive(Clone, Debug)]
struct Shown {
    question: usize,
    tool: &'static str,
    /// The period kind and date it is about.
    period: String,
    date: String,
    /// The row's label, `None` for a summary.
    label: Option<String>,
    metric: String,
    value: f64,
    interval: Option<(f64, f64)>,
    /// Matomo's value for the caller's segment.
    exact: Option<f64>,
    /// Matomo's value over the visits the server counts.
    counted: Option<f64>,
}

/// A shown metric: name, value and 95 % interval.
type Number = (String, f64, Option<(f64, f64)>);

/// A metric's 95 % intervals: the object's own `intervals` (the new format), else `value ±
/// plus_minus` from the answer's `noise.metrics`.
fn numbers(object: &Value, metrics: &Value, noise: &Value) -> Vec<Number> {
    let mut out = Vec::new();
    let pair = |v: &Value| Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
    if let Some(intervals) = object.get("intervals").and_then(Value::as_object) {
        for (name, interval) in intervals {
            if let Some(value) = metrics.get(name).and_then(Value::as_f64) {
                out.push((name.clone(), value, pair(interval)));
            }
        }
        return out;
    }
    for m in noise["metrics"].as_array().into_iter().flatten() {
        let (Some(name), Some(pm)) = (m["name"].as_str(), m["plus_minus"].as_f64()) else {
            continue;
        };
        if let Some(value) = metrics.get(name).and_then(Value::as_f64) {
            out.push((
                name.to_owned(),
                value,
                Some(((value - pm).max(0.0), value + pm)),
            ));
        }
    }
    out
}

/// A row's metrics: its `metrics` object when it has one, else the row itself.
fn metrics_of(row: &Value) -> &Value {
    row.get("metrics").filter(|m| m.is_object()).unwrap_or(row)
}

/// A label as both sides can agree on it: a URL without scheme, host, query or fragment.
fn normalise(label: &str) -> String {
    let mut text = label.trim();
    if let Some(rest) = text.split_once("://").map(|x| x.1) {
        text = rest.find('/').map_or("/", |i| &rest[i..]);
    }
    let text = text.split(['?', '#']).next().unwrap_or(text);
    text.trim().to_lowercase()
}

/// A Matomo number: JSON numbers, numeric strings, percentages as fractions.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().ok().map(|x| x / 100.0),
            None => s.trim().parse().ok(),
        },
        _ => None,
    }
}

/// Rate metrics Matomo computes from its rows' counts (so summed rows need them recomputed).
fn derived(metric: &str, row: &BTreeMap<String, f64>) -> Option<f64> {
    let get = |k: &str| row.get(k).copied();
    let ratio = |a: &str, b: &str| Some(get(a)? / get(b).filter(|x| *x > 0.0)?);
    let computed = match metric {
        "bounce_rate" => ratio("bounce_count", "nb_visits"),
        "nb_actions_per_visit" => ratio("nb_actions", "nb_visits"),
        "avg_time_on_site" => ratio("sum_visit_length", "nb_visits"),
        "conversion_rate" => ratio("nb_visits_converted", "nb_visits"),
        "exit_rate" => ratio("exit_nb_visits", "nb_visits"),
        _ => None,
    };
    // Matomo's own (rounded) rate where its parts are not in the row.
    computed.or_else(|| get(metric))
}

/// A Matomo answer's rows keyed by normalised label, rows of one label summed (the server
/// merges URLs that differ only in their query string).
///
/// Page reports (`flat`) are keyed by their rows' full `url`; other reports by label (their `url`
/// is, for example, a search engine's home page, the same for all of its rows' kind).
fn rows_by_label(answer: &Value, flat: bool) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for row in answer.as_array().into_iter().flatten() {
        let url = if flat { row["url"].as_str() } else { None };
        let label = url.or_else(|| row["label"].as_str()).unwrap_or_default();
        let entry = out.entry(normalise(label)).or_default();
        for (k, v) in row.as_object().into_iter().flatten() {
            if let Some(x) = number(v) {
                *entry.entry(k.clone()).or_default() += x;
            }
        }
    }
    out
}

/// The own `segment`s of a page report's rows (`pageUrl==…`, `pageTitle==…`) by normalised
/// label, for rows the server merges; empty for other reports.
fn page_segments(answer: &Value, flat: bool) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !flat {
        return out;
    }
    for row in answer.as_array().into_iter().flatten() {
        let label = row["url"]
            .as_str()
            .or_else(|| row["label"].as_str())
            .unwrap_or_default();
        if let Some(segment) = row["segment"].as_str()
            && (segment.starts_with("pageUrl==") || segment.starts_with("pageTitle=="))
        {
            out.entry(normalise(label))
                .or_default()
                .push(segment.to_owned());
        }
    }
    out
}

fn summary_row(answer: &Value) -> BTreeMap<String, f64> {
    answer
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), number(v)?)))
        .collect()
}

/// The server's counting rule as a segment: the default (a visitor's visits a day apart) or,
/// with `--visit-spacing-minutes`, visits that many minutes apart.
static COUNTING: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The segment of the visits the server counts, ANDed with the caller's: the bound the answer's
/// noise note states (`actions_per_visit` for reports with a row per action).
fn counted_segment(caller: Option<&str>, population: Option<&str>, noise: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(caller.map(str::to_owned));
    parts.extend(population.map(str::to_owned));
    parts.push(
        COUNTING
            .get()
            .cloned()
            .unwrap_or_else(|| "visitCount==1,daysSinceLastVisit>=1".to_owned()),
    );
    if let Some(n) = noise["actions_per_visit"].as_u64() {
        parts.push(format!("actions<={n}"));
    }
    parts.join(";")
}

fn and(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a};{b}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_owned()),
        (None, None) => None,
    }
}

/// Asks Matomo for one summary row or report.
#[allow(clippy::too_many_arguments)]
async fn fetch(
    m: &mut Matomo,
    site: u32,
    method: &str,
    period: &str,
    date: &str,
    segment: Option<&str>,
    extra: &[(&str, &str)],
    flat: bool,
) -> Value {
    let id = site.to_string();
    let mut params = vec![("idSite", id.as_str()), ("period", period), ("date", date)];
    if let Some(s) = segment {
        params.push(("segment", s));
    }
    if flat {
        params.push(("flat", "1"));
    }
    params.push(("filter_limit", "-1"));
    params.extend_from_slice(extra);
    m.call(method, &params).await
}

/// What one question's answer showed, with Matomo's exact values beside.
async fn shown_numbers(
    m: &mut Matomo,
    site: u32,
    index: usize,
    question: &Question,
    out: &Value,
) -> Vec<Shown> {
    let args = &question.args;
    let period = args["period"].as_str().unwrap_or("day").to_owned();
    let date = args["date"].as_str().unwrap_or("yesterday").to_owned();
    let caller = args["segment"].as_str();
    let noise = &out["noise"];
    let mut shown = Vec::new();
    let base =
        |label: Option<String>, metric: String, value: f64, interval, p: &str, d: &str| Shown {
            question: index,
            tool: question.tool,
            period: p.to_owned(),
            date: d.to_owned(),
            label,
            metric,
            value,
            interval,
            exact: None,
            counted: None,
        };
    match &question.truth {
        Truth::Summary {
            method,
            extra,
            population,
        } => {
            let mut extra: Vec<(&str, &str)> = extra.to_vec();
            let goal = args["goal"].as_u64().map(|g| g.to_string());
            if let Some(g) = &goal {
                extra.push(("idGoal", g));
            }
            let exact_segment = and(caller, *population);
            let exact = summary_row(
                &fetch(
                    m,
                    site,
                    method,
                    &period,
                    &date,
                    exact_segment.as_deref(),
                    &extra,
                    false,
                )
                .await,
            );
            let counted_seg = counted_segment(caller, *population, noise);
            let counted = summary_row(
                &fetch(
                    m,
                    site,
                    method,
                    &period,
                    &date,
                    Some(&counted_seg),
                    &extra,
                    false,
                )
                .await,
            );
            for (metric, value, interval) in numbers(out, metrics_of(out), noise) {
                let mut s = base(None, metric.clone(), value, interval, &period, &date);
                s.exact = derived(&metric, &exact);
                s.counted = derived(&metric, &counted);
                shown.push(s);
            }
        }
        Truth::Report { method, flat } => {
            let exact_answer = fetch(m, site, method, &period, &date, caller, &[], *flat).await;
            let parts = page_segments(&exact_answer, *flat);
            let exact = rows_by_label(&exact_answer, *flat);
            let counted_seg = counted_segment(caller, None, noise);
            let counted = rows_by_label(
                &fetch(
                    m,
                    site,
                    method,
                    &period,
                    &date,
                    Some(&counted_seg),
                    &[],
                    *flat,
                )
                .await,
                *flat,
            );
            for row in out["rows"].as_array().into_iter().flatten() {
                let Some(label) = row["label"].as_str() else {
                    continue;
                };
                let key = normalise(label);
                for (metric, value, interval) in numbers(row, metrics_of(row), noise) {
                    let mut s = base(
                        Some(label.to_owned()),
                        metric.clone(),
                        value,
                        interval,
                        &period,
                        &date,
                    );
                    s.exact = exact.get(&key).and_then(|r| derived(&metric, r));
                    s.counted = counted.get(&key).and_then(|r| derived(&metric, r));
                    // A page row merged from several URLs (query strings dropped): its visits are
                    // the union of the parts' visits, which Matomo counts under the OR of the
                    // parts' own segments (one visit may view several of them, so the sum of the
                    // parts' visits is too high).
                    if metric == "nb_visits"
                        && let Some(or) =
                            parts.get(&key).filter(|p| p.len() > 1).map(|p| p.join(","))
                    {
                        let exact = and(Some(&or), caller);
                        let union = summary_row(
                            &fetch(
                                m,
                                site,
                                "VisitsSummary.get",
                                &period,
                                &date,
                                exact.as_deref(),
                                &[],
                                false,
                            )
                            .await,
                        );
                        s.exact = union.get("nb_visits").copied();
                        let counted = format!("{or};{counted_seg}");
                        let union = summary_row(
                            &fetch(
                                m,
                                site,
                                "VisitsSummary.get",
                                &period,
                                &date,
                                Some(&counted),
                                &[],
                                false,
                            )
                            .await,
                        );
                        s.counted = union.get("nb_visits").copied();
                    }
                    shown.push(s);
                }
            }
        }
        Truth::Compare => {
            let report = args["report"].as_str().unwrap_or_default();
            let tool = catalogue_tool_of(report);
            let (method, flat) = tool
                .and_then(report_method)
                .unwrap_or((leak(report), false));
            let sides = [("current", &out["current"]), ("previous", &out["previous"])];
            for (side, period_info) in sides {
                let side_date = period_info["date"].as_str().unwrap_or(&date).to_owned();
                let side_noise = if period_info["noise"].is_object() {
                    &period_info["noise"]
                } else {
                    noise
                };
                let exact = rows_by_label(
                    &fetch(m, site, method, &period, &side_date, caller, &[], flat).await,
                    flat,
                );
                let counted_seg = counted_segment(caller, None, side_noise);
                let counted = rows_by_label(
                    &fetch(
                        m,
                        site,
                        method,
                        &period,
                        &side_date,
                        Some(&counted_seg),
                        &[],
                        flat,
                    )
                    .await,
                    flat,
                );
                for row in out["rows"].as_array().into_iter().flatten() {
                    let Some(label) = row["label"].as_str() else {
                        continue;
                    };
                    let metrics = &row[side];
                    if !metrics.is_object() {
                        continue;
                    }
                    let holder = row
                        .get(format!("{side}_intervals"))
                        .map(|i| json!({"intervals": i}))
                        .or_else(|| metrics.get("intervals").map(|i| json!({"intervals": i})))
                        .unwrap_or(Value::Null);
                    let key = normalise(label);
                    for (metric, value, interval) in numbers(&holder, metrics, side_noise) {
                        let mut s = base(
                            Some(label.to_owned()),
                            metric.clone(),
                            value,
                            interval,
                            &period,
                            &side_date,
                        );
                        s.exact = exact.get(&key).and_then(|r| derived(&metric, r));
                        s.counted = counted.get(&key).and_then(|r| derived(&metric, r));
                        shown.push(s);
                    }
                }
            }
        }
        Truth::Trend => {
            let metric = args["metric"].as_str().unwrap_or("nb_visits").to_owned();
            let period = args["period"].as_str().unwrap_or("day").to_owned();
            for point in out["points"].as_array().into_iter().flatten() {
                let (Some(label), Some(value)) =
                    (point["period"].as_str(), point["value"].as_f64())
                else {
                    continue;
                };
                let date = point_date(&period, label);
                // A point's own intervals when the answer gives them (`intervals` like a row's,
                // or one `interval`), else the answer's `plus_minus`.
                let holder = match (point.get("intervals"), point.get("interval")) {
                    (Some(_), _) => point.clone(),
                    (None, Some(interval)) => json!({"intervals": {metric.clone(): interval}}),
                    (None, None) => Value::Null,
                };
                let metrics = json!({metric.clone(): value});
                let exact = summary_row(
                    &fetch(
                        m,
                        site,
                        "VisitsSummary.get",
                        &period,
                        &date,
                        caller,
                        &[],
                        false,
                    )
                    .await,
                );
                let counted_seg = counted_segment(caller, None, noise);
                let counted = summary_row(
                    &fetch(
                        m,
                        site,
                        "VisitsSummary.get",
                        &period,
                        &date,
                        Some(&counted_seg),
                        &[],
                        false,
                    )
                    .await,
                );
                for (metric, value, interval) in numbers(&holder, &metrics, noise) {
                    let mut s = base(None, metric.clone(), value, interval, &period, &date);
                    s.exact = derived(&metric, &exact);
                    s.counted = derived(&metric, &counted);
                    shown.push(s);
                }
            }
        }
    }
    shown
}

/// The date Matomo takes for a trend point's label (`2026-11-25`, `2026-W47` or a range
/// `2026-11-23,2026-11-29`, `2026-11`).
fn point_date(period: &str, label: &str) -> String {
    let first = label.split([',', ' ']).next().unwrap_or(label);
    match period {
        "month" if first.len() == 7 => format!("{first}-01"),
        _ => first.to_owned(),
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn catalogue_tool_of(report: &str) -> Option<&'static str> {
    [
        "top_pages",
        "entry_pages",
        "page_titles",
        "site_search_keywords",
        "referrer_types",
        "referrer_websites",
        "search_engines",
        "campaigns",
        "social_networks",
        "countries",
        "device_types",
        "browsers",
        "os_versions",
        "visits_per_hour",
    ]
    .into_iter()
    .find(|t| report_method(t).is_some_and(|(m, _)| m == report))
}

/// What one question did: answered or refused, its ε charged, its numbers.
struct Asked {
    answered: bool,
    refused_for_budget: bool,
    epsilon: f64,
    out: Value,
    text: String,
}

async fn ask(toolbox: &Toolbox<Deployment>, question: &Question) -> Asked {
    match toolbox
        .call(question.tool, Some(question.args.clone()))
        .await
    {
        Ok(result) => {
            let text = result.text().to_owned();
            let out = result.structured().cloned().unwrap_or(Value::Null);
            let error = result.is_error();
            Asked {
                answered: !error,
                refused_for_budget: error && text.to_lowercase().contains("budget"),
                // A comparison is charged in its two periods' notes.
                epsilon: [
                    &out["noise"],
                    &out["current"]["noise"],
                    &out["previous"]["noise"],
                ]
                .iter()
                .filter_map(|noise| noise["epsilon_charged"].as_f64())
                .sum(),
                out,
                text,
            }
        }
        Err(e) => Asked {
            answered: false,
            refused_for_budget: false,
            epsilon: 0.0,
            out: Value::Null,
            text: e.to_string(),
        },
    }
}

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

#[tokio::main]
async fn main() {
    let o = opts();
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
    let mut m = Matomo {
        http,
        base: o.matomo.clone(),
        token: admin,
        cache: HashMap::new(),
    };
    let id = o.site.to_string();
    let month = m
        .call(
            "VisitsSummary.get",
            &[("idSite", &id), ("period", "month"), ("date", "2026-11-01")],
        )
        .await;
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
            // Recall of Matomo's top 10 rows by visits (exact, caller's segment), month only.
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
                    &fetch(
                        &mut m,
                        o.site,
                        method,
                        "month",
                        "2026-11-01",
                        None,
                        &[],
                        *flat,
                    )
                    .await,
                    *flat,
                );
                let mut top: Vec<(&String, f64)> = exact
                    .iter()
                    .map(|(k, r)| (k, r.get("nb_visits").copied().unwrap_or(0.0)))
                    .collect();
                top.sort_by(|a, b| b.1.total_cmp(&a.1));
                let top: Vec<&String> = top.into_iter().take(10).map(|x| x.0).collect();
                let labels: HashSet<String> = asked.out["rows"]
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
                    let raw = fetch(
                        &mut m,
                        o.site,
                        method,
                        "month",
                        "2026-11-01",
                        None,
                        &[],
                        *flat,
                    )
                    .await;
                    let counted = rows_by_label(
                        &fetch(
                            &mut m,
                            o.site,
                            method,
                            "month",
                            "2026-11-01",
                            Some(&counted_segment(None, None, &asked.out["noise"])),
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
                            &asked.out,
                        ));
                    }
                }
            }
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
    report(
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

#[allow(clippy::too_many_arguments)]
fn report(
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
