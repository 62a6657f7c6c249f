//! One action of a visit: a page view, download, outlink, search, event, goal or order.

use serde::Deserialize;

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
        /// Matomo 5.0.2 sends a content impression's or click's as the number `13` (its
        /// `TYPE_CONTENT`, left untranslated), read as the text `"13"`.
        #[privacy(aggregate)]
        #[serde(
            rename = "type",
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "type_text"
        )]
        pub action_type: Option<String>,
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

/// An action's `type`: text, or a number as its text; absent for `null` or `false`.
fn type_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null | serde_json::Value::Bool(false) => Ok(None),
        serde_json::Value::String(text) => Ok(Some(text)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        serde_json::Value::Bool(true) => Err(serde::de::Error::invalid_type(
            serde::de::Unexpected::Bool(true),
            &"an action type (text or a number)",
        )),
        serde_json::Value::Array(_) => Err(serde::de::Error::invalid_type(
            serde::de::Unexpected::Seq,
            &"an action type (text or a number)",
        )),
        serde_json::Value::Object(_) => Err(serde::de::Error::invalid_type(
            serde::de::Unexpected::Map,
            &"an action type (text or a number)",
        )),
    }
}

classified_fields! {
    /// One action of a [`Visit`](super::Visit).
    pub struct ActionDetail {
        /// The action's fields.
        #[serde(flatten)]
        pub fields: ActionFields,
        /// Items of an order or cart.
        #[serde(rename = "itemDetails")]
        (typed) item_details: Vec<ItemDetail>,
    }
}

#[cfg(test)]
mod tests {
    use super::ActionDetail;

    #[test]
    fn a_content_action_s_numeric_type_is_read_as_its_text() {
        // As Matomo 5.0.2's visitor log lists a content impression.
        let json = r#"{"type":13,"url":"https://shop.example.com/","pageTitle":null,
            "title":"Content Impression","subtitle":"Homepage banner - Black Friday",
            "contentName":"Homepage banner","timestamp":1795711015}"#;
        let action: ActionDetail = serde_json::from_str(json).unwrap();
        assert_eq!(action.fields.action_type.as_deref(), Some("13"));
        let page: ActionDetail = serde_json::from_str(r#"{"type":"action"}"#).unwrap();
        assert_eq!(page.fields.action_type.as_deref(), Some("action"));
        let none: ActionDetail = serde_json::from_str(r#"{"type":false}"#).unwrap();
        assert_eq!(none.fields.action_type, None);
        assert!(serde_json::from_str::<ActionDetail>(r#"{"type":{"a":1}}"#).is_err());
    }
}
