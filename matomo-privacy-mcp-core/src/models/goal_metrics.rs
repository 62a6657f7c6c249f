//! The per-goal `goals` object that report rows carry, keyed `idgoal=<id>`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Count, Metric, Money, Rate};
use crate::privacy::{ClassifiedKey, MapKey, PrivacyClass};

/// Which goal an entry of a row's `goals` object is about.
///
/// Matomo keys the object `idgoal=1`, `idgoal=ecommerceOrder` or
/// `idgoal=ecommerceAbandonedCart`; the key is written back the same way. Goal
/// ids are site configuration, so the keys are aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GoalKey {
    /// A goal defined on the site (`idgoal=<n>`).
    Goal(u32),
    /// Ecommerce orders (`idgoal=ecommerceOrder`).
    EcommerceOrder,
    /// Abandoned ecommerce carts (`idgoal=ecommerceAbandonedCart`).
    AbandonedCart,
}

const PREFIX: &str = "idgoal=";

impl fmt::Display for GoalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoalKey::Goal(id) => write!(f, "{PREFIX}{id}"),
            GoalKey::EcommerceOrder => write!(f, "{PREFIX}ecommerceOrder"),
            GoalKey::AbandonedCart => write!(f, "{PREFIX}ecommerceAbandonedCart"),
        }
    }
}

impl Serialize for GoalKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct GoalKeyVisitor;

impl Visitor<'_> for GoalKeyVisitor {
    type Value = GoalKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a goal key such as \"idgoal=1\" or \"idgoal=ecommerceOrder\"")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<GoalKey, E> {
        let invalid = || E::invalid_value(Unexpected::Str(value), &GoalKeyVisitor);
        match value.strip_prefix(PREFIX).ok_or_else(invalid)? {
            "ecommerceOrder" => Ok(GoalKey::EcommerceOrder),
            "ecommerceAbandonedCart" => Ok(GoalKey::AbandonedCart),
            id => id.parse().map(GoalKey::Goal).map_err(|_| invalid()),
        }
    }
}

impl<'de> Deserialize<'de> for GoalKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(GoalKeyVisitor)
    }
}

impl JsonSchema for GoalKey {
    fn schema_name() -> Cow<'static, str> {
        "GoalKey".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^idgoal=([0-9]+|ecommerceOrder|ecommerceAbandonedCart)$",
        })
    }
}

impl ClassifiedKey for GoalKey {
    const KEY: MapKey = MapKey {
        name: "idgoal",
        class: PrivacyClass::Aggregate,
    };
    type Level = crate::privacy::max_class::aggregate;
}

classified_fields! {
    /// One goal's metrics inside a report row's `goals` object. All aggregate.
    ///
    /// Visit-dimension reports send conversions and revenue; page reports add
    /// attribution metrics (`nb_conversions_attrib`, `revenue_entry`, …).
    pub struct GoalMetrics {
        /// Conversions of the goal.
        nb_conversions: Count,
        /// Visits that converted the goal.
        nb_visits_converted: Count,
        /// Revenue of the goal's conversions.
        revenue: Money,
        /// Ecommerce: revenue before tax and shipping.
        revenue_subtotal: Money,
        /// Ecommerce: tax.
        revenue_tax: Money,
        /// Ecommerce: shipping.
        revenue_shipping: Money,
        /// Ecommerce: discounts.
        revenue_discount: Money,
        /// Ecommerce: items sold or left in carts.
        items: Count,
        /// Conversion rate of the row for this goal (a fraction).
        conversion_rate: Rate,
        /// Page reports: pages viewed before converting.
        nb_conv_pages_before: Count,
        /// Page reports: conversions attributed to the page (fractional).
        nb_conversions_attrib: Metric,
        /// Page reports: revenue attributed to the page.
        revenue_attrib: Money,
        /// Page reports: conversion rate of the page's views.
        nb_conversions_page_rate: Metric,
        /// Page reports: unique conversions after viewing the page.
        nb_conversions_page_uniq: Count,
        /// Entry page reports: conversions of visits that entered on the page.
        nb_conversions_entry: Count,
        /// Entry page reports: conversions per entry.
        nb_conversions_entry_rate: Metric,
        /// Entry page reports: revenue of visits that entered on the page.
        revenue_entry: Money,
        /// Entry page reports: revenue per entry.
        revenue_per_entry: Money,
    }
}

/// A row's `goals` object: metrics per goal.
pub type GoalsByKey = BTreeMap<GoalKey, GoalMetrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let json = r#"{"idgoal=1":{"nb_conversions":"2"},"idgoal=ecommerceOrder":{"revenue":9.5},"idgoal=ecommerceAbandonedCart":{}}"#;
        let goals: GoalsByKey = serde_json::from_str(json).unwrap();
        assert_eq!(goals[&GoalKey::Goal(1)].nb_conversions, Some(Count(2)));
        assert_eq!(goals[&GoalKey::EcommerceOrder].revenue, Some(Money(9.5)));
        let back = serde_json::to_string(&goals).unwrap();
        assert_eq!(
            back,
            r#"{"idgoal=1":{"nb_conversions":2},"idgoal=ecommerceOrder":{"revenue":9.5},"idgoal=ecommerceAbandonedCart":{}}"#
        );
    }

    #[test]
    fn refuses_other_keys() {
        let err = serde_json::from_str::<GoalsByKey>(r#"{"goal1":{}}"#).unwrap_err();
        assert!(err.to_string().contains("a goal key"), "{err}");
        assert!(serde_json::from_str::<GoalsByKey>(r#"{"idgoal=x":{}}"#).is_err());
    }
}
