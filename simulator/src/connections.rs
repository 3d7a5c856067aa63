//! The simulator's connections: each one closed after a time without a request, and their
//! number capped. At the cap, or when the process runs out of file descriptors, the
//! connection idle the longest makes room for the new one; when every connection is busy,
//! the next waits in the kernel's queue. Failures to accept pause the loop briefly, so that
//! running out of descriptors never turns into a busy loop.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::server::lock;

/// How long accepting pauses after a failure it could not make room for.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
/// How long an evicted connection is given to close (and free its descriptor).
const CLOSE_WAIT: Duration = Duration::from_millis(100);
/// How many clients the kernel queues while the simulator is at its cap.
pub(crate) const BACKLOG: u32 = 4096;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long a client may take to send its request headers.
    pub header_timeout: Duration,
    /// How long a connection may stay without a request in progress.
    pub idle_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: usize,
}

/// Whether a connection is handling a request, and since when it has not been.
#[derive(Debug)]
struct Activity {
    requests: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    fn new() -> Self {
        Self {
            requests: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        }
    }

    fn idle_since(&self) -> Option<Instant> {
        (self.requests.load(Ordering::Acquire) == 0).then(|| *lock(&self.idle_since))
    }
}

struct Entry {
    activity: Arc<Activity>,
    close: Arc<Notify>,
}

/// The open connections.
#[derive(Default)]
struct Registry {
    open: Mutex<(u64, HashMap<u64, Entry>)>,
    /// Signalled when a connection ends.
    ended: Notify,
}

impl Registry {
    fn register(&self) -> (u64, Arc<Activity>, Arc<Notify>) {
        let mut open = lock(&self.open);
        open.0 += 1;
        let id = open.0;
        let activity = Arc::new(Activity::new());
        let close = Arc::new(Notify::new());
        open.1.insert(
            id,
            Entry {
                activity: activity.clone(),
                close: close.clone(),
            },
        );
        (id, activity, close)
    }

    fn remove(&self, id: u64) {
        lock(&self.open).1.remove(&id);
        self.ended.notify_waiters();
    }

    fn len(&self) -> usize {
        lock(&self.open).1.len()
    }

    /// Closes the connection idle the longest and waits (briefly) until it has ended, so that
    /// its descriptor is free; `false` when every connection is busy.
    async fn make_room(&self) -> bool {
        let ended = self.ended.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        if !self.evict_idle() {
            return false;
        }
        let _ = tokio::time::timeout(CLOSE_WAIT, ended).await;
        true
    }

    /// Closes the connection idle the longest; `false` when every one is busy.
    fn evict_idle(&self) -> bool {
        let mut open = lock(&self.open);
        let oldest = open
            .1
            .iter()
            .filter_map(|(id, entry)| entry.activity.idle_since().map(|since| (since, *id)))
            .min();
        match oldest.and_then(|(_, id)| open.1.remove(&id)) {
            Some(entry) => {
                entry.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Accepts connections until dropped, serving each with `app` within `limits`.
pub(crate) async fn serve(listener: tokio::net::TcpListener, app: axum::Router, limits: Limits) {
    let registry = Arc::new(Registry::default());
    loop {
        if registry.len() >= limits.max_connections && !registry.make_room().await {
            // Every connection is busy: the next client waits in the kernel's queue until one
            // ends.
            tokio::select! {
                _ = registry.ended.notified() => {}
                _ = tokio::time::sleep(ACCEPT_PAUSE) => {}
            }
            continue;
        }
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors, most likely: free one held by an idle client; with none
                // to free, pause, so that a failure that persists is not a busy loop.
                if !registry.make_room().await {
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                }
                continue;
            }
        };
        let (id, activity, close) = registry.register();
        let registry = registry.clone();
        let service = TowerToHyperService::new(Tracked {
            app: app.clone(),
            activity: activity.clone(),
        });
        tokio::spawn(async move {
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            // A connection that fails, idles too long or is evicted concerns that client
            // only; dropping it closes the socket.
            tokio::select! {
                _ = connection => {}
                _ = close.notified() => {}
                _ = idle(&activity, limits.idle_timeout) => {}
            }
            registry.remove(id);
        });
    }
}

/// Ends when the connection has been without a request for `timeout`.
async fn idle(activity: &Activity, timeout: Duration) {
    loop {
        let until = match activity.idle_since() {
            Some(since) if since.elapsed() >= timeout => return,
            Some(since) => since + timeout,
            None => Instant::now() + timeout,
        };
        tokio::time::sleep_until(until).await;
    }
}

/// The app, counting the requests in progress on one connection.
#[derive(Clone)]
struct Tracked {
    app: axum::Router,
    activity: Arc<Activity>,
}

impl<B> tower_service::Service<http::Request<B>> for Tracked
where
    axum::Router: tower_service::Service<http::Request<B>>,
    <axum::Router as tower_service::Service<http::Request<B>>>::Future: Send + 'static,
{
    type Response = <axum::Router as tower_service::Service<http::Request<B>>>::Response;
    type Error = <axum::Router as tower_service::Service<http::Request<B>>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower_service::Service::poll_ready(&mut self.app, cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        self.activity.requests.fetch_add(1, Ordering::AcqRel);
        let answer = tower_service::Service::call(&mut self.app, request);
        let activity = self.activity.clone();
        Box::pin(async move {
            let answer = answer.await;
            *lock(&activity.idle_since) = Instant::now();
            activity.requests.fetch_sub(1, Ordering::AcqRel);
            answer
        })
    }
}
