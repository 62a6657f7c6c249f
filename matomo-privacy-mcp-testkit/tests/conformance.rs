//! Conformance: the emulator and a real Matomo 5.0.2 holding the same dataset (the emulator's
//! site 1 tracked into a site of its own by [`RealMatomo`]) answer the same question alike: the
//! same rows, the same numbers, the same row segments.
//!
//! Every report and summary the SDK's tools read is asked of both, over the dataset's fortnight
//! (pages and titles flat, as the tools ask) and over a day, a week and a month of Matomo's own
//! (where it counts unique visitors), and then again under the segment shapes the SDK
//! sends: population counts (`visitCount==1,daysSinceLastVisit>=1`, and
//! `secondsSinceLastVisit>=1800` for visits 30 minutes apart), contribution bounds
//! (`visitCount<=2;visitDuration<=1800;actions<=10`), an "Other" negation of rows' own
//! segments, visitor types, a visits-to-conversion range, each row's segment sent back
//! verbatim, and the saved segments. Rows are matched by
//! label; the compared columns are [`COLUMNS`] (what the SDK reads; Matomo's goal-attribution
//! and page-timing columns are not compared).
//!
//! Every difference must be explained by one of [`KNOWN`], whose reasons are those of
//! `docs/emulator-differences.md`; a difference no entry explains fails the test, and so does an
//! entry that no longer explains anything (the list only shrinks as the emulator is fixed).
//!
//! Mutation checks (done on a copy of the checkout, 2026-12-05, with the 112 questions of then,
//! before the 30-minute population count was added; reverted): making the
//! emulator encode page URLs' row segments once instead of twice (`UrlRows::encode` in
//! `reports/actions.rs`) failed this test with 962 unexplained differences, the first
//! "Actions.getPageUrls [/products/] segment: pageUrl==https%3A%2F%2Fshop.example.com%2F… vs
//! pageUrl==https%253A%252F%252Fshop.example.com%252F…"; leaving a visitor's visits numbered
//! in the order they were drawn (not calling `number_visits_in_time_order` in
//! `dataset/generate.rs`) failed it with 194, the first "(population count) VisitsSummary.get
//! [] nb_actions: 782 vs 774".
//!
//! Skipped (one `SKIPPED` line) without a real Matomo, unless `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;
use matomo_privacy_mcp_testkit::realistic::form_encode;
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::Value;

const ROOT: &str = "root-token-0123456789abcdef";
const SEED: u64 = 11;

fn today() -> Day {
    Day::from_ymd(2026, 11, 26).unwrap()
}

/// The report, summary and metadata methods the SDK's tools read.
const METHODS: &[&str] = &[
    "VisitsSummary.get",
    "Goals.get",
    "Actions.getPageUrls",
    "Actions.getPageTitles",
    "Actions.getEntryPageUrls",
    "Actions.getExitPageUrls",
    "Actions.getOutlinks",
    "Actions.getDownloads",
    "Actions.getSiteSearchKeywords",
    "Referrers.getReferrerType",
    "Referrers.getWebsites",
    "Referrers.getSearchEngines",
    "Referrers.getCampaigns",
    "Referrers.getSocials",
    "UserCountry.getCountry",
    "UserCountry.getRegion",
    "UserCountry.getCity",
    "UserCountry.getContinent",
    "DevicesDetection.getType",
    "DevicesDetection.getBrowsers",
    "DevicesDetection.getOsVersions",
    "UserLanguage.getLanguage",
    "Resolution.getResolution",
    "VisitTime.getVisitInformationPerServerTime",
    "VisitTime.getVisitInformationPerLocalTime",
    "VisitTime.getByDayOfWeek",
    "Events.getCategory",
    "Events.getAction",
    "Events.getName",
    "UserId.getUsers",
    "VisitorInterest.getNumberOfVisitsPerVisitDuration",
    "VisitorInterest.getNumberOfVisitsPerPage",
    "VisitorInterest.getNumberOfVisitsByVisitCount",
    "VisitorInterest.getNumberOfVisitsByDaysSinceLast",
    "Goals.getVisitsUntilConversion",
    "Goals.getDaysToConversion",
    "Goals.getGoals",
];

