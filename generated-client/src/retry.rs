//! When a failed attempt is sent again, and after how long.
//!
//! Retries are opt-in. A safe request (the job query) may be retried on 429, 5xx and
//! connection failures; a POST that may have reached the server is never sent again, because
//! the batch operations are not idempotent: only a failure to connect is retried for them.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// How failed attempts are retried. [`RetryPolicy::default`] never retries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles on each further retry.
    pub initial_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// Longest `Retry-After` waited for; a server asking for more gets no retry (its answer
    /// is returned), rather than an early one.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// Up to `max_attempts` attempts with jittered exponential backoff from 200 ms to 20 s.
    pub fn standard(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::none()
        }
    }

    /// Backoff before retry number `retry` (1-based): full jitter over
    /// `initial × 2^(retry-1)`, capped at `max_backoff`. `random` is uniform in [0, 1).
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response with this status arrived.
    Status(StatusCode),
    /// The connection could not be made: the request never left.
    ConnectFailed,
    /// Anything else: a timeout or failure after the request may have been sent.
    MaybeSent,
}

/// Whether an attempt with `outcome` may be retried, for a request with `method`.
pub fn is_retryable(method: &Method, outcome: Outcome) -> bool {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match outcome {
        Outcome::ConnectFailed => true,
        Outcome::MaybeSent => safe,
        Outcome::Status(status) => {
            safe && (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
        }
    }
}

/// The delay a `Retry-After` header asks for: delta-seconds or an HTTP date.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_retried_only_when_the_connection_failed() {
        assert!(is_retryable(&Method::POST, Outcome::ConnectFailed));
        assert!(!is_retryable(&Method::POST, Outcome::MaybeSent));
        assert!(!is_retryable(
            &Method::POST,
            Outcome::Status(StatusCode::SERVICE_UNAVAILABLE)
        ));
        assert!(!is_retryable(
            &Method::POST,
            Outcome::Status(StatusCode::TOO_MANY_REQUESTS)
        ));
    }

    #[test]
    fn gets_are_retried_on_429_5xx_and_transport_failures() {
        assert!(is_retryable(
            &Method::GET,
            Outcome::Status(StatusCode::TOO_MANY_REQUESTS)
        ));
        assert!(is_retryable(
            &Method::GET,
            Outcome::Status(StatusCode::BAD_GATEWAY)
        ));
        assert!(is_retryable(&Method::GET, Outcome::MaybeSent));
        assert!(!is_retryable(
            &Method::GET,
            Outcome::Status(StatusCode::NOT_FOUND)
        ));
        assert!(!is_retryable(&Method::GET, Outcome::Status(StatusCode::OK)));
    }

    #[test]
    fn backoff_doubles_within_the_cap_and_jitter_scales_it() {
        let policy = RetryPolicy::standard(5);
        assert_eq!(policy.backoff(1, 0.999_999_9).as_millis(), 199);
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(400));
        assert_eq!(policy.backoff(30, 1.0), Duration::from_secs(20));
        assert_eq!(policy.backoff(2, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 25 Nov 2026 10:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after("Wed, 25 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
