//! Huawei's machine-readable definition of one operation (the API Explorer's Swagger 2.0
//! JSON, as the `huawei-cloud-api-definitions-Workspace` crate ships it) read as an OpenAPI
//! 3.0 document of that one operation, so that it can be compared with ours, and read by
//! the same tools as ours.
//!
//! What changes on the way: `definitions` become `components/schemas` (and every `$ref`
//! follows), the `body` parameter becomes the `requestBody`, the other parameters keep their
//! keywords under `schema`, each answer's schema goes under `application/json`. Header
//! parameters (`X-Auth-Token`, `Content-Type`) are left out: they are how a request travels,
//! which the client does for every operation. Huawei's `x-maxLength`/`x-minLength` on arrays
//! repeat `maxItems`/`minItems` and are dropped. Everything else is kept as it is, defects
//! included: the comparison reports those.

use serde_json::{json, Map, Value};

/// One operation's definition as an OpenAPI 3.0 document.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Huawei's name of the operation (`BatchAttachInstances`): the file's name.
    pub name: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// The path template (`/v2/{project_id}/desktops/batch-attach`).
    pub path: String,
    /// The operation's OpenAPI 3.0 document.
    pub document: Value,
}

/// Keywords a Swagger 2.0 parameter holds at its top level that belong to its schema.
const SCHEMA_KEYWORDS: [&str; 14] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "minimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "x-isSensitive",
];

/// Reads one definition file's JSON. `version` is the crate's, recorded as the document's.
pub fn convert(text: &str, version: &str) -> Result<Definition, String> {
    let file: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let name = file
        .get("name")
        .and_then(Value::as_str)
        .ok_or("no `name`")?
        .to_string();
    let paths = file
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("no `paths`")?;
    let [(path, item)] = paths.iter().collect::<Vec<_>>()[..] else {
        return Err(format!("{} paths, where one was expected", paths.len()));
    };
    let item = item.as_object().ok_or("the path item is not an object")?;
    let [(method, operation)] = item.iter().collect::<Vec<_>>()[..] else {
        return Err(format!("{} methods, where one was expected", item.len()));
    };
    let mut converted = Map::new();
    converted.insert("operationId".into(), json!(name));
    let mut parameters = Vec::new();
    for parameter in operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match parameter.get("in").and_then(Value::as_str) {
            Some("body") => {
                converted.insert(
                    "requestBody".into(),
                    json!({
                        "required": parameter.get("required").cloned().unwrap_or(json!(false)),
                        "content": {"application/json": {"schema": schema(&parameter["schema"])}},
                    }),
                );
            }
            Some("path" | "query") => parameters.push(non_body_parameter(parameter)),
            _ => {}
        }
    }
    if !parameters.is_empty() {
        converted.insert("parameters".into(), Value::Array(parameters));
    }
    let mut responses = Map::new();
    for (status, response) in operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut converted_response = json!({
            "description": response.get("description").cloned().unwrap_or(json!("")),
        });
        if let Some(body) = response.get("schema") {
            converted_response["content"] = json!({"application/json": {"schema": schema(body)}});
        }
        responses.insert(status.clone(), converted_response);
    }
    converted.insert("responses".into(), Value::Object(responses));
    let schemas: Map<String, Value> = file
        .get("definitions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, definition)| (name.clone(), schema(definition)))
        .collect();
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": name, "version": version},
        "paths": {path: {method: Value::Object(converted)}},
        "components": {"schemas": schemas},
    });
    Ok(Definition {
        name,
        method: method.clone(),
        path: path.clone(),
        document,
    })
}

/// A path or query parameter: its schema keywords under `schema`.
fn non_body_parameter(parameter: &Value) -> Value {
    let mut converted = Map::new();
    let mut schema_keywords = Map::new();
    for (key, value) in parameter.as_object().into_iter().flatten() {
        if SCHEMA_KEYWORDS.contains(&key.as_str()) {
            schema_keywords.insert(key.clone(), value.clone());
        } else if matches!(key.as_str(), "name" | "in" | "required" | "description") {
            converted.insert(key.clone(), value.clone());
        }
    }
    converted.insert("schema".into(), schema(&Value::Object(schema_keywords)));
    Value::Object(converted)
}

/// A schema with its references moved to `components/schemas` and Huawei's duplicate
/// array bounds dropped.
fn schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "x-maxLength" | "x-minLength"))
                .map(|(key, value)| {
                    let value = match (key.as_str(), value.as_str()) {
                        ("$ref", Some(reference)) => {
                            json!(reference.replacen("#/definitions/", "#/components/schemas/", 1))
                        }
                        _ => schema(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_becomes_an_openapi_document() {
        let text = json!({
            "name": "ShowThing",
            "paths": {"/v2/{project_id}/things/{id}": {"post": {
                "parameters": [
                    {"in": "header", "name": "X-Auth-Token", "type": "string"},
                    {"in": "path", "name": "id", "required": true, "type": "string", "maxLength": 9},
                    {"in": "body", "name": "Body", "required": true,
                     "schema": {"$ref": "#/definitions/Req"}}
                ],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Rsp"}},
                              "404": {"description": "missing"}}
            }}},
            "definitions": {
                "Req": {"properties": {"ids": {"type": "array", "maxItems": 3, "x-maxLength": 3,
                                               "items": {"$ref": "#/definitions/Id"}}}},
                "Id": {"type": "string"},
                "Rsp": {"properties": {"n": {"type": "integer"}}}
            }
        })
        .to_string();
        let definition = convert(&text, "0.1.1").unwrap();
        assert_eq!(definition.method, "post");
        assert_eq!(definition.path, "/v2/{project_id}/things/{id}");
        let operation = &definition.document["paths"]["/v2/{project_id}/things/{id}"]["post"];
        assert_eq!(
            operation["parameters"],
            json!([{"in": "path", "name": "id", "required": true,
                    "schema": {"type": "string", "maxLength": 9}}])
        );
        assert_eq!(
            operation["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Req"})
        );
        assert_eq!(
            operation["responses"]["404"],
            json!({"description": "missing"})
        );
        assert_eq!(
            definition.document["components"]["schemas"]["Req"]["properties"]["ids"],
            json!({"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/Id"}})
        );
    }

    #[test]
    fn a_file_that_is_not_one_operation_is_refused() {
        assert!(convert("[]", "0").is_err());
        let two = json!({"name": "X", "paths": {"/a": {"get": {}}, "/b": {"get": {}}}});
        assert!(convert(&two.to_string(), "0")
            .unwrap_err()
            .contains("2 paths"));
    }
}
