//! One emulated Matomo and a toolbox of every ready-made tool over it: the world most
//! integration tests of the tools start from (each includes it with `mod emulated;`).
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use matomo_privacy_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy};
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
use matomo_privacy_mcp_core::policy::{PrivacyBudget, SiteAccess};
use matomo_privacy_mcp_core::reporting::{Deployment, NoiseSetup, tools};
use matomo_privacy_mcp_core::{MatomoClient, PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::{Day, Emulator};

/// The view token (of sites 1 to 3 in [`world`]).
pub const TOKEN: &str = "view0123456789abcdef0123456789ab";

/// The emulator (dataset `seed`, today 2026-11-26, a view token for sites 1 to 3) and every
/// ready-made tool over an aggregate deployment with threshold `k`, exact numbers (no noise).
pub async fn world(seed: u64, k: u64) -> (Emulator, Toolbox<Deployment>) {
    world_viewing(seed, &[1, 2, 3], k).await
}

/// [`world`] with a token that views only `sites`: for tests that a site it cannot read is
/// refused.
pub async fn world_viewing(seed: u64, sites: &[u32], k: u64) -> (Emulator, Toolbox<Deployment>) {
    let emu = emulator(seed, sites).await;
    let deployment = deployment(&emu, k).await;
    (emu, tools::toolbox(deployment, |_| true).unwrap())
}

/// An aggregate deployment over `emu` with threshold `k` and exact numbers, for [`TOKEN`]'s
/// sites.
pub async fn deployment(emu: &Emulator, k: u64) -> Deployment {
    let client = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let sites = SiteAccess::check(&client.permissions().await.unwrap(), false, None).unwrap();
    Deployment::from_parts(
        client,
        TOKEN,
        sites,
        Scrubber::builder().build().unwrap(),
        Threshold::new(k).unwrap(),
        PrivacyClass::Aggregate,
        None,
    )
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
    deployment(emu, k).await.with_noise(NoiseSetup {
        dp: DifferentialPrivacy::new(key.to_vec(), 10_000_000, ContributionBounds::default())
            .unwrap(),
        budget: PrivacyBudget::in_memory(budget_micros, Duration::from_secs(86_400)),
    })
}

/// The emulator alone (dataset `seed`, today 2026-11-26, [`TOKEN`] viewing `sites`): for tests
/// that ask Matomo directly, with no deployment in between.
pub async fn emulator(seed: u64, sites: &[u32]) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .today(Day::from_ymd(2026, 11, 26).unwrap())
        .view_token(TOKEN, sites)
        .start()
        .await
        .unwrap()
}

/// A client of the same emulator without a cache: Matomo's raw answers, for ground truth.
pub fn raw_client(emu: &Emulator) -> MatomoClient {
    MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .no_cache()
        .build()
        .unwrap()
}
