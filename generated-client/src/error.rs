//! The one error type of this crate, and the errors it carries.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;

use crate::config::ConfigError;
use crate::credentials::CredentialsError;
use crate::error_body::ErrorBody;
use crate::types;

/// Everything a call can fail with. `Display` is one line; `source()` gives the cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration could not be built (credentials, project, region, endpoint).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No credentials could be had at call time (a credentials service did not answer, the
    /// ones a provider gave have expired); the request was not sent.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The request breaks a rule of the API description; it was not sent.
    #[error("invalid request, not sent: {message}")]
    #[non_exhaustive]
    InvalidRequest {
        /// The field at fault, by its path (`desktops[0].computer_name`), when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The service answered with an error status.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The service answered, but not as the API description says it does: a redirect, an
    /// undocumented status, a body that cannot be decoded or is too large.
    #[error("{0}")]
    UnexpectedResponse(Box<UnexpectedResponse>),
    /// The operation succeeded for some items and failed for others (it listed them).
    #[error("{0}")]
    PartialFailure(Box<PartialFailure>),
    /// No connection could be made; the request was not sent.
    #[error("cannot connect to the endpoint ({kind})")]
    #[non_exhaustive]
    Connect {
        /// Why the connection failed: DNS, refused, TLS or another cause.
        kind: ConnectFailure,
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// A time limit struck. A POST that timed out may still have been carried out.
    #[error("timed out {phase}")]
    #[non_exhaustive]
    Timeout {
        /// While connecting, or while waiting for or reading the answer.
        phase: TimeoutPhase,
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// Another transport failure after the request may have been sent.
    #[error("transport failure")]
    #[non_exhaustive]
    Transport {
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// The job ended in FAILED.
    #[error("{0}")]
    JobFailed(Box<JobFailure>),
    /// The call was sent and accepted, and named a job this client cannot query (an id that
    /// would leave its place in the URL, or too long): the call's effect is unknown, so it
    /// must not be sent again; look its effect up instead.
    #[error("the call was accepted, but its job {job_id:?} cannot be followed: {reason}")]
    #[non_exhaustive]
    UnfollowableJob {
        /// The job id as the answer gave it (its start, when long).
        job_id: String,
        /// Why it cannot be queried.
        reason: String,
    },
    /// The job did not end within the waiter's time limit.
    #[error("job {job_id} did not finish within {}; last status {last_status}", seconds(*limit))]
    #[non_exhaustive]
    WaitTimeout {
        /// The job waited for.
        job_id: String,
        /// The time limit of the wait.
        limit: Duration,
        /// The status last seen.
        last_status: String,
    },
}

fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

impl Error {
    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::UnexpectedResponse(e) => Some(e.status),
            Error::PartialFailure(e) => Some(e.status),
            _ => None,
        }
    }

    /// The service's request id, if the service answered with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id(),
            Error::UnexpectedResponse(e) => e.request_id(),
            Error::PartialFailure(e) => e.request_id(),
            _ => None,
        }
    }

    /// The service's error code (`error_code`, or its equivalent in other body shapes), or
    /// the failed job's.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.code(),
            Error::JobFailed(e) => e.code(),
            _ => None,
        }
    }

    /// An invalid request, naming the field when there is one.
    pub(crate) fn invalid(field: Option<String>, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            field,
            message: message.into(),
        }
    }
}

/// Why a connection could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectFailure {
    /// The host name did not resolve.
    Dns,
    /// The server refused or was unreachable.
    Refused,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Something else.
    Other,
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectFailure::Dns => "name resolution failed",
            ConnectFailure::Refused => "connection refused or unreachable",
            ConnectFailure::Tls => "TLS handshake failed",
            ConnectFailure::Other => "connection failed",
        })
    }
}

/// When a timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// While connecting: the request was not sent.
    Connect,
    /// After the request was sent, waiting for or reading the answer (the read timeout or
    /// the call's deadline).
    Response,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Response => "waiting for the answer",
        })
    }
}

/// An error answer of the service, with everything it said.
#[derive(Debug, Clone)]
pub struct ServiceError {
    status: StatusCode,
    body: ErrorBody,
    headers: HeaderMap,
    raw_body: Bytes,
    auth_failure: Option<AuthFailure>,
}

