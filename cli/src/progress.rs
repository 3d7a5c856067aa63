//! `--wait` progress on a terminal: one status line on stderr, redrawn at each poll. Nothing
//! is written when stderr is not a terminal, so scripts and logs stay clean.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use huaweicloud_workspace::types::ShowJobResponse;

use crate::text::clean;

/// The status line, if stderr is a terminal.
pub struct Progress {
    enabled: bool,
    started: Instant,
    drawn: bool,
}

impl Progress {
    /// Draws only when stderr is a terminal.
    pub fn on_terminal() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: false,
        }
    }

    /// Shows where `job` is.
    pub fn update(&mut self, job: &ShowJobResponse) {
        if !self.enabled {
            return;
        }
        let line = clean(&status_line(job, self.started.elapsed().as_secs()));
        let mut stderr = std::io::stderr().lock();
        // Carriage return and "erase line" redraw the same line.
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
        self.drawn = true;
    }

    /// Ends the line, so that what follows starts on its own.
    pub fn finish(&mut self) {
        if self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}

/// `job 3979…: RUNNING, 1/2 sub-jobs done, 12 s`.
pub fn status_line(job: &ShowJobResponse, seconds: u64) -> String {
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
        "job {}: {status}, {done}/{total} sub-jobs done, {seconds} s",
        job.id.as_deref().unwrap_or("?")
    )
}
