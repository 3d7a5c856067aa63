//! Everything that makes the command fail, its exit code, and how it is reported: a line for
//! people, then a JSON object for scripts, both on stderr.

use std::process::ExitCode;

use huaweicloud_workspace::fleet::{FleetError, RowErrors};
use huaweicloud_workspace::{ConfigError, CredentialsError, Error};
use serde_json::{json, Value};

use crate::text;

/// Exit codes, one per kind of failure (the `--help` text lists them).
pub mod code {
    /// The command did what it was asked.
    pub const OK: u8 = 0;
    /// The command line is wrong.
    pub const USAGE: u8 = 2;
    /// The request breaks the API description; nothing was sent.
    pub const INVALID_REQUEST: u8 = 3;
    /// The service answered with an error.
    pub const SERVICE: u8 = 4;
    /// The service could not be reached, or the answer was lost.
    pub const TRANSPORT: u8 = 5;
    /// The job ended in FAILED, or did not end in time.
    pub const JOB: u8 = 6;
    /// Credentials, project, region or endpoint are missing or wrong.
    pub const CONFIG: u8 = 7;
    /// The operation failed for some of the desktops it was given.
    pub const PARTIAL: u8 = 8;
    /// The call was sent and accepted, but its job could not be followed: do not send it
    /// again, look its effect up.
    pub const NOT_FOLLOWED: u8 = 9;
}

/// The exit codes, for `--help`.
pub const HELP: &str = "Exit codes: 0 success, 2 usage, 3 invalid request (not sent), \
4 service error, 5 transport error, 6 job failed or wait timed out, 7 configuration \
(credentials, project, region), 8 partial failure (some desktops failed; the answer is on stdout), \
9 sent and accepted, but its job could not be followed (do not send it again; the answer is on stdout). \
bulk: 8 some rows failed, 6 some rows not ended, 3 bad rows (nothing sent), 2 journal unusable, \
4 throttled too often (resume later).";

/// Why the command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong.
    Usage(String),
    /// The library failed.
    Library(Error),
    /// The call was sent and accepted; following its job then failed (for a reason other
    /// than the job failing or the wait running out).
    NotFollowed(Error),
    /// Rows of a fleet run break the document; nothing was sent.
    Rows(RowErrors),
    /// A fleet run could not use its journal, or the gateway kept throttling it.
    Fleet(FleetError),
    /// A fleet run ended with this many rows failed (its outcome is on stdout).
    RowsFailed(usize),
    /// A fleet run ended with this many rows whose jobs had not ended.
    RowsPending(usize),
}

impl Failure {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// Its exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => code::USAGE,
            Failure::NotFollowed(_) => code::NOT_FOLLOWED,
            Failure::Rows(_) => code::INVALID_REQUEST,
            Failure::Fleet(FleetError::Throttled(_)) => code::SERVICE,
            Failure::Fleet(FleetError::Lookup(error) | FleetError::Stopped(error)) => {
                library_code(error)
            }
            Failure::Fleet(_) => code::USAGE,
            Failure::RowsFailed(_) => code::PARTIAL,
            Failure::RowsPending(_) => code::JOB,
            Failure::Library(error) => library_code(error),
        }
    }

    /// Prints the failure on stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        let (line, details) = match self {
            Failure::Usage(message) => (
                message.clone(),
                json!({"kind": "usage", "message": message}),
            ),
            Failure::Library(Error::Config(error)) => {
                let line = config_line(error);
                let details = json!({"kind": "configuration", "message": line});
                (line, details)
            }
            Failure::Library(Error::Credentials(error)) => {
                let line = error.to_string();
                let details = json!({"kind": "credentials", "message": line});
                (line, details)
            }
            Failure::Library(error) => (line_with_causes(error), details(error)),
            Failure::NotFollowed(error) => {
                let line = format!(
                    "the call was sent and accepted, but its job could not be followed \
                     (do not send it again; look its effect up): {}",
                    line_with_causes(error)
                );
                let mut details = details(error);
                details["sent"] = json!(true);
                details["followed"] = json!(false);
                (line, details)
            }
            Failure::Rows(errors) => {
                let rows: Vec<Value> = errors
                    .0
                    .iter()
                    .map(|e| json!({"line": e.line, "field": e.field, "message": e.message}))
                    .collect();
                (
                    errors.to_string(),
                    json!({"kind": "invalid_rows", "rows": rows}),
                )
            }
            Failure::Fleet(error) => {
                let line = error.to_string();
                (line.clone(), json!({"kind": "fleet", "message": line}))
            }
            Failure::RowsFailed(n) => (
                format!("{n} rows failed (the outcome on stdout, and --report, say why)"),
                json!({"kind": "rows_failed", "failed": n}),
            ),
            Failure::RowsPending(n) => (
                format!(
                    "{n} rows not ended: their jobs outlived --wait-timeout (resume the run later)"
                ),
                json!({"kind": "rows_pending", "pending": n}),
            ),
        };
        // Bad rows are listed one per line; any other failure is one line, whatever the
        // service's text holds.
        let line = match self {
            Failure::Rows(_) => clean_lines(&line),
            _ => text::clean(&line),
        };
        text::to_stderr(&format!("huaweicloud-workspace: {line}"));
        if let Failure::Library(Error::PartialFailure(partial)) = self {
            for item in partial.failed() {
                text::to_stderr(&format!("  failed: {}", text::clean(&item.to_string())));
            }
        }
        text::to_stderr(&text::json_line(&details));
        ExitCode::from(self.code())
    }
}

