//! The HTTP side: every request is matched to an operation of the document, then counted,
//! faulted, authenticated, validated and answered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use http::{request::Parts, HeaderValue, StatusCode};
use serde_json::{json, Value};

use crate::auth;
use crate::faults::{Failure, Fault};
use crate::routes::{Matched, Routes, Unmatched};
use crate::validation::Validators;
use crate::world::{ApiError, World};
use crate::SimulatorConfig;

/// The largest request body read (the service's own limit is of this order).
const MAX_BODY: usize = 16 << 20;

/// State shared by every request.
pub(crate) struct Shared {
    pub config: SimulatorConfig,
    pub routes: Routes,
    /// Path parameters the document binds in the client's configuration (the project id).
    pub bound: Vec<String>,
    pub world: Mutex<World>,
    pub validators: Validators,
    pub faults: Mutex<HashMap<String, Fault>>,
    pub received: Mutex<HashMap<String, usize>>,
    pub request_seq: AtomicU64,
    /// What the simulated metadata service issued.
    pub issued: Mutex<crate::metadata::Issued>,
    /// The gateway's throttling buckets.
    pub buckets: Mutex<crate::quota::Buckets>,
    /// Where the state is written after every change.
    pub state_file: Option<crate::state_file::StateFile>,
}

/// Locks `mutex`, recovering from a poisoned lock: every update under these locks leaves the
/// state consistent, so a panic elsewhere must not stop every later request.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

