//! The API gateway's throttling: a quota of calls per period for each operation, per user,
//! answered with the gateway's own 429 (`APIG.0308`) and `Retry-After`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// At most `calls` calls per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Calls allowed per period (at least 1).
    pub calls: u32,
    /// The period.
    pub period: Duration,
}

impl Quota {
    /// Reads `N/min` or `N/s` (`N/m`, `N/minute`, `N/second` too).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (calls, unit) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?}: give calls per period, as 100/min or 5/s"))?;
        let calls: u32 = calls
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                format!("{text:?}: the number of calls must be a whole number above 0")
            })?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            other => return Err(format!("{text:?}: unknown period {other:?} (min or s)")),
        };
        Ok(Self { calls, period })
    }
}

/// One operation's bucket: a call takes a token; tokens come back at the quota's rate, up to
/// one period's worth.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Every throttled operation's bucket.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    buckets: HashMap<String, Bucket>,
}

impl Buckets {
    /// Takes a token for a call of `operation` at `now`; when there is none, how long until
    /// there is one.
    pub fn take(&mut self, operation: &str, quota: Quota, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(quota.calls);
        let per_token = quota.period.as_secs_f64() / capacity;
        let bucket = self.buckets.entry(operation.to_string()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let refilled = now.saturating_duration_since(bucket.last).as_secs_f64() / per_token;
        bucket.tokens = (bucket.tokens + refilled).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) * per_token))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_allows_a_period_worth_then_its_rate() {
        let quota = Quota::parse("4/s").unwrap();
        assert_eq!(
            quota,
            Quota {
                calls: 4,
                period: Duration::from_secs(1)
            }
        );
        assert_eq!(
            Quota::parse("20/min").unwrap().period,
            Duration::from_secs(60)
        );
        assert!(
            Quota::parse("0/s").is_err()
                && Quota::parse("3/h").is_err()
                && Quota::parse("3").is_err()
        );
        let mut buckets = Buckets::default();
        let start = Instant::now();
        for _ in 0..4 {
            assert!(buckets.take("op", quota, start).is_ok());
        }
        let wait = buckets.take("op", quota, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.25).abs() < 1e-6, "{wait:?}");
        assert!(buckets.take("other", quota, start).is_ok());
        assert!(buckets
            .take("op", quota, start + Duration::from_millis(250))
            .is_ok());
        assert!(buckets
            .take("op", quota, start + Duration::from_millis(260))
            .is_err());
    }
}
