//! Problems found in an OpenAPI document, each tied to a file and a JSON pointer.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem: where it is (file and JSON pointer) and why it is a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The document the problem is in.
    pub file: PathBuf,
    /// RFC 6901 JSON pointer to the offending value (`""` is the whole document).
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub reason: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.reason
        )
    }
}

/// Every problem found in one run; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// A single problem.
    pub fn one(file: &Path, pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut all = Self::default();
        all.push(file, pointer, reason);
        all
    }

    /// Records a problem.
    pub fn push(&mut self, file: &Path, pointer: impl Into<String>, reason: impl Into<String>) {
        self.0.push(Diagnostic {
            file: file.to_path_buf(),
            pointer: pointer.into(),
            reason: reason.into(),
        });
    }

    /// Adds every problem of `other`.
    pub fn append(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in document order of discovery.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when nothing was found, the problems otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        writeln!(
            f,
            "{count} problem{} in the OpenAPI document:",
            if count == 1 { "" } else { "s" }
        )?;
        for diagnostic in &self.0 {
            writeln!(f, "  {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
