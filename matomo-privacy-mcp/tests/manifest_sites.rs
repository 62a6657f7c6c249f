//! The manifest names the sites it reads, as Matomo names them, and says why when Matomo cannot.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use matomo_privacy_mcp::manifest::{ManifestSite, PrivacyManifest, name_sites};
use matomo_privacy_mcp_core::{MatomoClient, PrivacyClass, SiteId};
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use serde_json::Value;

const TOKEN: &str = "manifest-sites-view-token-0123456789";
const KEY: &str = "matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)";

fn client(base_url: &str) -> MatomoClient {
    MatomoClient::builder(base_url)
        .token(TOKEN)
        .timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(500))
        .max_retries(0)
        .build()
        .unwrap()
}

fn sites(ids: &[u32]) -> BTreeSet<SiteId> {
    ids.iter().map(|&id| SiteId(id)).collect()
}

/// `manifest --emulator`, Markdown and JSON, as an operator runs it.
fn manifest_of_the_emulator(json: bool) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matomo-privacy-mcp"));
    command
        .args(["--emulator", "manifest"])
        .env_remove("MATOMO_PRIVACY_MCP_CONFIG")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!(
                "matomo-privacy-mcp-manifest-sites-{}",
                std::process::id()
            )),
        );
    if json {
        command.arg("--json");
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_emulators_sites_are_listed_by_name_and_url() {
    let markdown = manifest_of_the_emulator(false);
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| Sites read, by name |"))
        .unwrap();
    assert_eq!(
        row,
        "| Sites read, by name | _(to be completed)_; 1 “Example Shop” (https://shop.example.com); \
         2 “Example Blog” (https://blog.example.org); 3 “Example Docs” (https://docs.example.io) |"
    );

    let json: Value = serde_json::from_str(&manifest_of_the_emulator(true)).unwrap();
    assert_eq!(
        json["sites"][0],
        serde_json::json!({"id": 1, "name": "Example Shop", "url": "https://shop.example.com", "unnamed": null})
    );
    assert_eq!(json["sites"].as_array().unwrap().len(), 3);
    let record = json["record_of_processing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["item"] == "Sites read, by name")
        .unwrap();
    assert!(
        record["known"]
            .as_str()
            .unwrap()
            .contains("2 “Example Blog” (https://blog.example.org)"),
        "{record}"
    );
}

/// The emulator with its default dataset, [`TOKEN`] viewing sites 1 and 2.
async fn emulator() -> Emulator {
    Emulator::builder()
        .view_token(TOKEN, &[1, 2])
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_site_the_token_may_not_read_keeps_its_id_and_says_what_to_change() {
    let emu = emulator().await;
    let named = name_sites(&client(&emu.base_url()), &sites(&[2, 3]), KEY).await;
    assert_eq!(named[0].name.as_deref(), Some("Example Blog"));
    assert_eq!(
        named[1],
        ManifestSite {
            id: 3,
            name: None,
            url: None,
            unnamed: Some(
                "the Matomo token may not read site 3 (Matomo: \"You can't access this resource as it requires \
                 'view' access for the website id = 3.\"); give the token's user view access to it in Matomo, \
                 or leave it out of `matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)`"
                    .to_owned()
            ),
        }
    );
    let manifest = PrivacyManifest::from_descriptors([], PrivacyClass::Aggregate)
        .sites(named)
        .build();
    assert!(
        manifest
            .to_markdown()
            .contains("2 “Example Blog” (https://blog.example.org); 3: name not read: the Matomo token may not read site 3"),
        "{}",
        manifest.to_markdown()
    );
}

#[tokio::test]
async fn an_unreachable_matomo_is_said_once_and_not_asked_again() {
    let emu = emulator().await;
    emu.inject(Fault::http_status(503));
    emu.clear_requests();
    let named = name_sites(&client(&emu.base_url()), &sites(&[1, 2]), KEY).await;
    assert_eq!(emu.request_count(), 1, "asked again after a failure");
    let why = named[0].unnamed.clone().unwrap();
    assert!(
        why.starts_with(
            "Matomo could not be reached (SitesManager.getSiteFromId: Matomo answered HTTP 503; "
        ),
        "{why}"
    );
    assert!(
        why.ends_with("); check `matomo.url (MATOMO_URL)` and generate the manifest again"),
        "{why}"
    );
    assert_eq!(named[1].unnamed.as_ref(), Some(&why));
    assert_eq!(named[1].name, None);

    // Nothing listens at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let named = name_sites(&client(&format!("http://{closed}")), &sites(&[1]), KEY).await;
    let why = named[0].unnamed.as_deref().unwrap();
    assert!(
        why.starts_with(
            "Matomo could not be reached (SitesManager.getSiteFromId: could not reach Matomo after 1 attempt(s) ("
        ),
        "{why}"
    );
    assert!(!why.contains(TOKEN));
}

/// With Matomo down, `manifest` still writes the document: the token check and the sites say
/// what was not done and which key to check, and a warning goes to standard error.
#[test]
fn a_manifest_written_while_matomo_is_down_says_so() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let dir = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-manifest-down-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("matomo-privacy-mcp.toml");
    std::fs::write(
        &config,
        format!("[matomo]\nurl = \"http://{closed}\"\ntoken = \"{TOKEN}\"\n"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_matomo-privacy-mcp"))
        .args(["--config", config.to_str().unwrap(), "manifest"])
        .env("XDG_STATE_HOME", dir.join("state"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let check = |line: &str, start: &str| {
        assert!(line.starts_with(start), "{line}");
        assert!(
            line.contains(
                "Matomo could not be reached (API.getBulkRequest: could not reach Matomo after "
            ),
            "{line}"
        );
        assert!(
            line.ends_with(
                "; check `matomo.url (MATOMO_URL)`, or generate the manifest with --offline |"
            ),
            "{line}"
        );
        assert!(!line.contains(TOKEN));
    };
    let row = |start: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no `{start}` row in {stdout}"))
    };
    check(
        row("| Sites read, by name |"),
        "| Sites read, by name | _(to be completed)_; names not looked up; the token check says: not performed: ",
    );
    check(
        row("| Matomo token check |"),
        "| Matomo token check | not performed: ",
    );
    assert!(
        stderr.contains("matomo-privacy-mcp: WARNING: profile `default`: not performed: Matomo could not be reached"),
        "{stderr}"
    );
}

/// A profile restricted to some sites lists them by name too, where Matomo named them.
#[test]
fn a_profiles_sites_are_named_in_its_row() {
    use matomo_privacy_mcp::manifest::ManifestProfile;
    let named = |id: u32, name: &str| ManifestSite {
        id,
        name: Some(name.to_owned()),
        url: None,
        unnamed: None,
    };
    let manifest = PrivacyManifest::from_descriptors([], PrivacyClass::Aggregate)
        .sites([named(1, "Online shop"), named(3, "A | B")])
        .profile(ManifestProfile {
            name: "marketing".to_owned(),
            authentication: Vec::new(),
            token_check: "serving sites 1, 2, 3".to_owned(),
            allowed_sites: Some(vec![1, 2, 3]),
            ceiling: PrivacyClass::Aggregate,
            threshold_k: 5,
            tools: Vec::new(),
            rate_limit: None,
            budget_per_window: None,
        })
        .build();
    let markdown = manifest.to_markdown();
    assert!(
        markdown
            .contains("| serving sites 1, 2, 3 | 1 “Online shop”, 2, 3 “A \\| B” | aggregate |"),
        "{markdown}"
    );
}
