//! The secret key and tokens never appear in Debug, Display, logs or errors.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use huaweicloud_workspace::{types, Client, Credentials, RetryPolicy};
use serde_json::json;
use workspace_tests::loopback::{LoopbackServer, Reply, ACCESS_KEY, SECRET_KEY};
use workspace_tests::loopback_config;

const TOKEN: &str = "temporary-security-token-do-not-print";
const IAM_TOKEN: &str = "iam-token-do-not-print";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [SECRET_KEY, TOKEN, IAM_TOKEN, "wrong-secret-do-not-print"] {
        assert!(!text.contains(secret), "{what} shows a secret:\n{text}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs_debug_and_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = LoopbackServer::start().await;
    server
        .reply("showJob", Reply::json(503, json!({"error_code": "SYS"})))
        .reply("showJob", Reply::json(200, json!({"id": "j"})))
        .reply(
            "batchAttach",
            Reply::json(400, json!({"error_code": "WKS.0001", "error_msg": "bad"})),
        );
    let mut texts = Vec::new();
    for credentials in [
        Credentials::temporary(ACCESS_KEY, SECRET_KEY, TOKEN),
        Credentials::iam_token(IAM_TOKEN),
        Credentials::ak_sk(ACCESS_KEY, "wrong-secret-do-not-print"),
    ] {
        texts.push(("credentials", format!("{credentials:?}")));
        let config = loopback_config(&server.endpoint())
            .credentials(credentials)
            .retry(
                RetryPolicy::standard(2)
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        texts.push(("config", format!("{config:?}")));
        let client = Client::new(config).unwrap();
        texts.push(("client", format!("{client:?}")));
        match client.show_job().job_id("j").send().await {
            Ok(job) => texts.push(("response", format!("{job:?}"))),
            Err(error) => texts.push(("error", format!("{error} / {error:?}"))),
        }
        let body: types::BatchAttachRequest =
            serde_json::from_value(json!({"desktops": [{"desktop_id": "d"}]})).unwrap();
        let error = client.batch_attach().body(body).send().await.unwrap_err();
        texts.push((
            "error",
            format!(
                "{error} / {error:?} / {:?}",
                std::error::Error::source(&error)
            ),
        ));
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("workspace.call") && logs.contains("retrying"),
        "the calls were logged:\n{logs}"
    );
    assert!(logs.contains("operation=\"show_job\""), "{logs}");
    texts.push(("logs", logs));
    for (what, text) in texts {
        assert_clean(what, &text);
    }
    // The requests did carry them: the test would catch a leak if there were one.
    let sent = server.received("showJob");
    assert!(sent.iter().any(|r| r
        .headers
        .get("x-security-token")
        .is_some_and(|v| v == TOKEN)));
    assert!(sent.iter().any(|r| r
        .headers
        .get("x-auth-token")
        .is_some_and(|v| v == IAM_TOKEN)));
}
