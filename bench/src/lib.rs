//! Tools for side-by-side measurements: a minimal loopback server and a closed-loop load
//! generator that reports median latency and requests per second.

#![warn(missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

/// The answer to the job query, and to batch-attach.
pub const JOB_BODY: &str = r#"{"id":"3979904c-7beb-4f34-835f-2fa989a5550a","job_type":"BATCH_ATTACH_INSTANCES","status":"RUNNING","sub_jobs_total":1,"sub_jobs":[{"id":"s1","status":"RUNNING","entities":{"desktop_id":"b41a8cc1-4813-47a0-bf3a-7800fcd5b581"}}]}"#;
/// The answer to batch-attach.
pub const ATTACH_BODY: &str = r#"{"job_id":"3979904c-7beb-4f34-835f-2fa989a5550a"}"#;

/// A minimal server: fixed JSON answers, no checks, on `listener`.
pub async fn serve_fixed(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use axum::routing::{get, post};
    let json = |body: &'static str| {
        move || async move {
            (
                [
                    ("content-type", "application/json"),
                    ("x-request-id", "bench"),
                ],
                body,
            )
        }
    };
    let app = axum::Router::new()
        .route(
            "/v2/{project_id}/workspace-jobs/{job_id}",
            get(json(JOB_BODY)),
        )
        .route(
            "/v2/{project_id}/desktops/batch-attach",
            post(json(ATTACH_BODY)),
        )
        .route(
            "/v2/{project_id}/desktops/batch-detach",
            post(json(ATTACH_BODY)),
        )
        .route(
            "/v2/{project_id}/desktops/change-user-privilege-group",
            post(json(ATTACH_BODY)),
        );
    axum::serve(listener, app).await
}

/// What one measurement found.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Which client.
    pub variant: String,
    /// Which operation.
    pub operation: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Successful requests in the measured window.
    pub requests: usize,
    /// Failed requests (must be 0 for the figures to count).
    pub failures: usize,
    /// Requests per second.
    pub rps: f64,
    /// Median latency, microseconds.
    pub median_us: f64,
    /// 99th percentile latency, microseconds.
    pub p99_us: f64,
    /// CPU time of this process (user and system, every thread) per measured request,
    /// microseconds: what the client costs, which latency under load only shows indirectly.
    pub cpu_us_per_request: f64,
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `call` in `concurrency` closed loops for `warmup`, then measures for `duration`.
pub async fn measure<F, Fut>(
    variant: &str,
    operation: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    call: F,
) -> Stats
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let began = Instant::now();
                if began >= end {
                    break;
                }
                let ok = call().await;
                if began >= start {
                    if ok {
                        latencies.push(began.elapsed());
                    } else {
                        failures += 1;
                    }
                }
            }
            (latencies, failures)
        }));
    }
    tokio::time::sleep_until(start.into()).await;
    let cpu_at_start = cpu_seconds();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await.expect("load task");
        latencies.extend(l);
        failures += f;
    }
    let cpu = cpu_seconds() - cpu_at_start;
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    Stats {
        variant: variant.to_string(),
        operation: operation.to_string(),
        concurrency,
        requests: latencies.len(),
        failures,
        rps: latencies.len() as f64 / duration.as_secs_f64(),
        median_us: at(0.5),
        p99_us: at(0.99),
        cpu_us_per_request: cpu * 1e6 / latencies.len().max(1) as f64,
    }
}

/// Runs exactly `requests` calls in `concurrency` closed loops and returns how many failed:
/// for counting the instructions a client spends per request (`bench/instructions.sh`),
/// which wall-clock figures on a shared machine cannot resolve to a few percent.
pub async fn run_count<F, Fut>(concurrency: usize, requests: usize, call: F) -> usize
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let mut tasks = Vec::with_capacity(concurrency);
    for task in 0..concurrency {
        // The first `requests % concurrency` loops take one call more.
        let calls = requests / concurrency + usize::from(task < requests % concurrency);
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = 0;
            for _ in 0..calls {
                if !call().await {
                    failures += 1;
                }
            }
            failures
        }));
    }
    let mut failures = 0;
    for task in tasks {
        failures += task.await.expect("load task");
    }
    failures
}

/// A fixed-count run, printed as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct CountRun {
    /// Which client.
    pub variant: String,
    /// Which operation.
    pub operation: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Calls made.
    pub requests: usize,
    /// Calls that failed (must be 0 for the count to mean anything).
    pub failures: usize,
}

/// One call of an operation through one client, boxed so that every client runs the same
/// loops; `true` when it succeeded.
pub type Call = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// `f` as a [`Call`].
pub fn call<F, Fut>(f: F) -> Call
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    Arc::new(move || Box::pin(f()))
}

/// One point of a harness, as the JSON line it prints: a fixed-count run of `requests`
/// calls when given (for counting instructions), else a timed [`measure`].
pub async fn point(
    variant: &str,
    operation: &str,
    concurrency: usize,
    requests: Option<usize>,
    (warmup, duration): (Duration, Duration),
    call: &Call,
) -> String {
    let call = call.clone();
    let line = match requests {
        Some(requests) => serde_json::to_string(&CountRun {
            variant: variant.into(),
            operation: operation.into(),
            concurrency,
            requests,
            failures: run_count(concurrency, requests, move || call()).await,
        }),
        None => serde_json::to_string(
            &measure(
                variant,
                operation,
                concurrency,
                warmup,
                duration,
                move || call(),
            )
            .await,
        ),
    };
    line.expect("the figures serialize")
}
