//! The generation view: what progenitor is given, derived from the document.
//!
//! The document stays faithful to the API pages; the view adapts it to how the client works:
//!
//! - parameters bound in the configuration (`x-bound-in-config`, the project id) leave every
//!   operation, and the path prefix that holds them becomes part of the client's base URL;
//! - the success answer is handed over as bytes (`application/octet-stream`) and every other
//!   status as the whole `reqwest::Response` (the error answers are left out), so that one
//!   function of the client reads each answer with its status, headers and raw body;
//! - object schemas used only in requests refuse unknown fields (`additionalProperties:
//!   false`), so a misspelled field is an error instead of being dropped;
//! - bounds leave what progenitor sees where the generated types would enforce them wrongly
//!   or not at all: a parameter's schema keeps only its type (the operations layer checks its
//!   bounds and values, so no parameter type is generated), a plain text of a request loses its
//!   lengths (checked by the operations layer too, so the field stays a `String`), and every
//!   bound of a schema used only in answers goes (the client never refuses what the service
//!   sends for a bound: Huawei's own answer bounds are often wrong).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::diagnostics::Diagnostics;
use crate::load::RawDocument;
use crate::model::{self, Model};
use crate::pointer::{follow, join};

/// The document as progenitor sees it.
pub fn build(document: &RawDocument, model: &Model) -> Result<Value, Diagnostics> {
    let mut view = document.value.clone();
    let root = &document.value;
    let prefix = model::render_path(&model.base_path);
    let mut paths = Map::new();
    for operation in &model.operations {
        let item_at = join("/paths", &operation.path);
        let item = follow(root, &root["paths"][&operation.path], &item_at)
            .map(|(item, _)| item.clone())
            .unwrap_or_default();
        let relative = &operation.path[prefix.len()..];
        let relative = if relative.is_empty() { "/" } else { relative };
        let entry = paths
            .entry(relative.to_string())
            .or_insert_with(|| json!({}));
        let mut op = item[&operation.method].clone();
        strip_bound_parameters(root, &mut op);
        if let Some(parameters) = item.get("parameters") {
            // Path-item parameters move into each operation, so each loses its bound ones.
            let mut inherited = json!({"parameters": parameters.clone()});
            strip_bound_parameters(root, &mut inherited);
            let own = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut all = inherited["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            all.extend(own);
            op["parameters"] = Value::Array(all);
        }
        if let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for parameter in parameters {
                *parameter = typed_only(root, parameter);
            }
        }
        op["responses"] = success_only(root, &op["responses"], operation.success.status);
        entry[&operation.method] = op;
    }
    view["paths"] = Value::Object(paths);
    close_request_schemas(document, &mut view)?;
    keep_reachable_schemas(&mut view, model);
    Ok(view)
}

/// Leaves out the error answers' components (progenitor is not given error answers), and
/// every schema that neither a request nor a success answer reaches, so that no type is
/// generated that nothing takes or gives (the error body is read by the client's own
/// `error_body`).
fn keep_reachable_schemas(view: &mut Value, model: &Model) {
    if let Some(components) = view.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("responses");
    }
    let mut reached = BTreeSet::new();
    reachable(view, &view["paths"], &mut reached);
    for schema in model
        .operations
        .iter()
        .filter_map(|o| o.success.schema.as_ref())
    {
        let answer = json!({"$ref": format!("#/components/schemas/{schema}")});
        reachable(view, &answer, &mut reached);
    }
    if let Some(schemas) = view
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| {
            reached.contains(&format!(
                "/components/schemas/{}",
                crate::pointer::escape(name)
            ))
        });
    }
}

/// Removes the parameters marked `x-bound-in-config` from `owner.parameters`.
fn strip_bound_parameters(root: &Value, owner: &mut Value) {
    let Some(parameters) = owner.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    parameters.retain(|parameter| {
        let resolved = follow(root, parameter, "").map_or(parameter, |(p, _)| p);
        resolved.get("x-bound-in-config") != Some(&Value::Bool(true))
    });
}

/// A parameter whose schema says only its type and format.
fn typed_only(root: &Value, parameter: &Value) -> Value {
    let mut parameter = follow(root, parameter, "")
        .map_or(parameter, |(p, _)| p)
        .clone();
    let schema = parameter.get("schema").cloned().unwrap_or_default();
    let schema = follow(root, &schema, "").map_or(schema.clone(), |(s, _)| s.clone());
    let mut typed = Map::new();
    for key in ["type", "format"] {
        if let Some(value) = schema.get(key) {
            typed.insert(key.to_string(), value.clone());
        }
    }
    parameter["schema"] = Value::Object(typed);
    parameter
}

