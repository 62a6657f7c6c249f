//! `#[matomo_tool]`: keeps an `async fn` as it is and adds a unit struct implementing `Tool`, with a
//! compile-time check that its output stays within its declared class.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, FnArg, ItemFn, Lit, Meta, ReturnType, Type};

use crate::internals::ctxt::Ctxt;
use crate::internals::privacy_attr::Class;
use crate::internals::tool_attr::{self, ToolAttr};

/// The parameters of a tool function, by role.
struct Params<'a> {
    state: Option<&'a Type>,
    arguments: Option<&'a Type>,
}

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::new();
    let attr = tool_attr::parse(&mut cx, args);
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            cx.error_spanned_by(
                &item,
                "#[matomo_tool] goes on an `async fn` (a free function; methods are not supported)",
            );
            return finish(cx, item);
        }
    };
    let params = params(&mut cx, &function);
    let description = description(&function.attrs);
    let name = attr
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_else(|| function.sig.ident.to_string());
    if description.is_empty() {
        cx.error_spanned_by(
            &function.sig.ident,
            format!(
                "tool `{name}` has no doc comment: write one, it becomes the description the model reads"
            ),
        );
    }
    if function.sig.asyncness.is_none() {
        cx.error_spanned_by(function.sig.fn_token, "#[matomo_tool] needs an `async fn`");
    }
    if !function.sig.generics.params.is_empty() {
        cx.error_spanned_by(&function.sig.generics, "a tool function cannot be generic");
    }
    let output = match &function.sig.output {
        ReturnType::Type(_, ty) => Some(ty.as_ref()),
        ReturnType::Default => {
            cx.error_spanned_by(
                &function.sig,
                "a tool function must return `Result<T, E>` where T is the tool's output and E: Into<ToolError>",
            );
            None
        }
    };
    let (Some(params), Some(output)) = (params, output) else {
        let stub = stub(&function, &attr);
        let function = without_receiver(&function);
        return finish(cx, quote!(#function #stub));
    };
    if cx.check_ok() {
        let generated = generate(&function, &attr, &name, &description, &params, output);
        finish(cx, generated)
    } else {
        let stub = stub(&function, &attr);
        finish(cx, quote!(#item #stub))
    }
}

/// The function without a `self` parameter, already reported: rustc would report it again.
fn without_receiver(function: &ItemFn) -> ItemFn {
    let mut function = function.clone();
    function.sig.inputs = function
        .sig
        .inputs
        .into_iter()
        .filter(|input| !matches!(input, FnArg::Receiver(_)))
        .collect();
    function
}

/// The errors, plus `tokens` (the function unchanged, so that its body still type-checks).
fn finish(cx: Ctxt, tokens: TokenStream) -> TokenStream {
    let errors = cx.check().err().map(syn::Error::into_compile_error);
    quote!(#errors #tokens)
}

/// A `XTool` that registers anywhere but is never served, emitted beside the errors of a
/// failed expansion so that one mistake gives one error, not another at every use.
fn stub(function: &ItemFn, attr: &ToolAttr) -> TokenStream {
    let p = quote!(::matomo_privacy_mcp_core::__private);
    let vis = &function.vis;
    let tool_ident = tool_ident(&function.sig.ident);
    let consts = attr.declassify.iter().map(|d| {
        let konst = declassification_const(&d.name);
        quote!(#[allow(missing_docs)] pub const #konst: #p::Declassification = #p::declassification("", "", "");)
    });
    quote! {
        #[allow(missing_docs)]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #tool_ident;

        impl #tool_ident {
            #(#consts)*
        }

        impl<__S: ::core::marker::Send + ::core::marker::Sync + 'static> #p::Tool<__S> for #tool_ident {
            fn descriptor(&self) -> #p::ToolDescriptor {
                #p::ToolDescriptor::for_types::<#p::NoArguments, #p::NoOutput>(
                    "invalid_tool", ::core::option::Option::None, "", #p::PrivacyClass::Identifying,
                )
            }

            fn call<'a>(&'a self, _: &'a __S, _: #p::serde_json::Value) -> #p::ToolFuture<'a> {
                ::std::boxed::Box::pin(async {
                    ::core::result::Result::Err(#p::ToolError::internal("this tool failed to compile"))
                })
            }
        }
    }
}

fn tool_ident(function: &syn::Ident) -> syn::Ident {
    format_ident!("{}Tool", camel_case(&function.to_string()))
}

/// `page_urls` -> `PAGE_URLS`: the constant a declassification becomes on the tool's struct.
fn declassification_const(name: &syn::Ident) -> syn::Ident {
    let text = name.to_string();
    syn::Ident::new(&text.trim_start_matches("r#").to_uppercase(), name.span())
}

fn params<'a>(cx: &mut Ctxt, function: &'a ItemFn) -> Option<Params<'a>> {
    let mut out = Params {
        state: None,
        arguments: None,
    };
    let mut ok = true;
    for (index, input) in function.sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                cx.error_spanned_by(
                    receiver,
                    "#[matomo_tool] does not support methods; write a free function whose first parameter is `&State`",
                );
                ok = false;
            }
            FnArg::Typed(typed) => match typed.ty.as_ref() {
                Type::Reference(reference) if index == 0 && out.arguments.is_none() => {
                    if reference.mutability.is_some() {
                        cx.error_spanned_by(
                            reference,
                            "the state parameter is shared: take `&State`, not `&mut State`",
                        );
                        ok = false;
                    }
                    out.state = Some(&reference.elem);
                }
                ty if out.arguments.is_none() => out.arguments = Some(ty),
                _ => {
                    cx.error_spanned_by(
                        typed,
                        "a tool takes at most two parameters: `&State` first, then one arguments value",
                    );
                    ok = false;
                }
            },
        }
    }
    ok.then_some(out)
}

