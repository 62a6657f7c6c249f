//! Maps from a Matomo metric or dimension name to its translated label or documentation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::privacy::{Classified, ClassifiedKey, MapKey, PrivacyClass, Shape};

/// The name of a metric or dimension column (`nb_visits`, `Events_EventAction`).
///
/// Column names are Matomo's own vocabulary, not visitor data: aggregate.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct MetricName(pub String);

impl fmt::Display for MetricName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ClassifiedKey for MetricName {
    const KEY: MapKey = MapKey {
        name: "metric",
        class: PrivacyClass::Aggregate,
    };
    type Level = crate::privacy::max_class::aggregate;
}

/// Column name → label, type or documentation text, all Matomo's own UI text: aggregate.
///
/// PHP sends an empty map as `[]`; that decodes as an empty map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NameMap(pub BTreeMap<MetricName, String>);

impl Classified for NameMap {
    const SHAPE: Shape = Shape::Map {
        key: MetricName::KEY,
        value: &Shape::Value(PrivacyClass::Aggregate),
    };
}

crate::privacy::leaf_class!(NameMap, aggregate);

impl JsonSchema for NameMap {
    fn schema_name() -> Cow<'static, str> {
        "NameMap".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BTreeMap::<String, String>::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for NameMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum MapOrEmptyList {
            Map(BTreeMap<MetricName, String>),
            List([(); 0]),
        }
        Ok(match MapOrEmptyList::deserialize(deserializer)? {
            MapOrEmptyList::Map(map) => NameMap(map),
            MapOrEmptyList::List(_) => NameMap::default(),
        })
    }
}
