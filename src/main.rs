//! The `examd` command: `serve` (default), `migrate`, `user add`.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use secrecy::SecretString;

use examd::clock::SystemClock;
use examd::service::users::{create_now, NewStaff};
use examd::settings::Settings;
use examd::startup::{build_state, Application};

#[derive(Parser)]
#[command(name = "examd", version, about = "A written-exam server for recruitment")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage papers.
    Paper {
        #[command(subcommand)]
        command: PaperCommand,
    },
}

#[derive(Subcommand)]
enum PaperCommand {
    /// Import a question bank file as a draft owned by a recruiter (the same importer as the API).
    Import {
        /// The file (UTF-8).
        file: std::path::PathBuf,
        #[arg(long, value_parser = ["cn-text", "gift", "aiken", "json", "yaml"])]
        format: String,
        /// E-mail of the recruiter who will own the draft.
        #[arg(long)]
        owner: String,
        /// Points per question where the file gives none.
        #[arg(long)]
        points: Option<String>,
        /// Title where the file gives none.
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "recruiter", "marker"])]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("examd: {e}");
            return ExitCode::FAILURE;
        }
    };
    examd::telemetry::init(&settings.log_format, &settings.log_level);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => build_state(settings, Arc::new(SystemClock))
            .map(|_| println!("migrations applied"))
            .map_err(|e| e.to_string()),
        Command::User { command: UserCommand::Add { email, role, name, password_stdin: _ } } => {
            add_user(settings, email, role, name)
        }
        Command::Paper { command: PaperCommand::Import { file, format, owner, points, title } } => {
            import_paper(settings, &file, &format, &owner, points.as_deref(), title)
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("examd: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    // Before any thread starts: the runtime's, the pool's and the autosave writer inherit it. A sandbox
    // that forbids the call costs speed, not correctness: examd runs on in the default class, and says so.
    if let Err(e) = examd::scheduling::apply(settings.cpu_scheduling) {
        tracing::warn!(error = %e, "cpu_scheduling not applied; running in the default class");
    }
    actix_web::rt::System::new().block_on(async move {
        let bind = settings.bind.clone();
        let app = Application::build(settings).await.map_err(|e| e.to_string())?;
        tracing::info!(%bind, port = app.port(), "examd listening");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn add_user(settings: Settings, email: String, role: String, name: Option<String>) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
    let password = SecretString::from(password.trim_end_matches(['\n', '\r']).to_string());
    let state = build_state(settings, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let mut conn = state.db.connection().map_err(|e| e.to_string())?;
    let user = create_now(
        &mut conn,
        &state.passwords,
        state.clock.as_ref(),
        NewStaff { email, password, role, display_name: name },
    )
    .map_err(|e| match e {
        examd::error::ApiError::Validation { errors, .. } => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    })?;
    println!("created {} {} ({})", user.role, user.email, user.id);
    Ok(())
}

fn import_paper(
    settings: Settings,
    file: &std::path::Path,
    format: &str,
    owner: &str,
    points: Option<&str>,
    title: Option<String>,
) -> Result<(), String> {
    use examd::domain::points::Points;
    use examd::formats::{Format, ImportOptions};
    let format = Format::parse(format).ok_or_else(|| format!("unknown format {format}"))?;
    let default_points = points
        .map(|p| {
            Points::parse(p)
                .ok()
                .filter(|p| p.is_positive())
                .ok_or_else(|| format!("--points {p} is not a positive number"))
        })
        .transpose()?;
    let bytes = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let options = ImportOptions { default_points, title };
    actix_web::rt::System::new().block_on(async move {
        let state = build_state(settings, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
        let owner = examd::service::users::principal_by_email(&state, owner).await.map_err(|e| e.to_string())?;
        let outcome = examd::service::papers::import(&state, &owner, Some(format), bytes.into(), file_name, &options)
            .await
            .map_err(|e| match e {
                examd::error::ApiError::Validation { errors, .. } => {
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
                }
                other => other.to_string(),
            })?;
        for w in &outcome.warnings {
            eprintln!("warning: line {}: {}", w.line, w.message);
        }
        for s in &outcome.summary {
            println!("{} ({}): {} questions, {} points", s.title, s.kind, s.questions, s.points);
        }
        println!(
            "imported draft {} \"{}\": {} points",
            outcome.paper.id, outcome.paper.document.title, outcome.paper.total_points
        );
        Ok(())
    })
}
