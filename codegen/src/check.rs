//! Checks that run on the raw document before progenitor sees it.
//!
//! progenitor and typify stop at the first problem, often with a panic and no location.
//! These checks find every problem they know of in one pass and name each by JSON pointer.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::diagnostics::Diagnostics;
use crate::load::RawDocument;
use crate::model::METHODS;
use crate::pointer::{self, follow, join};
use crate::tree::walk_pruned;

/// Runs every check and returns all the problems found (empty when the document is fine).
pub fn check(document: &RawDocument) -> Diagnostics {
    let mut found = Findings {
        document,
        diagnostics: Diagnostics::default(),
    };
    found.version();
    walk_pruned(&document.value, "", &mut |value, at| {
        let mut tokens = at.rsplit('/');
        let (last, parent) = (tokens.next(), tokens.next());
        if matches!(last, Some("examples" | "example")) && parent != Some("properties") {
            return false; // examples are data, checked against their schemas below
        }
        found.reference(value, at);
        found.enum_case(value, at);
        found.schema_type(value, at);
        found.required_properties(value, at);
        found.typed(value, at);
        true
    });
    found.operations();
    #[cfg(feature = "examples")]
    if found.diagnostics.is_empty() {
        // Examples are checked once the schemas they are checked against are sound.
        found.examples();
    }
    found.diagnostics
}

struct Findings<'a> {
    document: &'a RawDocument,
    diagnostics: Diagnostics,
}

impl<'a> Findings<'a> {
    fn report(&mut self, at: impl Into<String>, reason: impl Into<String>) {
        self.diagnostics.push(&self.document.path, at, reason);
    }

