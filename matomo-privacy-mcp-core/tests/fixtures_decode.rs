//! Decodes every recorded Matomo 5.0.2 response with the typed model for its request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use matomo_privacy_mcp_core::models::{
    self, DecodeError, ErrorPayload, PerPeriod, PerSite, Report, VisitsSummary, actions, api,
    devices_detection as devices, events, goals, live, multi_sites, referrers, sites_manager,
    split_bulk, user_country, user_id, users_manager, visit_frequency, visit_time, visits_summary,
};
use matomo_privacy_mcp_core::privacy::Shape;
use matomo_privacy_mcp_core::{Classified, PrivacyClass};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/matomo-5.0.2");

/// Decodes a body and returns the re-serialised typed values, or why it failed.
type Decoder = fn(&[u8]) -> Result<Vec<Value>, String>;

/// Decodes one item of a bulk response the same way.
type ItemDecoder = fn(&models::BulkItem) -> Result<Vec<Value>, String>;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(format!("{name}.json"))).expect(name)
}

/// Decodes as `T`, re-serialises, and checks the output against `T`'s privacy shape.
fn typed<T: DeserializeOwned + Serialize + Classified>(body: &[u8]) -> Result<Vec<Value>, String> {
    let value: T = models::decode(body).map_err(|e| e.to_string())?;
    checked::<T>(&value)
}

fn checked<T: Serialize + Classified>(value: &T) -> Result<Vec<Value>, String> {
    // As a tool declaring the model's class encodes it: the only place a classified value
    // serialises.
    let json = matomo_privacy_mcp_core::__private::encode_output(value, None, T::MAX_CLASS)
        .map_err(|e| e.to_string())?
        .structured()
        .clone();
    let mut untyped = Vec::new();
    check_shape(&T::SHAPE, &json, "$", &mut untyped);
    if untyped.is_empty() {
        Ok(vec![json])
    } else {
        Err(format!(
            "serialised fields outside the privacy shape: {untyped:?}"
        ))
    }
}

/// Finds a field by JSON name, looking through flattened (unnamed) fields too.
fn field<'a>(shape: &'a Shape, key: &str) -> Option<&'a Shape> {
    let Shape::Object(fields) = shape else {
        return None;
    };
    fields.iter().find_map(|f| match f.name {
        "" => field(&f.shape, key),
        name if name == key => Some(&f.shape),
        _ => None,
    })
}

/// Every key of the serialised value must be a typed field: nothing untyped is passed on.
fn check_shape(shape: &Shape, json: &Value, path: &str, untyped: &mut Vec<String>) {
    check_within(shape, json, path, untyped, None);
}

/// `enclosing` is the nearest object shape, which a `Shape::Recursive` stands for.
fn check_within(
    shape: &Shape,
    json: &Value,
    path: &str,
    untyped: &mut Vec<String>,
    enclosing: Option<&Shape>,
) {
    match (shape, json) {
        (Shape::Recursive, value) => match enclosing {
            Some(own) => check_within(own, value, path, untyped, Some(own)),
            None => untyped.push(format!("{path}: recursive shape outside an object")),
        },
        (Shape::Object(_), Value::Object(map)) => {
            for (key, value) in map {
                match field(shape, key) {
                    Some(inner) => {
                        check_within(inner, value, &format!("{path}.{key}"), untyped, Some(shape))
                    }
                    None => untyped.push(format!("{path}.{key}")),
                }
            }
        }
        (Shape::Map { value: inner, .. }, Value::Object(map)) => {
            for (key, value) in map {
                check_within(
                    inner,
                    value,
                    &format!("{path}{{{key}}}"),
                    untyped,
                    enclosing,
                );
            }
        }
        (Shape::List(inner), Value::Array(items)) => {
            for item in items {
                check_within(inner, item, &format!("{path}[]"), untyped, enclosing);
            }
        }
        (Shape::Value(_), Value::Object(_)) => untyped.push(format!("{path} (object in a leaf)")),
        (Shape::Value(_), _) | (_, Value::Null) => {}
        (shape, value) => untyped.push(format!("{path}: {value} does not match {shape:?}")),
    }
}

fn report<R: Report>(body: &[u8]) -> Result<Vec<Value>, String> {
    typed::<R::Output>(body)
}

fn per_period<R: Report>(body: &[u8]) -> Result<Vec<Value>, String> {
    typed::<PerPeriod<R::Output>>(body)
}

