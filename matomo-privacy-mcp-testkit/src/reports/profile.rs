//! Live API answers built from one visitor's visits (`Live.getVisitorProfile`) or recent traffic
//! (`Live.getCounters`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::live::{pretty_day, visit_details};
use super::{pretty_duration, referrer_name, round_value};
use crate::dataset::{Action, Dataset, Referrer, Visit};

/// `Live.getVisitorProfile`: `[]` for an unknown visitor, as Matomo answers.
pub(crate) fn visitor_profile(ds: &Dataset, site: u32, visitor: Option<&str>) -> Value {
    let site_visits: Vec<&Visit> = ds.visits.iter().filter(|v| v.site == site).collect();
    let visitor = match visitor {
        Some(id) => id.to_string(),
        None => match site_visits.last() {
            Some(v) => v.visitor_id.clone(),
            None => return json!([]),
        },
    };
    let mine: Vec<&Visit> = site_visits
        .iter()
        .copied()
        .filter(|v| v.visitor_id == visitor)
        .collect();
    let (Some(first), Some(last)) = (mine.first(), mine.last()) else {
        return json!([]);
    };
    let mut visitors: Vec<&str> = site_visits.iter().map(|v| v.visitor_id.as_str()).collect();
    visitors.sort();
    visitors.dedup();
    let pos = visitors.iter().position(|x| *x == visitor).unwrap_or(0);
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| visitors.get(i))
            .map_or(Value::Bool(false), |s| json!(s))
    };
    let count = |f: fn(&Action) -> bool| {
        mine.iter()
            .flat_map(|v| v.actions.iter())
            .filter(|a| f(a))
            .count()
    };
    let mut by_goal: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    let (mut orders, mut order_revenue, mut order_items) = (0u64, 0.0, 0u64);
    for c in mine.iter().flat_map(|v| v.conversions.iter()) {
        match c.goal {
            Some(g) => {
                let e = by_goal.entry(format!("idgoal={g}")).or_default();
                e.0 += 1;
                e.1 += c.revenue;
            }
            None => {
                orders += 1;
                order_revenue += c.revenue;
                order_items += u64::from(c.items);
            }
        }
    }
    let mut pages: BTreeMap<&str, u64> = BTreeMap::new();
    for (url, _, _) in mine.iter().flat_map(|v| v.pages()) {
        *pages.entry(url).or_default() += 1;
    }
    let mut visited: Vec<(&str, u64)> = pages.into_iter().collect();
    visited.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut devices: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    let mut continents: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    let mut countries: BTreeMap<&str, (u64, &str, Vec<&str>)> = BTreeMap::new();
    for v in &mine {
        *devices
            .entry(v.device.device_type)
            .or_default()
            .entry(format!("{} {}", v.device.brand, v.device.model))
            .or_default() += 1;
        let c = continents
            .entry(v.location.continent_code)
            .or_insert((0, v.location.continent));
        c.0 += 1;
        let k =
            countries
                .entry(v.location.country_code)
                .or_insert((0, v.location.country, Vec::new()));
        k.0 += 1;
        if !k.2.contains(&v.location.city) {
            k.2.push(v.location.city);
        }
    }
    let summary = |v: &Visit| {
        json!({
            "date": v.first_ts, "prettyDate": pretty_day(v.day), "daysAgo": (ds.today.0 - v.day.0),
            "referrerType": v.referrer.type_code(), "referrerUrl": "",
            "referralSummary": match &v.referrer {
                Referrer::Direct => "Direct Entry".to_string(),
                Referrer::Campaign { name, .. } => format!("Campaign: {name}"),
                r => referrer_name(r),
            },
        })
    };
    let total_duration: u64 = mine.iter().map(|v| v.duration).sum();
    let recent: Vec<Value> = mine
        .iter()
        .rev()
        .take(10)
        .map(|v| visit_details(ds, v, true))
        .collect();
    json!({
        "visitorId": visitor, "hasMoreVisits": mine.len() > 10, "totalVisits": mine.len(),
        "totalVisitDuration": total_duration, "totalActions": mine.iter().map(|v| v.nb_actions()).sum::<u64>(),
        "totalOutlinks": count(|a| matches!(a, Action::Outlink { .. })),
        "totalDownloads": count(|a| matches!(a, Action::Download { .. })),
        "totalSearches": count(|a| matches!(a, Action::Search { .. })),
        "totalPageViews": count(|a| matches!(a, Action::Page { .. })),
        "totalUniquePageViews": visited.len(), "totalRevisitedPages": visited.iter().filter(|(_, c)| *c > 1).count(),
        "totalPageViewsWithTiming": 0, "totalPageViewsWithLoadTime": 0,
        "searches": [],
        "totalGoalConversions": by_goal.values().map(|g| g.0).sum::<u64>(),
        "totalConversionsByGoal": by_goal.iter().map(|(k, g)| (k.clone(), json!(g.0))).collect::<Map<_, _>>(),
        "totalEcommerceRevenue": round_value(order_revenue, 2), "totalEcommerceConversions": orders,
        "totalEcommerceItems": order_items.to_string(), "totalAbandonedCarts": 0, "totalAbandonedCartsRevenue": 0,
        "totalAbandonedCartsItems": "0", "totalEvents": count(|a| matches!(a, Action::Event { .. })),
        "hasLatLong": true,
        "totalRevenueByGoal": by_goal.iter().filter(|(_, g)| g.1 > 0.0).map(|(k, g)| (k.clone(), round_value(g.1, 2))).collect::<Map<_, _>>(),
        "lastVisits": recent, "nextVisitorId": neighbour(pos.checked_add(1)),
        "previousVisitorId": neighbour(pos.checked_sub(1)), "totalVisitDurationPretty": pretty_duration(total_duration),
        "userId": last.user_id.clone().map_or(Value::Bool(false), Value::from),
        "firstVisit": summary(first), "lastVisit": summary(last), "visitsAggregated": mine.len(),
        "visitedPages": visited.iter().map(|(u, c)| json!({"url": u, "count": c})).collect::<Vec<_>>(),
        "devices": devices.iter().map(|(t, models)| json!({
            "type": t, "count": models.values().sum::<u64>(),
            "icon": format!("plugins/Morpheus/icons/dist/devices/{}.png", t.to_lowercase()),
            "devices": models.iter().map(|(n, c)| json!({"name": n, "count": c})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "continents": continents.iter().map(|(c, (n, name))| json!({"continent": c, "nb_visits": n, "prettyName": name})).collect::<Vec<_>>(),
        "countries": countries.iter().map(|(c, (n, name, cities))| json!({
            "country": c, "nb_visits": n, "flag": format!("plugins/Morpheus/icons/dist/flags/{c}.png"),
            "prettyName": name, "cities": cities,
        })).collect::<Vec<_>>(),
    })
}

/// `Live.getCounters`: visits in the last `lastMinutes` (1..=2880) before the end of "today".
pub(crate) fn counters(
    ds: &Dataset,
    site: u32,
    last_minutes: Option<&str>,
) -> Result<Value, String> {
    let minutes: i64 = last_minutes.and_then(|m| m.parse().ok()).unwrap_or(0);
    if !(1..=2880).contains(&minutes) {
        return Err("lastMinutes only accepts values between 1 and 2880".into());
    }
    let now = ds.today.plus(1).midnight_ts();
    let recent: Vec<&Visit> = ds
        .visits
        .iter()
        .filter(|v| v.site == site && v.first_ts >= now - minutes * 60 && v.first_ts < now)
        .collect();
    let mut visitors: Vec<&str> = recent.iter().map(|v| v.visitor_id.as_str()).collect();
    visitors.sort();
    visitors.dedup();
    Ok(json!([{
        "visits": recent.len(),
        "actions": recent.iter().map(|v| v.nb_actions()).sum::<u64>(),
        "visitors": visitors.len(),
        "visitsConverted": recent.iter().filter(|v| v.converted()).count(),
    }]))
}
