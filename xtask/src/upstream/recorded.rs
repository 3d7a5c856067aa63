//! The differences from Huawei's definitions that our document keeps on purpose, each with
//! its reason: `spec/upstream-differences.yaml`.
//!
//! An entry matches a difference when its place, aspect and both values are the same, so a
//! recorded difference that Huawei (or we) change again is reported again.

use std::path::Path;

use serde_json::Value;

use super::compare::{normalized, Difference};

/// The file, from the workspace root.
pub const FILE: &str = "spec/upstream-differences.yaml";

/// One recorded difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// JSON pointer into our document.
    pub at: String,
    /// What differs.
    pub aspect: String,
    /// The definition's value.
    pub official: Value,
    /// Our document's value.
    pub ours: Value,
    /// Why ours stays as it is.
    pub reason: String,
}

impl Recorded {
    /// Whether this entry is about `difference`.
    pub fn matches(&self, difference: &Difference) -> bool {
        (
            self.at.clone(),
            self.aspect.clone(),
            normalized(&self.official),
            normalized(&self.ours),
        ) == difference.key()
    }
}

/// Reads the file; every entry must have a place, an aspect, both values and a reason.
pub fn read(path: &Path) -> Result<Vec<Recorded>, String> {
    let tree = workspace_codegen::read_tree(path).map_err(|d| d.to_string())?;
    let list = tree
        .get("differences")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: expected a `differences` list", path.display()))?;
    let mut entries = Vec::new();
    for (index, entry) in list.iter().enumerate() {
        let problem = |what: &str| format!("{}#/differences/{index}: {what}", path.display());
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .ok_or_else(|| problem(&format!("`{key}` must be a non-empty text")))
        };
        for key in ["official", "ours"] {
            if entry.get(key).is_none() {
                return Err(problem(&format!(
                    "`{key}` is missing (write null for none)"
                )));
            }
        }
        let recorded = Recorded {
            at: text("at")?,
            aspect: text("aspect")?,
            official: entry["official"].clone(),
            ours: entry["ours"].clone(),
            reason: text("reason")?,
        };
        if entries.iter().any(|e: &Recorded| {
            e.at == recorded.at
                && e.aspect == recorded.aspect
                && normalized(&e.official) == normalized(&recorded.official)
                && normalized(&e.ours) == normalized(&recorded.ours)
        }) {
            return Err(problem("the same difference is recorded twice"));
        }
        entries.push(recorded);
    }
    Ok(entries)
}
