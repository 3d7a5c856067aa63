//! Helpers shared by the test suites: where the document is and how to read parts of it.

#![warn(missing_docs)]

/// README.md's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod loopback;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// `spec/workspace.yaml`.
pub fn spec_path() -> PathBuf {
    workspace_root().join("spec/workspace.yaml")
}

/// A broken document of `tests/fixtures/broken/`.
pub fn broken_fixture(name: &str) -> PathBuf {
    workspace_root().join("tests/fixtures/broken").join(name)
}

/// The document as a JSON tree.
pub fn spec_tree() -> Value {
    workspace_codegen::read_tree(&spec_path()).unwrap_or_else(|d| panic!("{d}"))
}

/// The generated source for the document as `huaweicloud-workspace` builds it.
pub fn generated_source() -> String {
    let document = workspace_codegen::load(&spec_path()).unwrap_or_else(|d| panic!("{d}"));
    workspace_codegen::generate(&document, &workspace_codegen::Settings::default())
        .unwrap_or_else(|d| panic!("{d}"))
}

/// The named example of an operation's request body, e.g. `("batch-attach", "assignByPolicy")`.
pub fn request_example(operation_path: &str, name: &str) -> Value {
    let tree = spec_tree();
    let pointer = format!(
        "/paths/~1v2~1{{project_id}}~1desktops~1{operation_path}/post/requestBody/content/application~1json/examples/{name}/value"
    );
    tree.pointer(&pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}

/// The named example of an operation's 200 response, by the path's JSON pointer token.
pub fn response_example(path_token: &str, method: &str, name: &str) -> Value {
    let tree = spec_tree();
    let pointer = format!(
        "/paths/{path_token}/{method}/responses/200/content/application~1json/examples/{name}/value"
    );
    tree.pointer(&pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}

/// Calls `visit` on every value of `tree` with its JSON pointer.
pub fn walk(tree: &Value, at: &str, visit: &mut impl FnMut(&Value, &str)) {
    visit(tree, at);
    match tree {
        Value::Object(map) => {
            for (key, child) in map {
                let token = key.replace('~', "~0").replace('/', "~1");
                walk(child, &format!("{at}/{token}"), visit);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &format!("{at}/{index}"), visit);
            }
        }
        _ => {}
    }
}
