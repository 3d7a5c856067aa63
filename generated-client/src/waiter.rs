//! Waiting for the job a batch call started.
//!
//! [`JobWaiter`] polls one job step by step (a CLI shows progress between steps);
//! [`Client::wait_for_job`] and [`Client::wait_for`] wait to the end. The wait ends at its time
//! limit: sleeps end there, and each poll is bounded by what is left of it.

use std::time::Duration;

use tokio::time::Instant;

use crate::client::Client;
use crate::error::{Error, JobFailure};
use crate::response::Response;
use crate::types;

/// The shortest interval between polls: an interval of zero must not turn into busy polling.
const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// The time a poll started at the deadline still gets, so that a wait ends with a fresh status.
const LAST_POLL_TIME: Duration = Duration::from_secs(1);

/// State of a job, from its open-ended status string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// Queued: accepted, not started yet.
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
        match self {
            types::JobStatus::Waiting => JobState::Waiting,
            types::JobStatus::Running => JobState::Running,
            types::JobStatus::Success => JobState::Success,
            types::JobStatus::Failed => JobState::Failed,
            other => JobState::Other(other.as_str().to_string()),
        }
    }
}

/// An answer that may have started a job (the document marks these operations with
/// `x-starts-job`; their answer types implement this trait).
pub trait StartsJob {
    /// The job to wait for; `None` when the operation started none (batch-detach on
    /// ordinary desktops answers with an empty job id).
    fn job_id(&self) -> Option<&str>;
}

impl<T: StartsJob> StartsJob for Response<T> {
    fn job_id(&self) -> Option<&str> {
        (**self).job_id()
    }
}

/// A job id as an answer gives it: empty or blank means no job was started.
pub(crate) fn started_job(id: Option<&str>) -> Option<&str> {
    id.filter(|id| !id.trim().is_empty())
}

/// How long and how often to poll.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_workspace::WaitOptions;
///
/// let options = WaitOptions::default().with_timeout(Duration::from_secs(300));
/// assert_eq!(options.timeout(), Duration::from_secs(300));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOptions {
    timeout: Duration,
    initial_interval: Duration,
    max_interval: Duration,
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

impl WaitOptions {
    /// Gives up after `timeout` (default 15 minutes; `Duration::MAX`: never).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Polls first after `initial`, doubling up to `max` (defaults 2 s and 30 s; at least
    /// 100 ms).
    pub fn with_intervals(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max;
        self
    }

    /// The time limit.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The first interval between polls.
    pub fn initial_interval(&self) -> Duration {
        self.initial_interval.max(MIN_INTERVAL)
    }

    /// The longest interval between polls.
    pub fn max_interval(&self) -> Duration {
        self.max_interval.max(self.initial_interval())
    }
}

/// How a started operation ended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum JobOutcome {
    /// The job succeeded; here it is as last seen.
    Succeeded(Box<types::ShowJobResponse>),
    /// The operation started no job: it completed when it answered.
    NoJob,
}

/// One poll of a [`JobWaiter`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WaitStep {
    /// The job is still waiting or running (or has a status this client does not know).
    Pending(Box<types::ShowJobResponse>),
    /// The job succeeded.
    Succeeded(Box<types::ShowJobResponse>),
}

/// Polls one job until it ends, one [`poll`](JobWaiter::poll) at a time.
#[derive(Debug)]
pub struct JobWaiter<'a> {
    client: &'a Client,
    job_id: String,
    limit: Duration,
    deadline: Option<Instant>,
    next_poll: Option<Instant>,
    interval: Duration,
    max_interval: Duration,
    last_status: Option<String>,
}

impl<'a> JobWaiter<'a> {
    /// Waits for the next poll time (the first poll is immediate), polls, and says where the
    /// job is: FAILED is [`Error::JobFailed`], and a job still running at the time limit is
    /// [`Error::WaitTimeout`].
    pub async fn poll(&mut self) -> Result<WaitStep, Error> {
        if let Some(next) = self.next_poll {
            let until = self.deadline.map_or(next, |deadline| next.min(deadline));
            tokio::time::sleep_until(until).await;
        }
        let budget = self.deadline.map(|deadline| {
            deadline
                .saturating_duration_since(Instant::now())
                .max(LAST_POLL_TIME)
        });
        let poll = self.client.show_job().job_id(self.job_id.as_str()).send();
        let answer = match budget {
            Some(budget) => match tokio::time::timeout(budget, poll).await {
                Ok(answer) => answer,
                Err(_) => return Err(self.timed_out()),
            },
            None => poll.await,
        };
        let job = match answer {
            Ok(answer) => answer.into_inner(),
            // The job id is the query's only input: a refused one came from the answer that
            // started the job, which was accepted. Saying "not sent" here would invite a
            // second send of that call.
            Err(Error::InvalidRequest { message, .. }) => {
                return Err(Error::UnfollowableJob {
                    job_id: shortened(&self.job_id),
                    reason: message,
                })
            }
            Err(other) => return Err(other),
        };
        let state = job.status.as_ref().map(|s| s.state());
        tracing::debug!(job_id = %self.job_id, status = ?state, "job polled");
        self.last_status = job.status.as_ref().map(|s| s.as_str().to_string());
        match state {
            Some(JobState::Success) => return Ok(WaitStep::Succeeded(Box::new(job))),
            Some(JobState::Failed) => {
                return Err(Error::JobFailed(Box::new(JobFailure::new(
                    &self.job_id,
                    job,
                ))))
            }
            _ => {}
        }
        let now = Instant::now();
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            return Err(self.timed_out());
        }
        self.next_poll = Some(later(now, self.interval));
        self.interval = self.interval.saturating_mul(2).min(self.max_interval);
        Ok(WaitStep::Pending(Box::new(job)))
    }

    /// The job this waiter follows.
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    fn timed_out(&self) -> Error {
        Error::WaitTimeout {
            job_id: self.job_id.clone(),
            limit: self.limit,
            last_status: self
                .last_status
                .clone()
                .unwrap_or_else(|| "(none yet)".to_string()),
        }
    }
}

/// An id for a message: its first 64 characters.
fn shortened(id: &str) -> String {
    match id.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &id[..end]),
        None => id.to_string(),
    }
}

/// `now + delay`, or as far as a clock goes (an interval of `Duration::MAX` must not overflow).
fn later(now: Instant, delay: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 86_400);
    now.checked_add(delay.min(FAR)).unwrap_or(now)
}

impl Client {
    /// A waiter for the job `job_id`, polled step by step.
    pub fn job_waiter(&self, job_id: impl Into<String>, options: &WaitOptions) -> JobWaiter<'_> {
        JobWaiter {
            client: self,
            job_id: job_id.into(),
            limit: options.timeout(),
            deadline: Instant::now().checked_add(options.timeout()),
            next_poll: None,
            interval: options.initial_interval(),
            max_interval: options.max_interval(),
            last_status: None,
        }
    }

    /// Polls the job until SUCCESS (returned), FAILED ([`Error::JobFailed`], with the failed
    /// sub-jobs) or the time limit ([`Error::WaitTimeout`]). Unknown statuses count as running.
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        options: &WaitOptions,
    ) -> Result<types::ShowJobResponse, Error> {
        let mut waiter = self.job_waiter(job_id, options);
        loop {
            if let WaitStep::Succeeded(job) = waiter.poll().await? {
                return Ok(*job);
            }
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
