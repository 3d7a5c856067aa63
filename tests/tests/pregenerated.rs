//! The checked-in `generated-client/src/generated/workspace.rs` (compiled when the client's
//! `codegen` feature is off) is exactly what the build would generate.

use workspace_tests::{generated_source, workspace_root};

#[test]
fn checked_in_source_matches_the_generator() {
    let path = workspace_root().join("generated-client/src/generated/workspace.rs");
    let checked_in =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        checked_in == generated_source(),
        "{} is stale; regenerate it with\n  cargo run -p workspace-codegen -- generate --spec spec/workspace.yaml --out generated-client/src/generated/workspace.rs",
        path.display()
    );
}
