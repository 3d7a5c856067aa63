//! README's "Onboarding a department" walkthrough, run as written: its shell block, with the
//! binaries this test run built on the `PATH` (instead of its first line, the build) and a
//! free port instead of 8088.

use std::process::Command;

use workspace_tests::workspace_root;

/// The first ```sh block after the heading `## Onboarding a department`.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let section = readme
        .split_once("## Onboarding a department")
        .expect("README has the walkthrough")
        .1;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the walkthrough has a sh block")
        .0;
    block.to_string()
}

#[test]
fn the_onboarding_walkthrough_runs_as_written() {
    let script = walkthrough();
    let (build, rest) = script.split_once('\n').unwrap();
    assert!(
        build.starts_with("cargo build"),
        "the walkthrough starts by building: {build}"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = rest.replace("8088", &port.to_string());
    let binaries = workspace_tests::cli::binary()
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        binaries.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(workspace_root())
        .env("PATH", path)
        .env("HOME", std::env::temp_dir().join("walkthrough-home"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // The plan, the run and the resume, each as a summary table; then the count.
    assert!(
        stdout.contains("chunks            3 (100 ×2, 50 rows each)"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("applied           250").count(),
        2,
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("250"), "{stdout}");
}
