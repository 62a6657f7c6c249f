//! Live API visit objects (`getLastVisitsDetails`, and `lastVisits` in profiles), with the field names and JSON
//! types Matomo uses (several numbers arrive as strings there).

use serde_json::{Map, Value, json};

use super::{pretty_duration, referrer_keyword, referrer_name, round_value};
use crate::calendar::Day;
use crate::dataset::{Action, Dataset, Referrer, Visit};

fn clock(ts: i64) -> String {
    let s = ts.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

pub(crate) fn pretty_day(d: Day) -> String {
    let (y, _, dd) = d.ymd();
    format!("{}, {} {dd}, {y}", d.weekday_name(), d.month_name())
}

fn short_stamp(ts: i64) -> String {
    let d = Day(ts.div_euclid(86_400));
    let (y, _, dd) = d.ymd();
    format!("{} {dd}, {y} {}", &d.month_name()[..3], clock(ts))
}

fn currency_symbol(c: &str) -> &'static str {
    match c {
        "EUR" => "€",
        "GBP" => "£",
        _ => "$",
    }
}

fn language(country: &str) -> (&'static str, &'static str) {
    match country {
        "de" => ("de", "German"),
        "fr" => ("fr", "French"),
        "br" => ("pt", "Portuguese"),
        _ => ("en", "English"),
    }
}

/// Matomo's `visitorType`: a returning customer's visit (`visitor_returning` 2) is
/// `returningCustomer`, as the `visitorType` segment selects it.
fn visitor_type(v: &Visit) -> &'static str {
    match (v.returning, v.details.returning_customer) {
        (false, _) => "new",
        (true, false) => "returning",
        (true, true) => "returningCustomer",
    }
}

/// The referrer name as Matomo stores it: campaign names lower case.
fn live_referrer_name(r: &Referrer) -> String {
    match r {
        Referrer::Campaign { .. } => referrer_name(r).to_lowercase(),
        other => referrer_name(other),
    }
}

