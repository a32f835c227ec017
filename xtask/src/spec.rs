//! Loading and checking a hand-written OpenAPI spec before progenitor sees it, so that a
//! broken spec is reported with its file and the reason instead of a panic deep inside
//! the generator.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::{OpenAPI, ReferenceOr};
use serde_json::Value;

/// A spec that failed to load or to validate.
#[derive(Debug)]
pub struct SpecError {
    pub file: PathBuf,
    pub reasons: Vec<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a usable OpenAPI 3.0 spec:",
            self.file.display()
        )?;
        for reason in &self.reasons {
            write!(f, "\n  - {reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Reads `file` as plain JSON values, for the vendor extensions (`x-hpc`, `x-hpc-codes`)
/// that the typed document drops.
pub fn raw(file: &Path) -> Result<Value, SpecError> {
    let fail = |reason: String| SpecError {
        file: file.to_path_buf(),
        reasons: vec![reason],
    };
    let text = std::fs::read_to_string(file).map_err(|e| fail(format!("cannot read: {e}")))?;
    serde_yaml::from_str(&text).map_err(|e| fail(format!("not YAML: {e}")))
}

/// Reads `file` and checks it. Returns the typed document.
pub fn load(file: &Path) -> Result<OpenAPI, SpecError> {
    let fail = |reasons: Vec<String>| SpecError {
        file: file.to_path_buf(),
        reasons,
    };
    let text =
        std::fs::read_to_string(file).map_err(|e| fail(vec![format!("cannot read: {e}")]))?;
    // Parsed twice on purpose: untyped to walk every `$ref` and check the version, typed
    // (with line and column on failure) for the generator.
    let raw: Value =
        serde_yaml::from_str(&text).map_err(|e| fail(vec![format!("not YAML: {e}")]))?;
    let mut reasons = check_raw(&raw);
    if !reasons.is_empty() {
        return Err(fail(reasons));
    }
    let spec: OpenAPI = serde_yaml::from_str(&text)
        .map_err(|e| fail(vec![format!("not an OpenAPI document: {e}")]))?;
    reasons.extend(check_operations(&spec));
    if reasons.is_empty() {
        Ok(spec)
    } else {
        Err(fail(reasons))
    }
}

/// Checks that need no typing: the version, and that every `$ref` points at something.
fn check_raw(raw: &Value) -> Vec<String> {
    let mut reasons = Vec::new();
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => reasons.push(format!(
            "`openapi: {v}`: progenitor reads OpenAPI 3.0.x only (3.1 is rejected); write 3.0.3"
        )),
        None => reasons.push("no `openapi:` version string at the top".into()),
    }
    let mut refs = BTreeSet::new();
    collect_refs(raw, &mut refs);
    for reference in refs {
        if resolve(raw, &reference).is_none() {
            reasons.push(format!("`$ref: {reference}` points at nothing"));
        }
    }
    reasons
}

fn collect_refs(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => {
                        into.insert(r.clone());
                    }
                    // Examples are data, not schema: a `$ref` key inside one is a value.
                    ("example" | "examples", _) => {}
                    _ => collect_refs(child, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, into)),
        _ => {}
    }
}

/// Follows a local JSON pointer (`#/components/schemas/Foo`).
fn resolve<'a>(raw: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    raw.pointer(pointer)
}

/// Every operation has an `operationId`, each used once.
fn check_operations(spec: &OpenAPI) -> Vec<String> {
    let mut reasons = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, item) in spec.paths.iter() {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                reasons.push(format!(
                    "path `{path}` is a `$ref` ({reference}); write it inline"
                ));
                continue;
            }
        };
        let in_template = template_names(path);
        for (method, op) in item.iter() {
            let declared = path_parameters(&item.parameters, &op.parameters);
            for name in in_template.difference(&declared) {
                reasons.push(format!(
                    "{} {path}: `{{{name}}}` has no `in: path` parameter",
                    method.to_uppercase()
                ));
            }
            for name in declared.difference(&in_template) {
                reasons.push(format!(
                    "{} {path}: path parameter `{name}` is not in the path",
                    method.to_uppercase()
                ));
            }
            match op.operation_id.as_deref() {
                None | Some("") => reasons.push(format!(
                    "{} {path} has no `operationId`",
                    method.to_uppercase()
                )),
                Some(id) => {
                    if !seen.insert(id.to_string()) {
                        reasons.push(format!(
                            "{} {path}: `operationId: {id}` is used by another operation too",
                            method.to_uppercase()
                        ));
                    }
                }
            }
        }
    }
    if seen.is_empty() {
        reasons.push("no operations under `paths`".into());
    }
    reasons
}

/// The `{name}`s of a path template.
fn template_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// The names of the `in: path` parameters declared inline on a path item or operation
/// (referenced parameters are looked up by progenitor; ours are inline).
fn path_parameters(
    item: &[ReferenceOr<openapiv3::Parameter>],
    op: &[ReferenceOr<openapiv3::Parameter>],
) -> BTreeSet<String> {
    item.iter()
        .chain(op)
        .filter_map(|p| match p {
            ReferenceOr::Item(openapiv3::Parameter::Path { parameter_data, .. }) => {
                Some(parameter_data.name.clone())
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<OpenAPI, SpecError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("broken.yaml");
        std::fs::write(&file, text).unwrap();
        load(&file)
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn names_file_and_reason_for_duplicate_operation_ids() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    get: {{operationId: same, responses: {{}}}}\n  /b:\n    get: {{operationId: same, responses: {{}}}}\n"
        );
        let err = load_str(&text).unwrap_err().to_string();
        assert!(err.contains("broken.yaml"), "{err}");
        assert!(
            err.contains("`operationId: same` is used by another operation"),
            "{err}"
        );
    }

    #[test]
    fn reports_missing_operation_id() {
        let text = format!("{HEAD}paths:\n  /a:\n    get: {{responses: {{}}}}\n");
        let err = load_str(&text).unwrap_err().to_string();
        assert!(err.contains("GET /a has no `operationId`"), "{err}");
    }

    #[test]
    fn path_templates_and_path_parameters_must_match() {
        let text = format!(
            "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      operationId: a\n      parameters:\n        - {{name: other, in: path, required: true, schema: {{type: string}}}}\n      responses: {{}}\n"
        );
        let err = load_str(&text).unwrap_err().to_string();
        assert!(
            err.contains("GET /a/{id}: `{id}` has no `in: path` parameter"),
            "{err}"
        );
        assert!(
            err.contains("path parameter `other` is not in the path"),
            "{err}"
        );
    }

    #[test]
    fn rejects_openapi_3_1() {
        let err = load_str("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("write 3.0.3"), "{err}");
    }

    #[test]
    fn reports_dangling_refs() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Nope'}}\n"
        );
        let err = load_str(&text).unwrap_err().to_string();
        assert!(
            err.contains("`$ref: #/components/schemas/Nope` points at nothing"),
            "{err}"
        );
    }

    #[test]
    fn reports_yaml_syntax_errors_with_location() {
        let err = load_str("openapi: [3.0.3\n").unwrap_err().to_string();
        assert!(err.contains("not YAML") && err.contains("line"), "{err}");
    }
}
