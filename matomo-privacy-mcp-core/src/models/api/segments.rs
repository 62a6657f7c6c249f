//! `API.getSegmentsMetadata`: the segment dimensions this Matomo knows.

classified_fields! {
    /// One segment dimension. All aggregate: Matomo's own vocabulary.
    #[serde(rename_all = "camelCase")]
    pub struct SegmentMetadata {
        /// `dimension` or `metric`.
        #[serde(rename = "type")]
        (aggregate) segment_type: String,
        /// Category (`Visitors`, `Behaviour`, …).
        (aggregate) category: String,
        /// Readable name.
        (aggregate) name: String,
        /// The segment name to use in conditions (`countryCode`).
        (aggregate) segment: String,
        /// Example values, as help text.
        (aggregate) accepted_values: String,
        /// Present and true when the segment is restricted (not for anonymous users).
        (aggregate) permission: bool,
        /// Segments this one is a union of.
        (aggregate) union_of_segments: Vec<String>,
    }
}
