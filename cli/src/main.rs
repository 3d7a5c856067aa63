//! `huaweicloud-workspace`: the Workspace batch desktop APIs from the command line.
//!
//! The subcommands are generated at build time from `spec/workspace.yaml`, one per operation,
//! and run through the library's public API; this file adds the global options
//! (configuration, `--wait`, output, verbosity), completions and exit codes.

mod bulk;
mod failure;
mod input;
mod outcome;
mod progress;
mod render;
mod session;
mod text;

#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/cli.rs"));
}

use std::process::ExitCode;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use huaweicloud_workspace::{
    Client, Config, Error, Region, RetryPolicy, WaitOptions, WaitStep, DEFAULT_CALL_TIMEOUT,
};
use serde_json::{json, Value};

use failure::{code, Failure};
use outcome::{Follow, Outcome};

/// Environment variable for `--endpoint`.
const ENDPOINT_ENV: &str = "HUAWEICLOUD_WORKSPACE_ENDPOINT";

fn command() -> Command {
    let root = Command::new("huaweicloud-workspace")
        .about("Huawei Cloud Workspace batch desktop user management")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .after_help(failure::HELP)
        .arg(global("region").value_name("REGION").help(
            "Region, e.g. cn-north-4 [default: $HUAWEICLOUD_SDK_REGION, else region in the credentials file]",
        ))
        .arg(global("endpoint").value_name("URL").env(ENDPOINT_ENV).help(
            "Explicit endpoint, e.g. a proxy or the local simulator (instead of the region's)",
        ))
        .arg(global("ca-bundle").value_name("FILE").help(
            "Also trust the certificate authorities of this PEM file (a company's own), besides the system's",
        ))
        .arg(global("project-id").value_name("ID").help(
            "Project id [default: $HUAWEICLOUD_SDK_PROJECT_ID, else project_id in the credentials file]",
        ))
        .arg(global("wait").action(ArgAction::SetTrue).help(
            "Wait for the job the operation starts (or shows) to end; print it with the answer",
        ))
        .arg(global("wait-timeout").value_name("SECONDS").value_parser(value_parser!(u64)).default_value(WaitOptions::default().timeout().as_secs().to_string()).help("Give up waiting after this long"))
        .arg(global("poll-interval").value_name("SECONDS").value_parser(value_parser!(u64).range(1..=3600)).default_value(DEFAULT_POLL_INTERVAL.as_secs().to_string()).help("Longest pause between job polls while waiting (polling starts at 2 s and doubles up to it)"))
        .arg(global("timeout").value_name("SECONDS").value_parser(value_parser!(u64)).default_value(DEFAULT_CALL_TIMEOUT.as_secs().to_string()).help("Deadline of each call, retries and the answer included"))
        .arg(global("attempts").value_name("N").value_parser(value_parser!(u32)).default_value("1").help("Attempts per call (the job query retries on 429/5xx; POSTs only when the connection failed)"))
        .arg(global("output").value_name("FORMAT").value_parser(["json", "table"]).default_value("json").help("json for scripts, table for people"))
        .arg(Arg::new("verbose").short('v').long("verbose").action(ArgAction::Count).global(true).help("Log calls on stderr: -v calls, -vv each answer, -vvv everything (RUST_LOG works too); secrets are never logged"))
        .subcommand(bulk::command().after_help(failure::HELP))
        .subcommand(
            Command::new("completions")
                .about("Print the completion script of a shell")
                .arg(Arg::new("shell").required(true).value_parser(value_parser!(clap_complete::Shell))),
        );
    generated::subcommands()
        .into_iter()
        .fold(root, |root, sub| {
            root.subcommand(sub.after_help(failure::HELP))
        })
}

fn global(name: &'static str) -> Arg {
    Arg::new(name).long(name).global(true)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut command = command();
    let matches = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        Err(error) => return usage_error(error),
    };
    let Some((name, sub)) = matches.subcommand() else {
        return Failure::usage("a subcommand is required (see --help)").report();
    };
    if name == "completions" {
        if let Some(shell) = sub.get_one::<clap_complete::Shell>("shell") {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "huaweicloud-workspace", &mut script);
            text::to_stdout_raw(&String::from_utf8_lossy(&script));
        }
        return ExitCode::SUCCESS;
    }
    init_logging(matches.get_count("verbose"));
    match run(&matches, name, sub).await {
        Ok(()) => ExitCode::from(code::OK),
        Err(failure) => failure.report(),
    }
}

/// Usage errors read like every other failure: a line, then the JSON object.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    // clap's message up to its usage line, on one line: "the following required arguments
    // were not provided: --job-id <TEXT>".
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:"))
        .map(|line| line.trim().trim_start_matches("error: "))
        .filter(|line| !line.is_empty())
        .collect();
    Failure::usage(format!("{} (see --help)", message.join(" "))).report()
}