    fn root(&self) -> &'a Value {
        &self.document.value
    }

    fn version(&mut self) {
        match self.root().get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0.") => {}
            Some(v) => self.report(
                "/openapi",
                format!("OpenAPI {v} is not supported: the generator reads 3.0.x only"),
            ),
            None => self.report("", "missing `openapi` version field (3.0.x is required)"),
        }
    }

    fn reference(&mut self, value: &Value, at: &str) {
        let Some(reference) = value.get("$ref") else {
            return;
        };
        let at = join(at, "$ref");
        match reference.as_str() {
            None => self.report(at, "`$ref` must be a string"),
            Some(r) if !r.starts_with("#/") => self.report(
                at,
                format!("reference {r:?} is not local: only `#/...` references are supported"),
            ),
            Some(r) if pointer::resolve_local(self.root(), r).is_none() => {
                self.report(at, format!("dangling reference: {r:?} does not resolve"))
            }
            Some(_) => {}
        }
    }

    fn enum_case(&mut self, value: &Value, at: &str) {
        let Some(values) = value.get("enum").and_then(Value::as_array) else {
            return;
        };
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (index, item) in values.iter().enumerate() {
            let Some(text) = item.as_str() else { continue };
            match seen.get(&text.to_lowercase()) {
                Some(first) if *first != text => self.report(
                    join(&join(at, "enum"), &index.to_string()),
                    format!(
                        "enum values {first:?} and {text:?} differ only in case: \
                         they would become the same Rust variant"
                    ),
                ),
                Some(_) => self.report(
                    join(&join(at, "enum"), &index.to_string()),
                    format!("enum value {text:?} is listed twice"),
                ),
                None => {
                    seen.insert(text.to_lowercase(), text);
                }
            }
        }
    }

    /// A schema `type` must be one OpenAPI 3.0 knows (typify stops with a panic otherwise).
    fn schema_type(&mut self, value: &Value, at: &str) {
        const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];
        let in_schema = [
            "/schema",
            "/schemas/",
            "/properties/",
            "/items",
            "Of/",
            "/not",
        ]
        .iter()
        .any(|marker| at.contains(marker));
        let Some(kind) = value.get("type").and_then(Value::as_str) else {
            return;
        };
        if in_schema && !TYPES.contains(&kind) {
            self.report(
                join(at, "type"),
                format!(
                    "unknown schema type {kind:?}: expected one of {}",
                    TYPES.join(", ")
                ),
            );
        }
    }

    /// Every `required` name must be a property: typify would otherwise invent a field of
    /// type `serde_json::Value` for it.
    fn required_properties(&mut self, value: &Value, at: &str) {
        let (Some(required), Some(properties)) = (
            value.get("required").and_then(Value::as_array),
            value.get("properties").and_then(Value::as_object),
        ) else {
            return;
        };
        for (index, name) in required.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if !properties.contains_key(name) {
                self.report(
                    join(&join(at, "required"), &index.to_string()),
                    format!(
                        "{name:?} is required but is not a property: the generator would emit a field of type serde_json::Value for it"
                    ),
                );
            }
        }
    }

    /// A schema must say what it is, or the generator falls back to `serde_json::Value`.
    fn typed(&mut self, value: &Value, at: &str) {
        if !is_schema_position(at) {
            return;
        }
        let Some(schema) = value.as_object() else {
            return;
        };
        const TYPED_BY: [&str; 7] = ["type", "$ref", "allOf", "oneOf", "anyOf", "enum", "not"];
        if !TYPED_BY.iter().any(|key| schema.contains_key(*key)) {
            self.report(
                at,
                "this schema has no `type` (nor `$ref`, `allOf`, `enum`…): the generator would \
                 emit serde_json::Value for it",
            );
            return;
        }
        let kind = schema.get("type").and_then(Value::as_str);
        if schema.contains_key("properties") && kind != Some("object") {
            self.report(at, "a schema with `properties` must say `type: object`");
        }
        if kind == Some("object")
            && !schema.contains_key("properties")
            && !schema
                .get("additionalProperties")
                .is_some_and(Value::is_object)
        {
            self.report(
                at,
                "an object without `properties` (or a typed `additionalProperties`): the \
                 generator would emit a map of serde_json::Value",
            );
        }
        if kind == Some("array") && !schema.contains_key("items") {
            self.report(
                at,
                "an array without `items`: the generator would emit a list of serde_json::Value",
            );
        }
    }

    /// Every example must match the schema beside it.
    #[cfg(feature = "examples")]
    fn examples(&mut self) {
        let root = self.root();
        let mut patterns = crate::examples::Patterns::default();
        for (at, schema, example) in crate::examples::all(root) {
            if let Some((inside, reason)) =
                crate::examples::first_violation(&mut patterns, root, schema, example)
            {
                let place = if inside.is_empty() {
                    String::new()
                } else {
                    format!(" at {inside}")
                };
                self.report(
                    at,
                    format!("the example does not match its schema{place}: {reason}"),
                );
            }
        }
    }

    fn operations(&mut self) {
        let Some(paths) = self.root().get("paths").and_then(Value::as_object) else {
            self.report("", "missing `paths` object");
            return;
        };
        let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in paths {
            let item_at = join("/paths", path);
            let Some((item, _)) = follow(self.root(), item, &item_at) else {
                continue; // dangling reference, already reported
            };
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let at = join(&item_at, method);
                self.operation_id(operation, &at, &mut operation_ids);
                self.path_parameters(path, item, &item_at, operation, &at);
                self.request_media_types(operation, &at);
                self.responses(operation, &at);
            }
        }
    }

    fn operation_id(&mut self, operation: &Value, at: &str, seen: &mut BTreeMap<String, String>) {
        match operation.get("operationId").and_then(Value::as_str) {
            None => self.report(
                at,
                "missing operationId: every operation needs one to name its method",
            ),
            Some(id) => {
                if let Some(first) = seen.get(id) {
                    let reason = format!("duplicate operationId {id:?}, first used at {first}");
                    self.report(join(at, "operationId"), reason);
                } else {
                    seen.insert(id.to_string(), at.to_string());
                }
            }
        }
    }

    /// Path parameters must be required, and must match the `{names}` of the template.
    fn path_parameters(
        &mut self,
        path: &str,
        item: &Value,
        item_at: &str,
        operation: &Value,
        at: &str,
    ) {
        let mut declared = BTreeSet::new();
        let lists = [(item, item_at.to_string()), (operation, at.to_string())];
        for (owner, owner_at) in lists {
            let Some(parameters) = owner.get("parameters").and_then(Value::as_array) else {
                continue;
            };
            for (index, parameter) in parameters.iter().enumerate() {
                let parameter_at = join(&join(&owner_at, "parameters"), &index.to_string());
                let Some((parameter, _)) = follow(self.root(), parameter, &parameter_at) else {
                    continue;
                };
                if parameter.get("in").and_then(Value::as_str) != Some("path") {
                    continue;
                }
                let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
                declared.insert(name.to_string());
                if parameter.get("required") != Some(&Value::Bool(true)) {
                    self.report(
                        parameter_at,
                        format!("path parameter {name:?} must be `required: true`"),
                    );
                }
            }
        }
        for name in template_names(path) {
            if !declared.contains(name) {
                self.report(
                    at,
                    format!("path template variable {{{name}}} has no path parameter"),
                );
            }
        }
    }

    fn request_media_types(&mut self, operation: &Value, at: &str) {
        let Some(body) = operation.get("requestBody") else {
            return;
        };
        let body_at = join(at, "requestBody");
        let Some((body, body_at)) = follow(self.root(), body, &body_at) else {
            return;
        };
        if let Some(content) = body.get("content").and_then(Value::as_object) {
            if content.len() > 1 {
                let types: Vec<_> = content.keys().map(String::as_str).collect();
                self.report(
                    join(&body_at, "content"),
                    format!(
                        "more than one request media type ({}): the generator takes exactly one",
                        types.join(", ")
                    ),
                );
            }
        }
    }

    fn responses(&mut self, operation: &Value, at: &str) {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            self.report(at, "missing `responses`");
            return;
        };
        let responses_at = join(at, "responses");
        let mut error_schema: Option<(String, Option<Value>)> = None;
        for (status, response) in responses {
            let response_at = join(&responses_at, status);
            let schema = self.response_schema(response, &response_at);
            if !(status.starts_with('4') || status.starts_with('5') || status == "default") {
                continue;
            }
            match &error_schema {
                None => error_schema = Some((status.clone(), schema)),
                Some((first, first_schema)) if *first_schema != schema => {
                    let reason = format!(
                        "error responses of one operation must share one schema: \
                         {status} uses {}, {first} uses {}",
                        describe(&schema),
                        describe(first_schema)
                    );
                    self.report(response_at, reason);
                }
                Some(_) => {}
            }
        }
    }

    /// The JSON schema of a response (its `$ref` kept as is, for comparison), if it has one.
    fn response_schema(&self, response: &Value, at: &str) -> Option<Value> {
        let (response, _) = follow(self.root(), response, at)?;
        let content = response.get("content")?.as_object()?;
        let media = content
            .get("application/json")
            .or_else(|| content.values().next())?;
        media.get("schema").cloned()
    }
}

