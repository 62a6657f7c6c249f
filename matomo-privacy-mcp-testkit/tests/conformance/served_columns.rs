//! Every column the emulator serves, not only [`COLUMNS`]: each report's rows compared on the
//! union of [`COLUMNS`] and the columns the emulator's rows carry, with Matomo's per-goal
//! columns (`goals`: `idgoal=1` → `nb_conversions`, `revenue`, `nb_conversions_page_rate`, …)
//! flattened into one column each (`goals idgoal=1 nb_conversions`). A column only Matomo sends
//! is not compared here: the emulator does not serve it, and `docs/emulator-differences.md`
//! says why the SDK needs none of them.
//!
//! Asked of [`METHODS`] and of the reports only the `report` tool reads (`Referrers.getAll`,
//! `Contents.getContentNames`, `Contents.getContentPieces`), over the fortnight and over the
//! day, week and month holding the dataset's last days, and of the page, title and content
//! reports under a population count.

use serde_json::{Map, Value};

use super::compare::{Difference, compare};
use super::sides::{Sides, today};
use super::{COLUMNS, METHODS};

/// Reports the emulator serves that the `report` tool reads, beside [`METHODS`], by name.
const MORE_METHODS: &[&str] = &[
    "API.get",
    "Actions.getExitPageTitles",
    "Actions.getPageTitlesFollowingSiteSearch",
    "Actions.getPageUrlsFollowingSiteSearch",
    "Actions.getSiteSearchCategories",
    "Actions.getSiteSearchNoResultKeywords",
    "Contents.getContentNames",
    "Contents.getContentPieces",
    "DevicesDetection.getBrand",
    "DevicesDetection.getBrowserEngines",
    "DevicesDetection.getBrowserVersions",
    "DevicesDetection.getModel",
    "DevicesDetection.getOsFamilies",
    "Referrers.getAll",
    "Resolution.getConfiguration",
    "UserLanguage.getLanguageCode",
];

/// Reports asked under a segment too: where time on page, goal attribution and content counts
/// are.
const UNDER_A_SEGMENT: &[&str] = &[
    "Actions.getPageUrls",
    "Actions.getPageTitles",
    "Actions.getEntryPageUrls",
    "Actions.getExitPageUrls",
    "Referrers.getAll",
    "Contents.getContentNames",
    "Contents.getContentPieces",
];

/// A row with its `goals` object replaced by one column per goal and metric.
fn flatten_row(row: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in row {
        match (key.as_str(), value) {
            ("goals", Value::Object(goals)) => {
                for (goal, metrics) in goals {
                    for (metric, v) in metrics.as_object().into_iter().flatten() {
                        out.insert(format!("goals {goal} {metric}"), v.clone());
                    }
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out
}

/// The answer with every row's goals flattened.
fn flatten(answer: &Value) -> Value {
    match answer {
        Value::Array(rows) => Value::Array(
            rows.iter()
                .map(|r| match r {
                    Value::Object(row) => Value::Object(flatten_row(row)),
                    other => other.clone(),
                })
                .collect(),
        ),
        Value::Object(row) if answer.get("result").is_none() => Value::Object(flatten_row(row)),
        other => other.clone(),
    }
}

/// Ids of the server's own, which a client only sends back to the server that gave them: the
/// real site's id (`idsite` of a goal) and a subtable's (`idsubdatatable`, numbered as each
/// server's archive holds its tables).
const OWN_IDS: &[&str] = &["idsite", "idsubdatatable"];

/// [`COLUMNS`] and every column of the emulator's rows but [`OWN_IDS`].
fn served(emu: &Value) -> Vec<String> {
    let mut columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let rows: Vec<&Map<String, Value>> = match emu {
        Value::Array(rows) => rows.iter().filter_map(Value::as_object).collect(),
        Value::Object(row) => vec![row],
        _ => Vec::new(),
    };
    for row in rows {
        for key in row.keys() {
            if !columns.contains(key) && !OWN_IDS.contains(&key.as_str()) {
                columns.push(key.clone());
            }
        }
    }
    columns
}

/// The differences of every served column between the two answers.
pub(super) fn compare_served(
    question: &str,
    method: &str,
    emu: &Value,
    real: &Value,
) -> Vec<Difference> {
    let (emu, real) = (flatten(emu), flatten(real));
    let columns = served(&emu);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    compare(question, method, &emu, &real, Some(&columns))
}

/// The visitor log's times of each visit, labelled by its first action's time (each server
/// numbers its visits apart): the last action's (`lastActionTimestamp`, `serverTimestamp`,
/// Matomo's `visit_last_action_time`, which a heartbeat leaves alone) and the first's.
fn visit_times(answer: &Value) -> Value {
    let visits = answer.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(
        visits
            .iter()
            .map(|v| {
                let mut row = Map::new();
                let first = v.get("firstActionTimestamp").cloned().unwrap_or_default();
                row.insert("label".into(), first.clone());
                row.insert("firstActionTimestamp".into(), first);
                for column in [
                    "lastActionTimestamp",
                    "serverTimestamp",
                    "lastActionDateTime",
                ] {
                    row.insert(column.into(), v.get(column).cloned().unwrap_or_default());
                }
                Value::Object(row)
            })
            .collect(),
    )
}

/// Asks both servers; the differences and how many questions were asked.
pub async fn questions(sides: &Sides) -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut asked = 0;
    let last_day = today().plus(-3).to_string();
    for method in METHODS.iter().chain(MORE_METHODS) {
        let (e, m) = sides.both(method, "").await;
        differences.extend(compare_served("columns, whole fortnight", method, &e, &m));
        asked += 1;
        for period in ["day", "week", "month"] {
            let (e, m) = sides.both_over(method, "", period, &last_day).await;
            let question = format!("columns, {period} {last_day}");
            differences.extend(compare_served(&question, method, &e, &m));
            asked += 1;
        }
    }
    for method in UNDER_A_SEGMENT {
        let (e, m) = sides
            .both(method, "visitCount==1,daysSinceLastVisit>=1")
            .await;
        differences.extend(compare_served("columns, population count", method, &e, &m));
        asked += 1;
    }
    let method = "Live.getLastVisitsDetails";
    let (e, m) = sides.both(method, "").await;
    let columns = [
        "firstActionTimestamp",
        "lastActionTimestamp",
        "serverTimestamp",
        "lastActionDateTime",
    ];
    differences.extend(compare(
        "visit times, whole fortnight",
        method,
        &visit_times(&e),
        &visit_times(&m),
        Some(&columns),
    ));
    asked += 1;
    // The referrer reports with their subtables, as the SDK reads websites and social networks.
    let (more, more_asked) = super::expanded::questions(sides).await;
    differences.extend(more);
    (differences, asked + more_asked)
}
