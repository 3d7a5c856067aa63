//! Requests checked against the OpenAPI document itself, so the simulator cannot drift from
//! the document the client is generated from: bodies against their JSON schemas (with
//! jsonschema) and the `x-required-when` rules the document adds to them, query parameters
//! against theirs; and the statuses each operation may answer with.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

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

/// What the document says each operation accepts and answers, keyed by `operationId`.
pub struct Validators {
    by_operation: HashMap<String, (jsonschema::Validator, Value)>,
    queries: HashMap<String, Vec<QueryParameter>>,
    statuses: HashMap<String, Vec<String>>,
    document: Value,
}

/// A query parameter: its name, its type and a validator of its schema.
struct QueryParameter {
    name: String,
    kind: String,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Validators {
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

fn validator(
    schema: &Value,
    components: &Value,
    id: &str,
) -> Result<jsonschema::Validator, DocumentError> {
    let root = json!({"allOf": [schema], "components": components});
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| DocumentError(format!("{id}: {e}")))
}

impl Validators {
    /// Builds validators from a document (a JSON tree).
    pub fn from_document(document: &Value) -> Result<Self, DocumentError> {
        let components = document.get("components").cloned().unwrap_or(Value::Null);
        let mut by_operation = HashMap::new();
        let mut queries = HashMap::new();
        let mut statuses = HashMap::new();
        let paths = document["paths"]
            .as_object()
            .ok_or_else(|| DocumentError("no paths".into()))?;
        for item in paths.values() {
            let Some(item) = item.as_object() else {
                continue;
            };
            let shared = item.get("parameters").and_then(Value::as_array);
            for operation in item.values() {
                let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(schema) =
                    operation.pointer("/requestBody/content/application~1json/schema")
                {
                    let validator = validator(schema, &components, id)?;
                    by_operation.insert(id.to_string(), (validator, schema.clone()));
                }
                let mut parameters = Vec::new();
                let own = operation.get("parameters").and_then(Value::as_array);
                for parameter in shared.into_iter().chain(own).flatten() {
                    let parameter = resolve(document, parameter);
                    if parameter.get("in").and_then(Value::as_str) != Some("query") {
                        continue;
                    }
                    let schema = resolve(document, &parameter["schema"]);
                    parameters.push(QueryParameter {
                        name: parameter["name"].as_str().unwrap_or_default().to_string(),
                        kind: schema["type"].as_str().unwrap_or("string").to_string(),
                        validator: validator(schema, &components, id)?,
                    });
                }
                queries.insert(id.to_string(), parameters);
                let answered = operation
                    .get("responses")
                    .and_then(Value::as_object)
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default();
                statuses.insert(id.to_string(), answered);
            }
        }
        Ok(Self {
            by_operation,
            queries,
            statuses,
            document: document.clone(),
        })
    }

    /// The query of a request (`a=1&b=x`, percent-encoded) read as the operation's parameters
    /// say: integers and booleans as JSON numbers and booleans, each checked against its
    /// schema. A parameter given twice is refused; one the document does not know is ignored,
    /// as the service does.
    pub fn check_query(
        &self,
        operation_id: &str,
        query: &str,
    ) -> Result<Map<String, Value>, String> {
        let mut read = Map::new();
        let Some(parameters) = self.queries.get(operation_id) else {
            return Ok(read);
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, text) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name);
            let Some(parameter) = parameters.iter().find(|p| p.name == name) else {
                continue;
            };
            let text = decode(text);
            let value = match parameter.kind.as_str() {
                "integer" => text
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| format!("{name}: {text:?} is not an integer"))?,
                "boolean" => match text.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => return Err(format!("{name}: {text:?} is not true or false")),
                },
                _ => Value::String(text),
            };
            if let Some(error) = parameter.validator.iter_errors(&value).next() {
                return Err(format!("{name}: {error}"));
            }
            if read.insert(name.clone(), value).is_some() {
                return Err(format!("{name}: given more than once"));
            }
        }
        Ok(read)
    }

    /// The status to answer an error of `status` with: itself when the operation documents
    /// it (exactly, by its `4XX`/`5XX` range, or through `default`), otherwise the
    /// operation's 400 or 500 for its class, so that the simulator answers only what the
    /// document lists.
    pub fn documented_status(&self, operation_id: &str, status: u16) -> u16 {
        let Some(listed) = self.statuses.get(operation_id) else {
            return status;
        };
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        if listed
            .iter()
            .any(|s| *s == exact || s.eq_ignore_ascii_case(&range) || s == "default")
        {
            return status;
        }
        let fallback = if status < 500 { "400" } else { "500" };
        if listed.iter().any(|s| s == fallback) {
            fallback.parse().unwrap_or(status)
        } else {
            status
        }
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

/// Percent-decodes a query component (`+` is a space, as forms write it).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        index += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

    fn validators() -> Validators {
        Validators::from_document(&embedded_document().unwrap()).unwrap()
    }

    #[test]
    fn the_embedded_document_yields_a_validator_per_body() {
        let validators = validators();
        let mut operations: Vec<_> = validators.operations().collect();
        operations.sort();
        let document = embedded_document().unwrap();
        let mut with_body: Vec<&str> = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter(|operation| operation.get("requestBody").is_some())
            .filter_map(|operation| operation["operationId"].as_str())
            .collect();
        with_body.sort();
        assert!(!with_body.is_empty());
        assert_eq!(operations, with_body);
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
        let empty = validators
            .check("batchDetach", &json!({"desktops": []}))
            .unwrap_err();
        assert!(
            empty.starts_with("/desktops: "),
            "the service takes 1 to 100: {empty}"
        );
    }

    #[test]
    fn queries_are_read_by_their_schemas() {
        let validators = validators();
        let read = validators
            .check_query(
                "listDesktops",
                "user_attached=false&limit=50&user_name=a%20b&other=1",
            )
            .unwrap();
        assert_eq!(read["user_attached"], json!(false));
        assert_eq!(read["limit"], json!(50));
        assert_eq!(read["user_name"], json!("a b"));
        assert!(!read.contains_key("other"));
        for bad in [
            "limit=501",
            "limit=x",
            "user_attached=yes",
            "offset=-1",
            "limit=1&limit=2",
        ] {
            assert!(
                validators.check_query("listDesktops", bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_documented_statuses_are_answered() {
        let validators = validators();
        assert_eq!(
            validators.documented_status("batchAttach", 409),
            400,
            "not listed there"
        );
        assert_eq!(validators.documented_status("batchDetach", 409), 409);
        assert_eq!(
            validators.documented_status("showJob", 409),
            409,
            "through default"
        );
    }
}
