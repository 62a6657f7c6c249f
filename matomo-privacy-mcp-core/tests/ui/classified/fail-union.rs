use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
