//! Request bodies checked against the OpenAPI document itself, so the simulator cannot drift
//! from the document the client is generated from: its JSON schemas (with jsonschema), and
//! the `x-required-when` rules the document adds to them.

use std::collections::HashMap;

use serde_json::{json, Value};

/// The OpenAPI document, embedded at build time (`spec/` is a link to the workspace's).
pub const DOCUMENT: &str = include_str!("../spec/workspace.yaml");

/// The embedded document as a JSON tree.
pub fn embedded_document() -> Result<Value, DocumentError> {
    parse_document(DOCUMENT)
}

/// An OpenAPI document's YAML (or JSON) text as a JSON tree.
pub fn parse_document(text: &str) -> Result<Value, DocumentError> {
    serde_norway::from_str(text).map_err(|e| DocumentError(e.to_string()))
}

/// One validator per operation with a request body, keyed by `operationId`.
pub struct BodyValidators {
    by_operation: HashMap<String, (jsonschema::Validator, Value)>,
    document: Value,
}

impl std::fmt::Debug for BodyValidators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyValidators")
            .field("operations", &self.by_operation.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Why the validators could not be built from the document.
#[derive(Debug, thiserror::Error)]
#[error("the OpenAPI document: {0}")]
pub struct DocumentError(String);

impl BodyValidators {
    /// Builds validators from a document (a JSON tree).
    pub fn from_document(document: &Value) -> Result<Self, DocumentError> {
        let components = document.get("components").cloned().unwrap_or(Value::Null);
        let mut by_operation = HashMap::new();
        let paths = document["paths"]
            .as_object()
            .ok_or_else(|| DocumentError("no paths".into()))?;
        for item in paths.values() {
            let Some(item) = item.as_object() else {
                continue;
            };
            for operation in item.values() {
                let (Some(id), Some(schema)) = (
                    operation["operationId"].as_str(),
                    operation.pointer("/requestBody/content/application~1json/schema"),
                ) else {
                    continue;
                };
                let root = json!({"allOf": [schema], "components": components});
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft7)
                    .should_validate_formats(true)
                    .build(&root)
                    .map_err(|e| DocumentError(format!("{id}: {e}")))?;
                by_operation.insert(id.to_string(), (validator, schema.clone()));
            }
        }
        Ok(Self {
            by_operation,
            document: document.clone(),
        })
    }

    /// The first violation of `body` against the operation's schema and rules, as
    /// `path: message` (`/desktops/0/computer_name: "x-" does not match ...`).
    pub fn check(&self, operation_id: &str, body: &Value) -> Result<(), String> {
        let Some((validator, schema)) = self.by_operation.get(operation_id) else {
            return Ok(());
        };
        if let Some(error) = validator.iter_errors(body).next() {
            let at = error.instance_path().to_string();
            let at = if at.is_empty() {
                "(body)".to_string()
            } else {
                at
            };
            return Err(format!("{at}: {error}"));
        }
        required_when(&self.document, schema, body, "")
    }

    /// Operation ids that have a body schema.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.by_operation.keys().map(String::as_str)
    }
}

/// Walks `instance` along `schema` and checks every `x-required-when` rule on the way.
fn required_when(root: &Value, schema: &Value, instance: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(root, schema);
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        required_when(root, part, instance, at)?;
    }
    for rule in schema
        .get("x-required-when")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let property = rule["property"].as_str().unwrap_or_default();
        let Some(value) = instance.get(property).and_then(Value::as_str) else {
            continue;
        };
        let applies = rule["in"]
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == value));
        for needed in rule["requires"].as_array().into_iter().flatten() {
            let needed = needed.as_str().unwrap_or_default();
            if applies && instance.get(needed).is_none_or(Value::is_null) {
                return Err(format!(
                    "{at}/{needed}: required when {property} is {value}"
                ));
            }
        }
    }
    match instance {
        Value::Object(fields) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, value) in fields {
                    if let Some(property) = properties.get(name) {
                        required_when(root, property, value, &format!("{at}/{name}"))?;
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    required_when(root, item_schema, item, &format!("{at}/{index}"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validators() -> BodyValidators {
        BodyValidators::from_document(&embedded_document().unwrap()).unwrap()
    }

    #[test]
    fn the_embedded_document_yields_a_validator_per_body() {
        let validators = validators();
        let mut operations: Vec<_> = validators.operations().collect();
        operations.sort();
        assert_eq!(
            operations,
            ["batchAttach", "batchDetach", "changeUserPrivilegeGroup"]
        );
    }

    #[test]
    fn violations_name_the_path() {
        let validators = validators();
        let bad = json!({"desktops": [{"desktop_id": "d", "is_detach_all_users": "false"}]});
        let message = validators.check("batchDetach", &bad).unwrap_err();
        assert!(
            message.starts_with("/desktops/0/is_detach_all_users: "),
            "{message}"
        );
        let missing = json!({"user_privilege_group": "users"});
        let message = validators
            .check("changeUserPrivilegeGroup", &missing)
            .unwrap_err();
        assert!(
            message.contains("\"desktops\" is a required property"),
            "{message}"
        );
        assert!(validators
            .check("batchDetach", &json!({"desktops": []}))
            .is_ok());
    }
}
