use matomo_privacy_mcp_core::Classified;

#[derive(Classified)]
enum DeviceType {
    Desktop,
    Smartphone,
}

fn main() {}
