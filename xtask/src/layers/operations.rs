//! The facts table of a client crate: one `Operation` constant per operation of the
//! spec, and the decoder that tells the examples test which type each answer has.

use super::model::{Operation, camel_case};

fn variant(value: &str) -> String {
    camel_case(value)
}

/// The Rust source of `generated_operations.rs`.
pub fn generate(spec_file: &str, operations: &[Operation]) -> String {
    let mut constants = String::new();
    let mut all = String::new();
    let mut decoders = String::new();
    for op in operations {
        let constant = op.id.to_uppercase();
        let paging = match &op.paging {
            Some(p) => format!(
                "Some(Paging {{ offset: {:?}, limit: {:?}, total: {:?}, items: {:?}, max_limit: {} }})",
                p.offset, p.limit, p.total, p.items, p.max_limit
            ),
            None => "None".to_string(),
        };
        constants += &format!(
            r#"
/// `{method} {path}`: {summary}
pub const {constant}: Operation = Operation {{
    id: {id:?},
    method: {method:?},
    path: {path:?},
    host: Host::{host},
    auth: Auth::{auth},
    idempotent: {idempotent},
    envelope: Envelope::{envelope},
    paging: {paging},
}};
"#,
            method = op.method,
            path = op.path,
            summary = op.summary.replace('`', "'"),
            id = op.id,
            host = variant(&op.host),
            auth = variant(&op.auth),
            idempotent = op.idempotent,
            envelope = variant(&op.envelope),
        );
        all += &format!("{constant},\n");
        if op.has_example {
            decoders += &format!(
                "{:?} => serde_json::from_value::<types::{}>(answer.clone()).map(drop),\n",
                op.id, op.response
            );
        }
    }
    format!(
        r#"
//! What `{spec_file}` says about each operation beyond OpenAPI (its `x-hpc` facts).
use crate::types;

/// Where an operation's request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Host {{
    /// The API host (EHPC; SCNet's AK/SK login).
    Api,
    /// The SCNet platform host.
    Portal,
    /// A region's hpc URL, discovered through `center`.
    RegionHpc,
    /// A region's efile URL, discovered through `center`.
    RegionEfile,
}}

/// How an operation is authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {{
    /// Signed with the access key (EHPC).
    Signed,
    /// The platform token.
    PlatformToken,
    /// The region's token.
    RegionToken,
    /// The token being renewed.
    TokenBeingRenewed,
    /// None (a login).
    None,
}}

/// The envelope an answer comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Envelope {{
    /// `{{"ret_code": N, "message": ...}}`.
    Ehpc,
    /// `{{"code": "N", "msg": ..., "data": ...}}`.
    Scnet,
}}

/// The fields that page a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {{
    /// The offset parameter.
    pub offset: &'static str,
    /// The page-size parameter.
    pub limit: &'static str,
    /// The answer's count of all matching items.
    pub total: &'static str,
    /// The answer's items.
    pub items: &'static str,
    /// The most items a page holds, whatever the page size asks.
    pub max_limit: u32,
}}

/// The facts of one operation.
///
/// ```
/// use {crate_name}::operations::OPERATIONS;
/// assert!(OPERATIONS.iter().all(|op| !op.id.is_empty()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {{
    /// The spec's `operationId`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// Where the request goes.
    pub host: Host,
    /// How it is authenticated.
    pub auth: Auth,
    /// Whether sending it twice does no harm (only then is it retried).
    pub idempotent: bool,
    /// The envelope of its answer.
    pub envelope: Envelope,
    /// For listings, the paging fields.
    pub paging: Option<Paging>,
}}
{constants}
/// Every operation of the spec.
pub const OPERATIONS: &[Operation] = &[
{all}];

/// Decodes `answer` as the 200 answer of `operation_id`: `None` for an operation whose
/// answer has no example in the spec (the examples test uses this table).
pub fn decode_example(operation_id: &str, answer: &serde_json::Value) -> Option<Result<(), serde_json::Error>> {{
    Some(match operation_id {{
        {decoders}
        _ => return None,
    }})
}}
"#,
        crate_name = if spec_file.contains("ehpc") {
            "ehpc_client"
        } else {
            "scnet_client"
        },
    )
}
