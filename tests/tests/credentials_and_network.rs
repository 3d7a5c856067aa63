//! Credentials that refresh and the network a company has: keys from the instance metadata
//! service renewed once per expiry however many callers; the official chain's order; proxies
//! that never see a secret; refusals that name their cause.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use huaweicloud_workspace::{
    AuthFailure, Client, Config, Credentials, CredentialsSource, Error, FixedClock,
};
use workspace_simulator::{Simulator, DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY};

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'static {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

/// 64 callers for 70 s, keys that expire every 20 s: every call succeeds (so none was signed
/// with an expired key, which the simulator refuses), and the metadata service is asked once
/// per expiry period, not once per caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_share_keys_renewed_once_per_expiry() {
    let simulator = Simulator::builder()
        .metadata(Duration::from_secs(20))
        .start()
        .await
        .unwrap();
    let endpoint = simulator.endpoint();
    let config = Config::builder()
        .env(env_of(&[("HOME", "/nonexistent-home")]))
        .metadata_endpoint(endpoint.clone())
        .project_id(DEMO_PROJECT_ID)
        .endpoint(endpoint)
        .build()
        .unwrap();
    assert!(matches!(
        config.credentials_source(),
        CredentialsSource::InstanceMetadata(_)
    ));
    let client = Client::new(config).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(70);
    let callers: Vec<_> = (0..64)
        .map(|_| {
            let (client, calls) = (client.clone(), calls.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    client.list_user_groups().send().await.unwrap();
                    calls.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    let renewals = simulator.metadata_key_requests();
    let calls = calls.load(Ordering::Relaxed);
    println!(
        "{calls} calls by 64 callers in 70 s, {renewals} key requests to the metadata service"
    );
    assert!(calls > 64 * 100, "{calls} calls");
    // Keys received at 0 s are renewed at 18 s (a tenth of their life before they expire),
    // then at 36 and 54 s: four in 70 s, a fifth if a renewal came late.
    assert!(
        (4..=5).contains(&renewals),
        "{renewals} renewals for {calls} calls"
    );
}

#[tokio::test]
async fn the_chain_takes_the_environment_before_the_metadata_service() {
    let simulator = Simulator::builder()
        .metadata(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let config = Config::builder()
        .env(env_of(&[
            ("HUAWEICLOUD_SDK_AK", DEMO_ACCESS_KEY),
            ("HUAWEICLOUD_SDK_SK", DEMO_SECRET_KEY),
            ("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID),
            ("HUAWEICLOUD_SDK_METADATA_ENDPOINT", &simulator.endpoint()),
        ]))
        .endpoint(simulator.endpoint())
        .build()
        .unwrap();
    assert_eq!(config.credentials_source(), &CredentialsSource::Environment);
    Client::new(config)
        .unwrap()
        .list_users()
        .send()
        .await
        .unwrap();
    assert_eq!(simulator.metadata_key_requests(), 0);
}

/// A proxy on loopback that answers every request 502 and keeps what each connection sent.
struct Proxy {
    addr: String,
    received: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                stream
                    .set_read_timeout(Some(Duration::from_millis(500)))
                    .unwrap();
                let mut buffer = vec![0u8; 64 << 10];
                let read = stream.read(&mut buffer).unwrap_or(0);
                kept.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buffer[..read]).into_owned());
                let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
            }
        });
        Self { addr, received }
    }

    fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

fn proxied_client(
    endpoint: &str,
    credentials: Credentials,
    env: &[(&str, &str)],
) -> Result<Client, Error> {
    let config = Config::builder()
        .env(env_of(env))
        .credentials(credentials)
        .project_id(DEMO_PROJECT_ID)
        .endpoint(endpoint)
        .call_timeout(Duration::from_secs(5))
        .build()?;
    Client::new(config)
}

