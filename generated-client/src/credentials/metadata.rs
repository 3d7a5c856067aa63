//! Credentials of the ECS instance's agency, from the instance metadata service, as the
//! official SDKs ask it: `PUT /meta-data/latest/api/token` (with
//! `X-Metadata-Token-Ttl-Seconds`) for a session token, then `GET
//! /openstack/latest/securitykey` with `X-Metadata-Token`. A service that gives no session
//! token (404, 405, 503) is asked without one; a refused session token (401) is renewed once.
//! Each request ends within 3 seconds.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use tokio::sync::Mutex;

use crate::credentials::fetch::Fetcher;
use crate::credentials::{
    CredentialsError, CredentialsSource, Env, Found, ProvideCredentials, ProvideFuture, Source,
    SourceSettings,
};

/// Environment variable naming another metadata endpoint (tests, the simulator).
pub(crate) const METADATA_ENDPOINT_ENV: &str = "HUAWEICLOUD_SDK_METADATA_ENDPOINT";
/// The link-local address of the service on every ECS instance.
const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
/// How long a session token is asked for (the official SDKs' 6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";
/// The time limit of each request.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The instance metadata service: `Config::builder().metadata_endpoint(..)`, else
/// `$HUAWEICLOUD_SDK_METADATA_ENDPOINT`, else `http://169.254.169.254`.
pub(crate) struct InstanceMetadata;

fn endpoint(env: Env<'_>, settings: &SourceSettings) -> String {
    settings
        .metadata_endpoint
        .clone()
        .or_else(|| env(METADATA_ENDPOINT_ENV))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
        .trim_end_matches('/')
        .to_string()
}

impl Source for InstanceMetadata {
    fn how_to_use(&self, env: Env<'_>, settings: &SourceSettings) -> String {
        format!(
            "run on a Huawei Cloud instance with an agency (instance metadata at {})",
            crate::config::redacted(&endpoint(env, settings))
        )
    }

    fn find(
        &self,
        env: Env<'_>,
        settings: &SourceSettings,
    ) -> Result<Option<Found>, CredentialsError> {
        let endpoint = endpoint(env, settings);
        let name = format!(
            "the instance metadata service at {}",
            crate::config::redacted(&endpoint)
        );
        let url = Url::parse(&endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| CredentialsError::Fetch {
                source_name: name.clone(),
                reason: format!(
                    "not an http(s) URL (set by {METADATA_ENDPOINT_ENV} or the configuration)"
                ),
            })?;
        let provider = Metadata {
            base: url,
            fetcher: Fetcher::new(name, TIMEOUT)?,
            session: Mutex::new(None),
        };
        Ok(Some(Found::Later(
            Arc::new(provider),
            CredentialsSource::InstanceMetadata(crate::config::redacted(&endpoint)),
        )))
    }
}

/// The service, and the session token it gave.
struct Metadata {
    base: Url,
    fetcher: Fetcher,
    /// `None`: not asked yet; `Some(None)`: the service gives none.
    session: Mutex<Option<Option<String>>>,
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceMetadata")
            .field("endpoint", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Metadata {
    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    /// A new session token, or `None` when the service does not give them.
    async fn new_session(&self) -> Result<Option<String>, CredentialsError> {
        let answer = self
            .fetcher
            .send(
                Method::PUT,
                self.url("/meta-data/latest/api/token"),
                &[("X-Metadata-Token-Ttl-Seconds", TOKEN_TTL_SECONDS)],
                None,
            )
            .await?;
        match answer.status {
            StatusCode::OK => {
                let token = String::from_utf8(answer.body)
                    .map_err(|_| self.fetcher.error("its session token is not text"))?;
                Ok(Some(token.trim().to_string()))
            }
            StatusCode::NOT_FOUND
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::SERVICE_UNAVAILABLE => Ok(None),
            other => Err(self.fetcher.error(format!(
                "it answered {} to the session token request",
                other.as_u16()
            ))),
        }
    }

    async fn security_key(
        &self,
        token: Option<&str>,
    ) -> Result<crate::credentials::fetch::Answer, CredentialsError> {
        let headers: Vec<(&str, &str)> =
            token.map(|t| ("X-Metadata-Token", t)).into_iter().collect();
        self.fetcher
            .send(
                Method::GET,
                self.url("/openstack/latest/securitykey"),
                &headers,
                None,
            )
            .await
    }
}

impl ProvideCredentials for Metadata {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let mut session = self.session.lock().await;
            if session.is_none() {
                *session = Some(self.new_session().await?);
            }
            let token = session.clone().flatten();
            let mut answer = self.security_key(token.as_deref()).await?;
            if answer.status == StatusCode::UNAUTHORIZED {
                // The session token expired: one new one, then the key again.
                let renewed = self.new_session().await?;
                answer = self.security_key(renewed.as_deref()).await?;
                *session = Some(renewed);
            }
            self.fetcher.credentials(&answer)
        })
    }
}
