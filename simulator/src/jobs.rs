//! Jobs that progress WAITING → RUNNING → SUCCESS or FAILED as time passes.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Part of a job acting on one desktop.
#[derive(Debug, Clone)]
pub struct SubJob {
    /// Sub-job id.
    pub id: String,
    /// Desktop acted on.
    pub desktop_id: String,
    /// Its computer name.
    pub desktop_name: String,
    /// User concerned, if one.
    pub user: Option<String>,
    /// Why it will fail, if it will: (error code, reason).
    pub failure: Option<(String, String)>,
}

/// An asynchronous job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Job id.
    pub id: String,
    /// Kind, e.g. BATCH_ATTACH_INSTANCES.
    pub job_type: &'static str,
    /// When it was created.
    pub created: Instant,
    /// Wall-clock creation time, for `begin_time`.
    pub created_at: std::time::SystemTime,
    /// How long it runs.
    pub duration: Duration,
    /// Its sub-jobs.
    pub sub_jobs: Vec<SubJob>,
}

/// The state of a job at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Queued (first quarter of its duration).
    Waiting,
    /// Started, not finished.
    Running,
    /// Finished: succeeded or failed.
    Done,
}

impl Job {
    /// Where the job is at `now`.
    pub fn phase(&self, now: Instant) -> Phase {
        let elapsed = now.saturating_duration_since(self.created);
        if elapsed >= self.duration {
            Phase::Done
        } else if elapsed < self.duration / 4 {
            Phase::Waiting
        } else {
            Phase::Running
        }
    }

    /// Whether the job has not ended at `now`.
    pub fn in_progress(&self, now: Instant) -> bool {
        self.phase(now) != Phase::Done
    }

    /// The job as the job query returns it.
    pub fn to_json(&self, project_id: &str, now: Instant) -> Value {
        let phase = self.phase(now);
        let status = |failure: bool| match phase {
            Phase::Waiting => "WAITING",
            Phase::Running => "RUNNING",
            Phase::Done if failure => "FAILED",
            Phase::Done => "SUCCESS",
        };
        let begin = rfc3339(self.created_at);
        let end = rfc3339(
            self.created_at
                .checked_add(self.duration)
                .unwrap_or(self.created_at),
        );
        let sub_jobs: Vec<Value> = self
            .sub_jobs
            .iter()
            .map(|sub| {
                let mut value = json!({
                    "id": sub.id,
                    "job_type": self.job_type,
                    "status": status(sub.failure.is_some()),
                    "begin_time": begin,
                    "job_id": self.id,
                    "project_id": project_id,
                    "process": match phase { Phase::Waiting => 0, Phase::Running => 50, Phase::Done => 100 },
                    "entities": {"desktop_id": sub.desktop_id, "desktop_name": sub.desktop_name},
                });
                if let Some(user) = &sub.user {
                    value["attach_user"] = json!(user);
                    value["entities"]["user_name"] = json!(user);
                }
                if phase == Phase::Done {
                    value["end_time"] = json!(end);
                    if let Some((code, reason)) = &sub.failure {
                        value["error_code"] = json!(code);
                        value["fail_reason"] = json!(reason);
                    }
                }
                value
            })
            .collect();
        let first_failure = self.sub_jobs.iter().find_map(|s| s.failure.as_ref());
        let mut job = json!({
            "id": self.id,
            "job_type": self.job_type,
            "begin_time": begin,
            "status": status(first_failure.is_some()),
            "sub_jobs_total": sub_jobs.len(),
            "sub_jobs": sub_jobs,
        });
        if phase == Phase::Done {
            job["end_time"] = json!(end);
            if let Some((code, reason)) = first_failure {
                job["job_error_code"] = json!(code);
                job["fail_reason"] = json!(reason);
            }
        }
        job
    }
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`, as the service formats job times.
fn rfc3339(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_the_clock() {
        let start = Instant::now();
        let job = Job {
            id: "j".into(),
            job_type: "T",
            created: start,
            created_at: std::time::UNIX_EPOCH,
            duration: Duration::from_secs(4),
            sub_jobs: vec![SubJob {
                id: "s".into(),
                desktop_id: "d".into(),
                desktop_name: "n".into(),
                user: None,
                failure: Some(("WKS.0301".into(), "off".into())),
            }],
        };
        assert_eq!(job.to_json("p", start)["status"], "WAITING");
        assert_eq!(
            job.to_json("p", start + Duration::from_secs(2))["status"],
            "RUNNING"
        );
        let done = job.to_json("p", start + Duration::from_secs(4));
        assert_eq!(done["status"], "FAILED");
        assert_eq!(done["job_error_code"], "WKS.0301");
        assert_eq!(done["begin_time"], "1970-01-01T00:00:00.000Z");
        assert_eq!(done["end_time"], "1970-01-01T00:00:04.000Z");
    }
}
