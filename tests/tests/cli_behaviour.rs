//! The `huaweicloud-workspace` binary as people and scripts use it in the first hour:
//! completions, standard input, verbose logs, region typos, tables, waiting, and what it
//! does with hostile answers. The binary is the one `cargo test --workspace` builds.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use workspace_simulator::{Simulator, DEMO_SECRET_KEY};
use workspace_tests::cli::{self, run};
use workspace_tests::loopback::{LoopbackServer, Reply};

const DEV_01: &str = "b41a8cc1-4813-47a0-bf3a-7800fcd5b581";
const DEV_02: &str = "5f4ed564-14eb-44fd-8ff7-0483725a532b";
const POOL: &str = "7c2a9e1b-3d4f-4a6b-8c9d-0e1f2a3b4c5d";

/// The CLI with a clean environment: the simulator's credentials, `HOME` without a file.
fn cli() -> Command {
    cli::command("hwc-cli-behaviour", DEMO_SECRET_KEY)
}

async fn simulator() -> Simulator {
    simulator_with_jobs_of(Duration::from_millis(300)).await
}

/// A simulator whose jobs take `duration`.
async fn simulator_with_jobs_of(duration: Duration) -> Simulator {
    Simulator::builder()
        .job_duration(duration)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn completions_list_every_subcommand_for_each_shell() {
    let document = workspace_tests::document();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let mut command = cli();
        command.args(["completions", shell]);
        let done = run(command, None).await;
        assert_eq!(done.code, Some(0), "{shell}: {}", done.stderr);
        for operation in &document.model().operations {
            assert!(
                done.stdout.contains(&operation.subcommand()),
                "{shell} completions lack {}",
                operation.subcommand()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_from_standard_input_is_read_once_and_sent_once() {
    let simulator = simulator().await;
    let body =
        json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"}]});
    for source in ["-", "/dev/stdin"] {
        let mut command = cli();
        command.args([
            "batch-attach",
            "--json-body",
            source,
            "--endpoint",
            &simulator.endpoint(),
        ]);
        let done = run(command, Some(body.to_string())).await;
        assert_eq!(done.code, Some(0), "{source}: {}", done.stderr);
        assert!(done.json()["job_id"].is_string());
        // Detach again so that the next source attaches to a free desktop.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let mut detach = cli();
        detach.args([
            "batch-detach",
            "--json-body",
            "-",
            "--endpoint",
            &simulator.endpoint(),
        ]);
        let detached = run(
            detach,
            Some(
                json!({"desktops": [{"desktop_id": DEV_01, "is_detach_all_users": true}]})
                    .to_string(),
            ),
        )
        .await;
        assert_eq!(detached.code, Some(0), "{}", detached.stderr);
    }
    assert_eq!(simulator.requests("batchAttach"), 2, "one request per run");
}

#[tokio::test]
async fn a_missing_body_and_bad_flags_are_usage_errors_reported_like_the_others() {
    for args in [
        vec!["batch-attach"],
        vec!["show-job"],
        vec!["show-job", "--job-id", "j", "--region", ""],
        vec!["no-such-subcommand"],
    ] {
        let mut command = cli();
        command.args(&args);
        let done = run(command, None).await;
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        let first = done.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("huaweicloud-workspace: "),
            "{args:?}: {}",
            done.stderr
        );
        assert_eq!(done.details()["kind"], "usage", "{args:?}");
        assert!(done.stdout.is_empty());
    }
}

/// Huawei marks user names and e-mail addresses sensitive (`x-isSensitive`): the most
/// verbose logs of calls that carry them, in a query and in a body, never show them.
#[tokio::test]
async fn verbose_logs_never_show_the_personal_data_the_document_marks_sensitive() {
    let simulator = simulator().await;
    let body = json!({"desktops": [{
        "desktop_id": "5f4ed564-14eb-44fd-8ff7-0483725a532b",
        "user_name": "carol", "user_group": "users", "user_email": "carol.private@example.org"}]});
    let mut attach = cli();
    attach.args([
        "-vvv",
        "batch-attach",
        "--json-body",
        "-",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let attached = run(attach, Some(body.to_string())).await;
    assert_eq!(attached.code, Some(0), "{}", attached.stderr);
    let mut list = cli();
    list.args([
        "-vvv",
        "list-desktops",
        "--user-name",
        "carol",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let listed = run(list, None).await;
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert!(
        listed.stdout.contains("carol"),
        "the answer names her: {}",
        listed.stdout
    );
    for done in [&attached, &listed] {
        assert!(
            done.stderr.contains("DEBUG"),
            "the logs are on: {}",
            done.stderr
        );
        for personal in ["carol", "private@example"] {
            assert!(
                !done.stderr.contains(personal),
                "{personal} logged:\n{}",
                done.stderr
            );
        }
    }
}

#[tokio::test]
async fn a_region_typo_gets_a_suggestion_in_the_words_of_the_command_line() {
    let mut command = cli();
    command.args(["show-job", "--job-id", "j", "--region", "cn-north4"]);
    let done = run(command, None).await;
    assert_eq!(done.code, Some(7), "{}", done.stderr);
    assert!(
        done.stderr.contains("did you mean cn-north-4?"),
        "{}",
        done.stderr
    );

    let mut command = cli();
    command.args(["show-job", "--job-id", "j", "--region", ""]);
    let done = run(command, None).await;
    assert_eq!(done.code, Some(2), "an empty region is a usage error");
    assert_eq!(done.details()["kind"], "usage", "{}", done.stderr);

    let mut command = cli();
    command
        .args(["show-job", "--job-id", "j"])
        .env_remove("HUAWEICLOUD_SDK_PROJECT_ID");
    let done = run(command, None).await;
    assert!(done.stderr.contains("pass --project-id"), "{}", done.stderr);
    for library_word in ["in code", "Region::", "explicitly"] {
        assert!(!done.stderr.contains(library_word), "{}", done.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_and_the_endpoint_can_come_from_the_environment() {
    let simulator = simulator().await;
    // As the simulator prints them.
    let mut command = cli();
    command
        .args(["show-job", "--job-id", "no-such-job"])
        .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env(
            "HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4",
            simulator.endpoint(),
        );
    let done = run(command, None).await;
    assert_eq!(done.code, Some(4), "reached the simulator: {}", done.stderr);
    assert_eq!(done.details()["error_code"], "WKS.0104");

    let mut command = cli();
    command
        .args(["show-job", "--job-id", "no-such-job"])
        .env("HUAWEICLOUD_WORKSPACE_ENDPOINT", simulator.endpoint());
    let done = run(command, None).await;
    assert_eq!(done.details()["error_code"], "WKS.0104", "{}", done.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_name_the_operation_and_never_a_secret() {
    let simulator = Simulator::builder()
        .security_token("token-never-logged")
        .start()
        .await
        .unwrap();
    let mut command = cli();
    command
        .args([
            "-v",
            "show-job",
            "--job-id",
            "no-such-job",
            "--endpoint",
            &simulator.endpoint(),
        ])
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "token-never-logged");
    let done = run(command, None).await;
    assert!(
        done.stderr.contains("operation=\"show_job\""),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("status=404"), "{}", done.stderr);
    assert!(
        done.stderr.contains("time.busy"),
        "timings: {}",
        done.stderr
    );
    for secret in [DEMO_SECRET_KEY, "token-never-logged"] {
        assert!(!done.stderr.contains(secret), "{}", done.stderr);
    }
    let mut command = cli();
    command
        .args([
            "-vvv",
            "show-job",
            "--job-id",
            "no-such-job",
            "--endpoint",
            &simulator.endpoint(),
        ])
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "token-never-logged");
    let done = run(command, None).await;
    assert!(
        done.stderr.contains("DEBUG") && done.stderr.contains("answer status=404"),
        "{}",
        done.stderr
    );
    for secret in [DEMO_SECRET_KEY, "token-never-logged"] {
        assert!(!done.stderr.contains(secret), "{}", done.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_failure_exits_8_with_the_answer_on_stdout_and_the_failures_on_stderr() {
    let simulator = simulator().await;
    let body = json!({"desktops": [
        {"desktop_id": POOL, "is_detach_all_users": true},
        {"desktop_id": "00000000-0000-0000-0000-000000000000", "is_detach_all_users": true}]});
    let mut command = cli();
    command.args([
        "batch-detach",
        "--json-body",
        "-",
        "--wait",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let done = run(command, Some(body.to_string())).await;
    assert_eq!(done.code, Some(8), "{}", done.stderr);
    let printed = done.json();
    assert_eq!(
        printed["response"]["failed_operation_list"][0]["desktop_id"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        printed["job"]["status"], "SUCCESS",
        "the pool desktop's job was followed"
    );
    assert!(
        done.stderr
            .contains("failed: 00000000-0000-0000-0000-000000000000 WKS.0104"),
        "{}",
        done.stderr
    );
    assert_eq!(done.details()["kind"], "partial_failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_show_one_row_per_desktop() {
    let simulator = simulator().await;
    let body = json!({"desktops": [
        {"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"},
        {"desktop_id": DEV_02, "user_name": "bob", "user_group": "users"}]});
    let mut command = cli();
    command.args([
        "batch-attach",
        "--json-body",
        "-",
        "--wait",
        "--output",
        "table",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let done = run(command, Some(body.to_string())).await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("DESKTOP"), "{}", done.stdout);
    assert!(done.stdout.contains("USER"), "{}", done.stdout);
    for (desktop, user) in [(DEV_01, "alice"), (DEV_02, "bob")] {
        let row = done
            .stdout
            .lines()
            .find(|l| l.starts_with(desktop))
            .unwrap_or_else(|| panic!("no row for {desktop}:\n{}", done.stdout));
        assert!(row.contains(user) && row.contains("SUCCESS"), "{row}");
    }
    assert!(
        done.stdout.contains("job status: SUCCESS"),
        "{}",
        done.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_job_wait_waits_for_the_end() {
    let simulator = simulator().await;
    let mut command = cli();
    command.args([
        "batch-attach",
        "--json-body",
        "-",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let started = run(
        command,
        Some(json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"}]}).to_string()),
    )
    .await;
    let job_id = started.json()["job_id"].as_str().unwrap().to_string();
    let mut command = cli();
    command.args([
        "show-job",
        "--job-id",
        &job_id,
        "--wait",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let shown = run(command, None).await;
    assert_eq!(shown.code, Some(0), "{}", shown.stderr);
    assert_eq!(shown.json()["status"], "SUCCESS");
    assert!(
        shown.stderr.is_empty(),
        "no progress line when stderr is not a terminal: {}",
        shown.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poll_interval_bounds_the_pause_between_polls() {
    // A 3 s job, polled at once and then every second: at least four polls (at 0, 1, 2 and
    // 3 s). The default backoff (2 s, then 4 s) polls three times, at 0, 2 and 6 s.
    let simulator = simulator_with_jobs_of(Duration::from_secs(3)).await;
    let mut command = cli();
    command.args([
        "-v",
        "batch-attach",
        "--json-body",
        "-",
        "--wait",
        "--poll-interval",
        "1",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let body =
        json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users"}]});
    let done = run(command, Some(body.to_string())).await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert_eq!(done.json()["job"]["status"], "SUCCESS", "{}", done.stdout);
    let polls = done
        .stderr
        .lines()
        .filter(|line| line.contains("close") && line.contains("operation=\"show_job\""))
        .count();
    assert!(polls >= 4, "{polls} polls:\n{}", done.stderr);

    for refused in ["0", "3601", "soon"] {
        let mut command = cli();
        command.args([
            "show-job",
            "--job-id",
            "j",
            "--wait",
            "--poll-interval",
            refused,
        ]);
        let done = run(command, None).await;
        assert_eq!(
            done.code,
            Some(2),
            "--poll-interval {refused}: {}",
            done.stderr
        );
        assert!(done.stderr.contains("--poll-interval"), "{}", done.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_body_field_is_refused_with_the_nearest_name() {
    let simulator = simulator().await;
    let mut command = cli();
    command.args([
        "batch-attach",
        "--json-body",
        "-",
        "--endpoint",
        &simulator.endpoint(),
    ]);
    let done = run(
        command,
        Some(json!({"desktops": [{"desktop_id": DEV_01, "user_name": "alice", "user_group": "users", "is_clear_dat": false}]}).to_string()),
    )
    .await;
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    assert!(
        done.stderr.contains("did you mean `is_clear_data`?"),
        "{}",
        done.stderr
    );
    assert_eq!(done.details()["field"], "desktops[0].is_clear_dat");
    assert_eq!(simulator.total_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_cannot_drive_the_terminal() {
    let server = LoopbackServer::start().await;
    server.reply(
        "showJob",
        Reply::json(
            400,
            json!({"error_code": "X\u{1b}[31m", "error_msg": "bad\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}txt\nnext"}),
        ),
    );
    let mut command = cli();
    command
        .args([
            "show-job",
            "--job-id",
            "j",
            "--endpoint",
            &server.endpoint(),
        ])
        .env("HUAWEICLOUD_SDK_AK", workspace_tests::loopback::ACCESS_KEY)
        .env("HUAWEICLOUD_SDK_SK", workspace_tests::loopback::SECRET_KEY)
        .env(
            "HUAWEICLOUD_SDK_PROJECT_ID",
            workspace_tests::loopback::PROJECT_ID,
        );
    let done = run(command, None).await;
    assert_eq!(done.code, Some(4), "{}", done.stderr);
    for control in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!done.stderr.contains(control), "{:?}", done.stderr);
    }
    assert_eq!(
        done.stderr.lines().count(),
        2,
        "one line, then the JSON: {:?}",
        done.stderr
    );
    assert_eq!(
        done.details()["error_msg"],
        "bad\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}txt\nnext",
        "the JSON keeps it, escaped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_say_why_and_the_deadline_holds() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = cli();
    command.args([
        "show-job",
        "--job-id",
        "j",
        "--endpoint",
        &format!("http://127.0.0.1:{port}"),
    ]);
    let done = run(command, None).await;
    assert_eq!(done.code, Some(5), "{}", done.stderr);
    assert!(
        done.stderr.to_lowercase().contains("connection refused"),
        "the cause: {}",
        done.stderr
    );

    // A server that never finishes its answer: the call's deadline ends it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                drop(stream);
            });
        }
    });
    let mut command = cli();
    command.args([
        "show-job",
        "--job-id",
        "j",
        "--timeout",
        "1",
        "--endpoint",
        &format!("http://{addr}"),
    ]);
    let started = Instant::now();
    let done = run(command, None).await;
    assert_eq!(done.code, Some(5), "{}", done.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // A huge id is refused before sending, in a short message.
    let mut command = cli();
    command.args([
        "show-job",
        "--job-id",
        &"x".repeat(100_000),
        "--endpoint",
        &format!("http://{addr}"),
    ]);
    let done = run(command, None).await;
    assert_eq!(
        done.code,
        Some(3),
        "{}",
        &done.stderr[..done.stderr.len().min(500)]
    );
    assert!(
        done.stderr.len() < 1000,
        "{} bytes of stderr",
        done.stderr.len()
    );
}
