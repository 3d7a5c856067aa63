//! Helpers shared by the test suites: where the document is, how to read parts of it, how
//! to configure a client for a loopback server, and how to run the CLI.

#![warn(missing_docs)]

/// README.md's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod cli;
pub mod loopback;

use std::path::{Path, PathBuf};

use huaweicloud_workspace::{Config, ConfigBuilder, Credentials};
use serde_json::Value;

pub use workspace_codegen::tree::walk;

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

/// The checked document, with its operations.
pub fn document() -> workspace_codegen::Document {
    workspace_codegen::load(&spec_path()).unwrap_or_else(|d| panic!("{d}"))
}

/// The generated source for the document, as `huaweicloud-workspace` builds it.
pub fn generated_source() -> String {
    workspace_codegen::generate(&document()).unwrap_or_else(|d| panic!("{d}"))
}

/// A configuration for a client of a loopback server: its credentials and project, no
/// environment read.
pub fn loopback_config(endpoint: &str) -> ConfigBuilder {
    Config::builder()
        .env(|_| None)
        .credentials(Credentials::ak_sk(
            loopback::ACCESS_KEY,
            loopback::SECRET_KEY,
        ))
        .project_id(loopback::PROJECT_ID)
        .endpoint(endpoint)
}

/// A configuration for a client of the simulator: its demo credentials and project.
pub fn simulator_config(endpoint: &str) -> ConfigBuilder {
    Config::builder()
        .env(|_| None)
        .credentials(Credentials::ak_sk(
            workspace_simulator::DEMO_ACCESS_KEY,
            workspace_simulator::DEMO_SECRET_KEY,
        ))
        .project_id(workspace_simulator::DEMO_PROJECT_ID)
        .endpoint(endpoint)
}

/// Sends a request signed with the simulator's demo credentials, as raw as the caller wants
/// it (no client-side check): `path` is the path and query after the endpoint, `body` is
/// sent as JSON when given.
pub async fn send_signed(
    endpoint: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> reqwest::Response {
    use huaweicloud_workspace::signing::{sign_request, SigningParams};
    let url = format!("{}{path}", endpoint.trim_end_matches('/'));
    let mut request = reqwest::Request::new(method, url.parse().expect("a URL"));
    if let Some(body) = body {
        request.headers_mut().insert(
            "content-type",
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        *request.body_mut() = Some(body.into());
    }
    let secret = huaweicloud_workspace::Secret::new(workspace_simulator::DEMO_SECRET_KEY);
    let params = SigningParams::new(workspace_simulator::DEMO_ACCESS_KEY, &secret)
        .project_id(workspace_simulator::DEMO_PROJECT_ID);
    sign_request(&mut request, &params, std::time::SystemTime::now()).expect("signed");
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
        .execute(request)
        .await
        .expect("the simulator answers")
}

/// The named example of an operation's request body, e.g. `("batchAttach", "assignByPolicy")`.
pub fn request_example(operation_id: &str, name: &str) -> Value {
    example(
        operation_id,
        "/requestBody/content/application~1json/examples",
        name,
    )
}

/// The named example of an operation's success answer.
pub fn response_example(operation_id: &str, name: &str) -> Value {
    example(
        operation_id,
        "/responses/200/content/application~1json/examples",
        name,
    )
}

fn example(operation_id: &str, within: &str, name: &str) -> Value {
    let document = document();
    let operation = document
        .model()
        .operations
        .iter()
        .find(|o| o.id == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id}"));
    let pointer = format!("{}{within}/{name}/value", operation.pointer);
    document
        .tree()
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}
