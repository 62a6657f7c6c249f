//! The fixed vocabulary of the realistic site: countries, devices, referrers, words for URLs and
//! searches. Weights are integers so that sampling is exact on every platform (no floating point
//! decides which row a seed picks).

/// A country as the tracker sends it (`country=`) with the browser language of its visitors.
pub(super) struct Country {
    pub code: &'static str,
    pub lang: &'static str,
    pub weight: u64,
}

const fn country(code: &'static str, lang: &'static str, weight: u64) -> Country {
    Country { code, lang, weight }
}

/// A long tail of countries, heaviest first (roughly a European shop that also sells abroad).
pub(super) const COUNTRIES: &[Country] = &[
    country("us", "en-US", 2400),
    country("de", "de-DE", 1900),
    country("gb", "en-GB", 1100),
    country("fr", "fr-FR", 900),
    country("nl", "nl-NL", 520),
    country("ca", "en-CA", 430),
    country("es", "es-ES", 400),
    country("it", "it-IT", 380),
    country("at", "de-AT", 300),
    country("ch", "de-CH", 280),
    country("pl", "pl-PL", 240),
    country("se", "sv-SE", 200),
    country("be", "nl-BE", 190),
    country("au", "en-AU", 170),
    country("in", "en-IN", 160),
    country("br", "pt-BR", 140),
    country("dk", "da-DK", 110),
    country("ie", "en-IE", 100),
    country("no", "nb-NO", 90),
    country("fi", "fi-FI", 80),
    country("pt", "pt-PT", 70),
    country("cz", "cs-CZ", 60),
    country("jp", "ja-JP", 55),
    country("mx", "es-MX", 45),
    country("gr", "el-GR", 40),
    country("ro", "ro-RO", 35),
    country("hu", "hu-HU", 30),
    country("tr", "tr-TR", 25),
    country("za", "en-ZA", 20),
    country("nz", "en-NZ", 18),
    country("sg", "en-SG", 15),
    country("ar", "es-AR", 12),
    country("kr", "ko-KR", 10),
    country("il", "he-IL", 8),
    country("ua", "uk-UA", 7),
    country("hr", "hr-HR", 6),
    country("ee", "et-EE", 4),
    country("is", "is-IS", 2),
    country("lu", "fr-LU", 2),
    country("mt", "en-MT", 1),
];

/// A browser and device as a user agent string (Matomo's DeviceDetector reads type, brand,
/// browser and OS from it) with its screen resolution.
pub(super) struct Agent {
    pub ua: &'static str,
    pub resolution: &'static str,
    pub weight: u64,
}

const fn agent(ua: &'static str, resolution: &'static str, weight: u64) -> Agent {
    Agent {
        ua,
        resolution,
        weight,
    }
}

pub(super) const AGENTS: &[Agent] = &[
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "1920x1080",
        300,
    ),
    agent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "390x844",
        200,
    ),
    agent(
        "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "412x915",
        150,
    ),
    agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "1440x900",
        80,
    ),
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "1536x864",
        70,
    ),
    agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "2560x1440",
        50,
    ),
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "1920x1080",
        50,
    ),
    agent(
        "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "820x1180",
        50,
    ),
    agent(
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "1280x800",
        30,
    ),
    agent(
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "1920x1080",
        20,
    ),
];

/// A search engine: its name and the referrer URL it sends (with `{q}` for the keyword when it
/// passes one; most of Google's traffic arrives without the keyword, as in reality).
pub(super) struct Engine {
    pub name: &'static str,
    pub with_keyword: &'static str,
    pub without_keyword: &'static str,
    /// Percent of this engine's visits that carry the keyword.
    pub keyword_percent: u64,
    pub weight: u64,
}

pub(super) const ENGINES: &[Engine] = &[
    Engine {
        name: "Google",
        with_keyword: "https://www.google.com/search?q={q}",
        without_keyword: "https://www.google.com/",
        keyword_percent: 30,
        weight: 800,
    },
    Engine {
        name: "Bing",
        with_keyword: "https://www.bing.com/search?q={q}",
        without_keyword: "https://www.bing.com/",
        keyword_percent: 80,
        weight: 120,
    },
    Engine {
        name: "DuckDuckGo",
        with_keyword: "https://duckduckgo.com/?q={q}",
        without_keyword: "https://duckduckgo.com/",
        keyword_percent: 60,
        weight: 50,
    },
    Engine {
        name: "Ecosia",
        with_keyword: "https://www.ecosia.org/search?q={q}",
        without_keyword: "https://www.ecosia.org/",
        keyword_percent: 70,
        weight: 30,
    },
];

