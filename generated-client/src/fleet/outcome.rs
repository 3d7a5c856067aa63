//! How a fleet run ended, row by row, and the report file written from it.

use serde::Serialize;
use serde_json::{json, Value};

/// Where a row ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowState {
    /// The run applied it.
    Applied,
    /// It was so already; nothing was sent for it.
    InPlace,
    /// The service failed it (the code and message say why).
    Failed,
    /// Not ended yet: not sent (a dry run), or its job had not ended when the run stopped.
    Pending,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowOutcome {
    /// The row's line in the rows file.
    pub line: usize,
    /// The desktop it names.
    pub key: String,
    /// Where it ended.
    pub state: RowState,
    /// The service's error code, for a failed row.
    pub error_code: Option<String>,
    /// The service's message, for a failed row.
    pub error_msg: Option<String>,
    /// The request that carried it.
    pub request_id: Option<String>,
    /// The job that applied (or failed) it.
    pub job_id: Option<String>,
}

/// Counts over every row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows in the file.
    pub rows: usize,
    /// Rows applied by the run.
    pub applied: usize,
    /// Rows already in place.
    pub in_place: usize,
    /// Rows the service failed.
    pub failed: usize,
    /// Rows not ended.
    pub pending: usize,
    /// Batch calls sent.
    pub calls: usize,
    /// Calls the gateway throttled (sent again after waiting).
    pub throttled: usize,
}

/// A run's outcome: one [`RowOutcome`] per row, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub(crate) rows: Vec<RowOutcome>,
    pub(crate) summary: Summary,
    pub(crate) chunks: Vec<Vec<usize>>,
    /// The name of the item field naming the desktop (the report's second column).
    pub(crate) key_name: &'static str,
}

impl Outcome {
    /// Every row's outcome, in file order.
    pub fn rows(&self) -> &[RowOutcome] {
        &self.rows
    }

    /// The counts.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// For a dry run, the chunks that would be sent (row indexes, from 0).
    pub fn plan(&self) -> &[Vec<usize>] {
        &self.chunks
    }

    /// The report as CSV: a header, then one line per row.
    pub fn to_csv(&self) -> String {
        let cell = |text: &str| {
            if text.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.to_string()
            }
        };
        let mut out = format!(
            "line,{},outcome,error_code,error_msg,request_id,job_id\n",
            cell(self.key_name)
        );
        for row in &self.rows {
            let state = serde_json::to_value(row.state).ok();
            let fields = [
                row.line.to_string(),
                row.key.clone(),
                state
                    .and_then(|s| s.as_str().map(str::to_string))
                    .unwrap_or_default(),
                row.error_code.clone().unwrap_or_default(),
                row.error_msg.clone().unwrap_or_default(),
                row.request_id.clone().unwrap_or_default(),
                row.job_id.clone().unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| cell(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    /// The report as JSON: the counts and one object per row.
    pub fn to_json(&self) -> Value {
        json!({"summary": self.summary, "rows": self.rows})
    }
}
