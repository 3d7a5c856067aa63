//! The run itself: replay the journal, reconcile what was sent without an answer, look the
//! desktops up, then send chunks at the paced rate, follow their jobs and record every
//! answer, until every row has ended or nothing more can be done now.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::desired::{standing, Standing};
use super::journal::{Failure, Journal, JournalError, Record, VERSION};
use super::outcome::{Outcome, RowOutcome, RowState, Summary};
use super::{Accepted, Row, Shape};
use crate::error::Error;
use crate::types::{DesktopDetail, JobDetailInfo, ShowJobResponse};
use crate::{Client, JobState, WaitOptions};

/// Calls per minute a run sends when not told otherwise: well under what the gateway
/// lets one user send, so that a run leaves room for the user's other tools.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 20;
/// Calls whose job has not ended, at most, when not told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Throttled answers in a row after which a run stops (resumable), rather than wait on.
const MAX_THROTTLES: u32 = 50;
/// Failed connections in a row after which a run stops (resumable).
const MAX_CONNECT_FAILURES: u32 = 5;
/// Sends of a row whose outcome was unknown, and not applied, before the row fails.
const MAX_SENDS: u32 = 3;
/// The longest pause before sending again after a throttled or unconnected call.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often a desktop busy with an operation is looked at again while reconciling.
const BUSY_POLL: Duration = Duration::from_secs(2);
/// Up to this many desktops are looked up one by one; more, by listing every desktop.
const FEW_DESKTOPS: usize = 50;

/// How a run sends.
///
/// ```
/// use huaweicloud_workspace::fleet::Options;
///
/// let options = Options::default().with_rate_per_minute(60).with_concurrency(4).resume(true);
/// assert_eq!(options.rate_per_minute(), 60);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    rate_per_minute: u32,
    concurrency: usize,
    resume: bool,
    retry_failed: bool,
    dry_run: bool,
    wait: WaitOptions,
    reconcile_delay: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
            concurrency: DEFAULT_CONCURRENCY,
            resume: false,
            retry_failed: false,
            dry_run: false,
            wait: WaitOptions::default(),
            reconcile_delay: None,
        }
    }
}

impl Options {
    /// At most `rate` calls per minute (1 to 60,000), evenly spaced.
    pub fn with_rate_per_minute(mut self, rate: u32) -> Self {
        self.rate_per_minute = rate.clamp(1, 60_000);
        self
    }

    /// At most `concurrency` calls whose job has not ended (at least 1).
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Continue the run the journal holds (without it, a journal that holds a run is
    /// refused).
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Continue the run the journal holds, sending its failed rows again.
    pub fn retry_failed(mut self, retry: bool) -> Self {
        self.retry_failed = retry;
        self
    }

    /// Look up and plan, send nothing and write no journal.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// How long and how often each job is polled.
    pub fn with_wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// How long after a call whose outcome is unknown its desktops are looked up (default:
    /// the client's call timeout, the longest the call could have taken).
    pub fn with_reconcile_delay(mut self, delay: Duration) -> Self {
        self.reconcile_delay = Some(delay);
        self
    }

    /// Calls per minute.
    pub fn rate_per_minute(&self) -> u32 {
        self.rate_per_minute
    }

    /// Calls whose job has not ended, at most.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }
}

/// Where a run stands, after each answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Rows in the file.
    pub rows: usize,
    /// Rows applied.
    pub applied: usize,
    /// Rows already in place.
    pub in_place: usize,
    /// Rows failed.
    pub failed: usize,
    /// Rows in a call or job not ended.
    pub in_flight: usize,
    /// Rows not sent yet.
    pub queued: usize,
    /// Calls sent, over the whole journal.
    pub calls: usize,
    /// Calls the gateway throttled, over the whole journal.
    pub throttled: usize,
    /// Time since this run started.
    pub elapsed: Duration,
}

