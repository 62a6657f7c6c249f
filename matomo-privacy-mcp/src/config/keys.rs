//! Every key the configuration file may hold, so that every unknown key is reported at once
//! with its section and line (serde stops at the first, and says neither).

use std::cell::Cell;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::error::ConfigError;
use crate::text::code_list;

/// The sections and their keys, each read from the struct the section is decoded into (so no
/// list repeats the fields). `privacy.scrub_patterns` is an array of tables.
fn sections() -> [(&'static str, &'static [&'static str]); 13] {
    use super::raw::*;
    [
        ("", fields_of::<RawConfig>()),
        ("oauth", fields_of::<RawOAuth>()),
        ("shared_state", fields_of::<RawSharedState>()),
        ("profiles", fields_of::<RawProfile>()),
        ("rate_limit", fields_of::<RawRateLimit>()),
        ("cache", fields_of::<RawCache>()),
        ("matomo", fields_of::<RawMatomo>()),
        ("privacy", fields_of::<RawPrivacy>()),
        ("privacy.scrub_patterns", fields_of::<RawPattern>()),
        ("privacy.noise", fields_of::<RawNoise>()),
        ("tools", fields_of::<RawTools>()),
        ("audit", fields_of::<RawAudit>()),
        ("http", fields_of::<RawHttp>()),
    ]
}

/// The keys of a section decoded into `T`: the field names serde's derive hands to
/// `deserialize_struct`, caught by a deserializer that reads nothing else.
fn fields_of<T: Deserialize<'static>>() -> &'static [&'static str] {
    let fields = Cell::new(&[][..]);
    // The decoding always fails: nothing is read but the names.
    let _ = T::deserialize(FieldNames(&fields));
    fields.get()
}

/// A deserializer that only asks for a struct's field names, and keeps them.
struct FieldNames<'a>(&'a Cell<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a section"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(fields);
        Err(de::Error::custom("only the field names are read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

fn keys_of(section: &str) -> Option<&'static [&'static str]> {
    sections()
        .into_iter()
        .find(|(name, _)| *name == section)
        .map(|(_, keys)| keys)
}

/// Every unknown key of `table` (the whole file, parsed), each with its section, the line it is
/// on in `text`, and the keys that section takes; the unknown keys are removed from `table`, so
/// that the rest can still be read and checked in the same run.
pub(super) fn unknown_keys(table: &mut toml::Table, text: &str) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    walk(table, "", text, &mut errors);
    errors
}

fn walk(table: &mut toml::Table, section: &str, text: &str, errors: &mut Vec<ConfigError>) {
    let Some(known) = keys_of(section) else {
        return;
    };
    let unknown: Vec<String> = table
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        table.remove(&key);
        let path = key_path(section, &key);
        let place = match line_of(text, section, &key) {
            Some(line) => format!(" (line {line})"),
            None => String::new(),
        };
        let within = if section.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in [{section}]")
        };
        let listed = format!(
            "the keys {within} are {}; see the configuration reference",
            code_list(known)
        );
        let fix = match suggestion(&key, section, known) {
            Some(hint) => format!("{hint} ({listed})"),
            None => listed,
        };
        errors.push(ConfigError::new(
            format!("{path}{place}"),
            format!("there is no key `{key}` {within}"),
            fix,
        ));
    }
    for (key, value) in table.iter_mut() {
        let child = key_path(section, key);
        match value {
            toml::Value::Table(inner) => walk(inner, &child, text, errors),
            toml::Value::Array(items) => {
                for item in items {
                    if let toml::Value::Table(inner) = item {
                        walk(inner, &child, text, errors);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What `key` was probably meant to be: the key of `section` closest to it in spelling (a few
/// letters off), or the section it belongs in when it is a key of another one.
fn suggestion(key: &str, section: &str, known: &[&str]) -> Option<String> {
    let wanted = key.to_ascii_lowercase();
    let allowed = (wanted.chars().count() / 3).clamp(1, 3);
    let closest = known
        .iter()
        .map(|k| (edit_distance(&wanted, k), *k))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance);
    if let Some((_, closest)) = closest {
        return Some(format!("did you mean `{closest}`?"));
    }
    let elsewhere = sections()
        .into_iter()
        .find(|(other, keys)| *other != section && !other.is_empty() && keys.contains(&key))?;
    Some(format!("`{key}` belongs in [{}]", elsewhere.0))
}

/// The number of single-character insertions, deletions, substitutions and swaps of two
/// neighbours that turn `a` into `b` (optimal string alignment distance).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The 1-based line where `key` is set in `section` (`[section]` or `[[section]]` headers,
/// `key = …` lines; dotted keys at the top as `section.key = …`), when it can be found.
/// `section.key`, or `key` at the top level (`section` empty): the key as messages name it.
fn key_path(section: &str, key: &str) -> String {
    if section.is_empty() {
        key.to_owned()
    } else {
        format!("{section}.{key}")
    }
}

fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            current = header
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches('"');
        if key_path(&current, name) == key_path(section, key) {
            return Some(n + 1);
        }
    }
    None
}

/// Every value of the wrong type, each with its key and line, and the text without them (to
/// check the rest): serde stops at the first, so each one found is blanked out of a working
/// copy of the text and the rest read again. Unknown keys (reported already) are blanked
/// without a word.
pub(super) fn wrong_types(text: &str) -> (Vec<ConfigError>, String) {
    let mut work: Vec<String> = text.lines().map(str::to_owned).collect();
    // With their lines: serde finds them in the order of its fields, the reader wants the file's.
    let mut errors: Vec<(usize, ConfigError)> = Vec::new();
    // Each round blanks one line: at most one round per line, and a few more for safety.
    for _ in 0..=work.len() {
        let joined = work.join("\n");
        let Err(error) = toml::from_str::<super::raw::RawConfig>(&joined) else {
            break;
        };
        let Some(span) = error.span() else {
            errors.push((usize::MAX, generic(error.message())));
            break;
        };
        let line = super::line_at(&joined, span.start);
        let Some(content) = work.get(line - 1).cloned() else {
            errors.push((usize::MAX, generic(error.message())));
            break;
        };
        if content.trim().is_empty() || content.trim_start().starts_with('[') {
            // Not a `key = value` line (a whole section of the wrong shape): say it once, plainly.
            errors.push((usize::MAX, generic(error.message())));
            break;
        }
        if !error.message().starts_with("unknown field") {
            let key = content
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"');
            let section = section_at(&work, line - 1);
            let path = if section.is_empty() {
                key.to_owned()
            } else {
                format!("{section}.{key}")
            };
            let (problem, fix) = super::type_words::explain(error.message().trim(), key);
            errors.push((
                line,
                ConfigError::new(format!("{path} (line {line})"), problem, fix),
            ));
        }
        work[line - 1] = String::new();
    }
    errors.sort_by_key(|(line, _)| *line);
    (
        errors.into_iter().map(|(_, error)| error).collect(),
        work.join("\n"),
    )
}

fn generic(message: &str) -> ConfigError {
    let (problem, _) = super::type_words::explain(message.trim(), "");
    ConfigError::new(
        "file",
        format!("a section has the wrong shape: {problem}"),
        "write each section and value as the configuration reference shows it (numbers and true or false without quotes, text in quotes, lists in [ ])",
    )
}

/// The `[section]` (or `[[section]]`) that line `index` (0-based) belongs to.
fn section_at(lines: &[String], index: usize) -> String {
    lines[..index]
        .iter()
        .rev()
        .map(|line| line.trim())
        .find(|line| line.starts_with('['))
        .map(|header| {
            header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .unwrap_or_default()
}

/// Every `section.key` the file may hold (for the reference's completeness test).
#[cfg(test)]
pub(super) fn all_keys() -> Vec<String> {
    sections()
        .into_iter()
        .filter(|(section, _)| !section.is_empty())
        .flat_map(|(section, keys)| keys.iter().map(move |key| format!("{section}.{key}")))
        .chain(["enabled".to_owned(), "ceiling".to_owned()])
        .collect()
}
