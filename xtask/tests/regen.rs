//! `cargo xtask regen` as README's "Changing the spec" uses it, on temporary copies of the
//! workspace; and its semver verdicts, rule by rule, on the fixture changes of
//! `tests/fixtures/semver/` (each a JSON patch of the document and the verdict it calls for).
//!
//! The agreement of those verdicts with cargo-semver-checks is an ignored test, which CI runs
//! (on the fixtures whose change moves an item of the Rust API):
//!
//! ```sh
//! cargo install cargo-semver-checks --locked --version 0.51.0
//! cargo test -p xtask --test regen -- --ignored --nocapture agreement
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use workspace_codegen::report::{Report, Semver};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Folders that are build output or installed tools, never sources: left out of copies.
const NOT_SOURCES: [&str; 5] = [".git", "target", "node_modules", ".venv", "out"];

/// A copy of the workspace's sources (no build output, no installed tools) in a fresh
/// temporary folder.
fn copy_workspace(name: &str) -> PathBuf {
    let copy = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_sources(&workspace_root(), &copy);
    copy
}

fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            if !NOT_SOURCES.iter().any(|skip| name == *skip) {
                copy_sources(&entry.path(), &to.join(&name));
            }
        } else if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(target, to.join(&name)).unwrap();
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name))
                .unwrap_or_else(|error| panic!("copying {}: {error}", entry.path().display()));
        }
    }
}

/// Runs the `xtask` binary in `dir`, as `cargo xtask …` does there.
fn xtask(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Applies an RFC 6902 patch (add, remove, replace, move, copy) to `tree`.
fn apply(tree: &mut Value, patch: &Value) {
    for change in patch.as_array().unwrap() {
        let path = change["path"].as_str().unwrap();
        let mut op = change["op"].as_str().unwrap();
        let mut value = change["value"].clone();
        if let Some(from) = change["from"].as_str() {
            value = tree
                .pointer(from)
                .unwrap_or_else(|| panic!("no {from}"))
                .clone();
            if op == "move" {
                apply(tree, &serde_json::json!([{"op": "remove", "path": from}]));
            }
            op = "add";
        }
        let (parent, last) = path.rsplit_once('/').unwrap();
        let last = last.replace("~1", "/").replace("~0", "~");
        let parent = tree
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match (op, parent) {
            ("add" | "replace", Value::Object(map)) => {
                map.insert(last, value);
            }
            ("add", Value::Array(items)) if last == "-" => items.push(value),
            ("remove", Value::Object(map)) => {
                map.remove(&last).unwrap_or_else(|| panic!("no {path}"));
            }
            ("remove", Value::Array(items)) => {
                items.remove(last.parse().unwrap());
            }
            (op, _) => panic!("unsupported patch operation {op} at {path}"),
        }
    }
}

/// One change of `tests/fixtures/semver/`: a rule of the change report, shown on the
/// document.
struct Fixture {
    /// The file name.
    name: String,
    /// The rule, as README's table names it.
    rule: String,
    /// Which way what it changes travels: `request`, `answer`, or `-` (an operation).
    direction: String,
    /// The verdict it calls for: `major`, `minor`, `patch` or `none`.
    expected: String,
    /// Why cargo-semver-checks does not see this change, when it does not.
    blind_spot: Option<String>,
    /// Whether the change moves an item of the Rust API (cargo-semver-checks sees it).
    rust_api: bool,
    /// Words the report must print beside the change (a loud note).
    note: Option<String>,
    /// A patch making the document the fixture starts from, when the rule needs a state
    /// the document is not in (a default to change).
    before: Option<Value>,
    /// The JSON patch of the document.
    patch: Value,
}

impl Fixture {
    /// The document before and after the change.
    fn trees(&self) -> (Value, Value) {
        let mut before = spec_tree();
        if let Some(patch) = &self.before {
            apply(&mut before, patch);
        }
        let mut after = before.clone();
        apply(&mut after, &self.patch);
        (before, after)
    }

    fn describe(&self) -> String {
        format!("{} ({}): {}", self.rule, self.direction, self.name)
    }
}

/// Every fixture, by file name.
fn fixtures() -> Vec<Fixture> {
    let dir = workspace_root().join("xtask/tests/fixtures/semver");
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let fixture: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let text = |key: &str| fixture[key].as_str().map(str::to_string);
            Fixture {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                rule: text("rule").expect("a rule"),
                direction: text("direction").expect("a direction"),
                expected: text("expected").expect("a verdict"),
                blind_spot: text("cargo_semver_checks_misses"),
                rust_api: fixture["rust_api"].as_bool().unwrap_or(false),
                note: text("note_contains"),
                before: fixture.get("before").cloned(),
                patch: fixture["patch"].clone(),
            }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(found.len() >= 30, "the fixtures are missing");
    found
}

fn spec_tree() -> Value {
    workspace_codegen::read_tree(&workspace_root().join("spec/workspace.yaml")).unwrap()
}

/// The report on the change from `before` to `after`, judged today.
fn report(before: &Value, after: &Value) -> Report {
    let path = workspace_root().join("spec/workspace.json");
    let before =
        workspace_codegen::load_str(&path, &before.to_string()).unwrap_or_else(|d| panic!("{d}"));
    let after =
        workspace_codegen::load_str(&path, &after.to_string()).unwrap_or_else(|d| panic!("{d}"));
    let (old_source, old_surface) = workspace_codegen::generate_with_surface(&before).unwrap();
    let (new_source, new_surface) = workspace_codegen::generate_with_surface(&after).unwrap();
    let mut report = Report::new(&old_surface, &new_surface, old_source != new_source);
    report.sunset_check(&xtask::verdicts::today());
    report
}

#[test]
fn each_fixture_change_gets_its_semver_verdict() {
    for fixture in fixtures() {
        let (before, after) = fixture.trees();
        let report = report(&before, &after);
        let text = report.to_string();
        assert_eq!(
            report.semver().to_string(),
            fixture.expected,
            "{}\n{text}",
            fixture.describe()
        );
        if let Some(note) = &fixture.note {
            assert!(
                text.contains(note.as_str()),
                "{}\n{text}",
                fixture.describe()
            );
        }
        // The direction the report gives agrees with the fixture's.
        if fixture.direction != "-" {
            let directions: Vec<String> = report
                .changes
                .iter()
                .map(|c| c.direction.to_string())
                .collect();
            assert!(
                directions
                    .iter()
                    .any(|d| *d == fixture.direction || d == "both"),
                "{}: directions {directions:?}\n{text}",
                fixture.describe()
            );
        }
    }
    let tree = spec_tree();
    assert_eq!(
        report(&tree, &tree).semver(),
        Semver::None,
        "no change, no verdict"
    );
}

/// README's rules table lists the fixtures' rules, with their direction and verdict.
#[test]
fn the_readme_rules_table_lists_every_fixture() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let rows: Vec<(String, String, String)> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| rule | direction | verdict |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l.split('|').map(|c| c.trim().to_string()).collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect();
    assert!(!rows.is_empty(), "README has no rules table");
    for fixture in fixtures() {
        let row = (
            fixture.rule.clone(),
            fixture.direction.clone(),
            fixture.expected.clone(),
        );
        assert!(
            rows.contains(&row),
            "README's rules table lacks | {} | {} | {} |",
            row.0,
            row.1,
            row.2
        );
    }
    assert_eq!(
        rows.len(),
        fixtures().len(),
        "README's rules table has rows no fixture shows"
    );
}

