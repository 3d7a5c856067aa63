//! `WorkspaceClient`: the generated operations with the project bound, typed errors and
//! response metadata.

use std::fmt::Display;
use std::future::Future;

use progenitor_client::ResponseValue;

use crate::config::Config;
use crate::error::Error;
use crate::hooks::with_last_response;
use crate::response::Response;
use crate::{types, Client};

/// A Workspace client. Cheap to clone; share one per process.
///
/// ```no_run
/// use huaweicloud_workspace::{types, Config, Region, WorkspaceClient};
///
/// # async fn run() -> Result<(), huaweicloud_workspace::Error> {
/// // Credentials and project id from HUAWEICLOUD_SDK_* or ~/.huaweicloud/credentials.
/// let client = WorkspaceClient::new(Config::builder().region(Region::CN_NORTH_4).build()?)?;
/// let job = client.show_job("3979904c-7beb-4f34-835f-2fa989a5550a").await?;
/// println!("{:?} (request id {:?})", job.status, job.request_id());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WorkspaceClient {
    client: Client,
}

type GeneratedResult<T> = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorResponse>>;

impl WorkspaceClient {
    /// A client for `config`, with its timeouts, over rustls.
    pub fn new(config: Config) -> Result<Self, Error> {
        let timeouts = config.timeouts();
        let mut http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .user_agent(concat!(
                "huaweicloud-workspace-rust/",
                env!("CARGO_PKG_VERSION")
            ));
        if let Some(total) = timeouts.total {
            http = http.timeout(total);
        }
        let http = http.build().map_err(|source| Error::Transport { source })?;
        let endpoint = config.endpoint().as_str().trim_end_matches('/').to_string();
        Ok(Self {
            client: Client::new_with_client(&endpoint, http, config),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        progenitor_client::ClientInfo::inner(&self.client)
    }

    /// The generated client, for what this wrapper does not cover. Its calls are signed and
    /// retried too, but return progenitor's error type and need the project id passed.
    pub fn generated(&self) -> &Client {
        &self.client
    }

    /// Assigns desktops to users (POST `batch-attach`). Never retried once it may have been
    /// sent. `body` is a [`types::BatchAttachRequest`] or its builder; a body that breaks a
    /// rule of the document is rejected before sending, naming the field.
    pub async fn batch_attach<B>(
        &self,
        body: B,
    ) -> Result<Response<types::BatchAttachResponse>, Error>
    where
        B: TryInto<types::BatchAttachRequest>,
        B::Error: Display,
    {
        let call = self
            .client
            .batch_attach()
            .project_id(self.project_id())
            .body(body);
        run(call.send()).await
    }

    /// Unbinds users from desktops (POST `batch-detach`). Ordinary desktops are unbound
    /// without a job: see [`StartsJob::job_id`](crate::StartsJob::job_id).
    pub async fn batch_detach<B>(
        &self,
        body: B,
    ) -> Result<Response<types::BatchDetachResponse>, Error>
    where
        B: TryInto<types::BatchDetachRequest>,
        B::Error: Display,
    {
        let call = self
            .client
            .batch_detach()
            .project_id(self.project_id())
            .body(body);
        run(call.send()).await
    }

    /// Changes the privilege group of desktop users (POST `change-user-privilege-group`).
    pub async fn change_user_privilege_group<B>(
        &self,
        body: B,
    ) -> Result<Response<types::ChangeUserPrivilegeGroupResponse>, Error>
    where
        B: TryInto<types::ChangeUserPrivilegeGroupRequest>,
        B::Error: Display,
    {
        let call = self
            .client
            .change_user_privilege_group()
            .project_id(self.project_id())
            .body(body);
        run(call.send()).await
    }

    /// Shows a job and its sub-jobs (GET `workspace-jobs/{job_id}`); safe to retry.
    pub async fn show_job(&self, job_id: &str) -> Result<Response<types::ShowJobResponse>, Error> {
        let call = self
            .client
            .show_job()
            .project_id(self.project_id())
            .job_id(job_id);
        run(call.send()).await
    }

    fn project_id(&self) -> &str {
        self.config().project_id()
    }
}

/// Runs a generated call, keeping its raw response so that every error carries it.
async fn run<T>(call: impl Future<Output = GeneratedResult<T>>) -> Result<Response<T>, Error> {
    match with_last_response(call).await {
        (Ok(value), _) => {
            let (status, headers) = (value.status(), value.headers().clone());
            Ok(Response::new(value.into_inner(), status, headers))
        }
        (Err(error), raw) => Err(Error::from_generated(error, raw)),
    }
}
