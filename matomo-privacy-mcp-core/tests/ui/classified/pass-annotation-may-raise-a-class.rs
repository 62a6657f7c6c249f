// An annotation at or above the class a value carries is allowed: raising is always safe.
use matomo_privacy_mcp_core::privacy::{Identifying, Pseudonymous};
use matomo_privacy_mcp_core::{Classified, PrivacyClass};

#[derive(Classified)]
struct Row {
    #[privacy(identifying)]
    url: Option<Identifying<String>>,
    #[privacy(identifying)]
    visitor: Pseudonymous<String>,
}

fn main() {
    assert_eq!(Row::MAX_CLASS, PrivacyClass::Identifying);
}
