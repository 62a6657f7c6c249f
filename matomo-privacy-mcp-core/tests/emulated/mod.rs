//! One emulated Matomo and a toolbox of every ready-made tool over it: the world most
//! integration tests of the tools start from (each includes it with `mod emulated;`), in the
//! terms of the SDK's test world ([`testing`]).
#![allow(clippy::unwrap_used, dead_code, unused_imports)]

use std::collections::BTreeSet;
use std::time::Duration;

use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
pub use matomo_privacy_mcp_core::testing::{TOKEN, emulator, raw_client};
use matomo_privacy_mcp_core::{MatomoClient, Toolbox};
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::Value;

/// The emulator (dataset `seed`, today 2026-11-26, a view token for sites 1 to 3) and every
/// ready-made tool over an aggregate deployment with threshold `k`, exact numbers (no noise).
pub async fn world(seed: u64, k: u64) -> (Emulator, Toolbox<Deployment>) {
    world_viewing(seed, &[1, 2, 3], k).await
}

/// [`world`] with a token that views only `sites`: for tests that a site it cannot read is
/// refused.
pub async fn world_viewing(seed: u64, sites: &[u32], k: u64) -> (Emulator, Toolbox<Deployment>) {
    let emu = emulator(seed, sites).await;
    let toolbox = testing::deployment(&emu)
        .threshold(k)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    (emu, toolbox)
}

/// An emulator, every ready-made tool over it (threshold `k`, exact numbers) and a client
/// without a cache for Matomo's own answers: the ground truth beside what the tools show.
pub struct World {
    pub emu: Emulator,
    pub toolbox: Toolbox<Deployment>,
    pub raw: MatomoClient,
}

impl World {
    /// The world of [`world`]: dataset `seed`, sites 1 to 3, threshold `k`.
    pub async fn of(seed: u64, k: u64) -> World {
        World::over(emulator(seed, &[1, 2, 3]).await, k).await
    }

    /// The world over `emu`, whose view token is [`TOKEN`].
    pub async fn over(emu: Emulator, k: u64) -> World {
        World {
            toolbox: testing::deployment(&emu)
                .threshold(k)
                .toolbox(matomo_privacy_mcp_tools::all())
                .await,
            raw: raw_client(&emu),
            emu,
        }
    }
}

/// An aggregate deployment over `emu` with threshold `k` and exact numbers, for [`TOKEN`]'s
/// sites.
pub async fn deployment(emu: &Emulator, k: u64) -> Deployment {
    testing::deployment(emu).threshold(k).build().await
}

/// [`deployment`] with noise: ε 10 per statistic under the default contribution bounds (the
/// privacy properties tested with it do not depend on ε, and little noise keeps rows shown on
/// the emulator's small days), noise `key`, and a budget of `budget_micros` millionths of ε per
/// day kept in memory.
pub async fn noisy_deployment(
    emu: &Emulator,
    k: u64,
    key: &[u8],
    budget_micros: u64,
) -> Deployment {
    testing::deployment(emu)
        .threshold(k)
        .noise(NoiseSetup {
            dp: DifferentialPrivacy::new(key.to_vec(), 10_000_000, ContributionBounds::default())
                .unwrap(),
            budget: PrivacyBudget::in_memory(budget_micros, Duration::from_secs(86_400)),
        })
        .build()
        .await
}

/// The labels of the rows a row report's tool shows (`rows` of its structured answer `out`).
pub fn shown_labels(out: &Value) -> BTreeSet<&str> {
    out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row["label"].as_str())
        .collect()
}
