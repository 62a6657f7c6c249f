//! One audit record: who called which tool on what, what class came out, how it ended.

use serde::Serialize;
use serde_json::Value;

use crate::privacy::PrivacyClass;

/// The MCP client that made a call, as it named itself in `initialize`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClientInfo {
    /// The client's name, such as `claude-desktop`.
    pub name: String,
    /// The client's version.
    pub version: String,
}

/// Where a call came from: the protocol layer fills this in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOrigin {
    /// The JSON-RPC request id, or one the server made up.
    pub request_id: String,
    /// The client, when known.
    pub client: Option<ClientInfo>,
    /// The client profile the caller authenticated as (a server with several), when known.
    pub profile: Option<String>,
}

/// How a call ended, without any message text (messages can echo argument values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The tool returned a result.
    Ok,
    /// The arguments were refused.
    InvalidArguments,
    /// Matomo failed.
    UpstreamFailure,
    /// A privacy rule refused the call or withheld its result.
    PolicyRefusal,
    /// The tool failed.
    InternalError,
    /// No such tool.
    UnknownTool,
    /// The tool is above the deployment ceiling.
    AboveCeiling,
}

/// One line of the audit log. It never holds data values or the token: only
/// names, numbers, and the shape of the request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRecord {
    /// When the call ended (RFC 3339, UTC).
    pub timestamp: String,
    /// The request id.
    pub request_id: String,
    /// The client, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientInfo>,
    /// The client profile of the caller: the operator's name for it, never a credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The tool that was called.
    pub tool: String,
    /// The site ids the call asked for (left out for a call that names none, such as `list_sites`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<u64>,
    /// The period asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The date asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The segment's dimension names (never its values).
    pub segment_dimensions: Vec<String>,
    /// The highest class the result could expose (the tool's class); `None` if nothing was returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_exposed: Option<PrivacyClass>,
    /// Rows in the result, when it is a report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_returned: Option<u64>,
    /// Rows withheld by the small-count threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_suppressed: Option<u64>,
    /// The privacy loss ε the answer took from the budget (0 for a repeated answer), when
    /// it carried noise; summed over the parts of an answer with several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epsilon_charged: Option<f64>,
    /// How the call ended.
    pub outcome: Outcome,
    /// Wall-clock time of the call, in milliseconds.
    pub duration_ms: f64,
}

/// What the audit log takes from a call's arguments, by the built-in tools' conventions:
/// `site`/`sites`, `period`, `date`, `segment`. Anything not shaped like what it should be is
/// recorded as `"<invalid>"`, so that a hostile argument never lands in the log.
pub(crate) struct RequestShape {
    pub sites: Vec<u64>,
    pub period: Option<String>,
    pub date: Option<String>,
    pub segment_dimensions: Vec<String>,
}

const INVALID: &str = "<invalid>";

impl ClientInfo {
    /// The client as the audit log records it: the name and version each at most 64 characters
    /// of letters, digits and `.-_ ()@/+`, anything else `<invalid>`. A client names itself, so
    /// what it sends is its own text, which must not land in the log as it is.
    pub(crate) fn for_audit(&self) -> Self {
        let clean = |text: &str| {
            let ok = !text.is_empty()
                && text.chars().count() <= 64
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " .-_()@/+".contains(c));
            if ok {
                text.to_owned()
            } else {
                INVALID.to_owned()
            }
        };
        Self {
            name: clean(&self.name),
            version: clean(&self.version),
        }
    }
}

impl RequestShape {
    pub(crate) fn from_arguments(arguments: &Value) -> Self {
        let sites = ["site", "sites", "idSite"]
            .iter()
            .filter_map(|key| arguments.get(key))
            .flat_map(|value| match value {
                Value::Array(items) => items.iter().filter_map(Value::as_u64).collect(),
                other => other.as_u64().into_iter().collect::<Vec<_>>(),
            })
            .collect();
        let period = arguments.get("period").map(|p| match p.as_str() {
            Some(p @ ("day" | "week" | "month" | "year" | "range")) => p.to_owned(),
            _ => INVALID.to_owned(),
        });
        let date = arguments.get("date").map(|d| match d.as_str() {
            Some(d) if is_date_like(d) => d.to_owned(),
            _ => INVALID.to_owned(),
        });
        let segment_dimensions = arguments
            .get("segment")
            .and_then(Value::as_str)
            .map(segment_dimension_names)
            .unwrap_or_default();
        Self {
            sites,
            period,
            date,
            segment_dimensions,
        }
    }
}

/// Whether `date` is a date Matomo takes (`2026-11-25`, `yesterday`, `last7`, a range): only
/// then is it recorded as it is; "johnsmith" is not a date, and is recorded as `<invalid>`.
fn is_date_like(date: &str) -> bool {
    date.len() <= 32 && date.parse::<crate::params::Date>().is_ok()
}

