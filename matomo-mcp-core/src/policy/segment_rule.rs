//! Segment rules: a segment may only filter on dimensions within the tool's class and the ceiling.

use crate::ToolError;
use crate::privacy::PrivacyClass;
use crate::segment::{Segment, dimension_class};

/// Refuses a segment that uses a dimension above `tool_class` or above `ceiling`.
///
/// The message names the dimension, its class and the reason, never the value:
/// segment values are often the very data being protected (`userId==jane@…`).
///
/// ```
/// use matomo_mcp_core::policy::check_segment;
/// use matomo_mcp_core::{PrivacyClass, Segment};
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
