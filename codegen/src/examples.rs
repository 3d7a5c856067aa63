//! Examples must match their schemas: an example that does not is a wrong page or a wrong
//! schema, and either misleads users.
//!
//! A small validator for the part of OpenAPI 3.0's schema language the generator supports:
//! `$ref`, `allOf`, `type`, `enum`, `properties` (closed: an example may not carry a field its
//! schema does not list, which catches misspelled names), `required`, `items`, lengths,
//! `pattern` (ECMAScript, as typify's generated code checks it), bounds and `nullable`.

use std::collections::HashMap;

use serde_json::Value;

use crate::pointer::{follow, join};

/// Patterns compiled once each: a document repeats the same few in many examples.
#[derive(Default)]
pub struct Patterns(HashMap<String, Result<regress::Regex, String>>);

impl Patterns {
    /// Whether `text` matches `pattern` (`Err` when it is not a valid ECMAScript regex).
    fn matches(&mut self, pattern: &str, text: &str) -> Result<bool, String> {
        let compiled = self
            .0
            .entry(pattern.to_string())
            .or_insert_with(|| regress::Regex::new(pattern).map_err(|e| e.to_string()));
        compiled
            .as_ref()
            .map(|regex| regex.find(text).is_some())
            .map_err(Clone::clone)
    }
}

/// The first violation of `instance` against `schema`, as `(instance pointer, reason)`.
pub fn first_violation(
    patterns: &mut Patterns,
    root: &Value,
    schema: &Value,
    instance: &Value,
) -> Option<(String, String)> {
    visit(patterns, root, schema, instance, "", 0).err()
}

type Violation = (String, String);

fn visit(
    patterns: &mut Patterns,
    root: &Value,
    schema: &Value,
    instance: &Value,
    at: &str,
    depth: usize,
) -> Result<(), Violation> {
    let fail = |reason: String| Err((at.to_string(), reason));
    if depth > 64 {
        return Ok(());
    }
    let Some((schema, _)) = follow(root, schema, "") else {
        return Ok(()); // dangling references are reported by the checks
    };
    if instance.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return Ok(());
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        visit(patterns, root, part, instance, at, depth + 1)?;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(instance) {
            return fail(format!(
                "{instance} is not one of {}",
                Value::Array(values.clone())
            ));
        }
    }
    let kind = schema.get("type").and_then(Value::as_str);
    let matches = match (kind, instance) {
        (None, _) => true,
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        (Some("array"), Value::Array(_)) | (Some("object"), Value::Object(_)) => true,
        _ => false,
    };
    if !matches {
        return fail(format!("{instance} is not of type {}", kind.unwrap_or("?")));
    }
    match instance {
        Value::String(text) => string(patterns, schema, text).map_or(Ok(()), fail),
        Value::Number(number) => {
            let n = number.as_f64().unwrap_or(0.0);
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
                if n < min {
                    return fail(format!("{number} is less than the minimum {min}"));
                }
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
                if n > max {
                    return fail(format!("{number} is more than the maximum {max}"));
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    visit(
                        patterns,
                        root,
                        item_schema,
                        item,
                        &join(at, &index.to_string()),
                        depth + 1,
                    )?;
                }
            }
            Ok(())
        }
        Value::Object(fields) => {
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !fields.contains_key(required) {
                    return fail(format!("the required property {required:?} is missing"));
                }
            }
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return Ok(());
            };
            for (name, value) in fields {
                match properties.get(name) {
                    Some(property) => {
                        visit(patterns, root, property, value, &join(at, name), depth + 1)?
                    }
                    None => return fail(format!("{name:?} is not a property of the schema")),
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn string(patterns: &mut Patterns, schema: &Value, text: &str) -> Option<String> {
    let length = text.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        if length > max {
            return Some(format!("{text:?} is longer than {max} characters"));
        }
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
        if length < min {
            return Some(format!("{text:?} is shorter than {min} characters"));
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        match patterns.matches(pattern, text) {
            Ok(false) => return Some(format!("{text:?} does not match the pattern {pattern:?}")),
            Ok(true) => {}
            Err(error) => return Some(format!("the pattern {pattern:?} is not valid: {error}")),
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("email") && !looks_like_email(text) {
        return Some(format!("{text:?} is not an email address"));
    }
    None
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
        }
        None => false,
    }
}

/// Every example of the document (`example` or `examples/*/value` beside a `schema`) with the
/// pointer it is written at and the schema it must match.
pub fn all(root: &Value) -> Vec<(String, &Value, &Value)> {
    let mut found = Vec::new();
    collect(root, "", &mut found);
    found
}

fn collect<'v>(value: &'v Value, at: &str, found: &mut Vec<(String, &'v Value, &'v Value)>) {
    let Some(object) = value.as_object() else {
        if let Value::Array(items) = value {
            for (index, item) in items.iter().enumerate() {
                collect(item, &join(at, &index.to_string()), found);
            }
        }
        return;
    };
    if let Some(schema) = object.get("schema") {
        if let Some(example) = object.get("example") {
            found.push((join(at, "example"), schema, example));
        }
        if let Some(examples) = object.get("examples").and_then(Value::as_object) {
            for (name, example) in examples {
                if let Some(example_value) = example.get("value") {
                    found.push((
                        join(&join(&join(at, "examples"), name), "value"),
                        schema,
                        example_value,
                    ));
                }
            }
        }
    }
    for (key, child) in object {
        collect(child, &join(at, key), found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn violations_name_the_place_and_the_reason() {
        let root = json!({"components": {"schemas": {
            "Name": {"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
            "Thing": {"type": "object", "required": ["name"], "properties": {
                "name": {"$ref": "#/components/schemas/Name"},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                "count": {"type": "integer", "minimum": 1}}}}}});
        let thing = json!({"$ref": "#/components/schemas/Thing"});
        let mut patterns = Patterns::default();
        let mut check = |instance: Value| first_violation(&mut patterns, &root, &thing, &instance);
        assert_eq!(
            check(json!({"name": "abc", "tags": ["a"], "count": 2})),
            None
        );
        assert_eq!(
            check(json!({"name": "abcd"})),
            Some((
                "/name".into(),
                "\"abcd\" is longer than 3 characters".into()
            ))
        );
        assert_eq!(
            check(json!({"name": "ab1"})).unwrap().1,
            "\"ab1\" does not match the pattern \"^[a-z]+$\""
        );
        assert_eq!(
            check(json!({"name": "a", "tags": ["c"]})).unwrap().0,
            "/tags/0"
        );
        assert_eq!(check(json!({"name": "a", "count": 0})).unwrap().0, "/count");
        assert_eq!(
            check(json!({"name": "a", "nmae": 1})).unwrap().1,
            "\"nmae\" is not a property of the schema"
        );
        assert_eq!(
            check(json!({"tags": []})).unwrap().1,
            "the required property \"name\" is missing"
        );
        assert_eq!(
            check(json!({"name": "a", "count": "2"})).unwrap().1,
            "\"2\" is not of type integer"
        );
    }
}