/// Only the success answer, its JSON body handed over as bytes.
fn success_only(root: &Value, responses: &Value, status: u16) -> Value {
    let key = status.to_string();
    let response = responses
        .get(&key)
        .map(|r| follow(root, r, "").map_or(r, |(r, _)| r))
        .cloned()
        .unwrap_or_default();
    let mut kept =
        json!({"description": response.get("description").cloned().unwrap_or(json!(""))});
    if response
        .get("content")
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty())
    {
        kept["content"] = json!({"application/octet-stream": {}});
    }
    json!({ key: kept })
}

/// Adds `additionalProperties: false` to every object schema reachable from a request body
/// and from no response; a schema reachable from both is a problem (its requests could not
/// refuse unknown fields without its answers refusing new ones).
fn close_request_schemas(document: &RawDocument, view: &mut Value) -> Result<(), Diagnostics> {
    let root = &document.value;
    let mut requests = BTreeSet::new();
    let mut responses = BTreeSet::new();
    crate::tree::walk(root, "", &mut |value, at| {
        let Some(schema) = value.get("schema") else {
            return;
        };
        if at.contains("/requestBody/") || at.contains("/requestBodies/") {
            reachable(root, schema, &mut requests);
        } else if at.contains("/responses/") {
            reachable(root, schema, &mut responses);
        }
    });
    let mut diagnostics = Diagnostics::default();
    for shared in requests.intersection(&responses) {
        let schema = root.pointer(shared).unwrap_or(&Value::Null);
        if schema.get("properties").is_some() {
            diagnostics.push(
                &document.path,
                shared.clone(),
                "this object schema is used in a request and in a response: give each its own \
                 schema, so that requests can refuse unknown fields while answers accept new ones",
            );
        }
    }
    for pointer in &requests {
        if let Some(schema) = view.pointer_mut(pointer) {
            close(schema);
            crate::tree::walk_mut(schema, "", &mut |value, _| drop_text_lengths(value));
        }
    }
    for pointer in responses.difference(&requests) {
        if let Some(schema) = view.pointer_mut(pointer) {
            crate::tree::walk_mut(schema, "", &mut |value, _| drop_bounds(value));
        }
    }
    // Inline request schemas are closed where they are written.
    crate::tree::walk_mut(view, "", &mut |value, at| {
        if at.contains("/requestBody/") && at.ends_with("/schema") {
            close(value);
        }
    });
    diagnostics.into_result(())
}

/// Removes the lengths of a plain text schema (the operations layer checks them; see
/// `model::checked_text`).
fn drop_text_lengths(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    let plain_text = object.get("type").and_then(Value::as_str) == Some("string")
        && !object.contains_key("pattern")
        && !object.contains_key("enum");
    if plain_text {
        object.remove("minLength");
        object.remove("maxLength");
    }
}

/// Removes every bound of a schema used only in answers.
fn drop_bounds(value: &mut Value) {
    if let Some(object) = value.as_object_mut() {
        if object.get("type").and_then(Value::as_str).is_some() {
            for key in crate::model::BOUND_KEYWORDS {
                object.remove(key);
            }
        }
    }
}

/// Closes an object schema and the inline object schemas inside it (not across `$ref`s). The
/// checks make every schema with `properties` say `type: object`, which tells a schema from a
/// `properties` map that happens to have a property called `properties`.
fn close(schema: &mut Value) {
    crate::tree::walk_mut(schema, "", &mut |value, _| {
        if let Some(object) = value.as_object_mut() {
            let is_object_schema = object.get("type").and_then(Value::as_str) == Some("object");
            if is_object_schema && !object.contains_key("additionalProperties") {
                object.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
    });
}

/// Collects the component schemas (as JSON pointers) reachable from `schema` through `$ref`s.
fn reachable(root: &Value, schema: &Value, found: &mut BTreeSet<String>) {
    crate::tree::walk(schema, "", &mut |value, _| {
        let Some(pointer) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            return;
        };
        if found.insert(pointer.to_string()) {
            if let Some(target) = root.pointer(pointer) {
                reachable(root, target, found);
            }
        }
    });
}
