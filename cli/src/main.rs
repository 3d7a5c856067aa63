//! `huaweicloud-workspace`: the Workspace batch desktop APIs from the command line.
//!
//! The subcommands, their flags and `--json-body` are progenitor's CLI, generated at build time
//! from `spec/workspace.yaml`; this file adds the configuration (region, endpoint, credentials
//! from the same chain as the library), `--wait`, JSON output and exit codes.

mod exit;
mod output;

#[allow(unused_variables, unused_imports, dead_code, clippy::all, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/cli.rs"));
}

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use huaweicloud_workspace::{
    request_body, types, with_last_response, Config, Error, Region, RetryPolicy, WaitOptions,
    WorkspaceClient,
};
use serde_json::{json, Value};

use generated::{Cli, CliCommand};
use output::Output;

/// `batch_attach` (or `batchAttach`) → `batch-attach`.
fn subcommand_name(operation_id: &str) -> String {
    let mut name = String::new();
    for c in operation_id.chars() {
        match c {
            '_' => name.push('-'),
            c if c.is_ascii_uppercase() => {
                name.push('-');
                name.push(c.to_ascii_lowercase());
            }
            c => name.push(c),
        }
    }
    name
}

fn command() -> Command {
    let mut root = Command::new("huaweicloud-workspace")
        .about("Huawei Cloud Workspace batch desktop user management")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .after_help(exit::HELP)
        .arg(Arg::new("region").long("region").global(true).help("Region, e.g. cn-north-4 (its endpoint, or HUAWEICLOUD_SDK_REGION_WORKSPACE_<REGION>)"))
        .arg(Arg::new("endpoint").long("endpoint").value_name("URL").global(true).help("Explicit endpoint, e.g. a proxy or a local simulator"))
        .arg(Arg::new("wait").long("wait").action(ArgAction::SetTrue).global(true).help("Wait for the job the operation starts; print it with the response"))
        .arg(Arg::new("wait-timeout").long("wait-timeout").value_name("SECONDS").value_parser(clap::value_parser!(u64)).default_value("900").global(true).help("Give up waiting after this long"))
        .arg(Arg::new("attempts").long("attempts").value_parser(clap::value_parser!(u32)).default_value("1").global(true).help("Attempts per call (the job query retries on 429/5xx; POSTs only when the connection failed)"));
    for cmd in CliCommand::iter() {
        let generated = Cli::<Output>::get_command(cmd);
        // The summary in listings, summary and description under `--help`.
        let about = generated
            .get_about()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let summary = about.lines().next().unwrap_or_default().to_string();
        let mut sub = generated
            .name(subcommand_name(cmd.operation_id()))
            .about(summary)
            .long_about(about)
            .mut_arg("project-id", |arg| {
                arg.required(false).help(
                    "Project id (default: HUAWEICLOUD_SDK_PROJECT_ID or the credentials file)",
                )
            })
            .after_help(exit::HELP);
        // progenitor declares this flag but does not implement it yet.
        if sub
            .get_arguments()
            .any(|arg| arg.get_id() == "json-body-template")
        {
            sub = sub.mut_arg("json-body-template", |arg| arg.hide(true));
        }
        root = root.subcommand(sub);
    }
    root
}

fn config(matches: &ArgMatches, sub: &ArgMatches) -> Result<Config, Error> {
    let mut builder = Config::builder();
    if let Some(region) = matches.get_one::<String>("region") {
        builder = builder.region(Region::new(region.as_str()));
    }
    if let Some(endpoint) = matches.get_one::<String>("endpoint") {
        builder = builder.endpoint(endpoint.as_str());
    }
    if let Some(project) = sub.get_raw("project-id").and_then(|mut v| v.next()) {
        builder = builder.project_id(project.to_string_lossy());
    }
    let attempts = matches.get_one::<u32>("attempts").copied().unwrap_or(1);
    Ok(builder.retry(RetryPolicy::standard(attempts)).build()?)
}

/// Checks a `--json-body` file against the document before anything is sent, naming the
/// field at fault by its path.
fn check_body(cmd: CliCommand, path: &PathBuf) -> Result<(), ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        exit::other(
            exit::USAGE,
            "usage",
            &format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let checked = match cmd {
        CliCommand::BatchAttach => {
            request_body::from_json::<types::BatchAttachRequest>(&text).map(drop)
        }
        CliCommand::BatchDetach => {
            request_body::from_json::<types::BatchDetachRequest>(&text).map(drop)
        }
        CliCommand::ChangeUserPrivilegeGroup => {
            request_body::from_json::<types::ChangeUserPrivilegeGroupRequest>(&text).map(drop)
        }
        CliCommand::ShowJob => Ok(()),
    };
    checked.map_err(|error| exit::report(&error))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let matches = command().get_matches();
    let Some((name, sub)) = matches.subcommand() else {
        return ExitCode::from(exit::USAGE);
    };
    let Some(cmd) = CliCommand::iter().find(|c| subcommand_name(c.operation_id()) == name) else {
        return ExitCode::from(exit::USAGE);
    };
    let client = match config(&matches, sub).and_then(WorkspaceClient::new) {
        Ok(client) => client,
        Err(error) => return exit::report(&error),
    };
    if let Some(path) = sub.try_get_one::<PathBuf>("json-body").ok().flatten() {
        if let Err(code) = check_body(cmd, path) {
            return code;
        }
    }

    let result = Rc::new(RefCell::new(None));
    let output = Output {
        result: result.clone(),
        project_id: client.config().project_id().to_string(),
    };
    let cli = Cli::new(client.generated().clone(), output);
    let (outcome, raw) = with_last_response(cli.execute(cmd, sub)).await;
    if let Err(error) = outcome {
        return match error.downcast::<progenitor_client::Error<types::ErrorResponse>>() {
            Ok(error) => exit::report(&Error::from_generated(error, raw)),
            Err(other) => exit::other(exit::VALIDATION, "validation", &format!("{other:#}")),
        };
    }
    let response = result.borrow_mut().take().unwrap_or(Value::Null);
    let job_id = response["job_id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string);
    let printed = if matches.get_flag("wait") && !matches!(cmd, CliCommand::ShowJob) {
        let timeout = Duration::from_secs(
            matches
                .get_one::<u64>("wait-timeout")
                .copied()
                .unwrap_or(900),
        );
        let job = match &job_id {
            None => Value::Null,
            Some(job_id) => match client
                .wait_for_job(
                    job_id,
                    &WaitOptions {
                        timeout,
                        ..WaitOptions::default()
                    },
                )
                .await
            {
                Ok(job) => serde_json::to_value(job).unwrap_or(Value::Null),
                Err(error) => {
                    println!("{}", json!({"response": response}));
                    return exit::report(&error);
                }
            },
        };
        json!({"response": response, "job": job})
    } else {
        response
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&printed).unwrap_or_default()
    );
    ExitCode::from(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommands_are_the_kebab_case_operation_ids() {
        let names: Vec<_> = CliCommand::iter()
            .map(|c| subcommand_name(c.operation_id()))
            .collect();
        assert_eq!(
            names,
            [
                "batch-attach",
                "batch-detach",
                "change-user-privilege-group",
                "show-job"
            ]
        );
        command().debug_assert();
    }
}
