//! The complete generated source, snapshotted: any drift of the document or the generator
//! shows up as a reviewable diff (`cargo insta review`), and fails under `CI=true`.

use workspace_tests::generated_source;

#[test]
fn generated_client_matches_the_snapshot() {
    insta::assert_snapshot!("workspace_client", generated_source());
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generated_source(), generated_source());
}
