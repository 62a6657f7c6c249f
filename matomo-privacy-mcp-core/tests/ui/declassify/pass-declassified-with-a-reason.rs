// The escape hatch: a declared declassification with its reason, listed in the tool's definition
// (from which the application's privacy manifest prints it).
use matomo_privacy_mcp_core::models::actions::PageRow;
use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Sections {
    #[privacy(aggregate)]
    sections: Vec<String>,
}

fn page_urls() -> Vec<PageRow> {
    Vec::new()
}

/// The site's top-level sections.
#[matomo_tool(declassify(
    section_labels = "top-level folder labels of a flat=0 report are the site's own section names"
))]
async fn sections() -> Result<Sections, ToolError> {
    let sections = page_urls()
        .into_iter()
        .map(|row| row.label.declassify(&SectionsTool::SECTION_LABELS))
        .collect();
    Ok(Sections { sections })
}

fn main() {
    let toolbox = Toolbox::new().tool(SectionsTool);
    let descriptor = toolbox.descriptor("sections").expect("registered");
    let declared = descriptor.declassifications();
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0].name(), "section_labels");
    assert!(declared[0].reason().contains("the site's own section names"));
}
