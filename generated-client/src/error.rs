//! The one error type of this crate.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::config::ConfigError;
use crate::error_body::ErrorBody;
use crate::hooks::RawResponse;
use crate::types;

/// Everything a call can fail with. `Display` is one line; `source()` gives the cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration could not be built (credentials, project, region, endpoint).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request breaks a rule of the API description; it was not sent.
    #[error("invalid request, not sent: {message}")]
    InvalidRequest {
        /// The field at fault, when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The service answered with an error.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The service answered, but not with a body this client understands.
    #[error("{0}")]
    UnexpectedResponse(Box<UnexpectedResponse>),
    /// No connection could be made; the request was not sent.
    #[error("cannot connect to the endpoint ({kind}): {source}")]
    Connect {
        /// Why.
        kind: ConnectFailure,
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// A timeout. A timed-out POST may still have been carried out by the service.
    #[error("timed out {phase}: {source}")]
    Timeout {
        /// While connecting or while waiting for the response.
        phase: TimeoutPhase,
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// Another transport failure after the request may have been sent.
    #[error("transport failure: {source}")]
    Transport {
        /// The transport's error.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not be prepared (signing failed).
    #[error("cannot prepare the request: {0}")]
    Request(String),
    /// The job ended in FAILED.
    #[error("{0}")]
    JobFailed(Box<JobFailure>),
    /// The job did not end before the waiter's deadline.
    #[error("job {job_id} did not finish within {waited:?}; last status {last_status}")]
    WaitTimeout {
        /// The job.
        job_id: String,
        /// How long the waiter waited.
        waited: Duration,
        /// The status last seen.
        last_status: String,
    },
}

impl Error {
    /// Converts an error of the generated [`Client`](crate::Client) (progenitor's type), using
    /// the response as received when there is one (see
    /// [`with_last_response`](crate::with_last_response)), so that status, headers and raw body
    /// are kept whatever the body's shape.
    pub fn from_generated(
        error: progenitor_client::Error<types::ErrorResponse>,
        raw: Option<RawResponse>,
    ) -> Self {
        use progenitor_client::Error as Generated;
        match (error, raw) {
            (Generated::InvalidRequest(message), _) => Error::InvalidRequest {
                field: field_of(&message),
                message,
            },
            (Generated::Custom(message), _) => Error::Request(message),
            (Generated::CommunicationError(source), _)
            | (Generated::ResponseBodyError(source), _) => from_transport(source),
            (Generated::InvalidUpgrade(source), _) => Error::Transport { source },
            // A response arrived: judge it by its status, from the bytes actually received.
            (_, Some(raw)) if !raw.status.is_success() => Error::Service(Box::new(
                ServiceError::new(raw.status, raw.headers, raw.body),
            )),
            (other, Some(raw)) => {
                let (raw_body, reason) = match other {
                    // A 200's body is not buffered by the hook; progenitor kept its bytes.
                    Generated::InvalidResponsePayload(bytes, e) => {
                        (bytes, format!("cannot decode the body: {e}"))
                    }
                    _ => (
                        raw.body,
                        "a status the API description does not list".to_string(),
                    ),
                };
                Error::UnexpectedResponse(Box::new(UnexpectedResponse {
                    status: raw.status,
                    request_id: request_id(&raw.headers).map(str::to_string),
                    headers: raw.headers,
                    raw_body,
                    reason,
                }))
            }
            // Without the raw response, keep what progenitor kept.
            (Generated::ErrorResponse(value), None) => {
                let (status, headers) = (value.status(), value.headers().clone());
                let body = serde_json::to_vec(&value.into_inner()).unwrap_or_default();
                Error::Service(Box::new(ServiceError::new(status, headers, body.into())))
            }
            (other, None) => Error::Request(other.to_string()),
        }
    }

    /// The HTTP status, if the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::UnexpectedResponse(e) => Some(e.status),
            _ => None,
        }
    }

    /// The service's request id, if the service answered with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::UnexpectedResponse(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The service's error code (`error_code`, or its equivalent in other body shapes).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.error_code.as_deref(),
            Error::JobFailed(e) => e.job_error_code.as_deref(),
            _ => None,
        }
    }
}

