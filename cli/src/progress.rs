//! `--wait` progress on a terminal: one status line on stderr, redrawn at each poll and each
//! second between polls (so the clock keeps moving while the waiter backs off). Nothing is
//! written when stderr is not a terminal, so scripts and logs stay clean.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use huaweicloud_workspace::types::ShowJobResponse;

use crate::text::clean;

/// The status line, if stderr is a terminal.
pub struct Progress {
    enabled: bool,
    started: Instant,
    drawn: bool,
    /// Where the job was at the last poll, without the time.
    last: Option<String>,
}

impl Progress {
    /// Draws only when stderr is a terminal.
    pub fn on_terminal() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: false,
            last: None,
        }
    }

    /// Shows where `job` is.
    pub fn update(&mut self, job: &ShowJobResponse) {
        if self.enabled {
            self.last = Some(clean(&summary(job)));
            self.draw();
        }
    }

    /// Redraws the last state with the time now.
    pub fn tick(&mut self) {
        if self.enabled && self.last.is_some() {
            self.draw();
        }
    }

    fn draw(&mut self) {
        let Some(last) = &self.last else { return };
        let seconds = self.started.elapsed().as_secs();
        let mut stderr = std::io::stderr().lock();
        // Carriage return and "erase line" redraw the same line.
        let _ = write!(stderr, "\r\x1b[2K{last}, {seconds} s");
        let _ = stderr.flush();
        self.drawn = true;
    }

    /// Ends the line, so that what follows starts on its own.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}

/// `job 3979…: RUNNING, 1/2 sub-jobs done` (the line adds the time).
pub fn summary(job: &ShowJobResponse) -> String {
    let status = job.status.as_ref().map_or("(no status)", |s| s.as_str());
    let total = job
        .sub_jobs_total
        .and_then(|t| usize::try_from(t).ok())
        .unwrap_or(job.sub_jobs.len());
    let done = job
        .sub_jobs
        .iter()
        .filter(|sub| sub.status.as_ref().is_some_and(|s| s.state().is_terminal()))
        .count();
    format!(
        "job {}: {status}, {done}/{total} sub-jobs done",
        job.id.as_deref().unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_ended_sub_jobs() {
        let job: ShowJobResponse = serde_json::from_value(serde_json::json!({
            "id": "j1",
            "status": "RUNNING",
            "sub_jobs_total": 3,
            "sub_jobs": [{"status": "SUCCESS"}, {"status": "FAILED"}, {"status": "RUNNING"}]
        }))
        .unwrap();
        assert_eq!(summary(&job), "job j1: RUNNING, 2/3 sub-jobs done");
    }
}
