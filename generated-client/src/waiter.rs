//! Waiting for the job a batch call started.

use std::time::Duration;

use crate::client::WorkspaceClient;
use crate::error::{Error, JobFailure};
use crate::response::Response;
use crate::types;

/// State of a job, from its open-ended status string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Queued.
    Waiting,
    /// In progress.
    Running,
    /// Finished successfully.
    Success,
    /// Finished with a failure.
    Failed,
    /// A status this client does not know; treated as still in progress.
    Other(String),
}

impl JobState {
    /// Whether the job has ended.
    pub fn is_terminal(&self) -> bool {
        matches!(self, JobState::Success | JobState::Failed)
    }
}

impl types::JobStatus {
    /// The status as a [`JobState`].
    pub fn state(&self) -> JobState {
        match self.as_str() {
            "WAITING" => JobState::Waiting,
            "RUNNING" => JobState::Running,
            "SUCCESS" => JobState::Success,
            "FAILED" => JobState::Failed,
            other => JobState::Other(other.to_string()),
        }
    }
}

/// A response that may have started a job.
pub trait StartsJob {
    /// The job to wait for; `None` when the operation completed without one (batch-detach
    /// on ordinary desktops returns an empty job id).
    fn job_id(&self) -> Option<&str>;
}

macro_rules! starts_job {
    ($($t:ty),*) => {$(
        impl StartsJob for $t {
            fn job_id(&self) -> Option<&str> {
                self.job_id.as_deref().filter(|id| !id.trim().is_empty())
            }
        }
    )*};
}
starts_job!(
    types::BatchAttachResponse,
    types::BatchDetachResponse,
    types::ChangeUserPrivilegeGroupResponse
);

impl<T: StartsJob> StartsJob for Response<T> {
    fn job_id(&self) -> Option<&str> {
        (**self).job_id()
    }
}

/// How long and how often to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOptions {
    /// Give up after this long. Default 15 minutes.
    pub timeout: Duration,
    /// First polling interval; doubles up to `max_interval`. Default 2 s.
    pub initial_interval: Duration,
    /// Longest polling interval. Default 30 s.
    pub max_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15 * 60),
            initial_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
        }
    }
}

/// How a started operation ended.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// The job succeeded; here it is as last seen.
    Succeeded(Box<types::ShowJobResponse>),
    /// The operation started no job: it completed when it answered.
    NoJob,
}

impl WorkspaceClient {
    /// Polls the job until SUCCESS (returned), FAILED ([`Error::JobFailed`], with the failed
    /// sub-jobs) or the timeout ([`Error::WaitTimeout`]). Unknown statuses count as running.
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        options: &WaitOptions,
    ) -> Result<types::ShowJobResponse, Error> {
        let started = tokio::time::Instant::now();
        let mut interval = options.initial_interval;
        loop {
            let job = self.show_job(job_id).await?.into_inner();
            let state = job.status.as_ref().map(|s| s.state());
            tracing::debug!(job_id, status = ?state, "job polled");
            match state {
                Some(JobState::Success) => return Ok(job),
                Some(JobState::Failed) => return Err(failure(job_id, job)),
                _ => {}
            }
            let waited = started.elapsed();
            if waited + interval > options.timeout {
                return Err(Error::WaitTimeout {
                    job_id: job_id.to_string(),
                    waited,
                    last_status: job.status.map_or_else(|| "(none)".to_string(), |s| s.0),
                });
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(options.max_interval);
        }
    }

    /// Waits for the job `started` names, or reports [`JobOutcome::NoJob`] when it named none.
    pub async fn wait_for(
        &self,
        started: &impl StartsJob,
        options: &WaitOptions,
    ) -> Result<JobOutcome, Error> {
        match started.job_id() {
            None => Ok(JobOutcome::NoJob),
            Some(job_id) => self
                .wait_for_job(job_id, options)
                .await
                .map(|job| JobOutcome::Succeeded(Box::new(job))),
        }
    }
}

fn failure(job_id: &str, job: types::ShowJobResponse) -> Error {
    let failed_sub_jobs = job
        .sub_jobs
        .iter()
        .filter(|sub| sub.status.as_ref().map(|s| s.state()) == Some(JobState::Failed))
        .cloned()
        .collect();
    Error::JobFailed(Box::new(JobFailure {
        job_id: job_id.to_string(),
        job_error_code: job.job_error_code.clone(),
        fail_reason: job.fail_reason.clone(),
        failed_sub_jobs,
        job,
    }))
}