#[tokio::test]
async fn a_proxy_sees_a_tunnel_or_a_signed_request_and_never_a_secret() {
    let proxy = Proxy::start();
    let proxy_url = format!("http://{}", proxy.addr);
    let secrets = ["the-secret-key", "the-security-token"];

    // An https endpoint: the proxy is asked for a tunnel and sees nothing else.
    let client = proxied_client(
        "https://workspace.cn-north-4.myhuaweicloud.com",
        Credentials::temporary("AKPROXY", secrets[0], secrets[1]),
        &[("HTTPS_PROXY", &proxy_url)],
    )
    .unwrap();
    let error = client.list_users().send().await.unwrap_err();
    assert!(!matches!(error, Error::InvalidRequest { .. }), "{error}");
    let seen = proxy.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("CONNECT workspace.cn-north-4.myhuaweicloud.com:443 HTTP/1.1\r\n"),
        "{seen:?}"
    );
    assert!(
        !seen[0].to_ascii_lowercase().contains("authorization"),
        "{seen:?}"
    );

    // A plain http endpoint on another machine: the proxy sees the signed request (the
    // signature, never the secret key); a token could travel in clear there, so credentials
    // with one are refused before anything is sent.
    let client = proxied_client(
        "http://workspace.internal.test",
        Credentials::ak_sk("AKPROXY", secrets[0]),
        &[("HTTP_PROXY", &proxy_url)],
    )
    .unwrap();
    let _ = client.list_users().send().await.unwrap_err();
    let seen = proxy.received();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[1].starts_with(&format!(
            "GET http://workspace.internal.test/v2/{DEMO_PROJECT_ID}/users HTTP/1.1"
        )),
        "{seen:?}"
    );
    assert!(seen[1].contains("Access=AKPROXY"), "{seen:?}");
    let error = proxied_client(
        "http://workspace.internal.test",
        Credentials::temporary("AKPROXY", secrets[0], secrets[1]),
        &[("HTTP_PROXY", &proxy_url)],
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("would travel in clear"),
        "{error}"
    );

    // NO_PROXY and loopback endpoints go direct.
    let client = proxied_client(
        "https://workspace.internal.test",
        Credentials::ak_sk("AKPROXY", secrets[0]),
        &[("HTTPS_PROXY", &proxy_url), ("NO_PROXY", "internal.test")],
    )
    .unwrap();
    let _ = client.list_users().send().await.unwrap_err();
    let simulator = Simulator::builder().start().await.unwrap();
    let client = proxied_client(
        &simulator.endpoint(),
        Credentials::ak_sk(DEMO_ACCESS_KEY, DEMO_SECRET_KEY),
        &[("HTTP_PROXY", &proxy_url), ("HTTPS_PROXY", &proxy_url)],
    )
    .unwrap();
    client.list_users().send().await.unwrap();
    assert_eq!(proxy.received().len(), 2, "nothing more reached the proxy");

    for request in proxy.received() {
        for secret in secrets {
            assert!(!request.contains(secret), "{request}");
        }
    }
}

#[tokio::test]
async fn a_skewed_clock_and_an_unknown_key_are_named() {
    let simulator = Simulator::builder().start().await.unwrap();
    let behind = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 30 * 60;
    let config = Config::builder()
        .env(env_of(&[]))
        .credentials(Credentials::ak_sk(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
        .project_id(DEMO_PROJECT_ID)
        .endpoint(simulator.endpoint())
        .clock(FixedClock::at_unix(behind))
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .list_users()
        .send()
        .await
        .unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(service.status(), 401);
    assert!(
        matches!(
            service.auth_failure(),
            Some(AuthFailure::ClockSkew {
                service: Some(_),
                ..
            })
        ),
        "{:?}",
        service.auth_failure()
    );
    let message = error.to_string();
    assert!(message.contains("the local clock reads"), "{message}");
    assert!(message.contains("(its Date)"), "{message}");
    assert!(message.contains("s behind the service's"), "{message}");

    let config = Config::builder()
        .env(env_of(&[]))
        .credentials(Credentials::ak_sk("WRONGKEY0000000000", "a-wrong-secret"))
        .project_id(DEMO_PROJECT_ID)
        .endpoint(simulator.endpoint())
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .list_users()
        .send()
        .await
        .unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        service.auth_failure(),
        Some(&AuthFailure::UnknownAccessKey {
            start: "WRON".into()
        })
    );
    let message = error.to_string();
    assert!(
        message.contains("does not know the access key WRON…"),
        "{message}"
    );
    assert!(!message.contains("a-wrong-secret"), "{message}");
}

#[test]
fn certificate_bundles_are_read_and_checked() {
    let base = || {
        Config::builder()
            .env(env_of(&[]))
            .credentials(Credentials::ak_sk("A", "S"))
            .project_id("p")
            .endpoint("https://workspace.cn-north-4.myhuaweicloud.com")
    };
    let system = "/etc/ssl/certs/ca-certificates.crt";
    if std::path::Path::new(system).exists() {
        let config = base()
            .add_root_certificates_file(system)
            .unwrap()
            .build()
            .unwrap();
        Client::new(config).unwrap();
    }
    let error = base().add_root_certificates_file("/dev/zero").unwrap_err();
    assert!(error.to_string().contains("not a regular file"), "{error}");
    let error = base()
        .add_root_certificates_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("holds no PEM certificate"),
        "{error}"
    );
}
