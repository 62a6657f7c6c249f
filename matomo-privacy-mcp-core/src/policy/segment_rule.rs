//! Segment rules: a segment may only filter on dimensions within the tool's class and the ceiling.

use crate::ToolError;
use crate::privacy::{Identifying, PrivacyClass};
use crate::segment::{Segment, dimension_class};

/// Refuses a segment that uses a dimension above `tool_class` or above `ceiling`.
///
/// The message names the dimension, its class and the reason, never the value:
/// segment values are often the very data being protected (`userId==jane@…`).
///
/// ```
/// use matomo_privacy_mcp_core::policy::check_segment;
/// use matomo_privacy_mcp_core::{PrivacyClass, Segment};
///
/// let ok: Segment = "countryCode==de;deviceType==smartphone".parse().unwrap();
/// assert!(check_segment(&ok, PrivacyClass::Aggregate, PrivacyClass::Aggregate).is_ok());
/// let narrow: Segment = "userId==jane@example.com".parse().unwrap();
/// let err = check_segment(&narrow, PrivacyClass::Aggregate, PrivacyClass::Aggregate).unwrap_err();
/// assert!(err.to_string().contains("`userId`") && !err.to_string().contains("jane"));
/// ```
pub fn check_segment(
    segment: &Segment,
    tool_class: PrivacyClass,
    ceiling: PrivacyClass,
) -> Result<(), ToolError> {
    for dimension in segment.dimensions() {
        let class = dimension_class(dimension);
        if !class.is_within(ceiling) {
            return Err(ToolError::policy_refusal(format!(
                "segment dimension `{dimension}` is {class}, and this deployment allows at most {ceiling} data; \
                 filter on aggregate dimensions such as countryCode, deviceType, browserCode or referrerType"
            )));
        }
        if !class.is_within(tool_class) {
            return Err(ToolError::policy_refusal(format!(
                "segment dimension `{dimension}` is {class}, and this tool returns {tool_class} data, so a segment on it \
                 could single out visitors; filter on {tool_class} dimensions such as countryCode, deviceType, \
                 browserCode or referrerType"
            )));
        }
    }
    Ok(())
}

/// Parses a segment argument and checks it; parse errors are invalid arguments that quote no value.
pub fn parse_and_check_segment(
    text: &str,
    tool_class: PrivacyClass,
    ceiling: PrivacyClass,
) -> Result<Segment, ToolError> {
    let segment: Segment = text.parse().map_err(|e| {
        ToolError::invalid_arguments(format!("`segment` is not a valid Matomo segment: {e}"))
    })?;
    check_segment(&segment, tool_class, ceiling)?;
    Ok(segment)
}

/// Checks a saved segment's definition (identifying as Matomo sends it: its values can be user
/// ids) by the rules a client's segment is checked by; the checked [`Segment`] holds aggregate
/// dimensions only, which is what makes it safe to show and to apply.
///
/// Errors quote neither the definition nor its values.
pub fn check_saved_segment(
    definition: &Identifying<String>,
    tool_class: PrivacyClass,
    ceiling: PrivacyClass,
) -> Result<Segment, ToolError> {
    let segment: Segment = definition.reveal().parse().map_err(|e| {
        ToolError::upstream(format!(
            "Matomo listed a saved segment whose definition is not a valid segment: {e}"
        ))
    })?;
    check_segment(&segment, tool_class, ceiling)?;
    Ok(segment)
}
