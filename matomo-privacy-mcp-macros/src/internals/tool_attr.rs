//! The options of `#[matomo_tool(...)]`.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::{LitBool, LitStr, Path};

use super::ctxt::Ctxt;
use super::privacy_attr::Class;

const OPTIONS: &str = "`name`, `title`, `max_class`, `idempotent`, `open_world`, `exact_only`, `render` and `declassify`";

/// Parsed options; unset ones take their documented defaults at expansion.
#[derive(Default)]
pub struct ToolAttr {
    pub name: Option<LitStr>,
    pub title: Option<LitStr>,
    pub max_class: Option<Class>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
    /// `exact_only`: the tool shows numbers no noise can be calibrated to; a toolbox over a
    /// deployment with noise on leaves it out.
    pub exact_only: Option<bool>,
    pub render: Option<Path>,
    /// `declassify(name = "reason", …)`: each escape-hatch use the tool declares.
    pub declassify: Vec<Declassify>,
}

/// One declared declassification.
pub struct Declassify {
    pub name: syn::Ident,
    pub reason: LitStr,
}

pub fn parse(cx: &mut Ctxt, args: TokenStream) -> ToolAttr {
    let mut attr = ToolAttr::default();
    let mut errors: Vec<syn::Error> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        if let Err(error) = option(&mut attr, &meta) {
            errors.push(error);
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(error);
    }
    for error in errors {
        cx.syn_error(error);
    }
    if let Some(name) = &attr.name {
        let value = name.value();
        let valid = (1..=128).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid {
            cx.error_spanned_by(
                name,
                "a tool name has 1 to 128 characters from A-Z, a-z, 0-9, `_`, `-` and `.`",
            );
        }
    }
    attr
}

fn option(attr: &mut ToolAttr, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let key = meta
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let duplicate = || meta.error(format!("duplicate option `{key}`"));
    match key.as_str() {
        "name" => set(&mut attr.name, meta.value()?.parse()?, duplicate),
        "title" => set(&mut attr.title, meta.value()?.parse()?, duplicate),
        "max_class" => {
            let path: Path = meta.value()?.parse()?;
            let class = path
                .get_ident()
                .and_then(Class::from_ident)
                .ok_or_else(|| {
                    syn::Error::new_spanned(
                        &path,
                        format!("unknown max_class; {}", Class::EXPECTED),
                    )
                })?;
            set(&mut attr.max_class, class, duplicate)
        }
        "idempotent" => set(
            &mut attr.idempotent,
            meta.value()?.parse::<LitBool>()?.value,
            duplicate,
        ),
        "open_world" => set(
            &mut attr.open_world,
            meta.value()?.parse::<LitBool>()?.value,
            duplicate,
        ),
        "exact_only" => {
            // A bare flag, or `exact_only = true/false`.
            let value = if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<LitBool>()?.value
            } else {
                true
            };
            set(&mut attr.exact_only, value, duplicate)
        }
        "render" => set(&mut attr.render, meta.value()?.parse()?, duplicate),
        "declassify" => meta.parse_nested_meta(|entry| declassify_entry(attr, &entry)),
        _ => {
            // Consume the value so that parsing goes on and later options are checked too.
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Err(meta.error(format!(
                "unknown #[matomo_tool] option; the options are {OPTIONS}"
            )))
        }
    }
}

fn declassify_entry(attr: &mut ToolAttr, entry: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let Some(name) = entry.path.get_ident().cloned() else {
        // Consume the reason, so that this is the only error the entry gives.
        if entry.input.peek(syn::Token![=]) {
            entry.value()?.parse::<syn::Expr>()?;
        }
        return Err(entry.error(
            "a declassification is `name = \"reason\"`, with a plain identifier as its name",
        ));
    };
    if !entry.input.peek(syn::Token![=]) {
        return Err(entry.error(format!(
            "declassification `{name}` needs a reason: `{name} = \"why this value may leave its class\"`"
        )));
    }
    let reason: LitStr = entry.value()?.parse()?;
    if reason.value().trim().len() < 10 {
        return Err(syn::Error::new_spanned(
            &reason,
            "give the reason in a sentence: it is printed in the privacy manifest for the operator's records",
        ));
    }
    if attr.declassify.iter().any(|d| d.name == name) {
        return Err(syn::Error::new_spanned(
            &name,
            format!("duplicate declassification `{name}`"),
        ));
    }
    attr.declassify.push(Declassify { name, reason });
    Ok(())
}

fn set<T>(slot: &mut Option<T>, value: T, duplicate: impl Fn() -> syn::Error) -> syn::Result<()> {
    if slot.is_some() {
        return Err(duplicate());
    }
    *slot = Some(value);
    Ok(())
}
