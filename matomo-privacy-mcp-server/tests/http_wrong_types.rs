//! Matomo answering with fields of the wrong JSON type (a metric as an object,
//! a label as a number), seen over real HTTP: the client's decode error names
//! the field, the call ends in a tool error the model can read, and the next
//! call succeeds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RawClient, start_with, test_config};
use matomo_privacy_mcp_core::client::{ClientError, MatomoClient};
use matomo_privacy_mcp_core::models::visits_summary;
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::testing::{self, TOKEN as MATOMO_TOKEN};
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};

/// The test world of these tests: dataset 11, sites 1 and 2.
async fn emulator() -> Emulator {
    testing::emulator(11, &[1, 2]).await
}

/// The field path a decode error names (`field `a.b`: …`), and checks it is really in the body excerpt.
fn named_field(text: &str) -> String {
    let (_, rest) = text
        .split_once("field `")
        .unwrap_or_else(|| panic!("the error names no field: {text}"));
    let path = rest.split('`').next().unwrap().to_owned();
    // The field itself, or for a flattened row the first field listed after ", in `".
    let field = match rest.split_once(", in `") {
        Some((_, listed)) => listed.split('`').next().unwrap(),
        None => path.rsplit('.').next().unwrap(),
    };
    // The excerpt is cut (`…`) after a few hundred characters: a row with many metrics may
    // name a field beyond the cut, and then the fields shown must be the ones made wrong.
    let shown = text.contains(&format!("\"{field}\":{{\"value\""))
        || text.contains(&format!("\"{field}\":12345"));
    let beyond_the_cut = text.contains('…')
        && !text.contains(&format!("\"{field}\":"))
        && text.contains("\":{\"value\"");
    assert!(
        shown || beyond_the_cut,
        "`{field}` (in `{path}`) is not one of the fields made wrong: {text}"
    );
    format!("{path} {field}")
}

#[tokio::test]
async fn the_client_names_the_field_of_the_wrong_type() {
    let emu = emulator().await;
    let client = MatomoClient::builder(emu.base_url())
        .token(MATOMO_TOKEN)
        .no_cache()
        .build()
        .unwrap();
    let params = Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Day)
        .date(Date::Yesterday);
    emu.inject(Fault::WrongTypes);
    let error = client
        .report_with::<visits_summary::Get>(&params)
        .await
        .unwrap_err();
    let ClientError::UndecodableBody { method, detail, .. } = &error else {
        panic!("expected an undecodable body, got {error:?}");
    };
    assert_eq!(method, "VisitsSummary.get");
    assert!(detail.starts_with("field `"), "{detail}");
    assert!(detail.contains("invalid type: map"), "{detail}");
    named_field(&error.to_string());
    assert!(!error.to_string().contains(MATOMO_TOKEN));
    emu.clear_faults();
    client
        .report_with::<visits_summary::Get>(&params)
        .await
        .unwrap();
}

async fn call(client: &mut RawClient, tool: &str, arguments: Value) -> Value {
    let reply = client.call(tool, arguments).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.message.unwrap()["result"].clone()
}

#[tokio::test]
async fn wrong_json_types_are_a_clear_error_and_the_next_call_succeeds() {
    let emu = emulator().await;
    let deployment = common::emulated::deployment(&emu.base_url(), MATOMO_TOKEN, None).await;
    let toolbox = tools::toolbox(deployment, |_| true).unwrap();
    let server = start_with(toolbox, test_config()).await;
    let mut client = RawClient::connected(&server.url).await;

    for (tool, arguments) in [
        (
            "visits_summary",
            json!({ "site": 1, "period": "day", "date": "2026-11-20" }),
        ),
        (
            "top_pages",
            json!({ "site": 1, "period": "day", "date": "2026-11-21" }),
        ),
    ] {
        emu.inject(Fault::WrongTypes);
        let result = call(&mut client, tool, arguments.clone()).await;
        assert_eq!(result["isError"], true, "{tool}: {result}");
        let text = result["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("upstream failure:"), "{text}");
        assert!(text.contains("could not be decoded"), "{text}");
        let path = named_field(text);
        println!("{tool}: the error names `{path}`");
        assert!(result.get("structuredContent").is_none(), "{result}");

        emu.clear_faults();
        let result = call(&mut client, tool, arguments).await;
        assert_eq!(result["isError"], false, "{tool}: {result}");
    }
    server.shutdown().await;
}
