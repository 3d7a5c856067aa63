//! What every call needs: bound once when the client is built.

/// Configuration the generated [`Client`](crate::Client) carries to its hooks.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Project the calls act in.
    pub project_id: String,
}