/// Why a connection could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub enum TimeoutPhase {
    /// While connecting: the request was not sent.
    Connect,
    /// After the request was sent, waiting for or reading the response.
    Response,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Response => "waiting for the response",
        })
    }
}

/// An error answer of the service, with everything it said.
#[derive(Debug, Clone)]
pub struct ServiceError {
    /// HTTP status.
    pub status: StatusCode,
    /// Error code, e.g. `WKS.0001` or `APIGW.0301`.
    pub error_code: Option<String>,
    /// Error message.
    pub error_msg: Option<String>,
    /// Error details.
    pub error_detail: Option<String>,
    /// Encrypted reason an authorization was refused (decode it with STS).
    pub encoded_authorization_message: Option<String>,
    /// The `X-Request-Id` header.
    pub request_id: Option<String>,
    /// All response headers.
    pub headers: HeaderMap,
    /// The body exactly as received.
    pub raw_body: Bytes,
}

impl ServiceError {
    /// Reads an error response of any body shape.
    pub fn new(status: StatusCode, headers: HeaderMap, raw_body: Bytes) -> Self {
        let body = ErrorBody::parse(&raw_body);
        Self {
            status,
            error_code: body.code,
            error_msg: body.message,
            error_detail: body.detail,
            encoded_authorization_message: body.encoded_authorization_message,
            request_id: request_id(&headers).map(str::to_string),
            headers,
            raw_body,
        }
    }

    /// The body decoded as the document's error schema.
    pub fn as_error_response(&self) -> types::ErrorResponse {
        types::ErrorResponse {
            error_code: self.error_code.clone(),
            error_msg: self.error_msg.clone(),
            error_detail: self.error_detail.clone(),
            encoded_authorization_message: self.encoded_authorization_message.clone(),
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service error {}", self.status.as_u16())?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.error_msg {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A response this client could not decode, kept whole.
#[derive(Debug, Clone)]
pub struct UnexpectedResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// The `X-Request-Id` header.
    pub request_id: Option<String>,
    /// All response headers.
    pub headers: HeaderMap,
    /// The body exactly as received.
    pub raw_body: Bytes,
    /// Why it could not be decoded.
    pub reason: String,
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unexpected response {}: {}",
            self.status.as_u16(),
            self.reason
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A job that ended in FAILED.
#[derive(Debug, Clone)]
pub struct JobFailure {
    /// The job.
    pub job_id: String,
    /// Its error code.
    pub job_error_code: Option<String>,
    /// Why it failed.
    pub fail_reason: Option<String>,
    /// The sub-jobs that failed.
    pub failed_sub_jobs: Vec<types::JobDetailInfo>,
    /// The whole job as last seen.
    pub job: types::ShowJobResponse,
}

impl fmt::Display for JobFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} failed", self.job_id)?;
        if let Some(code) = &self.job_error_code {
            write!(f, " with {code}")?;
        }
        if let Some(reason) = &self.fail_reason {
            write!(f, ": {reason}")?;
        }
        if !self.failed_sub_jobs.is_empty() {
            write!(f, " ({} failed sub-jobs)", self.failed_sub_jobs.len())?;
        }
        Ok(())
    }
}

/// The field a typify conversion error names (`... supplied value for FIELD: ...` or
/// `no value supplied for FIELD`).
pub(crate) fn field_of(message: &str) -> Option<String> {
    let start = message.rfind("supplied value for ").map(|i| i + 19);
    let start = start.or_else(|| message.rfind("no value supplied for ").map(|i| i + 22))?;
    let field: String = message[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!field.is_empty()).then_some(field)
}

/// The `X-Request-Id` header of a response.
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

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn field_names_come_out_of_typify_messages() {
        assert_eq!(
            field_of("conversion to `BatchAttachRequest` for body failed: error converting supplied value for computer_name: longer than 15 characters").as_deref(),
            Some("computer_name")
        );
        assert_eq!(
            field_of("no value supplied for user_group").as_deref(),
            Some("user_group")
        );
        assert_eq!(field_of("something else"), None);
    }
}
