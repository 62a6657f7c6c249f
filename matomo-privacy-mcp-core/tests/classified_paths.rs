//! Field paths and classes reported by `#[derive(Classified)]`: renames, nesting, containers, flatten.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use matomo_privacy_mcp_core::privacy::{FieldClass, Pseudonym};
use matomo_privacy_mcp_core::{Classified, PeriodLabel, PrivacyClass, SiteId};

fn paths<T: Classified>() -> Vec<String> {
    T::fields().iter().map(FieldClass::to_string).collect()
}

#[derive(serde::Serialize, Classified)]
#[serde(rename_all = "camelCase")]
struct Action {
    #[privacy(identifying)]
    url: String,
    #[privacy(aggregate)]
    time_spent: Option<u32>,
    #[serde(rename = "pageTitle")]
    #[privacy(identifying)]
    title: Option<String>,
}

#[derive(serde::Serialize, Classified)]
#[serde(rename_all = "camelCase")]
struct Visit {
    visitor: Pseudonym,
    #[privacy(aggregate)]
    visit_duration: u32,
    action_details: Vec<Action>,
    #[serde(skip_serializing)]
    #[allow(dead_code)]
    #[privacy(identifying)]
    visit_ip: String,
}

#[derive(serde::Serialize, Classified)]
struct Log {
    #[serde(rename = "bySite")]
    by_site: BTreeMap<SiteId, BTreeMap<PeriodLabel, Vec<Visit>>>,
}

#[test]
fn paths_follow_json_names_through_nesting_and_containers() {
    assert_eq!(
        paths::<Log>(),
        [
            "bySite.{idSite}.{period}[].visitor (pseudonymous)",
            "bySite.{idSite}.{period}[].visitDuration (aggregate)",
            "bySite.{idSite}.{period}[].actionDetails[].url (identifying)",
            "bySite.{idSite}.{period}[].actionDetails[].timeSpent (aggregate)",
            "bySite.{idSite}.{period}[].actionDetails[].pageTitle (identifying)",
        ]
    );
}

#[test]
fn max_class_is_a_compile_time_constant_and_skipped_fields_do_not_count() {
    const ACTION: PrivacyClass = Action::MAX_CLASS;
    const VISIT: PrivacyClass = <Vec<Visit> as Classified>::MAX_CLASS;
    assert_eq!(ACTION, PrivacyClass::Identifying);
    assert_eq!(VISIT, PrivacyClass::Identifying);

    #[derive(serde::Serialize, Classified)]
    struct OnlyCounts {
        #[privacy(aggregate)]
        nb_visits: u64,
        #[serde(skip)]
        #[allow(dead_code)]
        #[privacy(identifying)]
        ignored: String,
    }
    assert_eq!(OnlyCounts::MAX_CLASS, PrivacyClass::Aggregate);
    assert_eq!(paths::<OnlyCounts>(), ["nb_visits (aggregate)"]);
}

#[test]
fn flattened_fields_appear_in_the_parent() {
    #[derive(serde::Serialize, Classified)]
    struct Metrics {
        #[privacy(aggregate)]
        nb_visits: u64,
    }
    #[derive(serde::Serialize, Classified)]
    struct Row {
        #[privacy(aggregate)]
        label: String,
        #[serde(flatten)]
        metrics: Metrics,
    }
    assert_eq!(
        paths::<Row>(),
        ["label (aggregate)", "nb_visits (aggregate)"]
    );
    let json = serde_json::to_value(Row {
        label: "x".into(),
        metrics: Metrics { nb_visits: 1 },
    })
    .unwrap();
    assert_eq!(json, serde_json::json!({ "label": "x", "nb_visits": 1 }));
}

#[test]
fn newtypes_unit_enums_and_generics() {
    #[derive(serde::Serialize, Classified)]
    struct Keyword(#[privacy(identifying)] String);

    #[derive(serde::Serialize, Classified)]
    #[privacy(aggregate)]
    #[allow(dead_code)]
    enum ReferrerType {
        Direct,
        Search,
    }

    #[derive(serde::Serialize, Classified)]
    struct Page<T> {
        rows: Vec<T>,
        #[privacy(aggregate)]
        total: u64,
    }

    #[derive(serde::Serialize, Classified)]
    struct Row {
        keyword: Keyword,
        kind: ReferrerType,
    }

    assert_eq!(Keyword::MAX_CLASS, PrivacyClass::Identifying);
    assert_eq!(ReferrerType::MAX_CLASS, PrivacyClass::Aggregate);
    assert_eq!(
        paths::<Page<Row>>(),
        [
            "rows[].keyword (identifying)",
            "rows[].kind (aggregate)",
            "total (aggregate)"
        ]
    );
    assert_eq!(<Page<ReferrerType>>::MAX_CLASS, PrivacyClass::Aggregate);
}

#[test]
fn a_type_without_fields_exposes_nothing() {
    #[derive(serde::Serialize, Classified)]
    struct Empty {}
    assert_eq!(Empty::MAX_CLASS, PrivacyClass::Aggregate);
    assert!(Empty::fields().is_empty());
}

#[test]
fn recursive_rows_report_their_fields_once() {
    #[derive(serde::Serialize, Classified)]
    struct Row {
        #[privacy(identifying)]
        label: String,
        #[privacy(aggregate)]
        nb_visits: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        subtable: Option<Vec<Row>>,
    }
    #[derive(serde::Serialize, Classified)]
    struct Generic<T> {
        rows: Vec<T>,
        next: Option<Box<Generic<T>>>,
    }
    assert_eq!(Row::MAX_CLASS, PrivacyClass::Identifying);
    assert_eq!(
        paths::<Row>(),
        ["label (identifying)", "nb_visits (aggregate)"]
    );
    assert_eq!(
        paths::<Generic<Row>>(),
        ["rows[].label (identifying)", "rows[].nb_visits (aggregate)"]
    );
}