/// Why the service refused the caller's credentials, when its answer says (401 or 403).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The request's time (`X-Sdk-Date`, from the local clock) is too far from the service's.
    ClockSkew {
        /// The local clock when the answer arrived.
        local: std::time::SystemTime,
        /// The service's clock, from the answer's `Date`, when it sent one.
        service: Option<std::time::SystemTime>,
    },
    /// The service does not know the access key.
    UnknownAccessKey {
        /// Its first characters (an access key id is not secret, but need not be shown whole).
        start: String,
    },
    /// The temporary credentials (or the token) have expired.
    Expired,
}

/// How far apart the local and the service's clocks may be before a 401 is read as skew
/// (the gateway's window is 15 minutes).
const SKEW: Duration = Duration::from_secs(5 * 60);

impl AuthFailure {
    /// Reads a refusal: the service's `Date` against the local clock first, then its words.
    fn diagnose(
        message: Option<&str>,
        headers: &HeaderMap,
        local: std::time::SystemTime,
        access_key: Option<&str>,
    ) -> Option<Self> {
        let service = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let apart = service.map(|s| s.duration_since(local).unwrap_or_else(|e| e.duration()));
        let words = message.unwrap_or_default().to_ascii_lowercase();
        let mentions = |all: &[&str]| all.iter().all(|w| words.contains(w));
        if apart.is_some_and(|a| a > SKEW)
            || mentions(&["x-sdk-date"])
            || mentions(&["request", "time"]) && mentions(&["server"])
            || mentions(&["signature", "expired"])
        {
            return Some(AuthFailure::ClockSkew { local, service });
        }
        if mentions(&["access key"])
            && [
                "unknown",
                "not exist",
                "does not exist",
                "not found",
                "invalid",
            ]
            .iter()
            .any(|w| words.contains(w))
        {
            let start: String = access_key.unwrap_or_default().chars().take(4).collect();
            return Some(AuthFailure::UnknownAccessKey { start });
        }
        if words.contains("expired") && (words.contains("token") || words.contains("credential")) {
            return Some(AuthFailure::Expired);
        }
        None
    }
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::ClockSkew { local, service } => {
                write!(f, "the local clock reads {}", crate::clock::iso_date(*local))?;
                match service {
                    Some(service) => {
                        let (ahead, apart) = match local.duration_since(*service) {
                            Ok(apart) => ("ahead of", apart),
                            Err(e) => ("behind", e.duration()),
                        };
                        write!(
                            f,
                            " and the service's {} (its Date): the local clock is {} s {ahead} the service's; set it right (NTP)",
                            crate::clock::iso_date(*service),
                            apart.as_secs()
                        )
                    }
                    None => f.write_str(": the signing time is too far from the service's; set the clock right (NTP)"),
                }
            }
            AuthFailure::UnknownAccessKey { start } => write!(
                f,
                "the service does not know the access key {start}…: check which key the credentials' source gives"
            ),
            AuthFailure::Expired => f.write_str("the credentials have expired: renew them"),
        }
    }
}

