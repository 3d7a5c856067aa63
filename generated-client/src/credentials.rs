//! Who the caller is: AK/SK (optionally temporary, with a security token and an expiry) or an
//! IAM token, found like the official SDKs find them.
//!
//! Credentials come from a [`ProvideCredentials`], asked by the client whenever the ones it
//! holds are missing or about to expire (see [`crate::credentials::cache`]). Unless given, the
//! provider is the default chain, in the official SDKs' order ([`CHAIN`]): the environment,
//! the credentials file, the instance metadata service, pod identity. The first two are read
//! when the configuration is built (a source that has only half of its settings is an error
//! there, never skipped); the last two answer over the network, so they are asked at the
//! first call, in order, and the first that answers is kept. A new source is one module
//! under `credentials/` implementing [`Source`], declared below with its place in [`CHAIN`].
//!
//! OIDC federation (`HUAWEICLOUD_SDK_IDP_ID`) is not a source yet: it takes an STS call of
//! its own.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use crate::secret::Secret;

pub(crate) mod cache;
mod env;
pub(crate) mod fetch;
pub(crate) mod file;
mod metadata;
mod pod;

pub(crate) use env::{PROJECT_ID_ENV, REGION_ENV};

/// How requests are authenticated. Built with [`Credentials::ak_sk`],
/// [`Credentials::temporary`] or [`Credentials::iam_token`]; `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    kind: Kind,
    expires_at: Option<SystemTime>,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Signed with SDK-HMAC-SHA256.
    AkSk {
        access_key: String,
        secret_key: Secret,
        security_token: Option<Secret>,
    },
    /// An IAM user token, sent unsigned as `X-Auth-Token`.
    IamToken(Secret),
}

impl Credentials {
    /// Permanent AK/SK credentials: every request is signed with the secret key.
    pub fn ak_sk(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Self {
        Self::of(Kind::AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
        })
    }

    /// Temporary AK/SK credentials with their security token (sent signed).
    pub fn temporary(
        access_key: impl Into<String>,
        secret_key: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Self {
        Self::of(Kind::AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: Some(security_token.into()),
        })
    }

    /// An IAM token (the `X-Subject-Token` IAM returned), sent as `X-Auth-Token`.
    pub fn iam_token(token: impl Into<Secret>) -> Self {
        Self::of(Kind::IamToken(token.into()))
    }

    fn of(kind: Kind) -> Self {
        Self {
            kind,
            expires_at: None,
        }
    }

    /// The same credentials, valid until `expires_at`: the client renews them from their
    /// provider before then.
    pub fn expiring_at(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// When they stop being valid, if they do.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The access key id, for AK/SK credentials (it is not secret: it names the key).
    pub fn access_key(&self) -> Option<&str> {
        match &self.kind {
            Kind::AkSk { access_key, .. } => Some(access_key),
            Kind::IamToken(_) => None,
        }
    }

    /// Whether a token travels with each request (a security token or an IAM token): such
    /// credentials are never sent in clear beyond this machine.
    pub(crate) fn carries_token(&self) -> bool {
        match &self.kind {
            Kind::AkSk { security_token, .. } => security_token.is_some(),
            Kind::IamToken(_) => true,
        }
    }

    pub(crate) fn kind(&self) -> &Kind {
        &self.kind
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::AkSk {
                access_key,
                security_token,
                ..
            } => f
                .debug_struct("Credentials::AkSk")
                .field("access_key", access_key)
                .field("secret_key", &"***")
                .field("security_token", &security_token.as_ref().map(|_| "***"))
                .field("expires_at", &self.expires_at)
                .finish(),
            Kind::IamToken(_) => f.write_str("Credentials::IamToken(***)"),
        }
    }
}

/// What [`ProvideCredentials::provide_credentials`] returns.
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials. The client asks it when it holds none, and again before the ones
/// it holds expire ([`Credentials::expiring_at`]), one request at a time however many calls
/// are waiting; every attempt of every call is signed with the credentials valid then.
///
/// ```
/// use huaweicloud_workspace::{Credentials, CredentialsError, ProvideCredentials, ProvideFuture};
///
/// /// Keys kept in a vault of your own.
/// #[derive(Debug)]
/// struct Vault;
///
/// impl ProvideCredentials for Vault {
///     fn provide_credentials(&self) -> ProvideFuture<'_> {
///         Box::pin(async {
///             let expires = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
///             Ok(Credentials::temporary("AK", "SK", "token").expiring_at(expires))
///         })
///     }
/// }
/// # let _ = huaweicloud_workspace::Config::builder().credentials_provider(Vault);
/// ```
pub trait ProvideCredentials: fmt::Debug + Send + Sync {
    /// The credentials to use now.
    fn provide_credentials(&self) -> ProvideFuture<'_>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }
}

