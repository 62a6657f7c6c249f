//! Reports whose rows Matomo 5.0.2's API adds up when asked from rows it archived apart
//! (`filter('GroupBy', …)` in `DevicesDetection`, `UserLanguage`, `UserCountry` and
//! `Resolution`): languages from language codes, continents from countries, OS families from OS
//! codes, browsers from browser codes, configurations, device types, OS versions.
//!
//! Adding rows up adds their distinct counts too: a row's `nb_uniq_visitors` (`nb_users`) of a
//! day is the sum of its parts' own, and its `sum_daily_nb_uniq_visitors` over a longer period
//! the sum of its parts' sums, so one person behind two parts on one day (`en-us` in the morning,
//! `en-in` in the evening) counts twice in "English". The emulator counts so too, so that the
//! SDK meets the sums it meets on a real Matomo.
//!
//! Matomo's referrer archiver adds up the same way while archiving: it counts each referrer
//! type, name, keyword and URL apart and adds those rows into the name's and the type's
//! ([`referrer_part`]), and so does its location archiver for countries and regions
//! ([`location_part`]); `Referrers.getAll` lists the referrer rows of every channel so.

use serde_json::Value;

use super::dimensions::{group, main_domain, referrer_type_name, row, rows_by, several_periods};
use super::metrics::VisitAgg;
use super::{Ctx, host_of, referrer_name};
use crate::dataset::{Referrer, Visit};
use crate::query::errors::ApiError;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

/// Rows keyed by `key`, each added up from the parts `part` names (Matomo's archived label),
/// with an extra-columns hook on the row's first visit.
pub(super) fn grouped(
    ctx: &Ctx<'_>,
    goals: bool,
    key: impl Fn(&Visit) -> Option<String>,
    part: impl Fn(&Visit) -> String,
    extra: impl Fn(&mut Row, &Visit),
) -> Result<Value, ApiError> {
    rows_by(ctx, goals, key, |r, vs| {
        add_up_distinct_counts(r, vs, &part);
        extra(r, vs[0]);
    })
}

/// Replaces the row's distinct counts (those it has) by the sums of its parts' own.
pub(super) fn add_up_distinct_counts(
    r: &mut Row,
    visits: &[&Visit],
    part: impl Fn(&Visit) -> String,
) {
    let parts: Vec<VisitAgg> = group(visits, |v| Some(part(v)))
        .into_values()
        .map(|vs| VisitAgg::of(vs.iter().copied()))
        .collect();
    let sum = |count: fn(&VisitAgg) -> usize| parts.iter().map(count).sum::<usize>();
    let sums = [
        ("nb_uniq_visitors", sum(|p| p.visitors.len())),
        ("nb_users", sum(|p| p.users.len())),
        (
            "sum_daily_nb_uniq_visitors",
            sum(|p| p.daily_visitors.len()),
        ),
        ("sum_daily_nb_users", sum(|p| p.daily_users.len())),
    ];
    for (name, total) in sums {
        if let Some(count) = r.cols.get_mut(name) {
            *count = Value::from(total);
        }
    }
}

/// The referrer row a visit is archived in by Matomo 5.0.2 (`RecordBuilders/Referrers.php`
/// groups visits by `referer_type`, `referer_name`, `referer_keyword` and `referer_url`, and
/// `sumRowWithLabel` adds those rows into each name's and type's row): a search engine's URL
/// follows from its keyword, and a campaign tracked without a referrer has none.
pub(super) fn referrer_part(v: &Visit) -> String {
    match &v.referrer {
        Referrer::Direct => String::new(),
        Referrer::Search {
            engine, keyword, ..
        } => format!("search|{engine}|{keyword}"),
        Referrer::Website { url } => format!("website|{url}"),
        Referrer::Social { network, url } => format!("social|{network}|{url}"),
        Referrer::Campaign { name, keyword } => {
            format!("campaign|{}|{keyword}", name.to_lowercase())
        }
    }
}

/// The location row a visit is archived in by Matomo 5.0.2: one per country, region and city
/// (`RecordBuilders/Locations.php` queries them together and adds each row into its country's,
/// region's and city's record).
pub(super) fn location_part(v: &Visit) -> String {
    let l = v.location;
    format!("{}|{}|{}", l.country_code, l.region_code, l.city)
}

/// `Referrers.getAll`: every referrer of every channel but direct entry, one row each, as the
/// fixture shows them: search keywords (`referrerType==search;referrerKeyword==…`), website
/// hosts (`referrerName==…`), social networks (with their host as `url` and a logo) and
/// campaigns (`referrerType==…;referrerName==…`), each with its channel code in `referer_type`.
pub(crate) fn all_referrers(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    // Matomo merges `getReferrerType`'s expanded subtables, which it cannot over several periods.
    if several_periods(ctx) {
        return Err(ApiError::payload(
            "Referrers.getAll with multiple sites or dates is not supported (yet).",
        ));
    }
    let rows = group(&ctx.visits, |v| {
        let (_, code) = referrer_type_name(&v.referrer);
        let label = match &v.referrer {
            Referrer::Direct => return None,
            Referrer::Search { keyword, .. } => keyword.clone(),
            // Matomo stores campaign names lower case.
            Referrer::Campaign { name, .. } => name.to_lowercase(),
            other => referrer_name(other),
        };
        Some((code, label))
    })
    .into_iter()
    .map(|((code, label), vs)| {
        let mut r = row(ctx, label.clone(), &vs, true);
        // A keyword's row adds up its search engines', a name's its URLs' or keywords'.
        add_up_distinct_counts(&mut r, &vs, referrer_part);
        let name = form_encode(&label);
        let segment = match &vs[0].referrer {
            Referrer::Search { .. } => format!("referrerType==search;referrerKeyword=={name}"),
            Referrer::Website { .. } => format!("referrerName=={name}"),
            other => format!("referrerType=={};referrerName=={name}", other.type_code()),
        };
        if let Referrer::Social { url, .. } = &vs[0].referrer {
            let host = main_domain(host_of(url));
            r.set("url", host);
            r.set(
                "logo",
                format!("plugins/Morpheus/icons/dist/socials/{host}.png"),
            );
        }
        r.set("segment", segment);
        r.set("referer_type", code);
        r
    })
    .collect();
    Ok(finish(rows, &ctx.filters))
}
