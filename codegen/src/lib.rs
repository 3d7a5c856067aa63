//! Loads, checks and generates the Huawei Cloud Workspace client, and its CLI, from the
//! OpenAPI document.
//!
//! The pipeline is `load → check → model → view → progenitor → operations layer → format`:
//!
//! ```no_run
//! let document = workspace_codegen::load("spec/workspace.yaml".as_ref())?;
//! let client = workspace_codegen::generate(&document)?;
//! let cli = workspace_codegen::generate_cli(&document)?;
//! # Ok::<(), workspace_codegen::Diagnostics>(())
//! ```
//!
//! Build scripts use [`generate_for_build`] and [`generate_cli_for_build`], which need
//! neither the `format` feature nor its formatter.
//!
//! Every problem the generator cannot handle is reported at once, each with the file, a JSON
//! pointer and the reason, before progenitor sees the document.

#![warn(missing_docs)]

pub mod build_script;
mod check;
mod cli;
mod diagnostics;
pub mod directions;
#[cfg(feature = "examples")]
mod examples;
mod format;
mod generate;
mod load;
pub mod model;
mod names;
mod open_enums;
mod operations;
pub mod pointer;
pub mod report;
mod surface;
pub mod tree;
mod view;

use std::path::{Path, PathBuf};

pub use diagnostics::{Diagnostic, Diagnostics};
pub use surface::Surface;

/// A document that passed every check, with the model the generators work from.
#[derive(Debug, Clone)]
pub struct Document {
    raw: load::RawDocument,
    model: model::Model,
}

impl Document {
    /// Where it was read from.
    pub fn path(&self) -> &Path {
        &self.raw.path
    }

    /// The document as a JSON tree.
    pub fn tree(&self) -> &serde_json::Value {
        &self.raw.value
    }

    /// The operations and what the document says about them.
    pub fn model(&self) -> &model::Model {
        &self.model
    }
}

/// Reads and checks the document at `path` (YAML or JSON by extension).
pub fn load(path: &Path) -> Result<Document, Diagnostics> {
    from_raw(load::read(path)?)
}

/// Parses and checks `text` as if read from `path` (the extension chooses the parser).
pub fn load_str(path: &Path, text: &str) -> Result<Document, Diagnostics> {
    from_raw(load::parse(path, text)?)
}

fn from_raw(raw: load::RawDocument) -> Result<Document, Diagnostics> {
    let mut problems = check::check(&raw);
    // The model reports what the extensions and the operations' answers get wrong, in the
    // same run as the checks.
    let model = model::read(&raw);
    if problems.is_empty() {
        // The typed reading reports shapes the checks do not know, with their pointer.
        load::to_openapi(&raw)?;
    }
    match model {
        Ok(model) if problems.is_empty() => Ok(Document { raw, model }),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.append(more);
            Err(problems)
        }
    }
}

/// Reads the document at `path` as a JSON tree, unchecked: for tools that inspect or
/// transform it (example validation, mutation tests, request validation in a simulator).
pub fn read_tree(path: &Path) -> Result<serde_json::Value, Diagnostics> {
    load::read(path).map(|raw| raw.value)
}

/// Generates the client source for a checked document, formatted for people to read. The
/// output is deterministic: the same document gives byte-identical source.
#[cfg(feature = "format")]
pub fn generate(document: &Document) -> Result<String, Diagnostics> {
    generate::client(document, generate::Style::Pretty, false).map(|(source, _)| source)
}

/// Generates the client source together with the API surface it gives users (constraints
/// included).
#[cfg(feature = "format")]
pub fn generate_with_surface(document: &Document) -> Result<(String, Surface), Diagnostics> {
    let (source, surface) = generate::client(document, generate::Style::Pretty, true)?;
    let mut surface = surface.unwrap_or_default();
    surface.add_document_facts(document.tree());
    Ok((source, surface))
}

/// Generates the CLI module, formatted: one `clap` subcommand per operation, run through the
/// client's public API (see the `huaweicloud-workspace-cli` crate for the modules it calls).
#[cfg(feature = "format")]
pub fn generate_cli(document: &Document) -> Result<String, Diagnostics> {
    generate::cli(document, generate::Style::Pretty)
}

/// [`generate`] for a build script: the same code, printed plainly rather than formatted,
/// which spares every clean build the formatter (this crate without its `format` feature).
pub fn generate_for_build(document: &Document) -> Result<String, Diagnostics> {
    generate::client(document, generate::Style::Plain, false).map(|(source, _)| source)
}

/// [`generate_cli`] for a build script.
pub fn generate_cli_for_build(document: &Document) -> Result<String, Diagnostics> {
    generate::cli(document, generate::Style::Plain)
}

/// Writes `source` unless `out` already holds it, so an unchanged output keeps its timestamp.
pub fn write_if_changed(out: &Path, source: &str) -> Result<(), Diagnostics> {
    if std::fs::read_to_string(out).ok().as_deref() == Some(source) {
        return Ok(());
    }
    std::fs::write(out, source)
        .map_err(|error| Diagnostics::one(out, "", format!("cannot write the output: {error}")))
}

/// The document's path relative to a crate that packages it as `spec/workspace.yaml`.
pub fn packaged_spec(manifest_dir: &Path) -> PathBuf {
    manifest_dir.join("spec").join("workspace.yaml")
}
