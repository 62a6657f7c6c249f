//! The Tracking API requests that make a real Matomo record a [`Visit`] as the generator means it.
//!
//! Every request carries `cid` (the visitor id is forced, so Matomo matches the visitor by id
//! alone, never by its fingerprint) and `cdt` (the time; a past time needs the admin token in the
//! bulk request's body). A visit's first request carries `new_visit=1`, so Matomo starts a visit
//! exactly where the generator does; the generator also keeps visits more than 30 minutes apart
//! and inside one day, so the split is the one Matomo would make by itself.

use std::fmt::Write;

use super::{ActionKind, Referrer, Visit};

pub use crate::query::request::percent_encode as url_encode;

/// An `application/x-www-form-urlencoded` body of `pairs`.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The parameters that open every tracking request of a visitor, here and in
/// [`crate::real_matomo`]: the site, a recorded request (`rec`, `apiv`) answered without an image,
/// the visitor id forced (`_id` and `cid`, so Matomo matches the visitor by id alone), the IP
/// (`cip`, which needs the admin token) and the country given (no GeoIP database).
pub(crate) fn visitor_params(idsite: u32, visitor_id: &str, ip: &str, country: &str) -> String {
    format!(
        "idsite={idsite}&rec=1&apiv=1&send_image=0&_id={visitor_id}&cid={visitor_id}&cip={ip}&country={country}"
    )
}

/// Cents as Matomo's money (`12.34`).
fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl Visit {
    /// The visit's tracking requests in time order, each a query string starting with `?` as the
    /// bulk API's `requests` wants them, without any token (the caller puts the admin token in
    /// the bulk body, never in a URL). `site` is Matomo's `idsite`.
    pub fn tracking_requests(&self, site: u32) -> Vec<String> {
        let common = format!(
            "{visitor}&lang={lang}&ua={ua}&res={res}",
            visitor = visitor_params(site, &self.visitor_id, &self.ip, self.country),
            lang = url_encode(self.lang),
            ua = url_encode(self.user_agent),
            res = self.resolution,
        );
        let mut requests = Vec::new();
        let mut conversions = self.conversions.iter().peekable();
        for (i, action) in self.actions.iter().enumerate() {
            let mut q = format!(
                "?{common}&cdt={}&url={}",
                action.ts,
                url_encode(&action.url)
            );
            if i == 0 {
                q.push_str("&new_visit=1");
                match &self.referrer {
                    Referrer::Search { url, .. } => {
                        let _ = write!(q, "&urlref={}", url_encode(url));
                    }
                    Referrer::Website { url } | Referrer::Social { url } => {
                        let _ = write!(q, "&urlref={}", url_encode(url));
                    }
                    // Campaigns are read from the landing URL's mtm_ parameters.
                    Referrer::Direct | Referrer::Campaign { .. } => {}
                }
            }
            match &action.kind {
                ActionKind::Page { title } => {
                    let _ = write!(q, "&action_name={}", url_encode(title));
                }
                ActionKind::Search {
                    keyword,
                    category,
                    results,
                } => {
                    let _ = write!(q, "&search={}&search_count={results}", url_encode(keyword));
                    if let Some(category) = category {
                        let _ = write!(q, "&search_cat={}", url_encode(category));
                    }
                }
            }
            requests.push(q);
            while let Some(c) = conversions.next_if(|c| c.after_action == i) {
                let mut q = format!(
                    "?{common}&cdt={}&url={}&idgoal={}&revenue={}",
                    c.ts,
                    url_encode(&action.url),
                    c.goal,
                    money(c.revenue_cents)
                );
                if let Some(order) = &c.order_id {
                    let items: Vec<serde_json::Value> = c
                        .items
                        .iter()
                        .map(|(sku, name, category, price, quantity)| {
                            serde_json::json!([sku, name, category, money(*price), quantity])
                        })
                        .collect();
                    let items = serde_json::Value::Array(items).to_string();
                    let _ = write!(
                        q,
                        "&ec_id={}&ec_st={}&ec_items={}",
                        url_encode(order),
                        money(c.revenue_cents),
                        url_encode(&items)
                    );
                }
                requests.push(q);
            }
        }
        requests
    }
}
