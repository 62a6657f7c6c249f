//! The known metrics of a typed answer, read through its `Serialize` implementation field by
//! field: no JSON value is built on the way, and nothing but numbers under known names is kept.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible, Serializer};

use super::{Metrics, known_metric};

impl Metrics {
    /// The known metrics among the top-level fields of a typed answer (a summary such as
    /// `visits_summary::Get`'s output): numbers under a name with a merge rule, as
    /// [`Metrics::known_in`] reads them from a JSON object. Everything else (labels, nested
    /// tables, flags, text) is left out.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::minimise::Metrics;
    ///
    /// #[derive(serde::Serialize)]
    /// struct Answer {
    ///     nb_visits: Option<u64>,
    ///     bounce_rate: f64,
    ///     label: &'static str,
    ///     unknown_count: u64,
    /// }
    ///
    /// let answer = Answer { nb_visits: Some(12), bounce_rate: 0.25, label: "x", unknown_count: 3 };
    /// let metrics = Metrics::of(&answer);
    /// assert_eq!(metrics.get("nb_visits"), Some(12.0));
    /// assert_eq!(metrics.get("bounce_rate"), Some(0.25));
    /// assert_eq!(metrics.iter().count(), 2);
    /// ```
    pub fn of<T: Serialize + ?Sized>(answer: &T) -> Metrics {
        let mut metrics = Metrics::new();
        // An answer that is not a struct or map has no fields to read: no metrics.
        let _ = answer.serialize(Fields {
            metrics: &mut metrics,
        });
        metrics
    }
}

/// Not a field or not a number: left out. (The serializers' error type; nothing reports it.)
#[derive(Debug)]
struct Skipped;

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a known metric")
    }
}

impl std::error::Error for Skipped {}

impl ser::Error for Skipped {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Skipped
    }
}

/// Serialises an answer's top level: a struct, or a map (a struct with flattened fields).
struct Fields<'a> {
    metrics: &'a mut Metrics,
}

/// The fields of a struct or the entries of a map, each kept when it is a known metric.
struct Entries<'a> {
    metrics: &'a mut Metrics,
    key: Option<String>,
}

impl Entries<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if let Some((known, _)) = known_metric(name)
            && let Ok(Some(number)) = value.serialize(Number)
        {
            self.metrics.set_known(known, number);
        }
    }
}

impl ser::SerializeStruct for Entries<'_> {
    type Ok = ();
    type Error = Skipped;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Skipped> {
        self.field(key, value);
        Ok(())
    }

    fn end(self) -> Result<(), Skipped> {
        Ok(())
    }
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = Skipped;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Skipped> {
        self.key = key.serialize(Key).ok();
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Skipped> {
        if let Some(key) = self.key.take() {
            self.field(&key, value);
        }
        Ok(())
    }

    fn end(self) -> Result<(), Skipped> {
        Ok(())
    }
}

/// Every serializer method but the ones named: not what is looked for.
macro_rules! skip {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Self::Ok, Skipped> {
            Err(Skipped)
        }
    )*};
}

/// Serializer methods that refuse a value of their kind: `Self::$out` is never made.
macro_rules! refuse {
    ($($method:ident($($ty:ty),*) -> $out:ident),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Self::$out, Skipped> {
            Err(Skipped)
        }
    )*};
}

/// Hands `$each` (a macro of the shape of `skip!`) the serializer methods of numbers.
macro_rules! numbers {
    ($each:ident) => {
        $each!(
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
        );
    };
}

/// Hands `$each` the serializer methods of the plain values that are neither numbers nor text.
macro_rules! neither_numbers_nor_text {
    ($each:ident) => {
        $each!(
            serialize_bool(bool),
            serialize_char(char),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );
    };
}

/// The compound serializers of `$ok`'s serializer that are never made: `type $name = Impossible`.
macro_rules! impossible {
    ($ok:ty: $($name:ident),* $(,)?) => {$(
        type $name = Impossible<$ok, Skipped>;
    )*};
}

/// What every serializer here does alike: an `Option`'s value and a newtype struct's are seen
/// through; a newtype variant gives `$variant`; sequences, tuples and variants with fields are
/// refused (none is a metric or a field's name).
macro_rules! see_through_newtypes {
    ($variant:expr) => {
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Skipped> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<Self::Ok, Skipped> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, Skipped> {
            $variant
        }

        refuse!(
            serialize_seq(Option<usize>) -> SerializeSeq,
            serialize_tuple(usize) -> SerializeTuple,
            serialize_tuple_struct(&'static str, usize) -> SerializeTupleStruct,
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> SerializeTupleVariant,
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> SerializeStructVariant,
        );
    };
}

impl<'a> Serializer for Fields<'a> {
    type Ok = ();
    type Error = Skipped;
    type SerializeMap = Entries<'a>;
    type SerializeStruct = Entries<'a>;
    impossible!(
        ():
        SerializeSeq, SerializeTuple, SerializeTupleStruct, SerializeTupleVariant,
        SerializeStructVariant,
    );

    numbers!(skip);
    neither_numbers_nor_text!(skip);
    skip!(serialize_str(&str));

    see_through_newtypes!(Err(Skipped));

    fn serialize_map(self, _: Option<usize>) -> Result<Entries<'a>, Skipped> {
        Ok(Entries {
            metrics: self.metrics,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Entries<'a>, Skipped> {
        Ok(Entries {
            metrics: self.metrics,
            key: None,
        })
    }
}

/// A field's value as a number, if it is one (through `Option` and newtypes), as JSON would
/// carry it; `None` for anything else.
struct Number;

/// A number's serializer methods: the value as `f64`, as JSON's numbers are read.
macro_rules! number {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        // Whole numbers above 2^53 lose precision here as they do in JSON's `as_f64`.
        #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
        fn $method(self, value: $ty) -> Result<Option<f64>, Skipped> {
            Ok(Some(value as f64))
        }
    )*};
}

/// The same for the serializer of one value (`Ok` is the number, if any).
macro_rules! not_a_number {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Option<f64>, Skipped> {
            Ok(None)
        }
    )*};
}

impl Serializer for Number {
    type Ok = Option<f64>;
    type Error = Skipped;
    impossible!(
        Option<f64>:
        SerializeSeq, SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, SerializeMap,
        SerializeStruct, SerializeStructVariant,
    );

    numbers!(number);
    neither_numbers_nor_text!(not_a_number);
    not_a_number!(serialize_str(&str));

    see_through_newtypes!(Ok(None));
    refuse!(
        serialize_map(Option<usize>) -> SerializeMap,
        serialize_struct(&'static str, usize) -> SerializeStruct
    );
}

/// A map key as text (flattened fields are serialised as a map's entries).
struct Key;

impl Serializer for Key {
    type Ok = String;
    type Error = Skipped;
    impossible!(
        String:
        SerializeSeq, SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, SerializeMap,
        SerializeStruct, SerializeStructVariant,
    );

    fn serialize_str(self, value: &str) -> Result<String, Skipped> {
        Ok(value.to_owned())
    }

    numbers!(skip);
    neither_numbers_nor_text!(skip);

    see_through_newtypes!(Err(Skipped));
    refuse!(
        serialize_map(Option<usize>) -> SerializeMap,
        serialize_struct(&'static str, usize) -> SerializeStruct
    );
}
