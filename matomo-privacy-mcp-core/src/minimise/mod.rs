//! Minimisation: the transforms that make analytics data fit a privacy class.

pub mod generalise;
pub mod scrub;
pub mod threshold;
pub mod vocabulary;

pub use generalise::{
    GeneralisedAction, GeneralisedVisit, Generaliser, TimeGranularity, VisitText,
};
pub use scrub::{
    CustomPattern, MaskKind, ScrubConfigError, ScrubbedText, Scrubber, ScrubberBuilder,
};
pub use threshold::{
    Interval, Intervals, InvalidThreshold, MergeRule, Metrics, ReportRow, Threshold, Thresholded,
    ThresholdedLabel, ThresholdedRow, VisitCount, VisitorCount, known_metric, merge_equal_labels,
    merge_rule,
};
pub use vocabulary::{TextKind, Vocabulary};
