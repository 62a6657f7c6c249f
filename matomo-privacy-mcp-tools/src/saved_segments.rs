//! `saved_segments`: the segments saved in Matomo's segment editor that the report tools may
//! apply by name, each checked by the segment rules: one on an identifying dimension (a user
//! id, an IP address) is not listed, and is refused by name too.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use matomo_privacy_mcp_core::privacy::PrivacyClass;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

/// The arguments of `saved_segments`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedSegmentArgs {
    /// Site id (from `list_sites`).
    pub site: u32,
}

/// A saved segment the report tools accept by name.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct OfferedSegment {
    /// Its name, identifiers masked: give it as any report tool's `segment`.
    #[privacy(aggregate)]
    pub name: String,
    /// Its definition, on aggregate dimensions only (checked).
    #[privacy(aggregate)]
    pub definition: String,
    /// Whether it is saved for every site rather than this one.
    #[privacy(aggregate)]
    pub all_sites: bool,
}

/// The saved segments of one site.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct SavedSegments {
    /// The site.
    #[privacy(aggregate)]
    pub site: u32,
    /// The segments the report tools accept by name.
    pub segments: Vec<OfferedSegment>,
    /// Saved segments not offered: they filter on dimensions that could single out visitors.
    #[privacy(aggregate)]
    pub not_offered: u64,
}

fn render(list: &SavedSegments) -> String {
    let mut text = format!(
        "Site {}: {} saved segment(s) usable by name as `segment`",
        list.site,
        list.segments.len()
    );
    if list.not_offered > 0 {
        let _ = write!(
            text,
            "; {} more not offered (they filter on identifying dimensions)",
            list.not_offered
        );
    }
    text.push('.');
    for s in &list.segments {
        let _ = write!(text, "\n- {}: {}", s.name, s.definition);
        if s.all_sites {
            text.push_str(" (all sites)");
        }
    }
    text
}

/// Saved segments of a site ("Visitors from Germany", "Smartphones"): their names work as the
/// `segment` of every report tool. Segments on identifying dimensions are never listed.
#[matomo_tool(
    render = render,
    declassify(
        analyst_segment_names = "saved segment names are written by the site's own analysts to describe a filter, not visitor data; identifiers in them are masked by scrubbing, and a segment on an identifying dimension is not listed at all"
    )
)]
pub async fn saved_segments(
    deployment: &Deployment,
    args: SavedSegmentArgs,
) -> Result<SavedSegments, ToolError> {
    deployment.check_site(args.site)?;
    let saved = deployment.saved_segments(args.site).await?;
    let mut segments = Vec::new();
    let mut not_offered = 0;
    for s in saved {
        // The author (`login`) is dropped here: it never leaves the server.
        let (Ok(segment), Some(name)) = (
            deployment.admit_saved_segment(&s, PrivacyClass::Aggregate),
            s.name,
        ) else {
            not_offered += 1;
            continue;
        };
        segments.push(OfferedSegment {
            name: deployment
                .scrubber()
                .text(&name)
                .declassify(&SavedSegmentsTool::ANALYST_SEGMENT_NAMES),
            definition: segment.to_string(),
            all_sites: s.enable_only_idsite.is_none_or(|site| site.0 == 0),
        });
    }
    Ok(SavedSegments {
        site: args.site,
        segments,
        not_offered,
    })
}
