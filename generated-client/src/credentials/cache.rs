//! The credentials a client holds, renewed from their provider before they expire.
//!
//! Every call reads the cache. Credentials without an expiry are kept for good. Those with
//! one are renewed when less than [`RENEWAL_MARGIN`] of their life is left, or a tenth of the
//! time they were given for when that is shorter (keys that live 20 seconds are renewed 2
//! seconds before they expire, not at every call). One renewal is in flight at a time: the
//! calls that find the credentials due wait for it, and take its result. A renewal that fails
//! while the credentials held are still valid leaves them in use (and is tried again at the
//! next call); once they have expired, the failure is the call's.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use crate::credentials::{Credentials, CredentialsError, ProvideCredentials};

/// Credentials are renewed when less than this is left of their life (the official SDKs'
/// 40 minutes), or a tenth of their life when that is shorter.
pub const RENEWAL_MARGIN: Duration = Duration::from_secs(40 * 60);

/// Credentials held, and when they were received.
#[derive(Clone)]
struct Held {
    credentials: Arc<Credentials>,
    received: SystemTime,
}

impl Held {
    /// Whether they should be renewed at `now`.
    fn due(&self, now: SystemTime) -> bool {
        let Some(expires) = self.credentials.expires_at() else {
            return false;
        };
        let life = expires.duration_since(self.received).unwrap_or_default();
        let margin = RENEWAL_MARGIN.min(life / 10);
        now + margin >= expires
    }

    /// Whether they can still sign at `now`.
    fn valid(&self, now: SystemTime) -> bool {
        self.credentials
            .expires_at()
            .is_none_or(|expires| now < expires)
    }
}

/// The cache of one configuration (shared by every clone of its client).
pub(crate) struct CredentialsCache {
    provider: Arc<dyn ProvideCredentials>,
    held: RwLock<Option<Held>>,
    renewal: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self.held.read().ok().and_then(|h| h.clone());
        f.debug_struct("CredentialsCache")
            .field("provider", &self.provider)
            .field("held", &held.map(|h| h.credentials))
            .finish()
    }
}

impl CredentialsCache {
    /// A cache of `provider`'s credentials, holding `initial` (at `now`) when given.
    pub fn new(
        provider: Arc<dyn ProvideCredentials>,
        initial: Option<Credentials>,
        now: SystemTime,
    ) -> Self {
        Self {
            provider,
            held: RwLock::new(initial.map(|credentials| Held {
                credentials: Arc::new(credentials),
                received: now,
            })),
            renewal: tokio::sync::Mutex::new(()),
        }
    }

