//! `bulk <command>`: a fleet run of one batch operation over a rows file, through the
//! library's fleet runner. One subcommand per operation the document marks for fleet runs;
//! on a terminal a progress line and a summary table, otherwise only the final JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use huaweicloud_workspace::fleet::{
    self, FieldKind, FleetError, Options, Outcome, Progress, RowState, Shape, DEFAULT_CONCURRENCY,
    DEFAULT_RATE_PER_MINUTE,
};
use huaweicloud_workspace::WaitOptions;
use serde_json::{json, Value};

use crate::failure::Failure;
use crate::session::Session;
use crate::text;

/// The `bulk` command, with one subcommand per fleet operation of the document.
pub fn command() -> Command {
    fleet::operations().iter().fold(
        Command::new("bulk")
            .about("Run a batch operation over a file of rows: chunked, paced, resumable")
            .subcommand_required(true),
        |bulk, shape| bulk.subcommand(subcommand(shape)),
    )
}

fn subcommand(shape: &Shape) -> Command {
    Command::new(shape.command())
        .about(format!(
            "{} over every row of a file, at most {} rows per call",
            shape.operation(),
            shape.max_items()
        ))
        .after_help(format!(
            "Rows: CSV with a header, or JSON lines (.jsonl), one {} per row. Columns: {}.\n\
             Every row is checked before anything is sent. The journal (JSON lines, on disk \
             before each send and after each answer) makes the run resumable: --resume after \
             a crash never sends an answered call again and looks up a call sent without an \
             answer before sending its rows again.\nExit codes: 0 every row applied or already \
             in place, 8 some rows failed (the report says why), 6 some rows not ended (their \
             jobs outlived --wait-timeout: resume later), 3 bad rows (nothing sent), others as \
             for every command.",
            shape.key(),
            columns(shape)
        ))
        .arg(
            Arg::new("from")
                .long("from")
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("Rows file: CSV with a header, or JSON lines (.jsonl)"),
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("Journal of the run, created if missing"),
        )
        .arg(
            Arg::new("resume")
                .long("resume")
                .action(ArgAction::SetTrue)
                .help("Continue the run the journal holds"),
        )
        .arg(
            Arg::new("retry-failed")
                .long("retry-failed")
                .action(ArgAction::SetTrue)
                .help("Continue the run the journal holds, sending its failed rows again"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Look up and plan; send nothing, write no journal"),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help("Write one line per row (.csv) or the whole outcome (.json) here"),
        )
        .arg(
            Arg::new("rate")
                .long("rate")
                .value_name("N/min")
                .value_parser(rate)
                .default_value(DEFAULT_RATE_PER_MINUTE.to_string())
                .help("Calls per minute at most (N, N/min or N/s)"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=1000))
                .default_value(DEFAULT_CONCURRENCY.to_string())
                .help("Calls whose job has not ended, at most"),
        )
}

/// The columns a rows file of `shape` may have.
fn columns(shape: &Shape) -> String {
    let mut names = Vec::new();
    for field in shape.fields() {
        if field.kind() == FieldKind::Objects {
            names.extend(
                field
                    .nested()
                    .iter()
                    .map(|n| format!("{}.{}", field.name(), n.name())),
            );
        } else {
            names.push(field.name().to_string());
        }
    }
    names.join(", ")
}

/// `N`, `N/min` or `N/s`, as calls per minute.
fn rate(text: &str) -> Result<u32, String> {
    let (number, per_second) = match text.trim().split_once('/') {
        None => (text.trim(), false),
        Some((n, "min" | "m" | "minute")) => (n, false),
        Some((n, "s" | "sec" | "second")) => (n, true),
        Some((_, unit)) => return Err(format!("unknown period {unit:?}: give N/min or N/s")),
    };
    let n: u32 = number
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a whole number of calls above 0"))?;
    let per_minute = if per_second { n.saturating_mul(60) } else { n };
    if per_minute > 60_000 {
        return Err(format!("{text} is over 60000 calls per minute"));
    }
    Ok(per_minute)
}

/// Runs `bulk <command>`.
pub async fn run(
    session: &Session,
    sub: &ArgMatches,
    wait: WaitOptions,
    table: bool,
) -> Result<(), Failure> {
    let Some((command, args)) = sub.subcommand() else {
        return Err(Failure::usage("bulk needs a subcommand (see --help)"));
    };
    let shape = fleet::operation(command)
        .ok_or_else(|| Failure::usage(format!("bulk has no subcommand {command:?}")))?;
    let path = |name: &str| args.get_one::<PathBuf>(name).cloned().unwrap_or_default();
    let (from, journal) = (path("from"), path("journal"));
    let (source, format) =
        fleet::read_rows_file(&from).map_err(|e| Failure::usage(e.to_string()))?;
    let client = session.client()?;
    let rows = fleet::read_rows(client, shape, &source, format).map_err(Failure::Rows)?;
    let options = Options::default()
        .with_rate_per_minute(
            args.get_one::<u32>("rate")
                .copied()
                .unwrap_or(DEFAULT_RATE_PER_MINUTE),
        )
        .with_concurrency(
            args.get_one::<u32>("concurrency")
                .map_or(DEFAULT_CONCURRENCY, |n| *n as usize),
        )
        .resume(args.get_flag("resume"))
        .retry_failed(args.get_flag("retry-failed"))
        .dry_run(args.get_flag("dry-run"))
        .with_wait(wait);
    let mut bar = Bar::on_terminal();
    let result = fleet::run(
        client,
        shape,
        &rows,
        source.as_bytes(),
        &journal,
        &options,
        &mut |p| bar.draw(p),
    )
    .await;
    bar.finish();
    let outcome = result.map_err(fleet_failure)?;
    if let Some(report) = args.get_one::<PathBuf>("report") {
        write_report(report, &outcome)?;
    }
    let dry_run = args.get_flag("dry-run");
    if table || std::io::stdout().is_terminal() {
        text::to_stdout_raw(&summary_table(&outcome, dry_run));
    } else {
        let mut value = outcome.to_json();
        if dry_run {
            value["chunks"] = plan(&outcome);
        }
        text::to_stdout(&text::json_pretty(&value));
    }
    let summary = outcome.summary();
    if dry_run {
        Ok(())
    } else if summary.failed > 0 {
        Err(Failure::RowsFailed(summary.failed))
    } else if summary.pending > 0 {
        Err(Failure::RowsPending(summary.pending))
    } else {
        Ok(())
    }
}

