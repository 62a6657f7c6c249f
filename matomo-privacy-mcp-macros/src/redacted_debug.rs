//! `#[derive(RedactedDebug)]`: `Debug` listing a struct's fields but those marked `#[redact]`.
//!
//! Secrets (keys, tokens, passwords, URLs that may hold one) and visitor data must never reach a
//! log through `{:?}`, yet the other fields help. Each type wrote the same `debug_struct` list
//! by hand; the derive writes it from the struct, so a new field is listed or redacted where it
//! is declared.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

pub fn expand(input: &DeriveInput) -> TokenStream {
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            _ => return error(input, "only structs with named fields"),
        },
        _ => return error(input, "only structs with named fields"),
    };
    let mut shown = Vec::new();
    let mut redacted = false;
    for field in fields {
        let mut redact = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("redact")) {
            if attr.meta.require_path_only().is_err() {
                return syn::Error::new_spanned(
                    &attr.meta,
                    "#[redact] takes no value: a field is either shown or left out",
                )
                .to_compile_error();
            }
            redact = true;
        }
        if redact {
            redacted = true;
        } else if let Some(ident) = &field.ident {
            let name = ident.to_string();
            let name = name.strip_prefix("r#").unwrap_or(&name);
            // Spanned at the field's type so that a type without `Debug` is reported there,
            // where the user decides between deriving it and `#[redact]`.
            shown.push(quote_spanned!(field.ty.span()=> .field(#name, &self.#ident)));
        }
    }
    let finish = if redacted {
        quote!(finish_non_exhaustive)
    } else {
        quote!(finish)
    };
    let ident = &input.ident;
    let name = ident.to_string();
    // No bounds are added: a type parameter behind a redacted field (or a `PhantomData`) need
    // not be `Debug`, and a shown field whose type is not fails to compile at that field.
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::core::fmt::Debug for #ident #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#name) #(#shown)* .#finish()
            }
        }
    }
}

fn error(input: &DeriveInput, what: &str) -> TokenStream {
    syn::Error::new_spanned(
        &input.ident,
        format!("#[derive(RedactedDebug)] takes {what}"),
    )
    .to_compile_error()
}