impl Shared {
    fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("sim{n:029x}")
    }

    fn take_fault(&self, operation_id: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let fault = faults.get_mut(operation_id)?;
        if fault.take() {
            Some(fault.clone())
        } else {
            faults.remove(operation_id);
            None
        }
    }

    /// Checks the caller: a valid signature (fresh, by the configured key with the configured
    /// security token if any, or by a temporary key the metadata service issued, before it
    /// expires, with its token) or a known IAM token. A request that carries a signature must
    /// be signed right even when it carries a token too: no credential presented is ignored.
    /// Each refusal says its cause (an unknown key, a time too far off, an expired key) in
    /// words the client reads; reasons never repeat a secret.
    fn authenticate(&self, parts: &Parts, body: &[u8]) -> Result<(), String> {
        let config = &self.config;
        let signed = parts.headers.contains_key(http::header::AUTHORIZATION);
        if let (Some(token), false) = (parts.headers.get("x-auth-token"), signed) {
            return match token.to_str() {
                Ok(token) if config.iam_tokens.iter().any(|t| t == token) => Ok(()),
                _ => Err("the IAM token is not valid".into()),
            };
        }
        let access = auth::access_key_of(&parts.headers)
            .unwrap_or_default()
            .to_string();
        let (secret, token, expires) = if access == config.access_key {
            (
                config.secret_key.clone(),
                config.security_token.clone(),
                None,
            )
        } else {
            let issued = lock(&self.issued);
            match issued.key(&access) {
                Some(key) => (
                    key.secret.clone(),
                    Some(key.token.clone()),
                    Some(key.expires),
                ),
                None => {
                    let start: String = access.chars().take(4).collect();
                    return Err(format!("the access key {start}… is unknown"));
                }
            }
        };
        auth::verify(
            &parts.method,
            &parts.uri,
            &parts.headers,
            body,
            &access,
            &secret,
        )?;
        if let Some(expired) = expires.filter(|at| *at <= SystemTime::now()) {
            return Err(format!(
                "the temporary credentials of access key {access} expired at {}",
                crate::metadata::rfc3339(expired)
            ));
        }
        if let Some(skew) = config.max_clock_skew {
            let date = parts
                .headers
                .get("x-sdk-date")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !auth::is_fresh(date, SystemTime::now(), skew) {
                return Err(format!(
                    "X-Sdk-Date {date} is more than {}s away from the server time",
                    skew.as_secs()
                ));
            }
        }
        let sent = parts.headers.get("x-security-token");
        match (&token, sent) {
            (Some(expected), Some(sent)) if sent.as_bytes() == expected.as_bytes() => Ok(()),
            (Some(_), _) => Err("the security token is missing or not valid".into()),
            // A token the simulator never issued is refused, as the service refuses one it
            // cannot tie to the access key.
            (None, Some(_)) => Err("the security token is not valid for this access key".into()),
            (None, None) => Ok(()),
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let request_id = shared.next_request_id();
    let (parts, body) = request.into_parts();
    if let Some(lifetime) = shared.config.metadata_key_lifetime {
        let session = parts
            .headers
            .get("x-metadata-token")
            .and_then(|v| v.to_str().ok());
        let answer = lock(&shared.issued).answer(
            &parts.method,
            parts.uri.path(),
            session,
            lifetime,
            SystemTime::now(),
        );
        if let Some((status, text)) = answer {
            let mut response = Response::new(Body::from(text));
            *response.status_mut() = status;
            return response;
        }
    }
    let matched = match shared.routes.find(&parts.method, parts.uri.path()) {
        Ok(matched) => matched,
        Err(Unmatched::NoPath) => {
            let error = ApiError::new(
                404,
                "APIGW.0101",
                "The API does not exist or has not been published.",
            );
            return error_response(&error, None, &request_id);
        }
        Err(Unmatched::WrongMethod(allowed)) => {
            let error = ApiError::new(405, "APIGW.0102", "The method is not allowed here.");
            let mut response = error_response(&error, None, &request_id);
            let allowed: Vec<&str> = allowed.iter().map(http::Method::as_str).collect();
            if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
            return response;
        }
    };
    let operation_id = matched.operation_id.to_string();
    let body_timeout = shared.config.request_timeout;
    let body = match tokio::time::timeout(body_timeout, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            let error = ApiError::new(413, "WKS.0001", "The request body is too large.");
            return error_response(&error, None, &request_id);
        }
        Err(_) => {
            let error = ApiError::new(
                408,
                "APIGW.0408",
                "The request body did not arrive in time.",
            );
            return error_response(&error, None, &request_id);
        }
    };
    *lock(&shared.received)
        .entry(operation_id.clone())
        .or_default() += 1;

    let fault = shared.take_fault(&operation_id);
    if let Some(fault) = &fault {
        if !fault.latency.is_zero() {
            tokio::time::sleep(fault.latency).await;
        }
        match &fault.failure {
            Some(Failure::Status {
                status,
                retry_after,
            }) => {
                let error = ApiError::new(*status, "SYS.INJECTED", "Injected by the simulator.");
                let mut response = error_response(&error, None, &request_id);
                if let Some(seconds) = *retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", HeaderValue::from(seconds));
                }
                return response;
            }
            // Unwinding the connection's task closes it without an answer; resume_unwind
            // skips the panic hook, so nothing is printed. No lock is held here.
            Some(Failure::DropConnection) => {
                std::panic::resume_unwind(Box::new("connection dropped by a fault"))
            }
            None => {}
        }
    }

    if let Err(why) = shared.authenticate(&parts, &body) {
        let error = ApiError::new(
            401,
            "APIGW.0301",
            format!("Incorrect IAM authentication information: {why}"),
        );
        return error_response(&error, None, &request_id);
    }
    if let Some(quota) = shared.config.quotas.get(&operation_id) {
        if let Err(wait) = lock(&shared.buckets).take(&operation_id, *quota, Instant::now()) {
            return throttled(quota, wait, &request_id);
        }
    }
    let shared_for_work = shared.clone();
    let operation = operation_id.clone();
    let answer = tokio::task::spawn_blocking(move || {
        respond(&shared_for_work, &operation_id, &parts, &body)
    })
    .await
    .unwrap_or_else(|_| {
        Err((
            ApiError::new(500, "SIM.0500", "The simulator failed on this request."),
            None,
        ))
    });
    if let Some(delay) = fault.map(|f| f.answer_latency).filter(|d| !d.is_zero()) {
        tokio::time::sleep(delay).await;
    }
    match answer {
        Ok(text) => text_response(StatusCode::OK, text, &request_id),
        Err((mut error, detail)) => {
            error.status = shared
                .validators
                .documented_status(&operation, error.status);
            error_response(&error, detail.as_deref(), &request_id)
        }
    }
}

