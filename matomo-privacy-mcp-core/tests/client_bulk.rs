//! Bulk requests and token permission discovery, answered with recorded Matomo 5.0.2 bodies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client_server;

use std::collections::{BTreeSet, HashMap};

use client_server::{Reply, SECRET, TestServer, client_for, fixture};
use matomo_privacy_mcp_core::SiteId;
use matomo_privacy_mcp_core::client::{BulkRequest, ClientError};
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};

fn day(site: u32) -> Params {
    Params::new()
        .sites(Sites::one(site).unwrap())
        .period(Period::Day)
        .date("2026-11-20".parse::<Date>().unwrap())
}

fn with_error_request() -> BulkRequest {
    BulkRequest::new()
        .push("VisitsSummary.get", &day(1))
        .unwrap()
        .push("VisitsSummary.get", &day(999))
        .unwrap()
        .push("Foo.bar", &Params::new())
        .unwrap()
}

#[tokio::test]
async fn bulk_keeps_each_items_error_with_the_item() {
    let server = TestServer::always(Reply::json(
        200,
        fixture("API.getBulkRequest_with_error.json"),
    ))
    .await;
    let results = client_for(&server)
        .bulk(&with_error_request())
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first["nb_visits"], 17);
    let second = results[1].as_ref().unwrap_err();
    assert!(
        second.message.contains("website id was set to '999'"),
        "{}",
        second.message
    );
    let third = results[2].as_ref().unwrap_err();
    assert!(third.message.contains("The plugin Foo is not enabled"));
    assert!(third.advice().contains("plugin"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.query,
        "module=API&method=API.getBulkRequest&format=JSON"
    );
    assert!(!request.query.contains(SECRET));
    let form = request.form();
    assert_eq!(
        form,
        [
            (
                "urls[0]".to_owned(),
                "method=VisitsSummary.get&idSite=1&period=day&date=2026-11-20".to_owned()
            ),
            (
                "urls[1]".to_owned(),
                "method=VisitsSummary.get&idSite=999&period=day&date=2026-11-20".to_owned()
            ),
            ("urls[2]".to_owned(), "method=Foo.bar".to_owned()),
            ("token_auth".to_owned(), SECRET.to_owned()),
        ]
    );
    // Encoded exactly as in the recorded request.
    assert!(request.body.starts_with(
        "urls%5B0%5D=method%3DVisitsSummary.get%26idSite%3D1%26period%3Dday%26date%3D2026-11-20&"
    ));
}

#[tokio::test]
async fn bulk_answers_of_the_wrong_shape_are_refused() {
    let server = TestServer::start(
        vec![
            Reply::json(200, fixture("API.getBulkRequest.json")),
            Reply::json(200, r#"{"nb_visits":1}"#),
            Reply::json(401, fixture("error_bad_token_qs.json")),
        ],
        None,
    )
    .await;
    let client = client_for(&server);
    let two = BulkRequest::new()
        .push("VisitsSummary.get", &day(1))
        .unwrap()
        .push("API.getMatomoVersion", &Params::new())
        .unwrap();
    for _ in 0..2 {
        let err = client.bulk(&two).await.unwrap_err();
        assert!(
            matches!(err, ClientError::UndecodableBody { .. }),
            "{err:?}"
        );
    }
    let err = client.bulk(&two).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Api { status: 401, .. }),
        "{err:?}"
    );

    let err = client.bulk(&BulkRequest::new()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::InvalidParameter { .. }),
        "{err:?}"
    );
    assert!(
        BulkRequest::new()
            .push("API.getBulkRequest", &Params::new())
            .is_err()
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn bulk_answers_as_recorded_decode_item_by_item() {
    let server = TestServer::always(Reply::json(200, fixture("API.getBulkRequest.json"))).await;
    let three = BulkRequest::new()
        .push("VisitsSummary.get", &day(1))
        .unwrap()
        .push(
            "UserCountry.getCountry",
            &Params::new()
                .sites(Sites::one(1).unwrap())
                .period(Period::Week)
                .date("2026-11-16".parse().unwrap())
                .limit(matomo_privacy_mcp_core::params::Limit::rows(3).unwrap()),
        )
        .unwrap()
        .push("API.getMatomoVersion", &Params::new())
        .unwrap();
    let results = client_for(&server).bulk(&three).await.unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(results[1].as_ref().unwrap().as_array().unwrap().len(), 3);
    assert!(results[2].as_ref().unwrap()["value"].is_string());
}

fn ids(list: &[u32]) -> BTreeSet<SiteId> {
    list.iter().copied().map(SiteId).collect()
}

async fn permissions_of(who: &str) -> matomo_privacy_mcp_core::client::TokenPermissions {
    // One bulk request; Matomo answers it with the five recorded answers in order.
    let mut methods = vec!["UsersManager.hasSuperUserAccess".to_owned()];
    for role in ["AtLeastView", "View", "Write", "Admin"] {
        methods.push(format!("SitesManager.getSitesIdWith{role}Access"));
    }
    let items: Vec<String> = methods
        .iter()
        .map(|method| String::from_utf8(fixture(&format!("{method}_{who}.json"))).unwrap())
        .collect();
    let mut by_method = HashMap::new();
    by_method.insert(
        "API.getBulkRequest".to_owned(),
        Reply::json(200, format!("[{}]", items.join(","))),
    );
    let server = TestServer::start_with(vec![], by_method, None).await;
    let permissions = client_for(&server).permissions().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let form = requests[0].form();
    assert!(!requests[0].query.contains(SECRET));
    assert_eq!(
        form.iter().filter(|(name, _)| name == "token_auth").count(),
        1
    );
    let urls: Vec<&str> = form
        .iter()
        .filter(|(name, _)| name.starts_with("urls["))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(urls.len(), 5);
    for (url, method) in urls.iter().zip(&methods) {
        assert_eq!(*url, format!("method={method}"));
        assert!(!url.contains(SECRET));
    }
    permissions
}

#[tokio::test]
async fn permissions_are_discovered_from_the_recorded_answers() {
    let root = permissions_of("superuser").await;
    assert!(root.super_user);
    assert_eq!(root.at_least_view, ids(&[1, 2, 3]));
    assert_eq!(root.admin, ids(&[1, 2, 3]));
    assert!(root.view.is_empty() && root.write.is_empty());
    assert!(!root.is_least_privilege());

    let viewer = permissions_of("viewer1").await;
    assert!(!viewer.super_user);
    assert_eq!(viewer.at_least_view, ids(&[1]));
    assert_eq!(viewer.view, ids(&[1]));
    assert!(viewer.write.is_empty() && viewer.admin.is_empty());
    assert!(viewer.is_least_privilege());
    assert_eq!(viewer.readable_sites(), &ids(&[1]));

    let writer = permissions_of("writer1").await;
    assert!(!writer.super_user);
    assert_eq!(writer.at_least_view, ids(&[1]));
    assert!(writer.view.is_empty());
    assert_eq!(writer.write, ids(&[1]));
    assert!(!writer.is_least_privilege());
}

#[tokio::test]
async fn permission_discovery_reports_a_rejected_token() {
    let server = TestServer::always(Reply::json(401, fixture("error_bad_token_qs.json"))).await;
    let err = client_for(&server).permissions().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Api { status: 401, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("UsersManager.hasSuperUserAccess"));
}
