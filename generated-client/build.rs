//! Generates the client from `spec/workspace.yaml` into `OUT_DIR` at build time (feature
//! `codegen`, on by default).
//!
//! Only the document triggers a rerun, so an unchanged spec never regenerates. A broken
//! document fails the build with the generator's diagnostics (file, JSON pointer, reason).
//! Without the feature, `src/lib.rs` compiles the checked-in `src/generated/workspace.rs`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "codegen")]
    generate();
}

#[cfg(feature = "codegen")]
fn generate() {
    use std::path::PathBuf;

    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest_dir.join("spec/workspace.yaml");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("workspace.rs");
    println!("cargo:rerun-if-changed={}", spec.display());

    // The `schemars` feature adds `JsonSchema` derives, which progenitor's CLI needs.
    let settings = workspace_codegen::Settings {
        derive_json_schema: std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some(),
        ..workspace_codegen::Settings::default()
    };
    if let Err(diagnostics) = workspace_codegen::generate_file(&spec, &out, &settings) {
        // One `cargo:warning` line per problem shows them in cargo's summary; the full
        // report goes to stderr, and the exit code fails the build without a backtrace.
        for diagnostic in &diagnostics {
            println!("cargo:warning={diagnostic}");
        }
        eprint!("{diagnostics}");
        std::process::exit(1);
    }
}
