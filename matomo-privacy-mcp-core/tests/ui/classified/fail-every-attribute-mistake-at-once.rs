use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
struct Row {
    #[privacy(secret)]
    label: String,
    #[privacy(aggregate)]
    #[privacy(identifying)]
    url: String,
    #[privacy()]
    nb_visits: u64,
    segment: Option<String>,
}

fn main() {}
