//! The client against the Matomo emulator over real HTTP: every typed report, nesting, bulk,
//! permissions, each injected fault, and no token in any error or log line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use matomo_privacy_mcp_core::client::{BulkRequest, ClientError, MatomoClient, Nested};
use matomo_privacy_mcp_core::models::{
    Report, actions, api, contents, devices_detection, events, goals, live, referrers,
    sites_manager, user_country, user_id, visit_time, visitor_interest, visits_summary,
};
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::testing::{self, TOKEN as VIEW_TOKEN};
use matomo_privacy_mcp_core::{Classified, PrivacyClass};
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use support::log_capture::capture_logs;

const ROOT_TOKEN: &str = "root0123456789abcdef0123456789ab";

async fn emulator() -> Emulator {
    testing::emulator_with_super_user(7, &[1, 2], ROOT_TOKEN).await
}

fn client(emu: &Emulator, token: &str) -> MatomoClient {
    MatomoClient::builder(emu.base_url())
        .token(token)
        .timeout(Duration::from_millis(800))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(10))
        .max_response_bytes(256 * 1024)
        .build()
        .unwrap()
}

fn month() -> Params {
    Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Month)
        .date(Date::Today)
}

/// Today on site 3, which the view token may not read.
fn unreadable() -> Params {
    Params::new()
        .sites(Sites::one(3).unwrap())
        .period(Period::Day)
        .date(Date::Today)
}

async fn one<R: Report>(client: &MatomoClient, params: &Params) -> R::Output {
    match client.report_with::<R>(params).await {
        Ok(Nested::One(value)) => value,
        Ok(other) => panic!(
            "{}: expected one site and period, got another nesting: {}",
            R::METHOD,
            serde_json::to_string(&other).unwrap()
        ),
        Err(err) => panic!("{}: {err}", R::METHOD),
    }
}

#[tokio::test]
async fn every_required_report_decodes_from_the_emulator() {
    let emu = emulator().await;
    let c = client(&emu, VIEW_TOKEN);
    let p = month();
    assert!(one::<visits_summary::Get>(&c, &p).await.nb_visits.is_some());
    // Reports of the month that the emulator's dataset gives rows.
    macro_rules! with_rows {
        ($($report:ty),*) => {$(
            assert!(!one::<$report>(&c, &p).await.is_empty(), "{}", <$report>::METHOD);
        )*};
    }
    with_rows!(
        actions::GetPageUrls,
        actions::GetPageTitles,
        actions::GetEntryPageUrls,
        referrers::GetReferrerType,
        user_country::GetCountry,
        devices_detection::GetType,
        live::GetLastVisitsDetails
    );
    // Reports of the month that decode, with or without rows.
    macro_rules! decode {
        ($($report:ty),*) => {$(
            one::<$report>(&c, &p).await;
        )*};
    }
    decode!(
        actions::GetOutlinks,
        actions::GetDownloads,
        actions::GetSiteSearchKeywords,
        referrers::GetWebsites,
        referrers::GetWebsitesFlat,
        referrers::GetSearchEngines,
        referrers::GetCampaigns,
        referrers::GetSocials,
        user_country::GetCity,
        user_country::GetRegion,
        devices_detection::GetBrowsers,
        devices_detection::GetOsVersions,
        goals::Get,
        events::GetCategory,
        events::GetAction,
        events::GetName,
        user_id::GetUsers
    );
    let site = Params::new().sites(Sites::one(1).unwrap());
    one::<goals::GetGoals>(&c, &site).await;
    one::<live::GetVisitorProfile>(&c, &site).await;
    assert_eq!(
        one::<visit_time::GetVisitInformationPerServerTime>(&c, &p)
            .await
            .len(),
        24
    );
    assert_eq!(
        one::<sites_manager::GetSitesWithAtLeastViewAccess>(&c, &Params::new())
            .await
            .len(),
        2
    );
    one::<api::GetMatomoVersion>(&c, &Params::new()).await;
    let metadata = one::<api::GetReportMetadata>(&c, &p).await;
    assert!(!metadata.is_empty());
    let text = serde_json::to_string(&metadata).unwrap();
    assert!(
        !text.contains(VIEW_TOKEN),
        "typed metadata must drop the token-bearing URLs"
    );
}

