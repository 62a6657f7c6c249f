//! The `annotations` tool against the emulator: the operators' notes as context, with the
//! planted e-mail address masked and the authors' logins never passed on (asserted by value).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_mcp_core::MatomoClient;
use matomo_mcp_core::PrivacyClass;
use matomo_mcp_core::minimise::{Scrubber, Threshold};
use matomo_mcp_core::policy::SiteAccess;
use matomo_mcp_core::reporting::{Deployment, tools};
use matomo_mcp_testkit::{ANNOTATION_PERSONAL_DATA, Day, Emulator};
use serde_json::json;

const TOKEN: &str = "view0123456789abcdef0123456789ab";

#[tokio::test]
async fn annotations_give_context_without_their_authors_or_identifiers() {
    let emu = Emulator::builder()
        .seed(4)
        .today(Day::from_ymd(2026, 11, 26).unwrap())
        .view_token(TOKEN, &[1, 2])
        .start()
        .await
        .unwrap();
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let sites = SiteAccess::check(&client.permissions().await.unwrap(), false, None).unwrap();
    let deployment = Deployment::from_parts(
        client,
        TOKEN,
        sites,
        Scrubber::builder().build().unwrap(),
        Threshold::default(),
        PrivacyClass::Aggregate,
        None,
    );
    let toolbox = tools::toolbox(deployment, |name| name == "annotations").unwrap();
    let descriptor = toolbox.descriptor("annotations").unwrap();
    assert_eq!(descriptor.max_class(), PrivacyClass::Aggregate);
    assert_eq!(descriptor.declassifications()[0].name(), "operator_notes");

    let result = toolbox
        .call(
            "annotations",
            Some(json!({ "site": 1, "period": "year", "date": "today" })),
        )
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
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
    let refused = toolbox
        .call("annotations", Some(json!({ "site": 3 })))
        .await
        .unwrap();
    assert!(refused.is_error());
}
