//! Comparing two answers row by row: rows matched by label, then column by column.

use serde_json::{Map, Value};

/// A difference between the emulator's answer and Matomo's.
#[derive(Debug)]
pub struct Difference {
    pub question: String,
    pub method: String,
    pub row: String,
    pub column: String,
    pub emulator: String,
    pub matomo: String,
}

pub fn text(v: &Value) -> String {
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
pub fn rows(v: &Value) -> Vec<(String, &Map<String, Value>)> {
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

/// The differences of `columns` between the two answers; `None` compares every column either
/// side's row has (for answers projected onto what the SDK reads).
pub fn compare(
    question: &str,
    method: &str,
    emu: &Value,
    real: &Value,
    columns: Option<&[&str]>,
) -> Vec<Difference> {
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
        let union: Vec<&str>;
        let columns = match columns {
            Some(c) => c,
            None => {
                let mut keys: Vec<&str> = e.keys().chain(m.keys()).map(String::as_str).collect();
                keys.sort_unstable();
                keys.dedup();
                union = keys;
                &union
            }
        };
        for column in columns {
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
