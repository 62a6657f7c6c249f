//! The toolbox: listing, argument validation, dispatch, errors and the deployment ceiling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::privacy::{Pseudonym, PseudonymKey, PseudonymKind};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::tool::{CeilingError, RegistrationError, SecretGuard, ToolState};
use matomo_privacy_mcp_core::{
    Classified, DispatchError, PrivacyClass, ToolError, Toolbox, matomo_tool,
};
use serde_json::{Value, json};

struct State {
    key: PseudonymKey,
    ceiling: PrivacyClass,
}

impl ToolState for State {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        Vec::new()
    }

    fn ceiling(&self) -> PrivacyClass {
        self.ceiling
    }
}

fn state(ceiling: PrivacyClass) -> State {
    State {
        key: PseudonymKey::from_bytes(vec![42; 32]).unwrap(),
        ceiling,
    }
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct TopArgs {
    /// Site id.
    site: u32,
    /// Rows to return.
    #[serde(default = "default_limit")]
    limit: u16,
}

fn default_limit() -> u16 {
    10
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Top {
    #[privacy(aggregate)]
    site: u32,
    #[privacy(aggregate)]
    limit: u16,
}

/// Top rows of a report.
#[matomo_tool(title = "Top rows", idempotent = false)]
async fn top(args: TopArgs) -> Result<Top, ToolError> {
    if args.limit == 0 || args.limit > 500 {
        return Err(ToolError::invalid_arguments(
            "`limit` must be between 1 and 500",
        ));
    }
    Ok(Top {
        site: args.site,
        limit: args.limit,
    })
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visitors {
    visitors: Vec<Pseudonym>,
}

/// Pseudonymous visitors.
#[matomo_tool(max_class = pseudonymous, render = render_visitors)]
async fn visitors(state: &State) -> Result<Visitors, ToolError> {
    Ok(Visitors {
        visitors: vec![Pseudonym::new(&state.key, PseudonymKind::Visitor, "abc")],
    })
}

fn render_visitors(v: &Visitors) -> String {
    format!("{} visitor(s)", v.visitors.len())
}

/// Always fails upstream.
#[matomo_tool]
async fn broken() -> Result<Top, ToolError> {
    Err(ToolError::upstream(
        "Matomo answered HTTP 502; try again later",
    ))
}

fn toolbox(ceiling: PrivacyClass) -> Toolbox<State> {
    Toolbox::with_state(state(ceiling))
        .tool(TopTool)
        .tool(VisitorsTool)
        .tool(BrokenTool)
}

fn names(toolbox: &Toolbox<State>) -> Vec<&str> {
    toolbox.list().map(|t| t.name()).collect()
}

#[test]
fn a_toolbox_lowers_its_states_ceiling_and_never_raises_it() {
    let lowered = toolbox(PrivacyClass::Pseudonymous)
        .with_ceiling(PrivacyClass::Aggregate)
        .unwrap();
    assert_eq!(lowered.ceiling(), PrivacyClass::Aggregate);
    assert_eq!(names(&lowered), ["top", "broken"]);

    let kept = toolbox(PrivacyClass::Pseudonymous)
        .with_ceiling(PrivacyClass::Pseudonymous)
        .unwrap();
    assert_eq!(names(&kept), ["top", "visitors", "broken"]);

    let error = toolbox(PrivacyClass::Aggregate)
        .with_ceiling(PrivacyClass::Pseudonymous)
        .err()
        .unwrap();
    assert_eq!(
        error,
        CeilingError {
            asked: PrivacyClass::Pseudonymous,
            allowed: PrivacyClass::Aggregate,
        }
    );
    assert!(
        error.to_string().contains("raise the state's ceiling"),
        "{error}"
    );
    // Lowered once, the ceiling cannot be raised back either, even up to the state's.
    let raised_back = toolbox(PrivacyClass::Identifying)
        .with_ceiling(PrivacyClass::Aggregate)
        .unwrap()
        .with_ceiling(PrivacyClass::Identifying);
    assert!(raised_back.is_err());
}

#[tokio::test]
async fn pseudonymous_tool_is_hidden_and_refused_under_an_aggregate_ceiling() {
    let toolbox = toolbox(PrivacyClass::Aggregate);
    assert_eq!(names(&toolbox), ["top", "broken"]);
    assert!(toolbox.descriptor("visitors").is_none());
    let err = toolbox.call("visitors", None).await.unwrap_err();
    assert_eq!(
        err,
        DispatchError::AboveCeiling {
            name: "visitors".into(),
            class: PrivacyClass::Pseudonymous,
            ceiling: PrivacyClass::Aggregate
        }
    );
    assert_eq!(
        err.to_string(),
        "tool `visitors` is not available: it exposes pseudonymous data and this deployment allows at most aggregate"
    );
    assert_eq!(err.json_rpc_code(), -32602);
}

#[tokio::test]
async fn raising_the_ceiling_lists_and_runs_the_pseudonymous_tool() {
    let toolbox = toolbox(PrivacyClass::Pseudonymous);
    assert_eq!(names(&toolbox), ["top", "visitors", "broken"]);
    let result = toolbox.call("visitors", None).await.unwrap();
    assert!(!result.is_error());
    assert_eq!(result.text(), "1 visitor(s)");
    let pseudonym = result.structured().unwrap()["visitors"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(pseudonym.starts_with("visitor_") && !pseudonym.contains("abc"));
}

#[test]
fn default_ceiling_is_aggregate() {
    assert_eq!(Toolbox::new().ceiling(), PrivacyClass::Aggregate);
}

#[tokio::test]
async fn unknown_tools_are_protocol_errors() {
    let toolbox = toolbox(PrivacyClass::Identifying);
    let err = toolbox.call("drop_database", None).await.unwrap_err();
    assert_eq!(
        err,
        DispatchError::UnknownTool {
            name: "drop_database".into()
        }
    );
}

#[tokio::test]
async fn argument_errors_are_tool_results_with_precise_messages() {
    let toolbox = toolbox(PrivacyClass::Aggregate);
    let cases: [(Option<Value>, &str); 6] = [
        (Some(json!({})), "invalid arguments: missing field `site`"),
        (
            Some(json!({ "site": "one" })),
            "invalid arguments: `site`: invalid type: string \"one\", expected u32",
        ),
        (
            Some(json!({ "site": -1 })),
            "invalid arguments: `site`: invalid value: integer `-1`, expected u32",
        ),
        (
            Some(json!({ "site": 1, "segment": "visitorId==x" })),
            "invalid arguments: unknown field `segment`, expected `site` or `limit`",
        ),
        (
            Some(json!([1, 2])),
            "invalid arguments: arguments must be a JSON object, not an array",
        ),
        (
            Some(json!({ "site": 1, "limit": 0 })),
            "invalid arguments: `limit` must be between 1 and 500",
        ),
    ];
    for (arguments, expected) in cases {
        let result = toolbox.call("top", arguments.clone()).await.unwrap();
        assert!(result.is_error(), "{arguments:?}");
        assert_eq!(result.text(), expected, "{arguments:?}");
        assert_eq!(result.to_json()["isError"], true);
        assert!(result.structured().is_none());
    }
    let none = toolbox.call("top", None).await.unwrap();
    assert_eq!(none.text(), "invalid arguments: missing field `site`");
}

#[tokio::test]
async fn tools_without_arguments_refuse_extra_ones() {
    let toolbox = toolbox(PrivacyClass::Pseudonymous);
    let refused = testing::refused(&toolbox, "visitors", json!({ "limit": 3 })).await;
    assert!(
        refused.starts_with("invalid arguments: unknown field `limit`"),
        "{refused}"
    );
}

#[tokio::test]
async fn successful_calls_carry_structured_content_and_its_text() {
    let toolbox = toolbox(PrivacyClass::Aggregate);
    let result = toolbox
        .call("top", Some(json!({ "site": 3 })))
        .await
        .unwrap();
    let json = result.to_json();
    assert_eq!(json["isError"], false);
    assert_eq!(json["structuredContent"], json!({ "site": 3, "limit": 10 }));
    assert_eq!(json["content"][0]["type"], "text");
    let text: Value = serde_json::from_str(json["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, json["structuredContent"]);
}

#[tokio::test]
async fn upstream_failures_are_tool_errors() {
    let toolbox = toolbox(PrivacyClass::Aggregate);
    let result = toolbox.call("broken", None).await.unwrap();
    assert!(result.is_error());
    assert_eq!(
        result.text(),
        "upstream failure: Matomo answered HTTP 502; try again later"
    );
}

#[test]
fn descriptors_carry_schemas_annotations_and_the_privacy_class() {
    let toolbox = toolbox(PrivacyClass::Pseudonymous);
    let top = serde_json::to_value(toolbox.descriptor("top").unwrap()).unwrap();
    assert_eq!(top["name"], "top");
    assert_eq!(top["title"], "Top rows");
    assert_eq!(top["description"], "Top rows of a report.");
    assert_eq!(top["inputSchema"]["type"], "object");
    // No `$schema`: MCP makes 2020-12 the dialect of a schema that names none.
    assert!(top["inputSchema"].get("$schema").is_none());
    assert_eq!(top["inputSchema"]["required"], json!(["site"]));
    assert_eq!(top["inputSchema"]["additionalProperties"], false);
    assert_eq!(top["outputSchema"]["type"], "object");
    assert_eq!(
        top["annotations"],
        // The title is the tool's own; hints MCP ignores for a read-only tool are left out.
        json!({ "readOnlyHint": true, "openWorldHint": false })
    );
    assert_eq!(top["_meta"]["matomo-privacy-mcp/privacyClass"], "aggregate");

    let visitors = serde_json::to_value(toolbox.descriptor("visitors").unwrap()).unwrap();
    assert_eq!(visitors["title"], "Visitors");
    assert_eq!(
        visitors["_meta"]["matomo-privacy-mcp/privacyClass"],
        "pseudonymous"
    );
    // Field classes are for the privacy manifest, not sent with every `tools/list`.
    assert!(
        visitors["_meta"]
            .get("matomo-privacy-mcp/fieldClasses")
            .is_none()
    );
    let descriptor = toolbox.descriptor("visitors").unwrap();
    let fields = descriptor.fields();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].path, "visitors[]");
    assert_eq!(fields[0].class, PrivacyClass::Pseudonymous);
    assert_eq!(
        fields[0].transform,
        Some("keyed pseudonym (HMAC-SHA256, truncated)")
    );
    assert_eq!(visitors["inputSchema"]["type"], "object");
}

#[test]
fn duplicate_names_are_refused_at_registration() {
    let err = Toolbox::new().tool(TopTool).try_tool(TopTool).unwrap_err();
    assert_eq!(err, RegistrationError::DuplicateName("top".into()));
}

#[tokio::test]
async fn the_function_stays_callable_directly() {
    let out = top(TopArgs { site: 1, limit: 5 }).await.unwrap();
    assert_eq!((out.site, out.limit), (1, 5));
    assert_eq!(TopTool::NAME, "top");
    assert_eq!(VisitorsTool::MAX_CLASS, PrivacyClass::Pseudonymous);
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Echo {
    #[privacy(aggregate)]
    text: String,
}

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// Repeats what Matomo once echoed back: the token, by mistake.
#[matomo_tool]
async fn echo_token(matomo: &matomo_privacy_mcp_core::MatomoClient) -> Result<Echo, ToolError> {
    let _ = matomo;
    Ok(Echo {
        text: format!("imageGraphUrl=...&token_auth={TOKEN}"),
    })
}

#[tokio::test]
async fn a_toolbox_over_a_client_has_the_token_guard_without_being_asked() {
    let client = matomo_privacy_mcp_core::MatomoClient::builder("https://matomo.example.org")
        .token(TOKEN)
        .build()
        .unwrap();
    let guarded = Toolbox::with_state(client.clone()).tool(EchoTokenTool);
    let result = guarded.call("echo_token", None).await.unwrap();
    assert!(result.is_error(), "{}", result.text());
    assert!(!result.text().contains(TOKEN));
    assert!(
        result
            .structured()
            .is_none_or(|s| !s.to_string().contains(TOKEN))
    );
    // Mutation check: a state that forgets its client's guard leaks the token.
    let bare = Toolbox::with_state(Forgetful(client)).tool(EchoTokenForgetfulTool);
    let leaked = bare.call("echo_token_forgetful", None).await.unwrap();
    assert!(leaked.text().contains(TOKEN));
}

/// A state holding a client whose `ToolState` hands on no guard: the mistake the trait's
/// required method makes a decision instead of a default.
struct Forgetful(matomo_privacy_mcp_core::MatomoClient);

impl ToolState for Forgetful {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        Vec::new()
    }
}

/// The same echo, over the forgetful state.
#[matomo_tool]
async fn echo_token_forgetful(state: &Forgetful) -> Result<Echo, ToolError> {
    echo_token(&state.0).await
}

/// Exact page timings, which no noise can be calibrated to.
#[matomo_tool(exact_only)]
async fn timings() -> Result<Top, ToolError> {
    Ok(Top { site: 1, limit: 1 })
}

#[test]
fn exact_only_is_declared_on_the_tool_and_decides_what_a_noisy_toolbox_serves() {
    use matomo_privacy_mcp_core::Tool;
    use matomo_privacy_mcp_tools::served_with;
    let exact = Tool::<()>::descriptor(&TimingsTool);
    let noisy_ok = Tool::<()>::descriptor(&TopTool);
    assert!(exact.exact_only());
    assert!(!noisy_ok.exact_only());
    assert!(served_with(&exact, false) && !served_with(&exact, true));
    assert!(served_with(&noisy_ok, true));
}