/// A run that could not go on. Its journal is consistent: resume it once the cause is
/// fixed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// The journal cannot be used.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Looking the desktops up failed before anything was sent.
    #[error("looking the desktops up failed, nothing sent: {0}")]
    Lookup(#[source] Error),
    /// A call failed in a way no other call would escape (credentials, configuration,
    /// authentication, no connection): the run stopped.
    #[error("the run stopped after a call failed (resume it with the same journal): {0}")]
    Stopped(#[source] Error),
    /// The gateway throttled the same call too many times in a row.
    #[error("the gateway throttled {0} calls in a row; the run stopped (resume it later)")]
    Throttled(u32),
}

/// Runs `rows` of `shape`'s operation with `journal` (see the [module](super)). `rows_source`
/// is the rows file as read: a resume with other rows is refused. `progress` is called after
/// each answer.
pub async fn run(
    client: &Client,
    shape: &'static Shape,
    rows: &[Row],
    rows_source: &[u8],
    journal: &Path,
    options: &Options,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<Outcome, FleetError> {
    let start = Record::Start {
        version: VERSION,
        operation: shape.operation.to_string(),
        rows_digest: digest(rows_source),
        rows: rows.len(),
    };
    let mut ledger = Ledger::new(rows.len());
    if options.dry_run {
        let (records, _, _) = Journal::read(journal)?;
        check_start(journal, &records, &start, true)?;
        records.iter().for_each(|r| ledger.apply(r));
        if options.retry_failed {
            ledger.apply(&Record::Retry {
                rows: ledger.failed_rows(),
            });
        }
        return plan_only(client, shape, rows, ledger).await;
    }
    let (mut file, records) = Journal::open(journal)?;
    check_start(
        journal,
        &records,
        &start,
        options.resume || options.retry_failed,
    )?;
    records.iter().for_each(|r| ledger.apply(r));
    let mut run = Run {
        client,
        shape,
        rows,
        options,
        journal: &mut file,
        ledger,
        tasks: JoinSet::new(),
        active: BTreeSet::new(),
        solo: BTreeSet::new(),
        next_send: Instant::now(),
        throttles_in_a_row: 0,
        connect_failures_in_a_row: 0,
        started: Instant::now(),
    };
    if records.is_empty() {
        run.record(start)?;
    }
    if options.retry_failed {
        let failed = run.ledger.failed_rows();
        if !failed.is_empty() {
            run.record(Record::Retry { rows: failed })?;
        }
    }
    let result = run.drive(progress).await;
    run.tasks.abort_all();
    result?;
    let outcome = run.ledger.outcome(rows, shape, Vec::new());
    if outcome.summary.pending == 0 && !run.ledger.finished {
        run.record(Record::Finished)?;
    }
    Ok(outcome)
}

/// The journal starts with this run's start record, or is empty; it holds a run only when
/// resuming.
fn check_start(
    path: &Path,
    records: &[Record],
    start: &Record,
    resuming: bool,
) -> Result<(), JournalError> {
    let Some(first) = records.first() else {
        return Ok(());
    };
    let Record::Start {
        version,
        operation,
        rows_digest,
        rows,
    } = first
    else {
        return Err(JournalError::Corrupt {
            path: path.to_path_buf(),
            line: 1,
            reason: "a journal starts with the run's start record".into(),
        });
    };
    if first != start {
        let what = if *version != VERSION {
            format!("journal version {version}")
        } else {
            format!("{operation} over {rows} rows (digest {rows_digest})")
        };
        return Err(JournalError::Mismatch {
            path: path.to_path_buf(),
            what,
        });
    }
    if !resuming {
        return Err(JournalError::Exists {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// SHA-256 of the rows file, in hex.
fn digest(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a row is.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    /// To be sent.
    Queued,
    /// So already.
    InPlace,
    /// In a call not answered.
    Sent(u64),
    /// In a call answered, whose job has not ended.
    Job(u64),
    /// Applied, by this request and job.
    Applied(Option<String>, Option<String>),
    /// Failed.
    Failed(Failure),
}

/// A chunk the journal knows.
#[derive(Debug, Clone, Default)]
struct Chunk {
    rows: Vec<usize>,
    at_ms: u64,
    request_id: Option<String>,
    job_id: Option<String>,
}

/// What the journal says of every row: the one state a run reads and writes, always by
/// applying a record, whether replayed or just written.
#[derive(Debug)]
struct Ledger {
    slots: Vec<Slot>,
    sends: Vec<u32>,
    chunks: BTreeMap<u64, Chunk>,
    /// Rows to send alone: the service refused a call that held them.
    solo: BTreeSet<usize>,
    calls: usize,
    throttled: usize,
    finished: bool,
}

impl Ledger {
    fn new(rows: usize) -> Self {
        Self {
            slots: vec![Slot::Queued; rows],
            sends: vec![0; rows],
            chunks: BTreeMap::new(),
            solo: BTreeSet::new(),
            calls: 0,
            throttled: 0,
            finished: false,
        }
    }

    fn set(&mut self, row: usize, slot: Slot) {
        if let Some(place) = self.slots.get_mut(row) {
            *place = slot;
        }
    }

    /// The rows of `chunk` still in `slot`.
    fn rows_in(&self, chunk: u64, slot: &Slot) -> Vec<usize> {
        self.chunks
            .get(&chunk)
            .map(|c| {
                c.rows
                    .iter()
                    .copied()
                    .filter(|r| self.slots.get(*r) == Some(slot))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn apply(&mut self, record: &Record) {
        match record {
            Record::Start { .. } => {}
            Record::InPlace { rows } => rows.iter().for_each(|r| self.set(*r, Slot::InPlace)),
            Record::Sending { chunk, rows, at_ms } => {
                for row in rows {
                    self.set(*row, Slot::Sent(*chunk));
                    if let Some(sends) = self.sends.get_mut(*row) {
                        *sends += 1;
                    }
                }
                self.chunks.insert(
                    *chunk,
                    Chunk {
                        rows: rows.clone(),
                        at_ms: *at_ms,
                        ..Chunk::default()
                    },
                );
                self.calls += 1;
            }
            Record::Answered {
                chunk,
                request_id,
                job_id,
                failed,
            } => {
                let sent = self.rows_in(*chunk, &Slot::Sent(*chunk));
                if let Some(c) = self.chunks.get_mut(chunk) {
                    c.request_id.clone_from(request_id);
                    c.job_id.clone_from(job_id);
                }
                for row in sent {
                    let slot = match job_id {
                        Some(_) => Slot::Job(*chunk),
                        None => Slot::Applied(request_id.clone(), None),
                    };
                    self.set(row, slot);
                }
                self.fail(failed);
            }
            Record::Refused {
                failed, requeued, ..
            } => {
                self.fail(failed);
                for row in requeued {
                    self.set(*row, Slot::Queued);
                    self.solo.insert(*row);
                }
            }
            Record::NotApplied {
                chunk, throttled, ..
            } => {
                for row in self.rows_in(*chunk, &Slot::Sent(*chunk)) {
                    self.set(row, Slot::Queued);
                }
                self.throttled += usize::from(*throttled);
            }
            Record::Reconciled {
                chunk,
                applied,
                pending,
                failed,
            } => {
                let (request_id, job_id) = self
                    .chunks
                    .get(chunk)
                    .map(|c| (c.request_id.clone(), c.job_id.clone()))
                    .unwrap_or_default();
                for row in applied {
                    self.set(*row, Slot::Applied(request_id.clone(), job_id.clone()));
                }
                pending.iter().for_each(|r| self.set(*r, Slot::Queued));
                self.fail(failed);
            }
            Record::JobEnded { chunk, failed, .. } => {
                let (request_id, job_id) = self
                    .chunks
                    .get(chunk)
                    .map(|c| (c.request_id.clone(), c.job_id.clone()))
                    .unwrap_or_default();
                for row in self.rows_in(*chunk, &Slot::Job(*chunk)) {
                    self.set(row, Slot::Applied(request_id.clone(), job_id.clone()));
                }
                self.fail(failed);
            }
            Record::Retry { rows } => rows.iter().for_each(|r| self.set(*r, Slot::Queued)),
            Record::Finished => self.finished = true,
        }
    }

    fn fail(&mut self, failed: &[Failure]) {
        for failure in failed {
            self.set(failure.row, Slot::Failed(failure.clone()));
        }
    }

    fn failed_rows(&self) -> Vec<usize> {
        self.rows_where(|s| matches!(s, Slot::Failed(_)))
    }

    fn rows_where(&self, keep: impl Fn(&Slot) -> bool) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|r| keep(&self.slots[*r]))
            .collect()
    }

    /// Chunks sent and not answered, and chunks whose job has not ended, with their rows.
    fn unfinished(&self) -> (Vec<u64>, Vec<u64>) {
        let mut unanswered = BTreeSet::new();
        let mut jobs = BTreeSet::new();
        for slot in &self.slots {
            match slot {
                Slot::Sent(chunk) => {
                    unanswered.insert(*chunk);
                }
                Slot::Job(chunk) => {
                    jobs.insert(*chunk);
                }
                _ => {}
            }
        }
        (unanswered.into_iter().collect(), jobs.into_iter().collect())
    }

    fn next_chunk_id(&self) -> u64 {
        self.chunks.keys().next_back().map_or(1, |last| last + 1)
    }

    fn progress(&self, elapsed: Duration) -> Progress {
        let mut progress = Progress {
            rows: self.slots.len(),
            calls: self.calls,
            throttled: self.throttled,
            elapsed,
            ..Progress::default()
        };
        for slot in &self.slots {
            match slot {
                Slot::Queued => progress.queued += 1,
                Slot::InPlace => progress.in_place += 1,
                Slot::Sent(_) | Slot::Job(_) => progress.in_flight += 1,
                Slot::Applied(..) => progress.applied += 1,
                Slot::Failed(_) => progress.failed += 1,
            }
        }
        progress
    }

    fn outcome(&self, rows: &[Row], shape: &Shape, plan: Vec<Vec<usize>>) -> Outcome {
        let mut summary = Summary {
            rows: rows.len(),
            calls: self.calls,
            throttled: self.throttled,
            ..Summary::default()
        };
        let rows = rows
            .iter()
            .zip(&self.slots)
            .map(|(row, slot)| {
                let mut outcome = RowOutcome {
                    line: row.line,
                    key: row.key.clone(),
                    state: RowState::Pending,
                    error_code: None,
                    error_msg: None,
                    request_id: None,
                    job_id: None,
                };
                match slot {
                    Slot::InPlace => outcome.state = RowState::InPlace,
                    Slot::Applied(request_id, job_id) => {
                        outcome.state = RowState::Applied;
                        outcome.request_id.clone_from(request_id);
                        outcome.job_id.clone_from(job_id);
                    }
                    Slot::Failed(failure) => {
                        outcome.state = RowState::Failed;
                        outcome.error_code.clone_from(&failure.code);
                        outcome.error_msg.clone_from(&failure.message);
                        outcome.request_id.clone_from(&failure.request_id);
                        outcome.job_id.clone_from(&failure.job_id);
                    }
                    Slot::Queued | Slot::Sent(_) | Slot::Job(_) => {}
                }
                match outcome.state {
                    RowState::Applied => summary.applied += 1,
                    RowState::InPlace => summary.in_place += 1,
                    RowState::Failed => summary.failed += 1,
                    RowState::Pending => summary.pending += 1,
                }
                outcome
            })
            .collect();
        Outcome {
            rows,
            summary,
            chunks: plan,
            key_name: shape.key,
        }
    }
}

/// A dry run: the rows the lookups find in place, and the chunks the others would go in.
async fn plan_only(
    client: &Client,
    shape: &Shape,
    rows: &[Row],
    mut ledger: Ledger,
) -> Result<Outcome, FleetError> {
    let queued = ledger.rows_where(|s| *s == Slot::Queued);
    let (in_place, unknown) = find_in_place(client, shape, rows, &queued).await?;
    ledger.apply(&Record::InPlace { rows: in_place });
    ledger.solo.extend(unknown);
    let mut queue: BTreeSet<usize> = ledger
        .rows_where(|s| *s == Slot::Queued)
        .into_iter()
        .collect();
    let mut plan = Vec::new();
    while let Some(chunk) = next_chunk(shape, rows, &mut queue, &HashSet::new(), &ledger.solo) {
        plan.push(chunk);
    }
    Ok(ledger.outcome(rows, shape, plan))
}

/// Which of `queued` rows are in place already, and which name desktops the lookups do
/// not find (sent alone, so that the service's refusal fails only them).
async fn find_in_place(
    client: &Client,
    shape: &Shape,
    rows: &[Row],
    queued: &[usize],
) -> Result<(Vec<usize>, Vec<usize>), FleetError> {
    if queued.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let keys: BTreeSet<&str> = queued.iter().map(|r| rows[*r].key.as_str()).collect();
    let desktops = look_up(client, &keys).await.map_err(FleetError::Lookup)?;
    let mut in_place = Vec::new();
    let mut unknown = Vec::new();
    for row in queued {
        match desktops.get(rows[*row].key.as_str()) {
            Some(desktop) => {
                if standing(shape.effect, &rows[*row].item, desktop) == Standing::InPlace {
                    in_place.push(*row);
                }
            }
            None => unknown.push(*row),
        }
    }
    Ok((in_place, unknown))
}

/// The desktops named `keys` that exist, as the lookups show them: one by one when few,
/// else by listing every desktop of the project.
async fn look_up(
    client: &Client,
    keys: &BTreeSet<&str>,
) -> Result<HashMap<String, DesktopDetail>, Error> {
    let mut found = HashMap::new();
    if keys.len() <= FEW_DESKTOPS {
        for key in keys {
            match client.show_desktop().desktop_id(*key).send().await {
                Ok(answer) => {
                    if let Some(desktop) = answer.into_inner().desktop {
                        found.insert((*key).to_string(), desktop);
                    }
                }
                Err(error) if error.status() == Some(StatusCode::NOT_FOUND) => {}
                Err(error) => return Err(error),
            }
        }
        return Ok(found);
    }
    for desktop in client.list_desktops().pages().items().await? {
        if let Some(id) = desktop.desktop_id.clone() {
            if keys.contains(id.as_str()) {
                found.insert(id, desktop);
            }
        }
    }
    Ok(found)
}

/// When the call after one sent at `now` may go, `scheduled` being when that one was due:
/// on schedule, one `interval` after it was due (so a late wake-up does not slow the run
/// down); after a pause (waiting for a job slot, a throttle), one `interval` after `now`,
/// never in a burst to catch up.
fn next_send_after(scheduled: Instant, now: Instant, interval: Duration) -> Instant {
    let on_schedule = scheduled + interval;
    if now < on_schedule {
        on_schedule
    } else {
        now + interval
    }
}

/// The next chunk from `queue`, in row order: at most the operation's limit, each desktop
/// once and none that a call in flight names; a row to send alone goes alone.
fn next_chunk(
    shape: &Shape,
    rows: &[Row],
    queue: &mut BTreeSet<usize>,
    busy: &HashSet<&str>,
    solo: &BTreeSet<usize>,
) -> Option<Vec<usize>> {
    let mut chunk = Vec::new();
    let mut keys = HashSet::new();
    for row in queue.iter().copied() {
        let key = rows[row].key.as_str();
        if busy.contains(key) || keys.contains(key) {
            continue;
        }
        if solo.contains(&row) {
            if chunk.is_empty() {
                chunk.push(row);
                break;
            }
            continue;
        }
        chunk.push(row);
        keys.insert(key);
        if chunk.len() == shape.max_items {
            break;
        }
    }
    for row in &chunk {
        queue.remove(row);
    }
    (!chunk.is_empty()).then_some(chunk)
}

/// What a task tells the run.
enum Event {
    /// A chunk's call returned.
    Sent(u64, Result<Accepted, Error>),
    /// Following a chunk's job ended.
    Followed(u64, Result<ShowJobResponse, Error>),
    /// A chunk's desktops were looked up: each row's standing, `None` where it could not
    /// be told.
    Looked(u64, Vec<(usize, Option<Standing>)>),
}

/// How a chunk's call failed, as far as the run is concerned.
enum Failed {
    /// The gateway throttled it (not applied); send again after this long, if it said.
    Throttled(Option<Duration>),
    /// It never reached the service: send again.
    NotSent,
    /// No other call would fare better: stop the run.
    Fatal,
    /// The service refused it (nothing applied): its code, message and request id.
    Refused,
    /// It was never sent: the request breaks a rule.
    Invalid,
    /// It may have been applied: look before sending again.
    Unknown,
}

fn classify(error: &Error) -> Failed {
    match error {
        Error::Service(service) if service.status() == StatusCode::TOO_MANY_REQUESTS => {
            if service.code().is_some_and(|c| c.starts_with("APIG.")) {
                let after = service
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| crate::retry::retry_after(v, SystemTime::now()));
                Failed::Throttled(after)
            } else {
                Failed::Unknown
            }
        }
        Error::Service(service) if service.status() == StatusCode::UNAUTHORIZED => Failed::Fatal,
        Error::Service(service) if service.status().is_client_error() => Failed::Refused,
        Error::UnexpectedResponse(unexpected)
            if unexpected.status().is_client_error()
                && unexpected.status() != StatusCode::TOO_MANY_REQUESTS =>
        {
            Failed::Refused
        }
        Error::Connect { .. } => Failed::NotSent,
        Error::Credentials(_) | Error::Config(_) => Failed::Fatal,
        Error::InvalidRequest { .. } => Failed::Invalid,
        _ => Failed::Unknown,
    }
}

/// A run in progress.
struct Run<'a> {
    client: &'a Client,
    shape: &'static Shape,
    rows: &'a [Row],
    options: &'a Options,
    journal: &'a mut Journal,
    ledger: Ledger,
    tasks: JoinSet<Event>,
    /// Chunks in flight: sent, followed or being reconciled.
    active: BTreeSet<u64>,
    /// Rows to send alone although no call refused them: desktops the lookups did not find.
    solo: BTreeSet<usize>,
    next_send: Instant,
    throttles_in_a_row: u32,
    connect_failures_in_a_row: u32,
    started: Instant,
}

impl Run<'_> {
    /// Writes `record` to the journal (on disk before this returns), then applies it.
    fn record(&mut self, record: Record) -> Result<(), JournalError> {
        self.journal.append(&record)?;
        self.ledger.apply(&record);
        Ok(())
    }

    async fn drive(
        &mut self,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<(), FleetError> {
        let (unanswered, jobs) = self.ledger.unfinished();
        for chunk in unanswered {
            self.reconcile(chunk);
        }
        for chunk in jobs {
            let job_id = self
                .ledger
                .chunks
                .get(&chunk)
                .and_then(|c| c.job_id.clone());
            match job_id {
                Some(job_id) => self.follow(chunk, job_id),
                None => self.reconcile(chunk),
            }
        }
        let queued = self.ledger.rows_where(|s| *s == Slot::Queued);
        let (in_place, unknown) =
            find_in_place(self.client, self.shape, self.rows, &queued).await?;
        if !in_place.is_empty() {
            self.record(Record::InPlace { rows: in_place })?;
        }
        self.solo.extend(unknown);
        let interval = Duration::from_secs_f64(60.0 / f64::from(self.options.rate_per_minute));
        loop {
            while self.active.len() < self.options.concurrency && Instant::now() >= self.next_send {
                let Some(chunk_rows) = self.take_chunk() else {
                    break;
                };
                self.send(chunk_rows)?;
                self.next_send = next_send_after(self.next_send, Instant::now(), interval);
            }
            progress(&self.ledger.progress(self.started.elapsed()));
            let can_send = self.active.len() < self.options.concurrency && self.has_ready_rows();
            if self.tasks.is_empty() && !can_send {
                return Ok(());
            }
            tokio::select! {
                Some(joined) = self.tasks.join_next() => {
                    match joined {
                        Ok(event) => self.handle(event)?,
                        Err(panic) => std::panic::resume_unwind(panic.into_panic()),
                    }
                }
                () = tokio::time::sleep_until(self.next_send), if can_send => {}
            }
        }
    }

    fn busy_keys(&self) -> HashSet<&str> {
        self.active
            .iter()
            .filter_map(|chunk| self.ledger.chunks.get(chunk))
            .flat_map(|c| c.rows.iter().map(|r| self.rows[*r].key.as_str()))
            .collect()
    }

    fn solo_rows(&self) -> BTreeSet<usize> {
        self.ledger.solo.union(&self.solo).copied().collect()
    }

    fn take_chunk(&self) -> Option<Vec<usize>> {
        let mut queue: BTreeSet<usize> = self
            .ledger
            .rows_where(|s| *s == Slot::Queued)
            .into_iter()
            .collect();
        next_chunk(
            self.shape,
            self.rows,
            &mut queue,
            &self.busy_keys(),
            &self.solo_rows(),
        )
    }

    fn has_ready_rows(&self) -> bool {
        self.take_chunk().is_some()
    }

    /// Records the chunk as about to be sent, then sends it.
    fn send(&mut self, rows: Vec<usize>) -> Result<(), JournalError> {
        let chunk = self.ledger.next_chunk_id();
        let items = rows.iter().map(|r| self.rows[*r].item.clone()).collect();
        self.record(Record::Sending {
            chunk,
            rows,
            at_ms: now_ms(),
        })?;
        self.active.insert(chunk);
        let future = (self.shape.send)(self.client.clone(), items);
        self.tasks
            .spawn(async move { Event::Sent(chunk, future.await) });
        Ok(())
    }

    fn follow(&mut self, chunk: u64, job_id: String) {
        self.active.insert(chunk);
        let client = self.client.clone();
        let wait = self.options.wait.clone();
        self.tasks.spawn(async move {
            let result = client.wait_for_job(&job_id, &wait).await;
            Event::Followed(chunk, result)
        });
    }

    /// Looks the chunk's unended rows up once its call can no longer be under way.
    fn reconcile(&mut self, chunk: u64) {
        let Some(record) = self.ledger.chunks.get(&chunk) else {
            return;
        };
        self.active.insert(chunk);
        let rows: Vec<(usize, String, serde_json::Value)> = record
            .rows
            .iter()
            .filter(|r| matches!(self.ledger.slots[**r], Slot::Sent(_) | Slot::Job(_)))
            .map(|r| (*r, self.rows[*r].key.clone(), self.rows[*r].item.clone()))
            .collect();
        let delay = self
            .options
            .reconcile_delay
            .unwrap_or_else(|| self.client.config().call_timeout());
        let not_before = UNIX_EPOCH + Duration::from_millis(record.at_ms) + delay;
        let limit = self.options.wait.timeout();
        let client = self.client.clone();
        let effect = self.shape.effect;
        self.tasks.spawn(async move {
            let wait = not_before
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            tokio::time::sleep(wait).await;
            let deadline = Instant::now().checked_add(limit);
            let mut standings: BTreeMap<usize, Option<Standing>> =
                rows.iter().map(|(r, ..)| (*r, None)).collect();
            loop {
                let open: Vec<&(usize, String, serde_json::Value)> = rows
                    .iter()
                    .filter(|(r, ..)| matches!(standings[r], None | Some(Standing::Busy)))
                    .collect();
                if open.is_empty() {
                    break;
                }
                let keys: BTreeSet<&str> = open.iter().map(|(_, key, _)| key.as_str()).collect();
                if let Ok(desktops) = look_up(&client, &keys).await {
                    for (row, key, item) in open {
                        let found = match desktops.get(key) {
                            Some(desktop) => standing(effect, item, desktop),
                            None => Standing::NotInPlace,
                        };
                        standings.insert(*row, Some(found));
                    }
                }
                let pause = Instant::now() + BUSY_POLL;
                if deadline.is_some_and(|d| pause >= d) {
                    break;
                }
                let settled = standings
                    .values()
                    .all(|s| matches!(s, Some(Standing::InPlace | Standing::NotInPlace)));
                if !settled {
                    tokio::time::sleep_until(pause).await;
                }
            }
            let standings = standings
                .into_iter()
                .map(|(row, s)| (row, s.filter(|s| *s != Standing::Busy)))
                .collect();
            Event::Looked(chunk, standings)
        });
    }

    fn handle(&mut self, event: Event) -> Result<(), FleetError> {
        match event {
            Event::Sent(chunk, Ok(accepted)) => self.answered(chunk, accepted),
            Event::Sent(chunk, Err(error)) => self.refused(chunk, error),
            Event::Followed(chunk, result) => self.job_ended(chunk, result),
            Event::Looked(chunk, standings) => self.looked(chunk, standings),
        }
    }

    fn chunk_rows(&self, chunk: u64) -> Vec<usize> {
        self.ledger
            .chunks
            .get(&chunk)
            .map(|c| c.rows.clone())
            .unwrap_or_default()
    }

    fn failure(
        &self,
        row: usize,
        code: Option<&str>,
        message: Option<&str>,
        request_id: Option<&str>,
        job_id: Option<&str>,
    ) -> Failure {
        Failure {
            row,
            code: code.map(str::to_string),
            message: message.map(str::to_string),
            request_id: request_id.map(str::to_string),
            job_id: job_id.map(str::to_string),
        }
    }

    fn answered(&mut self, chunk: u64, accepted: Accepted) -> Result<(), FleetError> {
        self.throttles_in_a_row = 0;
        self.connect_failures_in_a_row = 0;
        let rows = self.chunk_rows(chunk);
        let job_id = crate::waiter::started_job(accepted.job_id.as_deref()).map(str::to_string);
        let failed = accepted
            .failed
            .iter()
            .filter_map(|item| {
                let row = rows
                    .iter()
                    .copied()
                    .find(|r| Some(self.rows[*r].key.as_str()) == item.id())?;
                Some(self.failure(
                    row,
                    item.code(),
                    item.message(),
                    accepted.request_id.as_deref(),
                    None,
                ))
            })
            .collect();
        self.record(Record::Answered {
            chunk,
            request_id: accepted.request_id.clone(),
            job_id: job_id.clone(),
            failed,
        })?;
        match job_id {
            Some(job_id) if !self.ledger.rows_in(chunk, &Slot::Job(chunk)).is_empty() => {
                self.follow(chunk, job_id)
            }
            _ => {
                self.active.remove(&chunk);
            }
        }
        Ok(())
    }

    fn refused(&mut self, chunk: u64, error: Error) -> Result<(), FleetError> {
        let rows = self.chunk_rows(chunk);
        match classify(&error) {
            Failed::Throttled(after) => {
                self.throttles_in_a_row += 1;
                self.not_applied(chunk, true, "throttled by the gateway")?;
                if self.throttles_in_a_row > MAX_THROTTLES {
                    return Err(FleetError::Throttled(self.throttles_in_a_row));
                }
                let pause = after.unwrap_or_else(|| backoff(self.throttles_in_a_row));
                self.next_send = self.next_send.max(Instant::now() + pause.min(MAX_BACKOFF));
            }
            Failed::NotSent => {
                self.connect_failures_in_a_row += 1;
                self.not_applied(chunk, false, &error.to_string())?;
                if self.connect_failures_in_a_row >= MAX_CONNECT_FAILURES {
                    return Err(FleetError::Stopped(error));
                }
                self.next_send = self
                    .next_send
                    .max(Instant::now() + backoff(self.connect_failures_in_a_row));
            }
            Failed::Fatal => {
                self.not_applied(chunk, false, &error.to_string())?;
                return Err(FleetError::Stopped(error));
            }
            Failed::Refused if rows.len() > 1 => {
                self.active.remove(&chunk);
                self.record(Record::Refused {
                    chunk,
                    failed: Vec::new(),
                    requeued: rows,
                })?;
            }
            Failed::Refused | Failed::Invalid => {
                self.active.remove(&chunk);
                let message = match &error {
                    Error::Service(service) => service.message().map(str::to_string),
                    other => Some(other.to_string()),
                };
                let failed = rows
                    .iter()
                    .map(|r| {
                        self.failure(
                            *r,
                            error.code(),
                            message.as_deref(),
                            error.request_id(),
                            None,
                        )
                    })
                    .collect();
                self.record(Record::Refused {
                    chunk,
                    failed,
                    requeued: Vec::new(),
                })?;
            }
            Failed::Unknown => {
                tracing::warn!(chunk, %error, "the outcome of a call is unknown: looking its desktops up before sending again");
                self.reconcile(chunk);
            }
        }
        Ok(())
    }

    fn not_applied(
        &mut self,
        chunk: u64,
        throttled: bool,
        reason: &str,
    ) -> Result<(), JournalError> {
        self.active.remove(&chunk);
        self.record(Record::NotApplied {
            chunk,
            throttled,
            reason: reason.to_string(),
        })
    }

    fn job_ended(
        &mut self,
        chunk: u64,
        result: Result<ShowJobResponse, Error>,
    ) -> Result<(), FleetError> {
        let job = match result {
            Ok(job) => job,
            Err(Error::JobFailed(failure)) => failure.job().clone(),
            Err(Error::WaitTimeout { job_id, .. }) => {
                tracing::warn!(
                    chunk,
                    job_id,
                    "the job did not end in time: its rows stay pending"
                );
                self.active.remove(&chunk);
                return Ok(());
            }
            Err(error) => {
                tracing::warn!(chunk, %error, "the job could not be followed: looking its desktops up");
                self.reconcile(chunk);
                return Ok(());
            }
        };
        self.active.remove(&chunk);
        let rows = self.ledger.rows_in(chunk, &Slot::Job(chunk));
        let job_id = self
            .ledger
            .chunks
            .get(&chunk)
            .and_then(|c| c.job_id.clone());
        let request_id = self
            .ledger
            .chunks
            .get(&chunk)
            .and_then(|c| c.request_id.clone());
        let job_failed = job.status.as_ref().map(|s| s.state()) == Some(JobState::Failed);
        let failed = rows
            .iter()
            .filter_map(|row| {
                let key = self.rows[*row].key.as_str();
                let sub = job
                    .sub_jobs
                    .iter()
                    .find(|s| sub_job_desktop(s) == Some(key));
                let sub_failed = sub.and_then(|s| s.status.as_ref()).map(|s| s.state())
                    == Some(JobState::Failed);
                let sub_succeeded = sub.and_then(|s| s.status.as_ref()).map(|s| s.state())
                    == Some(JobState::Success);
                if sub_failed {
                    let sub = sub?;
                    Some(self.failure(
                        *row,
                        sub.error_code.as_deref().or(job.job_error_code.as_deref()),
                        sub.fail_reason.as_deref().or(sub.message.as_deref()),
                        request_id.as_deref(),
                        job_id.as_deref(),
                    ))
                } else if job_failed && !sub_succeeded {
                    Some(self.failure(
                        *row,
                        job.job_error_code.as_deref(),
                        job.fail_reason.as_deref(),
                        request_id.as_deref(),
                        job_id.as_deref(),
                    ))
                } else {
                    None
                }
            })
            .collect();
        let status = job
            .status
            .as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        self.record(Record::JobEnded {
            chunk,
            status,
            failed,
        })?;
        Ok(())
    }

    fn looked(
        &mut self,
        chunk: u64,
        standings: Vec<(usize, Option<Standing>)>,
    ) -> Result<(), FleetError> {
        self.active.remove(&chunk);
        let mut applied = Vec::new();
        let mut pending = Vec::new();
        let mut failed = Vec::new();
        for (row, standing) in standings {
            match standing {
                Some(Standing::InPlace) => applied.push(row),
                Some(Standing::NotInPlace) if self.ledger.sends[row] >= MAX_SENDS => {
                    failed.push(self.failure(
                        row,
                        None,
                        Some(&format!(
                            "not applied after {} calls whose outcome was unknown",
                            self.ledger.sends[row]
                        )),
                        None,
                        None,
                    ))
                }
                Some(Standing::NotInPlace) => pending.push(row),
                _ => {}
            }
        }
        if applied.is_empty() && pending.is_empty() && failed.is_empty() {
            return Ok(());
        }
        self.record(Record::Reconciled {
            chunk,
            applied,
            pending,
            failed,
        })?;
        Ok(())
    }
}

/// The desktop a sub-job acts on.
fn sub_job_desktop(sub: &JobDetailInfo) -> Option<&str> {
    sub.entities.as_ref().and_then(|e| e.desktop_id.as_deref())
}

/// A jittered pause before try number `n` (from 1): up to 1 s × 2^(n-1), at most a minute.
fn backoff(n: u32) -> Duration {
    let ceiling = Duration::from_secs(1).saturating_mul(1 << n.saturating_sub(1).min(6));
    ceiling
        .min(MAX_BACKOFF)
        .mul_f64(0.5 + fastrand::f64() / 2.0)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_keeps_its_schedule_when_woken_late_and_never_bursts_after_a_pause() {
        let interval = Duration::from_millis(100);
        let due = Instant::now();
        let late = due + Duration::from_millis(3);
        assert_eq!(next_send_after(due, late, interval), due + interval);
        let after_pause = due + Duration::from_secs(5);
        assert_eq!(
            next_send_after(due, after_pause, interval),
            after_pause + interval
        );
    }

    #[test]
    fn replaying_a_journal_gives_every_row_one_place() {
        let mut ledger = Ledger::new(4);
        let records = [
            Record::InPlace { rows: vec![3] },
            Record::Sending {
                chunk: 1,
                rows: vec![0, 1],
                at_ms: 1,
            },
            Record::NotApplied {
                chunk: 1,
                throttled: true,
                reason: "throttled".into(),
            },
            Record::Sending {
                chunk: 2,
                rows: vec![0, 1],
                at_ms: 2,
            },
            Record::Answered {
                chunk: 2,
                request_id: Some("r".into()),
                job_id: Some("j".into()),
                failed: vec![Failure {
                    row: 1,
                    code: Some("WKS.0104".into()),
                    message: None,
                    request_id: Some("r".into()),
                    job_id: None,
                }],
            },
            Record::Sending {
                chunk: 3,
                rows: vec![2],
                at_ms: 3,
            },
        ];
        records.iter().for_each(|r| ledger.apply(r));
        assert_eq!(ledger.slots[0], Slot::Job(2));
        assert!(matches!(ledger.slots[1], Slot::Failed(_)));
        assert_eq!(ledger.slots[2], Slot::Sent(3));
        assert_eq!(ledger.slots[3], Slot::InPlace);
        assert_eq!(ledger.unfinished(), (vec![3], vec![2]));
        assert_eq!(
            (ledger.calls, ledger.throttled, ledger.next_chunk_id()),
            (3, 1, 4)
        );
        ledger.apply(&Record::JobEnded {
            chunk: 2,
            status: "SUCCESS".into(),
            failed: vec![],
        });
        ledger.apply(&Record::Reconciled {
            chunk: 3,
            applied: vec![],
            pending: vec![2],
            failed: vec![],
        });
        assert_eq!(
            ledger.slots[0],
            Slot::Applied(Some("r".into()), Some("j".into()))
        );
        assert_eq!(ledger.slots[2], Slot::Queued);
        assert_eq!(ledger.sends, [2, 2, 1, 0]);
    }
}
