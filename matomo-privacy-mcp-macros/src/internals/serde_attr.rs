//! The parts of `#[serde(...)]` that change what a type exposes in JSON.
//!
//! Only the serialising side matters: the path reported for a field is the
//! name it has in a tool's output. Malformed serde attributes are left for
//! serde's own derive to report.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Token};

/// Serde settings of a container.
#[derive(Default)]
pub struct ContainerSerde {
    pub rename_all: Option<String>,
}

/// Serde settings of a field.
#[derive(Default)]
pub struct FieldSerde {
    pub rename: Option<String>,
    pub skip: bool,
    pub flatten: bool,
}

pub fn container(attrs: &[Attribute]) -> ContainerSerde {
    let mut out = ContainerSerde::default();
    read_serde_keys(attrs, |meta| {
        let known = meta.path.is_ident("rename_all");
        if known {
            out.rename_all = serialize_name(meta)?;
        }
        Ok(known)
    });
    out
}

pub fn field(attrs: &[Attribute]) -> FieldSerde {
    let mut out = FieldSerde::default();
    read_serde_keys(attrs, |meta| {
        if meta.path.is_ident("rename") {
            out.rename = serialize_name(meta)?;
        } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
            out.skip = true;
        } else if meta.path.is_ident("flatten") {
            out.flatten = true;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    out
}

/// Hands every key of the `#[serde(...)]` attributes to `read`, which says whether it knew the
/// key; the keys it does not know are skipped with their values.
fn read_serde_keys(
    attrs: &[Attribute],
    mut read: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<bool>,
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        // A malformed attribute is left for serde's own derive to report.
        let _ = attr.parse_nested_meta(|meta| {
            if !read(&meta)? {
                skip_meta(&meta)?;
            }
            Ok(())
        });
    }
}

/// `key = "x"` or `key(serialize = "x", deserialize = "y")`: the serialising name.
fn serialize_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse::<LitStr>()?.value()));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("serialize") {
            name = Some(inner.value()?.parse::<LitStr>()?.value());
        } else {
            skip_meta(&inner)?;
        }
        Ok(())
    })?;
    Ok(name)
}

fn skip_meta(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_meta(&inner))?;
    }
    Ok(())
}

/// Applies a serde `rename_all` rule to a Rust field name.
pub fn apply_rename_all(rule: &str, field: &str) -> Option<String> {
    let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
    let capitalised = |w: &str| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    Some(match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "snake_case" => field.to_owned(),
        "SCREAMING_SNAKE_CASE" => field.to_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalised(w)).collect(),
        "camelCase" => {
            let pascal: String = words.iter().map(|w| capitalised(w)).collect();
            let mut chars = pascal.chars();
            chars
                .next()
                .map(|c| c.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::apply_rename_all;

    #[test]
    fn rename_all_rules_match_serde() {
        let cases = [
            ("camelCase", "nb_uniq_visitors", "nbUniqVisitors"),
            ("PascalCase", "nb_visits", "NbVisits"),
            ("lowercase", "Visit_Id", "visit_id"),
            ("SCREAMING_SNAKE_CASE", "nb_visits", "NB_VISITS"),
            ("kebab-case", "nb_visits", "nb-visits"),
            ("SCREAMING-KEBAB-CASE", "nb_visits", "NB-VISITS"),
            ("snake_case", "nb_visits", "nb_visits"),
        ];
        for (rule, field, expected) in cases {
            assert_eq!(
                apply_rename_all(rule, field).as_deref(),
                Some(expected),
                "{rule}"
            );
        }
        assert_eq!(apply_rename_all("Title Case", "x"), None);
    }
}
