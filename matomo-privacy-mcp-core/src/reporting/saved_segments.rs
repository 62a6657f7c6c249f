//! Saved segments: the segments of Matomo's segment editor, which a tool's `segment` argument
//! may name instead of spelling out a definition.
//!
//! A saved segment is held to the same rules as a definition given by the client: one that
//! filters on a dimension above the tool's class (a segment on `userId`, on `visitIp`) is
//! neither offered by `saved_segments` nor applied by name. Names are matched as saved or as
//! `saved_segments` shows them (identifiers masked); the definition Matomo is sent is the
//! checked one, never the name.

use crate::ToolError;
use crate::models::segment_editor::{GET_ALL, SavedSegment};
use crate::params::{Params, Sites};
use crate::policy::check_saved_segment;
use crate::privacy::{Identifying, PrivacyClass};
use crate::segment::Segment;

use super::Deployment;
use super::args::to_tool_error;

/// The segments saved for `site` and for every site, as Matomo lists them for the token
/// (through the report cache).
pub(crate) async fn saved_for(
    deployment: &Deployment,
    site: u32,
) -> Result<Vec<SavedSegment>, ToolError> {
    let params = Params::new().sites(Sites::one(site)?);
    deployment
        .client
        .call(GET_ALL, &params)
        .await
        .map_err(to_tool_error)
}

/// A saved segment checked against the rules of a tool's class: its segment, or why it is not
/// offered.
pub(crate) fn admitted(
    deployment: &Deployment,
    saved: &SavedSegment,
    tool_class: PrivacyClass,
) -> Result<Segment, ToolError> {
    let Some(definition) = &saved.definition else {
        return Err(ToolError::upstream(
            "Matomo listed a saved segment without a definition",
        ));
    };
    check_saved_segment(definition, tool_class, deployment.ceiling)
}

/// Whether `saved` is the segment the client means by `name`: its name as saved, or as
/// `saved_segments` shows it (scrubbed).
fn is_named(deployment: &Deployment, saved: &SavedSegment, name: &str) -> bool {
    let Some(own) = &saved.name else {
        return false;
    };
    *own == Identifying::new(name.to_owned()) || deployment.scrubber.text(own).as_str() == name
}

impl Deployment {
    /// The segments saved in Matomo's segment editor for `site` and for every site, as Matomo
    /// lists them for the token (through the report cache). Their names and definitions are
    /// Matomo's, classified as it sends them; [`admit_saved_segment`](Self::admit_saved_segment)
    /// says which a tool may offer.
    ///
    /// # Errors
    ///
    /// Matomo unreachable or refusing.
    pub async fn saved_segments(&self, site: u32) -> Result<Vec<SavedSegment>, ToolError> {
        saved_for(self, site).await
    }

    /// A saved segment checked by the rules of a tool of `tool_class` and the deployment's
    /// ceiling, as a `segment` argument naming it would be: its definition, or why it is not
    /// offered.
    ///
    /// # Errors
    ///
    /// A policy refusal naming the dimension above the class; an upstream error for a saved
    /// segment Matomo listed without a definition.
    pub fn admit_saved_segment(
        &self,
        saved: &SavedSegment,
        tool_class: PrivacyClass,
    ) -> Result<Segment, ToolError> {
        admitted(self, saved, tool_class)
    }

    /// The segment a tool's `segment` argument means, checked as every built-in tool checks it:
    /// a Matomo segment definition, or the name of a segment saved for `site` (see the
    /// `saved_segments` tool). Either is refused when it filters on a dimension above
    /// `tool_class` or the deployment's ceiling; `None` when there is no segment.
    ///
    /// Names are only looked up (one cached request) when the text is not a definition.
    pub async fn resolve_segment(
        &self,
        site: u32,
        text: Option<&str>,
        tool_class: PrivacyClass,
    ) -> Result<Option<Segment>, ToolError> {
        let Some(text) = text else {
            return Ok(None);
        };
        let not_a_definition = match text.parse::<Segment>() {
            Ok(definition) => {
                crate::policy::check_segment(&definition, tool_class, self.ceiling)?;
                return Ok(Some(definition));
            }
            Err(error) => error,
        };
        let saved = saved_for(self, site).await?;
        let named: Vec<&SavedSegment> = saved.iter().filter(|s| is_named(self, s, text)).collect();
        match named.as_slice() {
            [found] => {
                admitted(self, found, tool_class)
                    .map(Some)
                    .map_err(|refusal| match refusal {
                        ToolError::PolicyRefusal(why) => ToolError::policy_refusal(format!(
                            "the saved segment of that name is not offered: {why}"
                        )),
                        other => other,
                    })
            }
            [] => {
                // Neither a definition nor a saved name: the parse error says what is wrong
                // with the text as a definition.
                Err(ToolError::invalid_arguments(format!(
                    "`segment` is neither a segment definition ({not_a_definition}) nor the name of a segment saved for site {site}; `saved_segments` lists the saved ones"
                )))
            }
            _ => Err(ToolError::invalid_arguments(
                "several saved segments of this site have that name; give the definition `saved_segments` shows instead",
            )),
        }
    }
}
