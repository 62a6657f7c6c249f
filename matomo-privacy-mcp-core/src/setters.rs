//! The builders' setters that only store their argument.

/// Writes builder setters that store their argument in a field and return the builder:
///
/// ```ignore
/// setters! {
///     /// The sort column and direction.
///     pub fn sort(sort: Sort) => sort = Some(sort);
/// }
/// ```
///
/// becomes `pub fn sort(mut self, sort: Sort) -> Self { self.sort = Some(sort); self }`, with its
/// doc comment. The builders (`Params`, `MatomoClientBuilder`, `DeploymentBuilder`, …) have
/// dozens of such setters; written out, each was four lines of which only the names differ, and
/// what a setter does (which field, and how its argument is converted) was easy to miss among
/// them. A setter that checks or combines its argument is still written as a plain function.
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($arg:ident: $ty:ty) => $field:ident = $value:expr;
    )*) => {
        $(
            $(#[$attr])*
            $vis fn $name(mut self, $arg: $ty) -> Self {
                self.$field = $value;
                self
            }
        )*
    };
}

pub(crate) use setters;
