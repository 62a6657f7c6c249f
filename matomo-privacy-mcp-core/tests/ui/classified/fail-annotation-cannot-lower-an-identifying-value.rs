// An annotation trying to lower the class a model's value carries.
use matomo_privacy_mcp_core::Classified;
use matomo_privacy_mcp_core::privacy::Identifying;

#[derive(Classified)]
struct Row {
    #[privacy(aggregate)]
    url: Option<Identifying<String>>,
}

fn main() {}
