use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    site: u32,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Row {
    #[privacy(aggregate)]
    label: String,
    #[privacy(aggregate)]
    nb_visits: u64,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Countries {
    rows: Vec<Row>,
}

struct Matomo {
    visits: u64,
}

impl matomo_privacy_mcp_core::tool::ToolState for Matomo {
    fn secret_guards(&self) -> Vec<matomo_privacy_mcp_core::tool::SecretGuard> {
        Vec::new()
    }
}

/// Visits per country.
#[matomo_tool(title = "Countries", idempotent = true, open_world = false)]
async fn countries(matomo: &Matomo, args: Args) -> Result<Countries, ToolError> {
    let _ = args.site;
    Ok(Countries { rows: vec![Row { label: "Germany".into(), nb_visits: matomo.visits }] })
}

fn main() {
    assert_eq!(CountriesTool::MAX_CLASS, PrivacyClass::Aggregate);
    let toolbox = Toolbox::with_state(Matomo { visits: 7 }).tool(CountriesTool);
    assert_eq!(toolbox.list().count(), 1);
}
