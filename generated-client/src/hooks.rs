//! The progenitor hooks: where every generated call passes through hand-written code.
//!
//! `pre` authenticates the request (signature or token); `exec` sends it, retrying as the
//! [`RetryPolicy`](crate::RetryPolicy) allows and signing every attempt again, inside one
//! `tracing` span per call, and keeps the raw response for the error path.

use std::cell::RefCell;
use std::time::Instant;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;
use tracing::Instrument;

use crate::config::Config;
use crate::credentials::Credentials;
use crate::retry::{self, Outcome};
use crate::signing::{self, SigningKey};
use crate::Client;

/// Header carrying an IAM token.
const X_AUTH_TOKEN: &str = "x-auth-token";

/// The final response of a call as received, for errors that must keep it. The body of a
/// 200 is not kept here (see [`Error::from_generated`](crate::Error::from_generated)).
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// Runs `call` (any use of the generated [`Client`], such as progenitor's CLI) and returns its
/// output with the final response it received, so that [`Error::from_generated`](crate::Error::from_generated)
/// can keep the raw body of an error.
pub async fn with_last_response<F: std::future::Future>(
    call: F,
) -> (F::Output, Option<RawResponse>) {
    LAST_RESPONSE
        .scope(RefCell::new(None), async {
            let output = call.await;
            let raw = LAST_RESPONSE.with(|slot| slot.borrow_mut().take());
            (output, raw)
        })
        .await
}

tokio::task_local! {
    /// The final response of the call running in this task, when the caller asked for it.
    pub(crate) static LAST_RESPONSE: RefCell<Option<RawResponse>>;
}

impl ClientHooks<Config> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        authenticate(self.inner(), request).map_err(progenitor_client::Error::Custom)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "workspace.call",
            operation = info.operation_id,
            method = %request.method(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        send(self.client(), self.inner(), request)
            .instrument(span)
            .await
    }
}

/// Signs the request (AK/SK) or attaches the token (IAM), as the credentials say.
pub(crate) fn authenticate(config: &Config, request: &mut reqwest::Request) -> Result<(), String> {
    match config.credentials() {
        Credentials::AkSk {
            access_key,
            secret_key,
            security_token,
        } => {
            let key = SigningKey {
                access_key,
                secret_key,
                project_id: Some(config.project_id()),
                security_token: security_token.as_ref(),
            };
            signing::sign_request(request, &key, config.clock().now()).map_err(|e| e.to_string())
        }
        Credentials::IamToken(token) => {
            let mut value = HeaderValue::from_str(token.expose())
                .map_err(|_| "the IAM token cannot be sent in a header".to_string())?;
            value.set_sensitive(true);
            request.headers_mut().insert(X_AUTH_TOKEN, value);
            Ok(())
        }
    }
}

/// Sends `request`, retrying as the policy allows; every retry is signed again.
async fn send(
    client: &reqwest::Client,
    config: &Config,
    mut request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::Span::current();
    let policy = config.retry();
    let method = request.method().clone();
    let mut attempt = 1;
    loop {
        span.record("attempt", attempt);
        let spare = (attempt < policy.max_attempts)
            .then(|| request.try_clone())
            .flatten();
        let started = Instant::now();
        let result = client.execute(request).await;
        let outcome = match &result {
            Ok(response) => Outcome::Status(response.status()),
            Err(error) if error.is_connect() => Outcome::ConnectFailed,
            Err(_) => Outcome::MaybeSent,
        };
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
            if let Some(id) = crate::error::request_id(response.headers()) {
                span.record("request_id", id);
            }
            tracing::debug!(
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "response"
            );
        }
        let Some(mut next) = spare.filter(|_| retry::is_retryable(&method, outcome)) else {
            return keep_raw(result?).await;
        };
        let backoff = policy.backoff(attempt, fastrand::f64());
        let delay = match &result {
            Ok(response) => {
                let asked = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry::retry_after(v, config.clock().now()));
                if asked.is_some_and(|asked| asked > policy.max_retry_after) {
                    // Waiting less than asked would be refused again; give the answer back.
                    return keep_raw(result?).await;
                }
                let delay = asked.map_or(backoff, |asked| asked.max(backoff));
                tracing::warn!(
                    status = response.status().as_u16(),
                    retry_in_ms = delay.as_millis() as u64,
                    "retrying"
                );
                delay
            }
            Err(error) => {
                tracing::warn!(error = %error, retry_in_ms = backoff.as_millis() as u64, "retrying");
                backoff
            }
        };
        drop(result);
        tokio::time::sleep(delay).await;
        if let Err(error) = authenticate(config, &mut next) {
            // Cannot happen for a request that was authenticated once; send as signed before.
            tracing::error!(%error, "re-signing a retry failed");
        }
        request = next;
        attempt += 1;
    }
}

/// Records the response for the caller's error path (only when the caller asked for it, see
/// [`LAST_RESPONSE`]). A 200 is recorded without its body, which stays unread for progenitor
/// (if it cannot be decoded, progenitor's error carries the bytes); any other status is
/// buffered and handed on as an identical response, so that its raw body survives whatever
/// progenitor makes of it.
async fn keep_raw(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    if LAST_RESPONSE.try_with(|_| ()).is_err() {
        return Ok(response);
    }
    let status = response.status();
    let headers = response.headers().clone();
    if status == StatusCode::OK {
        record(status, headers, Bytes::new());
        return Ok(response);
    }
    let version = response.version();
    let body = response.bytes().await?;
    record(status, headers.clone(), body.clone());
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

fn record(status: StatusCode, headers: HeaderMap, body: Bytes) {
    let _ = LAST_RESPONSE.try_with(|slot| {
        *slot.borrow_mut() = Some(RawResponse {
            status,
            headers,
            body,
        })
    });
}
