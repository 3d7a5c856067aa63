//! Temporary credentials over HTTP, as the instance metadata service and pod identity give
//! them: a client for such services (short time limits, no redirect, no proxy: they are on
//! this machine or its host) and the answer's format.

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::credentials::{Credentials, CredentialsError};

/// The largest answer read from a credentials service.
const MAX_ANSWER: usize = 64 << 10;

/// A client for one credentials service; `name` says which in errors.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    http: reqwest::Client,
    name: String,
}

/// An answer: its status and body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Fetcher {
    /// A client whose every request (connection, answer and body) ends within `timeout`.
    pub fn new(name: String, timeout: Duration) -> Result<Self, CredentialsError> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::client::tls(&[]).map_err(|e| {
                CredentialsError::Fetch {
                    source_name: name.clone(),
                    reason: e.to_string(),
                }
            })?)
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| CredentialsError::Fetch {
                source_name: name.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self { http, name })
    }

    /// The error of this service for `reason`.
    pub fn error(&self, reason: impl Into<String>) -> CredentialsError {
        CredentialsError::Fetch {
            source_name: self.name.clone(),
            reason: reason.into(),
        }
    }

    /// Sends a request and reads its answer within [`MAX_ANSWER`] bytes.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        headers: &[(&str, &str)],
        body: Option<&'static str>,
    ) -> Result<Answer, CredentialsError> {
        let mut request = self.http.request(method, url);
        for (name, value) in headers {
            let mut value = reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| self.error(format!("the {name} header cannot be sent")))?;
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let mut response = request.send().await.map_err(|e| self.error(describe(&e)))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.error(describe(&e)))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(self.error(format!("its answer is larger than {MAX_ANSWER} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    }

    /// The credentials of an answer, or why it has none.
    pub fn credentials(&self, answer: &Answer) -> Result<Credentials, CredentialsError> {
        if !answer.status.is_success() {
            return Err(self.error(format!(
                "it answered {} ({})",
                answer.status.as_u16(),
                snippet(&answer.body)
            )));
        }
        parse(&answer.body).map_err(|reason| self.error(reason))
    }
}

/// A transport error in words, with its causes.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "no answer in time".to_string()
    } else if error.is_connect() {
        "cannot connect".to_string()
    } else {
        error.to_string()
    };
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        text.push_str(&format!(": {current}"));
        cause = current.source();
    }
    text
}

/// The start of a body, for a message (printable characters only).
fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(200)])
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// Temporary credentials as the services write them: `{"credential": {"access", "secret",
/// "securitytoken", "expires_at"}}` (the official SDKs also accept `credentials`,
/// `accessKeyId`/`secretAccessKey`/`securityToken` and `expiration`).
pub(crate) fn parse(body: &[u8]) -> Result<Credentials, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| "its answer is not JSON".to_string())?;
    let credential = value
        .get("credential")
        .or_else(|| value.get("credentials"))
        .unwrap_or(&value);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| credential.get(*name).and_then(Value::as_str))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let access = field(&["access", "accessKeyId", "access_key_id"]);
    let secret = field(&["secret", "secretAccessKey", "secret_access_key"]);
    let token = field(&["securitytoken", "securityToken", "security_token"]);
    let expires = field(&["expires_at", "expiration"]);
    let (Some(access), Some(secret), Some(token)) = (access, secret, token) else {
        return Err("its answer has no access key, secret key and security token".into());
    };
    let credentials = Credentials::temporary(access, secret, token);
    match expires {
        None => Ok(credentials),
        Some(text) => crate::clock::parse_utc(&text)
            .map(|at| credentials.expiring_at(at))
            .ok_or_else(|| format!("its expires_at {text:?} is not a UTC time")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_formats_of_the_services_are_read() {
        let credentials = parse(
            br#"{"credential": {"access": "A", "secret": "S", "securitytoken": "T",
            "expires_at": "2026-11-30T10:15:00.000000Z"}}"#,
        )
        .unwrap();
        assert_eq!(credentials.access_key(), Some("A"));
        assert_eq!(
            credentials
                .expires_at()
                .map(crate::clock::iso_date)
                .as_deref(),
            Some("2026-11-30T10:15:00Z")
        );
        let other = parse(
            br#"{"credentials": {"accessKeyId": "A", "secretAccessKey": "S",
            "securityToken": "T", "expiration": "2026-11-30T10:15:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(other.access_key(), Some("A"));
        assert!(parse(br#"{"credential": {"access": "A"}}"#).is_err());
        assert!(parse(b"<html>").is_err());
        let bad_time = parse(
            br#"{"credential": {"access": "A", "secret": "S", "securitytoken": "T",
            "expires_at": "tomorrow"}}"#,
        );
        assert_eq!(
            bad_time.unwrap_err(),
            "its expires_at \"tomorrow\" is not a UTC time"
        );
    }
}
