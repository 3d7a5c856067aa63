//! Exit codes and how failures are reported on stderr.

use std::process::ExitCode;

use huaweicloud_workspace::Error;
use serde_json::json;

/// Success.
pub const OK: u8 = 0;
/// The command line is wrong (clap uses 2 as well).
pub const USAGE: u8 = 2;
/// The request breaks the API description; nothing was sent.
pub const VALIDATION: u8 = 3;
/// The service answered with an error.
pub const SERVICE: u8 = 4;
/// The service could not be reached, or the answer was lost.
pub const TRANSPORT: u8 = 5;
/// The job ended in FAILED, or did not end in time.
pub const JOB: u8 = 6;
/// Credentials, project, region or endpoint are missing or wrong.
pub const CONFIG: u8 = 7;

/// The `--help` text that lists them.
pub const HELP: &str =
    "Exit codes: 0 success, 2 usage, 3 invalid request (not sent), 4 service error, \
5 transport error, 6 job failed or wait timed out, 7 configuration (credentials, project, region).";

/// Prints `error` on stderr, a human line then a JSON line, and returns its exit code.
pub fn report(error: &Error) -> ExitCode {
    eprintln!("huaweicloud-workspace: {error}");
    let (code, details) = match error {
        Error::InvalidRequest { field, message } => (
            VALIDATION,
            json!({"kind": "validation", "field": field, "message": message}),
        ),
        Error::Service(e) => (
            SERVICE,
            json!({"kind": "service", "status": e.status.as_u16(), "error_code": e.error_code, "error_msg": e.error_msg,
                   "error_detail": e.error_detail, "request_id": e.request_id}),
        ),
        Error::UnexpectedResponse(e) => (
            SERVICE,
            json!({"kind": "unexpected_response", "status": e.status.as_u16(), "reason": e.reason, "request_id": e.request_id}),
        ),
        Error::JobFailed(e) => (
            JOB,
            json!({"kind": "job_failed", "job_id": e.job_id, "job_error_code": e.job_error_code, "fail_reason": e.fail_reason}),
        ),
        Error::WaitTimeout {
            job_id,
            last_status,
            ..
        } => (
            JOB,
            json!({"kind": "wait_timeout", "job_id": job_id, "last_status": last_status}),
        ),
        Error::Config(_) => (
            CONFIG,
            json!({"kind": "configuration", "message": error.to_string()}),
        ),
        _ => (
            TRANSPORT,
            json!({"kind": "transport", "message": error.to_string()}),
        ),
    };
    eprintln!("{details}");
    ExitCode::from(code)
}

/// Reports a failure that is not one of the client's errors.
pub fn other(code: u8, kind: &str, message: &str) -> ExitCode {
    eprintln!("huaweicloud-workspace: {message}");
    eprintln!("{}", json!({"kind": kind, "message": message}));
    ExitCode::from(code)
}
