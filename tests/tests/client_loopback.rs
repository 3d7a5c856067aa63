//! The client against real HTTP servers on 127.0.0.1: signatures verified by an independent
//! implementation, error bodies of every shape, timeouts and retries counted on the server.

use std::time::Duration;

use huaweicloud_workspace::{
    types, Client, ConnectFailure, Credentials, Error, RetryPolicy, TimeoutPhase, Unexpected,
};
use serde_json::json;
use workspace_tests::loopback::{LoopbackServer, Reply, ACCESS_KEY, PROJECT_ID, SECRET_KEY};
use workspace_tests::loopback_config as config;

fn client(server: &LoopbackServer) -> Client {
    Client::new(config(&server.endpoint()).build().unwrap()).unwrap()
}

fn attach_body() -> types::BatchAttachRequest {
    serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]}),
    )
    .unwrap()
}

fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::standard(attempts)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

#[tokio::test]
async fn every_operation_of_the_document_is_signed_and_verifies_on_the_server() {
    let server = LoopbackServer::start().await;
    let client = client(&server);
    // Each operation of the document, sent with what its answer needs; a new operation
    // fails here until it is added, so none goes untested.
    let document = workspace_tests::document();
    for operation in &document.model().operations {
        let id = operation.id.as_str();
        server.reply(id, Reply::json(200, json!({"job_id": "", "id": "j"})));
        let sent = match id {
            "batchAttach" => client
                .batch_attach()
                .body(attach_body())
                .send()
                .await
                .map(drop),
            "batchDetach" => client
                .batch_detach()
                .body(types::BatchDetachRequest::builder().desktops(vec![
                    types::DetachInstancesDesktopInfo::builder()
                        .desktop_id("d1".to_string())
                        .is_detach_all_users(true)
                        .try_into()
                        .unwrap(),
                ]))
                .send()
                .await
                .map(drop),
            "changeUserPrivilegeGroup" => client
                .change_user_privilege_group()
                .body(
                    types::ChangeUserPrivilegeGroupRequest::builder()
                        .desktops(vec![types::ChangeUserPrivilegeGroupDesktopInfo::builder()
                            .desktop_id("d1")
                            .try_into()
                            .unwrap()])
                        .user_privilege_group(types::UserGroup::Administrators),
                )
                .send()
                .await
                .map(drop),
            "showJob" => client.show_job().job_id("j-attach").send().await.map(drop),
            "listDesktops" => client
                .list_desktops()
                .user_attached(false)
                .user_name("alice")
                .limit(50)
                .send()
                .await
                .map(drop),
            "showDesktop" => client
                .show_desktop()
                .desktop_id("d1")
                .send()
                .await
                .map(drop),
            "listUsers" => client
                .list_users()
                .offset(0)
                .limit(100)
                .send()
                .await
                .map(drop),
            "listUserGroups" => client
                .list_user_groups()
                .keyword("design")
                .send()
                .await
                .map(drop),
            other => panic!("operation {other} is not exercised by this test"),
        };
        let query = match id {
            "listDesktops" => "?user_attached=false&user_name=alice&limit=50",
            "listUsers" => "?offset=0&limit=100",
            "listUserGroups" => "?keyword=design",
            _ => "",
        };
        sent.unwrap_or_else(|e| panic!("{id}: {e}"));
        let received = server.received(id);
        assert_eq!(received.len(), 1, "{id}");
        let request = &received[0];
        assert_eq!(request.auth, Ok(()), "{id}");
        assert_eq!(request.method.as_str(), operation.http_method(), "{id}");
        let path = operation
            .path
            .replace("{project_id}", PROJECT_ID)
            .replace("{job_id}", "j-attach")
            .replace("{desktop_id}", "d1");
        let (sent_path, sent_query) = request.uri.split_once('?').unwrap_or((&request.uri, ""));
        assert_eq!(sent_path, path, "{id}");
        let mut sent_query: Vec<&str> = sent_query.split('&').filter(|p| !p.is_empty()).collect();
        let mut expected: Vec<&str> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .collect();
        sent_query.sort();
        expected.sort();
        assert_eq!(
            sent_query, expected,
            "{id}: the query carries exactly the parameters set"
        );
        assert_eq!(request.headers["x-project-id"], PROJECT_ID);
        assert_eq!(
            request.headers["host"],
            server.addr.to_string(),
            "Host carries the port"
        );
        assert!(
            request.headers.get("api-version").is_none(),
            "progenitor's api-version header is not sent"
        );
    }
    assert_eq!(
        server.received("batchAttach")[0].json(),
        json!({"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]})
    );
}

#[tokio::test]
async fn an_answer_keeps_its_status_and_request_id() {
    let server = LoopbackServer::start().await;
    server.reply(
        "batchAttach",
        Reply::json(200, json!({"job_id": "j-attach"})),
    );
    let attached = client(&server)
        .batch_attach()
        .body(attach_body())
        .send()
        .await
        .unwrap();
    assert_eq!(attached.job_id.as_deref(), Some("j-attach"));
    assert_eq!(attached.status(), 200);
    assert_eq!(attached.request_id(), Some("req-200"));
}

#[tokio::test]
async fn temporary_credentials_send_a_signed_sensitive_security_token() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::json(200, json!({"id": "j", "status": "RUNNING"})),
    );
    let config = config(&server.endpoint())
        .credentials(Credentials::temporary(
            ACCESS_KEY,
            SECRET_KEY,
            "session-token-value",
        ))
        .build()
        .unwrap();
    Client::new(config)
        .unwrap()
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap();
    let request = &server.received("showJob")[0];
    assert_eq!(request.auth, Ok(()));
    assert_eq!(request.headers["x-security-token"], "session-token-value");
    let authorization = request.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.contains("x-security-token"),
        "{authorization}"
    );
}

