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
    /// sqlite::memory:, or postgres://…
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://storewatch.db"
    )]
    pub database_url: String,

    /// Log filter (tracing syntax), e.g. "info" or "storewatch=debug".
    #[arg(long, global = true, env = "STOREWATCH_LOG", default_value = "warn")]
    pub log: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load polls, business hours and time zones from CSV files (plain or .csv.gz).
    Ingest(IngestArgs),
    /// Compute the uptime/downtime report and write it as CSV.
    Report(ReportArgs),
    /// Write realistic synthetic CSV files.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// A directory holding store_status.csv, business_hours.csv (or menu_hours.csv)
    /// and timezones.csv, each possibly .csv.gz; any of them may be missing.
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
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Directory to write store_status.csv, business_hours.csv and timezones.csv into.
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
