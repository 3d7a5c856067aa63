//! Huawei Cloud Workspace client: assign desktops to users, unbind them, change their
//! privilege group, and wait for the jobs these calls start.
//!
//! ```no_run
//! use huaweicloud_workspace::{request_body, types, Client, Config, Region, WaitOptions};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), huaweicloud_workspace::Error> {
//!     // AK/SK and project id from HUAWEICLOUD_SDK_AK, _SK, _PROJECT_ID (or ~/.huaweicloud/credentials).
//!     let client = Client::new(Config::builder().region(Region::CN_NORTH_4).build()?)?;
//!     let body: types::BatchAttachRequest = request_body::from_json(
//!         r#"{"desktops": [{"desktop_id": "b41a8cc1-4813-47a0-bf3a-7800fcd5b581",
//!                           "user_name": "alice", "user_group": "users"}]}"#,
//!     )?;
//!     let started = client.batch_attach().body(body).send().await?;
//!     let outcome = client.wait_for(&started, &WaitOptions::default()).await?;
//!     println!("{outcome:?} (request id {:?})", started.request_id());
//!     Ok(())
//! }
//! ```
//!
//! - [`Client`] is the one way in: one method per operation of the API description, each
//!   returning a builder ([`operations`]) that `send()`s; [`Config`] binds credentials,
//!   project, region or endpoint, time limits and retries once.
//! - [`types`] are the request and answer bodies, generated from the document; build them
//!   with their builders or [`request_body::from_json`]. A field the document does not know
//!   is refused, and a body that breaks a rule is never sent.
//! - Every failure is an [`Error`] that keeps what the service said: status, code, message,
//!   request id, headers and raw body. An answer that lists failed desktops is an error too
//!   ([`Error::PartialFailure`]), never a success.
//! - [`Client::wait_for`] follows the job a call started.
//!
//! Without a cloud account, point the client at the local simulator (crate
//! `workspace-simulator`, `cargo run -p workspace-simulator`): `Config::builder().endpoint(
//! "http://127.0.0.1:8088")` with the simulator's demo credentials, which it prints.

#![warn(missing_docs)]

#[allow(missing_docs, unused_imports, dead_code, clippy::all)]
#[cfg(feature = "codegen")]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/workspace.rs"));
}

/// The same source, generated beforehand and checked in (`cargo xtask regen` writes it, and
/// `cargo xtask regen --check` keeps it identical to what the build would produce).
#[allow(missing_docs, unused_imports, dead_code, clippy::all)]
#[cfg(not(feature = "codegen"))]
#[path = "generated/workspace.rs"]
#[rustfmt::skip]
mod generated;

mod client;
mod clock;
mod config;
mod credentials;
#[cfg(test)]
mod decoding_tests;
mod error;
mod error_body;
pub mod fleet;
mod hooks;
mod local_input;
mod operation;
mod pagination;
mod region;
pub mod request_body;
mod response;
mod retry;
mod secret;
pub mod signing;
mod transport;
mod waiter;

pub use client::Client;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{
    Config, ConfigBuilder, ConfigError, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BODY, DEFAULT_READ_TIMEOUT, MAX_CERTIFICATE_BUNDLE,
};
pub use credentials::cache::RENEWAL_MARGIN;
pub use credentials::{
    Credentials, CredentialsError, CredentialsSource, ProvideCredentials, ProvideFuture,
};
pub use error::{
    AuthFailure, ConnectFailure, Error, FailedItem, JobFailure, PartialFailure, ServiceError,
    TimeoutPhase, Unexpected, UnexpectedResponse,
};
pub use generated::{operations, types};
pub use pagination::{PageFuture, Paged, Pages};
pub use region::Region;
pub use response::Response;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use waiter::{JobOutcome, JobState, JobWaiter, StartsJob, WaitOptions, WaitStep};
