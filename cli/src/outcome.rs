//! What a subcommand produced: the answer as JSON, and the job `--wait` follows, if any.

use huaweicloud_workspace::Response;
use serde::Serialize;
use serde_json::Value;

/// The job `--wait` follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// The operation answers with the job it started (`None`: it started none).
    Started(Option<String>),
    /// The operation shows this job.
    Shown(String),
    /// The operation has no job (the generated code uses it for operations without
    /// `x-starts-job` or `x-job-query`).
    #[allow(dead_code)]
    Nothing,
}

/// A subcommand's answer.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer, as JSON.
    pub answer: Value,
    /// The job to follow.
    pub follow: Follow,
}

impl Outcome {
    /// The outcome of an answer.
    pub fn new<T: Serialize>(answer: &Response<T>, follow: Follow) -> Self {
        Self {
            answer: serde_json::to_value(&**answer).unwrap_or(Value::Null),
            follow,
        }
    }
}