type Failed = (ApiError, Option<String>);

/// Parses and validates the body before the state is locked, so that a large body does not
/// hold up every other request; only the operation itself runs under the lock, and its
/// answer is written out (a job of 90,000 sub-jobs takes a while) after the lock is released,
/// on this blocking thread rather than on one of the few threads that serve connections.
fn respond(
    shared: &Shared,
    operation_id: &str,
    parts: &Parts,
    body: &Bytes,
) -> Result<String, Failed> {
    let matched = shared
        .routes
        .find(&parts.method, parts.uri.path())
        .map_err(|_| (ApiError::not_implemented(operation_id), None))?;
    check_bound(shared, &matched, parts)?;
    let query = shared
        .validators
        .check_query(operation_id, parts.uri.query().unwrap_or(""))
        .map_err(|detail| {
            (
                ApiError::new(400, "WKS.0001", "Invalid query parameter."),
                Some(detail),
            )
        })?;
    let body = if body.is_empty() {
        None
    } else {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            (
                ApiError::new(400, "WKS.0001", "The request body is not valid JSON."),
                Some(e.to_string()),
            )
        })?;
        shared
            .validators
            .check(operation_id, &value)
            .map_err(|detail| {
                (
                    ApiError::new(400, "WKS.0001", "Invalid request body."),
                    Some(detail),
                )
            })?;
        Some(value)
    };
    let now = Instant::now();
    let (answer, changed) = {
        let mut world = lock(&shared.world);
        let before = world.generation();
        let answer = world
            .handle(operation_id, &matched, &query, body, now)
            .map_err(|e| (e, None))?;
        let changed = (shared.state_file.is_some() && world.generation() != before)
            .then(|| (world.generation(), world.state()));
        (answer, changed)
    };
    if let (Some(file), Some((generation, state))) = (&shared.state_file, changed) {
        if let Err(error) = file.write(generation, &state) {
            eprintln!("workspace-simulator: the state file could not be written: {error}");
        }
    }
    Ok(answer.into_json().to_string())
}

/// The gateway's answer to a call over its operation's quota: not carried out, to be sent
/// again after `wait` (whole seconds in `Retry-After`, at least one).
fn throttled(quota: &crate::Quota, wait: Duration, request_id: &str) -> Response {
    let per = if quota.period >= Duration::from_secs(60) {
        "1 minute"
    } else {
        "1 second"
    };
    let error = ApiError::new(
        429,
        "APIG.0308",
        format!(
            "The throttling threshold has been reached: policy user over ratelimit, limit:{}, time:{per}",
            quota.calls
        ),
    );
    let mut response = error_response(&error, None, request_id);
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    response
        .headers_mut()
        .insert("retry-after", HeaderValue::from(seconds));
    response
}

/// The bound path parameters (the project id) must name the simulated project, and agree
/// with `X-Project-Id` when the client sends it.
fn check_bound(shared: &Shared, matched: &Matched<'_>, parts: &Parts) -> Result<(), Failed> {
    for name in &shared.bound {
        let Some(value) = matched.parameter(name) else {
            continue;
        };
        if value != shared.config.project_id {
            return Err((
                ApiError::new(404, "WKS.0002", "The project does not exist."),
                None,
            ));
        }
        let header = parts
            .headers
            .get("x-project-id")
            .and_then(|v| v.to_str().ok());
        if header.is_some_and(|p| p != value) {
            return Err((
                ApiError::new(
                    403,
                    "WKS.0004",
                    "X-Project-Id does not match the project in the path.",
                ),
                None,
            ));
        }
    }
    Ok(())
}

fn error_response(error: &ApiError, detail: Option<&str>, request_id: &str) -> Response {
    let mut body = json!({"error_code": error.code, "error_msg": error.message});
    if let Some(detail) = detail {
        body["error_detail"] = json!(detail);
    }
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &body, request_id)
}

fn json_response(status: StatusCode, value: &Value, request_id: &str) -> Response {
    text_response(status, value.to_string(), request_id)
}

fn text_response(status: StatusCode, json: String, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(json));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", id);
    }
    response
}

/// How long the simulator lets a signature's date drift by default (the service's window).
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);
