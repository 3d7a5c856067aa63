//! Everything a call needs, bound once: credentials, project, endpoint, timeouts, retries.
//!
//! ```
//! use huaweicloud_workspace::{Config, Credentials, Region};
//!
//! let config = Config::builder()
//!     .credentials(Credentials::ak_sk("AK", "SK"))
//!     .project_id("0bec5db98280d2d02fd6c00c2de791ce")
//!     .region(Region::CN_NORTH_4)
//!     .build()?;
//! assert_eq!(config.endpoint().as_str(), "https://workspace.cn-north-4.myhuaweicloud.com/");
//! # Ok::<(), huaweicloud_workspace::ConfigError>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Url;

use crate::clock::{Clock, SystemClock};
use crate::credentials::{self, Credentials, CredentialsError, CredentialsSource};
use crate::region::Region;
use crate::retry::RetryPolicy;

/// The client's configuration; cheap to clone. Built with [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    settings: Arc<Settings>,
}

struct Settings {
    credentials: Credentials,
    credentials_source: CredentialsSource,
    project_id: String,
    region: Option<Region>,
    endpoint: Url,
    timeouts: Timeouts,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
}

/// How long the client waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// To establish a connection (TCP and TLS). Default 10 s.
    pub connect: Duration,
    /// Between two reads of a response (and for the first byte). Default 30 s.
    pub read: Duration,
    /// For a whole attempt, if set. Default none: the read timeout bounds a stalled server.
    pub total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            total: None,
        }
    }
}

/// The configuration cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No usable credentials.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// No project id anywhere.
    #[error(
        "no project id: set it in code, or set {}, or write project_id in the credentials file",
        credentials::PROJECT_ID_ENV
    )]
    MissingProjectId,
    /// Neither a region nor an endpoint.
    #[error("no region: set a region (for example Region::CN_NORTH_4) or an explicit endpoint")]
    MissingRegion,
    /// A region with no known endpoint and no override.
    #[error(
        "the Workspace service is not known to run in region {region}: set an endpoint, or {env}"
    )]
    UnknownRegion {
        /// The region.
        region: String,
        /// The environment variable that would give its endpoint.
        env: String,
    },
    /// An endpoint that is not an http(s) URL.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A value that cannot travel in an HTTP header (the value is not repeated: it may be secret).
    #[error("the {field} contains characters that cannot be sent in an HTTP header")]
    InvalidHeaderValue {
        /// Which value.
        field: &'static str,
    },
    /// An empty value.
    #[error("the {field} is empty")]
    Empty {
        /// Which value.
        field: &'static str,
    },
}

