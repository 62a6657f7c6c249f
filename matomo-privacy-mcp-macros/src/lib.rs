//! Procedural macros for [`matomo-privacy-mcp-core`](https://docs.rs/matomo-privacy-mcp-core):
//! `#[derive(Classified)]`, `#[derive(RedactedDebug)]` and `#[matomo_tool]`.
//!
//! Use them through `matomo-privacy-mcp-core`, which re-exports them; the generated code names
//! `::matomo_privacy_mcp_core` and its hidden support module.
//!
//! Every mistake in `#[privacy(...)]` and `#[matomo_tool(...)]` attributes is
//! collected and reported in one compile, each at the attribute or field that
//! caused it.
//!
//! # Feature flags
//!
//! None: the crate has no optional features.

mod classified;
mod internals;
mod redacted_debug;
mod tool;

use proc_macro::TokenStream;

/// Derives `matomo_privacy_mcp_core::Classified` for a struct (or a field-less enum).
///
/// Each field carries `#[privacy(aggregate)]`, `#[privacy(pseudonymous)]` or
/// `#[privacy(identifying)]`, or has a type that is itself `Classified`. Serde's
/// `rename`, `rename_all`, `skip`, `skip_serializing` and `flatten` are honoured, so
/// reported paths are the JSON names. A field-less enum takes one class for all
/// its variants with `#[privacy(...)]` on the enum.
#[proc_macro_derive(Classified, attributes(privacy))]
pub fn derive_classified(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    classified::expand(&input).into()
}

/// Derives `Debug` for a struct with named fields, leaving out those marked `#[redact]`.
///
/// The output is `debug_struct`'s: the shown fields, then `..` when any was redacted. No bounds
/// are added to type parameters. See `matomo_privacy_mcp_core::RedactedDebug`.
#[proc_macro_derive(RedactedDebug, attributes(redact))]
pub fn derive_redacted_debug(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    redacted_debug::expand(&input).into()
}

/// Turns an `async fn` into an MCP tool whose privacy class is checked at compile time.
///
/// See `matomo_privacy_mcp_core::matomo_tool` for the full documentation.
#[proc_macro_attribute]
pub fn matomo_tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(attr.into(), item.into()).into()
}