/// Where the credentials come from, for messages and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsSource {
    /// Given in code.
    Explicit,
    /// The `HUAWEICLOUD_SDK_*` environment variables.
    Environment,
    /// The credentials file at this path.
    File(PathBuf),
    /// The instance metadata service (an agency of the ECS instance), at this endpoint.
    InstanceMetadata(String),
    /// Pod identity (`HC_CONTAINER_CREDENTIALS_FULL_URI`).
    PodIdentity,
    /// The sources asked at the first call: the instance metadata service, then pod identity.
    Chain,
    /// A provider given in code.
    Provider,
}

/// No usable credentials, or a source that has only part of them.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A source sets one half of a pair.
    #[error("{source_name} sets {present} but not {missing}")]
    #[non_exhaustive]
    Incomplete {
        /// The source, e.g. `the environment`.
        source_name: String,
        /// What it sets.
        present: &'static str,
        /// What it lacks.
        missing: &'static str,
    },
    /// A file of credentials (or of a token) cannot be read.
    #[error("cannot read the {what} {path}: {reason}")]
    #[non_exhaustive]
    Unreadable {
        /// What the file is for, e.g. `credentials file`.
        what: &'static str,
        /// The file that was to be read.
        path: PathBuf,
        /// Why it could not be read, in words.
        reason: String,
        /// The operating system's error, when it gave one.
        #[source]
        source: Option<Arc<std::io::Error>>,
    },
    /// An environment variable names a credentials file that does not exist.
    #[error("{variable} names the credentials file {path}, which does not exist")]
    #[non_exhaustive]
    MissingFile {
        /// The variable that names the file.
        variable: &'static str,
        /// The file it names.
        path: PathBuf,
    },
    /// A credentials service (instance metadata, pod identity) did not give credentials.
    #[error("{source_name}: {reason}")]
    #[non_exhaustive]
    Fetch {
        /// The service, e.g. `the instance metadata service at http://169.254.169.254`.
        source_name: String,
        /// Why it gave none, in words.
        reason: String,
    },
    /// The credentials a provider gave have expired.
    #[error("the credentials expired at {expired}")]
    #[non_exhaustive]
    Expired {
        /// When, as `2026-11-30T10:15:00Z`.
        expired: String,
    },
    /// No source has credentials.
    #[error("no credentials found: give them explicitly, or {looked}")]
    #[non_exhaustive]
    NotFound {
        /// Where they were looked for, in words.
        looked: String,
    },
}

/// Credentials found by a [`Source`], with what else the same source says.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub credentials: Credentials,
    pub project_id: Option<String>,
    pub source: CredentialsSource,
}

/// What a source has.
pub(crate) enum Found {
    /// Credentials at hand, read from its settings.
    Now(Resolved),
    /// A service to ask at call time.
    Later(Arc<dyn ProvideCredentials>, CredentialsSource),
}

/// Reads an environment variable (injectable, so that tests never touch the process's).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What the sources that answer over the network need from the configuration.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceSettings {
    /// The instance metadata service's endpoint, if not the default (or the environment's).
    pub metadata_endpoint: Option<String>,
}

