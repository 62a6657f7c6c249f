//! Tool dispatch with an arbitrary tool name and arbitrary JSON arguments:
//! always a tool result or a `DispatchError`, never a panic; refusals stay short;
//! no result ever carries the guarded secret.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use matomo_privacy_mcp_core::params::{Date, Period};
use matomo_privacy_mcp_core::policy::parse_and_check_segment;
use matomo_privacy_mcp_core::tool::SecretGuard;
use matomo_privacy_mcp_core::{Classified, DispatchError, PrivacyClass, ToolError, Toolbox, matomo_tool};
use serde_json::Value;

const SECRET: &str = "fuzz0123456789abcdef0123456789ab";

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReportArgs {
    site: u32,
    #[serde(default)]
    period: Option<Period>,
    #[serde(default)]
    date: Option<Date>,
    #[serde(default)]
    segment: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Summary {
    #[privacy(aggregate)]
    site: u32,
    #[privacy(aggregate)]
    period: String,
    #[privacy(aggregate)]
    rows: u32,
}

/// A report tool validating its arguments as the built-in tools do.
#[matomo_tool]
async fn report(args: ReportArgs) -> Result<Summary, ToolError> {
    if let Some(segment) = &args.segment {
        parse_and_check_segment(segment, PrivacyClass::Aggregate, PrivacyClass::Aggregate)?;
    }
    let rows = args.limit.unwrap_or(10);
    if !(1..=100).contains(&rows) {
        return Err(ToolError::invalid_arguments(format!(
            "`limit` must be between 1 and 100, not {rows}"
        )));
    }
    let period = args.period.unwrap_or(Period::Day);
    let _ = args.date;
    Ok(Summary {
        site: args.site,
        period: period.as_str().to_owned(),
        rows,
    })
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    text: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Echo {
    #[privacy(aggregate)]
    text: String,
    #[privacy(aggregate)]
    tags: Vec<String>,
}

/// Returns its input, so that the secret guard has something to catch.
#[matomo_tool]
async fn echo(args: EchoArgs) -> Result<Echo, ToolError> {
    Ok(Echo {
        text: args.text,
        tags: args.tags,
    })
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Version {
    #[privacy(aggregate)]
    version: String,
}

/// No arguments at all.
#[matomo_tool]
async fn version() -> Result<Version, ToolError> {
    Ok(Version {
        version: "5.0.2".into(),
    })
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visitor {
    #[privacy(pseudonymous)]
    visitor_id: String,
}

/// Above the ceiling: never runs.
#[matomo_tool(max_class = pseudonymous)]
async fn visitor(args: EchoArgs) -> Result<Visitor, ToolError> {
    Ok(Visitor {
        visitor_id: args.text,
    })
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

static TOOLBOX: LazyLock<Toolbox> = LazyLock::new(|| {
    Toolbox::new()
        .tool(ReportTool)
        .tool(EchoTool)
        .tool(VersionTool)
        .tool(VisitorTool)
        .with_guard(SecretGuard::new(SECRET))
});

fuzz_target!(|data: &[u8]| {
    // `name\narguments`: the arguments are JSON when they parse, else a JSON string.
    let (name, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let name = String::from_utf8_lossy(name);
    let arguments = if rest.is_empty() {
        None
    } else {
        Some(
            serde_json::from_slice::<Value>(rest)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(rest).into_owned())),
        )
    };
    let outcome = RUNTIME.block_on(TOOLBOX.call(&name, arguments));
    match outcome {
        Ok(result) => {
            assert!(
                ["report", "echo", "version"].contains(&&*name),
                "{name:?} dispatched"
            );
            let json = result.to_json().to_string();
            assert!(!json.contains(SECRET), "secret in result for {name:?}");
            if result.is_error() {
                assert!(
                    result.text().chars().count() <= 600,
                    "refusal too long: {} chars",
                    result.text().len()
                );
            }
        }
        Err(DispatchError::AboveCeiling { .. }) => assert_eq!(name, "visitor"),
        Err(error @ DispatchError::UnknownTool { .. }) => {
            assert!(!["report", "echo", "version", "visitor"].contains(&&*name));
            assert!(error.to_string().chars().count() <= 600);
        }
        Err(other) => panic!("unexpected dispatch error {other}"),
    }
});
