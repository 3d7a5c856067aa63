//! The service's limits, from Huawei's definitions through the document: a request that
//! breaks one is refused before it is sent, naming the field and the limit (the library, and
//! the CLI with exit code 3); the simulator refuses the same request sent raw, as the service
//! does.

use huaweicloud_workspace::{request_body, types, Client, Error};
use serde_json::{json, Value};
use workspace_simulator::{Simulator, DEMO_PROJECT_ID, DEMO_SECRET_KEY};
use workspace_tests::{cli, send_signed, simulator_config};

fn desktops(count: usize) -> Value {
    let desktops: Vec<Value> = (0..count)
        .map(|i| json!({"desktop_id": format!("d-{i}"), "user_name": "alice", "user_group": "users"}))
        .collect();
    json!({ "desktops": desktops })
}

#[tokio::test]
async fn a_batch_of_101_desktops_is_refused_before_sending_naming_the_field_and_the_limit() {
    let simulator = Simulator::builder().start().await.unwrap();
    let client = Client::new(simulator_config(&simulator.endpoint()).build().unwrap()).unwrap();

    let body: types::BatchAttachRequest = request_body::from_value(desktops(101)).unwrap();
    let error = client.batch_attach().body(body).send().await.unwrap_err();
    match &error {
        Error::InvalidRequest { field, .. } => assert_eq!(field.as_deref(), Some("desktops")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "invalid request, not sent: desktops has 101 items; at most 100 are accepted"
    );
    let empty: types::BatchDetachRequest =
        request_body::from_value(json!({"desktops": []})).unwrap();
    let error = client.batch_detach().body(empty).send().await.unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("desktops has 0 items; at least 1 are needed"),
        "{error}"
    );
    let long_id: types::BatchDetachRequest = request_body::from_value(
        json!({"desktops": [{"desktop_id": "x".repeat(256), "is_detach_all_users": true}]}),
    )
    .unwrap();
    let error = client
        .batch_detach()
        .body(long_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request, not sent: desktops[0].desktop_id has 256 characters; at most 255 are accepted"
    );
    let policy: types::BatchAttachRequest = request_body::from_value(json!({
        "desktops": [{"desktop_id": "d"}], "users": [{"user_name": "alice", "user_group": "users"}],
        "assign_model": {"priority_strategy": "USER_FIXED_DESKTOP_NUM", "user_assigin_desktop_num": 101}}))
    .unwrap();
    let error = client.batch_attach().body(policy).send().await.unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("assign_model.user_assigin_desktop_num is 101; the largest accepted is 100"),
        "{error}"
    );
    let privilege: Vec<Value> = (0..1_001)
        .map(|i| json!({"desktop_id": format!("d-{i}")}))
        .collect();
    let privilege: types::ChangeUserPrivilegeGroupRequest =
        request_body::from_value(json!({"desktops": privilege, "user_privilege_group": "users"}))
            .unwrap();
    let error = client
        .change_user_privilege_group()
        .body(privilege)
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("desktops has 1001 items; at most 1000 are accepted"),
        "{error}"
    );
    assert_eq!(simulator.total_requests(), 0, "nothing was sent");

    // The same 101 desktops, sent signed but unchecked: the simulator refuses them.
    let path = format!("/v2/{DEMO_PROJECT_ID}/desktops/batch-attach");
    let raw = serde_json::to_vec(&desktops(101)).unwrap();
    let answer = send_signed(
        &simulator.endpoint(),
        reqwest::Method::POST,
        &path,
        Some(raw),
    )
    .await;
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error_code"], "WKS.0001");
    assert!(
        body["error_detail"]
            .as_str()
            .unwrap()
            .starts_with("/desktops: "),
        "{body}"
    );
    // And 100 is within the limit (they are unknown desktops, which is another matter).
    let raw = serde_json::to_vec(&desktops(100)).unwrap();
    let answer = send_signed(
        &simulator.endpoint(),
        reqwest::Method::POST,
        &path,
        Some(raw),
    )
    .await;
    assert_ne!(answer.status(), 400, "100 desktops pass validation");
}

#[tokio::test]
async fn the_cli_refuses_101_desktops_with_exit_code_3_and_sends_nothing() {
    let simulator = Simulator::builder().start().await.unwrap();
    let mut command = cli::command("limits-home", DEMO_SECRET_KEY);
    command.args([
        "batch-attach",
        "--json-body",
        "-",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let run = cli::run(command, Some(desktops(101).to_string())).await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("desktops has 101 items; at most 100 are accepted"),
        "{}",
        run.stderr
    );
    assert_eq!(run.details()["field"], "desktops", "{}", run.stderr);
    assert_eq!(simulator.total_requests(), 0);
}