#[tokio::test]
async fn iam_token_mode_sends_the_token_unsigned() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", Reply::json(200, json!({"id": "j"})));
    let config = config(&server.endpoint())
        .credentials(Credentials::iam_token("iam-token-value"))
        .build()
        .unwrap();
    Client::new(config)
        .unwrap()
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap();
    let request = &server.received("showJob")[0];
    assert_eq!(request.headers["x-auth-token"], "iam-token-value");
    assert!(request.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_with_the_servers_message() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", Reply::json(200, json!({"id": "j"})));
    let config = config(&server.endpoint())
        .credentials(Credentials::ak_sk(ACCESS_KEY, "wrong-secret"))
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
    assert_eq!(service.code(), Some("APIGW.0301"));
    assert!(service
        .message()
        .unwrap()
        .starts_with("Incorrect IAM authentication information: signature mismatch"));
    assert_eq!(error.request_id(), Some("req-unauthorized"));
}

#[tokio::test]
async fn each_error_body_shape_maps_to_code_message_and_raw_body() {
    let cases: Vec<(u16, Reply, Option<&str>, Option<&str>)> = vec![
        (
            400,
            Reply::json(
                400,
                json!({"error_code": "WKS.0001", "error_msg": "Invalid parameter.", "error_detail": "desktops[0]", "encoded_authorization_message": "enc"}),
            ),
            Some("WKS.0001"),
            Some("Invalid parameter."),
        ),
        (
            403,
            Reply::json(
                403,
                json!({"errorCode": "WKS.0004", "errorMsg": "No permission."}),
            ),
            Some("WKS.0004"),
            Some("No permission."),
        ),
        (
            401,
            Reply::json(
                401,
                json!({"code": "APIGW.0101", "message": "The API does not exist."}),
            ),
            Some("APIGW.0101"),
            Some("The API does not exist."),
        ),
        (
            404,
            Reply::json(
                404,
                json!({"error": {"code": "WKS.0104", "message": "Job not found."}}),
            ),
            Some("WKS.0104"),
            Some("Job not found."),
        ),
        (
            409,
            Reply::json(
                409,
                json!({"error_code": "WKS.0409", "error_msg": "Operation conflict."}),
            ),
            Some("WKS.0409"),
            Some("Operation conflict."),
        ),
        (
            500,
            Reply::raw(500, "text/plain", "internal failure"),
            None,
            Some("internal failure"),
        ),
        (
            502,
            Reply::raw(
                502,
                "text/html",
                "<html><title>502 Bad Gateway</title><body>nginx</body></html>",
            ),
            None,
            Some("502 Bad Gateway"),
        ),
        (
            429,
            Reply::json(
                429,
                json!({"error_code": "APIGW.0308", "error_msg": "Too many requests."}),
            ),
            Some("APIGW.0308"),
            Some("Too many requests."),
        ),
        (
            418,
            Reply::json(
                418,
                json!({"error_code": "X.418", "error_msg": "A status no page lists."}),
            ),
            Some("X.418"),
            Some("A status no page lists."),
        ),
    ];
    for (status, reply, code, message) in cases {
        let server = LoopbackServer::start().await;
        let raw_body = reply.body.clone();
        server.reply("showJob", reply);
        let error = client(&server)
            .show_job()
            .job_id("j")
            .send()
            .await
            .unwrap_err();
        let Error::Service(service) = &error else {
            panic!("{status}: {error:?}")
        };
        assert_eq!(service.status(), status);
        assert_eq!(service.code(), code, "{status}");
        assert_eq!(service.message(), message, "{status}");
        assert_eq!(service.raw_body(), &raw_body[..], "{status}");
        assert_eq!(service.request_id(), Some(format!("req-{status}").as_str()));
        assert!(service.headers().contains_key("content-type"));
        if status == 400 {
            assert_eq!(service.detail(), Some("desktops[0]"));
            assert_eq!(service.encoded_authorization_message(), Some("enc"));
            assert_eq!(
                error.to_string(),
                "service error 400 WKS.0001: Invalid parameter. (desktops[0]) (request id req-400)"
            );
        }
    }
}

