//! `Actions.*`: pages, entry and exit pages, outlinks, downloads, site search (keywords,
//! keywords without results, categories, pages following a search).
//!
//! Labels, URLs and segments of these reports are **identifying**: URLs carry
//! query strings (emails, reset links, tokens), titles carry names, search
//! keywords are whatever people typed. Outlink and download rows are typed the
//! same way even at domain level, because Matomo's top-level labels there can
//! already hold a path.

use super::{Count, GoalsByKey, Metric, Rate, Seconds, Tree};
use crate::privacy::Identifying;

classified_fields! {
    /// Page metrics of an actions report row. All aggregate.
    pub struct PageMetrics {
        /// Visits that viewed the page.
        nb_visits: Count,
        /// Unique visitors (day periods only).
        nb_uniq_visitors: Count,
        /// Sum of daily unique visitors, for longer periods.
        sum_daily_nb_uniq_visitors: Count,
        /// Page views (or clicks, downloads, searches).
        nb_hits: Count,
        /// Total time spent on the page.
        sum_time_spent: Seconds,
        /// Visits that started on the page.
        entry_nb_visits: Count,
        /// Actions of visits that started on the page.
        entry_nb_actions: Count,
        /// Visit time of visits that started on the page.
        entry_sum_visit_length: Seconds,
        /// Bounces on the page as entry page.
        entry_bounce_count: Count,
        /// Unique visitors entering on the page.
        entry_nb_uniq_visitors: Count,
        /// Sum of daily unique visitors entering on the page.
        sum_daily_entry_nb_uniq_visitors: Count,
        /// Visits that ended on the page.
        exit_nb_visits: Count,
        /// Unique visitors leaving on the page.
        exit_nb_uniq_visitors: Count,
        /// Sum of daily unique visitors leaving on the page.
        sum_daily_exit_nb_uniq_visitors: Count,
        /// Views that followed a site search.
        nb_hits_following_search: Count,
        /// Site search: pages viewed after searching the keyword.
        nb_pages_per_search: Metric,
        /// Average page load time.
        avg_page_load_time: Seconds,
        /// Average time on the page.
        avg_time_on_page: Seconds,
        /// Share of entries that bounced (a fraction).
        bounce_rate: Rate,
        /// Share of views that ended the visit (a fraction).
        exit_rate: Rate,
    }
}

impl PageMetrics {
    /// Visits that viewed the page (0 when Matomo sent none).
    pub fn visits(&self) -> u64 {
        self.nb_visits.map_or(0, |c| c.0)
    }

    /// Distinct visitors where Matomo computes them for the period (day-level periods), else `None`.
    pub fn unique_visitors(&self) -> Option<u64> {
        self.nb_uniq_visitors.map(|c| c.0)
    }

    /// Page views (0 when Matomo sent none).
    pub fn hits(&self) -> u64 {
        self.nb_hits.map_or(0, |c| c.0)
    }

    /// Total time spent on the page in seconds (0 when Matomo sent none).
    pub fn seconds_spent(&self) -> f64 {
        self.sum_time_spent.map_or(0.0, |s| s.0)
    }
}

classified_fields! {
    /// A row of a page, title, outlink, download or site-search report.
    pub struct PageRow {
        /// A URL path, page title, domain or search keyword.
        pub label: Identifying<String>,
        /// The full URL of a leaf row.
        (typed) url: Identifying<String>,
        /// A segment selecting the row (`pageUrl==…`); it repeats the URL.
        (typed) segment: Identifying<String>,
        /// Id of the row's subtable, to fetch with `idSubtable`.
        idsubdatatable: Count,
        /// The row's metrics.
        #[serde(flatten)]
        pub metrics: PageMetrics,
        /// Conversions attributed to the page, per goal.
        (typed) goals: GoalsByKey,
    }
}

classified_fields! {
    /// The object `Actions.get` returns: action totals. All aggregate.
    pub struct ActionsSummary {
        /// Page views.
        nb_pageviews: Count,
        /// Unique page views.
        nb_uniq_pageviews: Count,
        /// Downloads.
        nb_downloads: Count,
        /// Unique downloads.
        nb_uniq_downloads: Count,
        /// Outlinks.
        nb_outlinks: Count,
        /// Unique outlinks.
        nb_uniq_outlinks: Count,
        /// Site searches.
        nb_searches: Count,
        /// Distinct search keywords.
        nb_keywords: Count,
    }
}

report! {
    /// `Actions.get`: action totals.
    Get = "Actions.get" => ActionsSummary;
    /// `Actions.getPageUrls`: pages by URL (a folder tree unless `flat=1`).
    GetPageUrls = "Actions.getPageUrls" => Vec<Tree<PageRow>>;
    /// `Actions.getPageTitles`: pages by title.
    GetPageTitles = "Actions.getPageTitles" => Vec<Tree<PageRow>>;
    /// `Actions.getEntryPageUrls`: pages where visits started.
    GetEntryPageUrls = "Actions.getEntryPageUrls" => Vec<Tree<PageRow>>;
    /// `Actions.getExitPageUrls`: pages where visits ended.
    GetExitPageUrls = "Actions.getExitPageUrls" => Vec<Tree<PageRow>>;
    /// `Actions.getOutlinks`: clicked links to other sites.
    GetOutlinks = "Actions.getOutlinks" => Vec<Tree<PageRow>>;
    /// `Actions.getDownloads`: downloaded files.
    GetDownloads = "Actions.getDownloads" => Vec<Tree<PageRow>>;
    /// `Actions.getSiteSearchKeywords`: what visitors searched for on the site.
    GetSiteSearchKeywords = "Actions.getSiteSearchKeywords" => Vec<PageRow>;
    /// `Actions.getExitPageTitles`: titles of the pages where visits ended.
    GetExitPageTitles = "Actions.getExitPageTitles" => Vec<Tree<PageRow>>;
    /// `Actions.getSiteSearchNoResultKeywords`: searches the site found nothing for.
    GetSiteSearchNoResultKeywords = "Actions.getSiteSearchNoResultKeywords" => Vec<PageRow>;
    /// `Actions.getSiteSearchCategories`: site searches by the category searched in (a
    /// category can be typed or chosen by the visitor, so its label is identifying too).
    GetSiteSearchCategories = "Actions.getSiteSearchCategories" => Vec<PageRow>;
    /// `Actions.getPageUrlsFollowingSiteSearch`: pages viewed right after a site search.
    GetPageUrlsFollowingSiteSearch = "Actions.getPageUrlsFollowingSiteSearch" => Vec<Tree<PageRow>>;
    /// `Actions.getPageTitlesFollowingSiteSearch`: titles of pages viewed right after a site search.
    GetPageTitlesFollowingSiteSearch = "Actions.getPageTitlesFollowingSiteSearch" => Vec<Tree<PageRow>>;
}
