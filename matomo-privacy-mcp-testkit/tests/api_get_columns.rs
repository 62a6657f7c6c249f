//! `API.get` with `columns`, as Matomo 5.0.2 answers it: only the plugins whose metadata lists an
//! asked column are asked, only the asked columns kept (a plugin's `get` may drop some itself),
//! nothing at all when no plugin lists one, and a single column kept sent as `{"value": …}`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RANGE, ROOT, api_json, emulator};
use matomo_privacy_mcp_testkit::page_timing_columns;
use serde_json::{Value, json};

async fn api_get(emu: &matomo_privacy_mcp_testkit::Emulator, extra: &[(&str, &str)]) -> Value {
    let mut params = RANGE.to_vec();
    params.extend_from_slice(extra);
    api_json(emu, "API.get", ROOT, &params).await
}

#[tokio::test]
async fn columns_keep_the_asked_records_with_the_values_of_the_whole_answer() {
    let emu = emulator(7).await;
    let performance = page_timing_columns().join(",");
    for segment in ["", "visitCount<=2;actions<=10"] {
        let whole = api_get(&emu, &[("segment", segment)]).await;
        let asked = api_get(&emu, &[("segment", segment), ("columns", &performance)]).await;
        let asked = asked.as_object().unwrap();
        let mut keys: Vec<&str> = asked.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = performance.split(',').collect();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected, "[{segment}]");
        for (column, value) in asked {
            assert_eq!(value, &whole[column], "[{segment}] {column}");
        }
        assert!(asked["PagePerformance_network_hits"].as_u64().unwrap() > 0);
        assert!(whole["nb_visits"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn columns_select_plugins_by_their_listed_columns() {
    let emu = emulator(7).await;
    let whole = api_get(&emu, &[]).await;
    // The sums are not in any plugin's metadata: alone they select nothing, for any period.
    for columns in ["PagePerformance_network_hits", "bogus"] {
        assert_eq!(api_get(&emu, &[("columns", columns)]).await, json!([]));
        let days = api_json(
            &emu,
            "API.get",
            ROOT,
            &[
                ("idSite", "1"),
                ("period", "day"),
                ("date", "2026-11-20,2026-11-22"),
                ("columns", columns),
            ],
        )
        .await;
        assert_eq!(days, json!([]), "{columns}");
    }
    // One column kept, of the two asked (`VisitsSummary.get` sends only its listed ones).
    let one = api_get(&emu, &[("columns", "nb_visits,bounce_count")]).await;
    assert_eq!(one, json!({ "value": whole["nb_visits"] }));
    // `Goals.get` sends the asked conversions of new and returning visits too; a plugin not
    // selected (Referrers) sends nothing, even of a column it has.
    let goals = api_get(
        &emu,
        &[(
            "columns",
            "nb_conversions,nb_conversions_new_visit,revenue_returning_visit,\
             Referrers_distinctWebsitesUrls",
        )],
    )
    .await;
    assert_eq!(
        goals,
        json!({
            "nb_conversions": whole["nb_conversions"],
            "nb_conversions_new_visit": whole["nb_conversions_new_visit"],
        })
    );
}
