//! `serve --emulator`: the built-in tools over the testkit's Matomo emulator, to try the server
//! without a Matomo. The emulator's synthetic sites have fourteen full days of visits ending
//! yesterday (and a little traffic today), whatever the date: its dataset is generated around
//! the real UTC date, so every report agrees with every other.

use std::path::Path;

use matomo_privacy_mcp::config::Config;
#[cfg(feature = "emulator")]
use matomo_privacy_mcp::config::Secret;

use crate::commands::Result;
#[cfg(feature = "emulator")]
use crate::commands::load_with;

/// The emulator's view token, fixed so that the privacy budget (kept per token digest) and
/// repeated questions carry over from one start to the next. It reads synthetic data only, on
/// 127.0.0.1, and is never a real Matomo token.
#[cfg(feature = "emulator")]
const EMULATOR_TOKEN: &str = "matomo-privacy-mcp-emulator-view-token";

/// The dataset's seed: the same sites and visitors at every start.
#[cfg(feature = "emulator")]
const SEED: u64 = 42;

/// How many times the testkit's visitors: the shop then has about 1,400 visits a day, as a real
/// shop might, enough for the default noise (±18 visits a day on a summary; ±180 on a page, whose
/// visits count up to ten actions each) and threshold to show numbers. Made in about a third of
/// a second.
#[cfg(feature = "emulator")]
const COPIES: u32 = 100;

/// The running emulator, served for as long as this is kept.
pub struct Running {
    #[cfg(feature = "emulator")]
    _emulator: matomo_privacy_mcp_testkit::Emulator,
}

/// Starts the emulator and the configuration that serves it: the file at `path` (if any) and the
/// environment, with the emulator as Matomo and serving enabled. Over HTTP without a configured
/// credential, a bearer token is drawn and printed to standard error.
#[cfg(feature = "emulator")]
pub async fn start(path: Option<&Path>, http: bool) -> Result<(Config, Running)> {
    use matomo_privacy_mcp_testkit::Emulator;
    let emulator = Emulator::builder()
        .seed(SEED)
        .busier(COPIES)
        .view_token(EMULATOR_TOKEN, &[1, 2, 3])
        .start()
        .await?;
    let url = emulator.base_url();
    let mut config = load_with(path, |name| match name {
        "MATOMO_URL" => Some(url.clone()),
        "MATOMO_TOKEN" => Some(EMULATOR_TOKEN.to_owned()),
        "MATOMO_TOKEN_FILE" => None,
        "MATOMO_PRIVACY_MCP_ENABLED" => Some("true".to_owned()),
        _ => std::env::var(name).ok(),
    })
    .map_err(|e| {
        format!("{e}\n(with --emulator, the emulator is the Matomo: `matomo.url` and the Matomo token are set for you, and `[[profiles]]` are not used)")
    })?;
    let dataset = emulator.dataset();
    eprintln!(
        "matomo-privacy-mcp: the Matomo is the built-in emulator: sites 1, 2 and 3, synthetic visits from {} to {} (today, UTC)",
        dataset.today.plus(-14),
        dataset.today
    );
    if http
        && let Some(profile) = config.profiles.first_mut().filter(|p| {
            p.bearer_tokens.is_empty() && p.bearer_token_file.is_none() && p.oauth.is_empty()
        })
    {
        let token = random_token()?;
        eprintln!(
            "matomo-privacy-mcp: clients send `Authorization: Bearer {token}` (drawn for this run; set MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS to choose one)"
        );
        profile.bearer_tokens.push(Secret::new(token));
    }
    Ok((
        config,
        Running {
            _emulator: emulator,
        },
    ))
}

/// Without the `emulator` feature, the flag says how to get it.
#[cfg(not(feature = "emulator"))]
pub async fn start(_path: Option<&Path>, _http: bool) -> Result<(Config, Running)> {
    Err("--emulator: this binary was built without the `emulator` cargo feature (a default feature); install it with `cargo install matomo-privacy-mcp` without `--no-default-features`".into())
}

/// 32 random bytes in hex.
#[cfg(feature = "emulator")]
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| format!("no random bearer token could be drawn: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
