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
    /// Every page of a list as one answer: `{items_key: [...], total_key: N}`, the shape of
    /// one page holding them all.
    pub fn every_page<T: Serialize>(items_key: &str, total_key: &str, items: &[T]) -> Self {
        let mut answer = serde_json::Map::new();
        answer.insert(
            items_key.to_string(),
            serde_json::to_value(items).unwrap_or(Value::Null),
        );
        answer.insert(total_key.to_string(), Value::from(items.len()));
        Self {
            answer: Value::Object(answer),
            follow: Follow::Nothing,
        }
    }

    /// The outcome of an answer.
    pub fn new<T: Serialize>(answer: &Response<T>, follow: Follow) -> Self {
        Self {
            answer: serde_json::to_value(&**answer).unwrap_or(Value::Null),
            follow,
        }
    }
}
