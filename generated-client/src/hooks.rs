//! The progenitor hooks: where every generated call passes through hand-written code.
//!
//! `pre` authenticates the request (signature or token) with the credentials valid now;
//! `exec` sends it within the call's deadline, asking [`retry`](crate::retry) after each
//! attempt whether to send it again (signed again, with the credentials valid then), inside
//! one `tracing` span per call.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderValue;
use tracing::Instrument;

use crate::config::Config;
use crate::credentials::Kind;
use crate::generated::Client as Transport;
use crate::retry::{self, Decision, Outcome};
use crate::signing::{self, SigningParams};

/// Header carrying an IAM token (secret).
const X_AUTH_TOKEN: &str = "x-auth-token";
/// Header progenitor adds for Dropshot APIs; Huawei Cloud defines none, so it is not sent.
const API_VERSION: &str = "api-version";

impl ClientHooks<Config> for Transport {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().remove(API_VERSION);
        authenticate(self.inner(), request)
            .await
            .map_err(progenitor_client::Error::Custom)
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

/// Signs the request (AK/SK) or attaches the token (IAM) with the credentials valid now. The
/// operation made sure of credentials before sending (`operation::credentials_ready`), so
/// this fails only when renewing them fails between two attempts, or when credentials from a
/// provider would leave a value unsent or a token in clear.
async fn authenticate(config: &Config, request: &mut reqwest::Request) -> Result<(), String> {
    let credentials = config
        .credentials()
        .get(config.clock())
        .await
        .map_err(|e| e.to_string())?;
    crate::config::check_credentials(&credentials).map_err(|e| e.to_string())?;
    crate::config::check_in_clear(&credentials, request.url()).map_err(|e| e.to_string())?;
    match credentials.kind() {
        Kind::AkSk {
            access_key,
            secret_key,
            security_token,
        } => {
            let mut params =
                SigningParams::new(access_key, secret_key).project_id(config.project_id());
            if let Some(token) = security_token {
                params = params.security_token(token);
            }
            signing::sign_request(request, &params, config.clock().now()).map_err(|e| e.to_string())
        }
        Kind::IamToken(token) => {
            let mut value = HeaderValue::from_str(token.expose())
                .map_err(|_| "the IAM token cannot be sent in a header".to_string())?;
            value.set_sensitive(true);
            request.headers_mut().insert(X_AUTH_TOKEN, value);
            Ok(())
        }
    }
}

/// Sends `request` within the call's deadline, retrying as [`retry::decide`] says; every
/// attempt is bounded by what is left of the deadline, its answer's body included.
async fn send(
    http: &reqwest::Client,
    config: &Config,
    mut request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::Span::current();
    let started = Instant::now();
    let deadline = started.checked_add(config.call_timeout());
    let method = request.method().clone();
    let mut attempt = 1;
    loop {
        span.record("attempt", attempt);
        // The first attempt has the whole deadline; a later one what is left of it.
        let now = if attempt == 1 {
            started
        } else {
            Instant::now()
        };
        *request.timeout_mut() = deadline.map(|d| d.saturating_duration_since(now));
        let spare = (attempt < config.retry().max_attempts())
            .then(|| request.try_clone())
            .flatten();
        let result = http.execute(request).await;
        if let Ok(response) = &result {
            // Nothing reads the span when no subscriber wants it: skip the header lookup.
            if !span.is_disabled() {
                span.record("status", response.status().as_u16());
                if let Some(id) = crate::error::request_id(response.headers()) {
                    span.record("request_id", id);
                }
            }
            tracing::debug!(
                status = response.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "answer"
            );
        }
        // Without a copy to send (the last attempt allowed, or a body that cannot be copied)
        // there is nothing for the retry rule to decide, nor a clock or a random draw to read.
        let Some(mut next) = spare else {
            return result;
        };
        let decision = retry::decide(
            config.retry(),
            &method,
            attempt,
            Outcome::of(&result),
            config.clock().now(),
            fastrand::f64(),
        );
        let Decision::RetryAfter(delay) = decision else {
            return result;
        };
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if left.is_some_and(|left| delay >= left) {
            // The retry could not finish before the deadline: give this answer back.
            return result;
        }
        match &result {
            Ok(response) => tracing::warn!(
                status = response.status().as_u16(),
                retry_in_ms = delay.as_millis() as u64,
                "retrying"
            ),
            Err(error) => tracing::warn!(
                error = %error,
                retry_in_ms = delay.as_millis() as u64,
                "retrying"
            ),
        }
        tokio::time::sleep(delay).await;
        if let Err(error) = authenticate(config, &mut next).await {
            // The credentials cannot be renewed: the attempt made is the answer.
            tracing::warn!(%error, "the credentials for a retry are not available; not retrying");
            return result;
        }
        drop(result);
        request = next;
        attempt += 1;
    }
}