/// The reports issue 18 brought within reach decode into their typed models, with rows, and
/// the models class what visitors type (titles, URLs, searches, contents) as identifying.
#[tokio::test]
async fn every_wider_report_decodes_from_the_emulator() {
    use devices_detection as dd;
    let emu = emulator().await;
    let c = client(&emu, VIEW_TOKEN);
    let p = month();
    let flat = month().flat(true);
    macro_rules! rows {
        ($($report:ty => $params:expr, $class:ident;)*) => {$(
            let rows = one::<$report>(&c, &$params).await;
            assert!(!rows.is_empty(), "{}", <$report as Report>::METHOD);
            assert_eq!(
                <<$report as Report>::Output as Classified>::MAX_CLASS,
                PrivacyClass::$class,
                "{}",
                <$report as Report>::METHOD
            );
        )*};
    }
    rows! {
        user_country::GetContinent => p, Aggregate;
        dd::GetLanguage => p, Aggregate;
        dd::GetLanguageCode => p, Aggregate;
        dd::GetBrand => p, Aggregate;
        dd::GetModel => p, Aggregate;
        dd::GetOsFamilies => p, Aggregate;
        dd::GetBrowserVersions => p, Aggregate;
        dd::GetBrowserEngines => p, Aggregate;
        dd::GetResolution => p, Aggregate;
        dd::GetConfiguration => p, Aggregate;
        visit_time::GetVisitInformationPerLocalTime => p, Aggregate;
        visit_time::GetByDayOfWeek => p, Aggregate;
        visitor_interest::GetNumberOfVisitsPerVisitDuration => p, Aggregate;
        visitor_interest::GetNumberOfVisitsPerPage => p, Aggregate;
        visitor_interest::GetNumberOfVisitsByVisitCount => p, Aggregate;
        visitor_interest::GetNumberOfVisitsByDaysSinceLast => p, Aggregate;
        goals::GetVisitsUntilConversion => p, Aggregate;
        goals::GetDaysToConversion => p, Aggregate;
        actions::GetExitPageUrls => flat, Identifying;
        actions::GetExitPageTitles => flat, Identifying;
        actions::GetSiteSearchNoResultKeywords => p, Identifying;
        actions::GetSiteSearchCategories => p, Identifying;
        actions::GetPageUrlsFollowingSiteSearch => flat, Identifying;
        actions::GetPageTitlesFollowingSiteSearch => flat, Identifying;
        referrers::GetAll => p, Identifying;
        contents::GetContentNames => p, Identifying;
        contents::GetContentPieces => p, Identifying;
    }
    assert_eq!(
        one::<visit_time::GetVisitInformationPerLocalTime>(&c, &p)
            .await
            .len(),
        24
    );
}

#[tokio::test]
async fn nesting_follows_the_request() {
    let emu = emulator().await;
    let c = client(&emu, VIEW_TOKEN);
    let sites = Params::new()
        .sites(Sites::list([1, 2]).unwrap())
        .period(Period::Day)
        .date(Date::Yesterday);
    let Nested::Sites(by_site) = c.report_with::<visits_summary::Get>(&sites).await.unwrap() else {
        panic!("sites")
    };
    assert_eq!(by_site.len(), 2);
    let periods = Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Day)
        .date(Date::last(3).unwrap());
    let Nested::Periods(by_period) = c
        .report_with::<visits_summary::Get>(&periods)
        .await
        .unwrap()
    else {
        panic!("periods")
    };
    assert_eq!(by_period.len(), 3);
    let both = Params::new()
        .sites(Sites::All)
        .period(Period::Week)
        .date(Date::last(2).unwrap());
    let nested = c
        .report_with::<user_country::GetCountry>(&both)
        .await
        .unwrap();
    let Nested::SitesPeriods(all) = &nested else {
        panic!("sites and periods")
    };
    assert_eq!(all.len(), 2);
    assert_eq!(nested.iter().count(), 4);
}