/// The columns compared in every row and summary.
const COLUMNS: &[&str] = &[
    "label",
    "segment",
    "nb_visits",
    "nb_uniq_visitors",
    "sum_daily_nb_uniq_visitors",
    "nb_users",
    "nb_actions",
    "nb_hits",
    "max_actions",
    "bounce_count",
    "sum_visit_length",
    "nb_visits_converted",
    "nb_conversions",
    "revenue",
    "entry_nb_visits",
    "exit_nb_visits",
    "name",
    "match_attribute",
    "pattern",
    "pattern_type",
];

/// A difference between the emulator's answer and Matomo's.
#[derive(Debug)]
struct Difference {
    question: String,
    method: String,
    row: String,
    column: String,
    emulator: String,
    matomo: String,
}

/// An explained difference: in `questions` (prefixes; empty: any) and `methods` (empty: any),
/// of `columns` (`row`: a row only one side has; `zero`: a column the emulator sends as 0 where
/// Matomo leaves it out; `*`: any), with the heading of its reason in
/// `docs/emulator-differences.md`.
struct Known {
    questions: &'static [&'static str],
    methods: &'static [&'static str],
    columns: &'static [&'static str],
    reason: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        questions: &[],
        methods: &[
            "DevicesDetection.getType",
            "DevicesDetection.getBrowsers",
            "DevicesDetection.getOsVersions",
        ],
        columns: &["*"],
        reason: "Devices",
    },
    Known {
        questions: &["saved segment Smartphones"],
        methods: &[],
        columns: &["*"],
        reason: "Devices",
    },
];

fn explains(known: &Known, d: &Difference) -> bool {
    (known.questions.is_empty() || known.questions.iter().any(|q| d.question.starts_with(q)))
        && (known.methods.is_empty() || known.methods.contains(&d.method.as_str()))
        && (known.columns.contains(&"*") || known.columns.contains(&d.column.as_str()))
}

async fn ask(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    site: u32,
    params: &[(&str, &str)],
) -> Value {
    let site = site.to_string();
    let mut pairs = vec![
        ("module", "API"),
        ("format", "JSON"),
        ("idSite", site.as_str()),
        ("token_auth", token),
    ];
    pairs.extend_from_slice(params);
    let body = http
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&pairs))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap_or(Value::String(body))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim_end_matches('%').parse().ok(),
        _ => None,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => (x - y).abs() < 0.006,
        _ => text(a) == text(b),
    }
}

/// The rows of an answer: a report's rows by label, or a summary as one row.
fn rows(v: &Value) -> Vec<(String, &serde_json::Map<String, Value>)> {
    match v {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_object)
            .map(|r| {
                let label = r
                    .get("label")
                    .or_else(|| r.get("name"))
                    .map(text)
                    .unwrap_or_default();
                (label, r)
            })
            .collect(),
        Value::Object(map) => vec![(String::new(), map)],
        _ => Vec::new(),
    }
}

fn compare(question: &str, method: &str, emu: &Value, real: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |row: &str, column: &str, e: String, m: String| {
        out.push(Difference {
            question: question.to_owned(),
            method: method.to_owned(),
            row: row.to_owned(),
            column: column.to_owned(),
            emulator: e,
            matomo: m,
        })
    };
    if !matches!(emu, Value::Array(_) | Value::Object(_))
        || emu.get("result").is_some()
        || real.get("result").is_some()
    {
        if emu != real {
            push("", "answer", emu.to_string(), real.to_string());
        }
        return out;
    }
    let (e_rows, m_rows) = (rows(emu), rows(real));
    for (label, e) in &e_rows {
        let Some((_, m)) = m_rows.iter().find(|(l, _)| l == label) else {
            push(label, "row", "present".into(), "absent".into());
            continue;
        };
        for column in COLUMNS {
            match (e.get(*column), m.get(*column)) {
                (Some(a), Some(b)) if !same(a, b) => push(label, column, text(a), text(b)),
                (Some(a), None) if number(a) == Some(0.0) => {
                    push(&format!("{label}: {column}"), "zero", text(a), "-".into())
                }
                (Some(a), None) => push(label, column, text(a), "-".into()),
                (None, Some(b)) => push(label, column, "-".into(), text(b)),
                _ => {}
            }
        }
    }
    for (label, _) in &m_rows {
        if !e_rows.iter().any(|(l, _)| l == label) {
            push(label, "row", "absent".into(), "present".into());
        }
    }
    out
}

