//! The workspace's maintenance commands (`cargo xtask …`), as a library that the `xtask`
//! binary and its tests share.

pub mod artifacts;
pub mod upstream;
pub mod verdicts;
