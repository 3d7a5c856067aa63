//! `cargo xtask upstream`: our document against Huawei's own definitions of the same
//! operations. Every difference is either recorded with its reason
//! ([`recorded::FILE`]) or a failure that names the place in our document and the edit to
//! make; a recorded difference that no longer exists is a failure too, so the file stays
//! true. An answer's bounds are reported and never asked for: the client enforces no bound on
//! what the service sends.

pub mod compare;
pub mod convert;
pub mod definitions;
pub mod history;
pub mod recorded;

use std::fmt;
use std::path::Path;

use compare::Difference;
use definitions::{Definitions, CRATE};
use recorded::Recorded;

/// What the comparison found, sorted for the maintainer.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The definitions' version.
    pub version: String,
    /// How many of our operations were compared.
    pub operations: usize,
    /// Differences nobody recorded: each fails the check.
    pub unrecorded: Vec<Difference>,
    /// Recorded differences that no longer exist: each fails the check.
    pub stale: Vec<Recorded>,
    /// Differences recorded on purpose.
    pub recorded: Vec<Difference>,
    /// An answer's bounds that differ, reported only.
    pub answer_bounds: Vec<Difference>,
}

impl Outcome {
    /// Whether the document agrees with the definitions, but for recorded differences.
    pub fn passed(&self) -> bool {
        self.unrecorded.is_empty() && self.stale.is_empty()
    }
}

/// Compares the document `spec` with `definitions`, against the differences `recorded`.
pub fn check(
    spec: &Path,
    recorded: &[Recorded],
    definitions: &Definitions,
) -> Result<Outcome, String> {
    let ours = workspace_codegen::read_tree(spec).map_err(|d| d.to_string())?;
    let differences = compare::compare(&ours, &definitions.operations);
    let operations = ours
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .map(|item| {
                    workspace_codegen::model::METHODS
                        .iter()
                        .filter(|m| item.get(**m).is_some())
                        .count()
                })
                .sum()
        });
    let mut outcome = Outcome {
        version: definitions.version.clone(),
        operations,
        unrecorded: Vec::new(),
        stale: Vec::new(),
        recorded: Vec::new(),
        answer_bounds: Vec::new(),
    };
    for difference in &differences {
        if recorded.iter().any(|r| r.matches(difference)) {
            outcome.recorded.push(difference.clone());
        } else if difference.is_answer_bound() {
            outcome.answer_bounds.push(difference.clone());
        } else {
            outcome.unrecorded.push(difference.clone());
        }
    }
    outcome.stale = recorded
        .iter()
        .filter(|r| !differences.iter().any(|d| r.matches(d)))
        .cloned()
        .collect();
    Ok(outcome)
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "spec/workspace.yaml against {CRATE} {}: {} operations compared",
            self.version, self.operations
        )?;
        if !self.unrecorded.is_empty() {
            writeln!(
                f,
                "\nNot recorded ({}): edit the document as each says, or record the difference \
                 and its reason in {}",
                self.unrecorded.len(),
                recorded::FILE
            )?;
            for difference in &self.unrecorded {
                writeln!(f, "  {difference}\n      edit: {}", difference.edit())?;
            }
        }
        if !self.stale.is_empty() {
            writeln!(
                f,
                "\nRecorded in {} but no longer found ({}): remove each entry",
                recorded::FILE,
                self.stale.len()
            )?;
            for entry in &self.stale {
                writeln!(
                    f,
                    "  {} {}: official {}, ours {}",
                    entry.at, entry.aspect, entry.official, entry.ours
                )?;
            }
        }
        writeln!(
            f,
            "\nRecorded on purpose: {} (each with its reason in {})",
            self.recorded.len(),
            recorded::FILE
        )?;
        for difference in &self.recorded {
            writeln!(f, "  {} {}", difference.at, difference.aspect)?;
        }
        if !self.answer_bounds.is_empty() {
            writeln!(
                f,
                "\nAnswer bounds that differ, reported only (the client enforces no bound on \
                 answers): {}",
                self.answer_bounds.len()
            )?;
            for difference in &self.answer_bounds {
                writeln!(f, "  {difference}")?;
            }
        }
        writeln!(f)?;
        if self.passed() {
            write!(
                f,
                "upstream: the document agrees with {CRATE} {}, but for recorded differences",
                self.version
            )
        } else {
            write!(
                f,
                "upstream: {} unrecorded differences, {} stale entries; after editing \
                 spec/workspace.yaml run `cargo xtask regen`, then `cargo xtask upstream` again",
                self.unrecorded.len(),
                self.stale.len()
            )
        }
    }
}
