//! The builder methods of the public configuration types, written once.

/// Builder methods that each change one field and hand the builder back: `pub fn with_x(mut self,
/// x: T) -> Self`, one line a setter instead of five, for [`HttpConfig`](crate::HttpConfig),
/// [`OAuthConfig`](crate::OAuthConfig), [`ServerInfo`](crate::ServerInfo) and
/// [`Profile`](crate::Profile).
///
/// Each entry reads as the method rustdoc shows, doc comment and attributes included, with the
/// statement on the builder as its body, written without `self.` (a macro's `self` is not the
/// caller's):
///
/// ```ignore
/// setters! {
///     /// Sets the listening address.
///     pub fn with_bind(bind: SocketAddr) { bind = bind }
///     /// Adds an accepted bearer token.
///     pub fn with_bearer_token(token: BearerToken) { bearer_tokens.push(token) }
/// }
/// ```
///
/// Every setter is `#[must_use]`: a builder dropped after a setter is a setting silently lost.
macro_rules! setters {
    ($($(#[$attr:meta])* $vis:vis fn $name:ident($arg:ident: $ty:ty) { $($body:tt)* })*) => {
        $(
            $(#[$attr])*
            #[must_use]
            $vis fn $name(mut self, $arg: $ty) -> Self {
                self.$($body)*;
                self
            }
        )*
    };
}

pub(crate) use setters;
