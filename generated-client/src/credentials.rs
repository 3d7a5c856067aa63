//! Who the caller is: AK/SK (optionally temporary, with a security token) or an IAM token,
//! found like the official SDKs find them.
//!
//! The chain is: explicit values, then the environment (`HUAWEICLOUD_SDK_AK`,
//! `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_PROJECT_ID`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`), then the
//! credentials file (see [`crate::credentials_file`]). The first source that has any
//! credential wins, and a source that has only half of a pair is an error, never skipped.

use std::path::PathBuf;

use crate::credentials_file;
use crate::secret::Secret;

/// Environment variable of the access key id.
pub const AK_ENV: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable of the secret access key.
pub const SK_ENV: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable of the project id.
pub const PROJECT_ID_ENV: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable of the security token of temporary credentials.
pub const SECURITY_TOKEN_ENV: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";

/// How requests are authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Signed with SDK-HMAC-SHA256.
    AkSk {
        /// Access key id (not secret: it identifies the key and appears in `Authorization`).
        access_key: String,
        /// Secret access key.
        secret_key: Secret,
        /// Security token of temporary credentials, sent signed as `X-Security-Token`.
        security_token: Option<Secret>,
    },
    /// An IAM user token, sent unsigned as `X-Auth-Token`.
    IamToken(Secret),
}

impl Credentials {
    /// Permanent AK/SK credentials.
    pub fn ak_sk(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Self {
        Self::AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
        }
    }

    /// Temporary AK/SK credentials with their security token.
    pub fn temporary(
        access_key: impl Into<String>,
        secret_key: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Self {
        Self::AkSk {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: Some(security_token.into()),
        }
    }

    /// An IAM token (the `X-Subject-Token` IAM returned).
    pub fn iam_token(token: impl Into<Secret>) -> Self {
        Self::IamToken(token.into())
    }
}

/// Where resolved credentials came from, for messages and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsSource {
    /// Given in code.
    Explicit,
    /// The `HUAWEICLOUD_SDK_*` environment variables.
    Environment,
    /// The credentials file at this path.
    File(PathBuf),
}

/// Credentials and the project id that came with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedCredentials {
    /// The credentials.
    pub credentials: Credentials,
    /// The project id from the same source, if it had one.
    pub project_id: Option<String>,
    /// Where they came from.
    pub source: CredentialsSource,
}

/// No usable credentials, or a source that has only part of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// A source sets one half of the AK/SK pair.
    #[error("{source_name} sets {present} but not {missing}")]
    Incomplete {
        /// The source, e.g. `the environment`.
        source_name: String,
        /// What it sets.
        present: &'static str,
        /// What it lacks.
        missing: &'static str,
    },
    /// The credentials file exists but cannot be read.
    #[error("cannot read the credentials file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No source has credentials.
    #[error(
        "no credentials found: set them in code, or set {AK_ENV} and {SK_ENV}, or write ak and sk \
         in the [basic] section of {file}"
    )]
    NotFound {
        /// The credentials file that was looked for.
        file: String,
    },
}

/// Resolves credentials from the environment and then the credentials file. `env` reads a
/// variable (injectable for tests; [`std_env`] in production).
pub fn from_env_or_file(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedCredentials, CredentialsError> {
    if let Some(found) = from_pairs("the environment", CredentialsSource::Environment, |key| {
        env(match key {
            "ak" => AK_ENV,
            "sk" => SK_ENV,
            "project_id" => PROJECT_ID_ENV,
            _ => SECURITY_TOKEN_ENV,
        })
    })? {
        return Ok(found);
    }
    let path = credentials_file::default_path(env);
    if let Some(path) = path.as_ref().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if let Some(section) = credentials_file::basic_section(&text) {
            let name = format!("the credentials file {}", path.display());
            let source = CredentialsSource::File(path.clone());
            if let Some(found) = from_pairs(&name, source, |key| section.get(key).cloned())? {
                return Ok(found);
            }
        }
    }
    Err(CredentialsError::NotFound {
        file: path.map_or_else(
            || "~/.huaweicloud/credentials".to_string(),
            |p| p.display().to_string(),
        ),
    })
}

/// Reads a real environment variable (empty counts as unset).
pub fn std_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// One source's `ak`/`sk`/`project_id`/`security_token`: `None` if it has neither key.
fn from_pairs(
    source_name: &str,
    source: CredentialsSource,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<ResolvedCredentials>, CredentialsError> {
    let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
    let incomplete = |present, missing| CredentialsError::Incomplete {
        source_name: source_name.to_string(),
        present,
        missing,
    };
    let credentials = match (get("ak"), get("sk")) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(incomplete("the access key (ak)", "the secret key (sk)")),
        (None, Some(_)) => return Err(incomplete("the secret key (sk)", "the access key (ak)")),
        (Some(ak), Some(sk)) => Credentials::AkSk {
            access_key: ak,
            secret_key: Secret::new(sk),
            security_token: get("security_token").map(Secret::new),
        },
    };
    Ok(Some(ResolvedCredentials {
        credentials,
        project_id: get("project_id"),
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn environment_wins_and_carries_project_and_token() {
        let env = env_of(&[
            (AK_ENV, "AK"),
            (SK_ENV, "SK"),
            (PROJECT_ID_ENV, "p"),
            (SECURITY_TOKEN_ENV, "T"),
        ]);
        let found = from_env_or_file(&env).unwrap();
        assert_eq!(found.credentials, Credentials::temporary("AK", "SK", "T"));
        assert_eq!(found.project_id.as_deref(), Some("p"));
        assert_eq!(found.source, CredentialsSource::Environment);
    }

    #[test]
    fn half_set_environment_names_what_is_missing() {
        let error = from_env_or_file(&env_of(&[(AK_ENV, "AK")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment sets the access key (ak) but not the secret key (sk)"
        );
    }

    #[test]
    fn file_is_read_when_the_environment_has_nothing() {
        let dir = std::env::temp_dir().join(format!("hwc-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        std::fs::write(
            &file,
            "[basiccredentials]\nak = FAK\nsk = FSK\nproject_id = fp\n",
        )
        .unwrap();
        let file_str = file.display().to_string();
        let found = from_env_or_file(&env_of(&[(credentials_file::FILE_ENV, &file_str)])).unwrap();
        assert_eq!(found.credentials, Credentials::ak_sk("FAK", "FSK"));
        assert_eq!(found.source, CredentialsSource::File(file.clone()));

        std::fs::write(&file, "[basic]\nsk = only-sk\n").unwrap();
        let error =
            from_env_or_file(&env_of(&[(credentials_file::FILE_ENV, &file_str)])).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("sets the secret key (sk) but not the access key (ak)"),
            "{error}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn nothing_anywhere_says_where_it_looked() {
        let error = from_env_or_file(&env_of(&[("HOME", "/nonexistent-home")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no credentials found: set them in code, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, \
             or write ak and sk in the [basic] section of /nonexistent-home/.huaweicloud/credentials"
        );
    }
}