impl ServiceError {
    /// Reads an error answer of any body shape.
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, raw_body: Bytes) -> Self {
        Self {
            status,
            body: ErrorBody::parse(&raw_body),
            headers,
            raw_body,
            auth_failure: None,
        }
    }

    /// Reads a refusal of the caller (401, 403) against the local clock at the answer and the
    /// access key the request was signed with, to say why.
    pub(crate) fn diagnosed(
        mut self,
        local: std::time::SystemTime,
        access_key: Option<&str>,
    ) -> Self {
        if matches!(self.status.as_u16(), 401 | 403) {
            self.auth_failure =
                AuthFailure::diagnose(self.message(), &self.headers, local, access_key);
        }
        self
    }

    /// Why the credentials were refused, when the answer says.
    pub fn auth_failure(&self) -> Option<&AuthFailure> {
        self.auth_failure.as_ref()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error code, e.g. `WKS.0001` or `APIGW.0301`.
    pub fn code(&self) -> Option<&str> {
        self.body.code.as_deref()
    }

    /// The error message.
    pub fn message(&self) -> Option<&str> {
        self.body.message.as_deref()
    }

    /// The error details.
    pub fn detail(&self) -> Option<&str> {
        self.body.detail.as_deref()
    }

    /// The encrypted reason an authorization was refused (STS decodes it).
    pub fn encoded_authorization_message(&self) -> Option<&str> {
        self.body.encoded_authorization_message.as_deref()
    }

    /// The `X-Request-Id` header, to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Every header of the answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received.
    pub fn raw_body(&self) -> &[u8] {
        &self.raw_body
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service error {}", self.status.as_u16())?;
        if let Some(code) = self.code() {
            write!(f, " {code}")?;
        }
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        }
        if let Some(detail) = self.detail().filter(|d| Some(*d) != self.message()) {
            write!(f, " ({detail})")?;
        }
        if let Some(failure) = &self.auth_failure {
            write!(f, "; {failure}")?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// How an answer departed from the API description.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unexpected {
    /// A redirect (3xx). The service never redirects, and following one could send the
    /// credentials elsewhere, so it is not followed.
    Redirect,
    /// A status the API description does not list.
    UndocumentedStatus,
    /// The documented status, with a body that does not decode as documented.
    Undecodable(String),
    /// A body larger than the configured limit (only its start is kept).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A body sent with a `Content-Encoding` (gzip, say) although none was asked for: it is
    /// not inflated (an unbounded inflation is how a small answer exhausts memory).
    Encoded(String),
    /// The status and headers arrived, then the body was cut off (what arrived is kept).
    Interrupted(String),
}

/// An answer this client did not expect, kept whole.
#[derive(Debug, Clone)]
pub struct UnexpectedResponse {
    status: StatusCode,
    headers: HeaderMap,
    raw_body: Bytes,
    kind: Unexpected,
}

impl UnexpectedResponse {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        raw_body: Bytes,
        kind: Unexpected,
    ) -> Self {
        Self {
            status,
            headers,
            raw_body,
            kind,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// How the answer departed from the API description.
    pub fn kind(&self) -> &Unexpected {
        &self.kind
    }

    /// The `Location` a redirect points to.
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The `X-Request-Id` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Every header of the answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body as received (its start only, for a body over the limit).
    pub fn raw_body(&self) -> &[u8] {
        &self.raw_body
    }
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status.as_u16();
        match &self.kind {
            Unexpected::Redirect => write!(
                f,
                "unexpected redirect {status} to {}: not followed",
                self.location().unwrap_or("(no Location)")
            )?,
            Unexpected::UndocumentedStatus => write!(f, "unexpected answer {status}")?,
            Unexpected::Undecodable(reason) => {
                write!(f, "answer {status} cannot be decoded: {reason}")?
            }
            Unexpected::TooLarge { limit } => {
                write!(f, "answer {status} has a body over the {limit}-byte limit")?
            }
            Unexpected::Interrupted(reason) => {
                write!(f, "answer {status} was cut off while its body was read: {reason}")?
            }
            Unexpected::Encoded(encoding) => write!(
                f,
                "answer {status} is {encoding}-encoded, which the client did not ask for and does not decode"
            )?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// One item an operation failed on, as its answer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedItem {
    id: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

impl FailedItem {
    pub(crate) fn new(id: Option<&str>, code: Option<&str>, message: Option<&str>) -> Self {
        Self {
            id: id.map(str::to_string),
            code: code.map(str::to_string),
            message: message.map(str::to_string),
        }
    }

    /// What failed (a desktop id).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The error code.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Why the item failed, as the answer words it.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for FailedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id().unwrap_or("(unnamed)"))?;
        if let Some(code) = self.code() {
            write!(f, " {code}")?;
        }
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// An answer that lists items the operation failed on. The rest may have succeeded: the
/// answer is kept, and so is the job it started for them.
#[derive(Debug, Clone)]
pub struct PartialFailure {
    failed: Vec<FailedItem>,
    job_id: Option<String>,
    answer: serde_json::Value,
    status: StatusCode,
    headers: HeaderMap,
}

impl PartialFailure {
    pub(crate) fn new(
        failed: Vec<FailedItem>,
        job_id: Option<String>,
        answer: serde_json::Value,
        status: StatusCode,
        headers: HeaderMap,
    ) -> Self {
        Self {
            failed,
            job_id,
            answer,
            status,
            headers,
        }
    }

    /// The items that failed.
    pub fn failed(&self) -> &[FailedItem] {
        &self.failed
    }

    /// The job started for the items that did not fail, if one was.
    pub fn job_id(&self) -> Option<&str> {
        self.job_id.as_deref()
    }

    /// The whole answer, as JSON.
    pub fn answer(&self) -> &serde_json::Value {
        &self.answer
    }

    /// The whole answer, decoded as `T` (the operation's answer type).
    pub fn answer_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.answer.clone())
    }

    /// The `X-Request-Id` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Every header of the answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl fmt::Display for PartialFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.failed.len();
        write!(
            f,
            "{count} item{} failed",
            if count == 1 { "" } else { "s" }
        )?;
        if let Some(first) = self.failed.first() {
            write!(f, ", first {first}")?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A job that ended in FAILED.
#[derive(Debug, Clone)]
pub struct JobFailure {
    job_id: String,
    failed_sub_jobs: Vec<types::JobDetailInfo>,
    job: types::ShowJobResponse,
}

impl JobFailure {
    pub(crate) fn new(job_id: &str, job: types::ShowJobResponse) -> Self {
        let failed_sub_jobs = job
            .sub_jobs
            .iter()
            .filter(|sub| sub.status.as_ref().map(|s| s.state()) == Some(crate::JobState::Failed))
            .cloned()
            .collect();
        Self {
            job_id: job_id.to_string(),
            failed_sub_jobs,
            job,
        }
    }

    /// The job that failed.
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// Its error code.
    pub fn code(&self) -> Option<&str> {
        self.job.job_error_code.as_deref()
    }

    /// Why it failed.
    pub fn reason(&self) -> Option<&str> {
        self.job.fail_reason.as_deref()
    }

    /// The sub-jobs that failed.
    pub fn failed_sub_jobs(&self) -> &[types::JobDetailInfo] {
        &self.failed_sub_jobs
    }

    /// The whole job as last seen.
    pub fn job(&self) -> &types::ShowJobResponse {
        &self.job
    }
}

impl fmt::Display for JobFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} failed", self.job_id)?;
        if let Some(code) = self.code() {
            write!(f, " with {code}")?;
        }
        if let Some(reason) = self.reason() {
            write!(f, ": {reason}")?;
        }
        if !self.failed_sub_jobs.is_empty() {
            write!(f, " ({} failed sub-jobs)", self.failed_sub_jobs.len())?;
        }
        Ok(())
    }
}

/// The `X-Request-Id` header of an answer.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

/// Sorts a transport failure into connect, timeout or other.
pub(crate) fn from_transport(source: reqwest::Error) -> Error {
    if source.is_timeout() {
        let phase = if source.is_connect() {
            TimeoutPhase::Connect
        } else {
            TimeoutPhase::Response
        };
        return Error::Timeout { phase, source };
    }
    if source.is_connect() {
        return Error::Connect {
            kind: connect_failure(&source),
            source,
        };
    }
    Error::Transport { source }
}

/// Reads the cause chain: hyper-util reports DNS failures as "dns error", rustls's errors
/// arrive as `io::Error`s of kind `InvalidData`, refusals as `ConnectionRefused`.
fn connect_failure(error: &reqwest::Error) -> ConnectFailure {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let text = current.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return ConnectFailure::Dns;
        }
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return ConnectFailure::Tls;
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused | ConnectionReset | HostUnreachable | NetworkUnreachable => {
                    return ConnectFailure::Refused
                }
                InvalidData => return ConnectFailure::Tls,
                _ => {}
            }
            // `io::Error::source` skips the wrapped error itself; descend into it.
            if let Some(inner) = io.get_ref() {
                cause = Some(inner);
                continue;
            }
        }
        cause = current.source();
    }
    ConnectFailure::Other
}
