//! Saved segments against the emulator: one on `countryCode` is offered and applied by name
//! (Matomo is sent its definition, never the name); one on `userId` is neither offered nor
//! applied by name, and the planted e-mail address and author login never reach the client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::{Emulator, SAVED_SEGMENT_PERSONAL_DATA};
use serde_json::{Value, json};

mod emulated;

async fn world() -> (Emulator, Toolbox<Deployment>) {
    emulated::world(4, 3).await
}

fn assert_no_personal_data(what: &str, everything: &str) {
    for planted in SAVED_SEGMENT_PERSONAL_DATA {
        assert!(
            !everything.contains(planted),
            "{what}: `{planted}` reached the client: {everything}"
        );
    }
}

/// Every value the emulator was sent, bulk items included.
fn sent(emu: &Emulator) -> String {
    emu.requests()
        .iter()
        .flat_map(|r| r.body.iter().chain(r.query.iter()))
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

#[tokio::test]
async fn segments_on_aggregate_dimensions_are_offered_and_the_others_are_not() {
    let (_emu, toolbox) = world().await;
    let descriptor = toolbox.descriptor("saved_segments").unwrap();
    assert_eq!(descriptor.max_class(), PrivacyClass::Aggregate);
    assert_eq!(
        descriptor.declassifications()[0].name(),
        "analyst_segment_names"
    );
    let result = testing::answered(&toolbox, "saved_segments", json!({ "site": 1 })).await;
    let out = result.structured().unwrap();
    assert_eq!(
        out["segments"],
        json!([
            { "name": "Visitors from Germany", "definition": "countryCode==de", "all_sites": true },
            { "name": "Smartphones", "definition": "deviceType==smartphone", "all_sites": false },
        ])
    );
    assert_eq!(out["not_offered"], 1, "the segment on userId");
    assert_no_personal_data("saved_segments", &format!("{out} {}", result.text()));

    // Site 2 has the all-sites segment, and one on the visitor's IP address, not offered.
    let site2 = toolbox
        .call("saved_segments", Some(json!({ "site": 2 })))
        .await
        .unwrap();
    let out = site2.structured().unwrap();
    assert_eq!(out["segments"].as_array().unwrap().len(), 1);
    assert_eq!(out["not_offered"], 1);
    assert!(!site2.text().contains("10.1.2.3"), "{}", site2.text());
}

#[tokio::test]
async fn a_saved_segment_is_applied_by_name_as_its_definition() {
    let (emu, toolbox) = world().await;
    let ask = |segment: &str| json!({ "site": 1, "period": "month", "date": "2026-11-20", "segment": segment, "limit": 100 });
    let by_definition = testing::answered(&toolbox, "countries", ask("countryCode==de")).await;
    emu.clear_requests();
    let by_name = testing::answered(&toolbox, "countries", ask("Visitors from Germany")).await;
    let rows: Vec<Value> = by_name.structured().unwrap()["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 1, "{}", by_name.text());
    assert_eq!(rows[0]["label"], "Germany");
    assert_eq!(
        by_name.structured().unwrap()["rows"],
        by_definition.structured().unwrap()["rows"]
    );
    // Matomo was only asked for the list (the report came from the cache): the name never
    // travels as a segment.
    assert!(!sent(&emu).contains("Visitors"), "{}", sent(&emu));

    // The generic report tool and the summaries take names too.
    for (tool, extra) in [
        ("visits_summary", json!({})),
        ("report", json!({ "report": "DevicesDetection.getType" })),
    ] {
        let mut args = ask("Smartphones");
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        if tool == "visits_summary" {
            args.as_object_mut().unwrap().remove("limit");
        }
        testing::answered(&toolbox, tool, args).await;
    }
    assert!(
        sent(&emu).contains("deviceType==smartphone"),
        "{}",
        sent(&emu)
    );
}

#[tokio::test]
async fn a_saved_segment_on_a_user_id_is_refused_by_name() {
    let (emu, toolbox) = world().await;
    let [_, email] = SAVED_SEGMENT_PERSONAL_DATA;
    emu.clear_requests();
    for name in [
        format!("Newsletter reader {email}"),
        "Newsletter reader [email]".to_owned(),
    ] {
        let args = json!({ "site": 1, "period": "month", "date": "2026-11-20", "segment": name });
        let text = testing::refused(&toolbox, "countries", args).await;
        assert!(
            text.contains("refused by privacy policy") && text.contains("`userId`"),
            "{text}"
        );
        assert_no_personal_data("refusal", &text);
    }
    // Only the segment list was asked for: no report with the user id's segment.
    let sent = sent(&emu);
    assert!(!sent.contains("userId"), "{sent}");
    assert!(
        emu.requests()
            .iter()
            .all(|r| r.query_param("method") == Some("SegmentEditor.getAll")),
        "{sent}"
    );

    // A name no segment has says where the names are.
    let unknown = json!({ "site": 1, "segment": "Visitors from Mars" });
    let refused = testing::refused(&toolbox, "countries", unknown).await;
    assert!(refused.contains("`saved_segments`"), "{refused}");
}
