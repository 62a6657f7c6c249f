//! Recognises fields whose type names the type being derived (`subtable: Vec<Row>`).
//!
//! Such a field's shape is the enclosing shape again; expressing it through the
//! type's own `SHAPE` constant would be a cycle, so the derive emits
//! `Shape::Recursive` wrapped in the containers the field uses. The name only
//! nominates a field: the derive also emits a check that the type inside the
//! containers *is* `Self`, so a foreign type of the same name (`raw::Row` in
//! `Row`) is refused instead of being skipped as if it were the enclosing type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, Ident, PathArguments, Type};

/// What a field type says about recursion.
pub enum Recursion<'a> {
    /// The type does not mention the derived type.
    None,
    /// The shape expression for a supported recursive field, and the type inside its
    /// containers, which must be the derived type itself (checked by the compiler).
    Shape(TokenStream, &'a Type),
    /// The type mentions the derived type in a way the derive cannot express.
    Unsupported,
}

/// `own` is the derived type's name and `own_args` its generic arguments as written
/// in a use of it (`<T>`, or nothing); only a use with the same arguments has the same shape.
pub fn analyse<'a>(ty: &'a Type, own: &Ident, own_args: &str) -> Recursion<'a> {
    match shape(ty, own, own_args) {
        Some((tokens, inner)) => Recursion::Shape(tokens, inner),
        None if mentions(ty, own) => Recursion::Unsupported,
        None => Recursion::None,
    }
}

fn shape<'a>(ty: &'a Type, own: &Ident, own_args: &str) -> Option<(TokenStream, &'a Type)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let args = &last.arguments;
    let same_args = matches!(args, PathArguments::None) || quote!(#args).to_string() == own_args;
    if (last.ident == *own && same_args) || (last.ident == "Self" && args.is_none()) {
        return Some((
            quote!(::matomo_privacy_mcp_core::__private::Shape::Recursive),
            ty,
        ));
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(GenericArgument::Type(inner)) = args.args.first() else {
        return None;
    };
    if args.args.len() != 1 {
        return None;
    }
    let (inner, own_type) = shape(inner, own, own_args)?;
    match last.ident.to_string().as_str() {
        "Option" | "Box" | "Arc" | "Rc" => Some((inner, own_type)),
        "Vec" => Some((
            quote!(::matomo_privacy_mcp_core::__private::Shape::List(&#inner)),
            own_type,
        )),
        _ => None,
    }
}

fn mentions(ty: &Type, own: &Ident) -> bool {
    let text = quote!(#ty).to_string();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| *own == word || word == "Self")
}
