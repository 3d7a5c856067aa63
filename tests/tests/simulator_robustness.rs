//! The simulator under input that used to hurt it: repeated desktops, encoded slashes,
//! secrets in its answers, large and half-sent requests, settings out of range, the longest
//! job allowed.

use std::time::{Duration, Instant};

use huaweicloud_workspace::{request_body, types, Client, Credentials, Error};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use workspace_simulator::{
    Simulator, StartError, DEMO_ACCESS_KEY, DEMO_PROJECT_ID, MAX_JOB_DURATION,
};
use workspace_tests::simulator_config;

const DEV_01: &str = "b41a8cc1-4813-47a0-bf3a-7800fcd5b581";

fn client(simulator: &Simulator) -> Client {
    Client::new(simulator_config(&simulator.endpoint()).build().unwrap()).unwrap()
}

#[tokio::test]
async fn a_single_user_desktop_listed_twice_is_refused() {
    let simulator = Simulator::builder().start().await.unwrap();
    let body: types::BatchAttachRequest = request_body::from_json(
        &json!({"desktops": [
        {"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"},
        {"desktop_id": DEV_01, "user_name": "bob", "user_group": "users"}]})
        .to_string(),
    )
    .unwrap();
    let error = client(&simulator)
        .batch_attach()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(http::StatusCode::BAD_REQUEST),
        "{error}"
    );
    assert!(
        error.to_string().contains("listed more than once"),
        "{error}"
    );
    assert!(
        simulator.attachments(DEV_01).unwrap().is_empty(),
        "nobody was attached"
    );
}

#[tokio::test]
async fn an_encoded_slash_in_a_path_value_verifies_like_the_official_signer() {
    let simulator = Simulator::builder().start().await.unwrap();
    let error = client(&simulator)
        .show_job()
        .job_id("a/b")
        .send()
        .await
        .unwrap_err();
    // Past the signature check: the job does not exist.
    assert_eq!(error.status(), Some(http::StatusCode::NOT_FOUND), "{error}");
    assert_eq!(error.code(), Some("WKS.0104"));
}

#[tokio::test]
async fn the_401_never_repeats_the_security_token() {
    let simulator = Simulator::builder()
        .security_token("right-token")
        .start()
        .await
        .unwrap();
    let config = simulator_config(&simulator.endpoint())
        .credentials(Credentials::temporary(
            DEMO_ACCESS_KEY,
            "wrong-secret",
            "token-must-not-echo",
        ))
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(service.status(), 401);
    let body = String::from_utf8_lossy(service.raw_body()).into_owned();
    assert!(body.contains("signature mismatch"), "{body}");
    assert!(
        body.contains("x-security-token:***"),
        "shown redacted: {body}"
    );
    assert!(!body.contains("token-must-not-echo"), "{body}");
}

#[tokio::test]
async fn a_large_request_does_not_hold_up_the_others() {
    let simulator = Simulator::builder().start().await.unwrap();
    let client = client(&simulator);
    // About 15 MB of desktops: parsed and validated outside the simulator's state lock. The
    // client refuses more than 100 desktops, so the body is sent signed but unchecked.
    let desktops: Vec<_> = (0..200_000)
        .map(|i| json!({"desktop_id": format!("desktop-{i:08}-padding-padding"), "is_detach_all_users": true}))
        .collect();
    let big = serde_json::to_vec(&json!({"desktops": desktops})).unwrap();
    let large = {
        let endpoint = simulator.endpoint();
        let path = format!("/v2/{DEMO_PROJECT_ID}/desktops/batch-detach");
        tokio::spawn(async move {
            workspace_tests::send_signed(&endpoint, reqwest::Method::POST, &path, Some(big)).await
        })
    };
    // Once the simulator has the whole body, it parses and validates it: that is when a
    // small request must still get through.
    while simulator.requests("batchDetach") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let _ = client.show_job().job_id("any").send().await;
    let small = started.elapsed();
    let refused = large.await.unwrap();
    assert_eq!(
        refused.status(),
        400,
        "more than 100 desktops is refused, as the service does"
    );
    assert!(
        small < Duration::from_millis(300),
        "a small request waited {small:?}"
    );
}

#[tokio::test]
async fn a_half_sent_request_is_cut_off() {
    let simulator = Simulator::builder()
        .request_timeout(Duration::from_millis(500))
        .start()
        .await
        .unwrap();
    for partial in [
        "GET /v2/p/workspace-jobs/j HTTP/1.1\r\nhost: x\r\n".to_string(),
        "POST /v2/p/desktops/batch-detach HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"desk".to_string(),
    ] {
        let mut stream = tokio::net::TcpStream::connect(simulator.addr()).await.unwrap();
        stream.write_all(partial.as_bytes()).await.unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "the connection was held: {partial:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn settings_out_of_range_are_refused_at_start() {
    let error = Simulator::builder()
        .job_duration(MAX_JOB_DURATION + Duration::from_secs(1))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, StartError::Config(_)), "{error}");
}

