//! The `talkdeck` command line: `serve` (default, with the job worker pool), `migrate`,
//! `create-user`, `jobs` (list, retry), `seed-demo`. Thin adapters over `services`.

use crate::server::config::Config;
use crate::server::db::Database;
use crate::server::jobs;
use crate::server::mail::Mailer;
use crate::server::state::AppState;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "talkdeck", version, about = "Self-hostable control plane for AI voice phone agents")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a verified user. The password is read from TALKDECK_PASSWORD or the first line of stdin.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Create a demo project with agents, numbers and N historical calls (transcripts, analyses)
    /// over the last 90 days, for demos and benchmarks. Prints the demo user's email and password.
    SeedDemo {
        /// How many calls.
        #[arg(long, default_value_t = 1000)]
        calls: u64,
        /// The demo user (created if missing, else reused with its password unchanged).
        #[arg(long, default_value = "demo@talkdeck.local")]
        email: String,
        /// The new demo user's password (default: generated and printed). Also TALKDECK_PASSWORD.
        #[arg(long, env = "TALKDECK_PASSWORD")]
        password: Option<String>,
    },
    /// Inspect background jobs (lists pending, running and dead jobs by default).
    Jobs {
        #[command(subcommand)]
        action: Option<JobsCommand>,
    },
}

#[derive(Subcommand)]
pub enum JobsCommand {
    /// List pending, running and dead jobs, soonest first.
    List {
        /// Include finished (done) jobs.
        #[arg(long)]
        all: bool,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Put a dead job back to pending (due now, attempts reset).
    Retry { id: String },
}

pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    crate::server::telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = Database::connect(&config.database_url).await?;
            db.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateUser { email, name } => {
            let password = match std::env::var("TALKDECK_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let state = build_state(config).await?;
            match crate::server::services::accounts::create_verified_user(&state, &name, &email, &password).await {
                Ok(u) => {
                    println!("created user {} <{}>", u.id, u.email);
                    Ok(())
                }
                Err(e) => Err(e.message.into()),
            }
        }
        Command::SeedDemo { calls, email, password } => {
            let state = build_state(config).await?;
            let started = std::time::Instant::now();
            let mut last = std::time::Instant::now();
            let mut progress = |done: u64, total: u64| {
                if last.elapsed().as_millis() >= 500 || done == total {
                    last = std::time::Instant::now();
                    let secs = started.elapsed().as_secs_f64().max(0.001);
                    eprint!("\rseeding calls: {done}/{total} ({:.0}%), {:.0} calls/s, {secs:.0} s   ", done as f64 * 100.0 / total.max(1) as f64, done as f64 / secs);
                }
            };
            let opts = crate::server::services::demo::SeedOptions { email, password, calls, days: 90 };
            let seeded = crate::server::services::demo::seed(&state, opts, &mut progress).await.map_err(|e| e.message)?;
            eprintln!();
            println!("project: {} ({})", seeded.project_name, seeded.project_id);
            println!("calls:   {} in {:.1} s", seeded.calls, started.elapsed().as_secs_f64());
            println!("email:   {}", seeded.email);
            match seeded.password {
                Some(p) => println!("password: {p}"),
                None => println!("password: (unchanged: the user already existed)"),
            }
            Ok(())
        }
        Command::Jobs { action } => {
            let state = build_state(config).await?;
            match action.unwrap_or(JobsCommand::List { all: false, limit: 100 }) {
                JobsCommand::List { all, limit } => {
                    let rows = state.read(async |c| crate::server::services::jobs::list(c, all, limit).await).await.map_err(|e| e.message)?;
                    print_jobs(&rows);
                    Ok(())
                }
                JobsCommand::Retry { id } => {
                    let job = state.write(async |tx| crate::server::services::jobs::retry(tx, &id).await).await.map_err(|e| e.message)?;
                    println!("job {} ({}) is pending again", job.id, job.kind);
                    Ok(())
                }
            }
        }
    }
}

fn print_jobs(rows: &[jobs::Job]) {
    if rows.is_empty() {
        println!("no jobs");
        return;
    }
    println!("{:<36}  {:<16}  {:<8}  {:>8}  {:<24}  LAST ERROR", "ID", "KIND", "STATE", "ATTEMPTS", "RUN AT (UTC)");
    for j in rows {
        let attempts = format!("{}/{}", j.attempts, j.max_attempts);
        let error = j.last_error.as_deref().unwrap_or("").replace(['\r', '\n'], " ");
        println!("{:<36}  {:<16}  {:<8}  {:>8}  {:<24}  {}", j.id, j.kind, j.state.as_str(), attempts, rfc3339(j.run_at), error);
    }
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| ms.to_string())
}

pub async fn build_state(config: Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let db = Database::connect(&config.database_url).await?;
    db.migrate().await?;
    let mailer = Mailer::from_config(&config)?;
    // cargo-leptos bakes LEPTOS_OUTPUT_NAME into its builds; a plain `cargo build` has none, so
    // fall back to this crate's settings from Cargo.toml.
    let mut leptos_options = match leptos::config::get_configuration(None) {
        Ok(c) => c.leptos_options,
        Err(_) => leptos::config::LeptosOptions::builder().output_name("talkdeck").build(),
    };
    leptos_options.site_addr = config.site_addr;
    // cargo-leptos (`hash-files = true`) names the /pkg files after their hashes and writes the
    // hashes to hash.txt next to the binary; it tells the server through LEPTOS_HASH_FILES only
    // when it starts the server itself. Started any other way, follow the build: use the hashed
    // names when the build left a hash file.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(leptos_options.hash_file.as_ref())))
            .is_some_and(|path| path.is_file());
    }
    Ok(AppState::new(config, db, mailer, leptos_options))
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    tracing::info!(config = ?config, "starting");
    let addr = config.site_addr;
    let public = config.public_url.to_string();
    let state = build_state(config).await?;
    state.feed.start(&state.db, &state.config.database_url);
    let throttle = state.throttle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = throttle.housekeeping().await {
                tracing::warn!(error = %e, "throttle housekeeping failed; will retry");
            }
        }
    });
    if state.config.elevenlabs_api_key.is_some() {
        // Fetched in the background so a slow or failing ElevenLabs never delays start-up; the
        // shipped catalog serves meanwhile. Refreshed every 6 hours.
        let st = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(6 * 3600));
            loop {
                every.tick().await;
                if let Err(e) = crate::server::services::voices::sync_elevenlabs(&st).await {
                    tracing::warn!(error = %e, "ElevenLabs voices not refreshed; will retry");
                }
            }
        });
    }
    // Projects whose status webhook was set before webhooks were delivered get their endpoint
    // (a secret needs SECRET_KEY, so a migration cannot do it). A failure only delays it.
    if let Err(e) = crate::server::services::webhooks::backfill_status_endpoints(&state).await {
        tracing::warn!(error = %e, "status webhook endpoints not backfilled; next start will retry");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let worker = jobs::Worker::new(state.clone(), jobs::Registry::builtin()).start();
    let stop_jobs = worker.stop_signal();
    let app = crate::server::router::build(state);
    tracing::info!(%addr, %public, "listening");
    // On SIGTERM / ctrl-c the worker stops claiming at once, while axum finishes its requests;
    // then running jobs get their grace period and whatever is left is released.
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown().await;
            stop_jobs.stop();
        })
        .await;
    worker.shutdown().await;
    served?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
