//! A deployment over the emulator built from its parts, as the application builds one from its
//! configuration: the token checked once, the default scrubbing and threshold, aggregate ceiling.
//! Shared by the tests and by `examples/catalogue_stdio_server.rs` (through `#[path]`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use matomo_privacy_mcp_core::MatomoClient;
use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::TestDeployment;

/// The noise key of the tests (any 32 bytes).
const NOISE_KEY: [u8; 32] = *b"noise-key-of-the-server-tests!!!";

/// A deployment over the Matomo at `base_url`; with differential privacy (ε = 1 per answer) and a
/// budget of `epsilon` per day kept in `budget_file` when `noise` is given.
pub async fn deployment(base_url: &str, token: &str, noise: Option<(&Path, f64)>) -> Deployment {
    let client = MatomoClient::builder(base_url)
        .token(token)
        .build()
        .unwrap();
    let noise = noise.map(|(budget_file, epsilon)| {
        let dp =
            DifferentialPrivacy::new(NOISE_KEY.to_vec(), 1_000_000, ContributionBounds::default())
                .unwrap();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let micros = (epsilon * 1e6) as u64;
        let budget = PrivacyBudget::open(micros, Duration::from_secs(86_400), budget_file).unwrap();
        NoiseSetup { dp, budget }
    });
    TestDeployment::over(client, token)
        .noise(noise)
        .build()
        .await
}
