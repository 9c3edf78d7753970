//! `examd-load`: measures examd under load through its real HTTP API (see the README's "Load" part).
//! A thin command line over [`examd::load`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use examd::load::candidate::{Amount, Pace};
use examd::load::verify::{verify, VerifyConfig};
use examd::load::{run, Config};

/// The paper every run imports: a real question bank with choice and open sections.
const PAPER: &str = include_str!("../../tests/fixtures/seeds/001_feb79bb3dd53de14.txt");

#[derive(Parser)]
#[command(name = "examd-load", version, about = "Load generator for examd", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Check against the server that every save in ack logs is still stored.
    Verify(VerifyArgs),
}

#[derive(Args)]
struct RunArgs {
    /// A cn-text paper to import instead of seed 001 (e.g. one the server grades whole).
    #[arg(long)]
    paper: Option<PathBuf>,
    /// examd base URL; repeat to spread candidates and markers over several instances.
    #[arg(long = "target", default_value = "http://127.0.0.1:8080")]
    targets: Vec<String>,
    /// An admin account of the server.
    #[arg(long, env = "EXAMD_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// Its password.
    #[arg(long, env = "EXAMD_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Candidates to invite and drive.
    #[arg(long, default_value_t = 100)]
    candidates: usize,
    /// Requests in flight at most (one connection each).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Saves per second across all candidates, on a fixed schedule (open loop); without it, burst.
    #[arg(long)]
    rate: Option<f64>,
    /// Saves per candidate.
    #[arg(long, default_value_t = 20, conflicts_with = "duration")]
    saves: u64,
    /// Seconds of saving instead of a fixed number of saves.
    #[arg(long)]
    duration: Option<f64>,
    /// Spread the code exchanges evenly over this many seconds.
    #[arg(long, default_value_t = 0.0)]
    start_within: f64,
    /// Markers claiming and scoring open answers after the submits.
    #[arg(long, default_value_t = 0)]
    markers: usize,
    /// Longest the markers work, in seconds.
    #[arg(long, default_value_t = 120.0)]
    marking_seconds: f64,
    /// First drive GET /healthz for --baseline-seconds (closed loop) to compare saves with.
    #[arg(long)]
    baseline: bool,
    /// Length of the baseline, in seconds.
    #[arg(long, default_value_t = 5.0)]
    baseline_seconds: f64,
    /// The exam's duration per attempt, in seconds.
    #[arg(long, default_value_t = 14_400)]
    exam_duration: u64,
    /// The exam's grace after a deadline, in seconds.
    #[arg(long, default_value_t = 30)]
    grace: u64,
    /// Per-request timeout, in seconds.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
    /// Candidates per invitation request (the server takes up to 10,000 within its body limit).
    #[arg(long, default_value_t = 2_000)]
    invite_batch: usize,
    /// Log every acknowledged save here (JSON lines) for `examd-load verify`.
    #[arg(long)]
    ack_log: Option<PathBuf>,
    /// Also write the report here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit with status 2 when any request failed.
    #[arg(long)]
    fail_on_error: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// Ack logs written by runs (all are checked).
    #[arg(long = "ack-log", required = true)]
    ack_logs: Vec<PathBuf>,
    /// Read attempts from this instance instead of the one that started each.
    #[arg(long)]
    target: Option<String>,
    /// Reads in flight at most.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Also write the verdict here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn seconds(s: f64, what: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(s).map_err(|_| format!("--{what} must be a non-negative number of seconds"))
}

fn config(a: RunArgs) -> Result<(Config, Option<PathBuf>, bool), String> {
    let pace = match a.rate {
        Some(r) if r.is_finite() && r > 0.0 => Pace::Rate(r),
        Some(_) => return Err("--rate must be a positive number of saves per second".into()),
        None => Pace::Burst,
    };
    let amount = match a.duration {
        Some(d) => Amount::For(seconds(d, "duration")?),
        None => Amount::Each(a.saves),
    };
    let cfg = Config {
        targets: a.targets,
        admin_email: a.admin_email.ok_or("give --admin-email (or EXAMD_ADMIN_EMAIL)")?,
        admin_password: a.admin_password.ok_or("give --admin-password (or EXAMD_ADMIN_PASSWORD)")?,
        // Read once for the whole run, which lives as long as the process.
        paper: match &a.paper {
            Some(path) => Box::leak(
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?.into_boxed_str(),
            ),
            None => PAPER,
        },
        candidates: a.candidates,
        connections: a.connections.max(1),
        pace,
        amount,
        start_within: seconds(a.start_within, "start-within")?,
        markers: a.markers,
        marking_limit: seconds(a.marking_seconds, "marking-seconds")?,
        baseline: if a.baseline { Some(seconds(a.baseline_seconds, "baseline-seconds")?) } else { None },
        exam_duration: Duration::from_secs(a.exam_duration),
        grace: Duration::from_secs(a.grace),
        timeout: seconds(a.timeout, "timeout")?,
        ack_log: a.ack_log,
        invite_batch: a.invite_batch,
    };
    Ok((cfg, a.json, a.fail_on_error))
}

fn write_json(path: &PathBuf, value: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn load(args: RunArgs) -> Result<ExitCode, String> {
    let (cfg, json, fail_on_error) = config(args)?;
    let report = run(&cfg).await?;
    print!("{}", report.to_text());
    if let Some(path) = json {
        write_json(&path, &report)?;
    }
    Ok(if report.double_claims > 0 {
        ExitCode::from(3)
    } else if fail_on_error && report.failures() > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

async fn check(a: VerifyArgs) -> Result<ExitCode, String> {
    let cfg = VerifyConfig {
        logs: a.ack_logs,
        target: a.target,
        connections: a.connections,
        timeout: Duration::from_secs(30),
    };
    let verdict = verify(&cfg).await?;
    print!("{}", verdict.to_text());
    if let Some(path) = a.json {
        write_json(&path, &verdict)?;
    }
    Ok(if verdict.ok() { ExitCode::SUCCESS } else { ExitCode::from(4) })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = actix_web::rt::System::new().block_on(async move {
        match cli.command {
            Some(Command::Verify(a)) => check(a).await,
            None => load(cli.run).await,
        }
    });
    outcome.unwrap_or_else(|e| {
        eprintln!("examd-load: {e}");
        ExitCode::FAILURE
    })
}
