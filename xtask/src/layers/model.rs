//! The facts of each operation as the spec's `x-hpc` extension writes them, read and
//! checked once, for every generated layer above the progenitor client.

use anyhow::{Context, anyhow, bail};
use serde_json::Value;

/// The hosts an operation can go to.
pub const HOSTS: &[&str] = &["api", "portal", "region-hpc", "region-efile"];
/// How an operation is authenticated.
pub const AUTHS: &[&str] = &[
    "signed",
    "platform-token",
    "region-token",
    "token-being-renewed",
    "none",
];
/// The envelopes an answer can come in.
pub const ENVELOPES: &[&str] = &["ehpc", "scnet"];

/// One operation of a spec.
#[derive(Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub host: String,
    pub auth: String,
    pub idempotent: bool,
    pub envelope: String,
    /// The 200 answer's schema name (`types::<name>`).
    pub response: String,
    /// Whether the 200 answer has an `example`.
    pub has_example: bool,
    /// `resource` and `method` of the facade handle, when the facade layer is generated.
    pub facade: Option<(String, String)>,
    pub paging: Option<Paging>,
    pub params: Vec<Param>,
    /// `x-hpc.cluster_user`: the parameter that takes the region's cluster user, which
    /// the facade discovers unless the caller sets `.user(...)`.
    pub cluster_user: Option<String>,
    /// `x-hpc.cluster` (EHPC): the parameter that defaults to the client's cluster.
    pub cluster: Option<String>,
    /// `x-hpc.into`: the facade type the answer's `data` becomes (`From<data>`).
    pub into: Option<String>,
}

/// `x-hpc.paging`: which fields page the listing.
#[derive(Debug)]
pub struct Paging {
    pub offset: String,
    pub limit: String,
    pub total: String,
    pub items: String,
    /// Other names the server gives the item list (a page's table and its example
    /// disagree): the first one present is read.
    pub items_also: Vec<String>,
    /// The item type (`types::<name>`).
    pub item: String,
    /// The item field that names an item, if any.
    pub key: Option<String>,
    pub max_limit: u32,
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    pub required: bool,
    pub description: String,
    /// `String`, `i64`, `f64` or `bool`.
    pub rust_type: &'static str,
}

impl Param {
    /// The setter name progenitor gives it (snake case).
    pub fn setter(&self) -> String {
        snake_case(&self.name)
    }
}

/// Every operation of a spec (parsed YAML as JSON), in path order.
pub fn operations(spec: &Value, file: &str) -> anyhow::Result<Vec<Operation>> {
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{file}: no paths"))?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !matches!(method.as_str(), "get" | "post" | "put" | "delete" | "patch") {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            let operation = operation(spec, path, method, op).with_context(|| {
                format!("{file}: operation {id} ({} {path})", method.to_uppercase())
            })?;
            operations.push(operation);
        }
    }
    Ok(operations)
}

fn operation(spec: &Value, path: &str, method: &str, op: &Value) -> anyhow::Result<Operation> {
    let facts = op
        .get("x-hpc")
        .ok_or_else(|| anyhow!("has no `x-hpc` facts (host, auth, idempotent, envelope)"))?;
    let text = |key: &str, allowed: &[&str]| -> anyhow::Result<String> {
        let value = facts[key]
            .as_str()
            .ok_or_else(|| anyhow!("`x-hpc.{key}` is missing"))?;
        if !allowed.contains(&value) {
            bail!("`x-hpc.{key}: {value}` is not one of {allowed:?}");
        }
        Ok(value.to_string())
    };
    let host = text("host", HOSTS)?;
    let auth = text("auth", AUTHS)?;
    let envelope = text("envelope", ENVELOPES)?;
    if let Some(transport) = facts.get("transport")
        && transport.as_str() != Some("stream")
    {
        bail!("`x-hpc.transport` may only be `stream` (sent by the SDK's own code)");
    }
    let idempotent = facts["idempotent"]
        .as_bool()
        .ok_or_else(|| anyhow!("`x-hpc.idempotent` must be true or false"))?;
    let ok = &op["responses"]["200"]["content"]["application/json"];
    let response = schema_name(&ok["schema"])
        .ok_or_else(|| anyhow!("the 200 answer is not a `$ref` to a schema"))?;
    let facade = match (facts.get("resource"), facts.get("method")) {
        (Some(resource), Some(name)) => Some((
            resource.as_str().context("`x-hpc.resource`")?.to_string(),
            name.as_str().context("`x-hpc.method`")?.to_string(),
        )),
        (None, None) => None,
        _ => bail!("`x-hpc.resource` and `x-hpc.method` go together"),
    };
    let mut params = Vec::new();
    for param in op["parameters"].as_array().into_iter().flatten() {
        let param = match schema_name_of_ref(param) {
            Some(name) => spec["components"]["parameters"][name].clone(),
            None => param.clone(),
        };
        params.push(parameter(spec, &param)?);
    }
    let paging = match facts.get("paging") {
        Some(paging) => Some(paging_of(spec, &response, paging, &params)?),
        None => None,
    };
    let cluster = facts["cluster"].as_str().map(str::to_string);
    if let Some(name) = &cluster
        && !params.iter().any(|p| &p.name == name)
    {
        bail!("`x-hpc.cluster` names `{name}`, which is not a parameter");
    }
    let cluster_user = facts["cluster_user"].as_str().map(str::to_string);
    if let Some(name) = &cluster_user
        && !params.iter().any(|p| &p.name == name)
    {
        bail!("`x-hpc.cluster_user` names `{name}`, which is not a parameter");
    }
    Ok(Operation {
        cluster,
        cluster_user,
        into: facts["into"].as_str().map(str::to_string),
        id: op["operationId"].as_str().unwrap_or_default().to_string(),
        method: method.to_uppercase(),
        path: path.to_string(),
        summary: op["summary"].as_str().unwrap_or_default().to_string(),
        host,
        auth,
        idempotent,
        envelope,
        response,
        has_example: ok.get("example").is_some(),
        facade,
        paging,
        params,
    })
}