/// A place credentials can come from.
pub(crate) trait Source: Sync {
    /// What a user should do to use it, for the message when no source has credentials.
    fn how_to_use(&self, env: Env<'_>, settings: &SourceSettings) -> String;

    /// What it has, from its settings: nothing, credentials at hand, or a service to ask at
    /// call time. Half of its settings is an error naming what is missing.
    fn find(
        &self,
        env: Env<'_>,
        settings: &SourceSettings,
    ) -> Result<Option<Found>, CredentialsError>;
}

/// The sources, in the order they are asked.
pub(crate) const CHAIN: [&dyn Source; 4] = [
    &env::Environment,
    &file::ProfileFile,
    &metadata::InstanceMetadata,
    &pod::PodIdentity,
];

/// The provider the configuration uses: the first source of [`CHAIN`] with credentials at
/// hand, or else every source to ask at call time, in order.
pub(crate) fn resolve(
    env: Env<'_>,
    settings: &SourceSettings,
) -> Result<Resolution, CredentialsError> {
    let mut later = Vec::new();
    for source in CHAIN {
        match source.find(env, settings)? {
            Some(Found::Now(resolved)) if later.is_empty() => {
                return Ok(Resolution {
                    provider: Arc::new(resolved.credentials.clone()),
                    initial: Some(resolved.credentials),
                    project_id: resolved.project_id,
                    source: resolved.source,
                })
            }
            Some(Found::Now(_)) | None => {}
            Some(Found::Later(provider, source)) => later.push((provider, source)),
        }
    }
    let looked: Vec<String> = CHAIN
        .iter()
        .map(|source| source.how_to_use(env, settings))
        .collect();
    let source = match later.as_slice() {
        [(_, only)] => only.clone(),
        _ => CredentialsSource::Chain,
    };
    Ok(Resolution {
        provider: Arc::new(AtCallTime {
            sources: later,
            answered: AtomicUsize::new(usize::MAX),
            looked: looked.join(", or "),
        }),
        initial: None,
        project_id: None,
        source,
    })
}

/// What [`resolve`] chose.
#[derive(Debug)]
pub(crate) struct Resolution {
    /// The provider to ask.
    pub provider: Arc<dyn ProvideCredentials>,
    /// Credentials already at hand.
    pub initial: Option<Credentials>,
    /// The project id the same source gives.
    pub project_id: Option<String>,
    /// Where the credentials come from.
    pub source: CredentialsSource,
}

/// The sources asked at call time, in order; the first that answers is kept.
struct AtCallTime {
    sources: Vec<(Arc<dyn ProvideCredentials>, CredentialsSource)>,
    /// The index of the source that answered, once one has.
    answered: AtomicUsize,
    /// The "how to use" of every source, for the error when none answers.
    looked: String,
}

impl fmt::Debug for AtCallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&CredentialsSource> = self.sources.iter().map(|(_, s)| s).collect();
        f.debug_struct("AtCallTime")
            .field("sources", &names)
            .finish()
    }
}

impl ProvideCredentials for AtCallTime {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let kept = self.answered.load(Ordering::Acquire);
            if let Some((provider, _)) = self.sources.get(kept) {
                return provider.provide_credentials().await;
            }
            let mut reasons = Vec::new();
            for (index, (provider, _)) in self.sources.iter().enumerate() {
                match provider.provide_credentials().await {
                    Ok(credentials) => {
                        self.answered.store(index, Ordering::Release);
                        return Ok(credentials);
                    }
                    Err(error) => reasons.push(error.to_string()),
                }
            }
            let mut looked = self.looked.clone();
            if !reasons.is_empty() {
                looked.push_str(&format!(" ({})", reasons.join("; ")));
            }
            Err(CredentialsError::NotFound { looked })
        })
    }
}

/// Builds credentials from one source's `ak`/`sk`/`security_token`: `None` when it has
/// neither key, an error naming what is missing when it has one.
pub(crate) fn from_pair(
    source_name: &str,
    access_key: Option<String>,
    secret_key: Option<String>,
    security_token: Option<String>,
) -> Result<Option<Credentials>, CredentialsError> {
    let incomplete = |present, missing| CredentialsError::Incomplete {
        source_name: source_name.to_string(),
        present,
        missing,
    };
    match (access_key, secret_key) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(incomplete("the access key (ak)", "the secret key (sk)")),
        (None, Some(_)) => Err(incomplete("the secret key (sk)", "the access key (ak)")),
        (Some(access_key), Some(secret_key)) => Ok(Some(match security_token {
            Some(token) => Credentials::temporary(access_key, secret_key, token),
            None => Credentials::ak_sk(access_key, secret_key),
        })),
    }
}