fn describe(schema: &Option<Value>) -> String {
    match schema {
        None => "no body".to_string(),
        Some(s) => match s.get("$ref").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => "an inline schema".to_string(),
        },
    }
}

/// The `{name}` variables of a path template.
fn template_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Whether the value at `at` is read as a schema: a named component schema, the schema of a
/// media type, parameter or header, a property, array items or a map's values (`allOf`
/// members may be partial and are not).
fn is_schema_position(at: &str) -> bool {
    let mut tokens = at.rsplit('/');
    let last = tokens.next().unwrap_or("");
    let parent = tokens.next().unwrap_or("");
    let grandparent = tokens.next().unwrap_or("");
    last == "schema"
        || last == "items"
        || last == "additionalProperties"
        || parent == "properties" && grandparent != "properties"
        || parent == "schemas" && grandparent == "components"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn problems(value: Value) -> Vec<(String, String)> {
        let document = RawDocument {
            path: PathBuf::from("t.json"),
            value,
        };
        check(&document)
            .iter()
            .map(|d| (d.pointer.clone(), d.reason.clone()))
            .collect()
    }

    #[test]
    fn template_variables_are_found() {
        let names: Vec<_> = template_names("/v2/{project_id}/jobs/{job_id}").collect();
        assert_eq!(names, ["project_id", "job_id"]);
    }

    #[test]
    fn enum_values_under_examples_are_checked_like_any_enum() {
        let found = problems(serde_json::json!({
            "openapi": "3.0.3", "paths": {},
            "components": {"schemas": {"T": {"type": "string", "enum": ["a", "b", "a"]}}}
        }));
        assert_eq!(
            found,
            [(
                "/components/schemas/T/enum/2".to_string(),
                "enum value \"a\" is listed twice".to_string()
            )]
        );
    }

    #[test]
    fn undeclared_template_variable_is_reported_at_the_operation() {
        let found = problems(serde_json::json!({
            "openapi": "3.0.3",
            "paths": {"/a/{id}": {"get": {"operationId": "a", "responses": {"200": {"description": "x"}}}}}
        }));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/paths/~1a~1{id}/get");
        assert!(
            found[0].1.contains("{id} has no path parameter"),
            "{found:?}"
        );
    }
}
