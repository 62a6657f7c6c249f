//! `#[derive(Classified)]`: parse, validate, generate; on error, a stub impl beside the errors.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Type};

use crate::internals::ctxt::Ctxt;
use crate::internals::privacy_attr::{self, Class, Parsed};
use crate::internals::recursion::{self, Recursion};
use crate::internals::{plain_type, serde_attr};

/// One field as it appears in JSON, with the expression for its shape.
struct ShapedField {
    json_name: String,
    shape: TokenStream,
    bound: TokenStream,
}

pub fn expand(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let shape = shape_of(&mut cx, input);
    match cx.check() {
        Ok(()) => {
            let (shape, bounds) = shape.unwrap_or_else(|| (identifying_stub(), Vec::new()));
            impl_classified(input, &shape, &bounds)
        }
        Err(error) => {
            // Emitting a stub impl keeps one mistake from cascading into errors
            // wherever the type is used; the stub is the strictest class.
            let stub = impl_classified(input, &identifying_stub(), &[]);
            let errors = error.into_compile_error();
            quote!(#errors #stub)
        }
    }
}

fn identifying_stub() -> TokenStream {
    let class = Class::Identifying.to_tokens();
    quote!(::matomo_mcp_core::__private::Shape::Value(#class))
}

fn impl_classified(
    input: &DeriveInput,
    shape: &TokenStream,
    bounds: &[TokenStream],
) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    // Bounds on field types are only needed (and only sound to emit) for generic types;
    // for concrete types the spanned expressions report the error at the field.
    if !input.generics.params.is_empty() {
        predicates.extend(bounds.iter().filter(|bound| !bound.is_empty()).cloned());
    }
    quote! {
        #[automatically_derived]
        impl #impl_generics ::matomo_mcp_core::__private::Classified for #ident #ty_generics
        where #(#predicates,)*
        {
            const SHAPE: ::matomo_mcp_core::__private::Shape = #shape;
        }
    }
}

fn shape_of(cx: &mut Ctxt, input: &DeriveInput) -> Option<(TokenStream, Vec<TokenStream>)> {
    let container_class = match privacy_attr::parse(cx, &input.attrs) {
        Parsed::Found(attr) => Some(attr),
        Parsed::Missing => None,
        Parsed::Invalid => return None,
    };
    match &input.data {
        Data::Struct(data) => {
            if let Some(attr) = &container_class {
                cx.error_spanned_by(
                    attr.original,
                    "put #[privacy(...)] on each field, not on the struct: a struct's class is the highest of its fields",
                );
            }
            match &data.fields {
                Fields::Named(fields) => {
                    let rename_all = serde_attr::container(&input.attrs).rename_all;
                    let shaped: Vec<ShapedField> = fields
                        .named
                        .iter()
                        .filter_map(|field| named_field(cx, input, rename_all.as_deref(), field))
                        .collect();
                    let entries = shaped.iter().map(|f| {
                        let name = &f.json_name;
                        let shape = &f.shape;
                        quote!(::matomo_mcp_core::__private::Field { name: #name, shape: #shape })
                    });
                    let bounds = shaped.iter().map(|f| f.bound.clone()).collect();
                    Some((
                        quote!(::matomo_mcp_core::__private::Shape::Object(&[#(#entries),*])),
                        bounds,
                    ))
                }
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    // A newtype serialises as its only field.
                    let field = fields.unnamed.first()?;
                    let label = format!("the field of newtype `{}`", input.ident);
                    let shaped = field_shape(cx, &input.ident, &own_args(input), &label, field)?;
                    Some((shaped.0, vec![shaped.1]))
                }
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "derive(Classified) does not support tuple structs with several fields; use named fields so each can be classified and reported by name",
                    );
                    None
                }
                Fields::Unit => Some((
                    quote!(::matomo_mcp_core::__private::Shape::Object(&[])),
                    Vec::new(),
                )),
            }
        }
        Data::Enum(data) => {
            if let Some(variant) = data
                .variants
                .iter()
                .find(|v| !matches!(v.fields, Fields::Unit))
            {
                cx.error_spanned_by(
                    variant,
                    "derive(Classified) supports enums whose variants carry no data; classify the field that holds this enum by hand, or implement `Classified` for it",
                );
                return None;
            }
            match container_class {
                Some(attr) => {
                    let class = attr.class.to_tokens();
                    Some((
                        quote!(::matomo_mcp_core::__private::Shape::Value(#class)),
                        Vec::new(),
                    ))
                }
                None => {
                    cx.error_spanned_by(
                        &input.ident,
                        format!(
                            "enum `{}` has no privacy class: add #[privacy(aggregate)], #[privacy(pseudonymous)] or #[privacy(identifying)] to the enum",
                            input.ident
                        ),
                    );
                    None
                }
            }
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "derive(Classified) does not support unions",
            );
            None
        }
    }
}

fn named_field(
    cx: &mut Ctxt,
    input: &DeriveInput,
    rename_all: Option<&str>,
    field: &syn::Field,
) -> Option<ShapedField> {
    let ident = field.ident.as_ref()?;
    let serde = serde_attr::field(&field.attrs);
    if serde.skip {
        // Not serialised, so not exposed; a stray #[privacy] on it is harmless.
        return None;
    }
    let rust_name = ident.to_string();
    let rust_name = rust_name
        .strip_prefix("r#")
        .unwrap_or(&rust_name)
        .to_owned();
    let json_name = if serde.flatten {
        String::new()
    } else if let Some(rename) = serde.rename {
        rename
    } else if let Some(rule) = rename_all {
        serde_attr::apply_rename_all(rule, &rust_name).unwrap_or_else(|| rust_name.clone())
    } else {
        rust_name.clone()
    };
    let label = format!("field `{rust_name}`");
    let (shape, bound) = field_shape(cx, &input.ident, &own_args(input), &label, field)?;
    Some(ShapedField {
        json_name,
        shape,
        bound,
    })
}

/// The shape expression of one field and the bound its type must meet.
fn field_shape(
    cx: &mut Ctxt,
    container: &syn::Ident,
    own_args: &str,
    label: &str,
    field: &syn::Field,
) -> Option<(TokenStream, TokenStream)> {
    let ty: &Type = &field.ty;
    let span = ty.span();
    let privacy = privacy_attr::parse(cx, &field.attrs);
    match recursion::analyse(ty, container, own_args) {
        Recursion::None => {}
        Recursion::Shape(shape) => {
            if let Parsed::Found(attr) = privacy {
                cx.error_spanned_by(
                    attr.original,
                    format!("{label} of `{container}` holds `{container}` again; its class comes from `{container}`, so remove #[privacy(...)]"),
                );
                return None;
            }
            return Some((shape, TokenStream::new()));
        }
        Recursion::Unsupported => {
            cx.error_spanned_by(
                ty,
                format!("{label} of `{container}` holds `{container}` in a container the derive cannot follow; use `Vec<{container}>`, `Option<Box<{container}>>` or similar"),
            );
            return None;
        }
    }
    match privacy {
        Parsed::Invalid => None,
        Parsed::Found(attr) => {
            let class = attr.class.to_tokens();
            Some((
                quote_spanned!(span=> ::matomo_mcp_core::__private::annotated::<#ty>(#class)),
                quote!(#ty: ::matomo_mcp_core::__private::PlainValue),
            ))
        }
        Parsed::Missing if plain_type::is_plain(ty) => {
            cx.error_spanned_by(
                field,
                format!(
                    "{label} of `{container}` has no privacy class: add #[privacy(aggregate)], #[privacy(pseudonymous)] or #[privacy(identifying)]"
                ),
            );
            None
        }
        Parsed::Missing => Some((
            quote_spanned!(span=> <#ty as ::matomo_mcp_core::__private::Classified>::SHAPE),
            quote!(#ty: ::matomo_mcp_core::__private::Classified),
        )),
    }
}

/// The derived type's generic arguments as they appear in a use of it, such as `< T >`.
fn own_args(input: &DeriveInput) -> String {
    let (_, ty_generics, _) = input.generics.split_for_impl();
    quote!(#ty_generics).to_string()
}
