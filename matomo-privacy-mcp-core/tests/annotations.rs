//! The `annotations` tool against the emulator: the operators' notes as context, with the
//! planted e-mail address masked and the authors' logins never passed on (asserted by value).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::minimise::Threshold;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::{CallToolResult, PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::ANNOTATION_PERSONAL_DATA;
use serde_json::{Value, json};

mod emulated;

/// The `annotations` tool's answer to `arguments`, a call it must answer.
async fn annotations(toolbox: &Toolbox<Deployment>, arguments: Value) -> CallToolResult {
    testing::answered(toolbox, "annotations", arguments).await
}

#[tokio::test]
async fn annotations_give_context_without_their_authors_or_identifiers() {
    // Sites 1 and 2 only: site 3 is the one the token cannot read.
    let (_emu, toolbox) = emulated::world_viewing(4, &[1, 2], Threshold::DEFAULT_K).await;
    let descriptor = toolbox.descriptor("annotations").unwrap();
    assert_eq!(descriptor.max_class(), PrivacyClass::Aggregate);
    assert_eq!(descriptor.declassifications()[0].name(), "operator_notes");

    let result = annotations(
        &toolbox,
        json!({ "site": 1, "period": "year", "date": "today" }),
    )
    .await;
    let out = result.structured().unwrap();
    assert_eq!(
        out["annotations"],
        json!([
            { "date": "2026-11-14", "note": "Spring campaign launched", "starred": true },
            { "date": "2026-11-23", "note": "Newsletter sent by [email]", "starred": false },
        ])
    );
    let everything = format!("{} {}", out, result.text());
    for planted in ANNOTATION_PERSONAL_DATA {
        assert!(
            !everything.contains(planted),
            "`{planted}` reached the client: {everything}"
        );
    }
    // Only the period asked for.
    let week = toolbox
        .call(
            "annotations",
            Some(json!({ "site": 1, "period": "week", "date": "2026-11-23" })),
        )
        .await
        .unwrap();
    assert_eq!(
        week.structured().unwrap()["annotations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A site the token cannot read is refused.
    testing::refused(&toolbox, "annotations", json!({ "site": 3 })).await;
}

/// A real Matomo 5.0.2 answers `[]` when the period has no annotation (the testkit's
/// `RealMatomo` site has none): an empty list, not an upstream failure (found by the cost
/// benchmark, `benches/matomo_cost.rs`).
#[tokio::test(flavor = "multi_thread")]
async fn on_a_real_matomo_a_period_without_annotations_is_an_empty_list() {
    use matomo_privacy_mcp_core::testing::TestDeployment;

    let Some(real) = testing::real_matomo("annotations on a real Matomo").await else {
        return;
    };
    let toolbox = TestDeployment::at(&real.base_url(), real.view_token())
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let result = annotations(
        &toolbox,
        json!({"site": real.site(), "period": "month", "date": "2026-11-01"}),
    )
    .await;
    assert_eq!(result.structured().unwrap()["annotations"], json!([]));
}
