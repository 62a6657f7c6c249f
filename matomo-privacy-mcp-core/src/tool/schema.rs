//! Compact JSON Schemas (2020-12) for `tools/list`.
//!
//! Every client downloads the whole tool list at the start of each session and some put it
//! in the model's context, so a definition carries what a client needs to call the tool and
//! to validate its result, once:
//!
//! - No `$schema`: MCP (2025-11-25) makes 2020-12 the dialect of a schema that names none.
//! - `$defs` used once are inlined: a schema is read alone, and most definitions are used once
//!   per tool; in an argument schema, one used more than once, or recursive, stays in `$defs`.
//! - `anyOf: [X, {"type": "null"}]` becomes X with `"null"` among its types, and a `oneOf` of
//!   constants an `enum` when the property's description already names each. An optional
//!   argument loses `null` altogether: leaving it out says "the default" (the server still takes
//!   an explicit `null` as absent), and a single type is what every client's dialect can map.
//! - Annotations a client does not act on go: schemars' type names (`title`), `examples`,
//!   `default: null`, and descriptions repeated from a property's own.
//! - An output schema gives every top-level field its type and lists the required ones, without
//!   descriptions; a nested object (a row, the noise note, a part of an overview) is typed
//!   `object`. Shared by many tools, those descriptions would be repeated in each: they live in
//!   the documentation (`docs/tools.md`) and the privacy manifest instead.
//!
//! Nothing here loosens an input schema: arguments are validated as strictly as before.

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

/// How many object levels an output schema describes: its root's fields.
const OUTPUT_LEVELS: usize = 1;

/// The formats JSON Schema 2020-12 defines (§7.3 of its validation vocabulary), the only ones a
/// tool's schemas carry. schemars adds others (`uint64`, `double`, …) that strict validators
/// reject and clients warn about.
pub const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Keywords whose value is a map from names to schemas (not a schema itself).
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];

/// Keywords whose value is a schema.
const SCHEMA_VALUES: &[&str] = &[
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
];

/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["anyOf", "oneOf", "allOf", "prefixItems"];

/// The compact schema of a tool's arguments.
pub(super) fn input<T: JsonSchema>() -> Map<String, Value> {
    let mut schema = compact::<T>(None);
    // The tool's description says what the arguments are for.
    schema.remove("description");
    absent_not_null(&mut schema);
    schema
}

/// Takes `null` out of the types (and the `enum`) of each optional argument: one that is not
/// `required` is left out rather than sent as `null`.
fn absent_not_null(schema: &mut Map<String, Value>) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        let Value::Object(property) = property else {
            continue;
        };
        if required.contains(name) {
            continue;
        }
        if let Some(Value::Array(types)) = property.get_mut("type") {
            types.retain(|t| t != "null");
            if let [only] = types.as_slice() {
                let only = only.clone();
                property.insert("type".to_owned(), only);
            }
        }
        if let Some(Value::Array(values)) = property.get_mut("enum") {
            values.retain(|v| !v.is_null());
        }
    }
}

/// The compact schema of a tool's structured content.
pub(super) fn output<T: JsonSchema>() -> Map<String, Value> {
    compact::<T>(Some(OUTPUT_LEVELS))
}