/// Each line cleaned of control characters, the line breaks kept (bad rows, one per line).
fn clean_lines(text: &str) -> String {
    text.lines().map(text::clean).collect::<Vec<_>>().join("\n")
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Library(error)
    }
}

/// The error's line, followed by its causes (a transport error says why).
fn line_with_causes(error: &Error) -> String {
    let mut line = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        let text = current.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = current.source();
    }
    line
}

/// A configuration error in the words of the command line (its flags and variables).
fn config_line(error: &ConfigError) -> String {
    match error {
        ConfigError::Credentials(CredentialsError::NotFound { looked, .. }) => {
            format!("no credentials found: {looked}")
        }
        ConfigError::MissingProjectId => "no project id: pass --project-id, or set \
            HUAWEICLOUD_SDK_PROJECT_ID, or write project_id in the credentials file"
            .to_string(),
        ConfigError::MissingRegion => "no region: pass --region (for example cn-north-4) or \
            --endpoint, or set HUAWEICLOUD_SDK_REGION, or write region in the credentials file"
            .to_string(),
        ConfigError::UnknownRegion {
            region,
            suggestion,
            env,
            ..
        } => match suggestion {
            Some(known) => format!("unknown region {region:?}: did you mean {known}?"),
            None => format!(
                "the Workspace service is not known to run in region {region:?}: pass \
                 --endpoint, or set {env}"
            ),
        },
        ConfigError::InvalidEndpoint {
            endpoint, reason, ..
        } => format!("invalid --endpoint {endpoint:?}: {reason}"),
        other => other.to_string(),
    }
}

fn details(error: &Error) -> Value {
    match error {
        Error::InvalidRequest { field, message, .. } => {
            json!({"kind": "invalid_request", "field": field, "message": message})
        }
        Error::Service(e) => json!({
            "kind": "service", "status": e.status().as_u16(), "error_code": e.code(),
            "error_msg": e.message(), "error_detail": e.detail(), "request_id": e.request_id(),
        }),
        Error::UnexpectedResponse(e) => json!({
            "kind": "unexpected_response", "status": e.status().as_u16(),
            "message": e.to_string(), "location": e.location(), "request_id": e.request_id(),
        }),
        Error::PartialFailure(e) => json!({
            "kind": "partial_failure", "request_id": e.request_id(), "job_id": e.job_id(),
            "failed": e.failed().iter().map(|f| json!({"id": f.id(), "error_code": f.code(), "error_msg": f.message()})).collect::<Vec<_>>(),
        }),
        Error::JobFailed(e) => json!({
            "kind": "job_failed", "job_id": e.job_id(), "job_error_code": e.code(),
            "fail_reason": e.reason(),
        }),
        Error::UnfollowableJob { job_id, reason, .. } => json!({
            "kind": "unfollowable_job", "job_id": job_id, "reason": reason, "sent": true,
        }),
        Error::WaitTimeout {
            job_id,
            limit,
            last_status,
            ..
        } => json!({
            "kind": "wait_timeout", "job_id": job_id, "limit_seconds": limit.as_secs_f64(),
            "last_status": last_status,
        }),
        _ => json!({"kind": "transport", "message": line_with_causes(error)}),
    }
}

/// The exit code of a library error.
fn library_code(error: &Error) -> u8 {
    match error {
        Error::UnfollowableJob { .. } => code::NOT_FOLLOWED,
        Error::InvalidRequest { .. } => code::INVALID_REQUEST,
        Error::Service(_) | Error::UnexpectedResponse(_) => code::SERVICE,
        Error::PartialFailure(_) => code::PARTIAL,
        Error::JobFailed(_) | Error::WaitTimeout { .. } => code::JOB,
        Error::Config(_) | Error::Credentials(_) => code::CONFIG,
        _ => code::TRANSPORT,
    }
}
