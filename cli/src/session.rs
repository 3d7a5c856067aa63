//! The client of one run, built from the global options only when a subcommand has read its
//! own flags and body: a usage error is reported before a configuration error.

use std::sync::OnceLock;

use huaweicloud_workspace::{Client, Config, Error};

use crate::failure::Failure;

/// Builds the client on first use.
pub struct Session {
    config: Box<dyn Fn() -> Result<Config, Failure>>,
    client: OnceLock<Client>,
}

impl Session {
    /// A session whose client will be configured by `config`.
    pub fn new(config: impl Fn() -> Result<Config, Failure> + 'static) -> Self {
        Self {
            config: Box::new(config),
            client: OnceLock::new(),
        }
    }

    /// The client, built the first time it is needed.
    pub fn client(&self) -> Result<&Client, Failure> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::new((self.config)()?).map_err(Failure::from)?;
        Ok(self.client.get_or_init(|| client))
    }
}

impl From<huaweicloud_workspace::ConfigError> for Failure {
    fn from(error: huaweicloud_workspace::ConfigError) -> Self {
        Failure::Library(Error::from(error))
    }
}