fn compact<T: JsonSchema>(levels: Option<usize>) -> Map<String, Value> {
    let mut root = match schemars::schema_for!(T).to_value() {
        Value::Object(map) => map,
        // `true`: any value, said as an object.
        Value::Bool(true) => Map::new(),
        other => {
            let mut map = Map::new();
            map.insert("not".to_owned(), json!({}));
            map.insert("x-unexpected-schema".to_owned(), other);
            map
        }
    };
    let defs = match root.remove("$defs") {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    root.remove("$schema");
    let recursive: Vec<String> = defs
        .keys()
        .filter(|name| reaches(name, name, &defs, &mut Vec::new()))
        .cloned()
        .collect();
    let mut defs = defs;
    let kept: Vec<String> = if levels.is_some() {
        // An output is cut before any recursion matters: a recursive definition is inlined once,
        // with its references to itself (below the cut) allowing any value.
        for def in defs.values_mut() {
            any_for_refs_to(def, &recursive);
        }
        Vec::new()
    } else {
        // An argument schema keeps in `$defs` what is recursive or used more than once.
        let mut refs = Vec::new();
        collect_refs(&Value::Object(root.clone()), &mut refs);
        defs.values().for_each(|def| collect_refs(def, &mut refs));
        defs.keys()
            .filter(|name| {
                recursive.contains(name) || refs.iter().filter(|r| r == name).count() > 1
            })
            .cloned()
            .collect()
    };
    let mut schema = Value::Object(root);
    inline_refs(&mut schema, &defs, &kept);
    tidy(&mut schema, levels, 0);
    // A kept definition stays in `$defs`, referred to from every place it is used.
    let mut kept_defs = Map::new();
    for name in &kept {
        if let Some(mut def) = defs.get(name).cloned() {
            inline_refs(&mut def, &defs, &kept);
            tidy(&mut def, levels, 1);
            kept_defs.insert(name.clone(), def);
        }
    }
    // Only definitions the schema still refers to after the output's cut are kept.
    let mut referred = Vec::new();
    collect_refs(&schema, &mut referred);
    let mut i = 0;
    while let Some(name) = referred.get(i).cloned() {
        if let Some(def) = kept_defs.get(&name) {
            let mut more = Vec::new();
            collect_refs(def, &mut more);
            for name in more {
                if !referred.contains(&name) {
                    referred.push(name);
                }
            }
        }
        i += 1;
    }
    kept_defs.retain(|name, _| referred.contains(name));
    let Value::Object(mut map) = schema else {
        return Map::new();
    };
    let mut out = Map::new();
    if !kept_defs.is_empty() {
        out.insert("$defs".to_owned(), Value::Object(kept_defs));
    }
    out.append(&mut map);
    out
}

/// Replaces each reference to one of `names` by the schema that allows any value.
fn any_for_refs_to(value: &mut Value, names: &[String]) {
    match value {
        Value::Object(map) => {
            let refers = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(ref_name)
                .is_some_and(|name| names.iter().any(|n| n == name));
            if refers {
                map.clear();
            } else {
                map.values_mut()
                    .for_each(|child| any_for_refs_to(child, names));
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| any_for_refs_to(item, names)),
        _ => {}
    }
}

/// Whether definition `from` refers, through any chain of references, to `target`.
fn reaches(from: &str, target: &str, defs: &Map<String, Value>, seen: &mut Vec<String>) -> bool {
    let Some(def) = defs.get(from) else {
        return false;
    };
    let mut refs = Vec::new();
    collect_refs(def, &mut refs);
    refs.into_iter().any(|name| {
        if name == target {
            return true;
        }
        if seen.contains(&name) {
            return false;
        }
        seen.push(name.clone());
        reaches(&name, target, defs, seen)
    })
}

/// The name a local `$ref` points to.
fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/$defs/")
}

/// Replaces each `$ref` to a definition that is not `kept` by a copy of it (the referring
/// schema's own keywords win).
fn inline_refs(value: &mut Value, defs: &Map<String, Value>, kept: &[String]) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items
                .iter_mut()
                .for_each(|item| inline_refs(item, defs, kept));
        }
        return;
    };
    let target = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(ref_name)
        .filter(|name| !kept.iter().any(|r| r == name))
        .and_then(|name| defs.get(name));
    if let Some(Value::Object(def)) = target {
        map.remove("$ref");
        let mut merged = def.clone();
        for (key, own) in std::mem::take(map) {
            merged.insert(key, own);
        }
        *map = merged;
        // Every recursive definition is kept, so inlining ends.
        return inline_refs(value, defs, kept);
    }
    map.values_mut()
        .for_each(|child| inline_refs(child, defs, kept));
}

/// Tidies one schema: standard formats only, nullable unions folded, annotations dropped (all
/// descriptions in an output, where `levels` is set), objects `levels` deep cut to their type.
fn tidy(value: &mut Value, levels: Option<usize>, level: usize) {
    let output = levels.is_some();
    match value {
        Value::Object(map) => {
            standard_format_only(map);
            fold_nullable(map);
            consts_to_enum(map, output);
            if map.contains_key("enum") {
                // The values say their type.
                map.remove("type");
            }
            for keyword in ["title", "examples", "$comment"] {
                map.remove(keyword);
            }
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if output {
                map.remove("description");
                map.remove("minimum");
            } else if let Some(Value::String(text)) = map.get_mut("description") {
                *text = unwrap_lines(text);
            }
            let is_object = has_type(map, "object");
            if is_object && levels.is_some_and(|levels| level >= levels) {
                map.retain(|key, _| key == "type");
                return;
            }
            let below = if is_object { level + 1 } else { level };
            for (key, child) in map.iter_mut() {
                let key = key.as_str();
                if SCHEMA_MAPS.contains(&key) {
                    if let Value::Object(children) = child {
                        children.values_mut().for_each(|c| tidy(c, levels, below));
                    }
                } else if SCHEMA_VALUES.contains(&key) {
                    // A list's items are as deep as the list: a list of rows is one level.
                    let next = if key == "items" { level } else { below };
                    tidy(child, levels, next);
                } else if SCHEMA_LISTS.contains(&key)
                    && let Value::Array(children) = child
                {
                    children.iter_mut().for_each(|c| tidy(c, levels, level));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| tidy(item, levels, level)),
        _ => {}
    }
}

/// Whether a schema's `type` is or includes `name`.
fn has_type(map: &Map<String, Value>, name: &str) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(types)) => types.iter().any(|t| t == name),
        _ => false,
    }
}

