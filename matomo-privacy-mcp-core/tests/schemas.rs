//! Every ready-made tool's input and output schema is plain JSON Schema 2020-12: no `format`
//! the specification does not define (schemars writes `uint64`, `double`, … which strict
//! validators reject and the TypeScript SDK warns about, hundreds of times a session), and
//! unsigned integers say so with `minimum: 0`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::tool::{STANDARD_FORMATS, ToolDescriptor};
use matomo_privacy_mcp_tools as tools;
use serde_json::Value;

fn descriptors() -> Vec<ToolDescriptor> {
    tools::all().iter().map(|tool| tool.descriptor()).collect()
}

/// Every schema object under `value`, with its path.
fn walk<'a>(
    value: &'a Value,
    path: String,
    out: &mut Vec<(String, &'a serde_json::Map<String, Value>)>,
) {
    match value {
        Value::Object(map) => {
            out.push((path.clone(), map));
            for (key, child) in map {
                walk(child, format!("{path}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The formats the schemas may carry are those JSON Schema 2020-12 defines (§7.3 of its
/// validation vocabulary), no more.
#[test]
fn the_standard_formats_are_the_specifications() {
    assert_eq!(
        STANDARD_FORMATS.join(" "),
        "date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6 uri \
         uri-reference iri iri-reference uuid uri-template json-pointer relative-json-pointer regex"
    );
}

#[test]
fn every_schema_uses_standard_formats_only() {
    let descriptors = descriptors();
    assert_eq!(descriptors.len(), 37);
    let mut integers = 0;
    for descriptor in &descriptors {
        for (kind, schema) in [
            ("input", descriptor.input_schema()),
            ("output", descriptor.output_schema()),
        ] {
            let schema = Value::Object(schema.clone());
            let mut objects = Vec::new();
            walk(&schema, String::new(), &mut objects);
            for (path, object) in objects {
                if let Some(format) = object.get("format").and_then(Value::as_str) {
                    assert!(
                        STANDARD_FORMATS.contains(&format),
                        "{} {kind} schema at {path}: format `{format}` is not JSON Schema 2020-12",
                        descriptor.name()
                    );
                }
                let is_integer = object.get("type").is_some_and(|t| {
                    t == "integer"
                        || t.as_array()
                            .is_some_and(|a| a.iter().any(|t| t == "integer"))
                });
                if is_integer {
                    integers += 1;
                }
            }
        }
    }
    assert!(
        integers > 50,
        "integers are still typed as integers: {integers}"
    );
}

#[test]
fn unsigned_integers_keep_their_minimum() {
    let descriptors = descriptors();
    let summary = descriptors
        .iter()
        .find(|d| d.name() == "visits_summary")
        .unwrap();
    let site = &summary.input_schema()["properties"]["site"];
    assert_eq!(site["type"], "integer", "{site}");
    assert_eq!(site["minimum"], 0, "{site}");
    assert!(site.get("format").is_none(), "{site}");
}

/// The size of a `tools/list` result as sent (compact JSON), with every built-in tool.
fn listed_bytes(descriptors: &[ToolDescriptor]) -> usize {
    serde_json::to_string(&serde_json::json!({ "tools": descriptors }))
        .unwrap()
        .len()
}

/// Every client downloads the whole list at the start of each session, and some put it in the
/// model's context: it stays under 60 KB with every built-in tool (it was 298 KB).
#[test]
fn the_full_tool_list_stays_under_60_kb() {
    let descriptors = descriptors();
    let bytes = listed_bytes(&descriptors);
    let part = |f: &dyn Fn(&ToolDescriptor) -> usize| descriptors.iter().map(f).sum::<usize>();
    let size = |v: &serde_json::Map<String, Value>| serde_json::to_string(v).unwrap().len();
    println!(
        "tools/list: {bytes} bytes for {} tools; input schemas {}, output schemas {}, descriptions {}, _meta {}",
        descriptors.len(),
        part(&|d| size(d.input_schema())),
        part(&|d| size(d.output_schema())),
        part(&|d| d.description().len()),
        part(&|d| size(d.meta())),
    );
    assert!(
        bytes < 60 * 1024,
        "tools/list is {bytes} bytes, over 60 KiB"
    );
}

/// An optional argument is left out, not sent as `null`: its schema has one type (what the
/// Inspector calls portable; `["string", "null"]` is not) and no `null` in its `enum`, while a
/// required one never allowed `null`. Saves about a kilobyte of `tools/list`.
#[test]
fn optional_arguments_are_left_out_not_null() {
    let mut optional = 0;
    for d in descriptors() {
        let schema = d.input_schema();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(Value::Object(properties)) = schema.get("properties") else {
            continue;
        };
        for (name, property) in properties {
            let null_type = match &property["type"] {
                Value::Array(types) => types.iter().any(|t| t == "null"),
                Value::String(t) => t == "null",
                _ => false,
            };
            let null_value = property["enum"]
                .as_array()
                .is_some_and(|values| values.iter().any(Value::is_null));
            assert!(
                !null_type && !null_value,
                "{}: argument `{name}` allows null: {property}",
                d.name()
            );
            optional += usize::from(!required.contains(&name.as_str()));
        }
    }
    assert!(optional > 100, "only {optional} optional arguments seen");
}

/// Results holding text visitors typed or their browsers sent say where it is, in `_meta`.
#[test]
fn visitor_text_is_marked_where_it_is() {
    let descriptors = descriptors();
    let paths = |name: &str| {
        descriptors
            .iter()
            .find(|d| d.name() == name)
            .unwrap()
            .untrusted_paths()
            .to_vec()
    };
    for name in [
        "top_pages",
        "page_titles",
        "site_search_keywords",
        "compare_periods",
    ] {
        assert_eq!(paths(name), ["/rows"], "{name}");
    }
    assert_eq!(paths("site_overview"), ["/referrer_types/rows"]);
    assert!(paths("visit_log").iter().any(|p| p == "/visits"));
    for name in ["list_sites", "visits_summary", "metric_trend", "all_sites"] {
        assert!(paths(name).is_empty(), "{name}: {:?}", paths(name));
    }
    let top = descriptors
        .iter()
        .find(|d| d.name() == "top_pages")
        .unwrap();
    let meta = top.result_meta().unwrap();
    let marking = &meta[matomo_privacy_mcp_core::tool::UNTRUSTED_META_KEY];
    assert_eq!(marking["trust_level"], "untrusted_user_content");
    assert_eq!(marking["follow_embedded_instructions"], false);
}
