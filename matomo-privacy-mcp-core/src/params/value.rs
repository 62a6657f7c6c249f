//! Method-specific parameters (`idGoal`, `secondaryDimension`, …) beyond the common ones.

use std::fmt;

use crate::ids::SiteId;

/// A value that can be sent as a method-specific parameter.
///
/// Implemented for numbers, `bool` (sent as `1`/`0`), strings and the typed
/// values below, so callers pass `IdGoal::EcommerceOrder` or `3u32` rather
/// than pre-formatted strings.
pub trait ParamValue {
    /// The value as Matomo reads it.
    fn to_param_value(&self) -> String;
}

macro_rules! display_param_value {
    ($($ty:ty),*) => {
        $(impl ParamValue for $ty {
            fn to_param_value(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_param_value!(u8, u16, u32, u64, usize, i8, i16, i32, i64, String, SiteId);

impl ParamValue for &str {
    fn to_param_value(&self) -> String {
        (*self).to_owned()
    }
}

impl ParamValue for bool {
    fn to_param_value(&self) -> String {
        if *self { "1" } else { "0" }.to_owned()
    }
}

/// A goal for `Goals.get` and friends (`idGoal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdGoal {
    /// A goal defined in Matomo, by id.
    Goal(u32),
    /// Ecommerce orders.
    EcommerceOrder,
    /// Abandoned ecommerce carts.
    EcommerceAbandonedCart,
}

impl fmt::Display for IdGoal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Goal(id) => id.fmt(f),
            Self::EcommerceOrder => f.write_str("ecommerceOrder"),
            Self::EcommerceAbandonedCart => f.write_str("ecommerceAbandonedCart"),
        }
    }
}

impl ParamValue for IdGoal {
    fn to_param_value(&self) -> String {
        self.to_string()
    }
}

/// The subtable dimension of an Events report (`secondaryDimension`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventDimension {
    /// `eventCategory`.
    Category,
    /// `eventAction`.
    Action,
    /// `eventName`.
    Name,
}

impl ParamValue for EventDimension {
    fn to_param_value(&self) -> String {
        match self {
            Self::Category => "eventCategory",
            Self::Action => "eventAction",
            Self::Name => "eventName",
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_format_as_matomo_reads_them() {
        assert_eq!(true.to_param_value(), "1");
        assert_eq!(IdGoal::Goal(3).to_param_value(), "3");
        assert_eq!(IdGoal::EcommerceOrder.to_param_value(), "ecommerceOrder");
        assert_eq!(EventDimension::Name.to_param_value(), "eventName");
        assert_eq!(SiteId(4).to_param_value(), "4");
        assert_eq!("abc".to_param_value(), "abc");
    }
}
