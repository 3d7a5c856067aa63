//! The `huaweicloud-workspace` binary against the simulator: the lifecycle, authentication,
//! client-side validation, faults, and an exit code per kind of failure.
//!
//! The binary is the one `cargo test --workspace` builds next to this test.

use std::time::Duration;

use serde_json::{json, Value};
use workspace_simulator::{Fault, Simulator, DEMO_PROJECT_ID, DEMO_SECRET_KEY};
use workspace_tests::cli::{self, Run};

const DEV_01: &str = "b41a8cc1-4813-47a0-bf3a-7800fcd5b581";
const SHARED: &str = "dfdddcf4-f943-43b4-987b-e5785022d6c5";

/// Runs the CLI against `simulator` with its credentials (and `secret_key`) in the environment.
async fn run(simulator: &Simulator, secret_key: &str, args: &[&str]) -> Run {
    let mut command = cli::command("hwc-cli-tests", secret_key);
    command
        .args(args)
        .args(["--endpoint", &simulator.endpoint()]);
    cli::run(command, None).await
}

fn body_file(name: &str, body: Value) -> String {
    let dir = std::env::temp_dir().join(format!("hwc-cli-bodies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body.to_string()).unwrap();
    path.display().to_string()
}

async fn simulator() -> Simulator {
    Simulator::builder()
        .job_duration(Duration::from_millis(100))
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lifecycle_through_the_cli() {
    let simulator = simulator().await;
    let attach = body_file(
        "attach.json",
        json!({"desktops": [
        {"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"},
        {"desktop_id": SHARED, "attach_user_infos": [{"user_name": "bob", "user_group": "users", "type": "USER"}]}]}),
    );
    let run_attach = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["batch-attach", "--json-body", &attach, "--wait"],
    )
    .await;
    assert_eq!(run_attach.code, Some(0), "{}", run_attach.stderr);
    let printed = run_attach.json();
    let job_id = printed["response"]["job_id"].as_str().unwrap().to_string();
    assert_eq!(printed["job"]["status"], "SUCCESS");
    assert_eq!(printed["job"]["sub_jobs"].as_array().unwrap().len(), 2);
    assert_eq!(simulator.attachments(DEV_01).unwrap()[0].name, "alice");

    let shown = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["show-job", "--job-id", &job_id],
    )
    .await;
    assert_eq!(shown.code, Some(0), "{}", shown.stderr);
    assert_eq!(shown.json()["id"], job_id.as_str());

    // A body field as a flag (progenitor generates one for each top-level scalar).
    let promote = body_file(
        "promote.json",
        json!({"desktops": [{"desktop_id": SHARED}]}),
    );
    let changed = run(
        &simulator,
        DEMO_SECRET_KEY,
        &[
            "change-user-privilege-group",
            "--json-body",
            &promote,
            "--user-privilege-group",
            "administrators",
            "--wait",
        ],
    )
    .await;
    assert_eq!(changed.code, Some(0), "{}", changed.stderr);
    assert_eq!(
        simulator.attachments(SHARED).unwrap()[0].privilege_group,
        "administrators"
    );

    let detach = body_file(
        "detach.json",
        json!({"desktops": [{"desktop_id": DEV_01, "is_detach_all_users": true}]}),
    );
    let detached = run(
        &simulator,
        DEMO_SECRET_KEY,
        &[
            "batch-detach",
            "--json-body",
            &detach,
            "--wait",
            "--project-id",
            DEMO_PROJECT_ID,
        ],
    )
    .await;
    assert_eq!(detached.code, Some(0), "{}", detached.stderr);
    assert_eq!(
        detached.json()["job"],
        Value::Null,
        "ordinary desktops detach without a job"
    );
    assert!(simulator.attachments(DEV_01).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_key_exits_4_with_code_message_and_request_id() {
    let simulator = simulator().await;
    let failed = run(&simulator, "wrong-secret", &["show-job", "--job-id", "j"]).await;
    assert_eq!(failed.code, Some(4));
    assert!(failed.stdout.is_empty());
    assert!(
        failed
            .stderr
            .contains("service error 401 APIGW.0301: Incorrect IAM authentication information"),
        "{}",
        failed.stderr
    );
    let details: Value = serde_json::from_str(failed.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(details["error_code"], "APIGW.0301");
    assert!(details["request_id"].as_str().unwrap().starts_with("sim"));
    assert!(
        !failed.stderr.contains("wrong-secret"),
        "the secret is never printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_exits_3_naming_the_field_and_sends_nothing() {
    let simulator = simulator().await;
    let bad = body_file(
        "bad.json",
        json!({"desktops": [{"desktop_id": DEV_01, "computer_name": "ends-with-", "user_name": "alice", "user_group": "users"}]}),
    );
    let failed = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["batch-attach", "--json-body", &bad],
    )
    .await;
    assert_eq!(failed.code, Some(3), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("desktops[0].computer_name"),
        "{}",
        failed.stderr
    );
    let unknown_group = body_file(
        "group.json",
        json!({"desktops": [{"desktop_id": DEV_01}], "user_privilege_group": "root"}),
    );
    let failed = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["change-user-privilege-group", "--json-body", &unknown_group],
    )
    .await;
    assert_eq!(failed.code, Some(3), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("user_privilege_group"),
        "{}",
        failed.stderr
    );
    assert_eq!(simulator.total_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_retry_the_job_query_not_the_posts_and_transport_failures_exit_5() {
    let simulator = simulator().await;
    simulator
        .inject("showJob", Fault::server_error().times(2))
        .unwrap();
    let shown = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["show-job", "--job-id", "missing", "--attempts", "3"],
    )
    .await;
    assert_eq!(
        shown.code,
        Some(4),
        "a 404 after two retried 500s: {}",
        shown.stderr
    );
    assert!(shown.stderr.contains("WKS.0104"), "{}", shown.stderr);
    assert_eq!(simulator.requests("showJob"), 3);

    simulator
        .inject("batchDetach", Fault::server_error().times(1))
        .unwrap();
    let detach = body_file(
        "detach-fault.json",
        json!({"desktops": [{"desktop_id": DEV_01, "is_detach_all_users": true}]}),
    );
    let failed = run(
        &simulator,
        DEMO_SECRET_KEY,
        &["batch-detach", "--json-body", &detach, "--attempts", "3"],
    )
    .await;
    assert_eq!(failed.code, Some(4), "{}", failed.stderr);
    assert_eq!(
        simulator.requests("batchDetach"),
        1,
        "the POST was not re-sent"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = cli::command("hwc-cli-tests", DEMO_SECRET_KEY)
        .args([
            "show-job",
            "--job-id",
            "j",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(unreachable.status.code(), Some(5));
}
