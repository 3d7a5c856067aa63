//! Hostile input, round two: what a user types, pipes and points the CLI at never loses data,
//! hangs or misleads. One test per defect found; each was run against the code before its
//! fix and failed there.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use workspace_simulator::{Simulator, DEMO_SECRET_KEY};
use workspace_tests::cli::{self, run, Run};
use workspace_tests::loopback::{LoopbackServer, Reply, ACCESS_KEY, PROJECT_ID, SECRET_KEY};

const DEV_01: &str = "b41a8cc1-4813-47a0-bf3a-7800fcd5b581";

fn cli_for(simulator: &Simulator, args: &[&str]) -> Command {
    let mut command = cli::command("hostile-input-home", DEMO_SECRET_KEY);
    command
        .args(args)
        .args(["--endpoint", &simulator.endpoint()]);
    command
}

fn cli_for_loopback(server: &LoopbackServer, args: &[&str]) -> Command {
    let mut command = cli::command("hostile-input-home", SECRET_KEY);
    command
        .env("HUAWEICLOUD_SDK_AK", ACCESS_KEY)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
        .args(args)
        .args(["--endpoint", &format!("http://{}", server.addr)]);
    command
}

/// 1. A key written twice is refused, naming it and its line; nothing is sent.
#[tokio::test]
async fn a_key_written_twice_in_a_json_body_is_refused_naming_it_and_its_line() {
    let simulator = Simulator::builder().start().await.unwrap();
    let body = format!(
        "{{\"desktops\": [{{\"desktop_id\": \"{DEV_01}\",\n  \"user_name\": \"alice\", \"user_group\": \"users\",\n  \"is_clear_data\": false,\n  \"is_clear_data\": true}}]}}"
    );
    let done = run(
        cli_for(&simulator, &["batch-attach", "--json-body", "-"]),
        Some(body),
    )
    .await;
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    assert!(
        done.stderr
            .contains("duplicate key `desktops[0].is_clear_data`"),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("at line 4"), "{}", done.stderr);
    assert_eq!(done.details()["field"], "desktops[0].is_clear_data");
    let second_array =
        r#"{"desktops": [{"desktop_id": "a", "is_detach_all_users": true}], "desktops": []}"#;
    let done = run(
        cli_for(&simulator, &["batch-detach", "--json-body", "-"]),
        Some(second_array.into()),
    )
    .await;
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    assert_eq!(done.details()["field"], "desktops");
    assert_eq!(simulator.total_requests(), 0, "nothing was sent");
}

/// 2. A call that was sent and accepted is never reported as "not sent": a job id the client
/// will not poll is exit 9 with the answer printed; an empty one says nothing was waited for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_call_whose_job_cannot_be_followed_is_not_reported_as_not_sent() {
    let attach =
        r#"{"desktops": [{"desktop_id": "d1", "user_name": "alice", "user_group": "users"}]}"#;
    for job_id in ["..".to_string(), "j".repeat(2_000)] {
        let server = LoopbackServer::start().await;
        server.reply("batchAttach", Reply::json(200, json!({"job_id": job_id})));
        let done = run(
            cli_for_loopback(&server, &["batch-attach", "--json-body", "-", "--wait"]),
            Some(attach.into()),
        )
        .await;
        assert_eq!(done.code, Some(9), "{}", done.stderr);
        assert!(
            done.stderr.contains("was sent and accepted"),
            "{}",
            done.stderr
        );
        assert!(
            done.stderr.contains("do not send it again"),
            "{}",
            done.stderr
        );
        assert!(!done.stderr.contains("not sent"), "{}", done.stderr);
        assert_eq!(done.details()["sent"], true);
        assert_eq!(
            done.json()["response"]["job_id"],
            json!(job_id),
            "the answer is printed"
        );
        assert!(
            done.stderr.len() < 2_000,
            "the id is not repeated whole: {}",
            done.stderr.len()
        );
        assert_eq!(server.received("batchAttach").len(), 1);
        assert_eq!(server.received("showJob").len(), 0, "no poll was sent");
    }

    let server = LoopbackServer::start().await;
    server.reply("batchAttach", Reply::json(200, json!({"job_id": ""})));
    let done = run(
        cli_for_loopback(&server, &["batch-attach", "--json-body", "-", "--wait"]),
        Some(attach.into()),
    )
    .await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr.contains("nothing was waited for"),
        "{}",
        done.stderr
    );
    assert_eq!(done.json()["job"], Value::Null);
}

/// Runs `command` with its standard output closed before it writes: as `| head -0` would.
fn with_closed_stdout(mut command: Command, stdin: Option<&str>) -> Run {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    drop(child.stdout.take());
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Run {
        code: status.code(),
        stdout: String::new(),
        stderr,
    }
}

/// 3. A reader that goes away is not a crash: the exit code still says how the call went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_standard_output_keeps_the_exit_code_and_never_panics() {
    let simulator = Simulator::builder().start().await.unwrap();
    let shown = cli_for(&simulator, &["list-desktops"]);
    let done = tokio::task::spawn_blocking(move || with_closed_stdout(shown, None))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(!done.stderr.contains("panicked"), "{}", done.stderr);

    let partial = json!({"desktops": [{"desktop_id": "00000000-0000-0000-0000-000000000000", "is_detach_all_users": true}]});
    let detach = cli_for(&simulator, &["batch-detach", "--json-body", "-"]);
    let done =
        tokio::task::spawn_blocking(move || with_closed_stdout(detach, Some(&partial.to_string())))
            .await
            .unwrap();
    assert_eq!(
        done.code,
        Some(8),
        "a partial failure stays one: {}",
        done.stderr
    );
    assert!(!done.stderr.contains("panicked"), "{}", done.stderr);
}

