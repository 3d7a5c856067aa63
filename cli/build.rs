//! Generates progenitor's CLI from `spec/workspace.yaml` into `OUT_DIR`, against the
//! `huaweicloud-workspace` client built from the same document.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest_dir.join("spec/workspace.yaml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("cli.rs");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=build.rs");

    // The settings the client is built with under its `schemars` feature.
    let settings = workspace_codegen::Settings {
        derive_json_schema: true,
        ..workspace_codegen::Settings::default()
    };
    let client = "huaweicloud_workspace::generated_api";
    if let Err(diagnostics) = workspace_codegen::generate_cli_file(&spec, &out, &settings, client) {
        for diagnostic in &diagnostics {
            println!("cargo:warning={diagnostic}");
        }
        eprint!("{diagnostics}");
        std::process::exit(1);
    }
}
