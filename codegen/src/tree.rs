//! Walking a document's JSON tree with the JSON pointer of every value.

use serde_json::Value;

use crate::pointer::join;

/// Calls `visit` on every value of `tree` with its JSON pointer, parents first.
pub fn walk(tree: &Value, at: &str, visit: &mut impl FnMut(&Value, &str)) {
    walk_pruned(tree, at, &mut |value, at| {
        visit(value, at);
        true
    });
}

/// [`walk`], skipping the children of a value for which `visit` returns `false`.
pub fn walk_pruned(tree: &Value, at: &str, visit: &mut impl FnMut(&Value, &str) -> bool) {
    if !visit(tree, at) {
        return;
    }
    match tree {
        Value::Object(map) => {
            for (key, child) in map {
                walk_pruned(child, &join(at, key), visit);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk_pruned(child, &join(at, &index.to_string()), visit);
            }
        }
        _ => {}
    }
}

/// [`walk`], with each value mutable (parents are visited, and may change, before children).
pub fn walk_mut(tree: &mut Value, at: &str, visit: &mut impl FnMut(&mut Value, &str)) {
    visit(tree, at);
    match tree {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                walk_mut(child, &join(at, key), visit);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                walk_mut(child, &join(at, &index.to_string()), visit);
            }
        }
        _ => {}
    }
}
