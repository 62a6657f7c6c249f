//! Fixed vocabularies the generator draws from: places, devices, browsers, referrers, pages.

/// A geolocation as Matomo's GeoIP reports it.
#[derive(Debug, PartialEq)]
pub struct Location {
    /// Continent code (`eur`, `amn`, ...).
    pub continent_code: &'static str,
    /// Continent name.
    pub continent: &'static str,
    /// ISO country code, lower case.
    pub country_code: &'static str,
    /// Country name.
    pub country: &'static str,
    /// Region code.
    pub region_code: &'static str,
    /// Region name.
    pub region: &'static str,
    /// City name.
    pub city: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub long: f64,
}

/// Device type, brand and model.
#[derive(Debug, PartialEq)]
pub struct Device {
    /// `Desktop`, `Smartphone`, `Tablet`.
    pub device_type: &'static str,
    /// Manufacturer.
    pub brand: &'static str,
    /// Model name.
    pub model: &'static str,
}

/// Browser and operating system.
#[derive(Debug, PartialEq)]
pub struct Browser {
    /// Matomo's two-letter browser code (`CH`, `FF`, `SF`...).
    pub code: &'static str,
    /// Browser name.
    pub name: &'static str,
    /// Browser version.
    pub version: &'static str,
    /// Engine family.
    pub family: &'static str,
    /// Matomo's three-letter OS code.
    pub os_code: &'static str,
    /// OS name.
    pub os_name: &'static str,
    /// OS version.
    pub os_version: &'static str,
}

/// Operating system families as device-detector 1.x (Matomo 5.0.2's
/// `OperatingSystem::$osFamilies`) groups the OS codes, for the codes a dataset can hold and
/// their close kin; the first code of each family names its logo (`getOsFamilyLogo`).
const OS_FAMILIES: &[(&str, &[&str])] = &[
    ("Android", &["AND", "CYN", "FIR", "REM"]),
    ("iOS", &["IOS", "ATV", "WAS", "IPA"]),
    (
        "GNU/Linux",
        &[
            "LIN", "ARL", "DEB", "KNO", "MIN", "UBT", "KBT", "XBT", "LBT", "FED", "RHT",
        ],
    ),
    ("Mac", &["MAC"]),
    ("Unix", &["SOS", "AIX", "HPX", "BSD", "NBS", "OBS", "DFB"]),
    ("Windows", &["WIN"]),
    ("Windows Mobile", &["WPH", "WMO", "WCE", "WRT", "WIO"]),
    ("Chrome OS", &["COS", "CRS"]),
];

impl Browser {
    /// The operating system family as `DevicesDetection.getOsFamilies` names it, with the OS
    /// code of its logo, the family's first (`("GNU/Linux", "LIN")` for Ubuntu, `("iOS",
    /// "IOS")` for iPadOS, `("Unix", "SOS")` for FreeBSD).
    pub fn os_family(&self) -> (&'static str, &'static str) {
        OS_FAMILIES
            .iter()
            .find(|(_, codes)| codes.contains(&self.os_code))
            .map_or(("Unknown", "UNK"), |(family, codes)| {
                (*family, codes.first().copied().unwrap_or("UNK"))
            })
    }

    /// The engine as Matomo 5.0.2 labels it (`getBrowserEngineName`: "Blink (Chrome, Opera)",
    /// "WebKit (Safari)", "Gecko (Firefox)"; others by name, none "Unknown").
    pub fn engine_label(&self) -> &'static str {
        match self.family {
            "Blink" => "Blink (Chrome, Opera)",
            "WebKit" => "WebKit (Safari)",
            "Gecko" => "Gecko (Firefox)",
            "Trident" => "Trident (IE)",
            "Presto" => "Presto (Opera)",
            "" => "Unknown",
            other => other,
        }
    }
}

macro_rules! loc {
    ($cc:expr, $c:expr, $iso:expr, $country:expr, $rc:expr, $r:expr, $city:expr, $lat:expr, $long:expr) => {
        Location {
            continent_code: $cc,
            continent: $c,
            country_code: $iso,
            country: $country,
            region_code: $rc,
            region: $r,
            city: $city,
            lat: $lat,
            long: $long,
        }
    };
}

