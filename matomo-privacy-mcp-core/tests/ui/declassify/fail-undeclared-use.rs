// `declassify` needs a declaration: no tool declared one, so there is nothing to pass.
use matomo_privacy_mcp_core::privacy::Identifying;

fn main() {
    let url = Identifying::new(String::from("/reset?mail=jane@example.org"));
    let _plain: String = url.declassify("the AI needs it");
}
