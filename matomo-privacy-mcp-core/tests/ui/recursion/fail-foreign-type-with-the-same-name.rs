// `raw::Row` is not `Row`: it must not be skipped as if it were the enclosing type.
use matomo_privacy_mcp_core::Classified;

mod raw {
    #[derive(matomo_privacy_mcp_core::Classified)]
    pub struct Row {
        #[privacy(identifying)]
        pub url: String,
    }
}

#[derive(Classified)]
struct Row {
    #[privacy(aggregate)]
    nb_visits: u64,
    sub: Vec<raw::Row>,
}

fn main() {}
