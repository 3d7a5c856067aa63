//! Request bodies checked against `spec/workspace.yaml` itself, so the simulator cannot drift
//! from the document the client is generated from.

use std::collections::HashMap;

use serde_json::{json, Value};

/// The OpenAPI document, embedded at build time.
pub const DOCUMENT: &str = include_str!("../spec/workspace.yaml");

/// One JSON-schema validator per operation with a request body, keyed by operationId.
pub struct BodyValidators {
    by_operation: HashMap<String, jsonschema::Validator>,
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
#[error("spec/workspace.yaml: {0}")]
pub struct DocumentError(String);

impl BodyValidators {
    /// Builds validators from the embedded document.
    pub fn from_document() -> Result<Self, DocumentError> {
        Self::from_text(DOCUMENT)
    }

    /// Builds validators from an OpenAPI document's YAML (or JSON) text.
    pub fn from_text(text: &str) -> Result<Self, DocumentError> {
        let document: Value =
            serde_norway::from_str(text).map_err(|e| DocumentError(e.to_string()))?;
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
                by_operation.insert(id.to_string(), validator);
            }
        }
        Ok(Self { by_operation })
    }

    /// The first violation of `body` against the operation's schema, as
    /// `path: message` (`/desktops/0/computer_name: "x-" does not match ...`).
    pub fn check(&self, operation_id: &str, body: &Value) -> Result<(), String> {
        let Some(validator) = self.by_operation.get(operation_id) else {
            return Ok(());
        };
        match validator.iter_errors(body).next() {
            None => Ok(()),
            Some(error) => {
                let at = error.instance_path().to_string();
                let at = if at.is_empty() {
                    "(body)".to_string()
                } else {
                    at
                };
                Err(format!("{at}: {error}"))
            }
        }
    }

    /// Operation ids that have a body schema.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.by_operation.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_document_yields_a_validator_per_body() {
        let validators = BodyValidators::from_document().unwrap();
        let mut operations: Vec<_> = validators.operations().collect();
        operations.sort();
        assert_eq!(
            operations,
            ["batchAttach", "batchDetach", "changeUserPrivilegeGroup"]
        );
    }

    #[test]
    fn violations_name_the_path() {
        let validators = BodyValidators::from_document().unwrap();
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