#[tokio::test]
async fn permissions_tell_a_view_token_from_a_super_user() {
    let emu = emulator().await;
    let view = client(&emu, VIEW_TOKEN).permissions().await.unwrap();
    assert!(view.is_least_privilege());
    assert_eq!(
        view.readable_sites()
            .iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let root = client(&emu, ROOT_TOKEN).permissions().await.unwrap();
    assert!(root.super_user && !root.is_least_privilege());
}

#[tokio::test]
async fn bulk_keeps_item_errors_per_item() {
    let emu = emulator().await;
    let c = client(&emu, VIEW_TOKEN);
    let request = BulkRequest::new()
        .push("VisitsSummary.get", &month())
        .unwrap()
        .push("VisitsSummary.get", &unreadable())
        .unwrap()
        .push("UserCountry.getCountry", &month())
        .unwrap();
    let items = c.bulk(&request).await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    assert!(
        items[1].is_err(),
        "no view access to site 3: {:?}",
        items[1]
    );
    assert_eq!(emu.request_count(), 1);
}

#[tokio::test]
async fn each_fault_is_a_clear_error_and_no_token_escapes() {
    let (captured, _guard) = capture_logs();

    let emu = emulator().await;
    let c = client(&emu, VIEW_TOKEN);
    let p = month();
    let mut texts = Vec::new();
    type Expect = fn(&ClientError) -> bool;
    let cases: Vec<(Fault, Expect)> = vec![
        (Fault::Latency(Duration::from_secs(3)), |e| {
            matches!(e, ClientError::Timeout { .. })
        }),
        (Fault::http_status(502), |e| {
            matches!(e, ClientError::HttpStatus { .. })
        }),
        (Fault::MalformedJson, |e| {
            matches!(e, ClientError::UndecodableBody { .. })
        }),
        (Fault::TruncatedJson, |e| {
            matches!(e, ClientError::UndecodableBody { .. })
        }),
        (Fault::OversizedBody { bytes: 1024 * 1024 }, |e| {
            matches!(e, ClientError::ResponseTooLarge { .. })
        }),
        (
            Fault::MatomoError {
                message: format!("Boom near token_auth={VIEW_TOKEN}"),
            },
            |e| matches!(e, ClientError::Api { .. }),
        ),
        (Fault::HtmlErrorPage, |e| {
            matches!(
                e,
                ClientError::HtmlErrorPage { .. } | ClientError::HttpStatus { .. }
            )
        }),
    ];
    for (fault, expected) in cases {
        emu.clear_faults();
        emu.inject(fault.clone());
        let err = c.report_with::<actions::GetPageUrls>(&p).await.unwrap_err();
        assert!(expected(&err), "{fault:?} gave {err:?}");
        texts.push(format!("{err}\n{err:?}"));
    }
    emu.clear_faults();
    // Retries heal a server that fails twice, and the client keeps working after every fault.
    emu.inject(Fault::http_status_times(503, 2));
    one::<visits_summary::Get>(&c, &p).await;
    // Bad token and no access.
    let bad = client(&emu, "wrong0123456789abcdef0123456789a")
        .report_with::<visits_summary::Get>(&p)
        .await
        .unwrap_err();
    texts.push(format!("{bad}\n{bad:?}"));
    let no_access = c
        .report_with::<visits_summary::Get>(&unreadable())
        .await
        .unwrap_err();
    assert!(
        matches!(no_access, ClientError::Api { .. }),
        "{no_access:?}"
    );
    texts.push(format!("{no_access}\n{no_access:?}"));

    let logs = captured.text();
    for text in texts.iter().chain(std::iter::once(&logs)) {
        assert!(!text.contains(VIEW_TOKEN), "token leaked:\n{text}");
    }
    for text in &texts {
        assert!(text.len() > 20, "error text too thin: {text}");
    }
}

#[tokio::test]
async fn report_requests_built_call_by_call_choose_their_nesting() {
    let emu = emulator().await;
    let client = client(&emu, VIEW_TOKEN);
    let browsers = || client.report::<devices_detection::GetBrowsers>();
    // One site and one period: the rows themselves, equal to the `Params` way.
    let rows = browsers().site(1).month(Date::Today).send().await.unwrap();
    assert!(!rows.is_empty());
    assert_eq!(
        rows,
        one::<devices_detection::GetBrowsers>(&client, &month()).await
    );
    let visits: u64 = rows.iter().map(|row| row.metrics.visits()).sum();
    assert!(visits > 0);
    // Several periods: `send` refuses before sending, `send_nested` keys them by period.
    let three_days = || browsers().site(1).day(Date::last(3).unwrap());
    let err = three_days().send().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::InvalidParameter { name, reason } if name == "date" && reason.contains("send_nested")),
        "{err}"
    );
    let nested = three_days().send_nested().await.unwrap();
    assert!(matches!(&nested, Nested::Periods(periods) if periods.len() == 3));
    // A bad parameter is reported at `send`, naming it, with nothing sent.
    let err = browsers()
        .site(0)
        .month(Date::Today)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::InvalidParameter { name, .. } if name == "idSite"),
        "{err}"
    );
}