/// Words people search for before landing on the shop.
pub(super) const SEARCH_KEYWORDS: &[&str] = &[
    "demo shop",
    "demo shop discount code",
    "merino wool socks",
    "winter jacket sale",
    "black friday deals 2026",
    "trail running shoes",
    "waterproof hiking boots",
    "down jacket women",
    "fleece hoodie men",
    "rain jacket lightweight",
    "thermal base layer",
    "wool beanie",
    "insulated gloves",
    "best backpack for travel",
    "camping stove",
    "sleeping bag -10",
    "trekking poles review",
    "gift ideas for hikers",
    "cyber monday outdoor",
    "demo shop returns",
    "demo shop shipping time",
    "outdoor gear shop",
    "climbing harness",
    "headlamp rechargeable",
    "water bottle insulated",
    "ski socks",
    "softshell pants",
    "kids snow boots",
    "gore-tex jacket",
    "packable down vest",
];

/// Referring websites (blogs, forums, comparison sites), heaviest first.
pub(super) const WEBSITES: &[(&str, u64)] = &[
    (
        "https://www.outdoor-forum.example.org/threads/best-winter-jackets",
        300,
    ),
    ("https://gearreview.example.net/2026/11/top-10-socks", 220),
    (
        "https://www.deals-finder.example.com/black-friday/outdoor",
        200,
    ),
    ("https://hikingblog.example.org/packing-list", 140),
    ("https://compare.example.com/jackets?sort=price", 120),
    ("https://news.example.com/lifestyle/gift-guide-2026", 90),
    ("https://trailrunners.example.net/forum/shoes", 70),
    ("https://www.wikipedia.org/wiki/Merino", 40),
    ("https://climbing.example.org/blog/harness-guide", 35),
    ("https://coupon.example.net/stores/demo-shop", 30),
    ("https://mountainmag.example.com/reviews/down-jackets", 25),
    ("https://family-outdoors.example.org/kids-gear", 18),
    ("https://budget-travel.example.com/backpacks", 12),
    ("https://skiclub.example.de/mitglieder/angebote", 10),
    ("https://campingtips.example.fr/equipement", 8),
    ("https://partner.example.io/affiliates/links", 6),
    ("https://old-forum.example.org/t/12345", 3),
    ("https://student-deals.example.co.uk/outdoor", 2),
];

/// Social networks (Matomo recognises them by host), heaviest first.
///
/// Matomo 5.0.2 files `https://www.facebook.com/` under *search engines*, not social networks:
/// its `SearchEngines.yml` lists `www.facebook.com` (Facebook's search, keyword `q`) and its
/// referrer detection tries search engines before social networks, so these visits show as
/// "Search Engines: Facebook" (with an empty keyword) in the real Matomo's reports of the
/// realistic month, and no social row is Facebook's. Kept as tracked: the benchmarks' tables were
/// measured on it, and it is what a site linked from Facebook's own pages would see.
pub(super) const SOCIALS: &[(&str, u64)] = &[
    ("https://www.facebook.com/", 300),
    ("https://l.instagram.com/", 220),
    ("https://www.reddit.com/r/CampingGear/", 150),
    ("https://www.pinterest.com/", 120),
    ("https://www.youtube.com/", 90),
    ("https://www.linkedin.com/", 40),
    ("https://t.co/", 30),
];

/// A tagged campaign (`mtm_campaign`, `mtm_source`, `mtm_medium`) and where its links land.
pub(super) struct Campaign {
    pub name: &'static str,
    pub source: &'static str,
    pub medium: &'static str,
    pub landing: &'static str,
    /// Weight by day of November (index 0 = Nov 1); campaigns run at different times.
    pub from_day: u32,
    pub to_day: u32,
    pub weight: u64,
}

