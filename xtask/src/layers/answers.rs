//! What the facade does with an answer: the envelope impls of every answer type, and
//! how an SCNet answer's `data` becomes what `send()` returns.

use serde_json::Value;

use super::builders::Platform;
use super::model::Operation;

pub fn envelope_impls(platform: Platform, operations: &[Operation]) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = String::new();
    for op in operations {
        if !seen.insert(op.response.clone()) {
            continue;
        }
        let ty = &op.response;
        out += &match platform {
            Platform::Ehpc => format!(
                "impl super::pipeline::Answer for types::{ty} {{\n\
                 fn ret_code(&self) -> i64 {{ i64::from(self.ret_code) }}\n\
                 fn message(&self) -> Option<&str> {{ self.message.as_deref() }}\n}}\n"
            ),
            Platform::Scnet => format!(
                "impl super::envelope::Envelope for types::{ty} {{\n\
                 fn code(&self) -> &scnet_client::Code {{ &self.code }}\n\
                 fn message(&self) -> Option<&str> {{ self.msg.as_deref().or(self.message.as_deref()) }}\n}}\n"
            ),
        };
    }
    out
}

/// The Rust type of an SCNet answer's `data`, and the code that takes it out.
pub fn scnet_data(spec: &Value, op: &Operation) -> (String, String) {
    let schema = &spec["components"]["schemas"][op.response.as_str()];
    let data = schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::once(schema))
        .find_map(|part| part["properties"].get("data"));
    let item = data
        .and_then(|d| d["items"]["$ref"].as_str())
        .and_then(|r| r.rsplit('/').next());
    let scalar = match data.and_then(|d| d["type"].as_str()) {
        Some("number") => Some("f64"),
        Some("integer") => Some("i64"),
        Some("string") => Some("String"),
        _ => None,
    };
    let no_data = format!(
        "answer.data.ok_or_else(|| crate::response::no_data({:?}))",
        op.id
    );
    let (ty, value) = match (item, scalar) {
        (Some(item), _) => (
            format!("Vec<types::{item}>"),
            "answer.data.unwrap_or_default()".to_string(),
        ),
        (None, Some(scalar)) => (scalar.to_string(), format!("{no_data}?")),
        (None, None) => (format!("types::{}", op.response), "answer".to_string()),
    };
    match &op.into {
        Some(into) => (
            format!("super::{into}"),
            format!("Ok(super::{into}::from({value}))"),
        ),
        None => (ty, format!("Ok({value})")),
    }
}