#[tokio::test]
async fn a_success_status_with_an_undecodable_body_keeps_everything() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::raw(200, "text/html", "<html>maintenance</html>"),
    );
    let error = client(&server)
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(response) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(response.status(), 200);
    assert_eq!(response.raw_body(), b"<html>maintenance</html>");
    assert!(
        matches!(response.kind(), Unexpected::Undecodable(reason) if reason.starts_with("the body is not JSON")),
        "{:?}",
        response.kind()
    );
    assert_eq!(error.request_id(), Some("req-200"));
    assert!(response.headers().contains_key("content-type"));
}

#[tokio::test]
async fn an_undocumented_success_status_is_kept_whole() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", Reply::json(202, json!({"id": "j"})));
    let error = client(&server)
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(response) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(response.status(), 202);
    assert_eq!(response.kind(), &Unexpected::UndocumentedStatus);
    assert_eq!(response.raw_body(), br#"{"id":"j"}"#);
    assert_eq!(error.request_id(), Some("req-202"));
}

#[tokio::test]
async fn a_read_timeout_on_a_post_is_reported_and_not_retried() {
    let server = LoopbackServer::start().await;
    server.reply(
        "batchAttach",
        Reply::json(200, json!({"job_id": "late"})).after(Duration::from_millis(800)),
    );
    let config = config(&server.endpoint())
        .read_timeout(Duration::from_millis(200))
        .retry(quick_retries(4))
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .batch_attach()
        .body(attach_body())
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
        server.request_count(),
        1,
        "a POST that may have arrived is never re-sent"
    );
}

#[tokio::test]
async fn server_errors_are_retried_for_the_job_query_but_not_for_posts() {
    let server = LoopbackServer::start().await;
    server
        .reply(
            "showJob",
            Reply::json(503, json!({"error_code": "SYS.503"})),
        )
        .reply(
            "showJob",
            Reply::json(500, json!({"error_code": "SYS.500"})),
        )
        .reply(
            "showJob",
            Reply::json(200, json!({"id": "j", "status": "RUNNING"})),
        )
        .reply(
            "batchAttach",
            Reply::json(503, json!({"error_code": "SYS.503"})),
        );
    let client = Client::new(
        config(&server.endpoint())
            .retry(quick_retries(3))
            .build()
            .unwrap(),
    )
    .unwrap();

    let job = client.show_job().job_id("j").send().await.unwrap();
    assert_eq!(job.id.as_deref(), Some("j"));
    let attempts = server.received("showJob");
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts.iter().all(|r| r.auth.is_ok()),
        "every attempt is signed again and verifies"
    );

    let error = client
        .batch_attach()
        .body(attach_body())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(server.received("batchAttach").len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = LoopbackServer::start().await;
    server
        .reply(
            "showJob",
            Reply::json(429, json!({"error_code": "APIGW.0308"})).header("retry-after", "1"),
        )
        .reply("showJob", Reply::json(200, json!({"id": "j"})));
    let retry =
        RetryPolicy::standard(2).with_backoff(Duration::from_millis(1), Duration::from_secs(5));
    let client = Client::new(config(&server.endpoint()).retry(retry).build().unwrap()).unwrap();
    let started = std::time::Instant::now();
    client.show_job().job_id("j").send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(server.received("showJob").len(), 2);
}

#[tokio::test]
async fn a_post_is_retried_when_the_connection_failed() {
    // Reserve a port, close it, and open it only after the client has started trying.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let opener = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let server = LoopbackServer::serve(listener);
        server.reply(
            "batchAttach",
            Reply::json(200, json!({"job_id": "after-reconnect"})),
        );
        server
    });
    let retry = RetryPolicy::standard(40)
        .with_backoff(Duration::from_millis(40), Duration::from_millis(40));
    let client = Client::new(config(&endpoint).retry(retry).build().unwrap()).unwrap();
    let attached = client
        .batch_attach()
        .body(attach_body())
        .send()
        .await
        .unwrap();
    assert_eq!(attached.job_id.as_deref(), Some("after-reconnect"));
    let server = opener.await.unwrap();
    assert_eq!(
        server.received("batchAttach").len(),
        1,
        "sent once, when it could connect"
    );
    assert!(server.received("batchAttach")[0].auth.is_ok());
}

