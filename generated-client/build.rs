//! Generates the client from `spec/workspace.yaml` into `OUT_DIR` at build time (feature
//! `codegen`, on by default). Only the document triggers a rerun; a broken document fails the
//! build with the generator's diagnostics (file, JSON pointer, reason). Without the feature,
//! `src/lib.rs` compiles the checked-in `src/generated/workspace.rs`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "codegen")]
    workspace_codegen::build_script::generate_into_out_dir(
        "workspace.rs",
        workspace_codegen::generate_for_build,
    );
}
