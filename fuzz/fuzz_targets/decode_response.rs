//! Every typed Matomo response family decodes arbitrary bytes without panicking,
//! and whatever decodes serialises again (the tools pass it on as JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;
use matomo_privacy_mcp_core::models::{
    DimensionRow, PerPeriod, PerSite, Report, actions, api, decode, devices_detection, events,
    goals, live, multi_sites, referrers, sites_manager, split_bulk, user_country, user_id,
    users_manager, visit_frequency, visit_time, visits_summary,
};
use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_core::reporting::SourceRow;

/// Decodes `body` as `T`; a success must serialise back to JSON.
fn check<T: serde::de::DeserializeOwned + serde::Serialize>(body: &[u8]) {
    if let Ok(value) = decode::<T>(body) {
        as_output(&value);
    }
}

/// Serialises `value` as an `identifying` tool's output does: the only place classified
/// values serialise (anywhere else they are an error by design).
fn as_output<T: serde::Serialize>(value: &T) {
    matomo_privacy_mcp_core::__private::encode_output(value, None, PrivacyClass::Identifying)
        .expect("a decoded response serialises");
}

/// One site and one period, several periods, several sites, and both.
fn family<R: Report>(body: &[u8]) {
    check::<R::Output>(body);
    check::<PerPeriod<R::Output>>(body);
    check::<PerSite<R::Output>>(body);
    check::<PerSite<PerPeriod<R::Output>>>(body);
}

fuzz_target!(|body: &[u8]| {
    // The rows the report tools read: only finite metrics get through.
    if let Ok(rows) = decode::<Vec<SourceRow>>(body) {
        for row in &rows {
            assert!(row.metrics.iter().all(|(_, value)| value.is_finite()));
        }
    }
    // Summaries.
    family::<visits_summary::Get>(body);
    family::<actions::Get>(body);
    family::<goals::Get>(body);
    family::<visit_frequency::Get>(body);
    family::<api::Get>(body);
    // Rows, flat, expanded and hierarchical.
    family::<actions::GetPageUrls>(body);
    family::<actions::GetSiteSearchKeywords>(body);
    family::<events::GetCategory>(body);
    family::<events::GetCategoryFlat>(body);
    family::<referrers::GetReferrerType>(body);
    family::<referrers::GetAll>(body);
    family::<referrers::GetWebsites>(body);
    family::<referrers::GetCampaigns>(body);
    family::<user_country::GetCity>(body);
    family::<user_country::GetRegion>(body);
    family::<devices_detection::GetType>(body);
    family::<visit_time::GetVisitInformationPerServerTime>(body);
    family::<goals::GetItemsName>(body);
    family::<user_id::GetUsers>(body);
    family::<multi_sites::GetAll>(body);
    // Live visits.
    check::<<live::GetLastVisitsDetails as Report>::Output>(body);
    check::<<live::GetVisitorProfile as Report>::Output>(body);
    check::<<live::GetCounters as Report>::Output>(body);
    // Metadata and site lists.
    check::<<api::GetReportMetadata as Report>::Output>(body);
    check::<<api::GetSegmentsMetadata as Report>::Output>(body);
    check::<<api::GetMatomoVersion as Report>::Output>(body);
    check::<<api::GetProcessedReport<Vec<DimensionRow>> as Report>::Output>(body);
    check::<<goals::GetGoals as Report>::Output>(body);
    check::<<sites_manager::GetSitesWithAtLeastViewAccess as Report>::Output>(body);
    check::<<sites_manager::GetSitesIdWithAtLeastViewAccess as Report>::Output>(body);
    check::<<users_manager::HasSuperUserAccess as Report>::Output>(body);
    // Bulk answers, item by item.
    if let Ok(items) = split_bulk(body) {
        for item in items {
            if let Ok(v) = item.decode::<<visits_summary::Get as Report>::Output>() {
                as_output(&v);
            }
            let _ = item.decode::<<actions::GetPageUrls as Report>::Output>();
        }
    }
});
