//! What a build script that generates from the document needs: generate into `OUT_DIR`, rerun
//! only when the document changes, and fail with the diagnostics rather than a backtrace.

use std::path::PathBuf;

use crate::{Diagnostics, Document};

/// Loads the crate's packaged `spec/workspace.yaml`, writes `generate(document)` (one of
/// the `*_for_build` functions) to `OUT_DIR/out_name`, and tells cargo to rerun only when the
/// document changes. A broken
/// document prints one `cargo:warning` per problem, the full report on stderr, and exits 1.
pub fn generate_into_out_dir(
    out_name: &str,
    generate: impl FnOnce(&Document) -> Result<String, Diagnostics>,
) {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let spec = crate::packaged_spec(&manifest_dir);
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=build.rs");
    let result = crate::load(&spec)
        .and_then(|document| generate(&document))
        .and_then(|source| crate::write_if_changed(&out_dir.join(out_name), &source));
    if let Err(diagnostics) = result {
        for diagnostic in &diagnostics {
            println!("cargo:warning={diagnostic}");
        }
        eprint!("{diagnostics}");
        std::process::exit(1);
    }
}
