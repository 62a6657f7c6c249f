//! Reports that group visits by one visit dimension: referrers (all of them at once,
//! `Referrers.getAll`, is in [`super::grouped`]), geography, devices, users, server hour.

use std::collections::BTreeMap;

use serde_json::Value;

pub(crate) use super::grouped::all_referrers;
use super::grouped::{grouped, location_part};
use super::metrics::{GoalAgg, VisitAgg, add_conversion};
use super::{Ctx, no_visits, round_value};
use crate::Day;
use crate::dataset::{Location, Referrer, Visit};
use crate::query::errors::ApiError;
use crate::query::period::{self, Kind};
use crate::query::request::form_encode;
use crate::query::table::{Row, finish};

pub(super) fn group<'a, K: Ord>(
    visits: &[&'a Visit],
    key: impl Fn(&Visit) -> Option<K>,
) -> BTreeMap<K, Vec<&'a Visit>> {
    let mut m: BTreeMap<K, Vec<&Visit>> = BTreeMap::new();
    for v in visits {
        if let Some(k) = key(v) {
            m.entry(k).or_default().push(v);
        }
    }
    m
}

pub(super) fn row(ctx: &Ctx<'_>, label: impl Into<String>, visits: &[&Visit], goals: bool) -> Row {
    let mut r = Row::new(label);
    r.cols = VisitAgg::of(visits.iter().copied()).row_cols(ctx, goals);
    r
}

/// A row's segment as Matomo writes it: the value with PHP's urlencode (`city==New+York`,
/// `userId==bob%40example.com`).
pub(super) fn segment(dim: &str, value: &str) -> String {
    format!("{dim}=={}", form_encode(value))
}

/// Rows keyed by a label with an extra-columns hook.
pub(super) fn simple(
    ctx: &Ctx<'_>,
    goals: bool,
    key: impl Fn(&Visit) -> Option<String>,
    extra: impl Fn(&mut Row, &Visit),
) -> Result<Value, ApiError> {
    rows_by(ctx, goals, key, |r, vs| extra(r, vs[0]))
}

/// Rows keyed by a label, each finished by `finish_row` with the row's visits (never empty).
pub(super) fn rows_by(
    ctx: &Ctx<'_>,
    goals: bool,
    key: impl Fn(&Visit) -> Option<String>,
    finish_row: impl Fn(&mut Row, &[&Visit]),
) -> Result<Value, ApiError> {
    let rows = group(&ctx.visits, key)
        .into_iter()
        .map(|(label, vs)| {
            let mut r = row(ctx, label, &vs, goals);
            finish_row(&mut r, &vs);
            r
        })
        .collect();
    Ok(finish(rows, &ctx.filters))
}

pub(super) fn referrer_type_name(r: &Referrer) -> (&'static str, u64) {
    match r {
        Referrer::Direct => ("Direct Entry", 1),
        Referrer::Search { .. } => ("Search Engines", 2),
        Referrer::Website { .. } => ("Websites", 3),
        Referrer::Campaign { .. } => ("Campaigns", 6),
        Referrer::Social { .. } => ("Social Networks", 7),
    }
}

/// Whether the request asks several periods (`period=day&date=<range>`, `lastN`), answered
/// one table per period.
pub(super) fn several_periods(ctx: &Ctx<'_>) -> bool {
    period::parse(
        ctx.req.non_empty("period"),
        ctx.req.get("date"),
        ctx.period.end,
    )
    .is_ok_and(|periods| periods.multi)
}

/// The domain Matomo 5.0.2 names a search engine or social network by (its `url` and logo):
/// the one its definitions list first, for the dataset's hosts the host without `www.` (or
/// Facebook's link shim `l.`): `bing.com`, `facebook.com`, `news.ycombinator.com`.
pub(super) fn main_domain(host: &str) -> &str {
    host.strip_prefix("www.")
        .or_else(|| host.strip_prefix("l."))
        .unwrap_or(host)
}

/// `UserCountry.getCountry`: Matomo 5.0.2 archives visits by country, region and city together
/// (`RecordBuilders/Locations.php`) and adds each of those rows into its country's, so a
/// country's distinct counts are sums over its cities.
pub(crate) fn country(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        true,
        |v| Some(v.location.country.to_string()),
        location_part,
        |r, v| {
            let cc = v.location.country_code;
            r.set("code", cc);
            r.set(
                "logo",
                format!("plugins/Morpheus/icons/dist/flags/{cc}.png"),
            );
            r.set("segment", format!("countryCode=={cc}"));
            r.set("logoHeight", 16);
        },
    )
}

