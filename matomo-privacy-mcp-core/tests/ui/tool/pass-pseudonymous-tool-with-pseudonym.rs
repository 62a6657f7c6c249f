use matomo_privacy_mcp_core::privacy::{Pseudonym, PseudonymKey, PseudonymKind};
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visit {
    visitor: Pseudonym,
    #[privacy(aggregate)]
    actions: u32,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Visits {
    visits: Vec<Visit>,
}

struct State {
    key: PseudonymKey,
}

/// The toolbox takes its ceiling from the state: pseudonymous tools are listed.
impl matomo_privacy_mcp_core::tool::ToolState for State {
    fn secret_guards(&self) -> Vec<matomo_privacy_mcp_core::tool::SecretGuard> {
        Vec::new()
    }
    fn ceiling(&self) -> PrivacyClass {
        PrivacyClass::Pseudonymous
    }
}

/// Recent visits, with visitor ids replaced by keyed pseudonyms.
#[matomo_tool(max_class = pseudonymous)]
async fn recent_visits(state: &State) -> Result<Visits, ToolError> {
    let visitor = Pseudonym::new(&state.key, PseudonymKind::Visitor, "5f2e1c0a9b8d7e6f");
    Ok(Visits { visits: vec![Visit { visitor, actions: 4 }] })
}

fn main() {
    assert_eq!(RecentVisitsTool::MAX_CLASS, PrivacyClass::Pseudonymous);
    let key = PseudonymKey::from_bytes(vec![9; 32]).unwrap();
    let toolbox = Toolbox::with_state(State { key }).tool(RecentVisitsTool);
    assert_eq!(toolbox.list().count(), 1);
}
