//! The `workspace-simulator` binary: its arguments are checked, and the lines it prints
//! point the `huaweicloud-workspace` CLI at it.

use std::io::BufRead;
use std::process::{Command, Stdio};

fn simulator() -> Command {
    Command::new(env!("CARGO_BIN_EXE_workspace-simulator"))
}

#[test]
fn job_seconds_out_of_range_are_a_usage_error() {
    for bad in ["1e19", "inf", "NaN", "-1", "soon"] {
        let output = simulator()
            .args(["--port", "0", &format!("--job-seconds={bad}")])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--job-seconds"), "{bad}: {stderr}");
    }
}

/// The CLI binary, built by `cargo test --workspace` (its crate has integration tests).
fn cli() -> Command {
    let test = std::env::current_exe().unwrap();
    let path = test
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("huaweicloud-workspace");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`",
        path.display()
    );
    Command::new(path)
}

#[test]
fn the_printed_lines_point_the_cli_at_the_simulator() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut running = simulator()
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = running.stdout.take().unwrap();
    let mut exports = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(pair) = line.trim().strip_prefix("export ") {
            let (name, value) = pair.split_once('=').unwrap();
            exports.push((name.to_string(), value.to_string()));
        }
        if line.starts_with("or pass") {
            break;
        }
    }
    let output = cli()
        .env_clear()
        .env("HOME", std::env::temp_dir().join("simulator-command-line"))
        .envs(exports.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(["show-job", "--job-id", "no-such-job"])
        .output()
        .unwrap();
    running.kill().unwrap();
    let _ = running.wait();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{exports:?}\n{stderr}");
    assert!(
        stderr.contains("WKS.0104"),
        "the simulator answered: {stderr}"
    );
}