impl Config {
    /// Starts a configuration; credentials and project id default to the environment and the
    /// credentials file.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.settings.credentials
    }

    /// Where the credentials came from.
    pub fn credentials_source(&self) -> &CredentialsSource {
        &self.settings.credentials_source
    }

    /// The project every call acts in.
    pub fn project_id(&self) -> &str {
        &self.settings.project_id
    }

    /// The region, if one was set.
    pub fn region(&self) -> Option<&Region> {
        self.settings.region.as_ref()
    }

    /// The endpoint calls are sent to.
    pub fn endpoint(&self) -> &Url {
        &self.settings.endpoint
    }

    /// The timeouts.
    pub fn timeouts(&self) -> &Timeouts {
        &self.settings.timeouts
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.settings.retry
    }

    /// The clock requests are signed with.
    pub fn clock(&self) -> &dyn Clock {
        self.settings.clock.as_ref()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials print redacted (their secrets are `Secret`s).
        let s = &self.settings;
        f.debug_struct("Config")
            .field("credentials", &s.credentials)
            .field("credentials_source", &s.credentials_source)
            .field("project_id", &s.project_id)
            .field("region", &s.region)
            .field("endpoint", &s.endpoint.as_str())
            .field("timeouts", &s.timeouts)
            .field("retry", &s.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Config`].
#[derive(Default)]
pub struct ConfigBuilder {
    credentials: Option<Credentials>,
    project_id: Option<String>,
    region: Option<Region>,
    endpoint: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    clock: Option<Arc<dyn Clock>>,
    env: Option<Box<EnvReader>>,
}

/// Reads an environment variable; replaceable for tests.
type EnvReader = dyn Fn(&str) -> Option<String>;

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// Explicit credentials (the environment and the file are then not read for them).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Explicit project id.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The region, which gives the endpoint unless one is set explicitly.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// An explicit endpoint (`https://host[:port]`), e.g. a proxy or a local simulator.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Timeouts (defaults: connect 10 s, read 30 s).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Retry policy (default: no retries).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The clock to sign with (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Reads environment variables through `env` instead of the process environment
    /// (for tests, or to load settings from elsewhere).
    pub fn env(mut self, env: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.env = Some(Box::new(env));
        self
    }

    /// Resolves credentials, project id and endpoint, and checks them.
    pub fn build(self) -> Result<Config, ConfigError> {
        let env: &EnvReader = match &self.env {
            Some(env) => env.as_ref(),
            None => &credentials::std_env,
        };
        let (credentials, credentials_source, found_project) = match self.credentials {
            Some(credentials) => (
                credentials,
                CredentialsSource::Explicit,
                env(credentials::PROJECT_ID_ENV),
            ),
            None => {
                let resolved = credentials::from_env_or_file(env)?;
                let project = resolved
                    .project_id
                    .or_else(|| env(credentials::PROJECT_ID_ENV));
                (resolved.credentials, resolved.source, project)
            }
        };
        let project_id = self
            .project_id
            .or(found_project)
            .ok_or(ConfigError::MissingProjectId)?;
        check_header_values(&credentials, &project_id)?;

        let endpoint = match (self.endpoint, &self.region) {
            (Some(endpoint), _) => endpoint,
            (None, Some(region)) => {
                region
                    .endpoint(env)
                    .ok_or_else(|| ConfigError::UnknownRegion {
                        region: region.to_string(),
                        env: region.endpoint_env(),
                    })?
            }
            (None, None) => return Err(ConfigError::MissingRegion),
        };
        let endpoint = parse_endpoint(&endpoint)?;

        Ok(Config {
            settings: Arc::new(Settings {
                credentials,
                credentials_source,
                project_id,
                region: self.region,
                endpoint,
                timeouts: self.timeouts,
                retry: self.retry,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            }),
        })
    }
}

/// Every value that goes into a header must be sendable, so that signing cannot fail later.
fn check_header_values(credentials: &Credentials, project_id: &str) -> Result<(), ConfigError> {
    let check = |field: &'static str, value: &str| {
        if value.trim().is_empty() {
            return Err(ConfigError::Empty { field });
        }
        HeaderValue::from_str(value)
            .map(drop)
            .map_err(|_| ConfigError::InvalidHeaderValue { field })
    };
    check("project id", project_id)?;
    match credentials {
        Credentials::AkSk {
            access_key,
            secret_key,
            security_token,
        } => {
            check("access key", access_key)?;
            if secret_key.expose().is_empty() {
                return Err(ConfigError::Empty {
                    field: "secret key",
                });
            }
            if let Some(token) = security_token {
                check("security token", token.expose())?;
            }
        }
        Credentials::IamToken(token) => check("IAM token", token.expose())?,
    }
    Ok(())
}

fn parse_endpoint(endpoint: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidEndpoint {
        endpoint: endpoint.to_string(),
        reason: reason.to_string(),
    };
    let url = Url::parse(endpoint).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn debug_never_shows_secrets() {
        let config = Config::builder()
            .env(no_env)
            .credentials(Credentials::temporary(
                "AKID",
                "the-secret-key",
                "the-token",
            ))
            .project_id("p")
            .region(Region::CN_NORTH_4)
            .build()
            .unwrap();
        let debug = format!("{config:?}");
        assert!(
            debug.contains("AKID") && debug.contains("Secret(***)"),
            "{debug}"
        );
        assert!(
            !debug.contains("the-secret-key") && !debug.contains("the-token"),
            "{debug}"
        );
    }

    #[test]
    fn errors_say_what_is_missing() {
        let base = || {
            Config::builder()
                .env(no_env)
                .credentials(Credentials::ak_sk("a", "s"))
        };
        assert_eq!(
            base().region(Region::CN_NORTH_4).build().unwrap_err(),
            ConfigError::MissingProjectId
        );
        assert_eq!(
            base().project_id("p").build().unwrap_err(),
            ConfigError::MissingRegion
        );
        assert_eq!(
            base().project_id("p").region(Region::new("mars-1")).build().unwrap_err().to_string(),
            "the Workspace service is not known to run in region mars-1: set an endpoint, or HUAWEICLOUD_SDK_REGION_WORKSPACE_MARS_1"
        );
        assert!(matches!(
            base()
                .project_id("p")
                .endpoint("ftp://x")
                .build()
                .unwrap_err(),
            ConfigError::InvalidEndpoint { .. }
        ));
        let error = Config::builder()
            .env(no_env)
            .credentials(Credentials::iam_token("bad\ntoken"))
            .project_id("p")
            .region(Region::CN_NORTH_4)
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the IAM token contains characters that cannot be sent in an HTTP header"
        );
    }
}