#[tokio::test]
async fn the_longest_job_allowed_still_answers_its_queries() {
    // A duration whose end overflowed the clock used to panic under the state lock and
    // poison every later request: now the limit is checked at start, and at the limit the
    // job's times still compute.
    let simulator = Simulator::builder()
        .job_duration(MAX_JOB_DURATION)
        .start()
        .await
        .unwrap();
    let client = client(&simulator);
    let body: types::BatchAttachRequest = request_body::from_json(
        &json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"}]})
            .to_string(),
    )
    .unwrap();
    let started = client.batch_attach().body(body).send().await.unwrap();
    let job_id = started.job_id.clone().expect("a job");
    for _ in 0..2 {
        let job = client.show_job().job_id(&job_id).send().await.unwrap();
        let status = job.status.as_ref().map(|status| status.as_str());
        assert!(matches!(status, Some("WAITING" | "RUNNING")), "{job:?}");
    }
}

#[tokio::test]
async fn a_security_token_the_simulator_never_issued_is_refused() {
    let plain = Simulator::builder().start().await.unwrap();
    let garbage = simulator_config(&plain.endpoint())
        .credentials(Credentials::temporary(
            DEMO_ACCESS_KEY,
            workspace_simulator::DEMO_SECRET_KEY,
            "garbage",
        ))
        .build()
        .unwrap();
    let error = Client::new(garbage)
        .unwrap()
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(http::StatusCode::UNAUTHORIZED),
        "{error}"
    );
    assert!(
        error.to_string().contains("security token is not valid"),
        "{error}"
    );

    let with_token = Simulator::builder()
        .security_token("issued-token")
        .start()
        .await
        .unwrap();
    let issued = simulator_config(&with_token.endpoint())
        .credentials(Credentials::temporary(
            DEMO_ACCESS_KEY,
            workspace_simulator::DEMO_SECRET_KEY,
            "issued-token",
        ))
        .build()
        .unwrap();
    Client::new(issued)
        .unwrap()
        .list_users()
        .send()
        .await
        .unwrap();
}

/// Three queries of a job of 90,000 sub-jobs at once: the answers are written out of the
/// world's lock (and off the threads that serve connections), so a small request is not held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_of_a_huge_job_do_not_hold_up_the_others() {
    const DESKTOPS: usize = 90_000;
    // A document without the service's limit of 1,000 desktops per privilege change, so that
    // one job can have 90,000 sub-jobs.
    let document = std::fs::read_to_string(workspace_tests::spec_path())
        .unwrap()
        .replacen("          maxItems: 1000\n", "", 1);
    let inventory = workspace_simulator::Inventory {
        desktops: (0..DESKTOPS)
            .map(|i| workspace_simulator::inventory::DesktopSpec {
                id: format!("d-{i:06}"),
                name: format!("ws-{i:06}"),
                multi_user: false,
                pool: false,
                running: true,
            })
            .collect(),
        users: Vec::new(),
        groups: Vec::new(),
    };
    let simulator = Simulator::builder()
        .document(document)
        .inventory(inventory)
        .job_duration(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let desktops: Vec<serde_json::Value> = (0..DESKTOPS)
        .map(|i| json!({"desktop_id": format!("d-{i:06}")}))
        .collect();
    let body = serde_json::to_vec(&json!({"desktops": desktops, "user_privilege_group": "users"}))
        .unwrap();
    let endpoint = simulator.endpoint();
    let path = format!("/v2/{DEMO_PROJECT_ID}/desktops/change-user-privilege-group");
    let started =
        workspace_tests::send_signed(&endpoint, reqwest::Method::POST, &path, Some(body)).await;
    assert_eq!(started.status(), 200);
    let job_id = started.json::<serde_json::Value>().await.unwrap()["job_id"]
        .as_str()
        .unwrap()
        .to_string();

    let job_path = format!("/v2/{DEMO_PROJECT_ID}/workspace-jobs/{job_id}");
    let queries: Vec<_> = (0..3)
        .map(|_| {
            let (endpoint, job_path) = (endpoint.clone(), job_path.clone());
            tokio::spawn(async move {
                let answer =
                    workspace_tests::send_signed(&endpoint, reqwest::Method::GET, &job_path, None)
                        .await;
                answer.bytes().await.unwrap().len()
            })
        })
        .collect();
    // Once the three are being answered, a small request must get through.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = client(&simulator);
    let small = Instant::now();
    client.list_user_groups().send().await.unwrap();
    let small = small.elapsed();
    for query in queries {
        assert!(query.await.unwrap() > 10_000_000, "the job is large");
    }
    assert!(
        small < Duration::from_millis(500),
        "a small request waited {small:?}"
    );
}
