//! Credentials of a CCE pod's identity: `POST $HC_CONTAINER_CREDENTIALS_FULL_URI` with the
//! token of `$HC_CONTAINER_AUTHORIZATION_TOKEN_FILE` in `Authorization`, as the official SDKs
//! do. The token file is read again at every renewal (the platform rotates it). The token
//! goes only over https, or over http to this machine or a link-local address.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, Url};

use crate::credentials::fetch::Fetcher;
use crate::credentials::{
    CredentialsError, CredentialsSource, Env, Found, ProvideCredentials, ProvideFuture, Source,
    SourceSettings,
};

/// The endpoint that gives the pod's credentials.
pub(crate) const POD_URI_ENV: &str = "HC_CONTAINER_CREDENTIALS_FULL_URI";
/// The file holding the token that authorizes the pod to that endpoint.
pub(crate) const POD_TOKEN_FILE_ENV: &str = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The largest token file read.
const MAX_TOKEN_FILE: usize = 16 << 10;
/// The time limit of each request (the official SDKs' 5 seconds).
const TIMEOUT: Duration = Duration::from_secs(5);

/// Pod identity, from its two environment variables.
pub(crate) struct PodIdentity;

impl Source for PodIdentity {
    fn how_to_use(&self, _: Env<'_>, _: &SourceSettings) -> String {
        format!("set {POD_URI_ENV} and {POD_TOKEN_FILE_ENV} (pod identity)")
    }

    fn find(&self, env: Env<'_>, _: &SourceSettings) -> Result<Option<Found>, CredentialsError> {
        let incomplete = |present, missing| CredentialsError::Incomplete {
            source_name: "pod identity".into(),
            present,
            missing,
        };
        let (uri, file) = match (env(POD_URI_ENV), env(POD_TOKEN_FILE_ENV)) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err(incomplete(POD_URI_ENV, POD_TOKEN_FILE_ENV)),
            (None, Some(_)) => return Err(incomplete(POD_TOKEN_FILE_ENV, POD_URI_ENV)),
            (Some(uri), Some(file)) => (uri, PathBuf::from(file)),
        };
        let name = format!("pod identity at {}", crate::config::redacted(&uri));
        let invalid = |reason: &str| CredentialsError::Fetch {
            source_name: name.clone(),
            reason: format!("{POD_URI_ENV} {reason}"),
        };
        let url = Url::parse(&uri).map_err(|_| invalid("is not a URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_local(&url) => {}
            "http" => {
                return Err(invalid(
                    "is plain http to another host: the token would travel in clear (use https)",
                ))
            }
            _ => return Err(invalid("must be an http(s) URL")),
        }
        let provider = Pod {
            url,
            token_file: file,
            fetcher: Fetcher::new(name, TIMEOUT)?,
        };
        Ok(Some(Found::Later(
            Arc::new(provider),
            CredentialsSource::PodIdentity,
        )))
    }
}

/// A loopback or link-local host: this machine, or the platform's agent on its host.
fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => {
            IpAddr::V6(ip).is_loopback() || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

struct Pod {
    url: Url,
    token_file: PathBuf,
    fetcher: Fetcher,
}

impl fmt::Debug for Pod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PodIdentity")
            .field("token_file", &self.token_file)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for Pod {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let token = crate::local_input::read_text(
                &self.token_file,
                MAX_TOKEN_FILE,
                "pod identity token file",
            )?;
            let token = token.trim();
            let answer = self
                .fetcher
                .send(
                    Method::POST,
                    self.url.clone(),
                    &[("Authorization", token)],
                    Some("{}"),
                )
                .await?;
            self.fetcher.credentials(&answer)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_travels_in_clear_only_on_this_machine() {
        for (uri, local) in [
            ("http://127.0.0.1:8080/c", true),
            ("http://169.254.170.2/c", true),
            ("http://localhost/c", true),
            ("http://[::1]:1/c", true),
            ("http://10.0.0.8/c", false),
            ("http://example.com/c", false),
        ] {
            assert_eq!(is_local(&Url::parse(uri).unwrap()), local, "{uri}");
        }
    }
}
