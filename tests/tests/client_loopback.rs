//! The client against real HTTP servers on 127.0.0.1: signatures verified by an independent
//! implementation, error bodies of every shape, timeouts and retries counted on the server.

use std::time::Duration;

use huaweicloud_workspace::{
    types, Config, ConnectFailure, Credentials, Error, RetryPolicy, TimeoutPhase, Timeouts,
    WorkspaceClient,
};
use serde_json::json;
use workspace_tests::loopback::{LoopbackServer, Reply, Route, ACCESS_KEY, PROJECT_ID, SECRET_KEY};

fn config(endpoint: &str) -> huaweicloud_workspace::ConfigBuilder {
    Config::builder()
        .env(|_| None)
        .credentials(Credentials::ak_sk(ACCESS_KEY, SECRET_KEY))
        .project_id(PROJECT_ID)
        .endpoint(endpoint)
}

fn client(server: &LoopbackServer) -> WorkspaceClient {
    WorkspaceClient::new(config(&server.endpoint()).build().unwrap()).unwrap()
}

fn attach_body() -> types::BatchAttachRequest {
    serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]}),
    )
    .unwrap()
}

#[tokio::test]
async fn every_operation_is_signed_and_verifies_on_the_server() {
    let server = LoopbackServer::start().await;
    server
        .reply(
            Route::BatchAttach,
            Reply::json(200, json!({"job_id": "j-attach"})),
        )
        .reply(
            Route::BatchDetach,
            Reply::json(200, json!({"job_id": "", "failed_operation_list": []})),
        )
        .reply(
            Route::ChangeUserPrivilegeGroup,
            Reply::json(200, json!({"job_id": "j-priv"})),
        )
        .reply(
            Route::ShowJob,
            Reply::json(200, json!({"id": "j-attach", "status": "SUCCESS"})),
        );
    let client = client(&server);

    let attached = client.batch_attach(attach_body()).await.unwrap();
    assert_eq!(attached.job_id.as_deref(), Some("j-attach"));
    assert_eq!(attached.status(), 200);
    assert_eq!(attached.request_id(), Some("req-200"));

    let detach: types::BatchDetachRequest = serde_json::from_value(
        json!({"desktops": [{"desktop_id": "d1", "is_detach_all_users": true}]}),
    )
    .unwrap();
    client.batch_detach(detach).await.unwrap();
    let change = types::ChangeUserPrivilegeGroupRequest::builder()
        .desktops(vec![types::ChangeUserPrivilegeGroupDesktopInfo::builder()
            .desktop_id("d1")
            .try_into()
            .unwrap()])
        .user_privilege_group(types::UserGroup::Administrators);
    client.change_user_privilege_group(change).await.unwrap();
    let job = client.show_job("j-attach").await.unwrap();
    assert_eq!(
        job.status.as_ref().unwrap().state(),
        huaweicloud_workspace::JobState::Success
    );

    for (route, method, path) in [
        (Route::BatchAttach, "POST", "desktops/batch-attach"),
        (Route::BatchDetach, "POST", "desktops/batch-detach"),
        (
            Route::ChangeUserPrivilegeGroup,
            "POST",
            "desktops/change-user-privilege-group",
        ),
        (Route::ShowJob, "GET", "workspace-jobs/j-attach"),
    ] {
        let received = server.received(route);
        assert_eq!(received.len(), 1, "{route:?}");
        let request = &received[0];
        assert_eq!(request.auth, Ok(()), "{route:?}");
        assert_eq!(request.method, method);
        assert_eq!(request.uri, format!("/v2/{PROJECT_ID}/{path}"));
        assert_eq!(request.headers["x-project-id"], PROJECT_ID);
        assert_eq!(
            request.headers["host"],
            server.addr.to_string(),
            "Host carries the port"
        );
        assert!(
            request.headers["authorization"]
                .to_str()
                .unwrap()
                .contains("SignedHeaders="),
            "{route:?}"
        );
    }
    assert_eq!(
        server.received(Route::BatchAttach)[0].json(),
        json!({"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]})
    );
    assert_eq!(
        server.received(Route::BatchDetach)[0].json()["desktops"][0]["is_detach_all_users"],
        json!(true)
    );
}

#[tokio::test]
async fn temporary_credentials_send_a_signed_security_token() {
    let server = LoopbackServer::start().await;
    server.reply(
        Route::ShowJob,
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
    WorkspaceClient::new(config)
        .unwrap()
        .show_job("j")
        .await
        .unwrap();
    let request = &server.received(Route::ShowJob)[0];
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
    server.reply(Route::ShowJob, Reply::json(200, json!({"id": "j"})));
    let config = config(&server.endpoint())
        .credentials(Credentials::iam_token("iam-token-value"))
        .build()
        .unwrap();
    WorkspaceClient::new(config)
        .unwrap()
        .show_job("j")
        .await
        .unwrap();
    let request = &server.received(Route::ShowJob)[0];
    assert_eq!(request.headers["x-auth-token"], "iam-token-value");
    assert!(request.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_with_the_servers_message() {
    let server = LoopbackServer::start().await;
    server.reply(Route::ShowJob, Reply::json(200, json!({"id": "j"})));
    let config = config(&server.endpoint())
        .credentials(Credentials::ak_sk(ACCESS_KEY, "wrong-secret"))
        .build()
        .unwrap();
    let error = WorkspaceClient::new(config)
        .unwrap()
        .show_job("j")
        .await
        .unwrap_err();
    let Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(service.status, 401);
    assert_eq!(service.error_code.as_deref(), Some("APIGW.0301"));
    assert!(service
        .error_msg
        .as_deref()
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
    ];
    for (status, reply, code, message) in cases {
        let server = LoopbackServer::start().await;
        let raw_body = reply.body.clone();
        server.reply(Route::ShowJob, reply);
        let error = client(&server).show_job("j").await.unwrap_err();
        let Error::Service(service) = &error else {
            panic!("{status}: {error:?}")
        };
        assert_eq!(service.status, status);
        assert_eq!(service.error_code.as_deref(), code, "{status}");
        assert_eq!(service.error_msg.as_deref(), message, "{status}");
        assert_eq!(service.raw_body, raw_body.as_bytes(), "{status}");
        assert_eq!(
            service.request_id.as_deref(),
            Some(format!("req-{status}").as_str())
        );
        assert!(service.headers.contains_key("content-type"));
        if status == 400 {
            assert_eq!(service.error_detail.as_deref(), Some("desktops[0]"));
            assert_eq!(
                service.encoded_authorization_message.as_deref(),
                Some("enc")
            );
            assert_eq!(
                error.to_string(),
                "service error 400 WKS.0001: Invalid parameter. (request id req-400)"
            );
        }
    }
}

#[tokio::test]
async fn a_success_status_with_an_undecodable_body_keeps_everything() {
    let server = LoopbackServer::start().await;
    server.reply(
        Route::ShowJob,
        Reply::raw(200, "text/html", "<html>maintenance</html>"),
    );
    let error = client(&server).show_job("j").await.unwrap_err();
    let Error::UnexpectedResponse(response) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(response.status, 200);
    assert_eq!(response.raw_body, "<html>maintenance</html>".as_bytes());
    assert!(
        response.reason.starts_with("cannot decode the body"),
        "{}",
        response.reason
    );
    assert_eq!(error.request_id(), Some("req-200"));
}

#[tokio::test]
async fn a_read_timeout_on_a_post_is_reported_and_not_retried() {
    let server = LoopbackServer::start().await;
    server.reply(
        Route::BatchAttach,
        Reply::json(200, json!({"job_id": "late"})).after(Duration::from_millis(800)),
    );
    let config = config(&server.endpoint())
        .timeouts(Timeouts {
            read: Duration::from_millis(200),
            ..Timeouts::default()
        })
        .retry(RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(10),
            ..RetryPolicy::none()
        })
        .build()
        .unwrap();
    let error = WorkspaceClient::new(config)
        .unwrap()
        .batch_attach(attach_body())
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
    let retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::none()
    };
    server
        .reply(
            Route::ShowJob,
            Reply::json(503, json!({"error_code": "SYS.503"})),
        )
        .reply(
            Route::ShowJob,
            Reply::json(500, json!({"error_code": "SYS.500"})),
        )
        .reply(
            Route::ShowJob,
            Reply::json(200, json!({"id": "j", "status": "RUNNING"})),
        )
        .reply(
            Route::BatchAttach,
            Reply::json(503, json!({"error_code": "SYS.503"})),
        );
    let client =
        WorkspaceClient::new(config(&server.endpoint()).retry(retry).build().unwrap()).unwrap();

    let job = client.show_job("j").await.unwrap();
    assert_eq!(job.id.as_deref(), Some("j"));
    let attempts = server.received(Route::ShowJob);
    assert_eq!(attempts.len(), 3);
    let dates: Vec<_> = attempts
        .iter()
        .map(|r| r.headers["authorization"].clone())
        .collect();
    assert!(
        attempts.iter().all(|r| r.auth.is_ok()),
        "every attempt is signed again and verifies"
    );
    assert_eq!(dates.len(), 3);

    let error = client.batch_attach(attach_body()).await.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(server.received(Route::BatchAttach).len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = LoopbackServer::start().await;
    server
        .reply(
            Route::ShowJob,
            Reply::json(429, json!({"error_code": "APIGW.0308"})).header("retry-after", "1"),
        )
        .reply(Route::ShowJob, Reply::json(200, json!({"id": "j"})));
    let retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_secs(5),
        ..RetryPolicy::none()
    };
    let client =
        WorkspaceClient::new(config(&server.endpoint()).retry(retry).build().unwrap()).unwrap();
    let started = std::time::Instant::now();
    client.show_job("j").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(server.received(Route::ShowJob).len(), 2);
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
            Route::BatchAttach,
            Reply::json(200, json!({"job_id": "after-reconnect"})),
        );
        server
    });
    let retry = RetryPolicy {
        max_attempts: 40,
        initial_backoff: Duration::from_millis(40),
        max_backoff: Duration::from_millis(40),
        ..RetryPolicy::none()
    };
    let client = WorkspaceClient::new(config(&endpoint).retry(retry).build().unwrap()).unwrap();
    let attached = client.batch_attach(attach_body()).await.unwrap();
    assert_eq!(attached.job_id.as_deref(), Some("after-reconnect"));
    let server = opener.await.unwrap();
    assert_eq!(
        server.received(Route::BatchAttach).len(),
        1,
        "sent once, when it could connect"
    );
    assert!(server.received(Route::BatchAttach)[0].auth.is_ok());
}