fn parameter(spec: &Value, param: &Value) -> anyhow::Result<Param> {
    let name = param["name"]
        .as_str()
        .ok_or_else(|| anyhow!("a parameter has no name"))?;
    let schema = resolve_schema(spec, &param["schema"]);
    let rust_type = match schema["type"].as_str() {
        Some("string") if schema["format"] == "date-time" => "chrono::DateTime<chrono::Utc>",
        Some("string") => "String",
        Some("integer") => "i64",
        Some("number") => "f64",
        Some("boolean") => "bool",
        Some("array") if resolve_schema(spec, &schema["items"])["type"] == "string" => {
            "Vec<String>"
        }
        other => bail!("parameter `{name}`: type {other:?} has no facade mapping"),
    };
    Ok(Param {
        name: name.to_string(),
        required: param["required"].as_bool().unwrap_or(false),
        description: param["description"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string(),
        rust_type,
    })
}

fn paging_of(
    spec: &Value,
    response: &str,
    paging: &Value,
    params: &[Param],
) -> anyhow::Result<Paging> {
    let field = |key: &str| -> anyhow::Result<String> {
        paging[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("`x-hpc.paging.{key}` is missing"))
    };
    // `items` is one field name, or a list of the spellings the server may use.
    let mut item_names: Vec<String> = match &paging["items"] {
        Value::Array(names) => names
            .iter()
            .map(|n| n.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| anyhow!("`x-hpc.paging.items` must be names"))?,
        _ => vec![field("items")?],
    };
    if item_names.is_empty() {
        bail!("`x-hpc.paging.items` is empty");
    }
    let items = item_names.remove(0);
    let items_also = item_names;
    let (offset, limit, total) = (field("offset")?, field("limit")?, field("total")?);
    for name in [&offset, &limit] {
        if !params.iter().any(|p| &p.name == name) {
            bail!("`x-hpc.paging` names `{name}`, which is not a parameter");
        }
    }
    let properties = &spec["components"]["schemas"][response]["properties"];
    if properties.get(&total).is_none() {
        bail!("`x-hpc.paging.total`: {response} has no `{total}`");
    }
    let item = schema_name(&properties[&items]["items"]).ok_or_else(|| {
        anyhow!("`x-hpc.paging.items`: {response}.{items} is not an array of a `$ref`")
    })?;
    for other in &items_also {
        if schema_name(&properties[other]["items"]).as_deref() != Some(item.as_str()) {
            bail!("`x-hpc.paging.items`: {response}.{other} is not an array of `{item}`");
        }
    }
    let key = paging["key"].as_str().map(str::to_string);
    if let Some(key) = &key
        && spec["components"]["schemas"][&item]["properties"]
            .get(key)
            .is_none()
    {
        bail!("`x-hpc.paging.key`: {item} has no `{key}`");
    }
    let max_limit = paging["max_limit"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| anyhow!("`x-hpc.paging.max_limit` must be a positive integer"))?;
    Ok(Paging {
        offset,
        limit,
        total,
        items,
        items_also,
        item,
        key,
        max_limit,
    })
}

/// `Foo` for `{"$ref": "#/components/schemas/Foo"}`.
fn schema_name(schema: &Value) -> Option<String> {
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_string)
}

fn schema_name_of_ref(param: &Value) -> Option<&str> {
    param["$ref"]
        .as_str()?
        .strip_prefix("#/components/parameters/")
}

fn resolve_schema<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema_name(schema) {
        Some(name) => &spec["components"]["schemas"][name.as_str()],
        None => schema,
    }
}

/// `userName` → `user_name`, `job_status` stays.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `list_clusters` → `ListClusters`.
pub fn camel_case(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_progenitor() {
        assert_eq!(snake_case("userName"), "user_name");
        assert_eq!(snake_case("clusterId"), "cluster_id");
        assert_eq!(snake_case("job_status"), "job_status");
        assert_eq!(camel_case("list_clusters"), "ListClusters");
        assert_eq!(camel_case("get_job_state_counts"), "GetJobStateCounts");
    }

    #[test]
    fn an_operation_without_facts_is_refused_with_its_name() {
        let spec =
            serde_json::json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}});
        let err = format!("{:#}", operations(&spec, "spec/x.yaml").unwrap_err());
        assert!(err.contains("spec/x.yaml: operation a (GET /a)"), "{err}");
        assert!(err.contains("no `x-hpc` facts"), "{err}");
    }

    #[test]
    fn an_unknown_host_is_refused() {
        let spec = serde_json::json!({"paths": {"/a": {"get": {"operationId": "a",
            "x-hpc": {"host": "moon", "auth": "none", "idempotent": true, "envelope": "scnet"},
            "responses": {}}}}});
        let err = format!("{:#}", operations(&spec, "spec/x.yaml").unwrap_err());
        assert!(err.contains("`x-hpc.host: moon` is not one of"), "{err}");
    }
}