#[tokio::test]
async fn transport_failures_are_told_apart() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused =
        Client::new(config(&format!("http://127.0.0.1:{port}")).build().unwrap()).unwrap();
    let error = refused.show_job().job_id("j").send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Connect {
                kind: ConnectFailure::Refused,
                ..
            }
        ),
        "{error:?}"
    );

    // TLS spoken to a plain-HTTP server fails in the handshake.
    let server = LoopbackServer::start().await;
    let tls = Client::new(config(&format!("https://{}", server.addr)).build().unwrap()).unwrap();
    let error = tls.show_job().job_id("j").send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Connect {
                kind: ConnectFailure::Tls,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_request_that_breaks_the_document_is_not_sent_and_names_the_field() {
    let server = LoopbackServer::start().await;
    server.reply(
        "changeUserPrivilegeGroup",
        Reply::json(200, json!({"job_id": "x"})),
    );
    let client = client(&server);

    // A required field left out of the builder.
    let error = client
        .change_user_privilege_group()
        .body(types::ChangeUserPrivilegeGroupRequest::builder())
        .send()
        .await
        .unwrap_err();
    let Error::InvalidRequest { field, message, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(field.as_deref(), Some("desktops"));
    assert!(
        message.contains("no value supplied for desktops"),
        "{message}"
    );

    // No body at all, where the document requires one.
    let error = client
        .change_user_privilege_group()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { field: Some(f), .. } if f == "body"),
        "{error:?}"
    );

    // A count the chosen strategy needs (x-required-when in the document).
    let error = client
        .batch_attach()
        .body(
            huaweicloud_workspace::request_body::from_json::<types::BatchAttachRequest>(
                r#"{"desktops": [{"desktop_id": "d1"}], "users": [{"user_name": "u", "user_group": "users"}],
                    "assign_model": {"assign_dimension": "USER", "priority_strategy": "USER_FIXED_DESKTOP_NUM"}}"#,
            )
            .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    let Error::InvalidRequest { field, message, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        field.as_deref(),
        Some("assign_model.user_assigin_desktop_num")
    );
    assert_eq!(
        message,
        "assign_model.user_assigin_desktop_num is required when priority_strategy is USER_FIXED_DESKTOP_NUM"
    );

    // A pattern, a length and an enum broken in a body read from JSON.
    for (json, path, why) in [
        (
            r#"{"desktops":[{"desktop_id":"d","computer_name":"ends-with-"}]}"#,
            "desktops[0].computer_name",
            "doesn't match pattern",
        ),
        (
            r#"{"desktops":[{"desktop_id":"d","user_name":"a-very-long-user-name-over-32-chars"}]}"#,
            "desktops[0].user_name",
            "longer than 32 characters",
        ),
        (
            r#"{"users":[{"user_name":"u","user_group":"root"}]}"#,
            "users[0].user_group",
            "unknown variant `root`",
        ),
        (
            r#"{"users":[{"user_name":"u"}]}"#,
            "users[0]",
            "missing field `user_group`",
        ),
    ] {
        let error =
            huaweicloud_workspace::request_body::from_json::<types::BatchAttachRequest>(json)
                .unwrap_err();
        let Error::InvalidRequest { field, message, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(field.as_deref(), Some(path), "{json}");
        assert!(message.contains(why), "{json}: {message}");
    }

    assert_eq!(server.request_count(), 0, "nothing reached the server");
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_returns_the_answer_instead_of_retrying_early() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::json(429, json!({"error_code": "APIGW.0308"})).header("retry-after", "3600"),
    );
    let client = Client::new(
        config(&server.endpoint())
            .retry(RetryPolicy::standard(5))
            .build()
            .unwrap(),
    )
    .unwrap();
    let error = client.show_job().job_id("j").send().await.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(server.received("showJob").len(), 1);
}

/// A builder holds its own handle on the client: `send()` can be spawned without cloning
/// the client by hand, and the client can go away meanwhile.
#[tokio::test]
async fn a_call_can_be_spawned() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::json(200, json!({"id": "j", "status": "RUNNING"})),
    );
    let call = client(&server).show_job().job_id("j").send();
    let answer = tokio::spawn(call).await.unwrap().unwrap();
    assert_eq!(answer.id.as_deref(), Some("j"));
}
