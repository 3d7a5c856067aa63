//! The progenitor hooks: where each generated call passes through hand-written code.

use progenitor_client::{ClientHooks, OperationInfo};

use crate::config::Config;
use crate::Client;

impl ClientHooks<Config> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        use progenitor_client::ClientInfo;
        self.client().execute(request).await
    }
}
