//! The compile-time description of what a type exposes, and of how sensitive each part is.

use std::fmt;

use super::PrivacyClass;

/// What a [`Classified`](super::Classified) type serialises to, with a class on every leaf.
///
/// A `Shape` is built in `const` context by `#[derive(Classified)]` and by the
/// container impls, so the whole tree exists at compile time and the tool
/// macro can refuse an over-exposing tool before the program runs.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A value that carries one class as a whole (a number, a label).
    Value(PrivacyClass),
    /// A value produced by a transform type, which is how a class goes down.
    Transformed {
        /// The class after the transform.
        class: PrivacyClass,
        /// What the transform did, for manifests (such as "keyed pseudonym (HMAC-SHA256)").
        transform: &'static str,
    },
    /// A JSON object with named fields.
    Object(&'static [Field]),
    /// A JSON array whose elements all have the given shape.
    List(&'static Shape),
    /// The enclosing object again, for a recursive field such as a report row's `subtable: Vec<Row>`.
    ///
    /// It adds no class of its own: every class it can hold is already counted at
    /// the enclosing object. `#[derive(Classified)]` emits it for fields whose type
    /// names the type being derived.
    Recursive,
    /// A JSON object keyed by a typed key (a site id, a period label) whose values share one shape.
    Map {
        /// What the keys are and how sensitive they are.
        key: MapKey,
        /// The shape of every value.
        value: &'static Shape,
    },
}

/// One named field of a [`Shape::Object`].
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The field's name in JSON (after serde renames); empty for a `#[serde(flatten)]` field,
    /// whose own fields appear in the parent object.
    pub name: &'static str,
    /// What the field holds.
    pub shape: Shape,
}

/// The keys of a [`Shape::Map`].
#[derive(Clone, Copy, Debug)]
pub struct MapKey {
    /// A placeholder naming what the keys are, such as `idSite` or `period`; shown as `{idSite}` in paths.
    pub name: &'static str,
    /// How sensitive the keys themselves are.
    pub class: PrivacyClass,
}

/// One leaf of a [`Shape`] with its JSON path, as reported by [`Shape::leaves`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldClass {
    /// JSON path: field names joined by `.`, `[]` for array elements, `{key}` for map entries.
    pub path: String,
    /// The class of the value at that path.
    pub class: PrivacyClass,
    /// The transform that produced the value, if a transform type did.
    pub transform: Option<&'static str>,
}

impl fmt::Display for FieldClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.path, self.class)
    }
}

impl Shape {
    /// The most sensitive class anywhere in the shape, map keys included.
    ///
    /// An object without fields is `Aggregate`: it exposes nothing.
    pub const fn max_class(&self) -> PrivacyClass {
        match self {
            Shape::Value(class) | Shape::Transformed { class, .. } => *class,
            Shape::Recursive => PrivacyClass::Aggregate,
            Shape::List(inner) => inner.max_class(),
            Shape::Map { key, value } => key.class.max(value.max_class()),
            Shape::Object(fields) => {
                let mut max = PrivacyClass::Aggregate;
                let mut i = 0;
                while i < fields.len() {
                    max = max.max(fields[i].shape.max_class());
                    i += 1;
                }
                max
            }
        }
    }

    /// Every leaf with its JSON path, in declaration order.
    ///
    /// Map keys are reported as their own leaf, `{name}`, when they are more
    /// sensitive than `Aggregate`.
    pub fn leaves(&self) -> Vec<FieldClass> {
        let mut out = Vec::new();
        self.collect(&mut String::new(), &mut out);
        out
    }

    fn collect(&self, path: &mut String, out: &mut Vec<FieldClass>) {
        let len = path.len();
        match self {
            Shape::Value(class) => out.push(FieldClass {
                path: leaf_path(path),
                class: *class,
                transform: None,
            }),
            Shape::Transformed { class, transform } => out.push(FieldClass {
                path: leaf_path(path),
                class: *class,
                transform: Some(transform),
            }),
            // Its leaves are the enclosing object's, already reported under shorter paths.
            Shape::Recursive => {}
            Shape::List(inner) => {
                path.push_str("[]");
                inner.collect(path, out);
            }
            Shape::Map { key, value } => {
                push_segment(path, &format!("{{{}}}", key.name));
                if key.class > PrivacyClass::Aggregate {
                    out.push(FieldClass {
                        path: path.clone(),
                        class: key.class,
                        transform: None,
                    });
                }
                value.collect(path, out);
            }
            Shape::Object(fields) => {
                for field in fields.iter() {
                    // An empty name is a `#[serde(flatten)]` field: its leaves sit in the parent.
                    if !field.name.is_empty() {
                        push_segment(path, field.name);
                    }
                    field.shape.collect(path, out);
                    path.truncate(len);
                }
            }
        }
        path.truncate(len);
    }
}

fn leaf_path(path: &str) -> String {
    if path.is_empty() {
        "$".to_owned()
    } else {
        path.to_owned()
    }
}

fn push_segment(path: &mut String, segment: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(segment);
}
