//! `cargo xtask upstream` against Huawei's published definitions: clean on the landed tree,
//! a failure naming each place when the document loses a limit or a field, and what it
//! reports against two real published versions.
//!
//! The definitions come through cargo (`cargo metadata` fetches the crate once; after that
//! the check is offline).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ lives in the workspace")
        .to_path_buf()
}

/// Runs `xtask upstream` with `args` in the workspace: (success, stdout).
fn upstream(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("upstream")
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.trim().is_empty(), "xtask wrote to stderr: {stderr}");
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// The `pointer aspect` of every unrecorded difference and every stale entry, in order.
fn reported(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|line| line.starts_with("  /"))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(format!(
                "{} {}",
                words.next()?,
                words.next()?.trim_end_matches(':')
            ))
        })
        .collect()
}

/// The part of the output before the recorded and reported-only sections.
fn failures(stdout: &str) -> &str {
    stdout
        .split("\nRecorded on purpose")
        .next()
        .unwrap_or(stdout)
}

#[test]
fn the_landed_document_agrees_with_the_pinned_definitions() {
    let (ok, stdout) = upstream(&[]);
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("against huawei-cloud-api-definitions-Workspace 0.1."),
        "{stdout}"
    );
    assert!(stdout.contains("8 operations compared"), "{stdout}");
    assert!(reported(failures(&stdout)).is_empty(), "{stdout}");
}

#[test]
fn a_removed_limit_and_a_removed_answer_field_are_named_with_their_pointers() {
    let text = std::fs::read_to_string(root().join("spec/workspace.yaml")).unwrap();
    let limit = "          description: Desktops to assign, at most 100 per call.\n          type: array\n          minItems: 1\n          maxItems: 100\n";
    let field = "        message:\n          description: What the sub-job reports, in words.\n          type: string\n";
    assert!(
        text.contains(limit) && text.contains(field),
        "the document changed: update this test"
    );
    let edited = text
        .replacen(limit, &limit.replace("          maxItems: 100\n", ""), 1)
        .replacen(field, "", 1);
    let copy = std::env::temp_dir().join(format!("upstream-{}.yaml", std::process::id()));
    std::fs::write(&copy, edited).unwrap();

    let (ok, stdout) = upstream(&["--spec", copy.to_str().unwrap()]);
    std::fs::remove_file(&copy).unwrap();
    assert!(!ok, "{stdout}");
    assert_eq!(
        reported(failures(&stdout)),
        [
            "/components/schemas/BatchAttachRequest/properties/desktops/maxItems maxItems",
            "/components/schemas/JobDetailInfo/properties/message field",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("edit: set `maxItems: 100`"), "{stdout}");
    assert!(
        stdout.contains("edit: add the field (\"string\")"),
        "{stdout}"
    );
    assert!(
        stdout.contains("then `cargo xtask upstream` again"),
        "{stdout}"
    );
}

/// Between these two versions Huawei changed all three batch operations: the older one lacks
/// what the document has since adopted, and the newer one brought a defect of its own.
#[test]
fn two_published_versions_report_what_huawei_changed() {
    let (ok, newer) = upstream(&["--version", "0.1.20260904"]);
    assert!(ok, "{newer}");
    let recorded = newer
        .split("\nRecorded on purpose")
        .nth(1)
        .unwrap_or_default();
    assert!(
        recorded.contains("  /components/schemas/ChangeUserPrivilegeGroupUserInfo/required defect"),
        "the definition's own defect is reported as such, and recorded: {newer}"
    );

    let (ok, older) = upstream(&["--version", "0.1.20250711"]);
    assert!(!ok, "{older}");
    assert!(older.contains("against huawei-cloud-api-definitions-Workspace 0.1.20250711"));
    assert_eq!(
        reported(failures(&older)),
        [
            // batch-attach: the desktop-level user_id, the user-level domain, the required list
            "/components/schemas/AttachInstancesUserInfo/properties/domain field",
            "/components/schemas/AttachInstancesUserInfo/required required",
            "/components/schemas/AttachInstancesDesktopInfo/properties/user_id field",
            // batch-detach: its own user-info type (domain, required) and success_job_ids
            "/components/schemas/DetachInstancesUserInfo/properties/domain field",
            "/components/schemas/DetachInstancesUserInfo/required required",
            "/components/schemas/BatchDetachResponse/properties/success_job_ids field",
            // change-user-privilege-group: domain
            "/components/schemas/ChangeUserPrivilegeGroupUserInfo/properties/domain field",
            // recorded for the newer version, absent from the older one: the user_group
            // pattern, and the defect (a `required` entry naming no property)
            "/components/schemas/UserGroup/pattern pattern",
            "/components/schemas/ChangeUserPrivilegeGroupUserInfo/required defect",
        ],
        "{older}"
    );
}
