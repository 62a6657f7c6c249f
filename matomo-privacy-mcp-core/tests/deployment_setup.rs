//! Setting a deployment up with `Deployment::builder` (the token checked by asking Matomo),
//! the toolbox taking its guard and ceiling from it, and a custom tool answering through the
//! public report query exactly as the built-in tool does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::minimise::Threshold;
use matomo_privacy_mcp_core::models::devices_detection::GetBrowsers;
use matomo_privacy_mcp_core::policy::PrivilegeError;
use matomo_privacy_mcp_core::reporting::{
    Deployment, Labels, ReportArgs, ReportOutput, SetupError,
};
use matomo_privacy_mcp_core::testing::{self, TOKEN as VIEW};
use matomo_privacy_mcp_core::{MatomoClient, PrivacyClass, ToolError, Toolbox, matomo_tool};
use matomo_privacy_mcp_testkit::Emulator;
use matomo_privacy_mcp_tools as tools;
use serde_json::json;

const SUPER: &str = "super0123456789abcdef0123456789a";

async fn emulator() -> Emulator {
    testing::emulator_with_super_user(7, &[1, 2], SUPER).await
}

fn client(emu: &Emulator, token: &str) -> MatomoClient {
    testing::client_at(&emu.base_url(), token)
}

#[tokio::test]
async fn the_builder_asks_matomo_and_serves_the_allowed_sites_the_token_can_view() {
    let emu = emulator().await;
    let deployment = Deployment::builder(client(&emu, VIEW))
        .allowed_sites([2, 3])
        .build()
        .await
        .unwrap();
    assert_eq!(
        deployment.site_access().summary(),
        "serving sites 2; the token has view access only"
    );
    assert!(deployment.check_site(1).is_err());
    assert_eq!(deployment.ceiling(), PrivacyClass::Aggregate);
    assert_eq!(deployment.threshold(), Threshold::default());
    assert!(deployment.noise().is_none());
    assert!(
        emu.requests()
            .iter()
            .any(|r| r.body_param("urls[0]") == Some("method=UsersManager.hasSuperUserAccess")),
        "the permissions were asked of Matomo: {:?}",
        emu.requests()
    );
}

#[tokio::test]
async fn the_builder_refuses_a_super_user_token_unless_allowed() {
    let emu = emulator().await;
    let refused = Deployment::builder(client(&emu, SUPER)).build().await;
    let error = refused.unwrap_err();
    assert!(
        matches!(error, SetupError::Privilege(PrivilegeError::SuperUser)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("matomo.allow_privileged_token"),
        "{error}"
    );
    assert!(!format!("{error} {error:?}").contains(SUPER));
    let allowed = Deployment::builder(client(&emu, SUPER))
        .allow_privileged_token(true)
        .build()
        .await
        .unwrap();
    assert!(allowed.site_access().summary().contains("WARNING"));
}

#[tokio::test]
async fn the_builder_names_matomo_when_it_cannot_be_reached() {
    let emu = emulator().await;
    let unknown = Deployment::builder(client(&emu, "unknown0123456789abcdef012345678"))
        .build()
        .await
        .unwrap_err();
    assert!(matches!(unknown, SetupError::Matomo(_)), "{unknown:?}");
    assert!(
        unknown
            .to_string()
            .starts_with("could not check the Matomo token: "),
        "{unknown}"
    );
}

#[tokio::test]
async fn a_toolbox_takes_the_deployments_guard_and_ceiling() {
    let emu = emulator().await;
    let deployment = Deployment::builder(client(&emu, VIEW))
        .ceiling(PrivacyClass::Pseudonymous)
        .build()
        .await
        .unwrap();
    let toolbox = Toolbox::with_state(deployment).tool(tools::visit_log::VisitLogTool);
    assert_eq!(toolbox.ceiling(), PrivacyClass::Pseudonymous);
    assert_eq!(
        toolbox.list().count(),
        1,
        "visit_log listed under its ceiling"
    );
    let aggregate = Deployment::builder(client(&emu, VIEW))
        .build()
        .await
        .unwrap();
    let toolbox = Toolbox::with_state(aggregate).tool(tools::visit_log::VisitLogTool);
    assert_eq!(
        toolbox.list().count(),
        0,
        "visit_log hidden at the default ceiling"
    );
}

/// Browsers by visits, as a custom tool writes it: one line over the public query.
#[matomo_tool(render = matomo_privacy_mcp_core::reporting::render_report)]
async fn my_browsers(deployment: &Deployment, args: ReportArgs) -> Result<ReportOutput, ToolError> {
    deployment
        .report::<GetBrowsers>(&args)
        .labels(Labels::Text)
        .run()
        .await
}

#[tokio::test]
async fn a_custom_tool_on_the_public_query_answers_as_the_built_in_one() {
    let emu = emulator().await;
    let deployment = Deployment::builder(client(&emu, VIEW))
        .build()
        .await
        .unwrap();
    let toolbox = Toolbox::with_state(deployment)
        .tool(MyBrowsersTool)
        .tool(tools::BrowsersTool);
    for args in [
        json!({ "site": 1, "period": "week", "date": "2026-11-16" }),
        json!({ "site": 1, "period": "month", "date": "2026-11-01", "segment": "deviceType==desktop" }),
    ] {
        let mine = toolbox
            .call("my_browsers", Some(args.clone()))
            .await
            .unwrap();
        let built_in = toolbox.call("browsers", Some(args)).await.unwrap();
        assert!(!mine.is_error(), "{}", mine.text());
        let (mine, built_in) = (mine.structured().unwrap(), built_in.structured().unwrap());
        // The built-in tool declares that browsers split visits, which proves an "Other" row;
        // every row but that one is the same, through the same steps.
        let rows = |answer: &serde_json::Value| -> Vec<serde_json::Value> {
            answer["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|row| row["label"] != "Other")
                .cloned()
                .collect()
        };
        assert_eq!(rows(mine), rows(built_in));
        assert!(!rows(mine).is_empty(), "{mine}");
        assert_eq!(mine["threshold_k"], 5);
    }
    let refused = testing::refused(&toolbox, "my_browsers", json!({ "site": 3 })).await;
    assert!(refused.contains("site 3 is not served"), "{refused}");
    // A pseudonymous segment is refused.
    let segment = json!({ "site": 1, "segment": "visitorId==abc" });
    testing::refused(&toolbox, "my_browsers", segment).await;
}
