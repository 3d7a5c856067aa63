//! `overhead --endpoint URL --variant ours|raw`: one call at a time (or many) through a client,
//! printing one JSON line of statistics per operation and concurrency.
//!
//! - `ours`: `Client` (builders with validation, serialize, sign in the hook, send,
//!   decode into the generated types).
//! - `raw`: reqwest with hand-written serde structs and the same signing function.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::Parser;
use huaweicloud_workspace::signing::{sign_request, SigningParams};
use huaweicloud_workspace::{types, Client, Config, Credentials, Secret};
use serde::{Deserialize, Serialize};
use workspace_bench::{call, point, Call};

const AK: &str = "BENCHACCESSKEY000001";
const SK: &str = "bench-secret-key";
const PROJECT: &str = "0bec5db98280d2d02fd6c00c2de791ce";
const JOB: &str = "3979904c-7beb-4f34-835f-2fa989a5550a";

#[derive(Parser)]
struct Args {
    /// The loopback server.
    #[arg(long)]
    endpoint: String,
    /// `ours`, `raw`, or `raw-timeouts` (raw with our default connect and read timeouts).
    #[arg(long)]
    variant: String,
    /// Concurrency levels.
    #[arg(long, value_delimiter = ',', default_value = "1,64")]
    concurrency: Vec<usize>,
    /// Measured seconds per point.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Make exactly this many calls per point instead of measuring time (for counting
    /// instructions per request).
    #[arg(long)]
    requests: Option<usize>,
    /// Only this operation: `show-job` or `batch-attach`.
    #[arg(long)]
    operation: Option<String>,
}

#[derive(Serialize)]
struct RawAttachRequest<'a> {
    desktops: Vec<RawDesktop<'a>>,
}

#[derive(Serialize)]
struct RawDesktop<'a> {
    desktop_id: &'a str,
    user_name: &'a str,
    user_group: &'a str,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawAttachResponse {
    job_id: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawJob {
    id: Option<String>,
    status: Option<String>,
    #[serde(default)]
    sub_jobs: Vec<serde_json::Value>,
}

struct Raw {
    http: reqwest::Client,
    endpoint: String,
    secret: Secret,
}

impl Raw {
    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> bool {
        let url = format!("{}/v2/{PROJECT}/{path}", self.endpoint);
        let mut request = reqwest::Request::new(method, url.parse().unwrap());
        request
            .headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        request
            .headers_mut()
            .insert("accept", "application/json".parse().unwrap());
        *request.body_mut() = body.map(Into::into);
        let key = SigningParams::new(AK, &self.secret).project_id(PROJECT);
        sign_request(&mut request, &key, SystemTime::now()).unwrap();
        match self.http.execute(request).await {
            Ok(response) if response.status().is_success() => match response.bytes().await {
                Ok(bytes) => serde_json::from_slice::<T>(&bytes).is_ok(),
                Err(_) => false,
            },
            _ => false,
        }
    }
}

fn attach_body() -> types::builder::BatchAttachRequest {
    let desktop = types::AttachInstancesDesktopInfo::builder()
        .desktop_id("b41a8cc1-4813-47a0-bf3a-7800fcd5b581".to_string())
        .user_name("alice".parse::<types::DesktopUserName>().unwrap())
        .user_group(types::UserGroup::Users)
        .try_into()
        .unwrap();
    types::BatchAttachRequest::builder().desktops(vec![desktop])
}

/// The two operations through the variant's client.
fn calls(variant: &str, endpoint: &str) -> [(&'static str, Call); 2] {
    match variant {
        "ours" => {
            let config = Config::builder()
                .env(|_| None)
                .credentials(Credentials::ak_sk(AK, SK))
                .project_id(PROJECT)
                .endpoint(endpoint)
                .build()
                .unwrap();
            let client = Arc::new(Client::new(config).unwrap());
            let c = client.clone();
            [
                (
                    "show-job",
                    call(move || {
                        let c = c.clone();
                        async move { c.show_job().job_id(JOB).send().await.is_ok() }
                    }),
                ),
                (
                    "batch-attach",
                    call(move || {
                        let c = client.clone();
                        async move { c.batch_attach().body(attach_body()).send().await.is_ok() }
                    }),
                ),
            ]
        }
        "raw" | "raw-timeouts" => {
            let builder = reqwest::Client::builder().pool_max_idle_per_host(256);
            let http = if variant == "raw" {
                builder
            } else {
                builder
                    .connect_timeout(huaweicloud_workspace::DEFAULT_CONNECT_TIMEOUT)
                    .read_timeout(huaweicloud_workspace::DEFAULT_READ_TIMEOUT)
            };
            let raw = Arc::new(Raw {
                http: http.build().unwrap(),
                endpoint: endpoint.to_string(),
                secret: Secret::new(SK),
            });
            let r = raw.clone();
            [
                (
                    "show-job",
                    call(move || {
                        let r = r.clone();
                        async move {
                            r.send::<RawJob>(
                                reqwest::Method::GET,
                                &format!("workspace-jobs/{JOB}"),
                                None,
                            )
                            .await
                        }
                    }),
                ),
                (
                    "batch-attach",
                    call(move || {
                        let r = raw.clone();
                        async move {
                            let body = RawAttachRequest {
                                desktops: vec![RawDesktop {
                                    desktop_id: "b41a8cc1-4813-47a0-bf3a-7800fcd5b581",
                                    user_name: "alice",
                                    user_group: "users",
                                }],
                            };
                            let bytes = serde_json::to_vec(&body).unwrap();
                            r.send::<RawAttachResponse>(
                                reqwest::Method::POST,
                                "desktops/batch-attach",
                                Some(bytes),
                            )
                            .await
                        }
                    }),
                ),
            ]
        }
        other => panic!("unknown variant {other}: ours, raw or raw-timeouts"),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args = Args::parse();
    // The raw client is plain reqwest, which needs a process-wide rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let warmup = Duration::from_millis(500);
    let duration = Duration::from_secs_f64(args.seconds);
    let operations = calls(&args.variant, &args.endpoint);
    for &concurrency in &args.concurrency {
        for (operation, call) in &operations {
            if args
                .operation
                .as_deref()
                .is_some_and(|only| only != *operation)
            {
                continue;
            }
            let line = point(
                &args.variant,
                operation,
                concurrency,
                args.requests,
                (warmup, duration),
                call,
            )
            .await;
            println!("{line}");
        }
    }
}
