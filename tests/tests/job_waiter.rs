//! Waiting for jobs against a loopback server that plays the job's progress.

use std::time::Duration;

use huaweicloud_workspace::{
    types, Config, Credentials, Error, JobOutcome, StartsJob, WaitOptions, WorkspaceClient,
};
use serde_json::json;
use workspace_tests::loopback::{LoopbackServer, Reply, Route, ACCESS_KEY, PROJECT_ID, SECRET_KEY};

fn client(server: &LoopbackServer) -> WorkspaceClient {
    let config = Config::builder()
        .env(|_| None)
        .credentials(Credentials::ak_sk(ACCESS_KEY, SECRET_KEY))
        .project_id(PROJECT_ID)
        .endpoint(server.endpoint())
        .build()
        .unwrap();
    WorkspaceClient::new(config).unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions {
        timeout: Duration::from_secs(10),
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
    }
}

fn job(status: &str) -> Reply {
    Reply::json(
        200,
        json!({"id": "j1", "status": status, "sub_jobs_total": 1,
        "sub_jobs": [{"id": "s1", "status": status, "entities": {"desktop_id": "d1"}}]}),
    )
}

#[tokio::test]
async fn follows_waiting_running_success() {
    let server = LoopbackServer::start().await;
    server
        .reply(Route::ShowJob, job("WAITING"))
        .reply(Route::ShowJob, job("RUNNING"))
        .reply(Route::ShowJob, job("PAUSED_FOR_MAINTENANCE"))
        .reply(Route::ShowJob, job("RUNNING"))
        .reply(Route::ShowJob, job("SUCCESS"));
    let finished = client(&server).wait_for_job("j1", &quick()).await.unwrap();
    assert_eq!(finished.status.unwrap().as_str(), "SUCCESS");
    let polls = server.received(Route::ShowJob);
    assert_eq!(polls.len(), 5, "an unknown status counts as still running");
    assert!(polls
        .iter()
        .all(|p| p.uri.ends_with("/workspace-jobs/j1") && p.auth.is_ok()));
}

#[tokio::test]
async fn a_failed_job_is_an_error_with_its_code_reason_and_failed_sub_jobs() {
    let server = LoopbackServer::start().await;
    server.reply(Route::ShowJob, job("RUNNING")).reply(
        Route::ShowJob,
        Reply::json(200, json!({"id": "j1", "status": "FAILED", "job_error_code": "WKS.0301",
            "fail_reason": "The desktop is not running.", "sub_jobs": [
                {"id": "s1", "status": "SUCCESS"},
                {"id": "s2", "status": "FAILED", "error_code": "WKS.0301", "entities": {"desktop_id": "d2"}}]})),
    );
    let error = client(&server)
        .wait_for_job("j1", &quick())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("WKS.0301"));
    let Error::JobFailed(failure) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        failure.fail_reason.as_deref(),
        Some("The desktop is not running.")
    );
    assert_eq!(failure.failed_sub_jobs.len(), 1);
    assert_eq!(failure.failed_sub_jobs[0].id.as_deref(), Some("s2"));
    assert_eq!(
        error.to_string(),
        "job j1 failed with WKS.0301: The desktop is not running. (1 failed sub-jobs)"
    );
}

#[tokio::test]
async fn a_job_that_never_ends_hits_the_deadline() {
    let server = LoopbackServer::start().await;
    server.reply(Route::ShowJob, job("RUNNING"));
    let options = WaitOptions {
        timeout: Duration::from_millis(60),
        ..quick()
    };
    let error = client(&server)
        .wait_for_job("j1", &options)
        .await
        .unwrap_err();
    let Error::WaitTimeout {
        job_id,
        last_status,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((job_id.as_str(), last_status.as_str()), ("j1", "RUNNING"));
    assert!(server.received(Route::ShowJob).len() >= 2);
}

#[tokio::test]
async fn detaching_ordinary_desktops_starts_no_job_and_the_waiter_says_so() {
    let server = LoopbackServer::start().await;
    server.reply(
        Route::BatchDetach,
        Reply::json(200, json!({"job_id": "", "failed_operation_list": []})),
    );
    let client = client(&server);
    let body: types::BatchDetachRequest = serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "is_detach_all_users": true}]}),
    )
    .unwrap();
    let detached = client.batch_detach(body).await.unwrap();
    assert_eq!(detached.job_id(), None);
    assert!(matches!(
        client.wait_for(&detached, &quick()).await.unwrap(),
        JobOutcome::NoJob
    ));
    assert_eq!(server.received(Route::ShowJob).len(), 0, "nothing to poll");
}

#[tokio::test]
async fn a_started_job_is_waited_for_through_its_response() {
    let server = LoopbackServer::start().await;
    server
        .reply(
            Route::BatchAttach,
            Reply::json(200, json!({"job_id": "j1"})),
        )
        .reply(Route::ShowJob, job("SUCCESS"));
    let client = client(&server);
    let body: types::BatchAttachRequest = serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "user_name": "u", "user_group": "users"}]}),
    )
    .unwrap();
    let started = client.batch_attach(body).await.unwrap();
    let JobOutcome::Succeeded(job) = client.wait_for(&started, &quick()).await.unwrap() else {
        panic!("no job")
    };
    assert_eq!(job.id.as_deref(), Some("j1"));
}
