//! Serde's type errors (`invalid type: string "thirty", expected u64`) said in the words of the
//! configuration reference: an operator writes TOML, not Rust, and should not need to know what
//! a `u64` is.

/// The problem and the fix for serde's `message` about the value of `key`.
pub(super) fn explain(message: &str, key: &str) -> (String, String) {
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.rsplit_once(", expected ")
    {
        let wanted = expected_words(expected);
        let problem = format!("this key takes {wanted}, not {}", found_words(found));
        let quoted_number = found
            .strip_prefix("string \"")
            .and_then(|s| s.strip_suffix('"'))
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        let fix = match (wanted, quoted_number) {
            ("a whole number" | "a number", Some(number)) if !key.is_empty() => {
                format!("write it without quotes: `{key} = {number}`")
            }
            _ => fix_for(wanted).to_owned(),
        };
        return (problem, fix);
    }
    if let Some(rest) = message.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.rsplit_once(", expected ")
    {
        let found = found_words(found);
        let problem = match whole_number_range(expected) {
            Some((0, max)) if found.contains('-') => {
                format!("this key takes a whole number from 0 to {max}, not {found}")
            }
            Some((min, max)) => {
                format!("this key takes a whole number from {min} to {max}, not {found}")
            }
            None => format!("this key takes {}, not {found}", expected_words(expected)),
        };
        return (
            problem,
            "see the configuration reference for the values it takes".to_owned(),
        );
    }
    (
        format!("the value cannot be read: {message}"),
        "write it as the configuration reference shows".to_owned(),
    )
}

/// What a key takes, in words.
fn expected_words(expected: &str) -> &'static str {
    let expected = expected.trim();
    if whole_number_range(expected).is_some() {
        "a whole number"
    } else if expected.contains("f64") || expected.contains("f32") {
        "a number"
    } else if expected.contains("bool") {
        "true or false"
    } else if expected.contains("string") || expected.contains("char") {
        "text"
    } else if expected.contains("sequence") {
        "a list"
    } else if expected.starts_with("struct") || expected.contains("map") {
        "a section (a table of keys)"
    } else {
        "another kind of value"
    }
}

/// What was written instead, in words, with the value when serde gives it.
fn found_words(found: &str) -> String {
    let found = found.trim();
    let value = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim().trim_matches('`').to_owned())
    };
    if let Some(text) = found.strip_prefix("string ") {
        format!("text ({text})")
    } else if let Some(number) = value("integer ") {
        format!("the whole number {number}")
    } else if let Some(number) = value("floating point ") {
        format!("the number {number}")
    } else if let Some(truth) = value("boolean ") {
        format!("`{truth}`")
    } else if found.starts_with("sequence") {
        "a list".to_owned()
    } else if found.starts_with("map") {
        "a section (a table of keys)".to_owned()
    } else {
        found.to_owned()
    }
}

/// How to write a value that is `wanted`.
fn fix_for(wanted: &str) -> &'static str {
    match wanted {
        "a whole number" => "write a whole number without quotes",
        "a number" => "write a number without quotes, such as 0.5",
        "true or false" => "write `true` or `false`, without quotes",
        "text" => "put the text in double quotes",
        "a list" => "write a list in [ ], such as [1, 3] or [\"a\", \"b\"]",
        "a section (a table of keys)" => {
            "write it as a section: `[name]` on a line of its own, its keys below"
        }
        _ => "write it as the configuration reference shows",
    }
}

/// The range of serde's integer type names (`u64`, `usize`, `i32`, …).
fn whole_number_range(expected: &str) -> Option<(i128, i128)> {
    let name = expected
        .trim()
        .trim_start_matches("a ")
        .trim_start_matches("an ");
    Some(match name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_types_are_said_in_words() {
        for (message, key, problem, fix) in [
            (
                "invalid type: string \"thirty\", expected u64",
                "timeout_seconds",
                "this key takes a whole number, not text (\"thirty\")",
                "write a whole number without quotes",
            ),
            (
                "invalid type: string \"30\", expected u64",
                "timeout_seconds",
                "this key takes a whole number, not text (\"30\")",
                "write it without quotes: `timeout_seconds = 30`",
            ),
            (
                "invalid type: string \"yes\", expected a boolean",
                "enabled",
                "this key takes true or false, not text (\"yes\")",
                "write `true` or `false`, without quotes",
            ),
            (
                "invalid type: integer `5`, expected a string",
                "url",
                "this key takes text, not the whole number 5",
                "put the text in double quotes",
            ),
            (
                "invalid type: string \"1,3\", expected a sequence",
                "allowed_sites",
                "this key takes a list, not text (\"1,3\")",
                "write a list in [ ], such as [1, 3] or [\"a\", \"b\"]",
            ),
            (
                "invalid value: integer `-5`, expected u32",
                "visit_spacing_days",
                "this key takes a whole number from 0 to 4294967295, not the whole number -5",
                "see the configuration reference for the values it takes",
            ),
        ] {
            let (p, f) = explain(message, key);
            assert_eq!((p.as_str(), f.as_str()), (problem, fix), "{message}");
            assert!(!p.contains("u64") && !p.contains("u32"), "{p}");
        }
    }
}
