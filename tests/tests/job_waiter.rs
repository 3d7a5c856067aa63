//! Waiting for jobs against a loopback server that plays the job's progress.

use std::time::Duration;

use huaweicloud_workspace::{types, Client, Error, JobOutcome, StartsJob, WaitOptions};
use serde_json::json;
use workspace_tests::loopback::{LoopbackServer, Reply};
use workspace_tests::loopback_config;

fn client(server: &LoopbackServer) -> Client {
    Client::new(loopback_config(&server.endpoint()).build().unwrap()).unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default()
        .with_timeout(Duration::from_secs(10))
        .with_intervals(Duration::from_millis(5), Duration::from_millis(20))
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
        .reply("showJob", job("WAITING"))
        .reply("showJob", job("RUNNING"))
        .reply("showJob", job("PAUSED_FOR_MAINTENANCE"))
        .reply("showJob", job("RUNNING"))
        .reply("showJob", job("SUCCESS"));
    let finished = client(&server).wait_for_job("j1", &quick()).await.unwrap();
    assert_eq!(finished.status.unwrap().as_str(), "SUCCESS");
    let polls = server.received("showJob");
    assert_eq!(polls.len(), 5, "an unknown status counts as still running");
    assert!(polls
        .iter()
        .all(|p| p.uri.ends_with("/workspace-jobs/j1") && p.auth.is_ok()));
}

#[tokio::test]
async fn a_failed_job_is_an_error_with_its_code_reason_and_failed_sub_jobs() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", job("RUNNING")).reply(
        "showJob",
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
    assert_eq!(failure.reason(), Some("The desktop is not running."));
    assert_eq!(failure.failed_sub_jobs().len(), 1);
    assert_eq!(failure.failed_sub_jobs()[0].id.as_deref(), Some("s2"));
    assert_eq!(
        error.to_string(),
        "job j1 failed with WKS.0301: The desktop is not running. (1 failed sub-jobs)"
    );
}

#[tokio::test]
async fn a_job_that_never_ends_hits_the_deadline() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", job("RUNNING"));
    let options = quick().with_timeout(Duration::from_millis(60));
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
    assert!(server.received("showJob").len() >= 2);
}

#[tokio::test]
async fn detaching_ordinary_desktops_starts_no_job_and_the_waiter_says_so() {
    let server = LoopbackServer::start().await;
    server.reply(
        "batchDetach",
        Reply::json(200, json!({"job_id": "", "failed_operation_list": []})),
    );
    let client = client(&server);
    let body: types::BatchDetachRequest = serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "is_detach_all_users": true}]}),
    )
    .unwrap();
    let detached = client.batch_detach().body(body).send().await.unwrap();
    assert_eq!(detached.job_id(), None);
    assert!(matches!(
        client.wait_for(&detached, &quick()).await.unwrap(),
        JobOutcome::NoJob
    ));
    assert_eq!(server.received("showJob").len(), 0, "nothing to poll");
}

#[tokio::test]
async fn a_started_job_is_waited_for_through_its_response() {
    let server = LoopbackServer::start().await;
    server
        .reply("batchAttach", Reply::json(200, json!({"job_id": "j1"})))
        .reply("showJob", job("SUCCESS"));
    let client = client(&server);
    let body: types::BatchAttachRequest = serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "user_name": "u", "user_group": "users"}]}),
    )
    .unwrap();
    let started = client.batch_attach().body(body).send().await.unwrap();
    let JobOutcome::Succeeded(job) = client.wait_for(&started, &quick()).await.unwrap() else {
        panic!("no job")
    };
    assert_eq!(job.id.as_deref(), Some("j1"));
}

#[tokio::test]
async fn the_wait_lasts_its_whole_limit_and_reports_the_limit() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", job("RUNNING"));
    // The interval (2 s) is longer than the limit: the waiter still polls at the limit.
    let options = WaitOptions::default()
        .with_timeout(Duration::from_millis(1500))
        .with_intervals(Duration::from_secs(2), Duration::from_secs(30));
    let started = std::time::Instant::now();
    let error = client(&server)
        .wait_for_job("j1", &options)
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_millis(2500),
        "waited {waited:?}"
    );
    assert_eq!(
        error.to_string(),
        "job j1 did not finish within 1.5 s; last status RUNNING",
        "the limit, not the time spent"
    );
    assert_eq!(
        server.received("showJob").len(),
        2,
        "at the start and at the limit"
    );
}

#[tokio::test]
async fn a_stalled_poll_is_cut_off_at_the_limit() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", job("RUNNING").after(Duration::from_secs(20)));
    let options = WaitOptions::default().with_timeout(Duration::from_secs(2));
    let started = std::time::Instant::now();
    let error = client(&server)
        .wait_for_job("j1", &options)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WaitTimeout { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "returned after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn extreme_options_neither_panic_nor_busy_poll() {
    let server = LoopbackServer::start().await;
    server
        .reply("showJob", job("RUNNING"))
        .reply("showJob", job("SUCCESS"));
    // No limit at all, and a zero interval.
    let options = WaitOptions::default()
        .with_timeout(Duration::MAX)
        .with_intervals(Duration::ZERO, Duration::MAX);
    let started = std::time::Instant::now();
    client(&server).wait_for_job("j1", &options).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "a zero interval still waits the minimum"
    );
    assert_eq!(server.received("showJob").len(), 2);
}

#[tokio::test]
async fn null_fields_in_a_job_decode_as_absent() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::json(
            200,
            json!({"id": "j1", "status": "SUCCESS", "sub_jobs": null, "end_time": null,
                   "sub_jobs_total": null}),
        ),
    );
    let job = client(&server).wait_for_job("j1", &quick()).await.unwrap();
    assert!(job.sub_jobs.is_empty());
    assert_eq!(job.end_time, None);
}
