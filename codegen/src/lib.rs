//! Loads, checks and generates the Huawei Cloud Workspace client from its OpenAPI document.
//!
//! The pipeline is `load → check → generate → format`:
//!
//! ```no_run
//! let document = workspace_codegen::load("spec/workspace.yaml".as_ref())?;
//! let source = workspace_codegen::generate(&document, &workspace_codegen::Settings::default())?;
//! # Ok::<(), workspace_codegen::Diagnostics>(())
//! ```
//!
//! Every problem the generator cannot handle is reported at once, each with the file, a JSON
//! pointer and the reason, before progenitor sees the document.

#![warn(missing_docs)]

mod check;
mod diagnostics;
mod generate;
mod load;
mod pointer;

use std::path::{Path, PathBuf};

pub use diagnostics::{Diagnostic, Diagnostics};
pub use generate::{generate, generate_cli, Settings};

/// A document that passed every check and is ready to generate from.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it was read from.
    pub path: PathBuf,
    /// The parsed document.
    pub openapi: openapiv3::OpenAPI,
}

/// Reads and checks the document at `path` (YAML or JSON by extension).
pub fn load(path: &Path) -> Result<Document, Diagnostics> {
    let raw = load::read(path)?;
    from_raw(raw)
}

/// Parses and checks `text` as if read from `path` (the extension chooses the parser).
pub fn load_str(path: &Path, text: &str) -> Result<Document, Diagnostics> {
    from_raw(load::parse(path, text)?)
}

fn from_raw(raw: load::RawDocument) -> Result<Document, Diagnostics> {
    check::check(&raw).into_result(())?;
    let openapi = load::to_openapi(&raw)?;
    Ok(Document {
        path: raw.path,
        openapi,
    })
}

/// Reads the document at `path` as a JSON tree, unchecked: for tools that inspect or
/// transform it (example validation, mutation tests, request validation in a simulator).
pub fn read_tree(path: &Path) -> Result<serde_json::Value, Diagnostics> {
    load::read(path).map(|raw| raw.value)
}

/// Loads and checks `spec`, then writes the generated client to `out`.
pub fn generate_file(spec: &Path, out: &Path, settings: &Settings) -> Result<(), Diagnostics> {
    let document = load(spec)?;
    write_if_changed(out, &generate(&document, settings)?)
}

/// Loads and checks `spec`, then writes the generated CLI (calling the client at
/// `client_path`) to `out`.
pub fn generate_cli_file(
    spec: &Path,
    out: &Path,
    settings: &Settings,
    client_path: &str,
) -> Result<(), Diagnostics> {
    let document = load(spec)?;
    write_if_changed(out, &generate_cli(&document, settings, client_path)?)
}

/// Writes `source` unless `out` already holds it, so an unchanged output keeps its timestamp.
fn write_if_changed(out: &Path, source: &str) -> Result<(), Diagnostics> {
    if std::fs::read_to_string(out).ok().as_deref() == Some(source) {
        return Ok(());
    }
    std::fs::write(out, source)
        .map_err(|error| Diagnostics::one(out, "", format!("cannot write the output: {error}")))
}