fn action_details(ds: &Dataset, v: &Visit) -> Vec<Value> {
    let mut ts = v.first_ts;
    let mut out = Vec::new();
    let mut position = 0u64;
    let mut last_url = String::new();
    for (i, a) in v.actions.iter().enumerate() {
        let page_id = v.id * 100 + i as u64;
        let common = |ty: &str, title: &str, subtitle: &str, icon: &str| {
            json!({
                "type": ty, "idpageview": pageview_id(page_id), "serverTimePretty": short_stamp(ts),
                "timestamp": ts, "title": title, "subtitle": subtitle, "icon": "",
                "iconSVG": format!("plugins/Morpheus/images/{icon}.svg"),
            })
        };
        let o = match a {
            Action::Page {
                url,
                title,
                time_spent,
            } => {
                position += 1;
                last_url = url.clone();
                // Matomo counts a page's time up to the visit's next request: the only action
                // of a visit has none (its visit lasts 0 seconds, or a conversion's).
                let time_spent = if v.actions.len() == 1 { &0 } else { time_spent };
                let mut o = common("action", title, url, "action");
                extend(
                    &mut o,
                    json!({
                        "url": url, "pageTitle": title, "pageIdAction": page_id, "pageId": page_id,
                        "timeSpent": time_spent, "timeSpentPretty": pretty_duration(*time_spent), "pageviewPosition": position,
                    }),
                );
                ts += *time_spent as i64;
                o
            }
            Action::Event {
                category,
                action,
                name,
                value,
            } => {
                let sub = format!("Category: \"{category}\", Action: \"{action}\"");
                let mut o = common("event", "Event", &sub, "event");
                extend(
                    &mut o,
                    json!({
                        "url": last_url, "pageIdAction": page_id, "pageId": page_id, "eventCategory": category,
                        "eventAction": action, "eventName": name, "pageviewPosition": position.max(1),
                    }),
                );
                if let Some(val) = value {
                    extend(&mut o, json!({ "eventValue": val }));
                }
                o
            }
            Action::Outlink { url } | Action::Download { url } => {
                let ty = if matches!(a, Action::Outlink { .. }) {
                    "outlink"
                } else {
                    "download"
                };
                // Matomo titles them by their type ("Outlink", "Download"), the URL is the subtitle.
                let title = if ty == "outlink" {
                    "Outlink"
                } else {
                    "Download"
                };
                let mut o = common(ty, title, url, ty);
                extend(
                    &mut o,
                    json!({
                        "url": url, "pageTitle": Value::Null, "pageIdAction": page_id, "pageId": page_id,
                        "pageviewPosition": position.max(1),
                    }),
                );
                o
            }
            Action::Search { keyword } => {
                let mut o = common("search", "Site Search", keyword, "search");
                extend(
                    &mut o,
                    json!({
                        // Matomo's site search action has no URL of its own.
                        "url": Value::Null, "pageIdAction": page_id, "pageId": page_id, "siteSearchKeyword": keyword,
                        "siteSearchCategory": "", "siteSearchCount": 1, "pageviewPosition": position.max(1),
                    }),
                );
                o
            }
        };
        out.push(o);
    }
    // Content impressions and clicks follow the first action, as Matomo lists the ones sent
    // with it (its type 13, `Action::TYPE_CONTENT`, titled as its visitor log does).
    let first_url = match v.actions.first() {
        Some(Action::Page { url, .. }) => url.clone(),
        _ => String::new(),
    };
    let contents = v.details.contents.iter().flat_map(|c| {
        let subtitle = format!("{} - {}", c.name, c.piece);
        (0..=c.interactions).map(move |n| (n > 0, c, subtitle.clone()))
    });
    let first_id = v.id * 100;
    let contents: Vec<Value> = contents
        .enumerate()
        .map(|(n, (clicked, c, subtitle))| {
            let (title, icon, interaction) = if clicked {
                ("Content Interaction (click)", "contentinteraction", Value::from("click"))
            } else {
                ("Content Impression", "contentimpression", Value::Null)
            };
            json!({
                "type": 13, "url": first_url, "pageTitle": Value::Null, "pageIdAction": first_id,
                "idpageview": "", "serverTimePretty": short_stamp(v.first_ts),
                "pageId": first_id * 100 + 50 + n as u64, "contentName": c.name,
                "contentPiece": c.piece, "contentTarget": c.target, "contentInteraction": interaction,
                "pageviewPosition": 1, "icon": format!("plugins/Morpheus/images/{icon}.png"),
                "iconSVG": format!("plugins/Morpheus/images/{icon}.svg"), "title": title,
                "subtitle": subtitle, "timestamp": v.first_ts,
            })
        })
        .collect();
    let after_first = out.len().min(1);
    out.splice(after_first..after_first, contents);
    for c in &v.conversions {
        let o = match c.goal {
            Some(g) => {
                let name = ds
                    .goals
                    .iter()
                    .find(|x| x.site == v.site && x.id == g)
                    .map(|x| x.name.clone());
                let mut o = json!({
                    "type": "goal", "idpageview": Value::Null, "serverTimePretty": short_stamp(ts), "timestamp": ts,
                    "title": name, "subtitle": "", "icon": "", "iconSVG": "plugins/Morpheus/images/goal.svg",
                });
                extend(
                    &mut o,
                    json!({
                        "goalId": g, "goalName": name, "goalPageId": Value::Null, "revenue": round_value(c.revenue, 2),
                        "url": last_url, "referrerType": v.referrer.type_code(),
                        "referrerName": live_referrer_name(&v.referrer), "referrerKeyword": referrer_keyword(&v.referrer),
                    }),
                );
                o
            }
            None => json!({
                "type": "ecommerceOrder", "idpageview": Value::Null, "serverTimePretty": short_stamp(ts),
                "timestamp": ts, "title": "Ecommerce order", "subtitle": "", "icon": "",
                "iconSVG": "plugins/Morpheus/images/ecommerceOrder.svg", "orderId": format!("ORD-{}", v.id * 7),
                "revenue": round_value(c.revenue, 2), "revenueSubTotal": round_value(c.revenue, 2), "revenueTax": 0,
                "revenueShipping": 0, "revenueDiscount": 0, "items": c.items, "itemDetails": [],
            }),
        };
        out.push(o);
    }
    out
}

/// Six lowercase letters, like Matomo's random page view ids (never mistaken for a number).
fn pageview_id(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..6)
        .map(|_| {
            let c = (b'a' + (x % 26) as u8) as char;
            x /= 26;
            c
        })
        .collect()
}

