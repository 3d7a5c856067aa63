//! Real changes of Huawei's definitions, as fixtures for the change report: one operation's
//! definition in two consecutive published versions, read with [`convert`](super::convert)
//! as `cargo xtask upstream` reads it, then made into documents the generator accepts.
//!
//! Made ready, and nothing more: Huawei's object schemas omit `type: object` (added where a
//! schema has `properties`), the project id is marked `x-bound-in-config` as ours is, and the
//! words (descriptions, summaries, examples) are left out, so that a fixture holds the
//! definitions' structure, not their text.

use serde_json::{json, Value};

use super::convert::Definition;

/// Keys that hold words, not structure, and go (a `description`, which a response must
/// have, is kept empty).
const WORDS: [&str; 3] = ["summary", "example", "examples"];

/// `definition`'s document, ready for the generator.
pub fn prepare(definition: &Definition) -> Value {
    let mut document = without_words(&definition.document);
    workspace_codegen::tree::walk_mut(&mut document, "", &mut |value, _| {
        let Some(object) = value.as_object_mut() else {
            return;
        };
        if object.contains_key("properties") && !object.contains_key("type") {
            object.insert("type".into(), json!("object"));
        }
        if object.get("in") == Some(&json!("path"))
            && object.get("name") == Some(&json!("project_id"))
        {
            object.insert("x-bound-in-config".into(), json!(true));
        }
    });
    document
}

/// `value` without the keywords in [`WORDS`]; the names of properties stay, whatever they are.
fn without_words(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| {
                    !WORDS.contains(&key.as_str())
                        && !key.starts_with("x-request-examples")
                        && !key.starts_with("x-response-examples")
                })
                .map(|(key, child)| {
                    let child = match (key.as_str(), child) {
                        ("description", Value::String(_)) => Value::String(String::new()),
                        ("properties", Value::Object(properties)) => Value::Object(
                            properties
                                .iter()
                                .map(|(name, schema)| (name.clone(), without_words(schema)))
                                .collect(),
                        ),
                        _ => without_words(child),
                    };
                    (key.clone(), child)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_words).collect()),
        other => other.clone(),
    }
}
