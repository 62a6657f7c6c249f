//! The privacy manifest, generated from real tools.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp::manifest::PrivacyManifest;
use matomo_privacy_mcp_core::minimise::{Threshold, ThresholdedRow};
use matomo_privacy_mcp_core::privacy::{Identifying, Pseudonym};
use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
use serde_json::Value;

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Pages {
    rows: Vec<ThresholdedRow>,
    #[privacy(aggregate)]
    suppressed_rows: u64,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Campaign {
    #[privacy(aggregate)]
    landing_path: String,
}

/// The landing path of the running campaign.
#[matomo_tool(declassify(
    landing_path = "the campaign landing page is set by the marketing team and holds no visitor data"
))]
async fn campaign_landing() -> Result<Campaign, ToolError> {
    let url = Identifying::new(String::from("/spring-sale"));
    Ok(Campaign {
        landing_path: url.declassify(&CampaignLandingTool::LANDING_PATH),
    })
}

/// Top pages by visits.
#[matomo_tool]
async fn top_pages() -> Result<Pages, ToolError> {
    Ok(Pages {
        rows: Vec::new(),
        suppressed_rows: 0,
    })
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visits {
    visitors: Vec<Pseudonym>,
}

/// Recent visitors, pseudonymised.
#[matomo_tool(max_class = pseudonymous)]
async fn visitors() -> Result<Visits, ToolError> {
    Ok(Visits {
        visitors: Vec::new(),
    })
}

fn manifest() -> PrivacyManifest {
    let toolbox = Toolbox::new()
        .tool(TopPagesTool)
        .tool(VisitorsTool)
        .tool(CampaignLandingTool);
    PrivacyManifest::builder(&toolbox)
        .enabled(true)
        .threshold(Threshold::new(10).unwrap())
        .scrubbing(vec!["page".into()], vec!["customer".into()])
        .token_check("view access to sites 1, 2; no write, admin or super-user access")
        .pseudonym_key_fingerprint("0011223344556677")
        .audit_log("/var/log/matomo-privacy-mcp/audit.jsonl")
        .build()
}

#[test]
fn json_lists_every_tool_field_class_and_transform() {
    let json: Value = serde_json::from_str(&manifest().to_json()).unwrap();
    assert_eq!(json["ceiling"], "aggregate");
    assert_eq!(json["threshold_k"], 10);
    assert_eq!(json["tools"][0]["name"], "top_pages");
    assert_eq!(json["tools"][0]["available"], true);
    let fields = json["tools"][0]["fields"].as_array().unwrap();
    assert_eq!(fields[0]["path"], "rows[].label");
    assert_eq!(fields[0]["class"], "aggregate");
    assert!(
        fields[0]["transform"]
            .as_str()
            .unwrap()
            .starts_with("scrubbed")
    );
    assert_eq!(fields[1]["path"], "rows[].{metric}");
    assert_eq!(json["tools"][1]["name"], "visitors");
    assert_eq!(json["tools"][1]["class"], "pseudonymous");
    assert_eq!(json["tools"][1]["available"], false);
    assert_eq!(
        json["tools"][1]["fields"][0]["transform"],
        "keyed pseudonym (HMAC-SHA256, truncated)"
    );
    assert_eq!(json["tools"][0]["declassifications"], serde_json::json!([]));
    assert_eq!(json["tools"][2]["name"], "campaign_landing");
    assert_eq!(
        json["tools"][2]["declassifications"],
        serde_json::json!([{
            "name": "landing_path",
            "reason": "the campaign landing page is set by the marketing team and holds no visitor data"
        }])
    );
    let items = json["operator_items"].as_array().unwrap();
    assert!(items.len() >= 10);
    assert!(items.iter().all(|item| item["answer"].is_null()));
    // The record of processing is in the JSON too, with the same blanks as the Markdown.
    let record = json["record_of_processing"].as_array().unwrap();
    let md = manifest().to_markdown();
    for row in record {
        assert!(row["answer"].is_null());
        let item = row["item"].as_str().unwrap();
        assert!(
            md.contains(&format!("| {item} | _(to be completed)_")),
            "{item}"
        );
    }
    assert!(
        record
            .iter()
            .any(|row| row["item"] == "Controller (name and address)")
    );
    assert!(
        record
            .iter()
            .any(|row| row["item"] == "Retention of the audit log" && row["known"].is_string())
    );
}

#[test]
fn markdown_is_an_annex_with_blanks_for_the_operator() {
    let md = manifest().to_markdown();
    for expected in [
        "# Privacy manifest: matomo-privacy-mcp 0.1.0",
        "| small-count threshold k | 10 distinct visitors known behind every number shown (rows, cells, whole answers) and every visitor-log value |",
        "| query parameters kept in URLs | `page` |",
        "| pseudonym key fingerprint | 0011223344556677 |",
        "| audit log | /var/log/matomo-privacy-mcp/audit.jsonl |",
        "<details><summary><code>top_pages</code>: aggregate, served;",
        "<details><summary><code>visitors</code>: pseudonymous, registered but above the ceiling: not served;",
        "| `visitors[]` | pseudonymous | keyed pseudonym (HMAC-SHA256, truncated) |",
        "| `landing_path` | the campaign landing page is set by the marketing team and holds no visitor data |",
        "| Transfers | Where does the AI provider process data",
        "_(to be completed)_",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
}

/// A tool's description reaches the manifest whole: its later paragraphs (what is withheld and
/// why) are what a DPIA reader needs most.
#[test]
fn markdown_keeps_multi_line_descriptions_whole() {
    let descriptors = matomo_privacy_mcp::catalogue::descriptors(None).unwrap();
    let markdown = PrivacyManifest::from_descriptors(
        &descriptors,
        matomo_privacy_mcp_core::PrivacyClass::Aggregate,
    )
    .build()
    .to_markdown();
    let multi_line: Vec<_> = descriptors
        .iter()
        .filter(|d| d.description().trim().lines().count() > 1)
        .collect();
    assert!(!multi_line.is_empty());
    for descriptor in multi_line {
        let last = descriptor.description().trim().lines().last().unwrap();
        assert!(
            markdown.contains(last),
            "{}: `{last}` is missing from the manifest",
            descriptor.name()
        );
    }
}

/// With profiles, the manifest lists each: how it authenticates (never a secret), its token
/// check, sites, ceiling, threshold, tools, rate limit and budget.
#[test]
fn profiles_are_listed_with_what_they_expose() {
    use matomo_privacy_mcp::manifest::ManifestProfile;
    use matomo_privacy_mcp_core::PrivacyClass;
    let toolbox = Toolbox::new().tool(TopPagesTool);
    let manifest = PrivacyManifest::builder(&toolbox)
        .profile(ManifestProfile {
            name: "marketing".to_owned(),
            authentication: vec!["bearer tokens in `/run/secrets/bearer-marketing`".to_owned()],
            token_check: "serving sites 1; the token has view access only".to_owned(),
            allowed_sites: Some(vec![1]),
            ceiling: PrivacyClass::Aggregate,
            threshold_k: 5,
            tools: vec!["top_pages".to_owned()],
            rate_limit: Some((60, 10)),
            budget_per_window: Some(10.0),
        })
        .profile(ManifestProfile {
            name: "support".to_owned(),
            authentication: vec!["OAuth access tokens with scope `matomo:support`".to_owned()],
            token_check: "not performed (manifest generated with --offline)".to_owned(),
            allowed_sites: None,
            ceiling: PrivacyClass::Aggregate,
            threshold_k: 10,
            tools: vec!["top_pages".to_owned()],
            rate_limit: None,
            budget_per_window: None,
        })
        .build();
    let md = manifest.to_markdown();
    for expected in [
        "## Client profiles",
        "| `marketing` | bearer tokens in `/run/secrets/bearer-marketing` | serving sites 1; the token has view access only | 1 | aggregate | 5 | `top_pages` | 60/min, bursts of 10 | ε = 10 |",
        "| `support` | OAuth access tokens with scope `matomo:support` | not performed (manifest generated with --offline) | every site its token can view | aggregate | 10 | `top_pages` | none | no noise |",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    let json: Value = serde_json::from_str(&manifest.to_json()).unwrap();
    assert_eq!(json["profiles"][1]["name"], "support");
    assert_eq!(
        json["profiles"][0]["rate_limit"],
        serde_json::json!([60, 10])
    );
}

/// Each point of Matomo's "Privacy considerations for the MCP Server", and the words of the
/// manifest that address it (a section, a measure or a blank for the operator).
const GUIDANCE: &[(&str, &[&str])] = &[
    ("Controller", &["Controller (name and address)"]),
    (
        "Independent controller /processor",
        &["processor or independent controller"],
    ),
    (
        "1. Legal basis for processing",
        &["Legal basis", "Art. 6(4)"],
    ),
    (
        "2. Personal data exposure (Data minimisation)",
        &[
            "## Data-protection impact assessment",
            "Personal data in the answers",
            "fields not plain aggregates",
        ],
    ),
    (
        "3. Transparency and accountability requirements",
        &["Recipients", "record of processing"],
    ),
    (
        "4. Data protection impact assessment (DPIA)",
        &["## Data-protection impact assessment", "Is a DPIA required"],
    ),
    (
        "5. AI provider agreements",
        &["Data Processing Agreement", "model training"],
    ),
    (
        "6. Data transfers outside the EEA",
        &["Transfers outside the EEA"],
    ),
    ("7. EU AI Act considerations", &["EU AI Act"]),
    ("1. Disable MCP by default", &["| serving enabled |"]),
    (
        "2. Use granular permissions",
        &["| Matomo token check |", "token lifecycle"],
    ),
    (
        "3. Minimise data set",
        &[
            "| privacy ceiling |",
            "| small-count threshold k |",
            "## Transforms of the numbers",
        ],
    ),
    (
        "4. Confidentiality and business risks",
        &["business-sensitive metrics"],
    ),
];

#[test]
fn the_manifest_addresses_every_point_of_matomos_guidance() {
    let md = manifest().to_markdown();
    for (point, answers) in GUIDANCE {
        for answer in *answers {
            assert!(
                md.to_lowercase().contains(&answer.to_lowercase()),
                "guidance point {point:?}: the manifest does not say {answer:?}"
            );
        }
    }
    // Where the guidance itself is at hand (the project's reference copy), every point above is
    // one of its headings, and every numbered heading of it is above.
    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/matomo-mcp-privacy-considerations.txt");
    if let Ok(text) = std::fs::read_to_string(reference) {
        let headings: Vec<&str> = text.lines().map(str::trim).collect();
        for (point, _) in GUIDANCE {
            assert!(
                headings.contains(point),
                "{point:?} is not a heading of the guidance"
            );
        }
        let numbered = headings.iter().filter(|line| {
            line.len() < 80
                && line.chars().next().is_some_and(|c| c.is_ascii_digit())
                && line.contains(". ")
        });
        for heading in numbered {
            assert!(
                GUIDANCE.iter().any(|(point, _)| point == heading),
                "guidance heading {heading:?} is not mapped to the manifest"
            );
        }
    }
}

#[test]
fn per_tool_details_are_folded_and_list_only_what_is_not_aggregate() {
    let md = manifest().to_markdown();
    assert!(
        md.contains("<details><summary><code>top_pages</code>"),
        "{md}"
    );
    assert!(md.contains("</details>"));
    // `suppressed_rows` is a plain aggregate: not listed; the scrubbed label is.
    assert!(!md.contains("| `suppressed_rows` |"), "{md}");
    assert!(md.contains("| `rows[].label` | aggregate |"), "{md}");
    assert!(md.contains("| `visitors[]` | pseudonymous |"), "{md}");
    // The summary comes first, the per-tool details after the measures.
    let summary = md.find("## Summary").unwrap();
    let measures = md.find("## Technical and organisational measures").unwrap();
    let tools = md.find("## Tools").unwrap();
    assert!(summary < measures && measures < tools);
}

#[test]
fn noise_is_listed_where_it_applies() {
    use matomo_privacy_mcp::config::NoiseSettings;
    let toolbox = Toolbox::new().tool(TopPagesTool).tool(VisitorsTool);
    let on = PrivacyManifest::builder(&toolbox)
        .noise(&NoiseSettings::default())
        .build()
        .to_markdown();
    assert!(on.contains("## Transforms of the numbers"), "{on}");
    assert!(
        on.contains("Changed by the noise (see the transforms above): `rows[].{metric}`"),
        "{on}"
    );
    let mut off_settings = NoiseSettings::default();
    off_settings.enabled = false;
    let off = PrivacyManifest::builder(&toolbox)
        .noise(&off_settings)
        .build()
        .to_markdown();
    assert!(!off.contains("Changed by the noise"), "{off}");
    assert!(off.contains("No noise: counts are Matomo's own"), "{off}");
}
