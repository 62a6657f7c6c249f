//! Collects every error of one expansion so that a single compile reports them all.

use std::fmt::Display;

use quote::ToTokens;

/// An error accumulator: add errors as they are found, then turn them into one `syn::Error`.
///
/// It must be consumed by [`Ctxt::check`]: dropping it unchecked would lose errors, so it
/// panics (a bug in the macro, caught by every test that expands it), as serde's does.
pub struct Ctxt {
    /// `None` once checked.
    errors: Option<Vec<syn::Error>>,
}

impl Ctxt {
    /// A context with no errors yet.
    pub fn new() -> Self {
        Self {
            errors: Some(Vec::new()),
        }
    }

    /// Records an error pointing at `tokens`.
    pub fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error that was already built.
    pub fn syn_error(&mut self, error: syn::Error) {
        if let Some(errors) = self.errors.as_mut() {
            errors.push(error);
        }
    }

    /// Whether no error has been recorded so far.
    pub fn check_ok(&self) -> bool {
        self.errors.as_ref().is_none_or(Vec::is_empty)
    }

    /// All errors merged into one, or `Ok` if there were none.
    pub fn check(mut self) -> Result<(), syn::Error> {
        let mut errors = self.errors.take().unwrap_or_default().into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if self.errors.is_some() && !std::thread::panicking() {
            panic!(
                "matomo-privacy-mcp-macros: a Ctxt was dropped without checking its errors (a bug in the macro)"
            );
        }
    }
}
