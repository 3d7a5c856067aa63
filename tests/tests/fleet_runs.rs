//! Fleet runs (`huaweicloud-workspace bulk`) against the simulator: thousands of rows within
//! the gateway's quota, runs killed at many points and resumed, rows the service fails, bad
//! rows, and plans.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use workspace_simulator::{Fault, Inventory, Quota, Simulator, DEMO_SECRET_KEY};
use workspace_tests::cli;

/// A fresh folder for one test's files.
fn folder(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("fleet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap();
    path
}

/// Desktop `n` of a generated inventory.
fn desktop(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// User `n` of a generated inventory.
fn user(n: usize) -> String {
    format!("user{n:05}")
}

/// An attach rows file giving desktop `n` to user `n`, for each `n`.
fn attach_rows(dir: &Path, numbers: impl IntoIterator<Item = usize>) -> PathBuf {
    let mut text = String::from("desktop_id,user_name,user_group\n");
    for n in numbers {
        text.push_str(&format!("{},{},users\n", desktop(n), user(n)));
    }
    let path = dir.join("rows.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// `bulk <args>` against `simulator`, from `dir`.
fn bulk(simulator: &Simulator, dir: &Path, args: &[&str]) -> Command {
    let mut command = cli::command("fleet-home", DEMO_SECRET_KEY);
    command
        .current_dir(dir)
        .args(["--endpoint", &simulator.endpoint(), "bulk"])
        .args(args);
    command
}

/// The journal's records.
fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn count(records: &[Value], kind: &str) -> usize {
    records.iter().filter(|r| r["kind"] == kind).count()
}

/// The report file as (line, desktop, outcome, code) rows.
fn report(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_five_hundred_rows_within_a_quota_are_each_applied_once() {
    let dir = folder("quota");
    let state = dir.join("state.json");
    let simulator = Simulator::builder()
        .inventory(Inventory::generated(2_500, 2_500))
        .job_duration(Duration::from_millis(500))
        .quota("batchAttach", Quota::parse("5/s").unwrap())
        .state_file(&state)
        .start()
        .await
        .unwrap();
    let rows = attach_rows(&dir, 1..=2_500);
    // Twice the quota, so that the gateway throttles the run and the run waits it out.
    let run = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                rows.to_str().unwrap(),
                "--journal",
                "run.jsonl",
                "--rate",
                "10/s",
                "--concurrency",
                "10",
                "--report",
                "outcome.csv",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outcome = run.json();
    let summary = &outcome["summary"];
    assert_eq!(summary["applied"], 2_500, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert!(
        summary["throttled"].as_u64().unwrap() > 0,
        "the quota never throttled: {summary}"
    );
    assert_eq!(
        summary["calls"],
        25 + summary["throttled"].as_u64().unwrap(),
        "{summary}"
    );

    // The state file: every desktop has exactly its row's user, named by one accepted call.
    let state: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    for n in 1..=2_500 {
        let desktop = &state["desktops"][desktop(n)];
        assert_eq!(desktop["accepted_requests"], 1, "desktop {n}: {desktop}");
        let users: Vec<&str> = desktop["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(users, [user(n)], "desktop {n}");
    }
    // The report agrees row by row: line n+1 is desktop n, applied.
    let lines = report(&dir.join("outcome.csv"));
    assert_eq!(lines.len(), 2_500);
    for (index, line) in lines.iter().enumerate() {
        assert_eq!(line[0], (index + 2).to_string());
        assert_eq!(line[1], desktop(index + 1));
        assert_eq!(line[2], "applied", "{line:?}");
    }
}

/// Starts a run and kills it (SIGKILL) once `ready` holds for its journal, or after
/// `limit`. Returns whether `ready` held.
async fn run_until_killed(
    mut command: Command,
    journal: &Path,
    ready: impl Fn(&[Value]) -> bool,
    limit: Duration,
) -> bool {
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    let held = loop {
        if ready(&self::journal(journal)) {
            break true;
        }
        if started.elapsed() > limit || child.try_wait().unwrap().is_some() {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    held
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_at_any_point_resumes_without_applying_anything_twice() {
    let dir = folder("kill");
    let simulator = Simulator::builder()
        .inventory(Inventory::generated(500, 500))
        .job_duration(Duration::from_millis(1_500))
        .start()
        .await
        .unwrap();
    // Every call is carried out at once but answered 1.5 s later: a kill in that window
    // leaves a call the journal knows was sent, without its answer.
    simulator
        .inject(
            "batchAttach",
            Fault::slow_answer(Duration::from_millis(1_500)),
        )
        .unwrap();
    let rows = attach_rows(&dir, 1..=500);
    let journal_path = dir.join("run.jsonl");
    // A call timeout of 4 s: a call without an answer is looked up 4 s after it was sent.
    let args = |resume: bool| {
        let mut args = vec![
            "--timeout",
            "4",
            "attach",
            "--from",
            rows.to_str().unwrap(),
            "--journal",
            "run.jsonl",
            "--rate",
            "600",
            "--concurrency",
            "2",
        ];
        if resume {
            args.push("--resume");
        }
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let command = |resume: bool| {
        let mut command = cli::command("fleet-home", DEMO_SECRET_KEY);
        command
            .current_dir(&dir)
            .args(["--endpoint", &simulator.endpoint()])
            .arg("bulk")
            .args(args(resume));
        command
    };
    let limit = Duration::from_secs(30);
    // Where each run is killed: once the journal holds more than this many records of a
    // kind (counted before the run starts), or, for `None`, after a fixed time.
    let kill_points: [(&str, bool, Option<&str>); 6] = [
        (
            "between the first send and its answer",
            false,
            Some("sending"),
        ),
        (
            "while the unanswered call is reconciled",
            true,
            Some("sending"),
        ),
        (
            "after an answer, with its job running",
            true,
            Some("answered"),
        ),
        ("after a job ended", true, Some("job_ended")),
        (
            "while it starts: the journal read, the desktops looked up",
            true,
            None,
        ),
        ("between another send and its answer", true, Some("sending")),
    ];
    let mut held = Vec::new();
    for (point, resume, kind) in kill_points {
        let reached = match kind {
            Some(kind) => {
                let before = count(&journal(&journal_path), kind);
                run_until_killed(
                    command(resume),
                    &journal_path,
                    move |j| count(j, kind) > before,
                    limit,
                )
                .await
            }
            None => {
                run_until_killed(
                    command(resume),
                    &journal_path,
                    |_| false,
                    Duration::from_millis(150),
                )
                .await;
                true
            }
        };
        held.push((point, reached));
    }
    assert!(
        held.iter().all(|(_, reached)| *reached),
        "a kill point was never reached: {held:?}"
    );

    let run = cli::run(command(true), None).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["applied"], 500);

    let records = journal(&journal_path);
    assert!(
        count(&records, "reconciled") >= 1,
        "no call was ever reconciled: the kills missed the window"
    );
    // Rows reconciliation proved not applied: only they may be named by a second call.
    let mut proven_unapplied: BTreeMap<usize, u64> = BTreeMap::new();
    for record in records.iter().filter(|r| r["kind"] == "reconciled") {
        for row in record["pending"].as_array().unwrap() {
            *proven_unapplied
                .entry(row.as_u64().unwrap() as usize)
                .or_default() += 1;
        }
    }
    for n in 1..=500 {
        let attached: Vec<String> = simulator
            .attachments(&desktop(n))
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(attached, [user(n)], "desktop {n}");
        let named = simulator.accepted_requests(&desktop(n));
        let allowed = 1 + proven_unapplied.get(&(n - 1)).copied().unwrap_or(0);
        assert!(
            (1..=allowed).contains(&named),
            "desktop {n} named by {named} accepted calls, {allowed} allowed"
        );
    }

    // Resuming a finished run sends nothing.
    let before = simulator.requests("batchAttach");
    let again = cli::run(command(true), None).await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(simulator.requests("batchAttach"), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_the_service_fails_are_reported_and_retried_alone() {
    let dir = folder("failures");
    let mut inventory = Inventory::generated(10, 10);
    for n in [3, 7] {
        inventory.desktops[n - 1].running = false;
    }
    let simulator = Simulator::builder()
        .inventory(inventory)
        .job_duration(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let rows = attach_rows(&dir, 1..=10);
    let attached = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                rows.to_str().unwrap(),
                "--journal",
                "attach.jsonl",
                "--rate",
                "600",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(attached.code, Some(0), "{}", attached.stderr);

    // Make every user an administrator: the powered-off desktops fail in the job, and an
    // unknown desktop is refused by the service.
    let mut text = String::from("desktop_id,attach_user_infos.user_name,attach_user_infos.type,attach_user_infos.user_privilege_group\n");
    for n in 1..=10 {
        text.push_str(&format!("{},{},USER,administrators\n", desktop(n), user(n)));
    }
    text.push_str("ffffffff-0000-4000-8000-000000000000,user00001,USER,administrators\n");
    std::fs::write(dir.join("regroup.csv"), text).unwrap();
    let args = [
        "change-group",
        "--from",
        "regroup.csv",
        "--journal",
        "run.jsonl",
        "--rate",
        "600",
        "--report",
        "outcome.csv",
    ];
    let run = cli::run(bulk(&simulator, &dir, &args), None).await;
    assert_eq!(run.code, Some(8), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["failed"], 3);
    assert_eq!(run.json()["summary"]["applied"], 8);
    let lines = report(&dir.join("outcome.csv"));
    let failed: BTreeMap<&str, (&str, &str)> = lines
        .iter()
        .filter(|l| l[2] == "failed")
        .map(|l| (l[0].as_str(), (l[3].as_str(), l[4].as_str())))
        .collect();
    assert_eq!(
        failed["4"],
        ("WKS.0301", "The desktop is not running."),
        "{lines:?}"
    );
    assert_eq!(failed["8"], ("WKS.0301", "The desktop is not running."));
    assert_eq!(failed["12"].0, "WKS.0104", "the unknown desktop: {lines:?}");
    assert!(failed["12"].1.contains("does not exist"));
    assert!(
        lines
            .iter()
            .filter(|l| l[2] == "failed")
            .all(|l| !l[5].is_empty()),
        "request ids: {lines:?}"
    );
    for n in [1, 2, 4, 5, 6, 8, 9, 10] {
        let groups: Vec<String> = simulator
            .attachments(&desktop(n))
            .unwrap()
            .into_iter()
            .map(|a| a.privilege_group)
            .collect();
        assert_eq!(groups, ["administrators"], "desktop {n}");
    }

    // --retry-failed sends those three rows again, and only them.
    let accepted: Vec<u64> = (1..=10)
        .map(|n| simulator.accepted_requests(&desktop(n)))
        .collect();
    let retry = cli::run(
        bulk(&simulator, &dir, &[&args[..], &["--retry-failed"]].concat()),
        None,
    )
    .await;
    assert_eq!(retry.code, Some(8), "{}", retry.stderr);
    let records = journal(&dir.join("run.jsonl"));
    let retried: BTreeSet<u64> = records
        .iter()
        .filter(|r| r["kind"] == "retry")
        .flat_map(|r| {
            r["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
        })
        .collect();
    assert_eq!(retried, BTreeSet::from([2, 6, 10]));
    for n in 1..=10 {
        let expected = accepted[n - 1] + u64::from(n == 3 || n == 7);
        assert_eq!(
            simulator.accepted_requests(&desktop(n)),
            expected,
            "desktop {n}"
        );
    }
    let last_sent: BTreeSet<u64> = records
        .iter()
        .skip_while(|r| r["kind"] != "retry")
        .filter(|r| r["kind"] == "sending")
        .flat_map(|r| {
            r["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
        })
        .collect();
    assert_eq!(last_sent, BTreeSet::from([2, 6, 10]));
}

#[tokio::test]
async fn every_bad_row_is_reported_with_its_line_and_field_and_nothing_is_sent() {
    let dir = folder("bad-rows");
    let simulator = Simulator::builder()
        .inventory(Inventory::generated(5, 5))
        .start()
        .await
        .unwrap();
    let text = format!(
        "desktop_id,user_name,user_group,is_clear_data\n{},user00001,users,true\n,user00002,users,\n{},user00003,nogroup,\n{},user00004,users,maybe\n",
        desktop(1),
        desktop(3),
        desktop(4)
    );
    std::fs::write(dir.join("rows.csv"), text).unwrap();
    let run = cli::run(
        bulk(
            &simulator,
            &dir,
            &["attach", "--from", "rows.csv", "--journal", "run.jsonl"],
        ),
        None,
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let details = run.details();
    let rows: Vec<(u64, &str)> = details["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [(3, "desktop_id"), (4, "user_group"), (5, "is_clear_data")],
        "{}",
        run.stderr
    );
    assert_eq!(simulator.total_requests(), 0);
    assert!(!dir.join("run.jsonl").exists() || journal(&dir.join("run.jsonl")).is_empty());
}

#[tokio::test]
async fn a_dry_run_plans_without_sending_and_a_resume_with_other_rows_is_refused() {
    let dir = folder("plan");
    let simulator = Simulator::builder()
        .inventory(Inventory::generated(250, 250))
        .job_duration(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    // Desktops 1 to 20 are assigned already.
    attach_rows(&dir, 1..=20);
    let first = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                "rows.csv",
                "--journal",
                "first.jsonl",
                "--rate",
                "600",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let sent = simulator.requests("batchAttach");

    let rows = attach_rows(&dir, 1..=250);
    let plan = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                rows.to_str().unwrap(),
                "--journal",
                "run.jsonl",
                "--dry-run",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    let plan = plan.json();
    assert_eq!(plan["summary"]["in_place"], 20);
    assert_eq!(plan["summary"]["pending"], 230);
    let chunks: Vec<usize> = plan["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_array().unwrap().len())
        .collect();
    assert_eq!(chunks, [100, 100, 30]);
    assert_eq!(
        plan["chunks"][0][0], 22,
        "line 22 is the first row not in place"
    );
    assert_eq!(simulator.requests("batchAttach"), sent);
    assert!(!dir.join("run.jsonl").exists());

    let run = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                rows.to_str().unwrap(),
                "--journal",
                "run.jsonl",
                "--rate",
                "600",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["in_place"], 20);
    assert_eq!(simulator.requests("batchAttach"), sent + 3);

    attach_rows(&dir, 1..=249);
    let other = cli::run(
        bulk(
            &simulator,
            &dir,
            &[
                "attach",
                "--from",
                "rows.csv",
                "--journal",
                "run.jsonl",
                "--resume",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(other.code, Some(2), "{}", other.stderr);
    assert!(
        other.stderr.contains("these rows are not"),
        "{}",
        other.stderr
    );
    assert_eq!(simulator.requests("batchAttach"), sent + 3);
}
