//! The command line itself: subcommands, help and usage errors.

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_huaweicloud-workspace"))
}

#[test]
fn help_lists_one_subcommand_per_operation_and_the_exit_codes() {
    let output = cli().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for name in [
        "batch-attach",
        "batch-detach",
        "change-user-privilege-group",
        "show-job",
        "--region",
        "--endpoint",
        "--wait",
    ] {
        assert!(help.contains(name), "{name} missing from:\n{help}");
    }
    assert!(
        help.contains("Exit codes: 0 success, 2 usage, 3 invalid request"),
        "{help}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let output = cli().args(["show-job"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "--job-id is required");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--job-id"));
    assert_eq!(
        cli().arg("no-such-command").output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn missing_configuration_exits_7_naming_what_is_missing() {
    let home = std::env::temp_dir().join("hwc-cli-no-credentials");
    let output = cli()
        .args(["show-job", "--job-id", "j", "--region", "cn-north-4"])
        .env_clear()
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no project id"), "{stderr}");

    // With a project but no credentials at hand, the instance metadata service is asked (at
    // the first call, within its time limit), then the error says where they were looked for.
    let started = std::time::Instant::now();
    let output = cli()
        .args([
            "show-job",
            "--job-id",
            "j",
            "--region",
            "cn-north-4",
            "--project-id",
            "p",
        ])
        .env_clear()
        .env("HOME", &home)
        .env("HUAWEICLOUD_SDK_METADATA_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(7));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no credentials found"), "{stderr}");
    assert!(
        stderr.contains("set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"),
        "{stderr}"
    );
    assert!(
        stderr.contains("instance metadata at http://127.0.0.1:9"),
        "{stderr}"
    );
}
