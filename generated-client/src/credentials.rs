//! Who the caller is: AK/SK (optionally temporary, with a security token) or an IAM token,
//! found like the official SDKs find them.
//!
//! Unless given explicitly, credentials come from the first source of [`CHAIN`] that has any:
//! the environment ([`crate::credentials_env`]), then the credentials file
//! ([`crate::credentials_file`]). A source that has only half of a pair is an error, never
//! skipped. A new source is a new module implementing [`Provider`], added to the chain.

use std::fmt;
use std::path::PathBuf;

use crate::secret::Secret;

/// How requests are authenticated. Built with [`Credentials::ak_sk`],
/// [`Credentials::temporary`] or [`Credentials::iam_token`]; `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Kind);

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
        Self(Kind::AkSk {
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
        Self(Kind::AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: Some(security_token.into()),
        })
    }

    /// An IAM token (the `X-Subject-Token` IAM returned), sent as `X-Auth-Token`.
    pub fn iam_token(token: impl Into<Secret>) -> Self {
        Self(Kind::IamToken(token.into()))
    }

    /// The access key id, for AK/SK credentials (it is not secret: it names the key).
    pub fn access_key(&self) -> Option<&str> {
        match &self.0 {
            Kind::AkSk { access_key, .. } => Some(access_key),
            Kind::IamToken(_) => None,
        }
    }

    pub(crate) fn kind(&self) -> &Kind {
        &self.0
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::AkSk {
                access_key,
                security_token,
                ..
            } => f
                .debug_struct("Credentials::AkSk")
                .field("access_key", access_key)
                .field("secret_key", &"***")
                .field("security_token", &security_token.as_ref().map(|_| "***"))
                .finish(),
            Kind::IamToken(_) => f.write_str("Credentials::IamToken(***)"),
        }
    }
}

/// Where resolved credentials came from, for messages and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsSource {
    /// Given in code.
    Explicit,
    /// The `HUAWEICLOUD_SDK_*` environment variables.
    Environment,
    /// The credentials file at this path.
    File(PathBuf),
}

/// No usable credentials, or a source that has only part of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A source sets one half of the AK/SK pair.
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
    /// The credentials file cannot be read.
    #[error("cannot read the credentials file {path}: {reason}")]
    #[non_exhaustive]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An environment variable names a credentials file that does not exist.
    #[error("{variable} names the credentials file {path}, which does not exist")]
    #[non_exhaustive]
    MissingFile {
        /// The variable.
        variable: &'static str,
        /// The file it names.
        path: PathBuf,
    },
    /// No source has credentials.
    #[error("no credentials found: give them explicitly, or {looked}")]
    #[non_exhaustive]
    NotFound {
        /// Where they were looked for, in words.
        looked: String,
    },
}

/// Credentials found by a [`Provider`], with what else the same source says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub credentials: Credentials,
    pub project_id: Option<String>,
    pub source: CredentialsSource,
}

/// Reads an environment variable (injectable, so that tests never touch the process's).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A place credentials can come from.
pub(crate) trait Provider: Sync {
    /// What a user should do to use it, for the message when no source has credentials.
    fn how_to_use(&self, env: Env<'_>) -> String;

    /// The credentials it has, `None` when it has none, or an error when it has half.
    fn provide(&self, env: Env<'_>) -> Result<Option<Resolved>, CredentialsError>;
}

/// The sources, in the order they are asked.
pub(crate) const CHAIN: [&dyn Provider; 2] = [
    &crate::credentials_env::Environment,
    &crate::credentials_file::ProfileFile,
];

/// Resolves credentials from the first source of [`CHAIN`] that has any.
pub(crate) fn resolve(env: Env<'_>) -> Result<Resolved, CredentialsError> {
    for provider in CHAIN {
        if let Some(found) = provider.provide(env)? {
            return Ok(found);
        }
    }
    let looked: Vec<String> = CHAIN.iter().map(|p| p.how_to_use(env)).collect();
    Err(CredentialsError::NotFound {
        looked: looked.join(", or "),
    })
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
    use super::*;
    use crate::credentials_env::{AK_ENV, PROJECT_ID_ENV, SECURITY_TOKEN_ENV, SK_ENV};
    use crate::credentials_file::FILE_ENV;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_environment_wins_and_carries_project_and_token() {
        let env = env_of(&[
            (AK_ENV, "AK"),
            (SK_ENV, "SK"),
            (PROJECT_ID_ENV, "p"),
            (SECURITY_TOKEN_ENV, "T"),
        ]);
        let found = resolve(&env).unwrap();
        assert_eq!(found.credentials, Credentials::temporary("AK", "SK", "T"));
        assert_eq!(found.project_id.as_deref(), Some("p"));
        assert_eq!(found.source, CredentialsSource::Environment);
    }

    #[test]
    fn a_half_set_environment_names_what_is_missing() {
        let error = resolve(&env_of(&[(AK_ENV, "AK")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment sets the access key (ak) but not the secret key (sk)"
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
        let found = resolve(&env_of(&[(FILE_ENV, &file_str)])).unwrap();
        assert_eq!(found.credentials, Credentials::ak_sk("FAK", "FSK"));
        assert_eq!(found.project_id.as_deref(), Some("fp"));
        assert_eq!(found.source, CredentialsSource::File(file.clone()));

        std::fs::write(&file, "[basic]\nsk = only-sk\n").unwrap();
        let error = resolve(&env_of(&[(FILE_ENV, &file_str)])).unwrap_err();
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
        let error = resolve(&env_of(&[(FILE_ENV, "/nonexistent/credentials")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE names the credentials file /nonexistent/credentials, which does not exist"
        );
    }

    #[test]
    fn nothing_anywhere_says_where_it_looked() {
        let error = resolve(&env_of(&[("HOME", "/nonexistent-home")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no credentials found: give them explicitly, or set HUAWEICLOUD_SDK_AK and \
             HUAWEICLOUD_SDK_SK, or write ak and sk in the [basic] section of \
             /nonexistent-home/.huaweicloud/credentials"
        );
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
