//! The application's built-in tools set up from a configuration's text, as the binary sets them
//! up, without starting a process.

use matomo_privacy_mcp::catalogue;
use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;

/// The built-in tools up to `ceiling` on the Matomo at `base_url` read with `token`, without
/// noise, visitor ids pseudonymised with a key of their own (in a file named after `name`).
pub async fn toolbox(
    base_url: &str,
    token: &str,
    ceiling: &str,
    name: &str,
) -> Toolbox<Deployment> {
    let key = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-{name}-key-{}",
        std::process::id()
    ));
    std::fs::write(&key, [7u8; 32]).unwrap();
    let toml = format!(
        "enabled = true\nceiling = \"{ceiling}\"\n[matomo]\nurl = \"{base_url}\"\ntoken = \"{token}\"\n[privacy]\npseudonym_key_file = \"{}\"\n[privacy.noise]\nenabled = false\n",
        key.display()
    );
    let config = Config::from_toml_str(&toml, |_| None).unwrap();
    let deployment = matomo_privacy_mcp::startup::connect(&config).await.unwrap();
    catalogue::toolbox(deployment, None).unwrap()
}
