//! The client against the simulator: the whole lifecycle, authentication, validation on both
//! sides, and injected faults.

use std::time::Duration;

use huaweicloud_workspace::{
    request_body, types, Client, Credentials, Error, JobOutcome, RetryPolicy, StartsJob,
    TimeoutPhase, WaitOptions,
};
use serde_json::json;
use workspace_simulator::{Fault, Simulator, DEMO_ACCESS_KEY};
use workspace_tests::simulator_config;

const DEV_01: &str = "b41a8cc1-4813-47a0-bf3a-7800fcd5b581";
const DEV_02: &str = "5f4ed564-14eb-44fd-8ff7-0483725a532b";
const SHARED: &str = "dfdddcf4-f943-43b4-987b-e5785022d6c5";
const POOL: &str = "7c2a9e1b-3d4f-4a6b-8c9d-0e1f2a3b4c5d";
const OFF: &str = "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d";

async fn simulator() -> Simulator {
    Simulator::builder()
        .job_duration(Duration::from_millis(80))
        .start()
        .await
        .unwrap()
}

fn client(simulator: &Simulator) -> Client {
    Client::new(simulator_config(&simulator.endpoint()).build().unwrap()).unwrap()
}

fn wait() -> WaitOptions {
    WaitOptions::default()
        .with_timeout(Duration::from_secs(10))
        .with_intervals(Duration::from_millis(20), Duration::from_millis(50))
}

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    request_body::from_json(&value.to_string()).unwrap()
}

fn attached(simulator: &Simulator, desktop: &str) -> Vec<(String, String)> {
    simulator
        .attachments(desktop)
        .unwrap()
        .into_iter()
        .map(|a| (a.name, a.privilege_group))
        .collect()
}

#[tokio::test]
async fn full_lifecycle_attach_change_detach() {
    let simulator = simulator().await;
    let client = client(&simulator);

    let started = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(json!({"desktops": [
            {"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"},
            {"desktop_id": SHARED, "attach_user_infos": [
                {"user_name": "bob", "user_group": "users", "type": "USER"},
                {"user_name": "design_team", "user_group": "users", "type": "GROUP"}]}]})))
        .send()
        .await
        .unwrap();
    let JobOutcome::Succeeded(job) = client.wait_for(&started, &wait()).await.unwrap() else {
        panic!("no job")
    };
    assert_eq!(job.sub_jobs.len(), 2);
    assert_eq!(
        attached(&simulator, DEV_01),
        [("alice".to_string(), "users".to_string())]
    );
    assert_eq!(attached(&simulator, SHARED).len(), 2);

    let changed = client
        .change_user_privilege_group()
        .body(body::<types::ChangeUserPrivilegeGroupRequest>(json!({"desktops": [
            {"desktop_id": DEV_01, "attach_user_infos": [{"user_name": "alice", "user_privilege_group": "administrators", "type": "USER"}]}]})))
        .send()
        .await
        .unwrap();
    client.wait_for(&changed, &wait()).await.unwrap();
    assert_eq!(
        attached(&simulator, DEV_01),
        [("alice".to_string(), "administrators".to_string())]
    );

    // The unknown desktop fails; the others are unbound. That is a partial failure, never
    // a success.
    let error = client
        .batch_detach()
        .body(body::<types::BatchDetachRequest>(json!({"desktops": [
            {"desktop_id": DEV_01, "is_detach_all_users": true},
            {"desktop_id": SHARED, "is_detach_all_users": false, "detach_user_infos": [{"user_name": "bob", "type": "USER"}]},
            {"desktop_id": "00000000-0000-0000-0000-000000000000", "is_detach_all_users": true}]})))
        .send()
        .await
        .unwrap_err();
    let Error::PartialFailure(partial) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(partial.failed().len(), 1, "the unknown desktop");
    assert_eq!(
        partial.failed()[0].id(),
        Some("00000000-0000-0000-0000-000000000000")
    );
    assert_eq!(partial.failed()[0].code(), Some("WKS.0104"));
    assert_eq!(partial.job_id(), None, "ordinary desktops: an empty job id");
    let answer: types::BatchDetachResponse = partial.answer_as().unwrap();
    assert_eq!(answer.failed_operation_list.len(), 1);
    assert!(error.request_id().is_some_and(|id| id.starts_with("sim")));
    assert!(attached(&simulator, DEV_01).is_empty());
    assert_eq!(
        attached(&simulator, SHARED),
        [("design_team".to_string(), "users".to_string())]
    );
}

