//! The envelope's `code`: documented as a string, sent as a number by some servers.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The `code` of an SCNet answer (and a login's `clusterId`): a string that also decodes
/// from a JSON number. `"0"` means success.
///
/// ```
/// use scnet_client::Code;
///
/// let from_string: Code = serde_json::from_str("\"10008\"").unwrap();
/// let from_number: Code = serde_json::from_str("10008").unwrap();
/// assert_eq!(from_string, from_number);
/// assert_eq!(from_string.as_str(), "10008");
/// assert!(!from_string.is_success());
/// assert!(serde_json::from_str::<Code>("0").unwrap().is_success());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(pub String);

impl Code {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `true` for `"0"`, the only success code.
    pub fn is_success(&self) -> bool {
        self.0.trim() == "0"
    }
}

impl From<&str> for Code {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CodeVisitor)
    }
}

struct CodeVisitor;

impl Visitor<'_> for CodeVisitor {
    type Value = Code;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code as a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Code, E> {
        Ok(Code(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Code, E> {
        Ok(Code(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Code, E> {
        Ok(Code(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Code, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Code((v as i64).to_string()))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> String {
        "Code".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        <String as schemars::JsonSchema>::json_schema(generator)
    }
}
