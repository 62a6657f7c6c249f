//! The `#[privacy(...)]` attribute.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Ident};

use super::ctxt::Ctxt;

/// A privacy class named in an attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Aggregate,
    Pseudonymous,
    Identifying,
}

impl Class {
    pub const EXPECTED: &'static str = "expected `aggregate`, `pseudonymous` or `identifying`";

    const ALL: [Class; 3] = [Self::Aggregate, Self::Pseudonymous, Self::Identifying];

    pub fn from_ident(ident: &Ident) -> Option<Self> {
        let text = ident.to_string();
        Self::ALL.into_iter().find(|class| class.name() == text)
    }

    /// The class as written in attributes (`aggregate`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aggregate => "aggregate",
            Self::Pseudonymous => "pseudonymous",
            Self::Identifying => "identifying",
        }
    }

    /// The `PrivacyClass` constant this class stands for, as generated code.
    pub fn to_tokens(self) -> TokenStream {
        let name = self.name();
        let variant = syn::Ident::new(
            &format!("{}{}", name[..1].to_uppercase(), &name[1..]),
            proc_macro2::Span::call_site(),
        );
        quote!(::matomo_privacy_mcp_core::__private::PrivacyClass::#variant)
    }

    /// The class as a type (`max_class::aggregate`, …), for the compile-time checks.
    pub fn level_tokens(self) -> TokenStream {
        let level = syn::Ident::new(self.name(), proc_macro2::Span::call_site());
        quote!(::matomo_privacy_mcp_core::__private::max_class::#level)
    }
}

/// A parsed `#[privacy(...)]` with the attribute it came from, for error spans.
pub struct PrivacyAttr<'a> {
    pub class: Class,
    pub original: &'a Attribute,
}

/// What the `#[privacy(...)]` attributes of one item say.
pub enum Parsed<'a> {
    /// No `#[privacy]` attribute.
    Missing,
    /// An attribute was there but wrong; the error is already recorded.
    Invalid,
    /// One valid class.
    Found(PrivacyAttr<'a>),
}

/// Reads the `#[privacy(...)]` attributes among `attrs`; reports malformed and duplicate ones.
pub fn parse<'a>(cx: &mut Ctxt, attrs: &'a [Attribute]) -> Parsed<'a> {
    let mut found: Option<PrivacyAttr<'a>> = None;
    let mut invalid = false;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("privacy")) {
        let mut classes = Vec::new();
        let mut unknown = false;
        let parsed = attr.parse_nested_meta(|meta| {
            match meta.path.get_ident().and_then(Class::from_ident) {
                Some(class) => classes.push(class),
                None => {
                    unknown = true;
                    let path = &meta.path;
                    let shown = quote!(#path).to_string().replace(' ', "");
                    cx.error_spanned_by(
                        &meta.path,
                        format!("unknown privacy class `{shown}`; {}", Class::EXPECTED),
                    );
                }
            }
            Ok(())
        });
        if let Err(error) = parsed {
            let message = format!(
                "malformed #[privacy] attribute ({error}); {}",
                Class::EXPECTED
            );
            cx.error_spanned_by(attr, message);
            invalid = true;
            continue;
        }
        if classes.len() > 1 {
            cx.error_spanned_by(attr, "#[privacy] takes exactly one class");
            invalid = true;
        }
        let Some(class) = classes.first().copied() else {
            if !unknown {
                cx.error_spanned_by(
                    attr,
                    format!("#[privacy] needs a class: {}", Class::EXPECTED),
                );
            }
            invalid = true;
            continue;
        };
        if found.is_some() {
            cx.error_spanned_by(
                attr,
                "duplicate #[privacy] attribute; a field has exactly one class",
            );
            invalid = true;
            continue;
        }
        found = Some(PrivacyAttr {
            class,
            original: attr,
        });
    }
    match found {
        _ if invalid => Parsed::Invalid,
        Some(attr) => Parsed::Found(attr),
        None => Parsed::Missing,
    }
}
