//! `workspace-simulator`: the simulator as a process, for testing tools in any language.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use workspace_simulator::{
    Inventory, Quota, Simulator, SimulatorConfig, DEMO_ACCESS_KEY, DEMO_SECRET_KEY,
    MAX_JOB_DURATION,
};

/// A local stand-in for Huawei Cloud Workspace's batch desktop APIs, on loopback.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (127.0.0.1 only).
    #[arg(long, default_value_t = 8088)]
    port: u16,
    /// JSON inventory of desktops, users and groups (default: a built-in demo).
    #[arg(long, conflicts_with = "desktops")]
    inventory: Option<PathBuf>,
    /// A generated tenant instead: this many running single-user desktops (ws-00001, ...)
    /// and as many users (user00001, ...).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    desktops: Option<u32>,
    /// Throttle an operation as the API gateway does, as OPERATION=N/min or OPERATION=N/s
    /// (repeatable): past it, calls are answered 429 APIG.0308 with Retry-After.
    #[arg(long, value_parser = quota)]
    quota: Vec<(String, Quota)>,
    /// Write the tenant's state to this file after every change (atomically): per desktop,
    /// its users and groups and how many accepted requests named it.
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Seconds a job takes to finish (0 to one week).
    #[arg(long, default_value = "3", value_parser = job_seconds)]
    job_seconds: Duration,
    /// Access key to accept.
    #[arg(long, default_value = DEMO_ACCESS_KEY)]
    access_key: String,
    /// Secret key to verify signatures with.
    #[arg(long, env = "WORKSPACE_SIMULATOR_SECRET_KEY", default_value = DEMO_SECRET_KEY, hide_default_value = true)]
    secret_key: String,
    /// Project id to serve.
    #[arg(long, default_value = workspace_simulator::DEMO_PROJECT_ID)]
    project_id: String,
    /// IAM token to accept in X-Auth-Token (repeatable).
    #[arg(long)]
    iam_token: Vec<String>,
    /// Security token that signed requests must carry (temporary credentials); without it,
    /// a request carrying any security token is refused.
    #[arg(
        long,
        env = "WORKSPACE_SIMULATOR_SECURITY_TOKEN",
        hide_env_values = true
    )]
    security_token: Option<String>,
    /// Connections served at once; at the cap the one idle the longest is closed.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// Play the instance metadata service too (point HUAWEICLOUD_SDK_METADATA_ENDPOINT at
    /// the simulator), issuing temporary keys that expire after this many seconds.
    #[arg(long, value_parser = idle_seconds)]
    metadata_key_seconds: Option<Duration>,
    /// Seconds a connection may stay open without a request.
    #[arg(long, default_value = "30", value_parser = idle_seconds)]
    idle_seconds: Duration,
}

/// `OPERATION=N/min` or `OPERATION=N/s`.
fn quota(text: &str) -> Result<(String, Quota), String> {
    let (operation, quota) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: give OPERATION=N/min, as batchAttach=20/min"))?;
    Ok((operation.trim().to_string(), Quota::parse(quota)?))
}

/// A positive number of seconds, at most a day.
fn idle_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
        return Err(format!(
            "{text} is out of range: give more than 0, up to 86400"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Prints a line of the banner. A reader that went away (the simulator started from a
/// script that read only its address) does not stop the simulator.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// A finite number of seconds within the simulator's range.
fn job_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !seconds.is_finite() || seconds < 0.0 || seconds > MAX_JOB_DURATION.as_secs_f64() {
        return Err(format!(
            "{text} is out of range: give 0 to {} seconds",
            MAX_JOB_DURATION.as_secs()
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let inventory = match &args.inventory {
        None => match args.desktops {
            Some(n) => Inventory::generated(n as usize, n as usize),
            None => Inventory::demo(),
        },
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Inventory::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(inventory) => inventory,
            Err(error) => {
                eprintln!("workspace-simulator: inventory {}: {error}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    let demo_key = args.secret_key == DEMO_SECRET_KEY;
    let config = SimulatorConfig {
        access_key: args.access_key.clone(),
        secret_key: args.secret_key,
        iam_tokens: args.iam_token,
        project_id: args.project_id.clone(),
        job_duration: args.job_seconds,
        inventory,
        security_token: args.security_token,
        max_connections: args.max_connections as usize,
        idle_timeout: args.idle_seconds,
        metadata_key_lifetime: args.metadata_key_seconds,
        quotas: args.quota.into_iter().collect(),
        state_file: args.state_file,
        ..SimulatorConfig::default()
    };
    let simulator = match Simulator::builder()
        .config(config)
        .start_on(SocketAddr::from(([127, 0, 0, 1], args.port)))
        .await
    {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("workspace-simulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let endpoint = simulator.endpoint();
    say(&format!("Workspace simulator listening on {endpoint}"));
    say("");
    say("Point the huaweicloud-workspace CLI, or a program using the library, at it:");
    say(&format!("  export HUAWEICLOUD_SDK_AK={}", args.access_key));
    if demo_key {
        // The demo key is public; a key given on the command line is never echoed.
        say(&format!("  export HUAWEICLOUD_SDK_SK={DEMO_SECRET_KEY}"));
    } else {
        say("  export HUAWEICLOUD_SDK_SK=<the secret key you gave the simulator>");
    }
    say(&format!(
        "  export HUAWEICLOUD_SDK_PROJECT_ID={}",
        args.project_id
    ));
    say("  export HUAWEICLOUD_SDK_REGION=cn-north-4");
    say(&format!(
        "  export HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4={endpoint}"
    ));
    say(&format!(
        "or pass --endpoint {endpoint} to the CLI (Config::builder().endpoint(..) in Rust)."
    ));
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