/// `UserCountry.getRegion`: a region's distinct counts are sums over its cities, as for
/// countries.
pub(crate) fn region(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        true,
        |v| Some(format!("{}, {}", v.location.region, v.location.country)),
        location_part,
        |r, v| {
            let l = v.location;
            r.set(
                "segment",
                format!(
                    "regionCode=={};countryCode=={}",
                    form_encode(l.region_code),
                    l.country_code
                ),
            );
            region_columns(r, l);
        },
    )
}

pub(crate) fn city(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        true,
        |v| {
            Some(format!(
                "{}, {}, {}",
                v.location.city, v.location.region, v.location.country
            ))
        },
        |r, v| {
            let l = v.location;
            r.set("lat", l.lat);
            r.set("long", l.long);
            r.set(
                "segment",
                format!(
                    "city=={};regionCode=={};countryCode=={}",
                    form_encode(l.city),
                    form_encode(l.region_code),
                    l.country_code
                ),
            );
            r.set("city_name", l.city);
            region_columns(r, l);
        },
    )
}

/// The columns of a region's or a city's row that say where it is: the region and its country,
/// by code and name, and the country's flag.
fn region_columns(r: &mut Row, l: &Location) {
    r.set("region", l.region_code);
    r.set("country", l.country_code);
    r.set("country_name", l.country);
    r.set("region_name", l.region);
    r.set(
        "logo",
        format!("plugins/Morpheus/icons/dist/flags/{}.png", l.country_code),
    );
}

/// `DevicesDetection.getType`: added up by label from the device type codes (Matomo's
/// `GroupBy` joins the codes it cannot name into "Unknown").
pub(crate) fn device_type(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        true,
        |v| Some(v.device.device_type.to_string()),
        |v| v.device.device_type.to_string(),
        |r, v| {
            let t = v.device.device_type.to_lowercase();
            r.set("segment", format!("deviceType=={t}"));
            r.set(
                "logo",
                format!("plugins/Morpheus/icons/dist/devices/{t}.png"),
            );
        },
    )
}

/// `DevicesDetection.getBrowsers`: added up by name from the browser codes (`GroupBy` on
/// `getBrowserName`).
pub(crate) fn browsers(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        true,
        |v| Some(v.browser.name.to_string()),
        |v| v.browser.code.to_string(),
        |r, v| {
            r.set(
                "logo",
                format!(
                    "plugins/Morpheus/icons/dist/browsers/{}.png",
                    v.browser.code
                ),
            );
            r.set("segment", format!("browserCode=={}", v.browser.code));
        },
    )
}

/// `DevicesDetection.getOsVersions`: added up by name from the OS code and version (`GroupBy`
/// on `getOsFullName`, which names iPadOS 17.1 "iOS 17.1" too).
pub(crate) fn os_versions(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        false,
        |v| {
            Some(
                format!("{} {}", v.browser.os_name, v.browser.os_version)
                    .trim()
                    .to_string(),
            )
        },
        |v| format!("{};{}", v.browser.os_code, v.browser.os_version),
        |r, v| {
            let b = v.browser;
            r.set(
                "segment",
                format!(
                    "operatingSystemCode=={};operatingSystemVersion=={}",
                    b.os_code, b.os_version
                ),
            );
            r.set(
                "logo",
                format!("plugins/Morpheus/icons/dist/os/{}.png", b.os_code),
            );
        },
    )
}

pub(crate) fn users(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        false,
        |v| v.user_id.clone(),
        |r, v| {
            r.set("idvisitor", v.visitor_id.clone());
            r.set(
                "segment",
                segment("userId", v.user_id.as_deref().unwrap_or("")),
            );
        },
    )
}

/// An hour's row of the hour reports. Matomo's archiver adds an empty row for every hour
/// without visits (`max_actions` 0) to a day's report; adding days up into a longer period, it
/// takes the largest `max_actions` with PHP's `max`, which keeps the missing value it starts
/// from when every day has 0: a week's or month's hour without visits has `max_actions`
/// `false` (checked on a real Matomo 5.0.2).
pub(super) fn hour_row(ctx: &Ctx<'_>, hour: u32, visits: &[&Visit]) -> Row {
    let mut r = row(ctx, format!("{hour:02}"), visits, false);
    if visits.is_empty() && ctx.period.kind != Kind::Day {
        r.set("max_actions", false);
    }
    r
}

/// Seconds east of UTC of the asked site's time zone at `ts` (0 for no site).
fn offset_at(ctx: &Ctx<'_>, ts: i64) -> i64 {
    ctx.site.map_or(0, |s| s.utc_offset(ts))
}

