//! `openapi-generator-driver --endpoint URL [--seconds S] [--concurrency 1,64] [--requests N]
//! [--operation show-job|batch-attach]`: openapi-generator's client under the same load as
//! `overhead`, signing every request with the same signer through a reqwest middleware.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use huaweicloud_workspace::signing::{sign_request, SigningParams};
use huaweicloud_workspace::Secret;
use oag_workspace::apis::{configuration::Configuration, desktops_api, jobs_api};
use oag_workspace::models;
use workspace_bench::{call, point, Call};

const AK: &str = "BENCHACCESSKEY000001";
const PROJECT: &str = "0bec5db98280d2d02fd6c00c2de791ce";
const JOB: &str = "3979904c-7beb-4f34-835f-2fa989a5550a";

struct Sign(Secret);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Sign {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let key = SigningParams::new(AK, &self.0).project_id(PROJECT);
        sign_request(&mut request, &key, SystemTime::now()).expect("signable");
        next.run(request, extensions).await
    }
}

fn attach_body() -> models::BatchAttachRequest {
    let mut desktop = models::AttachInstancesDesktopInfo::new();
    desktop.desktop_id = Some("b41a8cc1-4813-47a0-bf3a-7800fcd5b581".into());
    desktop.user_name = Some("alice".into());
    desktop.user_group = Some(models::UserGroup::Users);
    let mut body = models::BatchAttachRequest::new();
    body.desktops = Some(vec![desktop]);
    body
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    let endpoint = flag("--endpoint").expect("--endpoint URL");
    let seconds: f64 = flag("--seconds").map_or(3.0, |s| s.parse().unwrap());
    let requests: Option<usize> = flag("--requests").map(|s| s.parse().unwrap());
    let only = flag("--operation");
    let levels: Vec<usize> = flag("--concurrency").map_or(vec![1, 64], |s| s.split(',').map(|c| c.parse().unwrap()).collect());

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();
    let client = reqwest_middleware::ClientBuilder::new(http).with(Sign(Secret::new("bench-secret-key"))).build();
    let mut configuration = Configuration::new();
    configuration.base_path = endpoint;
    configuration.client = client;
    let configuration = Arc::new(configuration);
    let (warmup, duration) = (Duration::from_millis(500), Duration::from_secs_f64(seconds));
    let c = configuration.clone();
    let show_job: Call = call(move || {
        let c = c.clone();
        async move { jobs_api::show_job(&c, PROJECT, JOB).await.is_ok() }
    });
    let c = configuration.clone();
    let batch_attach: Call = call(move || {
        let c = c.clone();
        async move { desktops_api::batch_attach(&c, PROJECT, attach_body()).await.is_ok() }
    });
    for concurrency in levels {
        for (operation, call) in [("show-job", &show_job), ("batch-attach", &batch_attach)] {
            if only.as_deref().is_some_and(|only| only != operation) {
                continue;
            }
            let line = point("openapi-generator", operation, concurrency, requests, (warmup, duration), call).await;
            println!("{line}");
        }
    }
}
