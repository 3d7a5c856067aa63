//! `cargo xtask`: the workspace's maintenance commands.
//!
//! - `cargo xtask regen` rewrites every checked-in artifact derived from
//!   `spec/workspace.yaml` (see [`artifacts`]) and prints what the change does to users of
//!   the generated crate, ending with one `semver: …` line;
//! - `cargo xtask regen --check` writes nothing and fails, naming each stale artifact, when
//!   one differs from what the document gives (CI runs it);
//! - `cargo xtask upstream` compares the document with Huawei's own definitions of the same
//!   operations (see [`xtask::upstream`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use workspace_codegen::report::Report;
use workspace_codegen::Surface;
use xtask::artifacts;
use xtask::upstream::{self, definitions::Source, recorded};
use xtask::verdicts;

const USAGE: &str = "usage: cargo xtask regen [--check]
       cargo xtask upstream [--version V | --latest | --definitions DIR] [--spec FILE] [--recorded FILE]

  regen           rewrite every artifact derived from spec/workspace.yaml, and print the
                  change report (ends with `semver: major|minor|patch|none`) and the
                  CHANGELOG.md entry it calls for
  regen --check   change nothing; fail if an artifact is stale
  upstream        compare spec/workspace.yaml with Huawei's definitions of the same operations
                  (the version Cargo.lock pins; --version V another published one, --latest the
                  newest); fail on a difference not recorded in spec/upstream-differences.yaml";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen(false),
        ["regen", "--check"] => regen(true),
        ["upstream", rest @ ..] => upstream(rest),
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the nearest directory up from here with `spec/workspace.yaml`.
fn workspace_root() -> Result<PathBuf, String> {
    let start = std::env::current_dir().map_err(|e| e.to_string())?;
    start
        .ancestors()
        .find(|dir| dir.join("spec/workspace.yaml").is_file() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no spec/workspace.yaml above {}", start.display()))
}

fn regen(check: bool) -> Result<ExitCode, String> {
    let root = workspace_root()?;
    let spec = root.join("spec/workspace.yaml");
    let document = workspace_codegen::load(&spec).map_err(|d| d.to_string())?;
    let (source, surface) =
        workspace_codegen::generate_with_surface(&document).map_err(|d| d.to_string())?;
    let wanted = artifacts::all(&source, &surface);

    if check {
        let stale: Vec<&artifacts::Artifact> = wanted
            .iter()
            .filter(|a| read(&root.join(a.path)).as_deref() != Some(a.contents.as_str()))
            .collect();
        if stale.is_empty() {
            println!("every artifact derived from spec/workspace.yaml is up to date");
            return Ok(ExitCode::SUCCESS);
        }
        for artifact in stale {
            eprintln!("stale: {} ({})", artifact.path, artifact.what);
        }
        eprintln!("run `cargo xtask regen` and commit the result with the document");
        return Ok(ExitCode::FAILURE);
    }

    let before_surface = read(&root.join(artifacts::SURFACE))
        .map(|text| Surface::parse(&text))
        .transpose()?
        .unwrap_or_default();
    let before_source = read(&root.join(artifacts::SOURCE));
    let mut report = Report::new(
        &before_surface,
        &surface,
        before_source.as_deref() != Some(source.as_str()),
    );
    report.sunset_check(&verdicts::today());
    let overrides = verdicts::read(&root.join(verdicts::PATH))?;
    let unused = report.apply_overrides(&overrides)?;
    for artifact in &wanted {
        let path = root.join(artifact.path);
        if read(&path).as_deref() != Some(artifact.contents.as_str()) {
            std::fs::write(&path, &artifact.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {} ({})", artifact.path, artifact.what);
        }
    }
    println!();
    let entry = report.changelog_entry();
    if !entry.is_empty() {
        println!("CHANGELOG.md entry (under ## [Unreleased]):\n\n{entry}");
    }
    print!("{report}");
    for item in unused {
        eprintln!(
            "note: {} overrides `{item}`, which this change does not touch: remove the entry",
            verdicts::PATH
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// `cargo xtask upstream [--version V | --latest | --definitions DIR] [--spec F] [--recorded F]`.
fn upstream(args: &[&str]) -> Result<ExitCode, String> {
    let root = workspace_root()?;
    let mut source = Source::Pinned;
    let mut spec = root.join("spec/workspace.yaml");
    let mut recorded_file = root.join(recorded::FILE);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .map(|v| v.to_string())
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match *arg {
            "--version" => source = Source::Version(value()?),
            "--latest" => source = Source::Latest,
            "--definitions" => source = Source::Directory(value()?.into()),
            "--spec" => spec = value()?.into(),
            "--recorded" => recorded_file = value()?.into(),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let recorded = recorded::read(&recorded_file)?;
    let definitions = upstream::definitions::load(&root, &source)?;
    let outcome = upstream::check(&spec, &recorded, &definitions)?;
    println!("{outcome}");
    Ok(if outcome.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
