//! Every checked-in file derived from the document: where it lives and what it holds. A new
//! derived artifact is one more entry of [`all`], and both `regen` and `regen --check` know it.

use workspace_codegen::Surface;

/// The generated client, compiled when the `codegen` feature is off.
pub const SOURCE: &str = "generated-client/src/generated/workspace.rs";
/// The API surface users compile against, which the change report compares.
pub const SURFACE: &str = "generated-client/api-surface.txt";
/// The insta snapshot of the generated client (the tests' guard).
pub const SNAPSHOT: &str = "tests/tests/snapshots/generated_snapshot__workspace_client.snap";

/// One derived file.
pub struct Artifact {
    /// Its path from the workspace root.
    pub path: &'static str,
    /// What it is, for messages.
    pub what: &'static str,
    /// What it must hold.
    pub contents: String,
}

/// Every derived file, for the generated `source` and its `surface`.
pub fn all(source: &str, surface: &Surface) -> Vec<Artifact> {
    vec![
        Artifact {
            path: SOURCE,
            what: "the pre-generated client",
            contents: source.to_string(),
        },
        Artifact {
            path: SNAPSHOT,
            what: "the accepted insta snapshot",
            contents: snapshot(source),
        },
        Artifact {
            path: SURFACE,
            what: "the API surface",
            contents: surface.to_string(),
        },
    ]
}

/// The snapshot file as insta writes it for `tests/tests/generated_snapshot.rs`.
fn snapshot(source: &str) -> String {
    format!(
        "---\nsource: tests/tests/generated_snapshot.rs\nexpression: generated_source()\n---\n{source}"
    )
}