/// The dimension names of a segment expression (the text before each operator), values dropped.
fn segment_dimension_names(segment: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for condition in split_unescaped(segment) {
        let end = condition
            .find(['=', '!', '<', '>'])
            .unwrap_or(condition.len());
        let name = &condition[..end];
        let name = if !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            name.to_owned()
        } else {
            INVALID.to_owned()
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn split_unescaped(segment: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in segment.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ';' | ',' if !escaped => {
                parts.push(&segment[start..i]);
                start = i + 1;
            }
            _ => escaped = false,
        }
    }
    parts.push(&segment[start..]);
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Rows returned and suppressed, read from a result by the built-in tools' conventions:
/// a `rows` array and a `suppressed_rows` number at the top level.
pub(crate) fn row_counts(structured: &Value) -> (Option<u64>, Option<u64>) {
    let returned = structured
        .get("rows")
        .and_then(Value::as_array)
        .map(|rows| rows.len() as u64);
    let suppressed = structured.get("suppressed_rows").and_then(Value::as_u64);
    (returned, suppressed)
}

/// The ε a result's noise notes say was charged (`noise.epsilon_charged`, at the top level or
/// in the result's parts); `None` when no part carried noise.
pub(crate) fn epsilon_charged(structured: &Value) -> Option<f64> {
    let charged = |value: &Value| {
        value
            .get("noise")
            .and_then(|noise| noise.get("epsilon_charged"))
            .and_then(Value::as_f64)
    };
    let parts = structured
        .as_object()
        .into_iter()
        .flat_map(|object| object.values())
        .filter_map(charged);
    let all: Vec<f64> = charged(structured).into_iter().chain(parts).collect();
    // Millionths, as the budget counts them: no float noise in the log.
    (!all.is_empty()).then(|| (all.iter().sum::<f64>() * 1e6).round() / 1e6)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dates_and_clients_are_recorded_only_when_they_look_like_what_they_are() {
        for (date, recorded) in [
            ("2026-11-25", "2026-11-25"),
            ("yesterday", "yesterday"),
            ("last7", "last7"),
            ("2026-11-01,2026-11-25", "2026-11-01,2026-11-25"),
            ("johnsmith", INVALID),
            ("jane@example.com", INVALID),
        ] {
            let shape = RequestShape::from_arguments(&json!({ "date": date }));
            assert_eq!(shape.date.as_deref(), Some(recorded), "{date}");
        }
        let client = ClientInfo {
            name: "claude-desktop".into(),
            version: "1.0.0 (build 7)".into(),
        };
        assert_eq!(client.for_audit(), client);
        let hostile = ClientInfo {
            name: "Jane Doe <jane@example.com>\n{\"tool\":\"x\"}".into(),
            version: "x".repeat(200),
        };
        assert_eq!(hostile.for_audit().name, INVALID);
        assert_eq!(hostile.for_audit().version, INVALID);
    }

    #[test]
    fn epsilon_is_read_from_every_noise_note() {
        assert_eq!(epsilon_charged(&json!({"rows": []})), None);
        assert_eq!(
            epsilon_charged(&json!({"noise": {"epsilon_charged": 0.5}})),
            Some(0.5)
        );
        let parts = json!({
            "visits": {"noise": {"epsilon_charged": 1.0}},
            "goals": {"noise": {"epsilon_charged": 0.0}},
            "referrer_types": {"noise": {"epsilon_charged": 0.1}}
        });
        assert_eq!(epsilon_charged(&parts), Some(1.1));
    }

    #[test]
    fn request_shape_keeps_names_and_drops_values() {
        let shape = RequestShape::from_arguments(&json!({
            "sites": [1, 3],
            "period": "day",
            "date": "last7",
            "segment": "countryCode==de;userId==jane@example.com,pageUrl=@reset\\;token"
        }));
        assert_eq!(shape.sites, [1, 3]);
        assert_eq!(shape.period.as_deref(), Some("day"));
        assert_eq!(shape.date.as_deref(), Some("last7"));
        assert_eq!(
            shape.segment_dimensions,
            ["countryCode", "userId", "pageUrl"]
        );
    }

    #[test]
    fn hostile_arguments_are_recorded_as_invalid() {
        let shape = RequestShape::from_arguments(&json!({
            "period": "jane@example.com",
            "date": "2026-01-01 OR 1=1 jane@example.com",
            "segment": "jane@example.com==x"
        }));
        assert_eq!(shape.period.as_deref(), Some(INVALID));
        assert_eq!(shape.date.as_deref(), Some(INVALID));
        assert_eq!(shape.segment_dimensions, [INVALID]);
    }
}
