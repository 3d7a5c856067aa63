//! A local, stateful stand-in for Huawei Cloud Workspace's batch desktop APIs.
//!
//! It serves every operation of the OpenAPI document (`spec/workspace.yaml`, embedded):
//! requests are routed and their bodies validated from the document itself, signatures are
//! verified with an implementation independent of the client's, and faults can be injected
//! per operation. Desktops, users, groups, attachments and jobs are kept in memory; an
//! operation the simulator has no behaviour for answers `501`, naming it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use workspace_simulator::{Fault, Simulator};
//!
//! let simulator = Simulator::builder().start().await?;
//! simulator.inject("showJob", Fault::server_error().times(1))?;
//! println!("endpoint {}", simulator.endpoint());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod auth;
mod connections;
mod faults;
pub mod inventory;
mod jobs;
mod metadata;
pub mod quota;
pub mod routes;
mod server;
mod state_file;
pub mod validation;
mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub use faults::{Failure, Fault};
pub use inventory::Inventory;
pub use quota::Quota;
pub use server::DEFAULT_CLOCK_SKEW;
pub use world::Attachment;

use server::lock;

/// Access key the simulator accepts unless configured otherwise (public, for local use).
pub const DEMO_ACCESS_KEY: &str = "SIMULATORACCESSKEY00";
/// Secret key the simulator verifies with unless configured otherwise (public, for local use).
pub const DEMO_SECRET_KEY: &str = "simulator-demo-secret-key";
/// Project id the simulator serves unless configured otherwise.
pub const DEMO_PROJECT_ID: &str = "0bec5db98280d2d02fd6c00c2de791ce";

/// The longest a simulated job may run: longer makes no sense and would overflow clocks.
pub const MAX_JOB_DURATION: Duration = Duration::from_secs(7 * 86_400);

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The one access key accepted.
    pub access_key: String,
    /// Its secret key.
    pub secret_key: String,
    /// If set, signed requests must carry this `X-Security-Token`.
    pub security_token: Option<String>,
    /// IAM tokens accepted in `X-Auth-Token`.
    pub iam_tokens: Vec<String>,
    /// The project served.
    pub project_id: String,
    /// How long a job runs (at most [`MAX_JOB_DURATION`]).
    pub job_duration: Duration,
    /// Largest accepted distance between `X-Sdk-Date` and the server clock (`None`: any).
    pub max_clock_skew: Option<Duration>,
    /// What the tenant starts with.
    pub inventory: Inventory,
    /// How long a client may take to send its request headers, and then its body; a
    /// half-sent request is cut off after this.
    pub request_timeout: Duration,
    /// How long a connection may stay open without a request in progress.
    pub idle_timeout: Duration,
    /// How many connections are served at once; at the cap the one idle the longest is
    /// closed to make room (a busy one never is).
    pub max_connections: usize,
    /// Plays the instance metadata service (of an ECS instance with an agency), issuing
    /// temporary keys that live this long; `None`: it does not.
    pub metadata_key_lifetime: Option<Duration>,
    /// The API gateway's quota of each operation (by `operationId`) it throttles.
    pub quotas: HashMap<String, Quota>,
    /// Where to write the tenant's state after every change, if anywhere.
    pub state_file: Option<std::path::PathBuf>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            access_key: DEMO_ACCESS_KEY.into(),
            secret_key: DEMO_SECRET_KEY.into(),
            security_token: None,
            iam_tokens: Vec::new(),
            project_id: DEMO_PROJECT_ID.into(),
            job_duration: Duration::from_secs(3),
            max_clock_skew: Some(DEFAULT_CLOCK_SKEW),
            inventory: Inventory::demo(),
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            metadata_key_lifetime: None,
            quotas: HashMap::new(),
            state_file: None,
        }
    }
}

/// Builds and starts a [`Simulator`].
#[derive(Debug, Clone, Default)]
pub struct SimulatorBuilder {
    config: SimulatorConfig,
    document: Option<String>,
}

/// The simulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The document did not yield routes and validators.
    #[error(transparent)]
    Document(#[from] validation::DocumentError),
    /// A setting is out of range.
    #[error("{0}")]
    Config(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// Why the operating system refused it.
        source: std::io::Error,
    },
}

/// The operation is not in the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document has no operation {0:?}")]
pub struct UnknownOperation(pub String);

