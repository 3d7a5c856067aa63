//! Running the `huaweicloud-workspace` binary that `cargo test --workspace` builds beside the
//! tests, with a clean environment, and reading what it printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use workspace_simulator::{DEMO_ACCESS_KEY, DEMO_PROJECT_ID};

/// The CLI binary in the target directory of the running test.
pub fn binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test knows its path");
    let path = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("tests run from target/<profile>/deps")
        .join("huaweicloud-workspace");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`",
        path.display()
    );
    path
}

/// The CLI with nothing from the caller's environment: the simulator's demo access key and
/// project, `secret_key`, and a `HOME` (under the temporary folder, named `home`) without a
/// credentials file.
pub fn command(home: &str, secret_key: &str) -> Command {
    let mut command = Command::new(binary());
    command
        .env_clear()
        .env("HOME", std::env::temp_dir().join(home))
        .env("HUAWEICLOUD_SDK_AK", DEMO_ACCESS_KEY)
        .env("HUAWEICLOUD_SDK_SK", secret_key)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID);
    command
}

/// What a finished run printed, and its exit code.
pub struct Run {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The JSON object standard error ends with (the details of a failure).
    pub fn details(&self) -> Value {
        let last = self.stderr.lines().last().unwrap_or_default();
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {}", self.stderr))
    }
}

/// Runs `command` off the async runtime, writing `stdin` (or nothing) to its standard input.
pub async fn run(mut command: Command, stdin: Option<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the CLI starts");
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            // The CLI may stop reading early (an input over its limit): that is its answer.
            if let Err(error) = input.write_all(text.as_bytes()) {
                assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
            }
        }
        drop(input);
        let output = child.wait_with_output().expect("the CLI ends");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    })
    .await
    .expect("the blocking task ends")
}
