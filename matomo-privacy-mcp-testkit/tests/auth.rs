//! Token handling as recorded from Matomo: where the token may travel, and how failures look.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    HttpResponse, ROOT, VIEWER, WRITER, api, api_json, api_query, emulator, post_raw, summary,
};
use matomo_privacy_mcp_testkit::realistic::form_encode;

const DAY: [(&str, &str); 3] = [("idSite", "1"), ("period", "day"), ("date", "2026-11-20")];

/// Asserts that `r` is Matomo's refusal (401) saying `message`.
fn refused(r: &HttpResponse, message: &str) {
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], message);
}

#[tokio::test]
async fn unknown_token_is_html_401_when_everything_is_in_the_body() {
    let emu = emulator(1).await;
    let body = format!(
        "{}&{}&token_auth=not-a-token",
        api_query("VisitsSummary.get"),
        form_encode(&DAY)
    );
    let r = post_raw(&emu, "", &body).await;
    assert_eq!(r.status, 401);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    let html = String::from_utf8(r.body).unwrap();
    assert!(html.contains("Unable to authenticate with the provided token"));
    assert!(
        !html.contains("not-a-token"),
        "the page must not echo the token"
    );
}

#[tokio::test]
async fn unknown_token_is_json_401_when_module_method_format_are_in_the_query() {
    let emu = emulator(1).await;
    let r = api(&emu, "VisitsSummary.get", "not-a-token", &DAY).await;
    assert_eq!(r.status, 401);
    assert!(r.content_type.starts_with("application/json"));
    assert_eq!(r.json()["result"], "error");
    assert_eq!(
        r.json()["message"],
        "Unable to authenticate with the provided token. It is either invalid or expired."
    );
}

#[tokio::test]
async fn token_in_the_query_string_is_refused_even_when_valid() {
    let emu = emulator(1).await;
    let query = format!("{}&token_auth={ROOT}", api_query("API.getMatomoVersion"));
    let r = post_raw(&emu, &query, "").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["result"], "error");
}

#[tokio::test]
async fn no_token_means_no_view_access() {
    let emu = emulator(1).await;
    let query = api_query("VisitsSummary.get");
    let r = post_raw(&emu, &query, &form_encode(&DAY)).await;
    refused(
        &r,
        "You can't access this resource as it requires 'view' access for the website id = 1.",
    );
}

#[tokio::test]
async fn view_token_sees_its_site_only() {
    let emu = emulator(1).await;
    let ok = api_json(&emu, "VisitsSummary.get", VIEWER, &DAY).await;
    assert!(ok["nb_visits"].as_u64().unwrap() > 0);
    let denied = api(
        &emu,
        "VisitsSummary.get",
        VIEWER,
        &[("idSite", "2"), ("period", "day"), ("date", "2026-11-20")],
    )
    .await;
    refused(
        &denied,
        "You can't access this resource as it requires 'view' access for the website id = 2.",
    );
    let all = summary(&emu, VIEWER, "all", "day", "2026-11-20").await;
    assert_eq!(all.as_object().unwrap().keys().collect::<Vec<_>>(), ["1"]);
}

#[tokio::test]
async fn privilege_discovery_matches_matomo() {
    let emu = emulator(1).await;
    let ids = |m: &'static str, t: &'static str| {
        let emu = &emu;
        async move { api_json(emu, m, t, &[]).await }
    };
    assert_eq!(
        ids("UsersManager.hasSuperUserAccess", ROOT).await["value"],
        true
    );
    assert_eq!(
        ids("UsersManager.hasSuperUserAccess", VIEWER).await["value"],
        false
    );
    for (method, token, expected) in [
        ("getSitesIdWithAtLeastViewAccess", ROOT, "[1, 2, 3]"),
        ("getSitesIdWithAdminAccess", ROOT, "[1, 2, 3]"),
        ("getSitesIdWithViewAccess", ROOT, "[]"),
        ("getSitesIdWithViewAccess", VIEWER, "[1]"),
        ("getSitesIdWithWriteAccess", WRITER, "[1]"),
        ("getSitesIdWithViewAccess", WRITER, "[]"),
        ("getSitesIdWithAtLeastViewAccess", WRITER, "[1]"),
    ] {
        let answer = api_json(&emu, &format!("SitesManager.{method}"), token, &[]).await;
        let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert_eq!(answer, expected, "{method} {token}");
    }
    let sites = ids("SitesManager.getSitesWithAtLeastViewAccess", VIEWER).await;
    assert_eq!(sites.as_array().unwrap().len(), 1);
    assert!(sites[0].get("creator_login").is_none());
}

#[tokio::test]
async fn report_metadata_embeds_the_callers_token_like_matomo() {
    let emu = emulator(1).await;
    let meta = api_json(&emu, "API.getReportMetadata", VIEWER, &[("idSite", "1")]).await;
    let url = meta[0]["imageGraphUrl"].as_str().unwrap();
    assert!(url.contains(&format!("token_auth={VIEWER}")), "{url}");
}

#[tokio::test]
async fn errors_use_matomos_words_and_status_200() {
    let emu = emulator(1).await;
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 6] = [
        (
            "VisitsSummary.get",
            &[("idSite", "999"), ("period", "day"), ("date", "2026-11-20")],
            "An unexpected website was found in the request: website id was set to '999' .",
        ),
        (
            "VisitsSummary.get",
            &[
                ("idSite", "1"),
                ("period", "fortnight"),
                ("date", "2026-11-20"),
            ],
            "The period 'fortnight' is not supported. Try any of the following instead: day, week, month, year, range",
        ),
        (
            "VisitsSummary.get",
            &[("idSite", "1"), ("period", "day")],
            "Please specify a value for 'date'.",
        ),
        (
            "VisitsSummary.doesNotExist",
            &DAY,
            "The method 'doesNotExist' does not exist or is not available in the module '\\Piwik\\Plugins\\VisitsSummary\\API'.",
        ),
        (
            "Foo.bar",
            &DAY,
            "The plugin Foo is not enabled. You can activate the plugin on Settings &gt; Plugins page in Matomo.",
        ),
        (
            "VisitsSummary.get",
            &[("idSite", "1"), ("period", "range"), ("date", "2026-11-25")],
            "The date '2026-11-25' is not a correct date range. It should have the following format:  'lastN', 'previousN', 'YYYY-MM-DD,YYYY-MM-DD'.",
        ),
    ];
    for (method, params, message) in cases {
        let r = api_json(&emu, method, ROOT, params).await;
        assert_eq!(r["result"], "error", "{method} {params:?}");
        assert_eq!(r["message"], message);
    }
}

#[tokio::test]
async fn recorded_requests_show_where_the_token_travelled_and_debug_redacts_it() {
    let emu = emulator(1).await;
    api_json(&emu, "API.getMatomoVersion", ROOT, &[]).await;
    let reqs = emu.requests();
    assert_eq!(emu.request_count(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path, "/index.php");
    assert_eq!(reqs[0].query_param("method"), Some("API.getMatomoVersion"));
    assert_eq!(reqs[0].body_param("token_auth"), Some(ROOT));
    assert!(!format!("{:?}", reqs[0]).contains(ROOT));
    assert!(!format!("{emu:?}").contains(ROOT));
    let builder = matomo_privacy_mcp_testkit::Emulator::builder().super_user_token(ROOT);
    assert!(!format!("{builder:?}").contains(ROOT));
    emu.clear_requests();
    assert_eq!(emu.request_count(), 0);
}
