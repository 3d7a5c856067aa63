//! The client against servers and input that try to make it lose data, misread a result or
//! leak a credential: redirects, path escapes, oversized and trickling answers, unknown
//! fields.

use std::time::{Duration, Instant};

use huaweicloud_workspace::{
    request_body, types, Client, Credentials, Error, TimeoutPhase, Unexpected,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use workspace_tests::loopback::{LoopbackServer, Reply, ACCESS_KEY, NO_OPERATION, SECRET_KEY};
use workspace_tests::loopback_config;

fn client(server: &LoopbackServer) -> Client {
    Client::new(loopback_config(&server.endpoint()).build().unwrap()).unwrap()
}

fn attach_body() -> types::BatchAttachRequest {
    request_body::from_json(
        r#"{"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]}"#,
    )
    .unwrap()
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_no_credential_leaves_for_the_other_host() {
    let elsewhere = LoopbackServer::start().await;
    let location = format!("http://localhost:{}/collect", elsewhere.addr.port());
    for status in [301, 302, 303, 307, 308] {
        let server = LoopbackServer::start().await;
        server.reply(
            "batchAttach",
            Reply::json(status, json!({})).header("location", &location),
        );
        let config = loopback_config(&server.endpoint())
            .credentials(Credentials::temporary(
                ACCESS_KEY,
                SECRET_KEY,
                "session-token",
            ))
            .build()
            .unwrap();
        let error = Client::new(config)
            .unwrap()
            .batch_attach()
            .body(attach_body())
            .send()
            .await
            .unwrap_err();
        let Error::UnexpectedResponse(answer) = &error else {
            panic!("{status}: a redirected POST must not be a success: {error:?}")
        };
        assert_eq!(answer.status(), status);
        assert_eq!(answer.kind(), &Unexpected::Redirect);
        assert_eq!(answer.location(), Some(location.as_str()));
        assert_eq!(error.request_id(), Some(format!("req-{status}").as_str()));
    }
    let server = LoopbackServer::start().await;
    let config = loopback_config(&server.endpoint())
        .credentials(Credentials::iam_token("iam-token"))
        .build()
        .unwrap();
    server.reply(
        "showJob",
        Reply::json(302, json!({})).header("location", &location),
    );
    let error = Client::new(config)
        .unwrap()
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("unexpected redirect 302 to http://localhost:"),
        "{error}"
    );
    assert_eq!(
        elsewhere.request_count(),
        0,
        "nothing, and no token, reached the other host"
    );
}

#[tokio::test]
async fn path_values_cannot_leave_their_segment() {
    let server = LoopbackServer::start().await;
    let client = client(&server);
    for job_id in [".", "..", "..\\..\\admin", "a\\b", ""] {
        let error = client.show_job().job_id(job_id).send().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { field: Some(f), .. } if f == "job_id"),
            "{job_id:?}: {error:?}"
        );
    }
    let long = "x".repeat(100_000);
    let error = client.show_job().job_id(long).send().await.unwrap_err();
    assert!(
        error.to_string().len() < 200,
        "the value is not repeated: {error}"
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");

    // What may travel is encoded inside the segment.
    server.reply("showJob", Reply::json(200, json!({"id": "a/b"})));
    client.show_job().job_id("a/b?c#d%2e").send().await.unwrap();
    let sent = &server.received("showJob")[0];
    assert!(
        sent.uri.ends_with("/workspace-jobs/a%2Fb%3Fc%23d%252e"),
        "{}",
        sent.uri
    );
    assert!(
        sent.auth.is_ok(),
        "and signed as the official signer does: {:?}",
        sent.auth
    );
    assert!(server.received(NO_OPERATION).is_empty());
}

#[tokio::test]
async fn an_oversized_answer_is_cut_off_at_the_limit() {
    let server = LoopbackServer::start().await;
    let huge = format!("{{\"id\": \"{}\"}}", "x".repeat(8 << 20));
    server.reply("showJob", Reply::raw(200, "application/json", &huge));
    server.reply("batchAttach", Reply::raw(500, "text/plain", &huge));
    let config = loopback_config(&server.endpoint())
        .max_response_body(1 << 20)
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    for error in [
        client.show_job().job_id("j").send().await.unwrap_err(),
        client
            .batch_attach()
            .body(attach_body())
            .send()
            .await
            .unwrap_err(),
    ] {
        let Error::UnexpectedResponse(answer) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(answer.kind(), &Unexpected::TooLarge { limit: 1 << 20 });
        assert!(answer.raw_body().len() <= 4096, "only the start is kept");
        assert!(error.request_id().is_some());
    }
}

/// A server that sends its headers, then one byte of body every 100 ms.
async fn trickling_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..1000 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if stream.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_trickling_answer_is_cut_off_at_the_call_deadline() {
    let addr = trickling_server().await;
    let config = loopback_config(&format!("http://{addr}"))
        .call_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = Client::new(config)
        .unwrap()
        .show_job()
        .job_id("j")
        .send()
        .await
        .unwrap_err();
    let took = started.elapsed();
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
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "took {took:?}"
    );
}

#[tokio::test]
async fn unknown_fields_and_trailing_text_are_refused_before_sending() {
    let error = request_body::from_json::<types::BatchAttachRequest>(
        r#"{"desktops": [{"desktop_id": "d1", "is_clear_dat": false}]}"#,
    )
    .unwrap_err();
    let Error::InvalidRequest { field, message, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(field.as_deref(), Some("desktops[0].is_clear_dat"));
    assert!(
        message.contains("unknown field `is_clear_dat`"),
        "{message}"
    );
    assert!(
        message.ends_with("did you mean `is_clear_data`?"),
        "{message}"
    );

    let error = request_body::from_json::<types::BatchDetachRequest>(
        r#"{"desktops": []} {"desktops": [{"desktop_id": "d2"}]}"#,
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("unexpected text after the JSON body"),
        "{error}"
    );

    // The types themselves refuse unknown fields in requests, and accept them in answers.
    assert!(serde_json::from_value::<types::BatchDetachRequest>(json!({"desktop": []})).is_err());
    let answer: types::BatchDetachResponse =
        serde_json::from_value(json!({"job_id": "j", "added_later": 1})).unwrap();
    assert_eq!(answer.job_id.as_deref(), Some("j"));
}

#[tokio::test]
async fn a_listed_failure_is_an_error_that_keeps_the_answer() {
    let server = LoopbackServer::start().await;
    server.reply(
        "batchDetach",
        Reply::json(
            200,
            json!({"job_id": "j-pool", "failed_operation_list": [
                {"desktop_id": "d2", "error_code": "WKS.0104", "error_msg": "The desktop does not exist."}]}),
        ),
    );
    let body: types::BatchDetachRequest = request_body::from_json(
        r#"{"desktops": [{"desktop_id": "d1", "is_detach_all_users": true}, {"desktop_id": "d2", "is_detach_all_users": true}]}"#,
    )
    .unwrap();
    let error = client(&server)
        .batch_detach()
        .body(body)
        .send()
        .await
        .unwrap_err();
    let Error::PartialFailure(partial) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(partial.failed().len(), 1);
    assert_eq!(partial.failed()[0].id(), Some("d2"));
    assert_eq!(
        partial.job_id(),
        Some("j-pool"),
        "the job of the desktops that did not fail"
    );
    assert_eq!(partial.answer()["job_id"], "j-pool");
    assert_eq!(
        error.to_string(),
        "1 item failed, first d2 WKS.0104: The desktop does not exist. (request id req-200)"
    );
}