/// The server time report's hour of the instant `ts`, as Matomo 5.0.2 archives it
/// (`VisitTime\RecordBuilders\ServerTime::convertTimeToLocalTimezone`): in the archive of
/// `ts`'s local day, its UTC hour read in the site's time zone on the UTC date the local day
/// starts on. That is the local hour but on the days the clocks change: Berlin's 25 October
/// 2026 starts on 24 October in UTC, so its hours after the change are read at summer time, an
/// hour late (checked on the real Matomo, `tests/conformance/dst.rs`).
fn archived_hour(ctx: &Ctx<'_>, ts: i64) -> u32 {
    let day = Day((ts + offset_at(ctx, ts)).div_euclid(86_400));
    let start = ctx
        .site
        .map_or(day.midnight_ts(), |s| s.local_midnight(day));
    let utc_hour = ts.rem_euclid(86_400) / 3600 * 3600;
    let read_at = start.div_euclid(86_400) * 86_400 + utc_hour;
    ((utc_hour + offset_at(ctx, read_at)).rem_euclid(86_400) / 3600) as u32
}

/// The UTC hour the server time report's row `hour` selects, as Matomo 5.0.2's
/// `AddSegmentByLabelInUTC` finds it: that hour on the period's last day in the site's time
/// zone, found as PHP finds it (the offset at the time read as UTC, then at the instant that
/// gives): a time the clocks pass twice is Berlin's second (standard time) and New York's
/// first (daylight time), and a time they skip is read at the offset before the change (New
/// York's 02:00 on 8 March 2026 is 07:00 UTC, Berlin's on 29 March 01:00 UTC), as the real
/// Matomo shows.
fn label_utc_hour(ctx: &Ctx<'_>, hour: u32) -> i64 {
    let wall = ctx.period.end.midnight_ts() + i64::from(hour) * 3600;
    let utc = wall - offset_at(ctx, wall - offset_at(ctx, wall));
    // No instant reads as `wall` there: the clocks skipped it. Six hours before is before the
    // change (the candidate is within two hours of it).
    let utc = if utc + offset_at(ctx, utc) == wall {
        utc
    } else {
        wall - offset_at(ctx, utc - 6 * 3600)
    };
    utc.rem_euclid(86_400) / 3600
}

/// `VisitTime.getVisitInformationPerServerTime`: visits by the hour of their first action in the
/// site's time zone, as the fixture (labels "00" to "23"; each row's segment selects its hour
/// in UTC), and conversions by the hour of each conversion (Matomo's
/// `HOUR(log_conversion.server_time)`, in the site's time zone): `goals`, `nb_conversions`
/// and `revenue` (goals and orders) on the hours something converted in. A day's hour with
/// conversions and no visits has only those and `nb_visits` 0, as on a real Matomo 5.0.2.
pub(crate) fn server_time(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if ctx.visits.is_empty() {
        return Ok(no_visits(ctx));
    }
    let by_hour = group(&ctx.visits, |v| Some(archived_hour(ctx, v.first_ts)));
    let mut converted: BTreeMap<u32, BTreeMap<String, GoalAgg>> = BTreeMap::new();
    for v in &ctx.visits {
        for (c, ts) in v.conversions.iter().zip(v.conversion_times()) {
            add_conversion(converted.entry(archived_hour(ctx, ts)).or_default(), v, c);
        }
    }
    let rows = (0..24u32)
        .map(|h| {
            let vs = by_hour.get(&h).cloned().unwrap_or_default();
            let goals = converted.remove(&h).unwrap_or_default();
            let mut r = if vs.is_empty() && !goals.is_empty() && ctx.period.kind == Kind::Day {
                let mut r = Row::new(format!("{h:02}"));
                r.set("nb_visits", 0);
                r
            } else {
                hour_row(ctx, h, &vs)
            };
            if !goals.is_empty() {
                let agg = VisitAgg {
                    goals,
                    ..VisitAgg::default()
                };
                r.set("goals", Value::Object(agg.goals_object()));
                r.set("nb_conversions", agg.nb_conversions());
                r.set("revenue", round_value(agg.revenue(), 2));
            }
            // The segment selects the hour in UTC (Matomo's `HOUR(visit_first_action_time)`).
            let utc = label_utc_hour(ctx, h);
            r.set("segment", format!("visitStartServerHour=={utc}"));
            r
        })
        .collect();
    // Hours come in clock order unless the caller asks for a sort.
    let mut filters = ctx.filters.clone();
    if ctx.req.non_empty("filter_sort_column").is_none() {
        filters.sort_column = Some("label".into());
        filters.sort_desc = false;
    }
    Ok(finish(rows, &filters))
}
