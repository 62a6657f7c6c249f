//! Visit attributes the wider reports need (browser language, screen, local time, days since
//! the previous visit, site-search categories, content impressions), derived after everything
//! else is generated.
//!
//! None of them draws from the generator's own stream: per-visitor properties (language,
//! screen) come from a hash of the visitor id, times from the visits themselves, and per-visit
//! choices (search categories, content impressions) from a second stream seeded from the seed
//! and drawn in visit-id order once the visits are final. So every value the dataset had before
//! these attributes existed is unchanged, and none of them enters [`Visit::actions`](super::Visit)
//! (which would change every action count).

use std::collections::BTreeMap;

use super::{Action, Visit};
use crate::prng::SplitMix64;

/// What the wider reports need of a visit beyond its actions, referrer, place and device.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisitDetails {
    /// The browser's preferred language as Matomo stores it: lower case, with the region when
    /// the browser sends one (`de-de`, `en-gb`, `fr`).
    pub language: &'static str,
    /// Screen resolution, `WIDTHxHEIGHT` (`1920x1080`).
    pub resolution: &'static str,
    /// The visitor's clock, in minutes ahead of UTC (`-300` in New York in November).
    pub utc_offset_minutes: i32,
    /// Whole days since the visitor's previous visit to the site; 0 for a first visit.
    pub days_since_last: u32,
    /// Whole days since the visitor's first visit to the site; 0 for a first visit.
    pub days_since_first: u32,
    /// Seconds from the first action of the visitor's previous visit to this visit's first
    /// action (Matomo's `visitor_seconds_since_last`, the `secondsSinceLastVisit` segment);
    /// 0 for a first visit, as Matomo stores it.
    pub seconds_since_last: u64,
    /// The category of each site search of the visit, in the order of its
    /// [`Action::Search`](super::Action::Search) actions (`None`: searched without one).
    pub search_categories: Vec<Option<&'static str>>,
    /// Content blocks shown during the visit (`Contents.*` reports), apart from its actions.
    pub contents: Vec<ContentImpression>,
    /// Whether Matomo 5.0.2 calls the visit a returning customer's (`visitor_returning` 2,
    /// `visitorType==returningCustomer`): as observed on it, when one of the visitor's visits
    /// before the previous one had an order and the previous one had none (a visit right after
    /// an order is a plain returning visit). Such visits are neither `visitorType==returning`
    /// nor in `VisitorInterest.getNumberOfVisitsByDaysSinceLast`'s day rows.
    pub returning_customer: bool,
}

/// One content block shown to a visitor (Matomo's content tracking), and whether they used it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentImpression {
    /// The block's name (`Homepage banner`).
    pub name: String,
    /// What it showed: an image, a text (`Black Friday: 30% off shoes`).
    pub piece: String,
    /// Where it leads.
    pub target: String,
    /// Clicks on it during the visit (0 when only seen).
    pub interactions: u32,
}

impl Visit {
    /// The visitor's local hour (0-23) at the start of the visit, from their clock's offset.
    pub fn local_hour(&self) -> u32 {
        let local = self.first_ts + i64::from(self.details.utc_offset_minutes) * 60;
        (local.rem_euclid(86_400) / 3600) as u32
    }

    /// The visit's site searches with their categories, in order.
    pub fn searches(&self) -> impl Iterator<Item = (&str, Option<&'static str>)> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::Search { keyword } => Some(keyword.as_str()),
                _ => None,
            })
            .enumerate()
            .map(|(i, keyword)| {
                let category = self.details.search_categories.get(i).copied().flatten();
                (keyword, category)
            })
    }
}

/// How many results the site's search gives for `keyword`: the planted personal searches and
/// "gift card" find nothing (`Actions.getSiteSearchNoResultKeywords`).
pub fn search_results(keyword: &str) -> u32 {
    match keyword {
        "shoes" => 24,
        "tee" => 7,
        "returns policy" => 2,
        _ => 0,
    }
}

/// The seed of the second stream, so per-visit choices differ between seeds like everything else.
const STREAM: u64 = 0x5EED_DE7A_115A_F7E5;

