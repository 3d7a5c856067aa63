//! When a failed attempt is sent again, and after how long: the one place that decides.
//!
//! Retries are opt-in. Each attempt's outcome goes through named classifiers in priority
//! order, as smithy-rs orders its retry classifiers; the first that has an opinion decides.
//! The batch operations are not idempotent, so a POST that may have reached the server is
//! never sent again: only a failure to connect is retried for it. `Retry-After` is honoured in
//! full or not at all.

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};

/// How failed attempts are retried. [`RetryPolicy::default`] never retries.
///
/// ```
/// use std::time::Duration;
/// use huaweicloud_workspace::RetryPolicy;
///
/// let policy = RetryPolicy::standard(3).with_backoff(Duration::from_millis(100), Duration::from_secs(5));
/// assert_eq!(policy.max_attempts(), 3);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
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

    /// Up to `max_attempts` attempts in all, with jittered exponential backoff from 200 ms
    /// to 20 s.
    pub fn standard(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::none()
        }
    }

    /// The backoff before the first retry, doubling on each further one up to `max`.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The longest `Retry-After` waited for (default 60 s); a server asking for more gets no
    /// retry (its answer is returned) rather than an early one.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Attempts in all, the first included (1: no retry).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff before retry number `retry` (1-based): full jitter over
    /// `initial × 2^(retry-1)`, capped at the maximum. `random` is uniform in [0, 1).
    fn backoff(&self, retry: u32, random: f64) -> Duration {
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
pub(crate) enum Outcome<'a> {
    /// An answer with this status and `Retry-After` header arrived.
    Answer(StatusCode, Option<&'a str>),
    /// The connection could not be made: the request never left.
    ConnectFailed,
    /// Anything else: a timeout or failure after the request may have been sent.
    MaybeSent,
}

impl<'a> Outcome<'a> {
    /// The outcome of an attempt as the HTTP client reports it.
    pub(crate) fn of(result: &'a reqwest::Result<reqwest::Response>) -> Self {
        match result {
            Ok(response) => Outcome::Answer(
                response.status(),
                response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()),
            ),
            Err(error) if error.is_connect() => Outcome::ConnectFailed,
            Err(_) => Outcome::MaybeSent,
        }
    }
}

/// The decision for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Return this attempt's outcome to the caller.
    Stop,
    /// Send the request again after this delay.
    RetryAfter(Duration),
}

/// A named rule: `Some(true)` retry, `Some(false)` never, `None` no opinion.
type Classifier = fn(&Method, &Outcome<'_>) -> Option<bool>;

/// The rules, first match wins.
const CLASSIFIERS: [(&str, Classifier); 5] = [
    ("the connection was never made", |_, outcome| {
        matches!(outcome, Outcome::ConnectFailed).then_some(true)
    }),
    (
        "a request that is not idempotent may have arrived",
        |method, _| (!is_idempotent(method)).then_some(false),
    ),
    ("throttled", |_, outcome| {
        matches!(outcome, Outcome::Answer(StatusCode::TOO_MANY_REQUESTS, _)).then_some(true)
    }),
    ("a server error", |_, outcome| {
        matches!(outcome, Outcome::Answer(status, _) if status.is_server_error()).then_some(true)
    }),
    ("a transport failure after sending", |_, outcome| {
        matches!(outcome, Outcome::MaybeSent).then_some(true)
    }),
];

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// Whether to retry attempt number `attempt` (1-based) of a request with `method`, and when.
/// `random` (uniform in [0, 1)) jitters the backoff; `now` reads `Retry-After` dates.
pub(crate) fn decide(
    policy: &RetryPolicy,
    method: &Method,
    attempt: u32,
    outcome: Outcome<'_>,
    now: SystemTime,
    random: f64,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let verdict = CLASSIFIERS.iter().find_map(|(rule, classify)| {
        let verdict = classify(method, &outcome)?;
        tracing::trace!(rule, retry = verdict, "retry classifier");
        Some(verdict)
    });
    if verdict != Some(true) {
        return Decision::Stop;
    }
    let backoff = policy.backoff(attempt, random);
    let asked = match outcome {
        Outcome::Answer(_, Some(value)) => retry_after(value, now),
        _ => None,
    };
    match asked {
        // Waiting less than asked would be refused again: give the answer back instead.
        Some(asked) if asked > policy.max_retry_after => Decision::Stop,
        Some(asked) => Decision::RetryAfter(asked.max(backoff)),
        None => Decision::RetryAfter(backoff),
    }
}

/// The delay a `Retry-After` header asks for: delta-seconds or an HTTP date.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
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

    fn decision(method: Method, outcome: Outcome<'_>) -> Decision {
        let policy = RetryPolicy::standard(3);
        decide(&policy, &method, 1, outcome, SystemTime::UNIX_EPOCH, 0.5)
    }

    fn retried(method: Method, outcome: Outcome<'_>) -> bool {
        decision(method, outcome) != Decision::Stop
    }

    #[test]
    fn posts_are_retried_only_when_the_connection_failed() {
        assert!(retried(Method::POST, Outcome::ConnectFailed));
        assert!(!retried(Method::POST, Outcome::MaybeSent));
        assert!(!retried(
            Method::POST,
            Outcome::Answer(StatusCode::SERVICE_UNAVAILABLE, None)
        ));
        assert!(!retried(
            Method::POST,
            Outcome::Answer(StatusCode::TOO_MANY_REQUESTS, None)
        ));
    }

    #[test]
    fn gets_are_retried_on_429_5xx_and_transport_failures() {
        assert!(retried(
            Method::GET,
            Outcome::Answer(StatusCode::TOO_MANY_REQUESTS, None)
        ));
        assert!(retried(
            Method::GET,
            Outcome::Answer(StatusCode::BAD_GATEWAY, None)
        ));
        assert!(retried(Method::GET, Outcome::MaybeSent));
        assert!(!retried(
            Method::GET,
            Outcome::Answer(StatusCode::NOT_FOUND, None)
        ));
        assert!(!retried(Method::GET, Outcome::Answer(StatusCode::OK, None)));
        assert!(!retried(
            Method::GET,
            Outcome::Answer(StatusCode::FOUND, None)
        ));
    }

    #[test]
    fn the_last_attempt_is_never_retried() {
        let policy = RetryPolicy::standard(2);
        let outcome = Outcome::Answer(StatusCode::BAD_GATEWAY, None);
        let now = SystemTime::UNIX_EPOCH;
        assert_ne!(
            decide(&policy, &Method::GET, 1, outcome, now, 0.5),
            Decision::Stop
        );
        assert_eq!(
            decide(&policy, &Method::GET, 2, outcome, now, 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_in_full_or_not_at_all() {
        assert_eq!(
            decision(
                Method::GET,
                Outcome::Answer(StatusCode::TOO_MANY_REQUESTS, Some("3"))
            ),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            decision(
                Method::GET,
                Outcome::Answer(StatusCode::TOO_MANY_REQUESTS, Some("3600"))
            ),
            Decision::Stop
        );
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