/// 4. Local inputs are read only from regular files, within a stated size.
#[tokio::test]
async fn local_inputs_are_regular_files_within_a_bound_and_never_hang() {
    let simulator = Simulator::builder().start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("hostile-input-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());

    let started = Instant::now();
    let mut command = cli_for(&simulator, &["show-job", "--job-id", "j"]);
    command
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK");
    command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &fifo);
    let done = run(command, None).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait for a writer"
    );
    assert_eq!(done.code, Some(7), "{}", done.stderr);
    assert!(done.stderr.contains("FIFO"), "{}", done.stderr);

    let mut command = cli_for(&simulator, &["show-job", "--job-id", "j"]);
    command
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK");
    command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "/dev/zero");
    let done = run(command, None).await;
    assert_eq!(done.code, Some(7), "{}", done.stderr);
    assert!(
        done.stderr
            .contains("a character device, not a regular file"),
        "{}",
        done.stderr
    );

    for source in ["/dev/zero", fifo.to_str().unwrap()] {
        let started = Instant::now();
        let done = run(
            cli_for(&simulator, &["batch-detach", "--json-body", source]),
            None,
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(5), "{source}");
        assert_eq!(done.code, Some(3), "{source}: {}", done.stderr);
        assert!(
            done.stderr.contains("not a regular file"),
            "{}",
            done.stderr
        );
    }
    let endless = "x".repeat(9 << 20);
    let done = run(
        cli_for(&simulator, &["batch-detach", "--json-body", "-"]),
        Some(endless),
    )
    .await;
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    assert!(
        done.stderr.contains("larger than 8388608 bytes"),
        "{}",
        done.stderr
    );
    assert_eq!(simulator.total_requests(), 0);
    std::fs::remove_dir_all(dir).unwrap();
}

/// 5. An endpoint's user name, password and query are never printed.
#[tokio::test]
async fn an_endpoints_credentials_are_never_printed() {
    let mut command = cli::command("hostile-input-home", DEMO_SECRET_KEY);
    command.args([
        "show-job",
        "--job-id",
        "j",
        "--endpoint",
        "http://admin:S3cret@127.0.0.1:1/?token=T0ken",
    ]);
    let done = run(command, None).await;
    assert_eq!(done.code, Some(7), "{}", done.stderr);
    for secret in ["S3cret", "admin", "T0ken"] {
        assert!(!done.stderr.contains(secret), "{secret}: {}", done.stderr);
    }
    assert!(
        done.stderr.contains("http://***@127.0.0.1:1/?***"),
        "{}",
        done.stderr
    );
}

/// 6. The service's reason reaches the human line; a dangling or looping credentials link is
/// named; an encoded answer is refused by name.
#[tokio::test]
async fn the_reason_the_link_and_the_encoding_are_named() {
    let simulator = Simulator::builder().start().await.unwrap();
    let bad_email = json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice",
        "user_group": "users", "user_email": "not-an-address"}]});
    let done = run(
        cli_for(&simulator, &["batch-attach", "--json-body", "-"]),
        Some(bad_email.to_string()),
    )
    .await;
    assert_eq!(done.code, Some(4), "{}", done.stderr);
    let line = done.stderr.lines().next().unwrap_or_default();
    assert!(
        line.contains("/desktops/0/user_email"),
        "the detail is on the human line: {line}"
    );

    let home = std::env::temp_dir().join(format!("hostile-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".huaweicloud")).unwrap();
    let link = home.join(".huaweicloud/credentials");
    for (target, said) in [
        (
            home.join("nowhere"),
            "a symbolic link to a file that does not exist",
        ),
        (link.clone(), "a loop of symbolic links"),
    ] {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut command = cli_for(&simulator, &["show-job", "--job-id", "j"]);
        command
            .env_remove("HUAWEICLOUD_SDK_AK")
            .env_remove("HUAWEICLOUD_SDK_SK")
            .env("HOME", &home);
        let done = run(command, None).await;
        assert_eq!(done.code, Some(7), "{}", done.stderr);
        assert!(done.stderr.contains(said), "{}", done.stderr);
        assert!(
            !done.stderr.contains("no credentials found"),
            "{}",
            done.stderr
        );
    }
    std::fs::remove_dir_all(home).unwrap();

    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::raw(200, "application/json", "\u{1f}\u{8b}not really gzip")
            .header("content-encoding", "gzip"),
    );
    let done = run(
        cli_for_loopback(&server, &["show-job", "--job-id", "j"]),
        None,
    )
    .await;
    assert_eq!(done.code, Some(4), "{}", done.stderr);
    assert!(done.stderr.contains("is gzip-encoded"), "{}", done.stderr);
    assert!(!done.stderr.contains("not JSON"), "{}", done.stderr);
}
