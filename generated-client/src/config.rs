//! Everything a call needs, bound once: credentials, project, endpoint, time limits, retries.
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

use reqwest::Url;

use crate::clock::{Clock, SystemClock};
use crate::credentials::cache::CredentialsCache;
use crate::credentials::{
    self, Credentials, CredentialsError, CredentialsSource, Env, Kind, ProvideCredentials,
    SourceSettings,
};
use crate::credentials::{PROJECT_ID_ENV, REGION_ENV};
use crate::region::Region;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The client's configuration; cheap to clone. Built with [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    settings: Arc<Settings>,
}

struct Settings {
    credentials: CredentialsCache,
    credentials_source: CredentialsSource,
    project_id: String,
    region: Option<Region>,
    endpoint: Url,
    base_url: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    call_timeout: Duration,
    max_response_body: usize,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    transport: Transport,
}

/// Default time to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest silence while waiting for or reading an answer.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default deadline of a whole call: every attempt, the waits between them and the answer's body.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest answer body read (32 MiB; a job of 10,000 desktops is about 5 MiB).
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 32 << 20;

/// The largest certificate bundle file read (the operating system's whole bundle is about
/// 200 KiB).
pub const MAX_CERTIFICATE_BUNDLE: usize = 4 << 20;

/// The longest project id, access key and token accepted (a token is a few KiB).
const MAX_ID_LENGTH: usize = 64;
const MAX_TOKEN_LENGTH: usize = 32 << 10;

