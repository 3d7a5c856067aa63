//! Which way each component schema travels: in requests (bodies and parameters), in
//! answers (success bodies), or both. Answer enums are generated open, so that a value the
//! service adds later still decodes; request enums stay closed, so that a value the
//! document does not list is refused before it is sent. The change report judges each
//! change by the way its schema travels.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::pointer::join;

/// Which way a schema travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Only in what the client sends.
    Request,
    /// Only in what the service answers.
    Answer,
    /// In both.
    Both,
}

impl Direction {
    /// Whether what the client sends carries it.
    pub fn in_requests(self) -> bool {
        matches!(self, Direction::Request | Direction::Both)
    }

    /// Whether what the service answers carries it.
    pub fn in_answers(self) -> bool {
        matches!(self, Direction::Answer | Direction::Both)
    }

    /// The direction written in the API surface.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "request" => Some(Direction::Request),
            "answer" => Some(Direction::Answer),
            "both" => Some(Direction::Both),
            _ => None,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Request => "request",
            Direction::Answer => "answer",
            Direction::Both => "both",
        })
    }
}

/// An enum of text values that answers carry: generated with an `Unknown` variant keeping
/// any value the document does not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// Its name under `components/schemas`.
    pub schema: String,
    /// Its description.
    pub description: Option<String>,
    /// The values the document lists (`enum`, or `x-extensible-enum`), in order.
    pub values: Vec<String>,
}

/// The variant every open enum has for values the document does not list.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// Every component schema some operation reaches, and which way it travels.
pub(crate) fn of_document(root: &Value) -> BTreeMap<String, Direction> {
    let mut requests = BTreeSet::new();
    let mut answers = BTreeSet::new();
    for item in root
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
    {
        let item = follow(root, item);
        reach(root, item.get("parameters"), &mut requests);
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            if !operation.is_object() {
                continue;
            }
            reach(root, operation.get("parameters"), &mut requests);
            reach(root, operation.get("requestBody"), &mut requests);
            for (status, response) in operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if status.starts_with('2') {
                    reach(root, Some(response), &mut answers);
                }
            }
        }
    }
    let mut directions = BTreeMap::new();
    for name in requests.union(&answers) {
        let direction = match (requests.contains(name), answers.contains(name)) {
            (true, true) => Direction::Both,
            (true, false) => Direction::Request,
            _ => Direction::Answer,
        };
        directions.insert(name.clone(), direction);
    }
    directions
}

/// Adds to `found` every component schema `value` reaches through `$ref`s, transitively
/// (through shared parameters, request bodies and responses too).
fn reach(root: &Value, value: Option<&Value>, found: &mut BTreeSet<String>) {
    let Some(value) = value else { return };
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    if !found.insert(name.replace("~1", "/").replace("~0", "~")) {
                        return;
                    }
                }
                if let Some(pointer) = target.strip_prefix('#') {
                    reach(root, root.pointer(pointer), found);
                }
            }
            for (key, child) in map {
                // Examples are data, not schemas.
                if key != "example" && key != "examples" {
                    reach(root, Some(child), found);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                reach(root, Some(item), found);
            }
        }
        _ => {}
    }
}

/// A path item, through its `$ref` if it has one.
fn follow<'v>(root: &'v Value, item: &'v Value) -> &'v Value {
    item.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .unwrap_or(item)
}

/// The text values an enum schema lists: its `enum`, or its `x-extensible-enum` (a list the
/// service says it may extend).
pub(crate) fn listed_values(schema: &Value) -> Option<Vec<String>> {
    let list = schema
        .get("enum")
        .or_else(|| schema.get("x-extensible-enum"))?
        .as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// Where, inside an answer schema, an enum is written inline (it must be a named schema to
/// be generated open): the pointers of every `enum` below the schema's root.
pub(crate) fn inline_enums(schema: &Value, at: &str) -> Vec<String> {
    let mut found = Vec::new();
    inline_enums_below(schema, at, true, &mut found);
    found
}

fn inline_enums_below(value: &Value, at: &str, root: bool, found: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    if !root && map.contains_key("enum") {
        found.push(at.to_string());
    }
    for (key, child) in map {
        if !matches!(
            key.as_str(),
            "example" | "examples" | "enum" | "x-extensible-enum"
        ) {
            inline_enums_below(child, &join(at, key), false, found);
        }
    }
}
