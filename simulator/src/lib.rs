//! A local, stateful stand-in for Huawei Cloud Workspace's batch desktop APIs.
//!
//! It keeps desktops, users, groups, attachments and jobs; implements batch-attach,
//! batch-detach, change-user-privilege-group and the job query as the API pages describe
//! them; validates bodies against `spec/workspace.yaml` itself; verifies SDK-HMAC-SHA256
//! signatures with its own implementation; and injects faults per operation.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use workspace_simulator::{Fault, Operation, Simulator};
//!
//! let simulator = Simulator::builder().start().await?;
//! simulator.inject(Operation::ShowJob, Fault::server_error().times(1));
//! println!("endpoint {}", simulator.endpoint());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod auth;
mod faults;
pub mod inventory;
pub mod jobs;
mod server;
pub mod validation;
pub mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use faults::{Failure, Fault};
pub use inventory::Inventory;
pub use server::DEFAULT_CLOCK_SKEW;
pub use world::Attachment;

/// Access key the simulator accepts unless configured otherwise (public, for local use).
pub const DEMO_ACCESS_KEY: &str = "SIMULATORACCESSKEY00";
/// Secret key the simulator verifies with unless configured otherwise (public, for local use).
pub const DEMO_SECRET_KEY: &str = "simulator-demo-secret-key";
/// Project id the simulator serves unless configured otherwise.
pub const DEMO_PROJECT_ID: &str = "0bec5db98280d2d02fd6c00c2de791ce";

/// The four operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /v2/{project_id}/desktops/batch-attach`
    BatchAttach,
    /// `POST /v2/{project_id}/desktops/batch-detach`
    BatchDetach,
    /// `POST /v2/{project_id}/desktops/change-user-privilege-group`
    ChangeUserPrivilegeGroup,
    /// `GET /v2/{project_id}/workspace-jobs/{job_id}`
    ShowJob,
}

impl Operation {
    /// The operationId in the OpenAPI document.
    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::BatchAttach => "batchAttach",
            Operation::BatchDetach => "batchDetach",
            Operation::ChangeUserPrivilegeGroup => "changeUserPrivilegeGroup",
            Operation::ShowJob => "showJob",
        }
    }

    /// All four.
    pub const ALL: [Operation; 4] = [
        Operation::BatchAttach,
        Operation::BatchDetach,
        Operation::ChangeUserPrivilegeGroup,
        Operation::ShowJob,
    ];
}

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
    /// How long a job runs.
    pub job_duration: Duration,
    /// Largest accepted distance between `X-Sdk-Date` and the server clock (`None`: any).
    pub max_clock_skew: Option<Duration>,
    /// What the tenant starts with.
    pub inventory: Inventory,
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
        }
    }
}

/// Builds and starts a simulator.
#[derive(Debug, Clone, Default)]
pub struct Simulator {
    config: SimulatorConfig,
}

/// The simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The embedded document did not yield validators.
    #[error(transparent)]
    Document(#[from] validation::DocumentError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl Simulator {
    /// Starts from the defaults: the demo inventory and credentials, 3 s jobs.
    pub fn builder() -> Self {
        Self::default()
    }

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

    /// Accepts an IAM token.
    pub fn iam_token(mut self, token: impl Into<String>) -> Self {
        self.config.iam_tokens.push(token.into());
        self
    }

    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start(self) -> Result<RunningSimulator, StartError> {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr`.
    pub async fn start_on(self, addr: SocketAddr) -> Result<RunningSimulator, StartError> {
        let validators = validation::BodyValidators::from_document()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let shared = Arc::new(server::Shared {
            world: Mutex::new(world::World::new(
                &self.config.inventory,
                self.config.job_duration,
            )),
            config: self.config,
            validators,
            faults: Mutex::new(HashMap::new()),
            received: Mutex::new(HashMap::new()),
            request_seq: AtomicU64::new(0),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            // Serving ends only with the task; a failing accept loop has nowhere to report.
            let _ = axum::serve(listener, app).await;
        });
        Ok(RunningSimulator { addr, shared, task })
    }
}

/// A simulator serving on loopback; stops when dropped.
pub struct RunningSimulator {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningSimulator {
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

    /// Injects `fault` into the next requests of `operation` (replacing any earlier one).
    pub fn inject(&self, operation: Operation, fault: Fault) {
        self.shared.faults.lock().unwrap().insert(operation, fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.faults.lock().unwrap().clear();
    }

    /// How many requests of `operation` arrived (whatever became of them).
    pub fn requests(&self, operation: Operation) -> usize {
        self.shared
            .received
            .lock()
            .unwrap()
            .get(&operation)
            .copied()
            .unwrap_or(0)
    }

    /// How many requests arrived in all.
    pub fn total_requests(&self) -> usize {
        self.shared.received.lock().unwrap().values().sum()
    }

    /// Who is attached to a desktop, with which privilege group.
    pub fn attachments(&self, desktop_id: &str) -> Option<Vec<Attachment>> {
        let world = self.shared.world.lock().unwrap();
        world.desktop(desktop_id).map(|d| d.attachments.clone())
    }

    /// Stops serving.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