pub(super) const CAMPAIGNS: &[Campaign] = &[
    Campaign {
        name: "black-friday-2026",
        source: "newsletter",
        medium: "email",
        landing: "/sale/black-friday",
        from_day: 20,
        to_day: 30,
        weight: 500,
    },
    Campaign {
        name: "black-friday-2026",
        source: "facebook",
        medium: "cpc",
        landing: "/sale/black-friday",
        from_day: 22,
        to_day: 29,
        weight: 300,
    },
    Campaign {
        name: "cyber-monday-2026",
        source: "newsletter",
        medium: "email",
        landing: "/sale/cyber-monday",
        from_day: 29,
        to_day: 30,
        weight: 600,
    },
    Campaign {
        name: "newsletter-2026-11",
        source: "newsletter",
        medium: "email",
        landing: "/",
        from_day: 3,
        to_day: 10,
        weight: 250,
    },
    Campaign {
        name: "winter-collection",
        source: "google",
        medium: "cpc",
        landing: "/c/jackets",
        from_day: 1,
        to_day: 30,
        weight: 120,
    },
    Campaign {
        name: "gift-guide",
        source: "partner-blog",
        medium: "referral",
        landing: "/blog/2026/gift-guide",
        from_day: 12,
        to_day: 30,
        weight: 80,
    },
];

/// The shop's product categories (URL slug, display name).
pub(super) const CATEGORIES: &[(&str, &str)] = &[
    ("jackets", "Jackets"),
    ("socks", "Socks"),
    ("shoes", "Shoes"),
    ("base-layers", "Base Layers"),
    ("hats-gloves", "Hats & Gloves"),
    ("backpacks", "Backpacks"),
    ("camping", "Camping"),
    ("climbing", "Climbing"),
    ("pants", "Pants"),
    ("kids", "Kids"),
    ("accessories", "Accessories"),
    ("sale", "Sale"),
];

pub(super) const ADJECTIVES: &[&str] = &[
    "alpine", "arctic", "summit", "trail", "ridge", "glacier", "canyon", "forest", "storm",
    "aurora", "granite", "meadow", "tundra", "cascade", "boulder", "coastal", "highland", "polar",
    "river", "timber",
];

pub(super) const NOUNS: &[&str] = &[
    "pro", "lite", "classic", "explorer", "trek", "guide", "peak", "scout", "venture", "basecamp",
    "nomad", "ranger",
];

pub(super) const BLOG_TOPICS: &[&str] = &[
    "how-to-layer-for-winter",
    "choosing-hiking-boots",
    "merino-vs-synthetic",
    "packing-list-weekend-trip",
    "caring-for-down-jackets",
    "waterproofing-explained",
    "best-trails-in-autumn",
    "camping-in-the-cold",
    "sock-sizes-guide",
    "kids-outdoor-clothing",
    "gift-guide",
    "trail-running-basics",
    "backpack-fitting",
    "sustainable-materials",
    "repair-and-reuse",
];

pub(super) const HELP_TOPICS: &[&str] = &[
    "shipping",
    "returns",
    "size-chart",
    "payment-methods",
    "order-status",
    "warranty",
    "gift-cards",
    "contact-hours",
    "international-delivery",
    "product-care",
    "privacy",
    "terms",
];

/// What visitors type into the shop's own search box, heaviest first; some find nothing.
pub(super) const SITE_SEARCHES: &[(&str, u64)] = &[
    ("jacket", 400),
    ("socks", 300),
    ("gloves", 200),
    ("boots", 180),
    ("black friday", 150),
    ("merino", 140),
    ("backpack", 120),
    ("beanie", 100),
    ("down vest", 80),
    ("gift card", 70),
    ("rain pants", 60),
    ("size chart", 55),
    ("tent", 45),
    ("headlamp", 40),
    ("kids jacket", 35),
    ("return label", 30),
    ("thermos", 25),
    ("gaiters", 20),
    ("ice axe", 12),
    ("snowshoes", 10),
    ("crampons", 8),
    ("hammock", 6),
    ("bear spray", 4),
    ("kayak", 3),
];

/// Site-search categories (`search_cat`); empty for most searches.
pub(super) const SEARCH_CATEGORIES: &[&str] = &["Products", "Help"];

/// First names for the e-mail addresses some visitors leave in query strings (personal data a
/// scrubber must remove).
pub(super) const FIRST_NAMES: &[&str] = &[
    "anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ida", "jonas", "karla",
    "leon", "mia", "noah", "olga", "paul",
];
