//! `WorkspaceClient`: the generated operations with the project bound, typed errors and
//! response metadata.

use std::cell::RefCell;
use std::fmt::Display;
use std::future::Future;

use progenitor_client::ResponseValue;

use crate::config::Config;
use crate::error::{self, Error, ServiceError, UnexpectedResponse};
use crate::hooks::{RawResponse, LAST_RESPONSE};
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
    LAST_RESPONSE
        .scope(RefCell::new(None), async {
            let result = call.await;
            let raw = LAST_RESPONSE.with(|slot| slot.borrow_mut().take());
            convert(result, raw)
        })
        .await
}

fn convert<T>(result: GeneratedResult<T>, raw: Option<RawResponse>) -> Result<Response<T>, Error> {
    use progenitor_client::Error as Generated;
    let error = match result {
        Ok(value) => {
            let (status, headers) = (value.status(), value.headers().clone());
            return Ok(Response::new(value.into_inner(), status, headers));
        }
        Err(error) => error,
    };
    Err(match (error, raw) {
        (Generated::InvalidRequest(message), _) => Error::InvalidRequest {
            field: field_of(&message),
            message,
        },
        (Generated::Custom(message), _) => Error::Request(message),
        (Generated::CommunicationError(source), _) | (Generated::ResponseBodyError(source), _) => {
            error::from_transport(source)
        }
        (Generated::InvalidUpgrade(source), _) => Error::Transport { source },
        // A response arrived: judge it by its status, from the bytes actually received.
        (other, Some(raw)) if !raw.status.is_success() => {
            drop(other);
            Error::Service(Box::new(ServiceError::new(
                raw.status,
                raw.headers,
                raw.body,
            )))
        }
        (other, Some(raw)) => Error::UnexpectedResponse(Box::new(UnexpectedResponse {
            status: raw.status,
            request_id: error::request_id(&raw.headers),
            headers: raw.headers,
            raw_body: raw.body,
            reason: match other {
                Generated::InvalidResponsePayload(_, e) => format!("cannot decode the body: {e}"),
                _ => "a status the API description does not list".to_string(),
            },
        })),
        // Only reachable if the hooks were bypassed; keep what progenitor kept.
        (Generated::ErrorResponse(value), None) => {
            let (status, headers) = (value.status(), value.headers().clone());
            let body = serde_json::to_vec(&value.into_inner()).unwrap_or_default();
            Error::Service(Box::new(ServiceError::new(status, headers, body.into())))
        }
        (other, None) => Error::Request(other.to_string()),
    })
}

/// The field a typify conversion error names (`... supplied value for FIELD: ...` or
/// `no value supplied for FIELD`).
fn field_of(message: &str) -> Option<String> {
    let start = message.rfind("supplied value for ").map(|i| i + 19);
    let start = start.or_else(|| message.rfind("no value supplied for ").map(|i| i + 22))?;
    let field: String = message[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!field.is_empty()).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn field_names_come_out_of_typify_messages() {
        assert_eq!(
            field_of("conversion to `BatchAttachRequest` for body failed: error converting supplied value for computer_name: longer than 15 characters").as_deref(),
            Some("computer_name")
        );
        assert_eq!(
            field_of("no value supplied for user_group").as_deref(),
            Some("user_group")
        );
        assert_eq!(field_of("something else"), None);
    }
}