struct Sides {
    http: reqwest::Client,
    emu: Emulator,
    real: RealMatomo,
}

impl Sides {
    async fn both(&self, method: &str, segment: &str) -> (Value, Value) {
        let date = format!("{},{}", today().plus(-14), today());
        self.both_over(method, segment, "range", &date).await
    }

    /// The question over one of Matomo's own periods (`day`, `week`, `month`), where it also
    /// counts unique visitors.
    async fn both_over(
        &self,
        method: &str,
        segment: &str,
        period: &str,
        date: &str,
    ) -> (Value, Value) {
        self.both_with(method, segment, period, date, &[]).await
    }

    /// The question with parameters of its own (`idGoal`, …) beside the period's.
    async fn both_with(
        &self,
        method: &str,
        segment: &str,
        period: &str,
        date: &str,
        extra: &[(&str, &str)],
    ) -> (Value, Value) {
        let flat = if method.starts_with("Actions.") {
            "1"
        } else {
            "0"
        };
        let report = [
            ("method", method),
            ("period", period),
            ("date", date),
            ("segment", segment),
            ("filter_limit", "-1"),
            ("flat", flat),
        ];
        // A metadata method is asked as the SDK asks it (with `filter_limit`, Matomo would
        // answer `Goals.getGoals` as an object keyed by goal id).
        let mut params: Vec<(&str, &str)> = if method == "Goals.getGoals" {
            report[..1].to_vec()
        } else {
            report.to_vec()
        };
        params.extend_from_slice(extra);
        let params = params.as_slice();
        let emu = ask(&self.http, &self.emu.endpoint(), ROOT, 1, params).await;
        let real = ask(
            &self.http,
            &self.real.endpoint(),
            self.real.admin_token(),
            self.real.site(),
            params,
        )
        .await;
        (emu, real)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_answers_as_a_real_matomo_does() {
    let Some(real) = RealMatomo::shared("conformance", SEED, today()).unwrap() else {
        return;
    };
    let emu = Emulator::builder()
        .seed(SEED)
        .today(today())
        .super_user_token(ROOT)
        .start()
        .await
        .unwrap();
    let sides = Sides {
        http: reqwest::Client::new(),
        emu,
        real,
    };
    let mut differences = Vec::new();
    let mut questions = 0;
    for method in METHODS {
        let (e, m) = sides.both(method, "").await;
        differences.extend(compare("whole fortnight", method, &e, &m));
        questions += 1;
    }
    // Matomo's own periods, where it counts unique visitors: a day, the week and the month
    // holding the dataset's last days.
    for (period, date) in [
        ("day", today().plus(-3).to_string()),
        ("week", today().plus(-3).to_string()),
        ("month", today().plus(-3).to_string()),
    ] {
        for method in METHODS {
            let (e, m) = sides.both_over(method, "", period, &date).await;
            differences.extend(compare(&format!("{period} {date}"), method, &e, &m));
            questions += 1;
        }
    }
    // Each day's entry and exit pages, where a folder can hold pages without entries or exits.
    for offset in -14..=0 {
        let date = today().plus(offset).to_string();
        for method in ["Actions.getEntryPageUrls", "Actions.getExitPageUrls"] {
            let (e, m) = sides.both_over(method, "", "day", &date).await;
            differences.extend(compare(&format!("day {date}"), method, &e, &m));
            questions += 1;
        }
    }
    // The conversion reports of each goal and of orders, as `visits_to_conversion` asks them.
    let fortnight = format!("{},{}", today().plus(-14), today());
    for method in [
        "Goals.getVisitsUntilConversion",
        "Goals.getDaysToConversion",
    ] {
        for goal in ["1", "2", "3", "ecommerceOrder"] {
            let (e, m) = sides
                .both_with(method, "", "range", &fortnight, &[("idGoal", goal)])
                .await;
            differences.extend(compare(&format!("idGoal {goal}"), method, &e, &m));
            questions += 1;
        }
    }
    // The segment shapes the SDK sends, each over a summary and a report.
    let (_, pages) = sides.both("Actions.getPageUrls", "").await;
    let page_segments: Vec<String> = rows(&pages)
        .iter()
        .filter_map(|(_, r)| r.get("segment").map(text))
        .collect();
    let (_, countries) = sides.both("UserCountry.getCountry", "").await;
    let (_, types) = sides.both("Referrers.getReferrerType", "").await;
    let other = page_segments
        .iter()
        .take(3)
        .map(|s| s.replacen("==", "!=", 1))
        .collect::<Vec<_>>()
        .join(";");
    let mut shapes = vec![
        (
            "population count".to_owned(),
            "visitCount==1,daysSinceLastVisit>=1".to_owned(),
        ),
        (
            "contribution bounds".to_owned(),
            "visitCount<=2;visitDuration<=1800;actions<=10".to_owned(),
        ),
        ("Other negation".to_owned(), other),
        (
            "population count, visits 30 minutes apart".to_owned(),
            "visitCount==1,secondsSinceLastVisit>=1800".to_owned(),
        ),
        (
            "returning visits".to_owned(),
            "visitorType==returning".to_owned(),
        ),
        (
            "returning customers".to_owned(),
            "visitorType==returningCustomer".to_owned(),
        ),
        (
            "conversion range".to_owned(),
            "visitCount>=2;visitCount<=3;visitConvertedGoalId==1".to_owned(),
        ),
    ];
    for (source, answer) in [
        ("page", &pages),
        ("country", &countries),
        ("channel", &types),
    ] {
        for (label, row) in rows(answer).into_iter().take(6) {
            if let Some(segment) = row.get("segment") {
                shapes.push((format!("{source} row {label}"), text(segment)));
            }
        }
    }
    for saved in sides.emu.dataset().saved_segments.iter().take(2) {
        shapes.push((
            format!("saved segment {}", saved.name),
            saved.definition.clone(),
        ));
    }
    for (name, segment) in &shapes {
        for method in [
            "VisitsSummary.get",
            "UserCountry.getCountry",
            "Actions.getPageUrls",
        ] {
            let (e, m) = sides.both(method, segment).await;
            differences.extend(compare(name, method, &e, &m));
            questions += 1;
        }
    }
    let unexplained: Vec<&Difference> = differences
        .iter()
        .filter(|d| !KNOWN.iter().any(|k| explains(k, d)))
        .collect();
    let stale: Vec<&str> = KNOWN
        .iter()
        .filter(|k| !differences.iter().any(|d| explains(k, d)))
        .map(|k| k.reason)
        .collect();
    let mut report = String::new();
    // CONFORMANCE_LIST=1 lists every difference, explained or not (for maintaining KNOWN).
    let listed: Vec<&Difference> = if std::env::var_os("CONFORMANCE_LIST").is_some() {
        differences.iter().collect()
    } else {
        unexplained.clone()
    };
    for d in &listed {
        report.push_str(&format!(
            "difference ({}): {} [{}] {}: {} vs {}\n",
            d.question, d.method, d.row, d.column, d.emulator, d.matomo
        ));
    }
    assert!(
        unexplained.is_empty()
            && stale.is_empty()
            && std::env::var_os("CONFORMANCE_LIST").is_none(),
        "{questions} questions, {} differences, {} unexplained; entries that explain nothing \
         (remove them from KNOWN and docs/emulator-differences.md): {stale:?}\n{report}",
        differences.len(),
        unexplained.len()
    );
}