/// The configuration cannot be built. Messages never repeat a secret value.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No usable credentials.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// No project id anywhere.
    #[error(
        "no project id: give one explicitly, or set {PROJECT_ID_ENV}, or write project_id in the credentials file"
    )]
    MissingProjectId,
    /// Neither a region nor an endpoint.
    #[error(
        "no region or endpoint: give a region (for example cn-north-4) or an endpoint, or set {REGION_ENV}, or write region in the credentials file"
    )]
    MissingRegion,
    /// A region with no known endpoint and no override.
    #[error("the Workspace service is not known to run in region {region:?}{}: give an endpoint, or set {env}", suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
    #[non_exhaustive]
    UnknownRegion {
        /// The region asked for.
        region: String,
        /// The known region closest to it, when it looks like a typo.
        suggestion: Option<String>,
        /// The environment variable that would give its endpoint.
        env: String,
    },
    /// An endpoint that is not an http(s) URL of a host.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    #[non_exhaustive]
    InvalidEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A proxy that is not an http(s) URL (the value is shown without its credentials).
    #[error("invalid proxy {proxy:?}: {reason}")]
    #[non_exhaustive]
    InvalidProxy {
        /// The proxy given.
        proxy: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The HTTP client cannot be built with these settings.
    #[error("cannot set up the HTTP client: {reason}")]
    #[non_exhaustive]
    Transport {
        /// Why the HTTP client refused the settings.
        reason: String,
    },
    /// TLS cannot be set up (the platform's trust store cannot be read, say).
    #[error("cannot set up TLS: {reason}")]
    #[non_exhaustive]
    Tls {
        /// Why TLS could not be set up.
        reason: String,
    },
    /// A value that cannot be sent as it is (the value is not repeated: it may be secret).
    #[error("the {field} {reason}")]
    #[non_exhaustive]
    InvalidValue {
        /// Which value.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Config {
    /// Starts a configuration; credentials, project id and region default to the environment
    /// and the credentials file.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The credentials held, renewed from their provider before they expire.
    pub(crate) fn credentials(&self) -> &CredentialsCache {
        &self.settings.credentials
    }

    /// The proxies and extra root certificates the HTTP client is built with.
    pub(crate) fn transport(&self) -> &Transport {
        &self.settings.transport
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

    /// Time to establish a connection.
    pub fn connect_timeout(&self) -> Duration {
        self.settings.connect_timeout
    }

    /// Longest silence while waiting for or reading an answer.
    pub fn read_timeout(&self) -> Duration {
        self.settings.read_timeout
    }

    /// Deadline of a whole call, retries and the answer's body included.
    pub fn call_timeout(&self) -> Duration {
        self.settings.call_timeout
    }

    /// Largest answer body read, in bytes.
    pub fn max_response_body(&self) -> usize {
        self.settings.max_response_body
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.settings.retry
    }

    /// The clock requests are signed with (and credentials' expiry read with).
    pub fn clock(&self) -> &dyn Clock {
        self.settings.clock.as_ref()
    }

    /// The endpoint with the path every operation starts with (the project id in place).
    pub(crate) fn base_url(&self) -> &str {
        &self.settings.base_url
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Config")
            .field("credentials", &s.credentials)
            .field("credentials_source", &s.credentials_source)
            .field("project_id", &s.project_id)
            .field("region", &s.region)
            .field("endpoint", &s.endpoint.as_str())
            .field("connect_timeout", &s.connect_timeout)
            .field("read_timeout", &s.read_timeout)
            .field("call_timeout", &s.call_timeout)
            .field("max_response_body", &s.max_response_body)
            .field("retry", &s.retry)
            .field("transport", &s.transport)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Config`].
pub struct ConfigBuilder {
    credentials: Option<Credentials>,
    provider: Option<Arc<dyn ProvideCredentials>>,
    metadata_endpoint: Option<String>,
    proxy: Option<String>,
    root_certificates: Vec<Vec<u8>>,
    project_id: Option<String>,
    region: Option<Region>,
    endpoint: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    call_timeout: Duration,
    max_response_body: usize,
    retry: RetryPolicy,
    clock: Option<Arc<dyn Clock>>,
    env: Option<Box<EnvReader>>,
}

/// Reads an environment variable; replaceable for tests.
type EnvReader = dyn Fn(&str) -> Option<String>;

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            provider: None,
            metadata_endpoint: None,
            proxy: None,
            root_certificates: Vec::new(),
            project_id: None,
            region: None,
            endpoint: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            retry: RetryPolicy::default(),
            clock: None,
            env: None,
        }
    }
}

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

    /// A provider of credentials, asked at the first call and again before the credentials
    /// it gave expire (instead of the default chain).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// The instance metadata service's endpoint (default: `$HUAWEICLOUD_SDK_METADATA_ENDPOINT`,
    /// else `http://169.254.169.254`), for tests and simulators.
    pub fn metadata_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(endpoint.into());
        self
    }

    /// Sends every call through this proxy (`http://[user:password@]host:port`), instead of
    /// the proxies of `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`. An https endpoint is
    /// reached through a `CONNECT` tunnel, so the proxy sees neither credentials nor bodies.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
        self
    }

    /// Also trusts the certificates of this PEM bundle (a company's own certificate
    /// authority, say), besides the operating system's.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem) from a file: a regular
    /// file of at most [`MAX_CERTIFICATE_BUNDLE`] bytes.
    pub fn add_root_certificates_file(
        self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, ConfigError> {
        let pem = crate::local_input::read_text(
            path.as_ref(),
            MAX_CERTIFICATE_BUNDLE,
            "certificate bundle",
        )
        .map_err(|e| ConfigError::Tls {
            reason: e.to_string(),
        })?;
        Ok(self.add_root_certificates_pem(pem))
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

    /// An explicit endpoint (`https://host[:port][/path]`), e.g. a proxy or a local simulator.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Time to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest silence while waiting for or reading an answer (default 30 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Deadline of a whole call: every attempt, the waits between retries and the answer's
    /// body (default 60 s). A server that trickles its answer is cut off here.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Largest answer body read, in bytes (default 32 MiB); a larger one is an error.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
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

    /// Resolves credentials (those at hand; a credentials service is asked at the first
    /// call), project id, endpoint and transport, and checks every value that will be sent,
    /// so that a call cannot fail later on account of the configuration.
    pub fn build(self) -> Result<Config, ConfigError> {
        let env: Env<'_> = match &self.env {
            Some(env) => env.as_ref(),
            None => &credentials::process_env,
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let settings = SourceSettings {
            metadata_endpoint: self.metadata_endpoint,
        };
        let (provider, initial, credentials_source, found_project) =
            match (self.credentials, self.provider) {
                (Some(credentials), _) => (
                    Arc::new(credentials.clone()) as Arc<dyn ProvideCredentials>,
                    Some(credentials),
                    CredentialsSource::Explicit,
                    None,
                ),
                (None, Some(provider)) => (provider, None, CredentialsSource::Provider, None),
                (None, None) => {
                    let found = credentials::resolve(env, &settings)?;
                    (
                        found.provider,
                        found.initial,
                        found.source,
                        found.project_id,
                    )
                }
            };
        let project_id = match self
            .project_id
            .or(found_project)
            .or_else(|| env(PROJECT_ID_ENV))
        {
            Some(project_id) => project_id,
            None => {
                crate::credentials::file::project_id(env)?.ok_or(ConfigError::MissingProjectId)?
            }
        };
        check_project_id(&project_id)?;
        if let Some(credentials) = &initial {
            check_credentials(credentials)?;
        }

        let region = match self.region {
            Some(region) => Some(region),
            None if self.endpoint.is_some() => None,
            None => default_region(env)?,
        };
        if region.as_ref().is_some_and(|r| r.id().trim().is_empty()) {
            return Err(ConfigError::InvalidValue {
                field: "region",
                reason: "is empty",
            });
        }
        let endpoint = match (self.endpoint, &region) {
            (Some(endpoint), _) => endpoint,
            (None, Some(region)) => {
                region
                    .endpoint(env)
                    .ok_or_else(|| ConfigError::UnknownRegion {
                        region: region.to_string(),
                        suggestion: region.suggestion().map(ToString::to_string),
                        env: region.endpoint_env(),
                    })?
            }
            (None, None) => return Err(ConfigError::MissingRegion),
        };
        let endpoint = parse_endpoint(&endpoint)?;
        if let Some(credentials) = &initial {
            check_in_clear(credentials, &endpoint)?;
        }
        let transport = Transport::new(env, self.proxy, &self.root_certificates)?;
        let base_url = format!(
            "{}{}",
            endpoint.as_str().trim_end_matches('/'),
            crate::generated::BASE_PATH.replace("{project_id}", &project_id)
        );

        let credentials = CredentialsCache::new(provider, initial, clock.now());
        Ok(Config {
            settings: Arc::new(Settings {
                credentials,
                credentials_source,
                project_id,
                region,
                endpoint,
                base_url,
                connect_timeout: self.connect_timeout,
                read_timeout: self.read_timeout,
                call_timeout: self.call_timeout,
                max_response_body: self.max_response_body,
                retry: self.retry,
                clock,
                transport,
            }),
        })
    }
}

/// The default region: `HUAWEICLOUD_SDK_REGION`, else `region` in the credentials file.
fn default_region(env: Env<'_>) -> Result<Option<Region>, ConfigError> {
    if let Some(region) = env(REGION_ENV) {
        return Ok(Some(Region::new(region.trim())));
    }
    Ok(crate::credentials::file::region(env)?.map(Region::new))
}

/// A value sent in a header or the path must be printable ASCII (a non-ASCII value would
/// otherwise reach the service and fail as a 401 with no hint), and not too long.
fn printable(field: &'static str, value: &str, max: usize) -> Result<(), ConfigError> {
    let invalid = |reason| Err(ConfigError::InvalidValue { field, reason });
    if value.trim().is_empty() {
        invalid("is empty")
    } else if value.len() > max {
        invalid("is too long")
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        invalid("may only contain printable ASCII characters without spaces")
    } else {
        Ok(())
    }
}

/// The project id travels inside its path segment.
fn check_project_id(project_id: &str) -> Result<(), ConfigError> {
    printable("project id", project_id, MAX_ID_LENGTH)?;
    if !project_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ConfigError::InvalidValue {
            field: "project id",
            reason: "may only contain ASCII letters, digits, '-' and '_'",
        });
    }
    Ok(())
}

/// A token never travels in clear beyond this machine: plain http carries one only to a
/// loopback endpoint.
pub(crate) fn check_in_clear(credentials: &Credentials, endpoint: &Url) -> Result<(), ConfigError> {
    if credentials.carries_token()
        && endpoint.scheme() == "http"
        && !crate::transport::is_loopback(endpoint)
    {
        return Err(ConfigError::InvalidValue {
            field: "endpoint",
            reason: "is plain http to another machine, where the security token or IAM token would travel in clear: use https",
        });
    }
    Ok(())
}

/// Every credential value travels in a header, unchanged.
pub(crate) fn check_credentials(credentials: &Credentials) -> Result<(), ConfigError> {
    let invalid = |field, reason| Err(ConfigError::InvalidValue { field, reason });
    match credentials.kind() {
        Kind::AkSk {
            access_key,
            secret_key,
            security_token,
        } => {
            printable("access key", access_key, MAX_ID_LENGTH)?;
            if secret_key.expose().is_empty() {
                return invalid("secret key", "is empty");
            }
            if let Some(token) = security_token {
                printable("security token", token.expose(), MAX_TOKEN_LENGTH)?;
            }
        }
        Kind::IamToken(token) => printable("IAM token", token.expose(), MAX_TOKEN_LENGTH)?,
    }
    Ok(())
}

fn parse_endpoint(endpoint: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidEndpoint {
        endpoint: redacted(endpoint),
        reason: reason.to_string(),
    };
    let url = Url::parse(endpoint.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "it must not carry a user name or password (credentials are signed, never sent in the URL)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

/// An endpoint as it may be shown: a user name, password, query or fragment replaced with
/// `***` (they can hold credentials), whether the text parses as a URL or not.
pub(crate) fn redacted(endpoint: &str) -> String {
    let endpoint = endpoint.trim();
    let (scheme, rest) = match endpoint.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), endpoint),
    };
    let (rest, tail) = match rest.find(['?', '#']) {
        Some(at) => (&rest[..at], format!("{}***", &rest[at..at + 1])),
        None => (rest, String::new()),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_string(),
    };
    format!("{scheme}{authority}{path}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoints_credentials_and_query_are_never_shown() {
        for (given, shown) in [
            ("http://admin:S3cret@host:8080/x", "http://***@host:8080/x"),
            ("https://host/?token=S3cret", "https://host/?***"),
            ("ftp://user@host#S3cret", "ftp://***@host#***"),
            ("admin:S3cret@host", "***@host"),
            (
                "https://workspace.cn-north-4.myhuaweicloud.com",
                "https://workspace.cn-north-4.myhuaweicloud.com",
            ),
        ] {
            assert_eq!(redacted(given), shown);
            let error = parse_endpoint(given)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                !error.contains("S3cret") && !error.contains("admin"),
                "{error}"
            );
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn base() -> ConfigBuilder {
        Config::builder()
            .env(no_env)
            .credentials(Credentials::ak_sk("a", "s"))
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
        assert!(debug.contains("AKID"), "{debug}");
        assert!(
            !debug.contains("the-secret-key") && !debug.contains("the-token"),
            "{debug}"
        );
    }

    #[test]
    fn errors_say_what_is_missing() {
        assert!(matches!(
            base().region(Region::CN_NORTH_4).build().unwrap_err(),
            ConfigError::MissingProjectId
        ));
        assert!(matches!(
            base().project_id("p").build().unwrap_err(),
            ConfigError::MissingRegion
        ));
        assert_eq!(
            base().project_id("p").region(Region::new("cn-north4")).build().unwrap_err().to_string(),
            "the Workspace service is not known to run in region \"cn-north4\" (did you mean cn-north-4?): give an endpoint, or set HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH4"
        );
        assert!(matches!(
            base()
                .project_id("p")
                .endpoint("ftp://x")
                .build()
                .unwrap_err(),
            ConfigError::InvalidEndpoint { .. }
        ));
        assert!(matches!(
            base()
                .project_id("p")
                .endpoint("https://user:pw@host")
                .build()
                .unwrap_err(),
            ConfigError::InvalidEndpoint { .. }
        ));
    }

    #[test]
    fn values_that_cannot_travel_unchanged_are_refused_without_repeating_them() {
        let refused = |builder: ConfigBuilder| {
            builder
                .region(Region::CN_NORTH_4)
                .build()
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(base().project_id("..")),
            "the project id may only contain ASCII letters, digits, '-' and '_'"
        );
        assert_eq!(
            refused(base().project_id("a\\b")),
            "the project id may only contain ASCII letters, digits, '-' and '_'"
        );
        assert_eq!(
            refused(base().project_id("projét")),
            "the project id may only contain printable ASCII characters without spaces"
        );
        let token = Config::builder()
            .env(no_env)
            .credentials(Credentials::iam_token("bad\ntoken-secret"))
            .project_id("p");
        let message = refused(token);
        assert_eq!(
            message,
            "the IAM token may only contain printable ASCII characters without spaces"
        );
        let access_key = Config::builder()
            .env(no_env)
            .credentials(Credentials::ak_sk("AKé", "s"))
            .project_id("p");
        assert!(refused(access_key).starts_with("the access key may only contain printable ASCII"));
    }

    #[test]
    fn the_region_can_come_from_the_environment() {
        let config = base()
            .project_id("p")
            .env(|name| (name == "HUAWEICLOUD_SDK_REGION").then(|| "ap-southeast-1".into()))
            .build()
            .unwrap();
        assert_eq!(config.region(), Some(&Region::AP_SOUTHEAST_1));
        assert_eq!(
            config.base_url(),
            "https://workspace.ap-southeast-1.myhuaweicloud.com/v2/p"
        );
    }
}
