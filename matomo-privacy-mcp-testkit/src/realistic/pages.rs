//! The shop's pages: those reached by browsing, in Zipf rank order, and the pages of its flows.

use super::catalog::{ADJECTIVES, BLOG_TOPICS, CATEGORIES, HELP_TOPICS, NOUNS};
use crate::prng::SplitMix64;

use super::weighted::*;

/// A page of the shop.
pub(super) struct Page {
    pub(super) path: String,
    pub(super) title: String,
    /// The category name of a product page (for order items).
    pub(super) category: Option<&'static str>,
}

/// The pages of the shop: those reached by browsing (in Zipf rank order, most viewed first) and
/// the pages of the flows (cart, checkout, sign-ups), which only their flows reach.
pub(super) struct Catalog {
    pub(super) browsed: Vec<Page>,
    pub(super) zipf: Weighted,
}

pub(super) const SHOP: &str = "Demo Shop";

pub(super) fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Catalog {
    pub(super) fn new(rng: &mut SplitMix64) -> Self {
        let page = |path: String, title: String| Page {
            path,
            title,
            category: None,
        };
        // The head of the distribution: the home page and the categories.
        let mut head = vec![page("/".into(), format!("{SHOP} – Outdoor Gear"))];
        for (slug, name) in CATEGORIES {
            head.push(page(format!("/c/{slug}"), format!("{name} | {SHOP}")));
        }
        let mut tail = Vec::new();
        for (slug, name) in CATEGORIES {
            for adjective in ADJECTIVES {
                for noun in NOUNS {
                    tail.push(Page {
                        path: format!("/p/{slug}/{adjective}-{noun}"),
                        title: format!(
                            "{} {} {name} – {SHOP}",
                            title_case(adjective),
                            title_case(noun)
                        ),
                        category: Some(name),
                    });
                }
            }
        }
        for year in [2024, 2025, 2026] {
            for topic in BLOG_TOPICS {
                tail.push(page(
                    format!("/blog/{year}/{topic}"),
                    format!("{} – {SHOP} Blog", title_case(topic)),
                ));
            }
        }
        for topic in HELP_TOPICS {
            tail.push(page(
                format!("/help/{topic}"),
                format!("Help: {} – {SHOP}", title_case(topic)),
            ));
        }
        for (path, title) in [
            ("/about", "About us"),
            ("/contact", "Contact"),
            ("/newsletter", "Newsletter"),
            ("/account/login", "Log in"),
            ("/account/register", "Create an account"),
            ("/stores", "Our stores"),
            ("/gift-cards", "Gift cards"),
            ("/sale/black-friday", "Black Friday Sale"),
            ("/sale/cyber-monday", "Cyber Monday Sale"),
        ] {
            tail.push(page(path.into(), format!("{title} – {SHOP}")));
        }
        // Popularity is unrelated to the order pages were listed in.
        for i in (1..tail.len()).rev() {
            tail.swap(i, rng.below(i as u64 + 1) as usize);
        }
        head.extend(tail);
        // Zipf with exponent 1, softened at the head so the home page has a few percent of
        // views, not a seventh: weight 1/(rank + 3).
        let zipf = Weighted::new((0..head.len() as u64).map(|rank| 1_000_000_000_000 / (rank + 4)));
        Self {
            browsed: head,
            zipf,
        }
    }

    pub(super) fn find(&self, path: &str) -> Option<&Page> {
        self.browsed.iter().find(|p| p.path == path)
    }
}
