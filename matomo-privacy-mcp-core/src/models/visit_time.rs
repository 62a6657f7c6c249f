//! `VisitTime.*`: visits per hour of the day or day of the week. All aggregate.

use super::{DimensionRow, Overlap};

report! {
    /// `VisitTime.getVisitInformationPerServerTime`: visits per server hour, labels `"00"`…`"23"`.
    GetVisitInformationPerServerTime = "VisitTime.getVisitInformationPerServerTime", overlap = Overlap::None => Vec<DimensionRow>;
    /// `VisitTime.getVisitInformationPerLocalTime`: visits per visitor-local hour.
    GetVisitInformationPerLocalTime = "VisitTime.getVisitInformationPerLocalTime" => Vec<DimensionRow>;
    /// `VisitTime.getByDayOfWeek`: visits per weekday.
    GetByDayOfWeek = "VisitTime.getByDayOfWeek" => Vec<DimensionRow>;
}
