//! Generation time: our document in-process (load, check, generate, format; and the stages
//! alone, to see where the time goes), and synthetic
//! documents of 10, 100 and 1,000 operations (written by `bench/synthetic_spec.py`).
//!
//! `cargo bench -p workspace-codegen --bench generation`

use std::path::{Path, PathBuf};

use divan::Bencher;

fn main() {
    divan::main();
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The synthetic document of `operations` operations, written by the script if missing.
fn synthetic(operations: usize) -> PathBuf {
    let path = root().join(format!("bench/out/synthetic-{operations}.json"));
    if !path.exists() {
        let status = std::process::Command::new("python3")
            .arg(root().join("bench/synthetic_spec.py"))
            .arg(operations.to_string())
            .arg(&path)
            .status()
            .expect("python3 runs bench/synthetic_spec.py");
        assert!(status.success(), "bench/synthetic_spec.py failed");
    }
    path
}

/// Load, check, generate and format spec/workspace.yaml.
#[divan::bench(sample_count = 20)]
fn our_document(bencher: Bencher) {
    let spec = root().join("spec/workspace.yaml");
    bencher.bench(|| {
        let document = workspace_codegen::load(&spec).unwrap();
        workspace_codegen::generate(&document).unwrap()
    });
}

/// Its stages: loading and checking the document alone.
#[divan::bench(sample_count = 20)]
fn our_document_load_and_check(bencher: Bencher) {
    let spec = root().join("spec/workspace.yaml");
    bencher.bench(|| workspace_codegen::load(&spec).unwrap());
}

/// Load, check and generate, printed plainly as build scripts do: no formatter.
#[divan::bench(sample_count = 20)]
fn our_document_unformatted(bencher: Bencher) {
    let spec = root().join("spec/workspace.yaml");
    bencher.bench(|| {
        let document = workspace_codegen::load(&spec).unwrap();
        workspace_codegen::generate_for_build(&document).unwrap()
    });
}

/// The same for synthetic documents of N operations.
#[divan::bench(args = [10, 100, 1_000], sample_count = 5, sample_size = 1)]
fn synthetic_document(bencher: Bencher, operations: usize) {
    let spec = synthetic(operations);
    bencher
        .counter(divan::counter::ItemsCount::new(operations))
        .bench(|| {
            let document = workspace_codegen::load(&spec).unwrap();
            workspace_codegen::generate(&document).unwrap()
        });
}