fn description(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(s) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

fn default_title(name: &str) -> String {
    let spaced = name.replace(['_', '-', '.'], " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn generate(
    function: &ItemFn,
    attr: &ToolAttr,
    name: &str,
    description: &str,
    params: &Params<'_>,
    output: &Type,
) -> TokenStream {
    let ident = &function.sig.ident;
    let vis = &function.vis;
    let tool_ident = tool_ident(ident);
    let fn_doc = format!(
        "The MCP tool `{name}`, running [`{ident}`]. Register it with `Toolbox::tool({tool_ident})`."
    );
    let class = attr.max_class.unwrap_or(Class::Aggregate).to_tokens();
    let title = attr
        .title
        .as_ref()
        .map(|t| t.value())
        .unwrap_or_else(|| default_title(name));
    let idempotent = attr.idempotent.unwrap_or(true);
    let open_world = attr.open_world.unwrap_or(false);
    let exact_only = attr.exact_only.unwrap_or(false);
    let p = quote!(::matomo_privacy_mcp_core::__private);
    let out_span = output.span();
    let output_ty = quote_spanned!(out_span=> <#output as #p::ToolReturn>::Output);
    let render = match &attr.render {
        Some(path) => {
            quote!(::core::option::Option::Some(#path as fn(&#output_ty) -> ::std::string::String))
        }
        None => quote!(::core::option::Option::None),
    };
    let args_ty = match params.arguments {
        Some(ty) => quote!(#ty),
        None => quote!(#p::NoArguments),
    };
    let (impl_header, state_ty) = match params.state {
        Some(state) => (
            quote!(impl #p::Tool<#state> for #tool_ident),
            quote!(#state),
        ),
        None => {
            let s = format_ident!("__MatomoToolState");
            (
                quote!(impl<#s: ::core::marker::Send + ::core::marker::Sync + 'static> #p::Tool<#s> for #tool_ident),
                quote!(#s),
            )
        }
    };
    let run_args = match (params.state.is_some(), params.arguments.is_some()) {
        (true, true) => quote!(state, arguments),
        (true, false) => quote!(state),
        (false, true) => quote!(arguments),
        (false, false) => quote!(),
    };
    let unused_state = params.state.is_none().then(|| quote!(let _ = state;));
    let bind_arguments = if params.arguments.is_some() {
        quote!(let arguments: #args_ty = #p::decode_arguments(arguments)?;)
    } else {
        quote!(let _: #args_ty = #p::decode_arguments(arguments)?;)
    };
    let level = attr.max_class.unwrap_or(Class::Aggregate).level_tokens();
    // The trait check reports a violation at the output type with a note at the field; the
    // shape check behind it only fires if a hand-written `FitsUnder` disagrees with `SHAPE`
    // (a failed trait check stops the constant from being evaluated, so one error shows).
    let assertion = quote_spanned! {out_span=>
        const _: () = {
            #p::assert_fits::<#output_ty, #level>();
            #p::assert_tool_within(
                #name,
                &<#output_ty as #p::Classified>::SHAPE,
                #class,
            );
        };
    };
    let declassification_consts = attr.declassify.iter().map(|d| {
        let konst = declassification_const(&d.name);
        let key = d.name.to_string();
        let reason = &d.reason;
        let doc = format!("Declared use of the escape hatch: {}", reason.value());
        quote! {
            #[doc = #doc]
            pub const #konst: #p::Declassification = #p::declassification(#name, #key, #reason);
        }
    });
    let declassification_list = attr.declassify.iter().map(|d| {
        let konst = declassification_const(&d.name);
        quote!(#tool_ident::#konst)
    });

    quote! {
        #function

        #[doc = #fn_doc]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #tool_ident;

        impl #tool_ident {
            /// The tool's name, as listed to MCP clients.
            pub const NAME: &'static str = #name;
            /// The most sensitive class the tool may return, checked at compile time.
            pub const MAX_CLASS: #p::PrivacyClass = #class;
            #(#declassification_consts)*
        }

        #assertion

        #[automatically_derived]
        #impl_header {
            fn descriptor(&self) -> #p::ToolDescriptor {
                #p::ToolDescriptor::for_types::<#args_ty, #output_ty>(
                    #name,
                    ::core::option::Option::Some(#title),
                    #description,
                    #class,
                )
                .with_declassifications(&[#(#declassification_list),*])
                .with_exact_only(#exact_only)
                // The tool's own `title` names it; the annotation would say it again.
                .with_annotations(#p::ToolAnnotations {
                    title: ::core::option::Option::None,
                    read_only_hint: true,
                    destructive_hint: false,
                    idempotent_hint: #idempotent,
                    open_world_hint: #open_world,
                })
            }

            fn call<'a>(
                &'a self,
                state: &'a #state_ty,
                arguments: #p::serde_json::Value,
            ) -> #p::ToolFuture<'a> {
                ::std::boxed::Box::pin(async move {
                    #unused_state
                    #bind_arguments
                    let output = #p::ToolReturn::into_tool_result(#ident(#run_args).await)?;
                    #p::encode_output(&output, #render, #class)
                })
            }
        }
    }
}

/// `visits_summary` -> `VisitsSummary`.
fn camel_case(snake: &str) -> String {
    snake
        .trim_start_matches("r#")
        .split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
