//! Report computations: each turns the visits of one site and period into Matomo's JSON.

mod actions;
mod api_get;
mod audience;
mod contents;
mod dimensions;
mod events;
mod grouped;
mod interest;
pub(crate) mod live;
mod metrics;
mod performance;
pub(crate) use api_get::asks_referrers as api_get_asks_referrers;
pub(crate) use api_get::selects_nothing as api_get_selects_nothing;
pub(crate) mod profile;
mod referrers;
pub(crate) mod sites;
mod summary;
pub(crate) use summary::rendered as render_summary;

use serde_json::Value;

use crate::dataset::{Site, Visit};
pub(crate) use crate::dataset::{host_of, referrer_keyword, referrer_name};
use crate::query::errors::ApiError;
use crate::query::period::Period;
use crate::query::request::ApiRequest;
pub(crate) use crate::query::table::whole_or_float;
use crate::query::table::{RowLimits, TableFilters};

/// Everything a per-site, per-period report needs.
pub(crate) struct Ctx<'a> {
    pub period: &'a Period,
    /// The site's visits in the period, after the segment.
    pub visits: Vec<&'a Visit>,
    pub req: &'a ApiRequest,
    pub filters: TableFilters,
    /// `format_metrics`: rates as `"45%"` strings (default) or fractions (`0`).
    pub format_metrics: bool,
    /// `format_metrics=1`: durations too are formatted (`"5 min 56s"`).
    pub format_all: bool,
    /// How many rows the archiver kept per table.
    pub row_limits: RowLimits,
    /// The site asked, for its time zone's rules (`None`: UTC).
    pub site: Option<&'a Site>,
}

/// The answer of a report Matomo 5.0.2 builds only from visits (the hours, the weekdays), for a
/// period or a segment without any: no row at all, where the emulator would otherwise list every
/// hour or weekday with zeros (Matomo archives nothing for such a period, and its
/// `ensureDefaultRowsInTable` pads only a table that has rows).
pub(crate) fn no_visits(ctx: &Ctx<'_>) -> Value {
    crate::query::table::finish(Vec::new(), &ctx.filters)
}

impl<'a> Ctx<'a> {
    /// The same request over other visits (a part of these).
    pub(crate) fn with_visits(&self, visits: Vec<&'a Visit>) -> Ctx<'a> {
        Ctx {
            period: self.period,
            visits,
            req: self.req,
            filters: self.filters.clone(),
            format_metrics: self.format_metrics,
            format_all: self.format_all,
            row_limits: self.row_limits,
            site: self.site,
        }
    }

    /// A ratio the way Matomo prints it: `"45%"` by default, a fraction with `format_metrics=0`.
    /// `decimals` is how many decimals the percentage keeps (Matomo: 0 for bounce rates, 2 for conversion rates).
    pub(crate) fn rate(&self, num: f64, den: f64, decimals: i32) -> Value {
        let r = if den > 0.0 { num / den } else { 0.0 };
        if self.format_metrics {
            let pct = round_value(r * 100.0, decimals);
            Value::String(format!("{pct}%"))
        } else {
            round_value(r, decimals + 2)
        }
    }

    /// A duration in seconds: a number, or `"5 min 56s"` with `format_metrics=1`.
    pub(crate) fn duration(&self, secs: u64) -> Value {
        if self.format_all {
            Value::String(pretty_duration(secs))
        } else {
            Value::from(secs)
        }
    }
}

/// A number rounded to `places`, emitted as an integer when it is whole (as PHP's JSON does).
pub(crate) fn round_value(x: f64, places: i32) -> Value {
    let p = 10f64.powi(places);
    whole_or_float((x * p).round() / p)
}

/// Matomo's human duration: `"1 min 48s"`, `"1 hours 56 min"`, `"12s"`.
pub(crate) fn pretty_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h} hours {m} min")
    } else if m > 0 {
        format!("{m} min {s}s")
    } else {
        format!("{s}s")
    }
}

/// Whether the method is computed per site and period (and so takes idSite, period, date, segment).
pub(crate) fn is_period_method(method: &str) -> bool {
    period_method(method).is_some()
}

