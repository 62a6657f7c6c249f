//! `Goals.*`: conversions, revenue, goal definitions and ecommerce items. All aggregate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Count, DimensionRow, Metric, Money, Rate};
use crate::Classified;

classified_fields! {
    /// The object `Goals.get` returns: conversions overall (or of `idGoal`), and
    /// split by new and returning visits. Ecommerce fields appear with
    /// `idGoal=ecommerceOrder`.
    pub struct GoalsSummary {
        /// Conversions.
        nb_conversions: Count,
        /// Visits that converted.
        nb_visits_converted: Count,
        /// Revenue.
        revenue: Money,
        /// Share of visits that converted (a fraction).
        conversion_rate: Rate,
        /// Ecommerce: revenue before tax and shipping.
        revenue_subtotal: Money,
        /// Ecommerce: tax.
        revenue_tax: Money,
        /// Ecommerce: shipping.
        revenue_shipping: Money,
        /// Ecommerce: discounts.
        revenue_discount: Money,
        /// Ecommerce: items.
        items: Count,
        /// Ecommerce: average order revenue.
        avg_order_revenue: Money,
        /// Conversions by new visits.
        nb_conversions_new_visit: Count,
        /// New visits that converted.
        nb_visits_converted_new_visit: Count,
        /// Revenue of new visits.
        revenue_new_visit: Money,
        /// Conversion rate of new visits.
        conversion_rate_new_visit: Rate,
        /// Ecommerce: subtotal of new visits.
        revenue_subtotal_new_visit: Money,
        /// Ecommerce: tax of new visits.
        revenue_tax_new_visit: Money,
        /// Ecommerce: shipping of new visits.
        revenue_shipping_new_visit: Money,
        /// Ecommerce: discounts of new visits.
        revenue_discount_new_visit: Money,
        /// Ecommerce: items of new visits.
        items_new_visit: Count,
        /// Ecommerce: average order revenue of new visits.
        avg_order_revenue_new_visit: Money,
        /// Conversions by returning visits.
        nb_conversions_returning_visit: Count,
        /// Returning visits that converted.
        nb_visits_converted_returning_visit: Count,
        /// Revenue of returning visits.
        revenue_returning_visit: Money,
        /// Conversion rate of returning visits.
        conversion_rate_returning_visit: Rate,
        /// Ecommerce: subtotal of returning visits.
        revenue_subtotal_returning_visit: Money,
        /// Ecommerce: tax of returning visits.
        revenue_tax_returning_visit: Money,
        /// Ecommerce: shipping of returning visits.
        revenue_shipping_returning_visit: Money,
        /// Ecommerce: discounts of returning visits.
        revenue_discount_returning_visit: Money,
        /// Ecommerce: items of returning visits.
        items_returning_visit: Count,
        /// Ecommerce: average order revenue of returning visits.
        avg_order_revenue_returning_visit: Money,
    }
}

classified_fields! {
    /// A goal as configured on a site (`Goals.getGoals`). Site configuration, aggregate.
    pub struct GoalDefinition {
        /// The site.
        #[privacy(aggregate)]
        pub idsite: Count,
        /// The goal id, the `N` of `idgoal=N`.
        #[privacy(aggregate)]
        pub idgoal: Count,
        /// The goal's name.
        #[privacy(aggregate)]
        pub name: String,
        /// The goal's description.
        (aggregate, strict) description: String,
        /// What is matched: `url`, `title`, `event_category`, `manually`, ….
        (aggregate, strict) match_attribute: String,
        /// The pattern matched (absent for manual goals).
        (aggregate, strict) pattern: String,
        /// How the pattern matches: `contains`, `exact`, `regex`.
        (aggregate, strict) pattern_type: String,
        /// Whether matching is case sensitive (0/1).
        case_sensitive: Count,
        /// Whether a visit can convert the goal more than once (0/1).
        allow_multiple: Count,
        /// Default revenue per conversion.
        revenue: Metric,
        /// Whether the goal is deleted (0/1).
        deleted: Count,
        /// Whether the event value is used as revenue (0/1).
        event_value_as_revenue: Count,
    }
}

classified_fields! {
    /// Metrics of an ecommerce product row. All aggregate.
    pub struct ItemMetrics {
        /// Visits that bought or viewed the product.
        nb_visits: Count,
        /// Actions.
        nb_actions: Count,
        /// Sum of daily unique visitors.
        sum_daily_nb_uniq_visitors: Count,
        /// Product revenue.
        revenue: Money,
        /// Quantity sold.
        quantity: Count,
        /// Orders containing the product.
        orders: Count,
        /// Average price.
        avg_price: Money,
        /// Average quantity per order.
        avg_quantity: Metric,
        /// Share of product visits that ordered it (a fraction).
        conversion_rate: Rate,
    }
}

/// A product row of `Goals.getItemsName`/`getItemsSku`: names and SKUs are the site's catalogue, aggregate.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct ItemRow {
    /// Product name, SKU or category.
    #[privacy(aggregate)]
    pub label: String,
    /// A segment selecting the product.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The product's metrics.
    #[serde(flatten)]
    pub metrics: ItemMetrics,
}

report! {
    /// `Goals.get`: conversions and revenue (of all goals, or of `idGoal`).
    Get = "Goals.get" => GoalsSummary;
    /// `Goals.getGoals`: the goals configured on the site.
    GetGoals = "Goals.getGoals" => Vec<GoalDefinition>;
    /// `Goals.getItemsName`: ecommerce products by name.
    GetItemsName = "Goals.getItemsName" => Vec<ItemRow>;
    /// `Goals.getItemsSku`: ecommerce products by SKU.
    GetItemsSku = "Goals.getItemsSku" => Vec<ItemRow>;
    /// `Goals.getVisitsUntilConversion`: conversions (of all goals, or of `idGoal`) by the
    /// visitor's visit number when converting ("1 visit", "6-10 visits"); rows carry only
    /// `nb_conversions`.
    GetVisitsUntilConversion = "Goals.getVisitsUntilConversion" => Vec<DimensionRow>;
    /// `Goals.getDaysToConversion`: conversions by days since the visitor's first visit
    /// ("0 days", "8-14 days"); rows carry only `nb_conversions`.
    GetDaysToConversion = "Goals.getDaysToConversion" => Vec<DimensionRow>;
}