fn per_site<R: Report>(body: &[u8]) -> Result<Vec<Value>, String> {
    typed::<PerSite<R::Output>>(body)
}

fn per_site_period<R: Report>(body: &[u8]) -> Result<Vec<Value>, String> {
    typed::<PerSite<PerPeriod<R::Output>>>(body)
}

/// A Matomo error body: decodes as `ErrorPayload`, and `decode` reports it as `DecodeError::Matomo`.
fn matomo_error(body: &[u8]) -> Result<Vec<Value>, String> {
    let payload: ErrorPayload = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if payload.result != "error" || payload.message.is_empty() {
        return Err(format!("not an error body: {payload:?}"));
    }
    match models::decode::<VisitsSummary>(body) {
        Err(DecodeError::Matomo(decoded)) if decoded == payload => checked(&payload),
        other => Err(format!("decode did not report the error body: {other:?}")),
    }
}

/// An HTML error page (bad token, API parameters only in the POST body).
fn html_page(body: &[u8]) -> Result<Vec<Value>, String> {
    match models::decode::<ErrorPayload>(body) {
        Err(DecodeError::NotJson(_)) if body.starts_with(b"<!DOCTYPE html>") => Ok(Vec::new()),
        other => Err(format!(
            "expected an HTML page that is not JSON, got {other:?}"
        )),
    }
}

fn bulk_item<T: DeserializeOwned + Serialize + Classified>(
    item: &models::BulkItem,
) -> Result<Vec<Value>, String> {
    checked(&item.decode::<T>().map_err(|e| e.to_string())?)
}

fn bulk_item_error(item: &models::BulkItem) -> Result<Vec<Value>, String> {
    match item.decode::<VisitsSummary>() {
        Err(DecodeError::Matomo(payload)) => checked(&payload),
        other => Err(format!("expected an error item, got {other:?}")),
    }
}

fn bulk(body: &[u8], decoders: &[ItemDecoder]) -> Result<Vec<Value>, String> {
    let items = split_bulk(body).map_err(|e| e.to_string())?;
    if items.len() != decoders.len() {
        return Err(format!(
            "{} items, expected {}",
            items.len(),
            decoders.len()
        ));
    }
    let mut out = Vec::new();
    for (index, (item, decoder)) in items.iter().zip(decoders).enumerate() {
        out.extend(decoder(item).map_err(|e| format!("item {index}: {e}"))?);
    }
    Ok(out)
}

fn bulk_summary_country_version(body: &[u8]) -> Result<Vec<Value>, String> {
    bulk(
        body,
        &[
            bulk_item::<VisitsSummary>,
            bulk_item::<<user_country::GetCountry as Report>::Output>,
            bulk_item::<api::StringValue>,
        ],
    )
}

fn bulk_reports(body: &[u8]) -> Result<Vec<Value>, String> {
    bulk(
        body,
        &[
            bulk_item::<VisitsSummary>,
            bulk_item::<goals::GoalsSummary>,
            bulk_item::<<referrers::GetReferrerType as Report>::Output>,
        ],
    )
}

fn bulk_with_error(body: &[u8]) -> Result<Vec<Value>, String> {
    bulk(
        body,
        &[bulk_item::<VisitsSummary>, bulk_item_error, bulk_item_error],
    )
}

/// Builds the fixture table: `"name", "name2" => decoder;` lines.
macro_rules! fixtures {
    ($($($name:literal),+ => $decoder:expr;)*) => {{
        let mut table: BTreeMap<&'static str, Decoder> = BTreeMap::new();
        $($(assert!(table.insert($name, $decoder).is_none(), "{} listed twice", $name);)+)*
        table
    }};
}

