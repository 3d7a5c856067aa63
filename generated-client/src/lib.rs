//! Huawei Cloud Workspace client: assign desktops to users, unbind them, change their
//! privilege group, and follow the jobs these calls start.
//!
//! The operations and types are generated at build time from `spec/workspace.yaml`
//! (see [`types`] and [`Client`]); everything else in this crate is hand-written beside them.

#![warn(missing_docs)]

#[allow(missing_docs, unused_imports, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/workspace.rs"));
}

pub mod config;
mod hooks;

pub use generated::{builder, types, Client, ClientInfo, ResponseValue};
