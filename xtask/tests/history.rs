//! The change report on real changes of Huawei's own definitions: each fixture of
//! `tests/fixtures/history/` holds one operation's definition in two consecutive published
//! versions of `huawei-cloud-api-definitions-Workspace` (read as `cargo xtask upstream` reads
//! them, see `xtask::upstream::history`), the verdict we agree with, and our reading of the
//! change.
//!
//! The fixtures are written by the ignored test below, which fetches the versions:
//!
//! ```sh
//! cargo test -p xtask --test history -- --ignored write_history_fixtures
//! ```

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use workspace_codegen::report::Report;
use xtask::upstream::definitions::{self, Source};
use xtask::upstream::history;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn fixtures_dir() -> PathBuf {
    workspace_root().join("xtask/tests/fixtures/history")
}

/// The pairs, with the verdict we agree with and why.
const PAIRS: [(&str, &str, &str, &str, &str); 6] = [
    (
        "BatchAttachInstances",
        "0.1.20250711",
        "0.1.20260109",
        "minor",
        "the desktop entry gains optional `user_id` and `domain` (request widened)",
    ),
    (
        "BatchDetachInstances",
        "0.1.20250711",
        "0.1.20260109",
        "minor",
        "the answer gains `success_job_ids`, the user entry an optional `domain`",
    ),
    (
        "ChangeUserPrivilegeGroup",
        "0.1.20250711",
        "0.1.20260109",
        "refused",
        "the newer definition lists `user_group` as required in the user entry, which has no \
         such property (a defect of the definition): the generator refuses it, naming the place",
    ),
    (
        "BatchAttachInstances",
        "0.1.20260109",
        "0.1.20260116",
        "major",
        "`user_name` and `user_group` become required in the user entry",
    ),
    (
        "BatchDetachInstances",
        "0.1.20260109",
        "0.1.20260116",
        "major",
        "the user entry's type is renamed (AttachInstancesUserInfo to DetachInstancesUserInfo): \
         code naming the old type no longer compiles",
    ),
    (
        "BatchAttachInstances",
        "0.1.20260116",
        "0.1.20260425",
        "major",
        "`user_group` gains a pattern (request narrowed)",
    ),
];

#[test]
fn each_real_change_gets_the_verdict_we_agree_with() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), PAIRS.len(), "one fixture per pair");
    for file in files {
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let load = |side: &str| {
            workspace_codegen::load_str(&file, &fixture[side].to_string())
                .unwrap_or_else(|d| panic!("{}: {side}: {d}", file.display()))
        };
        let expected = fixture["expected"].as_str().unwrap();
        if expected == "refused" {
            let refused = workspace_codegen::load_str(&file, &fixture["after"].to_string())
                .expect_err("the generator refuses the newer definition");
            println!("{} → refused:\n{refused}", fixture["operation"]);
            assert!(
                refused
                    .to_string()
                    .contains("is required but is not a property"),
                "{refused}"
            );
            continue;
        }
        let (old_source, old_surface) = workspace_codegen::generate_with_surface(&load("before"))
            .unwrap_or_else(|d| panic!("{d}"));
        let (new_source, new_surface) = workspace_codegen::generate_with_surface(&load("after"))
            .unwrap_or_else(|d| panic!("{d}"));
        let report = Report::new(&old_surface, &new_surface, old_source != new_source);
        println!(
            "{} {} → {}: {}\n{report}",
            fixture["operation"], fixture["from"], fixture["to"], fixture["reading"]
        );
        assert_eq!(
            report.semver().to_string(),
            expected,
            "{}: {}\n{report}",
            file.display(),
            fixture["reading"]
        );
    }
}

/// Fetches each pair's versions (crates.io) and writes the fixtures.
#[test]
#[ignore = "fetches published versions; run by hand to write the fixtures"]
fn write_history_fixtures() {
    let root = workspace_root();
    std::fs::create_dir_all(fixtures_dir()).unwrap();
    for (operation, from, to, expected, reading) in PAIRS {
        let side = |version: &str| {
            let found = definitions::load(&root, &Source::Version(version.to_string())).unwrap();
            let definition = found
                .operations
                .iter()
                .find(|d| d.name == operation)
                .unwrap_or_else(|| panic!("{operation} is not in {version}"));
            history::prepare(definition)
        };
        let fixture = json!({
            "operation": operation,
            "from": from,
            "to": to,
            "expected": expected,
            "reading": reading,
            "before": side(from),
            "after": side(to),
        });
        let name = format!("{operation}-{from}-{to}.json");
        std::fs::write(
            fixtures_dir().join(name),
            serde_json::to_string_pretty(&fixture).unwrap() + "\n",
        )
        .unwrap();
    }
}
