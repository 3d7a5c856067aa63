//! Fleet runs: assign, unbind or regroup thousands of desktops from a file of rows, within
//! the service's limits, resumable after a crash, with every row ending as exactly one of
//! applied, already in place, or failed.
//!
//! What a run knows of each operation comes from the document (`x-fleet`, and the body's
//! array with `maxItems`): [`operations`] lists them. A run reads and checks every row first
//! ([`read_rows`]); looks up the desktops to skip rows already in place; sends the rest in
//! chunks of at most the operation's limit, one desktop per chunk at most once, paced at a
//! rate per minute with a number of jobs in flight; waits out a throttled call (429) and sends
//! it again, and never sends again a call whose outcome is unknown before looking the desktops
//! up; follows each job and attributes its failed sub-jobs to their rows. A journal (JSON
//! lines, flushed to disk before each send and after each answer) lets a run resume where it
//! stopped ([`run`]).
//!
//! ```no_run
//! # async fn demo(client: huaweicloud_workspace::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use huaweicloud_workspace::fleet::{self, Format, Options};
//!
//! let attach = fleet::operation("attach").expect("the document has batch-attach");
//! let text = "desktop_id,user_name,user_group\nb41a8cc1-4813-47a0-bf3a-7800fcd5b581,alice,users\n";
//! let rows = fleet::read_rows(&client, attach, text, Format::Csv)?;
//! let outcome = fleet::run(&client, attach, &rows, text.as_bytes(), "run.jsonl".as_ref(),
//!     &Options::default(), &mut |_| {}).await?;
//! println!("{} applied, {} failed", outcome.summary().applied, outcome.summary().failed);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::error::{Error, FailedItem};

mod csv;
mod desired;
mod journal;
mod outcome;
mod rows;
mod runner;

pub use journal::JournalError;
pub use outcome::{Outcome, RowOutcome, RowState, Summary};
pub use rows::{
    read_rows, read_rows_file, Format, Row, RowError, RowErrors, MAX_ROWS, MAX_ROWS_FILE,
};
pub use runner::{
    run, FleetError, Options, Progress, DEFAULT_CONCURRENCY, DEFAULT_RATE_PER_MINUTE,
};

/// What an operation does to a desktop's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Effect {
    /// Gives users access to the desktop.
    Attach,
    /// Takes users off the desktop.
    Detach,
    /// Moves the desktop's users to another privilege group.
    Regroup,
}

/// What a field of a batch item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text.
    Text,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// A list of objects (a column `field.nested` gives one of them).
    Objects,
}

/// A field of a batch item, as a column of a rows file.
#[derive(Debug)]
pub struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: FieldKind,
    pub(crate) nested: &'static [Field],
}

impl Field {
    /// The field's name (a column's name).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What it holds.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    /// For a list of objects, their fields.
    pub fn nested(&self) -> &'static [Field] {
        self.nested
    }
}

/// What sending one batch gives back.
pub type SendFuture = Pin<Box<dyn Future<Output = Result<Accepted, Error>> + Send>>;

/// A batch call the service accepted: the job it started, and the items it failed at once.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub(crate) job_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) failed: Vec<FailedItem>,
}

/// A batch operation a fleet run drives, as the document describes it (`x-fleet`).
#[derive(Debug)]
pub struct Shape {
    pub(crate) operation: &'static str,
    pub(crate) command: &'static str,
    pub(crate) effect: Effect,
    pub(crate) items: &'static str,
    pub(crate) max_items: usize,
    pub(crate) key: &'static str,
    pub(crate) fields: &'static [Field],
    pub(crate) send: fn(crate::Client, Vec<Value>) -> SendFuture,
    pub(crate) check: fn(&crate::Client, Value) -> Result<(), Error>,
}

impl Shape {
    /// The operation's `operationId`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Its name on the command line (`bulk attach`).
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// What it does to a desktop's users.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The most items one call takes (the body array's `maxItems`).
    pub fn max_items(&self) -> usize {
        self.max_items
    }

    /// The item field naming the desktop.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The item's fields: the columns a rows file may have.
    pub fn fields(&self) -> &'static [Field] {
        self.fields
    }
}

/// Every batch operation of the document a fleet run drives.
pub fn operations() -> &'static [Shape] {
    crate::generated::FLEET
}

/// The batch operation of a command name (`attach`), if the document has one.
pub fn operation(command: &str) -> Option<&'static Shape> {
    operations().iter().find(|shape| shape.command == command)
}

/// The outcome of a generated `send()`, as a fleet run reads it: an answer that lists failed
/// items still started a job for the others.
pub(crate) fn accepted<T: crate::StartsJob>(
    sent: Result<crate::Response<T>, Error>,
) -> Result<Accepted, Error> {
    match sent {
        Ok(answer) => Ok(Accepted {
            job_id: answer.job_id().map(str::to_string),
            request_id: answer.request_id().map(str::to_string),
            failed: Vec::new(),
        }),
        Err(Error::PartialFailure(partial)) => Ok(Accepted {
            job_id: partial.job_id().map(str::to_string),
            request_id: partial.request_id().map(str::to_string),
            failed: partial.failed().to_vec(),
        }),
        Err(other) => Err(other),
    }
}