#[tokio::test]
async fn policy_assignment_pool_jobs_failed_jobs_and_conflicts() {
    let simulator = simulator().await;
    let client = client(&simulator);

    // The service picks the pairs: each user gets one free desktop.
    let started = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(json!({
            "desktops": [{"desktop_id": DEV_02}, {"desktop_id": POOL}, {"desktop_id": OFF}],
            "users": [{"user_name": "carol", "user_group": "users"}, {"user_name": "dave", "user_group": "users"}],
            "assign_model": {"assign_dimension": "USER", "priority_strategy": "USER_NO_DESKTOP", "user_assigin_desktop_num": 1}})))
        .send()
        .await
        .unwrap();

    // While the job runs, its desktops are busy: a second operation conflicts. batch-attach
    // lists no 409, so the simulator answers the conflict with a 400 (it answers only
    // statuses the document lists).
    let error = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(json!({"desktops": [{"desktop_id": DEV_02, "user_name": "alice", "user_group": "users"}]})))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(error.code(), Some("WKS.0409"));
    assert!(error.request_id().is_some_and(|id| id.starts_with("sim")));

    client.wait_for(&started, &wait()).await.unwrap();
    assert_eq!(
        attached(&simulator, DEV_02),
        [("carol".to_string(), "users".to_string())]
    );
    assert_eq!(
        attached(&simulator, POOL),
        [("dave".to_string(), "users".to_string())]
    );

    // A pool desktop detaches through a job.
    let detached = client
        .batch_detach()
        .body(body::<types::BatchDetachRequest>(
            json!({"desktops": [{"desktop_id": POOL, "is_detach_all_users": true}]}),
        ))
        .send()
        .await
        .unwrap();
    let job_id = detached
        .job_id()
        .expect("pool desktops return a job")
        .to_string();
    assert_eq!(detached.success_job_ids, std::slice::from_ref(&job_id));
    client.wait_for_job(&job_id, &wait()).await.unwrap();

    // A privilege change on a powered-off desktop fails in its job.
    let attach_off = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(
            json!({"desktops": [{"desktop_id": OFF, "user_name": "alice", "user_group": "users"}]}),
        ))
        .send()
        .await
        .unwrap();
    client.wait_for(&attach_off, &wait()).await.unwrap();
    let changed = client
        .change_user_privilege_group()
        .body(body::<types::ChangeUserPrivilegeGroupRequest>(
            json!({"desktops": [{"desktop_id": OFF}], "user_privilege_group": "administrators"}),
        ))
        .send()
        .await
        .unwrap();
    let error = client.wait_for(&changed, &wait()).await.unwrap_err();
    let Error::JobFailed(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failure.code(), Some("WKS.0301"));
    assert_eq!(failure.failed_sub_jobs().len(), 1);
    assert_eq!(
        attached(&simulator, OFF),
        [("alice".to_string(), "users".to_string())],
        "unchanged"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_gets_401_with_the_simulators_message() {
    let simulator = simulator().await;
    let config = simulator_config(&simulator.endpoint())
        .credentials(Credentials::ak_sk(DEMO_ACCESS_KEY, "not-the-secret"))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let error = client.show_job().job_id("any").send().await.unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(service.status(), 401);
    assert_eq!(service.code(), Some("APIGW.0301"));
    assert!(
        service.message().unwrap().contains("signature mismatch"),
        "{service}"
    );
    assert!(service.request_id().is_some());
}

#[tokio::test]
async fn document_violations_stop_on_the_client_and_on_the_simulator() {
    let simulator = simulator().await;
    let client = client(&simulator);

    // Client-side: the body never leaves.
    let error = request_body::from_json::<types::BatchAttachRequest>(
        r#"{"desktops": [{"desktop_id": "d", "computer_name": "-bad", "user_name": "alice", "user_group": "users"}]}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { field: Some(f), .. } if f == "desktops[0].computer_name"),
        "{error:?}"
    );
    let error = client
        .change_user_privilege_group()
        .body(types::ChangeUserPrivilegeGroupRequest::builder())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { field: Some(f), .. } if f == "desktops"),
        "{error:?}"
    );
    assert_eq!(
        simulator.total_requests(),
        0,
        "the simulator received nothing"
    );

    // What the generated types do not check (an email's format), the simulator checks
    // against the same document.
    let error = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(json!({"desktops": [
            {"desktop_id": DEV_01, "user_name": "alice", "user_group": "users", "user_email": "not-an-email"}]})))
        .send()
        .await
        .unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (service.status().as_u16(), service.code()),
        (400, Some("WKS.0001"))
    );
    assert!(
        service
            .detail()
            .unwrap()
            .starts_with("/desktops/0/user_email"),
        "{service:?}"
    );
    assert_eq!(simulator.requests("batchAttach"), 1);
}