/// Fills in every visit's [`VisitDetails`]; `visits` are final (sorted, ids assigned).
pub(super) fn derive(seed: u64, visits: &mut [Visit]) {
    let times = since(visits);
    let mut rng = SplitMix64::new(seed ^ STREAM);
    for (visit, (since_last, since_first, seconds)) in visits.iter_mut().zip(times) {
        let person = visitor_hash(&visit.visitor_id);
        let details = VisitDetails {
            language: language(visit.location.country_code, person),
            resolution: resolution(visit.device, person),
            utc_offset_minutes: utc_offset_minutes(visit.location.city),
            days_since_last: since_last,
            days_since_first: since_first,
            seconds_since_last: seconds,
            search_categories: visit
                .actions
                .iter()
                .filter_map(|a| match a {
                    Action::Search { keyword } => Some(keyword.as_str()),
                    _ => None,
                })
                .map(|keyword| search_category(&mut rng, visit.site, keyword))
                .collect(),
            contents: contents(&mut rng, visit),
            // Known once the visits and their orders are final.
            returning_customer: false,
        };
        visit.details = details;
    }
}

/// Marks the visits Matomo calls a returning customer's ([`VisitDetails::returning_customer`]),
/// over the visits as they finally are.
pub(super) fn mark_returning_customers(visits: &mut [Visit]) {
    for own in each_visitors_visits(visits) {
        let ordered = |i: usize| visits[i].conversions.iter().any(|c| c.goal.is_none());
        let marks: Vec<bool> = (0..own.len())
            .map(|n| n >= 2 && !ordered(own[n - 1]) && own[..n - 1].iter().any(|&i| ordered(i)))
            .collect();
        for (&i, mark) in own.iter().zip(marks) {
            visits[i].details.returning_customer = mark;
        }
    }
}

/// Each visitor's visits (their indices in `visits`), in time order (visits starting at the same
/// second by id), visitor by visitor.
pub(super) fn each_visitors_visits(visits: &[Visit]) -> Vec<Vec<usize>> {
    let mut by_visitor: BTreeMap<(u32, &str), Vec<usize>> = BTreeMap::new();
    for (i, v) in visits.iter().enumerate() {
        by_visitor
            .entry((v.site, v.visitor_id.as_str()))
            .or_default()
            .push(i);
    }
    by_visitor
        .into_values()
        .map(|mut own| {
            own.sort_by_key(|&i| (visits[i].first_ts, visits[i].id));
            own
        })
        .collect()
}

/// Counts every visit's days since the visitor's previous and first visit again, over the
/// visits as they are now: for visits added after [`derive`] as copies of others, whose
/// copied days would be their template's.
pub(super) fn recount_since(visits: &mut [Visit]) {
    let times = since(visits);
    for (visit, (since_last, since_first, seconds)) in visits.iter_mut().zip(times) {
        visit.details.days_since_last = since_last;
        visit.details.days_since_first = since_first;
        visit.details.seconds_since_last = seconds;
    }
}

/// Days since the previous and since the first visit of the same visitor, per visit (as
/// Matomo's `visitor_seconds_since_last` / `_since_first`, in whole days: the seconds from the
/// previous, or first, visit's first action to this visit's first action, divided by 86,400
/// and rounded down, as `daysSinceLastVisit` reads them: `FLOOR(visitor_seconds_since_last /
/// 86400)` in Matomo 5's `plugins/VisitorInterest/Columns/VisitorDaysSinceLast.php`).
///
/// With the seconds since the previous visit, as `secondsSinceLastVisit` reads them.
fn since(visits: &[Visit]) -> Vec<(u32, u32, u64)> {
    let mut by_visitor: BTreeMap<(u32, &str), Vec<(i64, usize)>> = BTreeMap::new();
    for (i, v) in visits.iter().enumerate() {
        by_visitor
            .entry((v.site, v.visitor_id.as_str()))
            .or_default()
            .push((v.first_ts, i));
    }
    let mut out = vec![(0, 0, 0); visits.len()];
    for mut own in by_visitor.into_values() {
        own.sort_unstable();
        let first = own.first().map_or(0, |(ts, _)| *ts);
        for (n, &(ts, i)) in own.iter().enumerate() {
            let previous = n.checked_sub(1).and_then(|p| own.get(p)).map(|(t, _)| *t);
            let days = |from: i64| u32::try_from((ts - from).max(0) / 86_400).unwrap_or(u32::MAX);
            let seconds = previous.map_or(0, |from| u64::try_from(ts - from).unwrap_or(0));
            out[i] = (previous.map_or(0, days), days(first), seconds);
        }
    }
    out
}