/// Fixture name (without `.json`) → decoder, chosen from its `.request.txt`
/// (method, `flat`, several periods or sites).
fn table() -> BTreeMap<&'static str, Decoder> {
    use sites_manager as sm;
    use visits_summary::Get as Summary;
    fixtures! {
        "API.getBulkRequest" => bulk_summary_country_version;
        "API.getBulkRequest_reports" => bulk_reports;
        "API.getBulkRequest_with_error" => bulk_with_error;
        "API.getMatomoVersion", "API.getMatomoVersion_viewer" => report::<api::GetMatomoVersion>;
        "API.getMetadata_VisitsSummary" => report::<api::GetMetadata>;
        "API.getProcessedReport_Referrers.getReferrerType" =>
            report::<api::GetProcessedReport<models::DimensionRow>>;
        "API.getReportMetadata" => report::<api::GetReportMetadata>;
        "API.getSegmentsMetadata", "API.getSegmentsMetadata_viewer1" => report::<api::GetSegmentsMetadata>;
        "API.get_day" => report::<api::Get>;
        "Actions.get" => report::<actions::Get>;
        "Actions.getDownloads" => report::<actions::GetDownloads>;
        "Actions.getEntryPageUrls_flat" => report::<actions::GetEntryPageUrls>;
        "Actions.getExitPageUrls_flat" => report::<actions::GetExitPageUrls>;
        "Actions.getOutlinks" => report::<actions::GetOutlinks>;
        "Actions.getPageTitles", "Actions.getPageTitles_flat" => report::<actions::GetPageTitles>;
        "Actions.getPageUrls_day", "Actions.getPageUrls_expanded", "Actions.getPageUrls_flat",
        "Actions.getPageUrls_flat_format_metrics_0", "Actions.getPageUrls_flat_limit3_sorted",
        "Actions.getPageUrls_hierarchical", "Actions.getPageUrls_subtable" => report::<actions::GetPageUrls>;
        "Actions.getSiteSearchKeywords" => report::<actions::GetSiteSearchKeywords>;
        "DevicesDetection.getBrowsers" => report::<devices::GetBrowsers>;
        "DevicesDetection.getModel" => report::<devices::GetModel>;
        "DevicesDetection.getOsFamilies" => report::<devices::GetOsFamilies>;
        "DevicesDetection.getOsVersions" => report::<devices::GetOsVersions>;
        "DevicesDetection.getType" => report::<devices::GetType>;
        "Events.getAction", "Events.getAction_expanded" => report::<events::GetAction>;
        "Events.getCategory" => report::<events::GetCategory>;
        "Events.getCategory_flat" => report::<events::GetCategoryFlat>;
        "Events.getName" => report::<events::GetName>;
        "Goals.get", "Goals.get_ecommerceOrder", "Goals.get_format_metrics_0", "Goals.get_idGoal1" =>
            report::<goals::Get>;
        "Goals.get_day_last3" => per_period::<goals::Get>;
        "Goals.getGoals" => report::<goals::GetGoals>;
        "Goals.getItemsName" => report::<goals::GetItemsName>;
        "Goals.getItemsSku" => report::<goals::GetItemsSku>;
        "Live.getCounters" => report::<live::GetCounters>;
        "Live.getLastVisitsDetails", "Live.getLastVisitsDetails_doNotFetchActions",
        "Live.getLastVisitsDetails_hideColumns", "Live.getLastVisitsDetails_site2_limit2",
        "Live.getLastVisitsDetails_viewer1" => report::<live::GetLastVisitsDetails>;
        "Live.getVisitorProfile", "Live.getVisitorProfile_latest", "error_visitorProfile_unknown" =>
            report::<live::GetVisitorProfile>;
        "MultiSites.getAll" => report::<multi_sites::GetAll>;
        "Referrers.getAll" => report::<referrers::GetAll>;
        "Referrers.getCampaigns", "Referrers.getCampaigns_expanded" => report::<referrers::GetCampaigns>;
        "Referrers.getKeywords" => report::<referrers::GetKeywords>;
        "Referrers.getReferrerType", "Referrers.getReferrerType_day" => report::<referrers::GetReferrerType>;
        "Referrers.getSearchEngines", "Referrers.getSearchEngines_expanded" =>
            report::<referrers::GetSearchEngines>;
        "Referrers.getSocials" => report::<referrers::GetSocials>;
        "Referrers.getWebsites", "Referrers.getWebsites_expanded" => report::<referrers::GetWebsites>;
        "Referrers.getWebsites_flat" => report::<referrers::GetWebsitesFlat>;
        "Resolution.getResolution" => report::<devices::GetResolution>;
        "SitesManager.getSiteFromId" => report::<sm::GetSiteFromId>;
        "SitesManager.getSitesIdWithAdminAccess_superuser", "SitesManager.getSitesIdWithAdminAccess_viewer1",
        "SitesManager.getSitesIdWithAdminAccess_writer1" => report::<sm::GetSitesIdWithAdminAccess>;
        "SitesManager.getSitesIdWithAtLeastViewAccess", "SitesManager.getSitesIdWithAtLeastViewAccess_superuser",
        "SitesManager.getSitesIdWithAtLeastViewAccess_viewer1",
        "SitesManager.getSitesIdWithAtLeastViewAccess_writer1" => report::<sm::GetSitesIdWithAtLeastViewAccess>;
        "SitesManager.getSitesIdWithViewAccess_superuser", "SitesManager.getSitesIdWithViewAccess_viewer1",
        "SitesManager.getSitesIdWithViewAccess_writer1" => report::<sm::GetSitesIdWithViewAccess>;
        "SitesManager.getSitesIdWithWriteAccess_superuser", "SitesManager.getSitesIdWithWriteAccess_viewer1",
        "SitesManager.getSitesIdWithWriteAccess_writer1" => report::<sm::GetSitesIdWithWriteAccess>;
        "SitesManager.getSitesWithAtLeastViewAccess", "SitesManager.getSitesWithAtLeastViewAccess_viewer",
        "SitesManager.getSitesWithAtLeastViewAccess_viewer1" => report::<sm::GetSitesWithAtLeastViewAccess>;
        "UserCountry.getCity" => report::<user_country::GetCity>;
        "UserCountry.getContinent" => report::<user_country::GetContinent>;
        "UserCountry.getCountry", "UserCountry.getCountry_week" => report::<user_country::GetCountry>;
        "UserCountry.getRegion" => report::<user_country::GetRegion>;
        "UserId.getUsers" => report::<user_id::GetUsers>;
        "UserLanguage.getLanguage" => report::<devices::GetLanguage>;
        "UsersManager.hasSuperUserAccess_superuser", "UsersManager.hasSuperUserAccess_viewer1",
        "UsersManager.hasSuperUserAccess_writer1" => report::<users_manager::HasSuperUserAccess>;
        "VisitFrequency.get" => report::<visit_frequency::Get>;
        "VisitTime.getByDayOfWeek" => report::<visit_time::GetByDayOfWeek>;
        "VisitTime.getVisitInformationPerLocalTime" => report::<visit_time::GetVisitInformationPerLocalTime>;
        "VisitTime.getVisitInformationPerServerTime" => report::<visit_time::GetVisitInformationPerServerTime>;
        "VisitsSummary.get_day", "VisitsSummary.get_day_nodata", "VisitsSummary.get_day_qs",
        "VisitsSummary.get_day_viewer", "VisitsSummary.get_day_yesterday", "VisitsSummary.get_format_metrics_0",
        "VisitsSummary.get_format_metrics_1", "VisitsSummary.get_month", "VisitsSummary.get_range",
        "VisitsSummary.get_segment_country_de", "VisitsSummary.get_segment_pageUrl_contains",
        "VisitsSummary.get_site2_week", "VisitsSummary.get_week", "VisitsSummary.get_year" => report::<Summary>;
        "VisitsSummary.get_day_last7", "VisitsSummary.get_day_range_dates", "VisitsSummary.get_month_last3_site2",
        "VisitsSummary.get_week_last3" => per_period::<Summary>;
        "VisitsSummary.get_allsites_range", "VisitsSummary.get_multisite_day" => per_site::<Summary>;
        "VisitsSummary.get_multisite_last3" => per_site_period::<Summary>;
        "error_bad_token", "error_bad_token_getMatomoVersion" => html_page;
        "error_Live.getCounters_lastMinutes_too_large", "error_bad_date", "error_bad_idSite_999",
        "error_bad_idSite_nonnumeric", "error_bad_period", "error_bad_token_getMatomoVersion_qs",
        "error_bad_token_qs", "error_missing_param", "error_no_token", "error_range_bad",
        "error_segment_malformed", "error_segment_unknown_dimension", "error_unknown_method",
        "error_unknown_module", "error_viewer1_site2", "error_viewer_addSite", "error_viewer_no_access_site2",
        "error_viewer_no_access_site2_qs", "error_viewer_superuser_method" => matomo_error;
    }
}

