//! The journal of a fleet run: JSON lines, appended and flushed to disk before each send and
//! after each answer, so that a run stopped at any point (a crash, a kill) resumes knowing
//! which calls were answered, which were sent without an answer (their outcome is looked up
//! before anything is sent again), and which were never sent.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The journal's format version.
pub(crate) const VERSION: u32 = 1;
/// The largest journal read back.
const MAX_JOURNAL: usize = 512 << 20;

/// A row that failed, and what the service said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Failure {
    pub row: usize,
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub job_id: Option<String>,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Record {
    /// The run: its operation and rows (a digest of the rows file), so that a resume with
    /// other rows is refused.
    Start {
        version: u32,
        operation: String,
        rows_digest: String,
        rows: usize,
    },
    /// Rows found already in place.
    InPlace { rows: Vec<usize> },
    /// A chunk about to be sent (written, and on disk, before it is).
    Sending {
        chunk: u64,
        rows: Vec<usize>,
        at_ms: u64,
    },
    /// The service accepted the chunk; the job it started, and the rows it failed at once.
    Answered {
        chunk: u64,
        request_id: Option<String>,
        job_id: Option<String>,
        failed: Vec<Failure>,
    },
    /// The service refused the chunk (nothing applied): rows failed, or sent again one by one.
    Refused {
        chunk: u64,
        failed: Vec<Failure>,
        requeued: Vec<usize>,
    },
    /// The chunk was not applied (the gateway throttled it, or it never reached the
    /// service): its rows are sent again.
    NotApplied {
        chunk: u64,
        throttled: bool,
        reason: String,
    },
    /// The outcome of a chunk was unknown; the lookups showed these rows applied, these not
    /// (sent again), and these not after too many such sends (failed). Rows named in none
    /// are still unknown: looked up again on resume.
    Reconciled {
        chunk: u64,
        applied: Vec<usize>,
        pending: Vec<usize>,
        failed: Vec<Failure>,
    },
    /// The chunk's job ended; the rows of its failed sub-jobs.
    JobEnded {
        chunk: u64,
        status: String,
        failed: Vec<Failure>,
    },
    /// Failed rows sent again (`--retry-failed`).
    Retry { rows: Vec<usize> },
    /// Every row ended.
    Finished,
}

/// The journal cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// It cannot be read or written.
    #[error("journal {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A line of it is not a record of this version.
    #[error("journal {path}, line {line}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// It is the journal of a run, and resuming was not asked for.
    #[error("journal {path} already holds a run: resume it (--resume), or give another journal")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Another run holds it (two runs of one journal would send the same rows twice).
    #[error("journal {path} is in use by another run")]
    Busy {
        /// The file.
        path: PathBuf,
    },
    /// It is the journal of a run of other rows or another operation.
    #[error("journal {path} is the run of {what}; these rows are not: give the same rows, or another journal")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What the journal ran.
        what: String,
    },
}

/// The journal, open for appending.
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (or creates) the journal at `path` and takes it for this run, with the records
    /// it already holds. A last line cut short (a write the crash interrupted) is dropped; any
    /// other bad line is an error.
    pub fn open(path: &Path) -> Result<(Self, Vec<Record>), JournalError> {
        let io = |e: std::io::Error| JournalError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        lock(&file).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock => JournalError::Busy {
                path: path.to_path_buf(),
            },
            _ => io(e),
        })?;
        let (records, valid_length, length) = Self::read(path)?;
        if valid_length < length {
            // Drop the cut-short line, so that the next record starts a line of its own.
            file.set_len(valid_length as u64).map_err(io)?;
        }
        Ok((
            Self {
                file,
                path: path.to_path_buf(),
            },
            records,
        ))
    }

    /// The records of the journal at `path` (none when there is no file), without taking
    /// it: what a dry run reads. Also the length of its whole lines, and its length.
    pub fn read(path: &Path) -> Result<(Vec<Record>, usize, usize), JournalError> {
        let existing = match crate::local_input::read(path, MAX_JOURNAL) {
            Ok(bytes) => bytes,
            Err(crate::local_input::Unreadable::Missing) => Vec::new(),
            Err(other) => {
                return Err(JournalError::Io {
                    path: path.to_path_buf(),
                    reason: other.to_string(),
                })
            }
        };
        let lines: Vec<&[u8]> = existing.split(|b| *b == b'\n').collect();
        let mut records = Vec::new();
        let mut valid_length = 0;
        for (index, line) in lines.iter().enumerate() {
            // Every record is written with its newline in one write, and nothing is sent
            // before the write returns: a last line without one was cut short, and dropped.
            if index + 1 == lines.len() {
                break;
            }
            valid_length += line.len() + 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            match serde_json::from_slice::<Record>(line) {
                Ok(record) => records.push(record),
                Err(e) => {
                    return Err(JournalError::Corrupt {
                        path: path.to_path_buf(),
                        line: index + 1,
                        reason: e.to_string(),
                    })
                }
            }
        }
        Ok((records, valid_length.min(existing.len()), existing.len()))
    }

    /// Appends `record` and waits until it is on disk.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| JournalError::Io {
                path: self.path.clone(),
                reason: e.to_string(),
            })
    }
}

/// Takes the journal for this process, without waiting: released when the process ends,
/// however it ends.
#[cfg(unix)]
fn lock(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; it neither keeps nor closes it.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn lock(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen_and_a_cut_short_line_is_dropped() {
        let path = std::env::temp_dir().join(format!("journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let (mut journal, records) = Journal::open(&path).unwrap();
        assert!(records.is_empty());
        let sending = Record::Sending {
            chunk: 1,
            rows: vec![0, 1],
            at_ms: 5,
        };
        journal.append(&sending).unwrap();
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"kind\":\"answ").unwrap();
        drop(file);
        let (mut journal, records) = Journal::open(&path).unwrap();
        assert_eq!(records, std::slice::from_ref(&sending));
        journal.append(&Record::Finished).unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::Busy { .. })
        ));
        drop(journal);
        let (_, records) = Journal::open(&path).unwrap();
        assert_eq!(records, [sending, Record::Finished]);
        std::fs::write(&path, "not json\n{\"kind\":\"finished\"}\n").unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::Corrupt { line: 1, .. })
        ));
        std::fs::remove_file(&path).unwrap();
    }
}
