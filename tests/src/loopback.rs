//! A scripted HTTP server on 127.0.0.1 for end-to-end tests of the client: it matches each
//! request to an operation of the document (as the simulator does), records it, verifies its
//! signature independently, and answers from a per-operation script.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode};

use workspace_simulator::auth as signature_check;
use workspace_simulator::routes::Routes;

/// The access key the server accepts.
pub const ACCESS_KEY: &str = "LOOPBACKACCESSKEY01";
/// The secret key the server verifies with.
pub const SECRET_KEY: &str = "loopback-secret-key-never-logged";
/// The project the tests use.
pub const PROJECT_ID: &str = "0bec5db98280d2d02fd6c00c2de791ce";
/// What requests that match no operation are recorded under.
pub const NO_OPERATION: &str = "(no operation)";

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body, sent as is.
    pub body: Bytes,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    /// A JSON answer with the `X-Request-Id` `req-STATUS`.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::raw(status, "application/json", &body.to_string())
    }

    /// An answer with any content type and body, with the `X-Request-Id` `req-STATUS`.
    pub fn raw(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("x-request-id".into(), format!("req-{status}")),
            ],
            body: Bytes::from(body.to_string()),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request's method.
    pub method: Method,
    /// Path and query as sent.
    pub uri: String,
    /// The request's headers, as received.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
    /// The signature verdict (`Ok` for a token-authenticated request).
    pub auth: Result<(), String>,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<Reply>>,
    received: Vec<(String, Received)>,
}

struct Shared {
    routes: Routes,
    script: Mutex<Script>,
}

/// The running server; stops when dropped.
pub struct LoopbackServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackServer {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        Self::serve(listener)
    }

    /// Serves on an already bound listener.
    pub fn serve(listener: tokio::net::TcpListener) -> Self {
        let addr = listener.local_addr().expect("bound");
        let document = workspace_simulator::validation::embedded_document().expect("the document");
        let shared = Arc::new(Shared {
            routes: Routes::from_document(&document),
            script: Mutex::new(Script::default()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues `reply` for the next request of `operation_id` (the last reply repeats).
    pub fn reply(&self, operation_id: &str, reply: Reply) -> &Self {
        assert!(
            self.shared.routes.contains(operation_id),
            "the document has no operation {operation_id}"
        );
        self.shared
            .script
            .lock()
            .unwrap()
            .replies
            .entry(operation_id.to_string())
            .or_default()
            .push_back(reply);
        self
    }

    /// Every request received so far for `operation_id`.
    pub fn received(&self, operation_id: &str) -> Vec<Received> {
        let script = self.shared.script.lock().unwrap();
        script
            .received
            .iter()
            .filter(|(r, _)| r == operation_id)
            .map(|(_, q)| q.clone())
            .collect()
    }

    /// How many requests arrived in all.
    pub fn request_count(&self) -> usize {
        self.shared.script.lock().unwrap().received.len()
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let operation = shared
        .routes
        .find(&parts.method, parts.uri.path())
        .map_or(NO_OPERATION.to_string(), |m| m.operation_id.to_string());
    let auth = if parts.headers.contains_key("x-auth-token") {
        Ok(())
    } else {
        signature_check::verify(
            &parts.method,
            &parts.uri,
            &parts.headers,
            &body,
            ACCESS_KEY,
            SECRET_KEY,
        )
    };
    let received = Received {
        method: parts.method.clone(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body,
        auth: auth.clone(),
    };
    let reply = {
        let mut script = shared.script.lock().unwrap();
        script.received.push((operation.clone(), received));
        let queue = script.replies.entry(operation).or_default();
        if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        }
    };
    if let Err(why) = auth {
        let body = serde_json::json!({"error_code": "APIGW.0301", "error_msg": format!("Incorrect IAM authentication information: {why}")});
        return (
            StatusCode::UNAUTHORIZED,
            [("x-request-id", "req-unauthorized")],
            body.to_string(),
        )
            .into_response();
    }
    let Some(reply) = reply else {
        return (StatusCode::NOT_IMPLEMENTED, "no scripted reply").into_response();
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(axum::body::Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("valid status");
    for (name, value) in reply.headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}
