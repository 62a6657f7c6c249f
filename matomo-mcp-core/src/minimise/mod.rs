//! Minimisation: the transforms that make analytics data fit a privacy class.

pub mod scrub;
pub mod threshold;

pub use scrub::{
    CustomPattern, MaskKind, ScrubConfigError, ScrubbedText, Scrubber, ScrubberBuilder,
};
pub use threshold::{
    InvalidThreshold, Metrics, ReportRow, Threshold, Thresholded, merge_equal_labels,
};