fn init_logging(verbose: u8) {
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let filter = match (from_env, verbose) {
        (Some(filter), _) => filter,
        (None, 0) => return,
        (None, 1) => "huaweicloud_workspace=info".to_string(),
        (None, 2) => "huaweicloud_workspace=debug".to_string(),
        (None, _) => "huaweicloud_workspace=trace,reqwest=debug".to_string(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

async fn run(matches: &ArgMatches, name: &str, sub: &ArgMatches) -> Result<(), Failure> {
    let global = matches.clone();
    let session = session::Session::new(move || config(&global));
    let table = matches
        .get_one::<String>("output")
        .is_some_and(|o| o == "table");
    let wait = matches.get_flag("wait");
    let options = wait_options(matches);
    if name == "bulk" {
        return bulk::run(&session, sub, options, table).await;
    }
    let mut input = input::Input::default();
    let outcome = match generated::run(&session, name, sub, &mut input).await {
        Ok(outcome) => outcome,
        Err(Failure::Library(Error::PartialFailure(partial))) => {
            // The rest may have succeeded: the answer goes to stdout, its job is followed.
            let started = partial.job_id().map(str::to_string);
            let outcome = Outcome {
                answer: partial.answer().clone(),
                follow: Follow::Started(started),
            };
            let printed = follow(session.client()?, outcome, wait, &options).await;
            print(&printed?, table);
            return Err(Failure::Library(Error::PartialFailure(partial)));
        }
        Err(failure) => return Err(failure),
    };
    let printed = follow(session.client()?, outcome, wait, &options).await?;
    print(&printed, table);
    Ok(())
}

/// The longest pause between polls by default. Shorter than the library's 30 s: a person
/// watching a terminal should see the job's end within seconds of it.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// `--wait-timeout` and `--poll-interval` as the library's wait options (the library's
/// defaults where a flag says nothing: a 15-minute limit, a first pause of 2 s).
fn wait_options(matches: &ArgMatches) -> WaitOptions {
    let seconds = |name: &str| {
        matches
            .get_one::<u64>(name)
            .copied()
            .map(Duration::from_secs)
    };
    let defaults = WaitOptions::default();
    let longest = seconds("poll-interval").unwrap_or(DEFAULT_POLL_INTERVAL);
    let first = defaults.initial_interval().min(longest);
    let timeout = seconds("wait-timeout").unwrap_or(defaults.timeout());
    defaults
        .with_timeout(timeout)
        .with_intervals(first, longest)
}

/// What `--wait` adds: the job as it ended. A job failure prints the answer first.
async fn follow(
    client: &Client,
    outcome: Outcome,
    wait: bool,
    options: &WaitOptions,
) -> Result<Value, Failure> {
    if !wait {
        return Ok(outcome.answer);
    }
    let shown = matches!(outcome.follow, Follow::Shown(_));
    let job_id = match outcome.follow {
        Follow::Nothing => return Ok(outcome.answer),
        Follow::Started(None) => {
            text::to_stderr(
                "huaweicloud-workspace: the answer names no job (its job id is empty): \
                 nothing was waited for",
            );
            return Ok(json!({"response": outcome.answer, "job": null}));
        }
        Follow::Started(Some(job_id)) | Follow::Shown(job_id) => job_id,
    };
    let mut waiter = client.job_waiter(job_id, options);
    let mut progress = progress::Progress::on_terminal();
    let job = loop {
        let step = {
            let poll = waiter.poll();
            tokio::pin!(poll);
            let mut clock = tokio::time::interval(Duration::from_secs(1));
            clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            clock.tick().await;
            loop {
                tokio::select! {
                    step = &mut poll => break step,
                    _ = clock.tick() => progress.tick(),
                }
            }
        };
        match step {
            Ok(WaitStep::Pending(job)) => progress.update(&job),
            Ok(WaitStep::Succeeded(job)) => {
                progress.update(&job);
                break job;
            }
            Ok(_) => continue,
            Err(error) => {
                progress.finish();
                if shown {
                    return Err(error.into());
                }
                print(&json!({"response": outcome.answer}), false);
                // The call was sent and accepted: only the job's own end is a job failure;
                // anything else is a job that could not be followed, never "not sent".
                return Err(match error {
                    Error::JobFailed(_) | Error::WaitTimeout { .. } => error.into(),
                    other => Failure::NotFollowed(other),
                });
            }
        }
    };
    progress.finish();
    let job = serde_json::to_value(*job).unwrap_or(Value::Null);
    Ok(if shown {
        job
    } else {
        json!({"response": outcome.answer, "job": job})
    })
}

fn print(value: &Value, table: bool) {
    if table {
        text::to_stdout_raw(&render::table(value));
    } else {
        text::to_stdout(&text::json_pretty(value));
    }
}

fn config(matches: &ArgMatches) -> Result<Config, Failure> {
    let mut builder = Config::builder();
    if let Some(region) = matches.get_one::<String>("region") {
        if region.trim().is_empty() {
            return Err(Failure::usage(
                "--region is empty: give a region such as cn-north-4",
            ));
        }
        builder = builder.region(Region::new(region.trim()));
    }
    if let Some(endpoint) = matches
        .get_one::<String>("endpoint")
        .filter(|e| !e.is_empty())
    {
        builder = builder.endpoint(endpoint.as_str());
    }
    if let Some(project) = matches.get_one::<String>("project-id") {
        builder = builder.project_id(project.as_str());
    }
    if let Some(bundle) = matches.get_one::<String>("ca-bundle") {
        builder = builder.add_root_certificates_file(bundle)?;
    }
    let attempts = matches.get_one::<u32>("attempts").copied().unwrap_or(1);
    let timeout = matches
        .get_one::<u64>("timeout")
        .map_or(DEFAULT_CALL_TIMEOUT, |s| Duration::from_secs(*s));
    Ok(builder
        .retry(RetryPolicy::standard(attempts))
        .call_timeout(timeout)
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed_with_one_subcommand_per_operation() {
        let command = command();
        command.clone().debug_assert();
        for name in generated::SUBCOMMANDS {
            assert!(command.find_subcommand(name).is_some(), "{name}");
        }
    }
}
