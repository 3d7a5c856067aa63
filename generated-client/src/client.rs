//! [`Client`]: the one way in. Its operation methods (`batch_attach`, `show_job`…) are
//! generated from the document, one per operation, in `crate::operations`.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls_platform_verifier::BuilderVerifierExt;

use crate::config::{Config, ConfigError};
use crate::error::Error;
use crate::generated::Client as Transport;

/// A Workspace client: the configuration bound once (credentials, project, endpoint, time
/// limits, retries). Cheap to clone (one reference count); share one per process. Each
/// operation's builder holds a clone, so its `send()` can be spawned.
///
/// ```no_run
/// use huaweicloud_workspace::{Client, Config, Region};
///
/// # async fn run() -> Result<(), huaweicloud_workspace::Error> {
/// // Credentials and project id from HUAWEICLOUD_SDK_* or ~/.huaweicloud/credentials.
/// let client = Client::new(Config::builder().region(Region::CN_NORTH_4).build()?)?;
/// let job = client
///     .show_job()
///     .job_id("3979904c-7beb-4f34-835f-2fa989a5550a")
///     .send()
///     .await?;
/// println!("{:?} (request id {:?})", job.status, job.request_id());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Arc<Transport>,
}

impl Client {
    /// A client for `config`, over rustls (with the ring crypto provider and the platform's
    /// certificate verifier, plus the configuration's extra certificate authorities), through
    /// the configuration's proxies. Redirects are never followed: the service does not
    /// redirect, and following one could carry the credentials to another host.
    pub fn new(config: Config) -> Result<Self, Error> {
        let builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls(config.transport().roots())?)
            .connect_timeout(config.connect_timeout())
            .read_timeout(config.read_timeout())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "huaweicloud-workspace-rust/",
                env!("CARGO_PKG_VERSION")
            ));
        let http =
            config
                .transport()
                .apply(builder)?
                .build()
                .map_err(|e| ConfigError::Transport {
                    reason: e.to_string(),
                })?;
        let base_url = config.base_url().to_string();
        Ok(Self {
            transport: Arc::new(Transport::new_with_client(&base_url, http, config)),
        })
    }

    /// The configuration every call of this client uses.
    pub fn config(&self) -> &Config {
        progenitor_client::ClientInfo::inner(&*self.transport)
    }

    /// progenitor's client, which the generated operations send through.
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// How long an unused connection is kept for the next call. Shorter than the time servers
/// keep one (the simulator 30 s, gateways more): a connection the server is closing is never
/// picked for a call, which would then fail with a reset.
const POOL_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// TLS 1.2 and 1.3 with ring, which builds in seconds where aws-lc takes most of a minute,
/// and the operating system's trust store (with `extra_roots` too). Passed to the HTTP client
/// directly: a library must not install a process-wide default provider.
pub(crate) fn tls(extra_roots: &[CertificateDer<'static>]) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |e: rustls::Error| ConfigError::Tls {
        reason: e.to_string(),
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?;
    let builder = if extra_roots.is_empty() {
        builder.with_platform_verifier().map_err(tls_error)?
    } else {
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra_roots.iter().cloned(),
            provider,
        )
        .map_err(tls_error)?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    let mut config = builder.with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
