//! Responses for several sites or several periods, nested under site ids and period labels.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::privacy::{Classified, Shape};
use crate::{PeriodLabel, SiteId};

/// A response for several sites (`idSite=1,2` or `idSite=all`): one value per site.
///
/// Matomo nests this way whenever the request names more than one site or
/// `all`, even when `all` resolves to one site, so the caller knows from its
/// own request whether to decode this type.
pub type PerSite<T> = BTreeMap<SiteId, T>;

/// A response for several periods (`date=last7`, or `a,b` with a period other
/// than `range`): one entry per period label, in date order.
pub type PerPeriod<T> = BTreeMap<PeriodLabel, OrEmpty<T>>;

/// A value Matomo may replace by `[]` when there is nothing: one period of a
/// multi-period response, or a visitor profile of an unknown visitor.
///
/// Matomo sends an empty period as `[]` even where a period with data is an
/// object (`VisitsSummary.get`); `[]` decodes to `OrEmpty(None)` unless `T`
/// is a list (a report's rows), which then decodes as no rows. Serialises as the data or `null`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct OrEmpty<T>(pub Option<T>);

impl<T> OrEmpty<T> {
    /// The period's data, if it had any.
    pub fn data(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<T: Classified> Classified for OrEmpty<T> {
    // `None` serialises as null: it exposes less than `Some`.
    const SHAPE: Shape = T::SHAPE;
}

impl<C, T: crate::privacy::FitsUnder<C>> crate::privacy::FitsUnder<C> for OrEmpty<T> {}

impl<'de, T: DeserializeOwned + Classified> Deserialize<'de> for OrEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        // serde lets a struct decode from an array, so `[]` would become an all-default
        // object: ask the type's shape whether it is a list instead.
        let empty = value.as_array().is_some_and(Vec::is_empty);
        if empty && !matches!(T::SHAPE, Shape::List(_)) {
            return Ok(OrEmpty(None));
        }
        T::deserialize(value)
            .map(|data| OrEmpty(Some(data)))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Count, VisitsSummary};

    #[test]
    fn empty_period_is_none_for_objects_and_empty_rows_for_reports() {
        let json = r#"{"2026-11-18":{"nb_visits":"3"},"2026-11-19":[]}"#;
        let periods: PerPeriod<VisitsSummary> = serde_json::from_str(json).unwrap();
        let first = PeriodLabel("2026-11-18".into());
        assert_eq!(periods[&first].data().unwrap().nb_visits, Some(Count(3)));
        assert_eq!(periods[&PeriodLabel("2026-11-19".into())], OrEmpty(None));

        let rows: PerPeriod<Vec<crate::models::DimensionRow>> =
            serde_json::from_str(r#"{"2026-11-19":[]}"#).unwrap();
        assert_eq!(rows.values().next().unwrap().data(), Some(&Vec::new()));
    }

    #[test]
    fn sites_then_periods() {
        let json = r#"{"1":{"2026-11":{"nb_visits":1}},"2":{"2026-11":[]}}"#;
        let nested: PerSite<PerPeriod<VisitsSummary>> = serde_json::from_str(json).unwrap();
        assert_eq!(nested.len(), 2);
        assert!(nested[&SiteId(2)].values().all(|p| p.data().is_none()));
        let paths: Vec<String> = PerSite::<PerPeriod<VisitsSummary>>::fields()
            .iter()
            .map(|f| f.path.clone())
            .collect();
        assert!(
            paths.contains(&"{idSite}.{period}.nb_visits".to_owned()),
            "{paths:?}"
        );
    }

    #[test]
    fn a_wrong_period_body_is_an_error() {
        let err = serde_json::from_str::<PerPeriod<VisitsSummary>>(r#"{"2026":{"nb_visits":"x"}}"#)
            .unwrap_err();
        assert!(
            err.to_string().contains("non-negative whole number"),
            "{err}"
        );
    }
}
