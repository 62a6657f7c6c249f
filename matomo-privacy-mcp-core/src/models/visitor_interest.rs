//! `VisitorInterest.*`: visits by length, by pages, by visit number and by days since the
//! last visit. Labels are Matomo's fixed ranges ("0-10s", "6-7 pages", "2 visits", "8-14
//! days", "New visits"), so everything is aggregate.
//!
//! Matomo counts each range separately with `BETWEEN lo AND hi`, and the length ranges touch
//! ("31-60s", "1-2 min"): a visit of exactly 60 s is in both rows. Its days-since-last rows
//! count returning visits only, after a "New visits" row; the "0 days" row's segment
//! (`daysSinceLastVisit==0`) also selects every new visit, whose seconds since the last visit
//! are 0.

use super::DimensionRow;

report! {
    /// `VisitorInterest.getNumberOfVisitsPerVisitDuration`: visits by length; rows carry
    /// `nb_visits` and a range segment (`visitDuration>=60;visitDuration<=120`).
    GetNumberOfVisitsPerVisitDuration = "VisitorInterest.getNumberOfVisitsPerVisitDuration" => Vec<DimensionRow>;
    /// `VisitorInterest.getNumberOfVisitsPerPage`: visits by number of actions (`actions==1`).
    GetNumberOfVisitsPerPage = "VisitorInterest.getNumberOfVisitsPerPage" => Vec<DimensionRow>;
    /// `VisitorInterest.getNumberOfVisitsByVisitCount`: visits by the visitor's visit number
    /// (`visitCount>=9;visitCount<=14`).
    GetNumberOfVisitsByVisitCount = "VisitorInterest.getNumberOfVisitsByVisitCount" => Vec<DimensionRow>;
    /// `VisitorInterest.getNumberOfVisitsByDaysSinceLast`: returning visits by days since the
    /// visitor's previous visit, and a row of new visits (`visitorType==new`).
    GetNumberOfVisitsByDaysSinceLast = "VisitorInterest.getNumberOfVisitsByDaysSinceLast" => Vec<DimensionRow>;
}
