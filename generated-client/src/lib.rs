//! Huawei Cloud Workspace client: assign desktops to users, unbind them, change their
//! privilege group, and wait for the jobs these calls start.
//!
//! The operations and types are generated at build time from `spec/workspace.yaml`
//! ([`types`], [`Client`]); everything else is hand-written beside them: credentials and
//! signing, regions, typed errors, retries and the job waiter.
//!
//! ```no_run
//! use huaweicloud_workspace::{types, Config, Region, WaitOptions, WorkspaceClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // AK/SK and project id from HUAWEICLOUD_SDK_AK, _SK, _PROJECT_ID (or ~/.huaweicloud/credentials).
//! let client = WorkspaceClient::new(Config::builder().region(Region::CN_NORTH_4).build()?)?;
//! let body = types::BatchAttachRequest::builder().desktops(vec![
//!     types::AttachInstancesDesktopInfo::builder()
//!         .desktop_id("b41a8cc1-4813-47a0-bf3a-7800fcd5b581".to_string())
//!         .user_name("alice".parse::<types::DesktopUserName>()?)
//!         .user_group(types::UserGroup::Users)
//!         .try_into()?,
//! ]);
//! let started = client.batch_attach(body).await?;
//! let outcome = client.wait_for(&started, &WaitOptions::default()).await?;
//! println!("{outcome:?} (request id {:?})", started.request_id());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

#[allow(missing_docs, unused_imports, clippy::all)]
#[cfg(feature = "codegen")]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/workspace.rs"));
}

/// The same source, generated beforehand and checked in (`tests/tests/pregenerated.rs`
/// keeps it identical to what the build would produce).
#[allow(missing_docs, unused_imports, clippy::all)]
#[cfg(not(feature = "codegen"))]
#[path = "generated/workspace.rs"]
#[rustfmt::skip]
mod generated;

mod client;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod credentials_file;
mod error;
pub mod error_body;
mod hooks;
pub mod region;
pub mod request_body;
mod response;
pub mod retry;
mod secret;
pub mod signing;
mod waiter;

/// Everything the generated code defines (progenitor's `Error` and `ResponseValue` included),
/// for code generated against this client, such as progenitor's CLI.
pub mod generated_api {
    pub use crate::generated::*;
}

pub use client::WorkspaceClient;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{Config, ConfigBuilder, ConfigError, Timeouts};
pub use credentials::{Credentials, CredentialsError, CredentialsSource};
pub use error::{
    ConnectFailure, Error, JobFailure, ServiceError, TimeoutPhase, UnexpectedResponse,
};
pub use generated::{builder, types, Client};
pub use hooks::{with_last_response, RawResponse};
pub use region::Region;
pub use response::Response;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use waiter::{JobOutcome, JobState, StartsJob, WaitOptions};