impl SimulatorBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: SimulatorConfig) -> Self {
        self.config = config;
        self
    }

    /// The inventory to start with.
    pub fn inventory(mut self, inventory: Inventory) -> Self {
        self.config.inventory = inventory;
        self
    }

    /// How long each job runs (WAITING for the first quarter, then RUNNING).
    pub fn job_duration(mut self, duration: Duration) -> Self {
        self.config.job_duration = duration;
        self
    }

    /// The accepted AK/SK.
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.config.access_key = access_key.into();
        self.config.secret_key = secret_key.into();
        self
    }

    /// How long a client may take to send its request headers, then its body (default 10 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Closes a connection after this long without a request in progress (default 30 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = timeout;
        self
    }

    /// Serves at most this many connections at once (default 1,024): at the cap the one idle
    /// the longest is closed to make room.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.config.max_connections = max;
        self
    }

    /// Plays the instance metadata service at its own address (point the client's
    /// `metadata_endpoint` at it), issuing temporary keys that expire after `lifetime`; the
    /// simulator accepts them until then.
    pub fn metadata(mut self, lifetime: Duration) -> Self {
        self.config.metadata_key_lifetime = Some(lifetime);
        self
    }

    /// Requires this security token on signed requests (temporary credentials).
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.config.security_token = Some(token.into());
        self
    }

    /// Throttles an operation (by `operationId`) as the API gateway does: past `quota`, a
    /// call is answered 429 `APIG.0308` with `Retry-After`, and not carried out.
    pub fn quota(mut self, operation_id: impl Into<String>, quota: Quota) -> Self {
        self.config.quotas.insert(operation_id.into(), quota);
        self
    }

    /// Writes the tenant's state to `path` after every change: per desktop, who is attached
    /// with which group, and how many accepted requests named it.
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// Accepts an IAM token.
    pub fn iam_token(mut self, token: impl Into<String>) -> Self {
        self.config.iam_tokens.push(token.into());
        self
    }

    /// Serves another OpenAPI document (YAML or JSON text) instead of the embedded one.
    pub fn document(mut self, text: impl Into<String>) -> Self {
        self.document = Some(text.into());
        self
    }

    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start(self) -> Result<Simulator, StartError> {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr`.
    pub async fn start_on(self, addr: SocketAddr) -> Result<Simulator, StartError> {
        if self.config.job_duration > MAX_JOB_DURATION {
            return Err(StartError::Config(format!(
                "a job duration of {:?} is over the limit of {} days",
                self.config.job_duration,
                MAX_JOB_DURATION.as_secs() / 86_400
            )));
        }
        let document = match &self.document {
            Some(text) => validation::parse_document(text)?,
            None => validation::embedded_document()?,
        };
        let validators = validation::Validators::from_document(&document)?;
        let routes = routes::Routes::from_document(&document);
        if let Some(unknown) = self.config.quotas.keys().find(|id| !routes.contains(id)) {
            return Err(StartError::Config(format!(
                "a quota for {unknown:?}, which is not an operation of the document"
            )));
        }
        let listener = listen(addr).map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let state_file = self
            .config
            .state_file
            .clone()
            .map(state_file::StateFile::new);
        let shared = Arc::new(server::Shared {
            world: Mutex::new(world::World::new(
                &self.config.inventory,
                self.config.job_duration,
            )),
            routes,
            bound: bound_parameters(&document),
            config: self.config,
            validators,
            faults: Mutex::new(HashMap::new()),
            received: Mutex::new(HashMap::new()),
            request_seq: AtomicU64::new(0),
            issued: Mutex::new(metadata::Issued::default()),
            buckets: Mutex::new(quota::Buckets::default()),
            state_file,
        });
        if let (Some(file), Some(path)) = (&shared.state_file, &shared.config.state_file) {
            let state = lock(&shared.world).state();
            file.write(0, &state).map_err(|e| {
                StartError::Config(format!(
                    "the state file {} cannot be written: {e}",
                    path.display()
                ))
            })?;
        }
        let limits = connections::Limits {
            header_timeout: shared.config.request_timeout,
            idle_timeout: shared.config.idle_timeout,
            max_connections: shared.config.max_connections.max(1),
        };
        let task = tokio::spawn(connections::serve(
            listener,
            server::router(shared.clone()),
            limits,
        ));
        Ok(Simulator { addr, shared, task })
    }
}

/// A listener on `addr` whose queue holds as many clients as the simulator may be waiting
/// to take in at its connection cap.
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(connections::BACKLOG)
}

/// The path parameters the document binds in the client's configuration.
fn bound_parameters(document: &Value) -> Vec<String> {
    let mut names = Vec::new();
    walk_values(document, &mut |value| {
        if value.get("x-bound-in-config") == Some(&Value::Bool(true)) {
            if let Some(name) = value.get("name").and_then(Value::as_str) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
    });
    names
}

fn walk_values(value: &Value, visit: &mut impl FnMut(&Value)) {
    visit(value);
    match value {
        Value::Object(map) => map.values().for_each(|v| walk_values(v, visit)),
        Value::Array(items) => items.iter().for_each(|v| walk_values(v, visit)),
        _ => {}
    }
}

/// A simulator serving on loopback; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts from the defaults: the demo inventory and credentials, 3 s jobs.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to use as the client's endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its configuration.
    pub fn config(&self) -> &SimulatorConfig {
        &self.shared.config
    }

    /// The `operationId`s it serves, in document order.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.shared.routes.operation_ids()
    }

    /// Injects `fault` into the next requests of an operation (replacing any earlier one).
    pub fn inject(&self, operation_id: &str, fault: Fault) -> Result<(), UnknownOperation> {
        if !self.shared.routes.contains(operation_id) {
            return Err(UnknownOperation(operation_id.to_string()));
        }
        lock(&self.shared.faults).insert(operation_id.to_string(), fault);
        Ok(())
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// How many requests of an operation arrived (whatever became of them).
    pub fn requests(&self, operation_id: &str) -> usize {
        lock(&self.shared.received)
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// How many times its metadata service was asked for keys.
    pub fn metadata_key_requests(&self) -> usize {
        lock(&self.shared.issued).key_requests
    }

    /// How many requests arrived in all.
    pub fn total_requests(&self) -> usize {
        lock(&self.shared.received).values().sum()
    }

    /// Who is attached to a desktop, with which privilege group.
    pub fn attachments(&self, desktop_id: &str) -> Option<Vec<Attachment>> {
        let world = lock(&self.shared.world);
        world.desktop(desktop_id).map(|d| d.attachments.clone())
    }

    /// How many accepted requests named a desktop.
    pub fn accepted_requests(&self, desktop_id: &str) -> u64 {
        lock(&self.shared.world).accepted_requests(desktop_id)
    }

    /// Stops serving.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
