//! A check by a mock server this project did not write: Stoplight Prism, serving
//! `spec/workspace.yaml`, validates every request the client sends for every operation.
//!
//! Needs a running Prism; `.ci/run` starts one and runs this with
//! `PRISM_ENDPOINT=http://127.0.0.1:4010 cargo test -p workspace-tests --test third_party_prism -- --ignored`.

use huaweicloud_workspace::{request_body, types, Client, Config, Credentials, Response};
use serde_json::json;

fn endpoint() -> String {
    std::env::var("PRISM_ENDPOINT")
        .expect("set PRISM_ENDPOINT to a running `prism mock spec/workspace.yaml`")
}

fn client(credentials: Credentials) -> Client {
    let config = Config::builder()
        .env(|_| None)
        .credentials(credentials)
        .project_id("0bec5db98280d2d02fd6c00c2de791ce")
        .endpoint(endpoint())
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// Prism reports what it found wrong with a request in `sl-violations`.
fn assert_no_violations<T>(operation: &str, response: &Response<T>) {
    let violations = response
        .headers()
        .get("sl-violations")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(violations, None, "{operation}: Prism found violations");
    assert!(
        response.status().is_success(),
        "{operation}: {}",
        response.status()
    );
}

#[tokio::test]
#[ignore = "needs a running Prism (see the module docs); .ci/run provides one"]
async fn every_operation_passes_prism_validation() {
    for credentials in [
        Credentials::ak_sk("PRISMAK", "prism-sk"),
        Credentials::iam_token("prism-token"),
    ] {
        let client = client(credentials);
        let attach: types::BatchAttachRequest = request_body::from_json(
            &json!({"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users",
                "user_email": "alice@example.com", "computer_name": "ws-alice-01", "is_clear_data": false}],
                "users": [{"user_name": "bob", "user_group": "administrators", "type": "USER"}],
                "assign_model": {"assign_dimension": "USER", "priority_strategy": "USER_NO_DESKTOP", "user_assigin_desktop_num": 1}})
            .to_string(),
        )
        .unwrap();
        assert_no_violations(
            "batch-attach",
            &client.batch_attach().body(attach).send().await.unwrap(),
        );

        let detach: types::BatchDetachRequest = request_body::from_json(
            &json!({"desktops": [{"desktop_id": "d1", "is_detach_all_users": false,
                "detach_user_infos": [{"user_name": "alice", "user_group": "users", "type": "USER"}]}]})
            .to_string(),
        )
        .unwrap();
        assert_no_violations(
            "batch-detach",
            &client.batch_detach().body(detach).send().await.unwrap(),
        );

        let change = types::ChangeUserPrivilegeGroupRequest::builder()
            .desktops(vec![types::ChangeUserPrivilegeGroupDesktopInfo::builder()
                .desktop_id("d1")
                .attach_user_infos(vec![types::ChangeUserPrivilegeGroupUserInfo::builder()
                    .user_name("alice")
                    .user_privilege_group(types::UserGroup::Administrators)
                    .type_(types::ObjectType::User)
                    .try_into()
                    .unwrap()])
                .try_into()
                .unwrap()])
            .user_privilege_group(types::UserGroup::Users);
        assert_no_violations(
            "change-user-privilege-group",
            &client
                .change_user_privilege_group()
                .body(change)
                .send()
                .await
                .unwrap(),
        );

        let job = client
            .show_job()
            .job_id("3979904c-7beb-4f34-835f-2fa989a5550a")
            .send()
            .await
            .unwrap();
        assert_no_violations("show-job", &job);
        assert!(
            job.status.is_some(),
            "Prism's example decoded into the generated type"
        );

        let desktops = client
            .list_desktops()
            .user_attached(false)
            .user_name("alice")
            .sort_field("created")
            .offset(0)
            .limit(100)
            .send()
            .await
            .unwrap();
        assert_no_violations("list-desktops", &desktops);
        assert_eq!(desktops.desktops.len(), 1, "Prism's example decoded");
        let desktop = client.show_desktop().desktop_id("d1").send().await.unwrap();
        assert_no_violations("show-desktop", &desktop);
        let users = client
            .list_users()
            .offset(0)
            .limit(10)
            .send()
            .await
            .unwrap();
        assert_no_violations("list-users", &users);
        let groups = client
            .list_user_groups()
            .keyword("design")
            .send()
            .await
            .unwrap();
        assert_no_violations("list-user-groups", &groups);
    }
    // A new operation of the document fails here until it is sent above.
    let sent = [
        "batchAttach",
        "batchDetach",
        "changeUserPrivilegeGroup",
        "showJob",
        "listDesktops",
        "showDesktop",
        "listUsers",
        "listUserGroups",
    ];
    for operation in &workspace_tests::document().model().operations {
        assert!(
            sent.contains(&operation.id.as_str()),
            "{} is not sent to Prism",
            operation.id
        );
    }
}

/// The check above can fail: Prism does report a request that breaks the document.
#[tokio::test]
#[ignore = "needs a running Prism (see the module docs); .ci/run provides one"]
async fn prism_reports_a_request_that_breaks_the_document() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .post(format!("{}/v2/p1/desktops/batch-detach", endpoint()))
        .header("authorization", "x")
        .json(&json!({"desktops": [{"desktop_id": "d", "is_detach_all_users": "false"}]}))
        .send()
        .await
        .unwrap();
    let violations = response
        .headers()
        .get("sl-violations")
        .expect("a violation")
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        violations.contains("is_detach_all_users must be boolean"),
        "{violations}"
    );
}
