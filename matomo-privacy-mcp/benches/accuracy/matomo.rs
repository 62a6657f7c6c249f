//! The ground truth: Matomo's own answers (admin token, POST body only), read into rows by
//! label, and the segment of the visits the server counts.

use std::collections::{BTreeMap, HashMap};

use matomo_privacy_mcp_testkit::realistic::MatomoApi;
use serde_json::Value;

/// Matomo's Reporting API with the admin token, answers cached by request.
pub(crate) struct Matomo {
    api: MatomoApi,
    cache: HashMap<String, Value>,
}

impl Matomo {
    pub(crate) fn new(api: MatomoApi) -> Self {
        Self {
            api,
            cache: HashMap::new(),
        }
    }

    pub(crate) async fn call(&mut self, method: &str, params: &[(&str, &str)]) -> Value {
        let key = format!("{method}?{params:?}");
        if let Some(v) = self.cache.get(&key) {
            return v.clone();
        }
        // A truth Matomo would not give is reported, never taken for a number.
        let value = self.api.call(method, params).await.unwrap_or_else(|e| {
            eprintln!("Matomo refused {method} {params:?}: {e}");
            Value::Null
        });
        self.cache.insert(key, value.clone());
        value
    }
}

/// A label as both sides can agree on it: a URL without scheme, host, query or fragment.
pub(crate) fn normalise(label: &str) -> String {
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
pub(crate) fn derived(metric: &str, row: &BTreeMap<String, f64>) -> Option<f64> {
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
pub(crate) fn rows_by_label(answer: &Value, flat: bool) -> BTreeMap<String, BTreeMap<String, f64>> {
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
pub(crate) fn page_segments(answer: &Value, flat: bool) -> BTreeMap<String, Vec<String>> {
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

pub(crate) fn summary_row(answer: &Value) -> BTreeMap<String, f64> {
    answer
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), number(v)?)))
        .collect()
}

/// The server's counting rule as a segment: the default (a visitor's visits a day apart) or,
/// with `--visit-spacing-minutes`, visits that many minutes apart.
pub(crate) static COUNTING: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The segment of the visits the server counts, ANDed with the caller's: the bound the answer's
/// noise note states (`actions_per_visit` for reports with a row per action).
pub(crate) fn counted_segment(
    caller: Option<&str>,
    population: Option<&str>,
    noise: &Value,
) -> String {
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

pub(crate) fn and(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a};{b}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_owned()),
        (None, None) => None,
    }
}

/// Asks Matomo for one summary row or report.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn fetch(
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

/// `VisitsSummary.get` of one period and segment, as one row of numbers.
pub(crate) async fn visits_summary(
    m: &mut Matomo,
    site: u32,
    period: &str,
    date: &str,
    segment: Option<&str>,
) -> BTreeMap<String, f64> {
    summary_row(
        &fetch(
            m,
            site,
            "VisitsSummary.get",
            period,
            date,
            segment,
            &[],
            false,
        )
        .await,
    )
}