/// Reads a real environment variable (empty counts as unset).
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::env::{AK_ENV, PROJECT_ID_ENV, SECURITY_TOKEN_ENV, SK_ENV};
    use super::file::FILE_ENV;
    use super::metadata::METADATA_ENDPOINT_ENV;
    use super::pod::{POD_TOKEN_FILE_ENV, POD_URI_ENV};
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn found(env: &[(&str, &str)]) -> Resolution {
        resolve(&env_of(env), &SourceSettings::default()).unwrap()
    }

    #[test]
    fn the_environment_wins_and_carries_the_token() {
        let found = found(&[
            (AK_ENV, "AK"),
            (SK_ENV, "SK"),
            (PROJECT_ID_ENV, "p"),
            (SECURITY_TOKEN_ENV, "T"),
        ]);
        assert_eq!(found.initial, Some(Credentials::temporary("AK", "SK", "T")));
        assert_eq!(
            found.project_id, None,
            "the configuration reads the project id, once"
        );
        assert_eq!(found.source, CredentialsSource::Environment);
    }

    #[test]
    fn a_half_set_source_names_what_is_missing() {
        let error = resolve(&env_of(&[(AK_ENV, "AK")]), &SourceSettings::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment sets the access key (ak) but not the secret key (sk)"
        );
        let error = resolve(
            &env_of(&[(POD_URI_ENV, "http://127.0.0.1:1/c")]),
            &SourceSettings::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "pod identity sets HC_CONTAINER_CREDENTIALS_FULL_URI but not HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"
        );
    }

    #[test]
    fn the_file_is_read_when_the_environment_has_nothing() {
        let dir = std::env::temp_dir().join(format!("hwc-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        // A byte order mark, as Windows editors write it, is not part of the first section.
        std::fs::write(
            &file,
            "\u{feff}[basiccredentials]\nak = FAK\nsk = FSK\nproject_id = fp\n",
        )
        .unwrap();
        let file_str = file.display().to_string();
        let found = found(&[(FILE_ENV, &file_str)]);
        assert_eq!(found.initial, Some(Credentials::ak_sk("FAK", "FSK")));
        assert_eq!(found.project_id.as_deref(), Some("fp"));
        assert_eq!(found.source, CredentialsSource::File(file.clone()));

        std::fs::write(&file, "[basic]\nsk = only-sk\n").unwrap();
        let error = resolve(
            &env_of(&[(FILE_ENV, &file_str)]),
            &SourceSettings::default(),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("sets the secret key (sk) but not the access key (ak)"),
            "{error}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_variable_naming_a_missing_file_says_so() {
        let error = resolve(
            &env_of(&[(FILE_ENV, "/nonexistent/credentials")]),
            &SourceSettings::default(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE names the credentials file /nonexistent/credentials, which does not exist"
        );
    }

    /// The official order: environment, file, instance metadata, pod identity; the last two
    /// are asked at the first call, and when neither answers, the error says how to use each.
    #[tokio::test]
    async fn nothing_at_hand_asks_the_services_in_order_and_says_where_it_looked() {
        let env = env_of(&[
            ("HOME", "/nonexistent-home"),
            (METADATA_ENDPOINT_ENV, "http://127.0.0.1:9"),
        ]);
        let found = resolve(&env, &SourceSettings::default()).unwrap();
        assert!(found.initial.is_none());
        assert_eq!(
            found.source,
            CredentialsSource::InstanceMetadata("http://127.0.0.1:9".into())
        );
        let error = found.provider.provide_credentials().await.unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(
                "no credentials found: give them explicitly, or set HUAWEICLOUD_SDK_AK and \
                 HUAWEICLOUD_SDK_SK, or write ak and sk in the [basic] section of \
                 /nonexistent-home/.huaweicloud/credentials, or run on a Huawei Cloud instance \
                 with an agency (instance metadata at http://127.0.0.1:9), or set \
                 HC_CONTAINER_CREDENTIALS_FULL_URI and HC_CONTAINER_AUTHORIZATION_TOKEN_FILE \
                 (pod identity) ("
            ),
            "{message}"
        );
        assert!(
            message.contains("the instance metadata service at http://127.0.0.1:9"),
            "{message}"
        );

        let dir = std::env::temp_dir().join(format!("hwc-pod-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token = dir.join("token");
        std::fs::write(&token, "pod-token").unwrap();
        let env = env_of(&[
            ("HOME", "/nonexistent-home"),
            (POD_URI_ENV, "http://127.0.0.1:9/credentials"),
            (POD_TOKEN_FILE_ENV, token.to_str().unwrap()),
        ]);
        let found = resolve(&env, &SourceSettings::default()).unwrap();
        assert_eq!(
            found.source,
            CredentialsSource::Chain,
            "metadata, then pod identity"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_shows_the_access_key_and_no_secret() {
        let debug = format!(
            "{:?}",
            Credentials::temporary("AKID", "the-sk", "the-token")
        );
        assert!(debug.contains("AKID"), "{debug}");
        assert!(
            !debug.contains("the-sk") && !debug.contains("the-token"),
            "{debug}"
        );
        assert_eq!(
            format!("{:?}", Credentials::iam_token("t")),
            "Credentials::IamToken(***)"
        );
    }
}