#[test]
fn every_fixture_decodes_with_its_typed_model() {
    let table = table();
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect(FIXTURES)
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|file| file.strip_suffix(".json").map(str::to_owned))
        .collect();
    names.sort();
    assert!(
        names.len() >= 140,
        "only {} fixtures found in {FIXTURES}",
        names.len()
    );

    let mut failures = Vec::new();
    for name in &names {
        let Some(decoder) = table.get(name.as_str()) else {
            failures.push(format!("{name}: no decoder in the table"));
            continue;
        };
        match decoder(&read(name)) {
            Ok(values) => {
                for value in values {
                    if value.to_string().contains("0badc0de") {
                        failures.push(format!(
                            "{name}: re-serialised value holds the echoed token"
                        ));
                    }
                }
            }
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    for name in table.keys() {
        if !names.iter().any(|n| n == name) {
            failures.push(format!("{name}: in the table but no such fixture"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn decoded<R: Report>(name: &str) -> R::Output {
    models::decode(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn rates_mean_the_same_whatever_format_metrics() {
    let default = decoded::<actions::GetPageUrls>("Actions.getPageUrls_flat");
    let raw = decoded::<actions::GetPageUrls>("Actions.getPageUrls_flat_format_metrics_0");
    assert_eq!(default.len(), raw.len());
    for (i, (a, b)) in default.iter().zip(&raw).enumerate() {
        assert_eq!(a.label, b.label);
        assert!(
            a.metrics.bounce_rate.is_some() && a.metrics.exit_rate.is_some(),
            "row {i}"
        );
        assert_eq!(a.metrics.bounce_rate, b.metrics.bounce_rate, "row {i}");
        assert_eq!(a.metrics.exit_rate, b.metrics.exit_rate, "row {i}");
    }
    assert_eq!(default, raw, "the whole rows should decode equal");

    // bc ("12%"), 0 (0.12) and 1 ("5 min 56s") all decode to the same summary.
    let bc = decoded::<visits_summary::Get>("VisitsSummary.get_range");
    assert_eq!(
        bc,
        decoded::<visits_summary::Get>("VisitsSummary.get_format_metrics_0")
    );
    assert_eq!(
        bc,
        decoded::<visits_summary::Get>("VisitsSummary.get_format_metrics_1")
    );
    assert_eq!(bc.bounce_rate, Some(models::Rate(0.12)));
    assert_eq!(
        decoded::<goals::Get>("Goals.get"),
        decoded::<goals::Get>("Goals.get_format_metrics_0")
    );
}

#[test]
fn nesting_and_empty_answers() {
    let sites = models::decode::<PerSite<PerPeriod<VisitsSummary>>>(&read(
        "VisitsSummary.get_multisite_last3",
    ))
    .unwrap();
    assert_eq!(sites.len(), 2);
    assert!(sites.values().all(|periods| periods.len() == 3));
    let unknown = decoded::<live::GetVisitorProfile>("error_visitorProfile_unknown");
    assert!(unknown.data().is_none());
    let known = decoded::<live::GetVisitorProfile>("Live.getVisitorProfile");
    assert!(known.data().unwrap().fields.visitor_id.is_some());
    let expanded = decoded::<actions::GetPageUrls>("Actions.getPageUrls_expanded");
    assert!(
        expanded
            .iter()
            .any(|row| row.subtable.as_ref().is_some_and(|s| !s.is_empty()))
    );
}

fn class_of<T: Classified>(path: &str) -> PrivacyClass {
    let fields = T::fields();
    fields
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no field {path} in {fields:?}"))
        .class
}

#[test]
fn classifications_follow_the_reference() {
    use PrivacyClass::{Aggregate, Identifying, Pseudonymous};
    type Out<R> = <R as Report>::Output;

    // The class of each field (a model, the path of a field in it, its class).
    macro_rules! classes {
        ($($model:ty: $path:literal => $class:expr;)*) => {$(
            assert_eq!(class_of::<$model>($path), $class, "{} {}", stringify!($model), $path);
        )*};
    }
    classes! {
        Out<user_id::GetUsers>: "[].label" => Identifying;
        Out<user_id::GetUsers>: "[].idvisitor" => Pseudonymous;
        Out<live::GetLastVisitsDetails>: "[].visitIp" => Identifying;
        Out<live::GetLastVisitsDetails>: "[].userId" => Identifying;
        Out<live::GetLastVisitsDetails>: "[].actionDetails[].url" => Identifying;
        Out<live::GetLastVisitsDetails>: "[].visitorId" => Pseudonymous;
        Out<live::GetLastVisitsDetails>: "[].fingerprint" => Pseudonymous;
        Out<live::GetLastVisitsDetails>: "[].idVisit" => Pseudonymous;
        Out<live::GetLastVisitsDetails>: "[].serverTimestamp" => Pseudonymous;
        Out<live::GetLastVisitsDetails>: "[].latitude" => Pseudonymous;
        // `Tree` is recursive: every subtable level has the top level's classes (checked against the
        // fixtures' nested rows by `every_fixture_decodes_with_its_typed_model`).
        Out<actions::GetPageUrls>: "[].label" => Identifying;
        Out<actions::GetPageUrls>: "[].url" => Identifying;
        Out<actions::GetPageUrls>: "[].segment" => Identifying;
        Out<actions::GetPageUrls>: "[].nb_visits" => Aggregate;
        Out<actions::GetSiteSearchKeywords>: "[].label" => Identifying;
        Out<user_country::GetCity>: "[].lat" => Pseudonymous;
        Out<user_country::GetCity>: "[].long" => Pseudonymous;
        Out<user_country::GetCity>: "[].label" => Aggregate;
        Out<sites_manager::GetSitesWithAtLeastViewAccess>: "[].excluded_ips" => Identifying;
        Out<sites_manager::GetSitesWithAtLeastViewAccess>: "[].creator_login" => Identifying;
        Out<sites_manager::GetSitesWithAtLeastViewAccess>: "[].name" => Aggregate;
        Out<events::GetCategory>: "[].label" => Pseudonymous;
        Out<referrers::GetCampaigns>: "[].subtable[].label" => Pseudonymous;
        Out<referrers::GetWebsitesFlat>: "[].url" => Identifying;
        Out<goals::Get>: "conversion_rate" => Aggregate;
    }

    assert!(VisitsSummary::fields().iter().all(|f| f.class == Aggregate));
    assert!(!VisitsSummary::fields().is_empty());
    // The highest class of each model's fields.
    macro_rules! max_class {
        ($($model:ty => $class:expr;)*) => {$(
            assert_eq!(<$model>::MAX_CLASS, $class, "{}", stringify!($model));
        )*};
    }
    max_class! {
        PerSite<PerPeriod<VisitsSummary>> => Aggregate;
        Out<referrers::GetReferrerType> => Aggregate;
        Out<user_country::GetCountry> => Aggregate;
        Out<devices::GetType> => Aggregate;
        Out<visit_time::GetVisitInformationPerServerTime> => Aggregate;
        Out<live::GetCounters> => Aggregate;
        Out<user_country::GetCity> => Pseudonymous;
        Out<live::GetVisitorProfile> => Identifying;
    }

    let metadata = Out::<api::GetReportMetadata>::fields();
    assert!(
        metadata
            .iter()
            .all(|f| !f.path.contains("imageGraph") && !f.path.contains("parameters"))
    );
    assert_eq!(<Out<api::GetReportMetadata>>::MAX_CLASS, Aggregate);
}

#[test]
fn report_metadata_drops_token_bearing_urls() {
    let body = read("API.getReportMetadata");
    assert!(
        String::from_utf8_lossy(&body).contains("0badc0de"),
        "fixture should hold the placeholder"
    );
    let typed = decoded::<api::GetReportMetadata>("API.getReportMetadata");
    assert_eq!(typed.len(), 82);
    let json =
        matomo_privacy_mcp_core::__private::encode_output(&typed, None, PrivacyClass::Identifying)
            .unwrap()
            .text()
            .to_owned();
    assert!(
        !json.contains("0badc0de") && !json.contains("imageGraph") && !json.contains("token_auth")
    );
}

/// The repository's fixtures are the recording the project was given (`../shared/fixtures`,
/// where it is at hand, as in CI): the same files, byte for byte, so a newcomer's clone tests
/// against the same answers without it.
#[test]
fn the_repository_holds_the_shared_recording() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/matomo-5.0.2");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI runs beside ../shared",
            shared.display()
        );
        return;
    };
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    drop(entries);
    let given = names(&shared);
    assert_eq!(names(Path::new(FIXTURES)), given);
    for name in &given {
        assert!(
            std::fs::read(shared.join(name)).unwrap()
                == std::fs::read(Path::new(FIXTURES).join(name)).unwrap(),
            "{name} differs from ../shared's"
        );
    }
}
