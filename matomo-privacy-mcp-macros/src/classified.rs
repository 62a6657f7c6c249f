//! `#[derive(Classified)]`: parse, validate, generate; on error, a stub impl beside the errors.
//!
//! Two impls come out: `Classified` (the shape, for paths, manifests and the run-time
//! ceiling) and `FitsUnder<C>` (the compile-time check), whose where clause holds one
//! requirement per field, spanned at the field's type, so that a tool exposing too much
//! gets an error whose note points at the field.

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
    shape: FieldShape,
}

/// What the derive emits for one field.
struct FieldShape {
    /// The `Shape` expression.
    shape: TokenStream,
    /// The bound the type must meet for `Classified` (generic types only), or nothing.
    bound: TokenStream,
    /// The requirement for `FitsUnder<__C>`, spanned at the field's type, or nothing.
    fits: TokenStream,
}

/// How the derived type is classified as a whole.
struct Derived {
    shape: TokenStream,
    bounds: Vec<TokenStream>,
    fits: Fits,
}

/// The `FitsUnder` impl(s) to emit.
enum Fits {
    /// One generic impl whose where clause holds these requirements.
    Fields(Vec<TokenStream>),
    /// A type with one class as a whole (a field-less enum).
    Leaf(Class),
}

pub fn expand(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::new();
    let derived = shape_of(&mut cx, input);
    match (cx.check(), derived) {
        (Ok(()), Some(derived)) => {
            let classified = impl_classified(input, &derived.shape, &derived.bounds);
            let fits = impl_fits(input, &derived.fits);
            quote!(#classified #fits)
        }
        (result, _) => {
            // A stub that exposes nothing and fits every class keeps one mistake from
            // cascading into errors wherever the type is used; the crate does not compile
            // anyway, because of the errors beside it.
            let stub_shape = quote!(::matomo_privacy_mcp_core::__private::Shape::Object(&[]));
            let stub = impl_classified(input, &stub_shape, &[]);
            let fits = impl_fits(input, &Fits::Fields(Vec::new()));
            let errors = result.err().map(syn::Error::into_compile_error);
            quote!(#errors #stub #fits)
        }
    }
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
        impl #impl_generics ::matomo_privacy_mcp_core::__private::Classified for #ident #ty_generics
        where #(#predicates,)*
        {
            const SHAPE: ::matomo_privacy_mcp_core::__private::Shape = #shape;
        }
    }
}

/// `impl<__C> FitsUnder<__C> for T where <each field's requirement>`, or a leaf's impls.
fn impl_fits(input: &DeriveInput, fits: &Fits) -> TokenStream {
    let ident = &input.ident;
    let p = quote!(::matomo_privacy_mcp_core::__private);
    let (_, ty_generics, where_clause) = input.generics.split_for_impl();
    let own_predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    match fits {
        Fits::Fields(requirements) => {
            let mut generics = input.generics.clone();
            // The parameter carries the type's own span: a derive-spanned parameter makes rustc
            // point at the derive ("type parameter would need to implement") instead of the field.
            let ceiling = syn::Ident::new("__C", ident.span());
            generics.params.push(syn::parse_quote!(#ceiling));
            let (impl_generics, _, _) = generics.split_for_impl();
            // Not `#[automatically_derived]`: rustc then shows each unmet requirement at the field
            // that introduced it instead of suggesting a manual impl.
            // Spanned at the type's name, so that the impl is not seen as derive-generated either.
            quote_spanned! {ident.span()=>
                impl #impl_generics ::matomo_privacy_mcp_core::__private::FitsUnder<#ceiling> for #ident #ty_generics
                where #(#own_predicates,)* #(#requirements,)*
                {}
            }
        }
        Fits::Leaf(class) => {
            let levels: &[Class] = match class {
                Class::Aggregate => &[],
                Class::Pseudonymous => &[Class::Pseudonymous, Class::Identifying],
                Class::Identifying => &[Class::Identifying],
            };
            if levels.is_empty() {
                return impl_fits(input, &Fits::Fields(Vec::new()));
            }
            let impls = levels.iter().map(|level| {
                let level = level.level_tokens();
                let (impl_generics, _, _) = input.generics.split_for_impl();
                quote! {
                    #[automatically_derived]
                    impl #impl_generics #p::FitsUnder<#level> for #ident #ty_generics
                    where #(#own_predicates,)*
                    {}
                }
            });
            quote!(#(#impls)*)
        }
    }
}

fn shape_of(cx: &mut Ctxt, input: &DeriveInput) -> Option<Derived> {
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
                        let shape = &f.shape.shape;
                        quote!(::matomo_privacy_mcp_core::__private::Field { name: #name, shape: #shape })
                    });
                    Some(Derived {
                        shape: quote!(::matomo_privacy_mcp_core::__private::Shape::Object(&[#(#entries),*])),
                        bounds: shaped.iter().map(|f| f.shape.bound.clone()).collect(),
                        fits: Fits::Fields(non_empty(shaped.iter().map(|f| &f.shape.fits))),
                    })
                }
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    // A newtype serialises as its only field.
                    let field = fields.unnamed.first()?;
                    let label = format!("the field of newtype `{}`", input.ident);
                    let shaped = field_shape(cx, &input.ident, &own_args(input), &label, field)?;
                    Some(Derived {
                        fits: Fits::Fields(non_empty([&shaped.fits])),
                        shape: shaped.shape,
                        bounds: vec![shaped.bound],
                    })
                }
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "derive(Classified) does not support tuple structs with several fields; use named fields so each can be classified and reported by name",
                    );
                    None
                }
                Fields::Unit => Some(Derived {
                    shape: quote!(::matomo_privacy_mcp_core::__private::Shape::Object(&[])),
                    bounds: Vec::new(),
                    fits: Fits::Fields(Vec::new()),
                }),
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
                    Some(Derived {
                        shape: quote!(::matomo_privacy_mcp_core::__private::Shape::Value(#class)),
                        bounds: Vec::new(),
                        fits: Fits::Leaf(attr.class),
                    })
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
    let shape = field_shape(cx, &input.ident, &own_args(input), &label, field)?;
    Some(ShapedField { json_name, shape })
}

fn non_empty<'a>(requirements: impl IntoIterator<Item = &'a TokenStream>) -> Vec<TokenStream> {
    requirements
        .into_iter()
        .filter(|r| !r.is_empty())
        .cloned()
        .collect()
}

/// The shape expression of one field, the bound its type must meet, and its `FitsUnder` requirement.
fn field_shape(
    cx: &mut Ctxt,
    container: &syn::Ident,
    own_args: &str,
    label: &str,
    field: &syn::Field,
) -> Option<FieldShape> {
    let ty: &Type = &field.ty;
    let span = ty.span();
    let p = quote!(::matomo_privacy_mcp_core::__private);
    let privacy = privacy_attr::parse(cx, &field.attrs);
    match recursion::analyse(ty, container, own_args) {
        Recursion::None => {}
        Recursion::Shape(shape, own_type) => {
            if let Parsed::Found(attr) = privacy {
                cx.error_spanned_by(
                    attr.original,
                    format!("{label} of `{container}` holds `{container}` again; its class comes from `{container}`, so remove #[privacy(...)]"),
                );
                return None;
            }
            // The name nominated the field; the compiler proves the type is `Self`.
            let own_span = own_type.span();
            let shape = quote_spanned! {own_span=>
                {
                    #p::assert_same_type::<#own_type, Self>();
                    #shape
                }
            };
            return Some(FieldShape {
                shape,
                bound: TokenStream::new(),
                fits: TokenStream::new(),
            });
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
            let level = attr.class.level_tokens();
            // An annotated value fits where a classified value of its class would.
            let fits = match attr.class {
                Class::Aggregate => TokenStream::new(),
                Class::Pseudonymous => {
                    quote_spanned!(span=> ::matomo_privacy_mcp_core::__private::Pseudonymous<#ty>: ::matomo_privacy_mcp_core::__private::FitsUnder<__C>)
                }
                Class::Identifying => {
                    quote_spanned!(span=> ::matomo_privacy_mcp_core::__private::Identifying<#ty>: ::matomo_privacy_mcp_core::__private::FitsUnder<__C>)
                }
            };
            Some(FieldShape {
                shape: quote_spanned!(span=> #p::annotated::<#ty, #level>(#class)),
                bound: quote!(#ty: #p::AnnotatableAs<#level>),
                fits,
            })
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
        Parsed::Missing => Some(FieldShape {
            shape: quote_spanned!(span=> <#ty as #p::Classified>::SHAPE),
            bound: quote!(#ty: #p::Classified),
            // Written out, not through `#p`: interpolated tokens keep the derive's span, and
            // rustc would then point at the derive instead of this field.
            fits: quote_spanned!(span=> #ty: ::matomo_privacy_mcp_core::__private::FitsUnder<__C>),
        }),
    }
}

/// The derived type's generic arguments as they appear in a use of it, such as `< T >`.
fn own_args(input: &DeriveInput) -> String {
    let (_, ty_generics, _) = input.generics.split_for_impl();
    quote!(#ty_generics).to_string()
}
