//! How the client reports each way Matomo can fail, and that no report carries the token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client_server;

use std::time::Duration;

use client_server::{
    Reply, SECRET, TestServer, builder_at, client_for, day_params, fixture, summary_error,
};
use matomo_privacy_mcp_core::MatomoClient;
use matomo_privacy_mcp_core::client::{ClientError, MatomoApiError, MatomoToken};
use matomo_privacy_mcp_core::params::Params;
use matomo_privacy_mcp_testkit::Recording;

async fn error_for(reply: Reply) -> ClientError {
    let server = TestServer::always(reply).await;
    summary_error(builder_at(server.base_url())).await
}

#[tokio::test]
async fn html_401_page_becomes_html_error_page() {
    let err = error_for(Reply::html(401, fixture("error_bad_token.json"))).await;
    match &err {
        ClientError::HtmlErrorPage {
            method,
            status,
            excerpt,
            ..
        } => {
            assert_eq!(method, "VisitsSummary.get");
            assert_eq!(*status, 401);
            assert_eq!(
                excerpt,
                "Unable to authenticate with the provided token. It is either invalid or expired."
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("check the token"), "{err}");
}

#[tokio::test]
async fn json_error_payloads_become_api_errors_on_200_and_401() {
    let err = error_for(Reply::json(200, fixture("error_bad_date.json"))).await;
    match &err {
        ClientError::Api {
            status: 200, error, ..
        } => {
            assert!(
                error.message.starts_with("Date format must be"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }

    let err = error_for(Reply::json(401, fixture("error_bad_token_qs.json"))).await;
    match &err {
        ClientError::Api {
            status: 401, error, ..
        } => {
            assert!(error.message.starts_with("Unable to authenticate"));
            assert!(error.advice().contains("check the token"));
        }
        other => panic!("{other:?}"),
    }

    let err = error_for(Reply::json(
        401,
        fixture("error_viewer_no_access_site2_qs.json"),
    ))
    .await;
    assert!(
        matches!(err, ClientError::Api { status: 401, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("view access"), "{err}");
}

#[tokio::test]
async fn undecodable_bodies_quote_a_token_free_excerpt() {
    let body = format!("{{\"imageGraphUrl\":\"index.php?token_auth={SECRET}&x=1\", broken");
    let err = error_for(Reply::json(200, body)).await;
    match &err {
        ClientError::UndecodableBody {
            method, excerpt, ..
        } => {
            assert_eq!(method, "VisitsSummary.get");
            assert!(excerpt.contains("imageGraphUrl"), "{excerpt}");
            assert!(!excerpt.contains(SECRET), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
}

/// A summary that needs its one column.
#[derive(Debug, serde::Deserialize)]
struct Summary {
    nb_visits: u64,
}

#[tokio::test]
async fn typed_calls_report_shape_mismatches_with_the_method() {
    let server =
        TestServer::always(Reply::json(200, format!(r#"{{"nb_visits":"{SECRET}"}}"#))).await;
    let err = client_for(&server)
        .call::<Summary>("VisitsSummary.get", &day_params())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::UndecodableBody { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("VisitsSummary.get"));
    assert!(!format!("{err} {err:?}").contains(SECRET), "{err}");

    let server = TestServer::always(Reply::json(200, r#"{"nb_visits":17}"#)).await;
    let summary: Summary = client_for(&server)
        .call("VisitsSummary.get", &day_params())
        .await
        .unwrap();
    assert_eq!(summary.nb_visits, 17);
}

/// PHP renders an empty table as `[]`: Matomo 5.0.2's `API.get` answers so when the `columns`
/// asked belong to no active plugin (`PagePerformance` deactivated). A summary whose columns
/// are all optional reads it as no columns; one that needs a column still fails, naming it.
#[tokio::test]
async fn an_empty_table_reads_as_a_summary_without_columns() {
    use matomo_privacy_mcp_core::models::api;
    let server = TestServer::always(Reply::json(200, "[]")).await;
    let summary = client_for(&server)
        .call::<api::ApiSummary>("API.get", &day_params())
        .await
        .unwrap();
    assert_eq!(summary, api::ApiSummary::default());
    let needs = client_for(&server)
        .call::<Summary>("VisitsSummary.get", &day_params())
        .await;
    assert!(
        matches!(needs, Err(ClientError::UndecodableBody { .. })),
        "{needs:?}"
    );
}

/// Produces every error variant, each time with the token in reach, and checks none prints it.
#[tokio::test]
async fn no_error_client_or_token_output_contains_the_token() {
    let mut errors: Vec<ClientError> = Vec::new();
    let with_token = format!("<h2>Bad token {SECRET}</h2>");

    errors.push(
        MatomoClient::builder("not a url")
            .token(SECRET)
            .build()
            .unwrap_err(),
    );
    errors.push(
        MatomoClient::builder(format!("https://u:{SECRET}@matomo.example.com"))
            .token(SECRET)
            .build()
            .unwrap_err(),
    );
    errors.push(
        MatomoClient::builder("https://matomo.example.com")
            .token(format!("{SECRET} "))
            .build()
            .unwrap_err(),
    );
    errors.push(
        MatomoClient::builder("https://matomo.example.com")
            .build()
            .unwrap_err(),
    );
    errors.push(Params::new().with("token_auth", SECRET).unwrap_err().into());
    errors.push(ClientError::HttpClient {
        detail: "TLS backend unavailable".into(),
    });
    errors.push(error_for(Reply::json(502, format!("upstream {SECRET}"))).await);
    errors.push(
        error_for(Reply::json(
            200,
            format!(r#"{{"result":"error","message":"token {SECRET} rejected"}}"#),
        ))
        .await,
    );
    errors.push(error_for(Reply::html(401, with_token.clone())).await);
    errors.push(error_for(Reply::json(200, format!("not json {SECRET}"))).await);

    let slow = TestServer::always(Reply::json(200, "[]").delayed(Duration::from_secs(2))).await;
    errors.push(
        summary_error(
            builder_at(slow.base_url())
                .timeout(Duration::from_millis(100))
                .max_retries(0),
        )
        .await,
    );
    let big = TestServer::always(Reply::json(200, format!("[\"{SECRET}\"]").repeat(100))).await;
    errors.push(summary_error(builder_at(big.base_url()).max_response_bytes(100)).await);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    errors.push(summary_error(builder_at(format!("http://{closed_addr}")).max_retries(0)).await);

    let mut seen = std::collections::BTreeSet::new();
    for err in &errors {
        let shown = format!("{err}\n{err:?}\n{err:#?}");
        assert!(!shown.contains(SECRET), "token leaked:\n{shown}");
        assert!(
            !shown.contains("0123456789abcdef"),
            "token prefix leaked:\n{shown}"
        );
        seen.insert(
            format!("{err:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    let expected = [
        "Api",
        "Connection",
        "HtmlErrorPage",
        "HttpClient",
        "HttpStatus",
        "InsecureBaseUrl",
        "InvalidBaseUrl",
        "InvalidParameter",
        "InvalidToken",
        "ResponseTooLarge",
        "Timeout",
        "UndecodableBody",
    ];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), expected);

    let api = MatomoApiError {
        message: "x".into(),
    };
    assert!(!format!("{api} {api:?}").contains(SECRET));
    let token = MatomoToken::new(SECRET).unwrap();
    assert!(!format!("{token} {token:?} {token:#?}").contains(SECRET));
    let server = TestServer::start(vec![], None).await;
    let client = client_for(&server);
    assert!(!format!("{client:?} {client:#?}").contains(SECRET));
    let builder = MatomoClient::builder("https://matomo.example.com").token(SECRET);
    assert!(!format!("{builder:?}").contains(SECRET));
}

/// Replays every recorded error response of the real Matomo (status and content type as
/// recorded) and checks the error variant each becomes, fixture by fixture.
#[tokio::test]
async fn every_recorded_error_fixture_maps_to_its_variant() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/matomo-5.0.2");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("error_") && n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "expected the recorded error fixtures in {dir}"
    );
    let mut failures = Vec::new();
    for name in &names {
        let request =
            std::fs::read_to_string(format!("{dir}/{}", name.replace(".json", ".request.txt")))
                .unwrap();
        let Recording { status, html, .. } = Recording::parse(&request).unwrap();
        let body = fixture(name);
        let reply = if html {
            Reply::html(status, body)
        } else {
            Reply::json(status, body)
        };
        let server = TestServer::always(reply).await;
        let result = client_for(&server)
            .call_raw("VisitsSummary.get", &Params::new())
            .await;
        let ok = match (&result, html, name.as_str()) {
            // An unknown visitor's profile is an empty result, not an error.
            (Ok(value), _, "error_visitorProfile_unknown.json") => value == &serde_json::json!([]),
            (Err(ClientError::HtmlErrorPage { .. }), true, _) => true,
            (Err(ClientError::Api { error, .. }), false, _) => !error.message.is_empty(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name} (HTTP {status}, html: {html}) gave {result:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures mapped to the wrong variant:\n{}",
        failures.join("\n")
    );
}
