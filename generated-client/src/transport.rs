//! What the HTTP client is built with beyond its time limits: the proxies a company routes
//! through, and the certificate authorities it trusts besides the operating system's.
//!
//! Proxies come from `Config::builder().proxy(..)`, else from `HTTPS_PROXY`, `HTTP_PROXY`
//! and `ALL_PROXY` (upper or lower case) with `NO_PROXY`, read through the configuration's
//! environment. Loopback hosts are never proxied (the simulator, a local gateway). An https
//! endpoint is reached through a `CONNECT` tunnel: the proxy sees the host and port, never a
//! header or a body. Redirects, deadlines and the answer-size limit are the client's own,
//! whatever the settings.

use std::fmt;

use reqwest::Url;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::config::{redacted, ConfigError};
use crate::credentials::Env;

/// Hosts no proxy is used for, whatever `NO_PROXY` says.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// The proxies and extra trusted certificates of a configuration.
#[derive(Clone, Default)]
pub(crate) struct Transport {
    /// The proxy of https endpoints.
    https: Option<Url>,
    /// The proxy of http endpoints.
    http: Option<Url>,
    /// Hosts reached directly (`NO_PROXY`, and loopback).
    no_proxy: String,
    /// Certificate authorities trusted besides the operating system's.
    roots: Vec<CertificateDer<'static>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |url: &Option<Url>| url.as_ref().map(|u| redacted(u.as_str()));
        f.debug_struct("Transport")
            .field("https_proxy", &shown(&self.https))
            .field("http_proxy", &shown(&self.http))
            .field("no_proxy", &self.no_proxy)
            .field("extra_roots", &self.roots.len())
            .finish()
    }
}

impl Transport {
    /// The settings: an explicit proxy, else the environment's; `pems` are PEM bundles of
    /// certificate authorities to trust too.
    pub fn new(
        env: Env<'_>,
        explicit: Option<String>,
        pems: &[Vec<u8>],
    ) -> Result<Self, ConfigError> {
        let variable = |upper: &str| env(upper).or_else(|| env(&upper.to_ascii_lowercase()));
        let (https, http, no_proxy) = match explicit {
            Some(proxy) => (Some(proxy.clone()), Some(proxy), None),
            None => {
                let all = variable("ALL_PROXY");
                (
                    variable("HTTPS_PROXY").or_else(|| all.clone()),
                    variable("HTTP_PROXY").or(all),
                    variable("NO_PROXY"),
                )
            }
        };
        let mut roots = Vec::new();
        for pem in pems {
            let before = roots.len();
            for certificate in CertificateDer::pem_slice_iter(pem) {
                roots.push(certificate.map_err(|e| ConfigError::Tls {
                    reason: format!("a certificate bundle cannot be read: {e}"),
                })?);
            }
            if roots.len() == before {
                return Err(ConfigError::Tls {
                    reason: "a certificate bundle holds no PEM certificate".into(),
                });
            }
        }
        Ok(Self {
            https: https.map(|p| proxy_url(&p)).transpose()?,
            http: http.map(|p| proxy_url(&p)).transpose()?,
            no_proxy: match no_proxy.filter(|n| !n.trim().is_empty()) {
                Some(list) => format!("{LOOPBACK},{list}"),
                None => LOOPBACK.to_string(),
            },
            roots,
        })
    }

    /// The certificate authorities to trust besides the operating system's.
    pub fn roots(&self) -> &[CertificateDer<'static>] {
        &self.roots
    }

    /// `builder` with these proxies (and none read by reqwest itself from the process).
    pub fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, ConfigError> {
        let mut builder = builder.no_proxy();
        let rules = [
            (
                self.https.as_ref(),
                reqwest::Proxy::https as fn(Url) -> reqwest::Result<reqwest::Proxy>,
            ),
            (self.http.as_ref(), reqwest::Proxy::http),
        ];
        for (url, rule) in rules {
            if let Some(url) = url {
                let proxy = rule(url.clone())
                    .map_err(|e| ConfigError::InvalidProxy {
                        proxy: redacted(url.as_str()),
                        reason: e.to_string(),
                    })?
                    .no_proxy(reqwest::NoProxy::from_string(&self.no_proxy));
                builder = builder.proxy(proxy);
            }
        }
        Ok(builder)
    }
}

/// A proxy setting as a URL: `host:port` alone means `http://host:port`.
fn proxy_url(text: &str) -> Result<Url, ConfigError> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let invalid = |reason: &str| ConfigError::InvalidProxy {
        proxy: redacted(text),
        reason: reason.into(),
    };
    let url = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host().is_none() {
        return Err(invalid("it has no host"));
    }
    Ok(url)
}

/// Whether `url` names this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn proxies_come_from_the_configuration_or_the_environment() {
        let from_env = Transport::new(
            &env_of(&[
                ("https_proxy", "proxy.corp:3128"),
                ("NO_PROXY", "internal.corp"),
            ]),
            None,
            &[],
        )
        .unwrap();
        assert_eq!(
            from_env.https.as_ref().map(Url::as_str),
            Some("http://proxy.corp:3128/")
        );
        assert_eq!(from_env.http, None);
        assert_eq!(from_env.no_proxy, "localhost,127.0.0.0/8,::1,internal.corp");
        let explicit = Transport::new(
            &env_of(&[("HTTPS_PROXY", "http://ignored:1")]),
            Some("http://p:8080".into()),
            &[],
        )
        .unwrap();
        assert_eq!(
            explicit.https.as_ref().map(Url::as_str),
            Some("http://p:8080/")
        );
        let error =
            Transport::new(&env_of(&[]), Some("ftp://user:S3cret@p".into()), &[]).unwrap_err();
        assert!(!error.to_string().contains("S3cret"), "{error}");
        assert!(Transport::new(&env_of(&[]), None, &[b"not a certificate".to_vec()]).is_err());
    }
}
