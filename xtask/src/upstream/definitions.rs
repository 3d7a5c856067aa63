//! Finding Huawei's definitions on this machine: cargo fetches the crate that ships them
//! (`huawei-cloud-api-definitions-Workspace`, data only: nothing of it is compiled) and
//! `cargo metadata` says where it unpacked it.
//!
//! The pinned version is the one `Cargo.lock` holds (xtask depends on the crate for no
//! platform, so cargo locks and fetches it but never builds it). Another version, or the
//! newest published, is resolved in a scratch manifest under `target/upstream/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::convert::{convert, Definition};

/// The crate that ships the definitions.
pub const CRATE: &str = "huawei-cloud-api-definitions-Workspace";

/// Which definitions to compare with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The version `Cargo.lock` pins.
    Pinned,
    /// A published version (`0.1.20250711`).
    Version(String),
    /// The newest published version.
    Latest,
    /// A directory of definition files (`<Operation>.json`), as the crate's `src/` holds.
    Directory(PathBuf),
}

/// The definitions of one published version.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// The crate's version, or the directory read.
    pub version: String,
    /// Every operation defined.
    pub operations: Vec<Definition>,
}

/// Finds and reads the definitions `source` names; `root` is the workspace.
pub fn load(root: &Path, source: &Source) -> Result<Definitions, String> {
    let (version, directory) = match source {
        Source::Pinned => locate(&root.join("Cargo.toml"), true)?,
        Source::Version(version) => scratch(root, version, &format!("={version}"))?,
        Source::Latest => scratch(root, "latest", "*")?,
        Source::Directory(directory) => (directory.display().to_string(), directory.clone()),
    };
    read_directory(&directory, &version).map(|operations| Definitions {
        version,
        operations,
    })
}

/// Reads every `*.json` definition of `directory`.
pub fn read_directory(directory: &Path, version: &str) -> Result<Vec<Definition>, String> {
    let entries = std::fs::read_dir(directory)
        .map_err(|e| format!("cannot read {}: {e}", directory.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut operations = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let definition = convert(&text, version).map_err(|e| format!("{}: {e}", file.display()))?;
        operations.push(definition);
    }
    if operations.is_empty() {
        return Err(format!("no definition files in {}", directory.display()));
    }
    Ok(operations)
}

/// Resolves `requirement` of the crate in a manifest of its own under `target/upstream/`.
fn scratch(root: &Path, name: &str, requirement: &str) -> Result<(String, PathBuf), String> {
    let directory = root.join("target").join("upstream").join(name);
    std::fs::create_dir_all(&directory)
        .map_err(|e| format!("cannot create {}: {e}", directory.display()))?;
    let manifest = directory.join("Cargo.toml");
    let text = format!(
        "# Written by `cargo xtask upstream`: resolves one version of Huawei's definitions.\n\
         [package]\nname = \"upstream-definitions\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[lib]\npath = \"lib.rs\"\n\n\
         [target.'cfg(any())'.dependencies]\n\"{CRATE}\" = \"{requirement}\"\n\n[workspace]\n"
    );
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(manifest.clone(), &text)?;
    write(directory.join("lib.rs"), "")?;
    if requirement == "*" {
        // Resolved afresh: the newest version published now, not the one found last time.
        let _ = std::fs::remove_file(directory.join("Cargo.lock"));
    }
    locate(&manifest, false)
}

/// Asks `cargo metadata` (which fetches what is missing) where the crate is unpacked.
fn locate(manifest: &Path, locked: bool) -> Result<(String, PathBuf), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest);
    if locked {
        command.arg("--locked");
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed for {}:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed something else than JSON: {e}"))?;
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == CRATE)
        .ok_or_else(|| format!("{} does not depend on {CRATE}", manifest.display()))?;
    let version = package["version"].as_str().unwrap_or("?").to_string();
    let source = package["manifest_path"]
        .as_str()
        .map(Path::new)
        .and_then(Path::parent)
        .map(|dir| dir.join("src"))
        .ok_or("cargo metadata gave no manifest path")?;
    Ok((version, source))
}