/// A visitor id's 64 bits, mixed: what per-visitor choices are drawn from.
fn visitor_hash(visitor_id: &str) -> u64 {
    let raw = u64::from_str_radix(visitor_id, 16).unwrap_or_else(|_| {
        visitor_id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    });
    SplitMix64::new(raw).next_u64()
}

fn pick<T: Copy>(items: &[T], hash: u64) -> T {
    items[(hash % items.len() as u64) as usize]
}

/// Browser languages by country, most common first.
fn language(country: &str, person: u64) -> &'static str {
    let choices: &[&'static str] = match country {
        "us" => &["en-us", "en-us", "en-us", "es-us"],
        "ca" => &["en-ca", "fr-ca", "en-ca"],
        "de" => &["de-de", "de", "de-de", "en-us"],
        "fr" => &["fr-fr", "fr"],
        "gb" => &["en-gb"],
        "in" => &["en-in", "hi-in", "en-in"],
        "br" => &["pt-br"],
        "au" => &["en-au"],
        _ => &["en"],
    };
    pick(choices, person)
}

/// Screens by device (a visitor keeps theirs on the same kind of device).
fn resolution(device: &super::Device, person: u64) -> &'static str {
    let choices: &[&'static str] = match (device.device_type, device.brand) {
        ("Smartphone", "Apple") => &["390x844", "393x852"],
        ("Smartphone", _) => &["360x800", "412x915"],
        ("Tablet", _) => &["820x1180", "768x1024"],
        _ => &["1920x1080", "2560x1440", "1366x768", "1536x864", "1440x900"],
    };
    pick(choices, person >> 8)
}

/// The cities' offsets from UTC in the dataset's month (November).
fn utc_offset_minutes(city: &str) -> i32 {
    match city {
        "San Francisco" => -480,
        "New York" | "Toronto" => -300,
        "São Paulo" => -180,
        "London" => 0,
        "Berlin" | "Munich" | "Paris" => 60,
        "Mumbai" => 330,
        "Sydney" => 660,
        _ => 0,
    }
}

/// A search's category: most shop searches pick one, blog searches sometimes, planted
/// personal searches never (so their rows stay keyword rows).
fn search_category(rng: &mut SplitMix64, site: u32, keyword: &str) -> Option<&'static str> {
    let draw = rng.below(100);
    let category = match (site, keyword) {
        (1, "shoes") => "Shoes",
        (1, "tee") => "Shirts",
        (1, "returns policy" | "gift card") => "Help",
        (2, _) => "Articles",
        _ => return None,
    };
    let share = if site == 1 { 70 } else { 40 };
    (draw < share).then_some(category)
}

/// (site, name, piece, target) of the content blocks sites show.
const CONTENTS: &[(u32, &str, &str, &str)] = &[
    (
        1,
        "Homepage banner",
        "Black Friday: 30% off shoes",
        "https://shop.example.com/products/shoes/",
    ),
    (
        1,
        "Homepage banner",
        "banner-winter-sale.jpg",
        "https://shop.example.com/products/",
    ),
    (
        1,
        "Newsletter box",
        "Sign up for our newsletter",
        "https://shop.example.com/newsletter",
    ),
    (
        2,
        "Related posts",
        "Analytics without cookies",
        "https://blog.example.org/2026/11/analytics-without-cookies",
    ),
    (
        3,
        "Docs callout",
        "Read the install guide",
        "https://docs.example.io/guide/install",
    ),
];

/// The content blocks a visit saw: each of its site's blocks with some chance, sometimes
/// clicked; the rare person's visits also see a personalised teaser naming them (a content
/// piece about one person, which only counting people keeps out of answers).
fn contents(rng: &mut SplitMix64, visit: &Visit) -> Vec<ContentImpression> {
    let mut out = Vec::new();
    for &(site, name, piece, target) in CONTENTS {
        if site != visit.site || !rng.chance(45) {
            continue;
        }
        let interactions = u32::from(rng.chance(20));
        out.push(ContentImpression {
            name: name.to_owned(),
            piece: piece.to_owned(),
            target: target.to_owned(),
            interactions,
        });
    }
    if std::ptr::eq(visit.browser, &super::catalog::RARE_BROWSER) {
        out.push(ContentImpression {
            name: "Personal offer".to_owned(),
            piece: format!("Welcome back, {}", super::RARE_PERSON),
            target: "https://shop.example.com/booking".to_owned(),
            interactions: 1,
        });
    }
    out
}
