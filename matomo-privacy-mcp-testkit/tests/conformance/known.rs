//! The differences explained, each by a heading of `docs/emulator-differences.md`.

use super::compare::Difference;

/// An explained difference: in `questions` (prefixes; empty: any) and `methods` (empty: any),
/// of `columns` (`row`: a row only one side has; `zero`: a column the emulator sends as 0 where
/// Matomo leaves it out; `*`: any; a trailing `*` matches a prefix), with the heading of its
/// reason in `docs/emulator-differences.md`.
pub struct Known {
    pub questions: &'static [&'static str],
    pub methods: &'static [&'static str],
    pub columns: &'static [&'static str],
    pub reason: &'static str,
}

pub const KNOWN: &[Known] = &[
    Known {
        questions: &[],
        methods: &[
            "DevicesDetection.getType",
            "DevicesDetection.getBrowsers",
            "DevicesDetection.getOsVersions",
            "DevicesDetection.getBrand",
            "DevicesDetection.getModel",
        ],
        columns: &["*"],
        reason: "Devices",
    },
    Known {
        questions: &["saved segment Smartphones"],
        methods: &[],
        columns: &["*"],
        reason: "Devices",
    },
    Known {
        questions: &[],
        methods: &["Live.getLastVisitsDetails"],
        columns: &["deviceType", "browserName", "operatingSystemName"],
        reason: "Devices",
    },
    Known {
        questions: &[],
        methods: &["Live.getLastVisitsDetails"],
        columns: &["visitorId"],
        reason: "Visitor ids of signed-in users",
    },
    Known {
        questions: &["columns"],
        methods: &["UserId.getUsers"],
        columns: &["idvisitor"],
        reason: "Visitor ids of signed-in users",
    },
    Known {
        questions: &["columns"],
        methods: &[
            "Actions.getPageUrls",
            "Actions.getPageTitles",
            "Actions.getEntryPageUrls",
            "Actions.getExitPageUrls",
            "Actions.getExitPageTitles",
            "Actions.getPageTitlesFollowingSiteSearch",
            "Actions.getPageUrlsFollowingSiteSearch",
        ],
        columns: &["goals *"],
        reason: "Goal attribution of page rows",
    },
    Known {
        questions: &["visitor log"],
        methods: &["Live.getLastVisitsDetails"],
        columns: &["time spent"],
        reason: "Time on page",
    },
    Known {
        questions: &["catalogue"],
        methods: &["API.getReportMetadata"],
        columns: &["row"],
        reason: "The report catalogue",
    },
    // The emulator's sites 2 and 3 (`time_zones`).
    Known {
        questions: &["site 2 ", "site 3 "],
        methods: &["Live.getLastVisitsDetails"],
        columns: &["time spent"],
        reason: "Time on page",
    },
];

pub fn explains(known: &Known, d: &Difference) -> bool {
    let column = |c: &&str| match c.strip_suffix('*') {
        Some(prefix) => d.column.starts_with(prefix),
        None => d.column == *c,
    };
    (known.questions.is_empty() || known.questions.iter().any(|q| d.question.starts_with(q)))
        && (known.methods.is_empty() || known.methods.contains(&d.method.as_str()))
        && known.columns.iter().any(column)
}