pub(crate) static LOCATIONS: &[Location] = &[
    loc!(
        "amn",
        "North America",
        "us",
        "United States",
        "CA",
        "California",
        "San Francisco",
        37.7749,
        -122.4194
    ),
    loc!(
        "amn",
        "North America",
        "us",
        "United States",
        "NY",
        "New York",
        "New York",
        40.7128,
        -74.006
    ),
    loc!(
        "eur", "Europe", "de", "Germany", "BE", "Berlin", "Berlin", 52.52, 13.405
    ),
    loc!(
        "eur", "Europe", "de", "Germany", "BY", "Bayern", "Munich", 48.1351, 11.582
    ),
    loc!(
        "eur",
        "Europe",
        "fr",
        "France",
        "IDF",
        "Île-de-France",
        "Paris",
        48.8566,
        2.3522
    ),
    loc!(
        "eur",
        "Europe",
        "gb",
        "United Kingdom",
        "ENG",
        "England",
        "London",
        51.5074,
        -0.1278
    ),
    loc!(
        "asi",
        "Asia",
        "in",
        "India",
        "MH",
        "Mahārāshtra",
        "Mumbai",
        19.076,
        72.8777
    ),
    loc!(
        "amn",
        "North America",
        "ca",
        "Canada",
        "ON",
        "Ontario",
        "Toronto",
        43.6532,
        -79.3832
    ),
    loc!(
        "ams",
        "South America",
        "br",
        "Brazil",
        "SP",
        "São Paulo",
        "São Paulo",
        -23.5505,
        -46.6333
    ),
    loc!(
        "oce",
        "Oceania",
        "au",
        "Australia",
        "NSW",
        "New South Wales",
        "Sydney",
        -33.8688,
        151.2093
    ),
];

pub(crate) static DEVICES: &[Device] = &[
    Device {
        device_type: "Desktop",
        brand: "Apple",
        model: "Generic Desktop",
    },
    Device {
        device_type: "Desktop",
        brand: "Unknown",
        model: "Generic Desktop",
    },
    Device {
        device_type: "Smartphone",
        brand: "Samsung",
        model: "Galaxy S21 5G",
    },
    Device {
        device_type: "Smartphone",
        brand: "Apple",
        model: "iPhone",
    },
    Device {
        device_type: "Tablet",
        brand: "Apple",
        model: "iPad",
    },
];

/// A browser nobody but the planted rare person uses: their visits form a row of their own in the
/// browser and OS reports, about one visitor however many visits they make. Its OS is unknown
/// and its engine "Text-based", as Matomo 5.0.2 reads Lynx's user agent (which names no OS).
pub(crate) static RARE_BROWSER: Browser = Browser {
    code: "LX",
    name: "Lynx",
    version: "2.9",
    family: "Text-based",
    os_code: "UNK",
    os_name: "Unknown",
    os_version: "UNK",
};

pub(crate) static BROWSERS: &[Browser] = &[
    Browser {
        code: "CH",
        name: "Chrome",
        version: "119.0",
        family: "Blink",
        os_code: "WIN",
        os_name: "Windows",
        os_version: "10",
    },
    Browser {
        code: "FF",
        name: "Firefox",
        version: "120.0",
        family: "Gecko",
        os_code: "UBT",
        os_name: "Ubuntu",
        os_version: "22.04",
    },
    Browser {
        code: "SF",
        name: "Safari",
        version: "17.1",
        family: "WebKit",
        os_code: "MAC",
        os_name: "Mac",
        os_version: "10.15",
    },
    Browser {
        code: "CM",
        name: "Chrome Mobile",
        version: "119.0",
        family: "Blink",
        os_code: "AND",
        os_name: "Android",
        os_version: "14",
    },
    Browser {
        code: "MF",
        name: "Mobile Safari",
        version: "17.1",
        family: "WebKit",
        os_code: "IOS",
        os_name: "iOS",
        os_version: "17.1",
    },
    Browser {
        code: "PS",
        name: "Microsoft Edge",
        version: "119.0",
        family: "Blink",
        os_code: "WIN",
        os_name: "Windows",
        os_version: "11",
    },
];

