//! Faults injected per operation, so that retries and timeouts can be tested for real.

use std::time::Duration;

/// What goes wrong with the next requests of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Added before anything else happens.
    pub latency: Duration,
    /// How the request fails, if it does.
    pub failure: Option<Failure>,
    /// For how many requests (`None`: until cleared).
    pub times: Option<u32>,
}

/// How a faulty request fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An error status with a Huawei-style body (and `Retry-After` seconds, if given).
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` in seconds.
        retry_after: Option<u64>,
    },
    /// The connection is closed without an answer, after the request was read.
    DropConnection,
}

impl Fault {
    /// Only latency.
    pub fn latency(latency: Duration) -> Self {
        Self {
            latency,
            failure: None,
            times: None,
        }
    }

    /// 429 Too Many Requests with `Retry-After: seconds`.
    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        Self::failing(Failure::Status {
            status: 429,
            retry_after: Some(retry_after_seconds),
        })
    }

    /// 500 Internal Server Error.
    pub fn server_error() -> Self {
        Self::failing(Failure::Status {
            status: 500,
            retry_after: None,
        })
    }

    /// The connection is dropped without an answer.
    pub fn drop_connection() -> Self {
        Self::failing(Failure::DropConnection)
    }

    /// Applies to the next `n` requests only.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Adds latency before the failure.
    pub fn after(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    fn failing(failure: Failure) -> Self {
        Self {
            latency: Duration::ZERO,
            failure: Some(failure),
            times: None,
        }
    }

    /// Takes one use of the fault; `false` once it is used up.
    pub(crate) fn take(&mut self) -> bool {
        match &mut self.times {
            None => true,
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
        }
    }
}
