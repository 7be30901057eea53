//! Raw command-line flags, as clap parses them. Validation into typed settings
//! happens in each command, so errors can name the flag and the reason.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "storewatch",
    version,
    about = "How long each store was online during its business hours."
)]
pub struct Args {
    /// Where the data lives: sqlite://FILE (created if missing), sqlite:///ABS/PATH,
    /// sqlite::memory:, or postgres://USER@HOST/DB (the database must exist;
    /// its tables are created).
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://storewatch.db"
    )]
    pub database_url: String,

    /// Log filter (tracing syntax), e.g. "info" or "storewatch=debug";
    /// default "info" for serve, "warn" otherwise.
    #[arg(long, global = true, env = "STOREWATCH_LOG")]
    pub log: Option<String>,

    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service: trigger and fetch reports, push data.
    Serve(ServeArgs),
    /// Load polls, business hours, time zones and special hours from CSV files (plain or .csv.gz).
    Ingest(IngestArgs),
    /// Compute the uptime/downtime report and write it as CSV.
    Report(ReportArgs),
    /// Write realistic synthetic CSV files.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// A directory holding store_status.csv, business_hours.csv (or menu_hours.csv),
    /// timezones.csv and special_hours.csv, each possibly .csv.gz; any of them may be missing.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The polls file (overrides the one in --data-dir).
    #[arg(long)]
    pub status: Option<PathBuf>,
    /// The business-hours file (overrides the one in --data-dir).
    #[arg(long)]
    pub hours: Option<PathBuf>,
    /// The time-zones file (overrides the one in --data-dir).
    #[arg(long)]
    pub timezones: Option<PathBuf>,
    /// The special-hours file: store_id, date, start_time_local, end_time_local
    /// (both times empty: closed that date). Overrides the one in --data-dir.
    #[arg(long)]
    pub special_hours: Option<PathBuf>,
    /// Skip invalid rows instead of rejecting the file; they are written to
    /// --rejected-dir with the reason.
    #[arg(long)]
    pub lenient: bool,
    /// Where --lenient writes the rows it skipped.
    #[arg(long, default_value = "rejected")]
    pub rejected_dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Report time T (UTC), e.g. "2023-01-25 18:13:22 UTC" or 2023-01-25T18:13:22Z;
    /// default: the newest poll in the database.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Write the CSV here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Add the extended columns: open_last_week, polls_last_week,
    /// incidents_last_week, longest_incident_last_week.
    #[arg(long)]
    pub extended: bool,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Directory to write store_status.csv, business_hours.csv, timezones.csv and special_hours.csv into.
    #[arg(long)]
    pub out: PathBuf,
    /// How many stores.
    #[arg(long, default_value_t = 14_092)]
    pub stores: usize,
    /// How many days of hourly polls.
    #[arg(long, default_value_t = 8)]
    pub days: u32,
    /// Same seed, same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time of the newest poll (UTC); default that of the real 2023 data set.
    #[arg(long, default_value = "2023-01-25 18:13:22.47922 UTC")]
    pub end: String,
    /// Write the polls gzip-compressed, as store_status.csv.gz.
    #[arg(long)]
    pub gzip: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; 0.0.0.0:8080 to be reachable from other machines.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Ingest this directory's files at start and every --ingest-every,
    /// skipping files that did not change.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// How often to re-ingest --data-dir, e.g. 1h, 15m, 30s.
    #[arg(long, default_value = "1h")]
    pub ingest_every: String,
    /// When the database holds no polls, fill it with generated data the size
    /// of the real data set, so there is something to report on at once.
    #[arg(long)]
    pub demo: bool,
    /// Reports computed at once by this instance.
    #[arg(long, default_value_t = 2)]
    pub report_workers: usize,
    /// How long a report stays claimed without a heartbeat; after a crash, a
    /// running report is taken over once this runs out.
    #[arg(long, default_value = "15s")]
    pub report_lease: String,
    /// Largest accepted request body, in MiB.
    #[arg(long, default_value_t = 512)]
    pub max_body_mib: usize,
}
