//! One action of a visit: a page view, download, outlink, search, event, goal or order.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Classified;
use crate::models::{Count, Metric, Seconds};

classified_fields! {
    /// An ecommerce item of an order or cart: ties an order to a person.
    pub struct ItemDetail {
        /// SKU.
        #[serde(rename = "itemSKU")]
        (identifying) item_sku: String,
        /// Product name.
        #[serde(rename = "itemName")]
        (identifying) item_name: String,
        /// Product category.
        #[serde(rename = "itemCategory")]
        (identifying) item_category: String,
        /// Price.
        (identifying) price: Metric,
        /// Quantity.
        (identifying) quantity: Count,
    }
}

classified_fields! {
    /// The fields of an [`ActionDetail`], each classified.
    #[serde(rename_all = "camelCase")]
    pub struct ActionFields {
        /// `action`, `download`, `outlink`, `search`, `event`, `goal`, `ecommerceOrder`, ….
        #[serde(rename = "type")]
        (aggregate) action_type: String,
        /// The page, download or outlink URL.
        (identifying) url: String,
        /// The page title.
        (identifying) page_title: String,
        /// The title shown in the visitor log (a page title, goal or event).
        (identifying) title: String,
        /// The subtitle shown in the visitor log (a URL, event or order summary).
        (identifying) subtitle: String,
        /// Id of the page's action.
        (pseudonymous) page_id_action: Count,
        /// Id of the page view row.
        (pseudonymous) page_id: Count,
        /// Page view id set by the tracker.
        (pseudonymous) idpageview: String,
        /// Unix time of the action.
        (pseudonymous) timestamp: Count,
        /// Date and time of the action, readable.
        (pseudonymous) server_time_pretty: String,
        /// Time spent on the page.
        (aggregate) time_spent: Seconds,
        /// Time spent on the page, readable.
        (aggregate) time_spent_pretty: String,
        /// Position of the page view in the visit.
        (aggregate) pageview_position: Count,
        /// Icon path.
        (aggregate) icon: String,
        /// Event category.
        (pseudonymous) event_category: String,
        /// Event action.
        (pseudonymous) event_action: String,
        /// Event name.
        (pseudonymous) event_name: String,
        /// Event value.
        (pseudonymous) event_value: Metric,
        /// Goal name.
        (aggregate) goal_name: String,
        /// Goal id.
        (aggregate) goal_id: Count,
        /// Page view that converted the goal.
        (pseudonymous) goal_page_id: Count,
        /// Revenue of the goal or order.
        (pseudonymous) revenue: Metric,
        /// Order id.
        (identifying) order_id: String,
        /// Items in the order or cart.
        (aggregate) items: Count,
        /// Site-search keyword.
        (identifying) site_search_keyword: String,
        /// Site-search category.
        (pseudonymous) site_search_category: String,
        /// Site-search result count.
        (aggregate) site_search_count: Count,
        /// Viewed product's name.
        (aggregate) product_view_name: String,
        /// Viewed product's SKU.
        (aggregate) product_view_sku: String,
        /// Viewed product's price.
        (aggregate) product_view_price: Metric,
        /// Viewed product's categories.
        (aggregate) product_view_categories: Vec<String>,
        /// Channel type of a goal's attribution.
        (aggregate) referrer_type: String,
        /// Referrer name of a goal's attribution.
        (aggregate) referrer_name: String,
        /// Referrer keyword of a goal's attribution.
        (identifying) referrer_keyword: String,
    }
}

/// One action of a [`Visit`](super::Visit).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct ActionDetail {
    /// The action's fields.
    #[serde(flatten)]
    pub fields: ActionFields,
    /// Items of an order or cart.
    #[serde(
        rename = "itemDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub item_details: Option<Vec<ItemDetail>>,
}
