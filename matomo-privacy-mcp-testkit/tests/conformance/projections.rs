//! Answers projected onto what the SDK reads of them, as rows `compare` can match: the report
//! catalogue (`API.getReportMetadata`, read by `report_catalogue` and `report`) and the visitor
//! log (`Live.getLastVisitsDetails`, read by `visit_log` through its generaliser).

use serde_json::{Map, Value, json};

use super::compare::text;

/// Each object of an array answer as the row `row` makes of it, in order; any other answer (an
/// error payload) as it is, for `compare` to show.
fn rows(answer: &Value, row: impl Fn(&Map<String, Value>) -> Value) -> Value {
    let Value::Array(items) = answer else {
        return answer.clone();
    };
    Value::Array(items.iter().filter_map(Value::as_object).map(row).collect())
}

/// Each report by `uniqueId`, with its category, name, method and metric columns, what
/// `report_catalogue` shows and `report` checks a method against.
pub fn catalogue(answer: &Value) -> Value {
    rows(answer, |r| {
        let field = |k: &str| r.get(k).map(text).unwrap_or_default();
        let mut metrics: Vec<&str> = r
            .get("metrics")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        metrics.sort_unstable();
        json!({
            "label": field("uniqueId"),
            "category": field("category"),
            "name": field("name"),
            "method": format!("{}.{}", field("module"), field("action")),
            "metrics": metrics.join(","),
        })
    })
}

/// The host of a referrer URL (the generaliser keeps only that).
fn domain(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The visit fields the generaliser reads (the first action's time is the row's label: the
/// fixture tracks the dataset's visitor ids and times, and no two visits start at once).
const VISIT_FIELDS: &[&str] = &[
    "visitorId",
    "userId",
    "visitorType",
    "visitCount",
    "visitDuration",
    "actions",
    "goalConversions",
    "referrerType",
    "referrerName",
    "deviceType",
    "browserName",
    "operatingSystemName",
    "countryCode",
];

/// The action types of conversions, which Matomo and the emulator order differently among a
/// visit's actions (compared as a set, apart from the visit's steps).
const CONVERSIONS: &[&str] = &["goal", "ecommerceOrder", "ecommerceAbandonedCart"];

/// The action type of content impressions and clicks (Matomo's `Action::TYPE_CONTENT`),
/// compared as a set too: the fixture sends a one-action visit's a second before its action.
const CONTENT: &str = "13";

/// A field of an action, empty when absent or null.
fn action_field(a: &Map<String, Value>, k: &str) -> String {
    a.get(k)
        .filter(|x| !x.is_null())
        .map(text)
        .unwrap_or_default()
}

/// Each visit as one row labelled by its first action's time, with the fields the generaliser
/// reads.
pub fn visits(answer: &Value) -> Value {
    rows(answer, |v| {
        let mut row = Map::new();
        let field = |k: &str| v.get(k).map(text).unwrap_or_default();
        row.insert("label".into(), Value::from(field("firstActionTimestamp")));
        for k in VISIT_FIELDS {
            if let Some(x) = v.get(*k).filter(|x| !x.is_null()) {
                row.insert((*k).into(), x.clone());
            }
        }
        if let Some(url) = v.get("referrerUrl").and_then(Value::as_str) {
            row.insert("referrerDomain".into(), Value::from(domain(url)));
        }
        // What the generaliser reads of each action: the steps (type and URL), titles,
        // events and time spent in order, and the conversions as a set.
        let actions: Vec<&Map<String, Value>> = v
            .get("actionDetails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .collect();
        let (conversions, steps): (Vec<_>, Vec<_>) = actions
            .into_iter()
            .partition(|a| CONVERSIONS.contains(&action_field(a, "type").as_str()));
        let (contents, steps): (Vec<_>, Vec<_>) = steps
            .into_iter()
            .partition(|a| action_field(a, "type") == CONTENT);
        let joined = |f: &dyn Fn(&Map<String, Value>) -> String| {
            steps.iter().map(|a| f(a)).collect::<Vec<_>>().join(" > ")
        };
        row.insert(
            "steps".into(),
            Value::from(joined(&|a| {
                format!("{} {}", action_field(a, "type"), action_field(a, "url"))
            })),
        );
        row.insert(
            "titles".into(),
            Value::from(joined(&|a| {
                let title = action_field(a, "pageTitle");
                if title.is_empty() {
                    action_field(a, "title")
                } else {
                    title
                }
            })),
        );
        row.insert(
            "events".into(),
            Value::from(joined(&|a| {
                format!(
                    "{}/{}",
                    action_field(a, "eventCategory"),
                    action_field(a, "eventAction")
                )
            })),
        );
        row.insert(
            "time spent".into(),
            Value::from(joined(&|a| action_field(a, "timeSpent"))),
        );
        let mut names: Vec<String> = conversions
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    action_field(a, "type"),
                    action_field(a, "goalName")
                )
            })
            .collect();
        names.sort_unstable();
        row.insert("conversions".into(), Value::from(names.join(", ")));
        let mut shown: Vec<String> = contents
            .iter()
            .map(|a| {
                format!(
                    "{} {} {}",
                    action_field(a, "url"),
                    action_field(a, "title"),
                    action_field(a, "subtitle")
                )
            })
            .collect();
        shown.sort_unstable();
        row.insert("contents".into(), Value::from(shown.join(", ")));
        Value::Object(row)
    })
}
