//! An integer that also decodes from a string: the EHPC server sometimes sends numbers
//! as strings (`"total_count": "12"`), and one such field must not fail a whole page.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An `i64` that decodes from a JSON number or a string holding one.
///
/// ```
/// use ehpc_client::LenientInt;
///
/// let from_number: LenientInt = serde_json::from_str("19453").unwrap();
/// let from_string: LenientInt = serde_json::from_str("\" 19453 \"").unwrap();
/// assert_eq!(from_number, from_string);
/// assert_eq!(i64::from(from_number), 19453);
/// assert!(serde_json::from_str::<LenientInt>("\"many\"").is_err());
/// assert_eq!(serde_json::to_string(&from_string).unwrap(), "19453");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LenientInt(pub i64);

impl From<LenientInt> for i64 {
    fn from(value: LenientInt) -> Self {
        value.0
    }
}

impl From<i64> for LenientInt {
    fn from(value: i64) -> Self {
        Self(value)
    }
}

impl fmt::Display for LenientInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for LenientInt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientIntVisitor)
    }
}

struct LenientIntVisitor;

impl Visitor<'_> for LenientIntVisitor {
    type Value = LenientInt;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientInt, E> {
        Ok(LenientInt(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientInt, E> {
        i64::try_from(v)
            .map(LenientInt)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientInt, E> {
        // `12.0` is an integer written loosely; `12.5` is not an integer at all.
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(LenientInt(v as i64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientInt, E> {
        v.trim()
            .parse()
            .map(LenientInt)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl schemars::JsonSchema for LenientInt {
    fn schema_name() -> String {
        "LenientInt".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        // Describe what a well-behaved server sends: an integer.
        <i64 as schemars::JsonSchema>::json_schema(generator)
    }
}