type ReportFn = fn(&Ctx<'_>) -> Result<Value, ApiError>;

fn period_method(method: &str) -> Option<ReportFn> {
    Some(match method {
        "VisitsSummary.get" => summary::visits_summary_get,
        "Goals.get" => summary::goals_get,
        "Actions.getPageUrls" => actions::page_urls,
        "Actions.getPageTitles" => actions::page_titles,
        "Actions.getEntryPageUrls" => actions::entry_page_urls,
        "Actions.getOutlinks" => actions::outlinks,
        "Actions.getDownloads" => actions::downloads,
        "Actions.getSiteSearchKeywords" => actions::site_search_keywords,
        "Referrers.getReferrerType" => referrers::referrer_type,
        "Referrers.getWebsites" => referrers::websites,
        "Referrers.getSearchEngines" => referrers::search_engines,
        "Referrers.getCampaigns" => referrers::campaigns,
        "Referrers.getSocials" => referrers::socials,
        "UserCountry.getCountry" => dimensions::country,
        "UserCountry.getRegion" => dimensions::region,
        "UserCountry.getCity" => dimensions::city,
        "DevicesDetection.getType" => dimensions::device_type,
        "DevicesDetection.getBrowsers" => dimensions::browsers,
        "DevicesDetection.getOsVersions" => dimensions::os_versions,
        "UserId.getUsers" => dimensions::users,
        "VisitTime.getVisitInformationPerServerTime" => dimensions::server_time,
        "Events.getCategory" => events::category,
        "Events.getAction" => events::action,
        "Events.getName" => events::name,
        "UserCountry.getContinent" => audience::continent,
        "UserLanguage.getLanguage" => audience::language,
        "UserLanguage.getLanguageCode" => audience::language_code,
        "DevicesDetection.getBrand" => audience::brand,
        "DevicesDetection.getModel" => audience::model,
        "DevicesDetection.getOsFamilies" => audience::os_families,
        "DevicesDetection.getBrowserVersions" => audience::browser_versions,
        "DevicesDetection.getBrowserEngines" => audience::browser_engines,
        "Resolution.getResolution" => audience::resolution,
        "Resolution.getConfiguration" => audience::configuration,
        "VisitTime.getVisitInformationPerLocalTime" => audience::local_time,
        "VisitTime.getByDayOfWeek" => audience::day_of_week,
        "Actions.getExitPageUrls" => actions::exit_page_urls,
        "Actions.getExitPageTitles" => actions::exit_page_titles,
        "Actions.getSiteSearchNoResultKeywords" => actions::site_search_no_result_keywords,
        "Actions.getSiteSearchCategories" => actions::site_search_categories,
        "Actions.getPageUrlsFollowingSiteSearch" => actions::page_urls_following_search,
        "Actions.getPageTitlesFollowingSiteSearch" => actions::page_titles_following_search,
        "VisitorInterest.getNumberOfVisitsPerVisitDuration" => interest::per_visit_duration,
        "VisitorInterest.getNumberOfVisitsPerPage" => interest::per_page,
        "VisitorInterest.getNumberOfVisitsByVisitCount" => interest::by_visit_count,
        "VisitorInterest.getNumberOfVisitsByDaysSinceLast" => interest::by_days_since_last,
        "Referrers.getAll" => dimensions::all_referrers,
        "Contents.getContentNames" => contents::names,
        "Contents.getContentPieces" => contents::pieces,
        "Goals.getVisitsUntilConversion" => interest::visits_until_conversion,
        "Goals.getDaysToConversion" => interest::days_to_conversion,
        "PagePerformance.get" => performance::page_performance,
        "API.get" => api_get::api_get,
        _ => return None,
    })
}

/// Runs a per-site, per-period report; `None` when the method is not one.
pub(crate) fn run(method: &str, ctx: &Ctx<'_>) -> Option<Result<Value, ApiError>> {
    period_method(method).map(|f| f(ctx))
}

/// A summary (`VisitsSummary.get`, `Goals.get`, `PagePerformance.get`, `API.get`) of a period
/// without visits inside a map of periods or sites: Matomo 5.0.2's table of that period has no
/// row, `[]`, unless its archive was asked for a single metric (then a 0 row for it).
pub(crate) fn summary_without_visits(method: &str, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    match method {
        "API.get" => api_get::without_visits(ctx),
        "VisitsSummary.get" => Ok(summary::visits_summary_without_visits(ctx)),
        "Goals.get" => summary::goals_without_visits(ctx),
        _ => Ok(Value::Array(Vec::new())),
    }
}
