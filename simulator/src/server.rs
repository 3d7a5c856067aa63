//! The HTTP side: routes, authentication, validation, fault injection, error bodies.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use http::{request::Parts, HeaderValue, StatusCode};
use serde_json::{json, Value};

use crate::auth;
use crate::faults::{Failure, Fault};
use crate::validation::BodyValidators;
use crate::world::{ApiError, World};
use crate::{Operation, SimulatorConfig};

/// State shared by every request.
pub(crate) struct Shared {
    pub config: SimulatorConfig,
    pub world: Mutex<World>,
    pub validators: BodyValidators,
    pub faults: Mutex<HashMap<Operation, Fault>>,
    pub received: Mutex<HashMap<Operation, usize>>,
    pub request_seq: AtomicU64,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let op = |operation: Operation| {
        move |state: State<Arc<Shared>>, request: Request| handle(state, operation, request)
    };
    Router::new()
        .route(
            "/v2/{project_id}/desktops/batch-attach",
            post(op(Operation::BatchAttach)),
        )
        .route(
            "/v2/{project_id}/desktops/batch-detach",
            post(op(Operation::BatchDetach)),
        )
        .route(
            "/v2/{project_id}/desktops/change-user-privilege-group",
            post(op(Operation::ChangeUserPrivilegeGroup)),
        )
        .route(
            "/v2/{project_id}/workspace-jobs/{job_id}",
            get(op(Operation::ShowJob)),
        )
        .fallback(|state: State<Arc<Shared>>| async move {
            let id = state.next_request_id();
            error_response(
                &ApiError {
                    status: 404,
                    code: "APIGW.0101",
                    message: "The API does not exist or has not been published.".into(),
                },
                None,
                &id,
            )
        })
        .with_state(shared)
}

impl Shared {
    fn next_request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("sim{n:029x}")
    }

    fn take_fault(&self, operation: Operation) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap();
        let fault = faults.get_mut(&operation)?;
        if fault.take() {
            Some(fault.clone())
        } else {
            faults.remove(&operation);
            None
        }
    }

    /// Checks the caller: a valid signature (fresh, by the configured key, with the configured
    /// security token if any) or a known IAM token.
    fn authenticate(&self, parts: &Parts, body: &[u8]) -> Result<(), String> {
        let config = &self.config;
        if let Some(token) = parts.headers.get("x-auth-token") {
            return match token.to_str() {
                Ok(token) if config.iam_tokens.iter().any(|t| t == token) => Ok(()),
                _ => Err("the IAM token is not valid".into()),
            };
        }
        auth::verify(
            &parts.method,
            &parts.uri,
            &parts.headers,
            body,
            &config.access_key,
            &config.secret_key,
        )?;
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
        if let Some(expected) = &config.security_token {
            let sent = parts
                .headers
                .get("x-security-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(expected.as_str()) {
                return Err("the security token is missing or not valid".into());
            }
        }
        Ok(())
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    operation: Operation,
    request: Request,
) -> Response {
    let request_id = shared.next_request_id();
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else {
        return error_response(
            &api_error(413, "WKS.0001", "The request body is too large."),
            None,
            &request_id,
        );
    };
    *shared
        .received
        .lock()
        .unwrap()
        .entry(operation)
        .or_default() += 1;

    if let Some(fault) = shared.take_fault(operation) {
        if !fault.latency.is_zero() {
            tokio::time::sleep(fault.latency).await;
        }
        match fault.failure {
            Some(Failure::Status {
                status,
                retry_after,
            }) => {
                let error = api_error(status, "SYS.INJECTED", "Injected by the simulator.");
                let mut response = error_response(&error, None, &request_id);
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", HeaderValue::from(seconds));
                }
                return response;
            }
            // Unwinding the connection's task closes it without an answer; resume_unwind
            // skips the panic hook, so nothing is printed.
            Some(Failure::DropConnection) => {
                std::panic::resume_unwind(Box::new("connection dropped by a fault"))
            }
            None => {}
        }
    }

    if let Err(why) = shared.authenticate(&parts, &body) {
        let error = api_error(
            401,
            "APIGW.0301",
            format!("Incorrect IAM authentication information: {why}"),
        );
        return error_response(&error, None, &request_id);
    }
    match respond(&shared, operation, &parts, &body) {
        Ok(value) => json_response(StatusCode::OK, &value, &request_id),
        Err((error, detail)) => error_response(&error, detail.as_deref(), &request_id),
    }
}

type Failed = (ApiError, Option<String>);

fn respond(
    shared: &Shared,
    operation: Operation,
    parts: &Parts,
    body: &Bytes,
) -> Result<Value, Failed> {
    let segments: Vec<&str> = parts.uri.path().split('/').collect();
    let project_id = segments.get(2).copied().unwrap_or_default();
    if project_id != shared.config.project_id {
        return Err((
            api_error(
                404,
                "WKS.0002",
                format!("The project {project_id} does not exist."),
            ),
            None,
        ));
    }
    let header_project = parts
        .headers
        .get("x-project-id")
        .and_then(|v| v.to_str().ok());
    if header_project.is_some_and(|p| p != project_id) {
        return Err((
            api_error(
                403,
                "WKS.0004",
                "X-Project-Id does not match the project in the path.",
            ),
            None,
        ));
    }
    let now = Instant::now();
    let mut world = shared.world.lock().unwrap();
    if operation == Operation::ShowJob {
        let job_id = segments.last().copied().unwrap_or_default();
        return world
            .show_job(job_id, project_id, now)
            .map_err(|e| (e, None));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        (
            api_error(400, "WKS.0001", "The request body is not valid JSON."),
            Some(e.to_string()),
        )
    })?;
    shared
        .validators
        .check(operation.operation_id(), &value)
        .map_err(|detail| {
            (
                api_error(400, "WKS.0001", "Invalid request body."),
                Some(detail),
            )
        })?;
    let result = match operation {
        Operation::BatchAttach => world.batch_attach(value, now),
        Operation::BatchDetach => world.batch_detach(value, now),
        Operation::ChangeUserPrivilegeGroup => world.change_user_privilege_group(value, now),
        Operation::ShowJob => unreachable!("answered above"),
    };
    result.map_err(|e| (e, None))
}

fn api_error(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
    }
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
    let mut response = Response::new(Body::from(value.to_string()));
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
