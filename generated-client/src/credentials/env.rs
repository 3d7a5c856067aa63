//! Credentials from the environment, under the names the official SDKs read.

use crate::credentials::{
    from_pair, CredentialsError, CredentialsSource, Env, Found, Resolved, Source, SourceSettings,
};

/// Environment variable of the access key id.
pub(crate) const AK_ENV: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable of the secret access key.
pub(crate) const SK_ENV: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable of the project id.
pub(crate) const PROJECT_ID_ENV: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable of the security token of temporary credentials.
pub(crate) const SECURITY_TOKEN_ENV: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Environment variable of the default region.
pub(crate) const REGION_ENV: &str = "HUAWEICLOUD_SDK_REGION";

/// `HUAWEICLOUD_SDK_AK`, `_SK` and `_SECURITY_TOKEN` (`_PROJECT_ID` is read by the
/// configuration, whatever the credentials' source).
pub(crate) struct Environment;

impl Source for Environment {
    fn how_to_use(&self, _: Env<'_>, _: &SourceSettings) -> String {
        format!("set {AK_ENV} and {SK_ENV}")
    }

    fn find(&self, env: Env<'_>, _: &SourceSettings) -> Result<Option<Found>, CredentialsError> {
        let credentials = from_pair(
            "the environment",
            env(AK_ENV),
            env(SK_ENV),
            env(SECURITY_TOKEN_ENV),
        )?;
        Ok(credentials.map(|credentials| {
            Found::Now(Resolved {
                credentials,
                project_id: None,
                source: CredentialsSource::Environment,
            })
        }))
    }
}