/// (name, host) of search engines.
pub(crate) static SEARCH_ENGINES: &[(&str, &str)] = &[
    ("Google", "www.google.com"),
    ("Bing", "www.bing.com"),
    ("DuckDuckGo", "duckduckgo.com"),
];

pub(crate) static SEARCH_KEYWORDS: &[&str] = &[
    "running shoes",
    "basic tee",
    "matomo privacy",
    "best hiking boots",
    "gift ideas",
];

pub(crate) static WEBSITES: &[&str] = &[
    "https://blog.partner-site.com/reviews/best-running-shoes",
    "https://forum.example.net/thread/42",
    "https://news.example.com/articles/holiday-gift-guide",
];

/// (network, url).
pub(crate) static SOCIALS: &[(&str, &str)] = &[
    (
        "Hacker News",
        "https://news.ycombinator.com/item?id=38473829",
    ),
    ("Facebook", "https://l.facebook.com/"),
    ("LinkedIn", "https://www.linkedin.com/feed/"),
];

/// (campaign, keyword).
pub(crate) static CAMPAIGNS: &[(&str, &str)] = &[
    ("black-friday", "shoes"),
    ("newsletter-nov", ""),
    ("retargeting", "tee"),
];

/// Named users; some are e-mail addresses, as on real sites.
pub(crate) static USER_IDS: &[&str] = &[
    "bob@example.com",
    "alice.smith@example.org",
    "dave",
    "carol",
    "erin@mail.example.net",
];

/// Person names that end up in page titles ("Profile of ...").
pub(crate) static PEOPLE: &[&str] = &["Alice Smith", "Bob Jones", "Carol Müller"];

/// (path, title) of pages per site kind.
pub(crate) static SHOP_PAGES: &[(&str, &str)] = &[
    ("/", "Example Shop - Home"),
    ("/products/", "Products"),
    ("/products/shoes/runner-x", "Runner X - Shoes"),
    ("/products/shoes/trail-pro", "Trail Pro - Shoes"),
    ("/products/shirts/basic-tee", "Basic Tee - Shirts"),
    ("/cart", "Your Cart"),
    ("/checkout/thank-you", "Thank you for your order"),
    ("/contact", "Contact us"),
    ("/about", "About"),
];

pub(crate) static BLOG_PAGES: &[(&str, &str)] = &[
    ("/", "Example Blog"),
    ("/2026/11/privacy-by-design", "Privacy by design"),
    (
        "/2026/11/analytics-without-cookies",
        "Analytics without cookies",
    ),
    ("/2026/10/hello-world", "Hello world"),
    ("/contact", "Contact"),
    ("/contact/sent", "Message sent"),
];

pub(crate) static DOCS_PAGES: &[(&str, &str)] = &[
    ("/", "Docs"),
    ("/guide/install", "Install - Guide"),
    ("/guide/configure", "Configure - Guide"),
    ("/api/reference", "API reference"),
];

pub(crate) static SITE_SEARCHES: &[&str] = &["shoes", "tee", "returns policy", "gift card"];

/// (category, action, name, value).
pub(crate) static EVENTS: &[(&str, &str, &str, Option<f64>)] = &[
    ("Newsletter", "subscribe", "footer", None),
    ("Downloads", "click", "catalog-2026.pdf", None),
    ("Video", "play", "product-tour", Some(30.0)),
    ("Video", "pause", "product-tour", Some(12.0)),
];

pub(crate) static OUTLINKS: &[&str] = &[
    "https://github.com/example/repo",
    "https://twitter.com/example",
];

pub(crate) static DOWNLOADS: &[&str] = &["/files/catalog-2026.pdf", "/files/size-guide.pdf"];