#[tokio::test]
async fn transport_failures_are_told_apart() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused =
        WorkspaceClient::new(config(&format!("http://127.0.0.1:{port}")).build().unwrap()).unwrap();
    let error = refused.show_job("j").await.unwrap_err();
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
    let tls =
        WorkspaceClient::new(config(&format!("https://{}", server.addr)).build().unwrap()).unwrap();
    let error = tls.show_job("j").await.unwrap_err();
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
        Route::ChangeUserPrivilegeGroup,
        Reply::json(200, json!({"job_id": "x"})),
    );
    let client = client(&server);

    // A required field left out of the builder.
    let error = client
        .change_user_privilege_group(types::ChangeUserPrivilegeGroupRequest::builder())
        .await
        .unwrap_err();
    let Error::InvalidRequest { field, message } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(field.as_deref(), Some("desktops"));
    assert!(
        message.contains("no value supplied for desktops"),
        "{message}"
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
        let Error::InvalidRequest { field, message } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(field.as_deref(), Some(path), "{json}");
        assert!(message.contains(why), "{json}: {message}");
    }

    // (A nested builder names the field too: see serialization.rs.)
    assert_eq!(server.request_count(), 0, "nothing reached the server");
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_returns_the_answer_instead_of_retrying_early() {
    let server = LoopbackServer::start().await;
    server.reply(
        Route::ShowJob,
        Reply::json(429, json!({"error_code": "APIGW.0308"})).header("retry-after", "3600"),
    );
    let retry = RetryPolicy {
        max_attempts: 5,
        ..RetryPolicy::standard(5)
    };
    let client =
        WorkspaceClient::new(config(&server.endpoint()).retry(retry).build().unwrap()).unwrap();
    let error = client.show_job("j").await.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(server.received(Route::ShowJob).len(), 1);
}