fn fleet_failure(error: FleetError) -> Failure {
    match error {
        FleetError::Lookup(error) | FleetError::Stopped(error) => Failure::Library(error),
        other => Failure::Fleet(other),
    }
}

/// The chunks of a dry run, by line numbers.
fn plan(outcome: &Outcome) -> Value {
    let lines: Vec<Value> = outcome
        .plan()
        .iter()
        .map(|chunk| {
            json!(chunk
                .iter()
                .map(|r| outcome.rows()[*r].line)
                .collect::<Vec<_>>())
        })
        .collect();
    Value::Array(lines)
}

fn write_report(path: &Path, outcome: &Outcome) -> Result<(), Failure> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        text::json_pretty(&outcome.to_json())
    } else {
        outcome.to_csv()
    };
    std::fs::write(path, text).map_err(|e| {
        Failure::usage(format!(
            "the report {} cannot be written: {e}",
            path.display()
        ))
    })
}

/// What a person reads at the end: the counts, the plan of a dry run, the first failed rows.
fn summary_table(outcome: &Outcome, dry_run: bool) -> String {
    let s = outcome.summary();
    let mut out = String::new();
    let mut line = |label: &str, value: String| out.push_str(&format!("{label:<18}{value}\n"));
    line("rows", s.rows.to_string());
    line("applied", s.applied.to_string());
    line("already in place", s.in_place.to_string());
    line("failed", s.failed.to_string());
    line(
        if dry_run { "to send" } else { "not ended" },
        s.pending.to_string(),
    );
    line("calls", s.calls.to_string());
    line("throttled", s.throttled.to_string());
    if dry_run {
        let sizes: Vec<String> = outcome.plan().iter().map(|c| c.len().to_string()).collect();
        line(
            "chunks",
            format!("{} ({} rows each)", sizes.len(), compact(&sizes)),
        );
    }
    const SHOWN: usize = 20;
    let failed: Vec<_> = outcome
        .rows()
        .iter()
        .filter(|r| r.state == RowState::Failed)
        .collect();
    for row in failed.iter().take(SHOWN) {
        out.push_str(&text::clean(&format!(
            "  line {}: {} failed: {} {}\n",
            row.line,
            row.key,
            row.error_code.as_deref().unwrap_or("-"),
            row.error_msg.as_deref().unwrap_or("")
        )));
    }
    if failed.len() > SHOWN {
        out.push_str(&format!(
            "  ... and {} more (see --report)\n",
            failed.len() - SHOWN
        ));
    }
    out
}

/// `100, 100, 37` as `100 ×2, 37`.
fn compact(sizes: &[String]) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for size in sizes {
        match parts.last_mut() {
            Some((last, n)) if last == size => *n += 1,
            _ => parts.push((size.clone(), 1)),
        }
    }
    parts
        .iter()
        .map(|(size, n)| {
            if *n > 1 {
                format!("{size} ×{n}")
            } else {
                size.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The progress line on stderr, if stderr is a terminal: rows done, failed, in flight, the
/// rate and the time left.
struct Bar {
    enabled: bool,
    drawn: bool,
}

impl Bar {
    fn on_terminal() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    fn draw(&mut self, p: &Progress) {
        if !self.enabled {
            return;
        }
        use std::io::Write;
        let done = p.applied + p.in_place + p.failed;
        const WIDTH: usize = 24;
        let filled = (done * WIDTH).checked_div(p.rows).unwrap_or(WIDTH);
        let minutes = p.elapsed.as_secs_f64() / 60.0;
        let rate = if minutes > 0.0 {
            p.applied as f64 / minutes
        } else {
            0.0
        };
        let left = p.rows - done;
        let eta = if rate > 0.0 {
            format!(
                ", ~{} left",
                duration(Duration::from_secs_f64(left as f64 / rate * 60.0))
            )
        } else {
            String::new()
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[2K[{}{}] {done}/{} done, {} failed, {} in flight, {:.0} rows/min{eta}",
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            p.rows,
            p.failed,
            p.in_flight,
            rate
        );
        let _ = stderr.flush();
        self.drawn = true;
    }

    fn finish(&mut self) {
        if self.drawn {
            text::to_stderr("");
        }
    }
}

fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_per_minute_or_per_second() {
        assert_eq!(rate("20"), Ok(20));
        assert_eq!(rate("20/min"), Ok(20));
        assert_eq!(rate("5/s"), Ok(300));
        assert!(rate("0").is_err() && rate("5/h").is_err() && rate("2000/s").is_err());
        assert_eq!(
            compact(&["100".into(), "100".into(), "7".into()]),
            "100 ×2, 7"
        );
    }
}