#[tokio::test]
async fn injected_faults_show_get_retried_and_post_not() {
    let simulator = simulator().await;
    let config = simulator_config(&simulator.endpoint())
        .retry(
            RetryPolicy::standard(3)
                .with_backoff(Duration::from_millis(5), Duration::from_millis(20)),
        )
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let started = client
        .batch_attach()
        .body(body::<types::BatchAttachRequest>(json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"}]})))
        .send()
        .await
        .unwrap();
    let job_id = started.job_id().unwrap().to_string();

    simulator
        .inject("showJob", Fault::server_error().times(2))
        .unwrap();
    client.show_job().job_id(&job_id).send().await.unwrap();
    assert_eq!(simulator.requests("showJob"), 3, "two 500s, then success");

    simulator
        .inject("showJob", Fault::drop_connection().times(1))
        .unwrap();
    client.show_job().job_id(&job_id).send().await.unwrap();
    assert_eq!(
        simulator.requests("showJob"),
        5,
        "a dropped GET is sent again"
    );

    simulator
        .inject("showJob", Fault::too_many_requests(1).times(1))
        .unwrap();
    let before = std::time::Instant::now();
    client.show_job().job_id(&job_id).send().await.unwrap();
    assert!(
        before.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 honoured"
    );
    assert_eq!(simulator.requests("showJob"), 7);

    let detach = || {
        body::<types::BatchDetachRequest>(
            json!({"desktops": [{"desktop_id": DEV_02, "is_detach_all_users": true}]}),
        )
    };
    simulator
        .inject("batchDetach", Fault::server_error().times(1))
        .unwrap();
    let error = client
        .batch_detach()
        .body(detach())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(http::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(
        simulator.requests("batchDetach"),
        1,
        "a POST is not re-sent after a 500"
    );

    simulator
        .inject("batchDetach", Fault::drop_connection().times(1))
        .unwrap();
    let error = client
        .batch_detach()
        .body(detach())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(
        simulator.requests("batchDetach"),
        2,
        "nor after a dropped connection"
    );

    simulator
        .inject(
            "batchDetach",
            Fault::latency(Duration::from_millis(600)).times(1),
        )
        .unwrap();
    let error = client
        .batch_detach()
        .body(detach())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        simulator.requests("batchDetach"),
        3,
        "nor after a read timeout"
    );
}