/// Removes a `format` JSON Schema 2020-12 does not define, keeping what it meant: an unsigned
/// integer keeps (or gets) `minimum: 0`.
fn standard_format_only(map: &mut Map<String, Value>) {
    let nonstandard = map
        .get("format")
        .and_then(Value::as_str)
        .filter(|format| !STANDARD_FORMATS.contains(format))
        .map(str::to_owned);
    if let Some(format) = nonstandard {
        map.remove("format");
        if format.starts_with("uint") && !map.contains_key("minimum") {
            map.insert("minimum".to_owned(), json!(0));
        }
    }
}

/// `anyOf: [X, {"type": "null"}]` with X of one type becomes X with `"null"` added to its
/// type (and to its `enum`, if any): the same set of values, said once.
fn fold_nullable(map: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = map.get("anyOf") else {
        return;
    };
    if branches.len() != 2 {
        return;
    }
    let is_null = |v: &Value| v == &json!({ "type": "null" });
    let Some(other) = branches.iter().find(|b| !is_null(b)) else {
        return;
    };
    if !branches.iter().any(is_null) {
        return;
    }
    let Value::Object(mut other) = other.clone() else {
        return;
    };
    // The referring schema's own words about the value win over the definition's.
    for keyword in ["description", "title", "examples", "default"] {
        if map.contains_key(keyword) {
            other.remove(keyword);
        }
    }
    let single = match other.get("type") {
        Some(Value::String(single)) => Some(single.clone()),
        _ if other.contains_key("oneOf") => None,
        _ => return,
    };
    // Keywords of the branch that would clash with the referring schema's own stay apart.
    if other
        .keys()
        .any(|key| map.contains_key(key) && key != "anyOf")
    {
        return;
    }
    map.remove("anyOf");
    for (key, value) in other {
        map.insert(key, value);
    }
    match single {
        Some(single) => {
            map.insert("type".to_owned(), json!([single, "null"]));
        }
        None => {
            if let Some(Value::Array(branches)) = map.get_mut("oneOf") {
                branches.push(json!({ "type": "null" }));
            }
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// A `oneOf` of constants becomes an `enum` in an output (whose descriptions go) or when the
/// schema's own description names every constant already (the branches' would say it twice).
fn consts_to_enum(map: &mut Map<String, Value>, output: bool) {
    let Some(Value::Array(branches)) = map.get("oneOf") else {
        return;
    };
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !output && description.is_empty() {
        return;
    }
    let mut values = Vec::new();
    for branch in branches {
        if branch == &json!({ "type": "null" }) {
            values.push(Value::Null);
            continue;
        }
        match branch.get("const") {
            Some(Value::String(constant)) if output || description.contains(constant.as_str()) => {
                values.push(Value::String(constant.clone()));
            }
            _ => return,
        }
    }
    map.remove("oneOf");
    map.insert("enum".to_owned(), Value::Array(values));
}

/// A doc comment's description with its wrapped lines joined; paragraphs stay apart.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .split('\n')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(ref_name) {
                out.push(name.to_owned());
            }
            map.values().for_each(|child| collect_refs(child, out));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Span {
        /// First day.
        from: Day,
        /// Last day.
        to: Day,
        /// Any day.
        once: Option<Other>,
    }

    /// A day.
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Day(String);

    /// Used once.
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Other(u32);

    #[test]
    fn a_definition_used_twice_stays_shared_and_one_used_once_is_inlined() {
        let schema = Value::Object(input::<Span>());
        assert_eq!(
            schema["properties"]["from"]["$ref"], "#/$defs/Day",
            "{schema}"
        );
        assert_eq!(
            schema["properties"]["to"]["$ref"], "#/$defs/Day",
            "{schema}"
        );
        assert_eq!(schema["$defs"]["Day"]["type"], "string", "{schema}");
        assert!(schema["$defs"].get("Other").is_none(), "{schema}");
        // Optional: left out, not sent as null.
        assert_eq!(schema["properties"]["once"]["type"], "integer", "{schema}");
        assert!(schema.get("$schema").is_none());
        let output = Value::Object(output::<Span>());
        assert!(output.get("$defs").is_none(), "{output}");
        assert_eq!(output["properties"]["from"]["type"], "string", "{output}");
    }

    #[test]
    fn wrapped_lines_join_and_paragraphs_stay() {
        assert_eq!(unwrap_lines("a\nb\n\nc"), "a b\n\nc");
    }

    #[test]
    fn a_nullable_reference_folds_into_one_schema() {
        let mut map = json!({
            "description": "own",
            "anyOf": [{ "type": "string", "enum": ["day", "week"] }, { "type": "null" }]
        });
        let Value::Object(map) = &mut map else {
            unreachable!()
        };
        fold_nullable(map);
        assert_eq!(
            Value::Object(map.clone()),
            json!({ "description": "own", "type": ["string", "null"], "enum": ["day", "week", null] })
        );
    }
}
