//! A platform's error-code table, written once in the spec (`x-hpc-codes` on the code
//! schema), becomes the SDK's typed code enum with its meanings and retry classes.

use anyhow::{Context, anyhow, bail};
use serde_json::Value;

/// The retry classes a code can have, and the `RetryClass` each one becomes.
const CLASSES: &[(&str, &str)] = &[
    ("never", "RetryClass::Never"),
    ("backoff", "RetryClass::Backoff"),
    ("once", "RetryClass::Once"),
    ("twice", "RetryClass::Twice"),
    (
        "once-after-5s",
        "RetryClass::OnceAfter(std::time::Duration::from_secs(5))",
    ),
    ("refresh-token", "RetryClass::RefreshToken"),
];

/// One row of a code table.
struct Row {
    /// One code, or the first and last of a range.
    first: String,
    last: Option<String>,
    variant: String,
    meaning: String,
    class: &'static str,
}

/// Where a platform's table lives and how its codes are typed.
pub struct Table {
    /// The enum's name, e.g. `EhpcCode`.
    pub name: &'static str,
    /// The schema carrying `x-hpc-codes`.
    pub schema: &'static str,
    /// `i64` codes (EHPC `ret_code`) or string codes (SCNet `code`).
    pub numeric: bool,
    /// What the enum's doc says the codes are.
    pub what: &'static str,
}

fn rows(spec: &Value, table: &Table) -> anyhow::Result<Vec<Row>> {
    let entries = spec["components"]["schemas"][table.schema]["x-hpc-codes"]
        .as_array()
        .ok_or_else(|| anyhow!("schema {} has no `x-hpc-codes` table", table.schema))?;
    let text = |value: &Value| -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let mut rows = Vec::new();
    for entry in entries {
        let variant = entry["variant"]
            .as_str()
            .context("an `x-hpc-codes` row has no `variant`")?
            .to_string();
        let (first, last) = match (text(&entry["code"]), entry["range"].as_array()) {
            (Some(code), None) => (code, None),
            (None, Some(range)) if range.len() == 2 && table.numeric => (
                text(&range[0]).context("range start")?,
                Some(text(&range[1]).context("range end")?),
            ),
            _ => bail!(
                "`x-hpc-codes` row {variant}: give `code`, or (numeric codes) `range: [first, last]`"
            ),
        };
        let class_name = entry["retry"].as_str().unwrap_or("never");
        let class = CLASSES
            .iter()
            .find(|(name, _)| *name == class_name)
            .map(|(_, class)| *class)
            .ok_or_else(|| {
                anyhow!(
                    "row {variant}: retry `{class_name}` is not one of {:?}",
                    CLASSES.iter().map(|c| c.0).collect::<Vec<_>>()
                )
            })?;
        rows.push(Row {
            first,
            last,
            variant,
            meaning: entry["meaning"].as_str().unwrap_or_default().to_string(),
            class,
        });
    }
    Ok(rows)
}

/// The Rust source of the code enum of `table`.
pub fn generate(spec: &Value, table: &Table) -> anyhow::Result<String> {
    let rows = rows(spec, table)?;
    let first = rows.first().context("an empty `x-hpc-codes` table")?;
    let name = table.name;
    let (code_type, other_type) = if table.numeric {
        ("i64", "i64")
    } else {
        ("&str", "String")
    };
    let literal = |code: &str| {
        if table.numeric {
            code.to_string()
        } else {
            format!("{code:?}")
        }
    };
    let mut variants = String::new();
    let mut from_arms = String::new();
    let mut code_arms = String::new();
    let mut meaning_arms = String::new();
    let mut class_arms = String::new();
    for row in &rows {
        let v = &row.variant;
        match &row.last {
            None => {
                variants += &format!("/// {}: {}.\n{v},\n", row.first, row.meaning);
                from_arms += &format!("{} => {name}::{v},\n", literal(&row.first));
                code_arms += &format!("{name}::{v} => {},\n", literal(&row.first));
                meaning_arms += &format!("{name}::{v} => {:?},\n", row.meaning);
                class_arms += &format!("{name}::{v} => {},\n", row.class);
            }
            Some(last) => {
                variants += &format!(
                    "/// {}–{last}: {}.\n{v}({other_type}),\n",
                    row.first, row.meaning
                );
                from_arms += &format!("{}..={last} => {name}::{v}(code),\n", row.first);
                code_arms += &format!("{name}::{v}(code) => *code,\n");
                meaning_arms += &format!("{name}::{v}(_) => {:?},\n", row.meaning);
                class_arms += &format!("{name}::{v}(_) => {},\n", row.class);
            }
        }
    }
    let (derive, from_input, from_other, code_other, example_code) = if table.numeric {
        (
            "Clone, Copy",
            "code",
            "other => Other(other)",
            "Other(code) => *code",
            first.first.clone(),
        )
    } else {
        (
            "Clone",
            "code.trim()",
            "other => Other(other.to_string())",
            "Other(code) => code",
            format!("{:?}", first.first),
        )
    };
    let unknown = if table.numeric { "777" } else { "\"777\"" };
    let unknown_value = if table.numeric {
        "777"
    } else {
        "\"777\".into()"
    };
    let source = format!(
        r#"
/// {what}, from the table in the spec (`x-hpc-codes` on `{schema}`).
///
/// ```
/// use hpc_sdk::{name};
/// assert_eq!({name}::from_code({example_code}), {name}::{variant});
/// assert_eq!({name}::{variant}.code(), {example_code});
/// assert_eq!({name}::from_code({unknown}), {name}::Other({unknown_value}));
/// ```
#[derive({derive}, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum {name} {{
{variants}
/// A code outside the documented table, kept as sent.
Other({other_type}),
}}

impl {name} {{
    /// The typed code for a code as the server sends it.
    pub fn from_code(code: {code_type}) -> Self {{
        use {name}::*;
        match {from_input} {{
            {from_arms}
            {from_other},
        }}
    }}

    /// The code as the server sends it.
    pub fn code(&self) -> {code_type} {{
        use {name}::*;
        match self {{
            {code_arms}
            {code_other},
        }}
    }}

    /// What the code means, from the documented table.
    pub fn meaning(&self) -> &'static str {{
        match self {{
            {meaning_arms}
            {name}::Other(_) => "undocumented code",
        }}
    }}

    /// Whether and how a call that met this code may be sent again.
    pub(crate) fn retry_class(&self) -> RetryClass {{
        match self {{
            {class_arms}
            {name}::Other(_) => RetryClass::Never,
        }}
    }}
}}
"#,
        what = table.what,
        schema = table.schema,
        variant = first.variant,
        from_arms = from_arms.replace(&format!("{name}::"), ""),
        code_arms = code_arms.replace(&format!("{name}::"), ""),
    );
    Ok(format!("use super::RetryClass;\n{source}"))
}