/// 16 hex characters starting with a letter.
fn fingerprint(n: u64) -> String {
    let x = n.wrapping_mul(0xD1B5_4A32_D192_ED03);
    format!("{:x}{:015x}", 10 + x % 6, x >> 4)
}

fn extend(o: &mut Value, extra: Value) {
    if let (Value::Object(m), Value::Object(e)) = (o, extra) {
        m.extend(e);
    }
}

/// One visit as `Live.getLastVisitsDetails` returns it.
pub(crate) fn visit_details(ds: &Dataset, v: &Visit, with_actions: bool) -> Value {
    let site = ds.site(v.site);
    let first_visit = ds
        .visits
        .iter()
        .find(|o| o.site == v.site && o.visitor_id == v.visitor_id);
    let since_first = first_visit.map_or(0, |f| v.first_ts - f.first_ts);
    let prev = ds
        .visits
        .iter()
        .rfind(|o| o.site == v.site && o.visitor_id == v.visitor_id && o.first_ts < v.first_ts);
    let since_last = prev.map_or(0, |p| v.first_ts - p.first_ts);
    let order = v.conversions.iter().find(|c| c.goal.is_none());
    let l = v.location;
    let b = v.browser;
    let (lang_code, lang) = language(l.country_code);
    let (search_url, search_icon, social_url, social_icon, ref_url) = match &v.referrer {
        Referrer::Search { host, keyword, .. } => (
            json!(format!("https://{host}")),
            json!(format!(
                "plugins/Morpheus/icons/dist/searchEngines/{host}.png"
            )),
            Value::Null,
            Value::Null,
            json!(format!(
                "https://{host}/search?q={}",
                keyword.replace(' ', "+")
            )),
        ),
        Referrer::Social { url, .. } => {
            let host = super::host_of(url);
            (
                Value::Null,
                Value::Null,
                json!(host),
                json!(format!("plugins/Morpheus/icons/dist/socials/{host}.png")),
                json!(url),
            )
        }
        Referrer::Website { url } => (
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            json!(url),
        ),
        _ => (
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ),
    };
    let type_name = match v.referrer {
        Referrer::Direct => "Direct Entry",
        Referrer::Search { .. } => "Search Engines",
        Referrer::Website { .. } => "Websites",
        Referrer::Social { .. } => "Social Networks",
        Referrer::Campaign { .. } => "Campaigns",
    };
    let device_icon = format!(
        "plugins/Morpheus/icons/dist/devices/{}.png",
        v.device.device_type.to_lowercase()
    );
    let count = |f: fn(&Action) -> bool| v.actions.iter().filter(|a| f(a)).count();
    let mut m = Map::new();
    let details = if with_actions {
        action_details(ds, v)
    } else {
        Vec::new()
    };
    // Matomo's `visit_last_action_time`: the last request but a heartbeat (`ping=1` leaves it
    // alone, `VisitLastActionTime::onExistingVisit`), so the last action, not the visit's end.
    let last_action = v.action_times().last().copied().unwrap_or(v.first_ts);
    let last_ts = last_action;
    let fields = json!({
        "idSite": v.site, "idVisit": v.id, "visitIp": v.ip, "visitorId": v.visitor_id,
        "fingerprint": fingerprint(v.id), "actionDetails": details,
        "goalConversions": v.conversions.iter().filter(|c| c.goal.is_some()).count(),
        "siteCurrency": site.map(|s| s.currency.clone()), "siteCurrencySymbol": currency_symbol(site.map_or("", |s| &s.currency)),
        // Matomo's visitor log gives the UTC date and hour of the visit's last action (not
        // its heartbeat), where its reports use the site's time zone: the same for a UTC site.
        "serverDate": Day(last_action.div_euclid(86_400)).to_string(),
        "visitServerHour": (last_action.rem_euclid(86_400) / 3600).to_string(),
        "lastActionTimestamp": last_ts,
        "lastActionDateTime": format!("{} {}", Day(last_ts.div_euclid(86_400)), clock(last_ts)),
        "siteName": site.map(|s| s.name.clone()), "serverTimestamp": last_ts, "firstActionTimestamp": v.first_ts,
        "serverTimePretty": clock(last_ts), "serverDatePretty": pretty_day(v.day),
        "serverDatePrettyFirstAction": pretty_day(v.day), "serverTimePrettyFirstAction": clock(v.first_ts),
        "userId": v.user_id, "visitorType": visitor_type(v),
        "visitorTypeIcon": if v.returning { "plugins/Live/images/returningVisitor.png" } else { "" },
        "visitConverted": u8::from(v.converted()),
        "visitConvertedIcon": if v.converted() { json!("plugins/Morpheus/images/goal.svg") } else { Value::Null },
        "visitCount": v.visit_count, "visitEcommerceStatus": if order.is_some() { "ordered" } else { "none" },
        "visitEcommerceStatusIcon": if order.is_some() { json!("plugins/Morpheus/images/ecommerceOrder.svg") } else { Value::Null },
        "daysSinceFirstVisit": since_first / 86_400, "secondsSinceFirstVisit": since_first,
        "daysSinceLastEcommerceOrder": 0, "secondsSinceLastEcommerceOrder": Value::Null,
        "visitDuration": v.duration, "visitDurationPretty": pretty_duration(v.duration),
        "searches": count(|a| matches!(a, Action::Search { .. })), "actions": v.nb_actions(),
        "interactions": count(|a| matches!(a, Action::Page { .. })),
        "referrerType": v.referrer.type_code(), "referrerTypeName": type_name,
        "referrerName": live_referrer_name(&v.referrer), "referrerKeyword": referrer_keyword(&v.referrer),
        "referrerKeywordPosition": Value::Null, "referrerUrl": ref_url,
        "referrerSearchEngineUrl": search_url, "referrerSearchEngineIcon": search_icon,
        "referrerSocialNetworkUrl": social_url, "referrerSocialNetworkIcon": social_icon,
        "languageCode": lang_code, "language": lang, "deviceType": v.device.device_type, "deviceTypeIcon": device_icon,
        "deviceBrand": v.device.brand, "deviceModel": v.device.model,
        "operatingSystem": format!("{} {}", b.os_name, b.os_version).trim(), "operatingSystemName": b.os_name,
        "operatingSystemIcon": format!("plugins/Morpheus/icons/dist/os/{}.png", b.os_code),
        "operatingSystemCode": b.os_code, "operatingSystemVersion": b.os_version,
        "browserFamily": b.family, "browserFamilyDescription": b.engine_label(),
        "browser": format!("{} {}", b.name, b.version), "browserName": b.name,
        "browserIcon": format!("plugins/Morpheus/icons/dist/browsers/{}.png", b.code), "browserCode": b.code,
        "browserVersion": b.version,
        "totalEcommerceRevenue": round_value(order.map_or(0.0, |o| o.revenue), 2),
        "totalEcommerceConversions": u8::from(order.is_some()),
        "totalEcommerceItems": order.map_or(0, |o| o.items).to_string(),
        "totalAbandonedCartsRevenue": 0, "totalAbandonedCarts": 0, "totalAbandonedCartsItems": 0,
        "events": count(|a| matches!(a, Action::Event { .. })),
        "continent": l.continent, "continentCode": l.continent_code, "country": l.country,
        "countryCode": l.country_code, "countryFlag": format!("plugins/Morpheus/icons/dist/flags/{}.png", l.country_code),
        "region": l.region, "regionCode": l.region_code, "city": l.city,
        "location": format!("{}, {}, {}", l.city, l.region, l.country),
        "latitude": format!("{:.6}", l.lat), "longitude": format!("{:.6}", l.long),
        "visitLocalTime": clock(v.first_ts + i64::from(v.details.utc_offset_minutes) * 60),
        "visitLocalHour": v.local_hour().to_string(),
        "daysSinceLastVisit": since_last / 86_400, "secondsSinceLastVisit": since_last,
        "resolution": v.details.resolution,
        "plugins": "", "pluginsIcons": Value::Null,
    });
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    if !site.is_some_and(|s| s.ecommerce) {
        // Matomo leaves the ecommerce totals out for sites without ecommerce.
        for k in [
            "totalEcommerceRevenue",
            "totalEcommerceConversions",
            "totalEcommerceItems",
            "totalAbandonedCartsRevenue",
            "totalAbandonedCarts",
            "totalAbandonedCartsItems",
        ] {
            m.remove(k);
        }
    }
    Value::Object(m)
}