    /// The credentials held, if they need no renewal at `now`.
    fn fresh(&self, now: SystemTime) -> Option<Arc<Credentials>> {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|h| !h.due(now))
            .map(|h| h.credentials.clone())
    }

    /// The credentials held, whether due or not, if they are still valid at `now`.
    fn still_valid(&self, now: SystemTime) -> Option<Arc<Credentials>> {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|h| h.valid(now))
            .map(|h| h.credentials.clone())
    }

    /// The credentials held now, if any (for messages about them).
    pub fn held(&self) -> Option<Arc<Credentials>> {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref().map(|h| h.credentials.clone())
    }

    /// The credentials to sign with at the time `clock` gives, renewed first when due.
    pub async fn get(
        &self,
        clock: &dyn crate::clock::Clock,
    ) -> Result<Arc<Credentials>, CredentialsError> {
        if let Some(credentials) = self.fresh(clock.now()) {
            return Ok(credentials);
        }
        let _renewing = self.renewal.lock().await;
        // Another call may have renewed them while this one waited.
        if let Some(credentials) = self.fresh(clock.now()) {
            return Ok(credentials);
        }
        let renewed = self.provider.provide_credentials().await;
        let now = clock.now();
        match renewed {
            Ok(credentials) => {
                if let Some(expired) = credentials.expires_at().filter(|at| *at <= now) {
                    return self.still_valid(now).ok_or(CredentialsError::Expired {
                        expired: crate::clock::iso_date(expired),
                    });
                }
                tracing::debug!(
                    expires_at = ?credentials.expires_at().map(crate::clock::iso_date),
                    "credentials renewed"
                );
                let credentials = Arc::new(credentials);
                *self.held.write().unwrap_or_else(|e| e.into_inner()) = Some(Held {
                    credentials: credentials.clone(),
                    received: now,
                });
                Ok(credentials)
            }
            Err(error) => match self.still_valid(now) {
                Some(credentials) => {
                    tracing::warn!(%error, "renewing the credentials failed; the current ones are still valid");
                    Ok(credentials)
                }
                None => Err(error),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FixedClock};
    use crate::credentials::ProvideFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Gives keys that live `life` from the clock it is built with, counting its answers.
    #[derive(Debug)]
    struct Counting {
        clock: Arc<std::sync::Mutex<SystemTime>>,
        life: Duration,
        asked: AtomicUsize,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            Box::pin(async move {
                let n = self.asked.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                let now = *self.clock.lock().unwrap();
                Ok(
                    Credentials::temporary(format!("AK{n}"), "SK", "T")
                        .expiring_at(now + self.life),
                )
            })
        }
    }

    #[derive(Debug)]
    struct Shared(Arc<std::sync::Mutex<SystemTime>>);

    impl crate::clock::Clock for Shared {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    #[tokio::test]
    async fn many_callers_share_one_renewal_and_renew_before_the_expiry() {
        let time = Arc::new(std::sync::Mutex::new(
            FixedClock::at_unix(1_800_000_000).now(),
        ));
        let provider = Arc::new(Counting {
            clock: time.clone(),
            life: Duration::from_secs(20),
            asked: AtomicUsize::new(0),
        });
        let cache = Arc::new(CredentialsCache::new(
            provider.clone(),
            None,
            *time.lock().unwrap(),
        ));
        let clock = Arc::new(Shared(time.clone()));
        let callers: Vec<_> = (0..64)
            .map(|_| {
                let (cache, clock) = (cache.clone(), clock.clone());
                tokio::spawn(async move { cache.get(clock.as_ref()).await.unwrap() })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap().access_key(), Some("AK0"));
        }
        assert_eq!(
            provider.asked.load(Ordering::SeqCst),
            1,
            "one renewal for 64 callers"
        );

        // 17 s later: not yet due (the margin is a tenth of 20 s).
        *time.lock().unwrap() += Duration::from_secs(17);
        assert_eq!(
            cache.get(clock.as_ref()).await.unwrap().access_key(),
            Some("AK0")
        );
        // 18 s: due, renewed once.
        *time.lock().unwrap() += Duration::from_secs(1);
        assert_eq!(
            cache.get(clock.as_ref()).await.unwrap().access_key(),
            Some("AK1")
        );
        assert_eq!(
            cache.get(clock.as_ref()).await.unwrap().access_key(),
            Some("AK1")
        );
        assert_eq!(provider.asked.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn credentials_without_an_expiry_are_kept_and_expired_ones_are_refused() {
        let now = FixedClock::at_unix(1_800_000_000).now();
        let keep = CredentialsCache::new(
            Arc::new(Credentials::ak_sk("A", "S")),
            Some(Credentials::ak_sk("A", "S")),
            now,
        );
        assert_eq!(
            keep.get(&FixedClock::at_unix(2_000_000_000))
                .await
                .unwrap()
                .access_key(),
            Some("A")
        );

        let expired = Credentials::temporary("A", "S", "T").expiring_at(now);
        let cache = CredentialsCache::new(Arc::new(expired), None, now);
        let error = cache
            .get(&FixedClock::at_unix(1_800_000_001))
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the credentials expired at 2027-01-15T08:00:00Z"
        );
    }
}
