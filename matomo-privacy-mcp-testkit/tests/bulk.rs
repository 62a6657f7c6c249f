//! `API.getBulkRequest`: sub-requests with the top-level token, per-item errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ROOT, VIEWER, api_json, emulator, summary};

#[tokio::test]
async fn bulk_runs_each_url_and_keeps_errors_per_item() {
    let emu = emulator(3).await;
    let single = summary(&emu, ROOT, "1", "day", "2026-11-20").await;
    let r = api_json(
        &emu,
        "API.getBulkRequest",
        ROOT,
        &[
            (
                "urls[0]",
                "method=VisitsSummary.get&idSite=1&period=day&date=2026-11-20",
            ),
            (
                "urls[1]",
                "method=VisitsSummary.get&idSite=999&period=day&date=2026-11-20",
            ),
            ("urls[2]", "method=Foo.bar"),
            (
                "urls[3]",
                "method=UserCountry.getCountry&idSite=1&period=week&date=2026-11-16&filter_limit=3",
            ),
        ],
    )
    .await;
    let items = r.as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0], single);
    assert_eq!(
        items[1]["message"],
        "An unexpected website was found in the request: website id was set to '999' ."
    );
    assert_eq!(items[2]["result"], "error");
    assert_eq!(items[3].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bulk_items_use_the_callers_access() {
    let emu = emulator(3).await;
    let r = api_json(
        &emu,
        "API.getBulkRequest",
        VIEWER,
        &[
            (
                "urls[0]",
                "method=VisitsSummary.get&idSite=2&period=day&date=2026-11-20",
            ),
            ("urls[1]", "method=API.getMatomoVersion"),
        ],
    )
    .await;
    assert_eq!(
        r[0]["message"],
        "You can't access this resource as it requires 'view' access for the website id = 2."
    );
    assert_eq!(r[1]["value"], "5.0.2");
}
