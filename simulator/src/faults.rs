//! Faults injected per operation, so that retries and timeouts can be tested for real.

use std::time::Duration;

/// What goes wrong with the next requests of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Added before anything else happens.
    pub latency: Duration,
    /// Added after the operation was carried out, before its answer goes out: a client that
    /// gives up (or dies) meanwhile does not know the call took effect.
    pub answer_latency: Duration,
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
            answer_latency: Duration::ZERO,
            failure: None,
            times: None,
        }
    }

    /// Carries the operation out, then holds its answer back for `latency`.
    pub fn slow_answer(latency: Duration) -> Self {
        Self {
            answer_latency: latency,
            ..Self::latency(Duration::ZERO)
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
            failure: Some(failure),
            ..Self::latency(Duration::ZERO)
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