#[test]
fn the_readme_workflow_works_on_a_copy_of_the_workspace() {
    let copy = copy_workspace("readme");
    assert!(
        xtask(&copy, &["regen", "--check"]).0,
        "the copy starts up to date"
    );

    // 1. Edit the document: an optional field.
    let spec = copy.join("spec/workspace.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let schema = text
        .find("\n    BatchDetachResponse:\n")
        .expect("the document has BatchDetachResponse");
    let properties = schema
        + text[schema..]
            .find("\n      properties:\n")
            .expect("with properties")
        + "\n      properties:\n".len();
    let edited = format!(
        "{}        zz_note:\n          description: A note.\n          type: string\n{}",
        &text[..properties],
        &text[properties..]
    );
    std::fs::write(&spec, edited).unwrap();

    // The artifacts are now stale, and --check says what to run.
    let (ok, _, stderr) = xtask(&copy, &["regen", "--check"]);
    assert!(!ok);
    assert!(
        stderr.contains("stale: generated-client/src/generated/workspace.rs"),
        "{stderr}"
    );
    assert!(stderr.contains("run `cargo xtask regen`"), "{stderr}");

    // 2. Regenerate: the report ends with the verdict, after the changelog entry.
    let (ok, stdout, stderr) = xtask(&copy, &["regen"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().last(), Some("semver: minor"), "{stdout}");
    assert!(
        stdout.contains("additive  added   `field BatchDetachResponse.zz_note`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("### Added\n- `field BatchDetachResponse.zz_note`"),
        "{stdout}"
    );

    // 3. Nothing is left stale.
    let (ok, stdout, stderr) = xtask(&copy, &["regen", "--check"]);
    assert!(ok, "{stdout}{stderr}");
    let snapshot = std::fs::read_to_string(
        copy.join("tests/tests/snapshots/generated_snapshot__workspace_client.snap"),
    )
    .unwrap();
    assert!(
        snapshot.contains("pub zz_note:"),
        "the accepted snapshot moved too"
    );

    // A second run changes nothing.
    let (_, stdout, _) = xtask(&copy, &["regen"]);
    assert_eq!(stdout.lines().last(), Some("semver: none"), "{stdout}");
    std::fs::remove_dir_all(copy).unwrap();
}

/// Our verdict against cargo-semver-checks' on the generated crate, fixture by fixture: the
/// same wherever cargo-semver-checks can see the change, stricter (major) only where the
/// fixture names what it cannot see (`cargo_semver_checks_misses`). Needs `cargo install
/// cargo-semver-checks --locked`; about half a minute per fixture (two rustdoc builds). CI
/// runs the fixtures whose change moves an item of the Rust API (`rust_api`);
/// `SEMVER_AGREEMENT=all` runs every one, `SEMVER_AGREEMENT=name,name` the fixtures named. Major means cargo-semver-checks refuses the
/// change as a minor release.
#[test]
#[ignore = "needs cargo-semver-checks; CI runs it, see the module docs"]
fn agreement_with_cargo_semver_checks() {
    // `all`, or fixture names separated by commas; by default the `rust_api` ones.
    let chosen = std::env::var("SEMVER_AGREEMENT").unwrap_or_default();
    let wanted = |fixture: &Fixture| match chosen.as_str() {
        "" => fixture.rust_api,
        "all" => true,
        names => names
            .split(',')
            .any(|n| fixture.name.trim_end_matches(".json") == n.trim()),
    };
    let mut rows = Vec::new();
    let mut wrong = Vec::new();
    // One target folder for every copy: the dependencies' rustdoc is built once.
    let target = std::env::temp_dir().join(format!("xtask-semver-target-{}", std::process::id()));
    for fixture in fixtures().into_iter().filter(wanted) {
        let (before, after) = fixture.trees();
        let write = |name: &str, tree: &Value| {
            let copy = copy_workspace(&format!("{}-{name}", fixture.name.replace(".json", "")));
            // JSON is YAML: the copy's build reads the patched document.
            std::fs::write(
                copy.join("spec/workspace.yaml"),
                serde_json::to_string_pretty(tree).unwrap(),
            )
            .unwrap();
            copy
        };
        let baseline = write("before", &before);
        let copy = write("after", &after);
        let started = std::time::Instant::now();
        let output = Command::new("cargo")
            .args([
                "semver-checks",
                "check-release",
                "--release-type",
                "minor",
                "--manifest-path",
            ])
            .arg(copy.join("generated-client/Cargo.toml"))
            .arg("--baseline-root")
            .arg(baseline.join("generated-client"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo semver-checks is installed");
        let theirs = if output.status.success() {
            "not major"
        } else {
            "major"
        };
        let ours = if fixture.expected == "major" {
            "major"
        } else {
            "not major"
        };
        let agree = match (theirs == ours, &fixture.blind_spot) {
            (true, None) => "agree".to_string(),
            (false, Some(why)) => format!("stricter: {why}"),
            (true, Some(_)) => {
                wrong.push(format!(
                    "{}: cargo-semver-checks now sees it; drop `cargo_semver_checks_misses`",
                    fixture.name
                ));
                "agree (no longer a blind spot)".to_string()
            }
            (false, None) => {
                wrong.push(format!(
                    "{}: ours {ours}, cargo-semver-checks {theirs}\n{}",
                    fixture.name,
                    String::from_utf8_lossy(&output.stderr)
                ));
                "DISAGREE".to_string()
            }
        };
        let lints: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&output.stderr).lines())
            .filter(|l| l.trim_start().starts_with("--- failure"))
            .map(|l| {
                l.trim()
                    .trim_start_matches("--- failure ")
                    .trim_end_matches(" ---")
                    .to_string()
            })
            .collect();
        rows.push(format!(
            "| {} ({}) | {} | {theirs} {} | {agree} | {:.0} s |",
            fixture.rule,
            fixture.direction,
            fixture.expected,
            if lints.is_empty() {
                String::new()
            } else {
                format!("({})", lints.join(", "))
            },
            started.elapsed().as_secs_f64()
        ));
        std::fs::remove_dir_all(copy).unwrap();
        std::fs::remove_dir_all(baseline).unwrap();
    }
    let _ = std::fs::remove_dir_all(&target);
    println!("| change | our verdict | cargo-semver-checks (minor release) | | time |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        println!("{row}");
    }
    // Never weaker than cargo-semver-checks, and stricter only where a fixture says why.
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
