//! Every flag, parsed and validated here by clap before any work starts: a
//! bad value exits with status 2 and clap's message naming the flag, and the
//! commands receive typed values (timestamps, durations, counts).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use storewatch_core::domain::{Micros, parse_timestamp};
use storewatch_core::report::{MAX_PERIOD_DAYS, PeriodError, PeriodSpec, ReportKind};
use storewatch_db::{Role, Scope, ScopeError};

/// The default database: an SQLite file in the current directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://storewatch.db";

/// The longest duration a flag takes: a year. Longer is a typo, and lease
/// arithmetic in microseconds must not overflow.
const MAX_DURATION: Duration = Duration::from_secs(366 * 86_400);

/// A positive duration in jiff's friendly format (`90s`, `15m`, `1h 30m`,
/// `2 days`) or ISO 8601 (`PT1H30M`); days are 24 hours.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_any_duration(text)?;
    if duration > MAX_DURATION {
        return Err(format!("{text:?} is longer than a year"));
    }
    Ok(duration)
}

/// How long polls are kept (`--retain-polls`): at least the week a report
/// reads (less would take polls from reports at the newest poll), at most a
/// century.
pub fn parse_retention(text: &str) -> Result<Duration, String> {
    let duration = parse_any_duration(text)?;
    if duration < Duration::from_secs(7 * 86_400) {
        return Err(format!(
            "{text:?} is shorter than the week a report reads: keep at least 7d"
        ));
    }
    if duration > Duration::from_secs(36_525 * 86_400) {
        return Err(format!("{text:?} is longer than a century"));
    }
    Ok(duration)
}

fn parse_any_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration like 90s, 15m, 1h 30m or PT1H (ISO 8601)");
    let span: jiff::Span = text.trim().parse().map_err(|_| bad())?;
    let signed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| bad())?;
    if signed.is_negative() || signed.is_zero() {
        return Err(format!("{text:?}: give a positive duration"));
    }
    Duration::try_from(signed).map_err(|_| bad())
}

#[derive(Debug, Parser)]
#[command(
    name = "storewatch",
    version,
    about = "How long each store was online during its business hours."
)]
pub struct Args {
    /// Where the data lives (also accepted after the command, see its help).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Log filter (tracing syntax), e.g. "info" or "storewatch=debug";
    /// default "info" for serve, "warn" otherwise.
    #[arg(long, global = true, env = "STOREWATCH_LOG")]
    pub log: Option<String>,

    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Polls an ingest holds in memory while it checks a file (24 bytes
    /// each, twice that while sorting); beyond, sorted runs go to anonymous
    /// temporary files in $TMPDIR. Smaller uses less memory and more disk.
    #[arg(long, global = true, env = "STOREWATCH_SORT_RUN_POLLS", default_value_t = storewatch_core::ingest::DEFAULT_RUN_LEN as u32, value_parser = clap::value_parser!(u32).range(1_000..=1_000_000_000))]
    pub sort_run_polls: u32,

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
    /// Delete polls that should never have been stored, by store, by time, or both.
    DeletePolls(DeletePollsArgs),
    /// Manage the API keys the service requires once any exists.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage alert subscriptions: webhooks told when a store goes offline
    /// in its business hours and when it recovers.
    #[command(subcommand)]
    Alerts(AlertsCommand),
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Subscribe a URL; prints the subscription's id on standard output.
    Add(AlertsAddArgs),
    /// List the subscriptions (never their secrets).
    List(AlertsListArgs),
    /// Remove a subscription, with its pending events.
    Remove(AlertsRemoveArgs),
    /// A subscription's events and how their delivery went, newest first.
    Deliveries(AlertsDeliveriesArgs),
}

impl AlertsCommand {
    pub fn database(&self) -> &DatabaseArgs {
        match self {
            AlertsCommand::Add(a) => &a.database,
            AlertsCommand::List(a) => &a.database,
            AlertsCommand::Remove(a) => &a.database,
            AlertsCommand::Deliveries(a) => &a.database,
        }
    }
}

/// Where the key that seals alert secrets is kept.
#[derive(Debug, Clone, clap::Args)]
pub struct AlertKeyArgs {
    /// The file holding the key alert secrets are sealed with (made if
    /// missing). Default: beside an SQLite database (storewatch.db.alert-key);
    /// PostgreSQL needs it given, the same file for every instance.
    #[arg(long, env = "STOREWATCH_ALERT_KEY_FILE", value_name = "FILE")]
    pub alert_key_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AlertsAddArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub key: AlertKeyArgs,
    /// Where events are POSTed (http or https, public addresses only).
    #[arg(long = "url", id = "webhook_url", value_name = "URL")]
    pub webhook_url: String,
    /// The secret events are signed with (HMAC-SHA256; never shown again).
    #[arg(long, env = "STOREWATCH_ALERT_SECRET", hide_env_values = true)]
    pub secret: String,
    /// Only these stores (comma-separated ids); default every store.
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    pub stores: Option<Vec<String>>,
    /// How long a store is offline in its hours before it is alerted.
    #[arg(long, default_value = "30m")]
    pub after: String,
    /// Accept a URL on a private or loopback address (tests, private networks).
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Debug, clap::Args)]
pub struct AlertsListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Args)]
pub struct AlertsRemoveArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The subscription's id.
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct AlertsDeliveriesArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The subscription's id.
    pub id: String,
    /// At most this many events.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub limit: u32,
    /// Only events older than this event (its id).
    #[arg(long, value_name = "EVENT_ID")]
    pub before: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DeletePollsArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only this store's polls.
    #[arg(long, value_name = "ID")]
    pub store: Option<String>,
    /// Only polls at or after this time (UTC).
    #[arg(long, value_parser = parse_timestamp, value_name = "TS")]
    pub from: Option<Micros>,
    /// Only polls before this time (UTC).
    #[arg(long, value_parser = parse_timestamp, value_name = "TS")]
    pub to: Option<Micros>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its secret on standard output (only this once).
    Create(KeysCreateArgs),
    /// List the keys (never their secrets).
    List(KeysListArgs),
    /// Revoke the live key with this name: it stops working at once.
    Revoke(KeysRevokeArgs),
}

impl KeysCommand {
    pub fn database(&self) -> &DatabaseArgs {
        match self {
            KeysCommand::Create(a) => &a.database,
            KeysCommand::List(a) => &a.database,
            KeysCommand::Revoke(a) => &a.database,
        }
    }
}

/// `--stores 1,2,3`: an owner's store ids.
pub fn parse_scope(text: &str) -> Result<Scope, ScopeError> {
    Scope::new(text.split(','))
}

#[derive(Debug, clap::Args)]
pub struct KeysCreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A name for the key, unique among live keys (e.g. "poller", "owner-4711").
    #[arg(long)]
    pub name: String,
    /// admin (everything), ingest (push data only), or viewer (trigger and read reports).
    #[arg(long, value_parser = clap::value_parser!(Role))]
    pub role: Role,
    /// Make a viewer key an owner's: it sees only these stores (comma-separated ids).
    #[arg(long, value_parser = parse_scope, conflicts_with = "stores_file", value_name = "ID,…")]
    pub stores: Option<Scope>,
    /// Like --stores, with the ids in a file, one per line (a `store_id` header line is skipped).
    #[arg(long, value_name = "FILE")]
    pub stores_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct KeysListArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, clap::Args)]
pub struct KeysRevokeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The key's name.
    pub name: String,
}

/// The database flag of the commands that use one.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Where the data lives: sqlite://FILE (created if missing), sqlite:///ABS/PATH,
    /// sqlite::memory:, or postgres://USER@HOST/DB (the database must exist;
    /// its tables are created). Default: sqlite://storewatch.db
    #[arg(long = "database-url", env = "DATABASE_URL", value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
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
    /// How far past this machine's clock a poll may be dated; a later poll
    /// is an invalid row (it would become every report's default time).
    #[arg(long, env = "STOREWATCH_MAX_FUTURE", default_value = "1h", value_parser = parse_duration)]
    pub max_future: Duration,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Report time T (UTC), e.g. "2023-01-25 18:13:22 UTC" or 2023-01-25T18:13:22Z;
    /// default: the newest poll in the database.
    #[arg(long, value_parser = parse_timestamp, value_name = "TS")]
    pub as_of: Option<Micros>,
    /// Write the CSV here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Add the extended columns: open_last_week, polls_last_week,
    /// incidents_last_week, longest_incident_last_week (the week report).
    #[arg(long)]
    pub extended: bool,
    /// What the report holds: week (the last hour, day and week; the
    /// default), period (a row per store over the period), daily (a row per
    /// store and local date) or hourly (a row per store and hour of the day).
    #[arg(long, default_value = "week", value_name = "KIND")]
    pub kind: ReportKind,
    /// The period: this many days (of 24 hours) before the report time,
    /// 1 to 366; default 28. Not for the week report.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=366), conflicts_with = "from", value_name = "N")]
    pub days: Option<u16>,
    /// The period: from this time (UTC) to the report time, at most 366
    /// days. Not for the week report.
    #[arg(long, value_parser = parse_timestamp, value_name = "TS")]
    pub from: Option<Micros>,
}

impl ReportArgs {
    /// The period of a period report (`None` for the week), checked against
    /// the report time where one is given.
    pub fn span(&self) -> Result<Option<PeriodSpec>, String> {
        let span = match (self.days, self.from) {
            (Some(days), _) => Some(PeriodSpec::Days(i64::from(days))),
            (None, Some(from)) => Some(PeriodSpec::From(from)),
            (None, None) => None,
        };
        if self.kind == ReportKind::Week {
            if span.is_some() {
                return Err("--days and --from are for the period, daily and hourly reports, not --kind week".into());
            }
            return Ok(None);
        }
        if self.extended {
            return Err("--extended is for the week report (--kind week)".into());
        }
        let span = span.unwrap_or_default();
        if let Some(as_of) = self.as_of {
            span.ending_at(as_of).map_err(|e| period_error(e, span))?;
        }
        Ok(Some(span))
    }
}

/// A period that does not fit its report time, as the flags say it.
pub fn period_error(e: PeriodError, span: PeriodSpec) -> String {
    match (e, span) {
        (PeriodError::Empty, _) => "--from must be before the report time".into(),
        (PeriodError::TooLong, PeriodSpec::From(_)) => {
            format!("--from is more than {MAX_PERIOD_DAYS} days before the report time")
        }
        (e, _) => e.to_string(),
    }
}

/// A mistake on the command line found once the data is read (a `--from`
/// after the newest poll): exits with status 2, as clap's own do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Directory to write store_status.csv, business_hours.csv, timezones.csv and special_hours.csv into.
    #[arg(long)]
    pub out: PathBuf,
    /// How many stores.
    #[arg(long, default_value_t = 14_092, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub stores: u64,
    /// How many days of hourly polls.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
    /// Same seed, same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time of the newest poll (UTC); default that of the real 2023 data set.
    #[arg(long, default_value = "2023-01-25 18:13:22.47922 UTC", value_parser = parse_timestamp, value_name = "TS")]
    pub end: Micros,
    /// Write the polls gzip-compressed, as store_status.csv.gz.
    #[arg(long)]
    pub gzip: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub alert_key: AlertKeyArgs,
    /// Send alerts to loopback, private and link-local addresses too (tests,
    /// private networks); refused by default.
    #[arg(long, env = "STOREWATCH_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,
    /// How long an alert delivery may take before it counts as failed.
    #[arg(long, env = "STOREWATCH_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = parse_duration, hide = true)]
    pub webhook_timeout: Duration,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on; 0.0.0.0:8080 to be reachable from other machines
    /// (which needs an API key to exist first, or --no-auth).
    #[arg(long, env = "STOREWATCH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Serve on a non-loopback address although no API key exists, so anyone
    /// who reaches it may do anything. Once a key exists, keys are required anyway.
    #[arg(long, env = "STOREWATCH_NO_AUTH")]
    pub no_auth: bool,
    /// Reports one key may have queued or running at once (429 beyond).
    #[arg(long, env = "STOREWATCH_MAX_QUEUED_REPORTS", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_queued_reports: u32,
    /// Finished reports older than this are deleted with their CSV (checked hourly).
    #[arg(long, env = "STOREWATCH_KEEP_REPORTS", default_value = "30d", value_parser = parse_duration)]
    pub keep_reports: Duration,
    /// Delete polls older than this (e.g. 90d), at start and every hour, in
    /// small steps; default: keep every poll. "Older" counts back from now,
    /// or from the newest poll if that is earlier (so replayed old data is
    /// not wiped, and a poll dated in the future deletes nothing extra).
    #[arg(long, env = "STOREWATCH_RETAIN_POLLS", value_parser = parse_retention)]
    pub retain_polls: Option<Duration>,
    /// Ingest this directory's files at start and every --ingest-every,
    /// skipping files that did not change.
    #[arg(long, env = "STOREWATCH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// How often to re-ingest --data-dir, e.g. 1h, 15m, "1h 30m", PT30M.
    #[arg(long, env = "STOREWATCH_INGEST_EVERY", default_value = "1h", value_parser = parse_duration)]
    pub ingest_every: Duration,
    /// When the database holds no polls, fill it with generated data the size
    /// of the real data set, so there is something to report on at once.
    #[arg(long, env = "STOREWATCH_DEMO")]
    pub demo: bool,
    /// Reports computed at once by this instance.
    #[arg(long, env = "STOREWATCH_REPORT_WORKERS", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub report_workers: u16,
    /// How long a report stays claimed without a heartbeat; after a crash, a
    /// running report is taken over once this runs out.
    #[arg(long, env = "STOREWATCH_REPORT_LEASE", default_value = "15s", value_parser = parse_duration)]
    pub report_lease: Duration,
    /// A report over more stores than this is cut into shards of this many
    /// stores (ranges of store ids), which the report workers of every
    /// instance on the same database take, so several instances share one
    /// big report. Its CSV is the same either way.
    #[arg(long, env = "STOREWATCH_REPORT_SHARD_STORES", default_value_t = crate::app::DEFAULT_SHARD_STORES, value_parser = clap::value_parser!(u32).range(1..=100_000_000))]
    pub report_shard_stores: u32,
    /// Largest accepted request body, in MiB (413 beyond). A pushed file's
    /// valid polls are held until all of it is checked: about 1.3 bytes of
    /// memory per byte of CSV.
    #[arg(long, env = "STOREWATCH_MAX_BODY_MIB", default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_body_mib: u32,
    /// How far a gzip-compressed pushed body may inflate, in MiB (413 beyond).
    #[arg(long, env = "STOREWATCH_MAX_INFLATED_MIB", default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_inflated_mib: u32,
    /// The address users and pollers reach the service by, behind a proxy
    /// (https://storewatch.example.com): browsers' requests must come from
    /// its origin, and over https the login cookie is Secure.
    #[arg(long, env = "STOREWATCH_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<crate::app::PublicUrl>,
    /// How far past this machine's clock a pushed or re-ingested poll may be
    /// dated; a later poll is an invalid row.
    #[arg(long, env = "STOREWATCH_MAX_FUTURE", default_value = "1h", value_parser = parse_duration)]
    pub max_future: Duration,
}

impl Args {
    /// Parses the command line, and checks what clap alone cannot: a bad
    /// combination of flags exits with status 2 and the message.
    pub fn parse_checked() -> Args {
        use clap::CommandFactory;
        let args = Args::parse();
        if let Command::Report(r) = &args.command
            && let Err(why) = r.span()
        {
            Args::command()
                .error(clap::error::ErrorKind::ArgumentConflict, why)
                .exit();
        }
        args
    }

    /// The database URL: after the command, else before it, else
    /// `DATABASE_URL`, else [`DEFAULT_DATABASE_URL`].
    pub fn database_url(&self, command: &DatabaseArgs) -> String {
        command
            .url
            .clone()
            .or_else(|| self.database_url.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_at_least_a_week_and_may_be_years() {
        assert_eq!(
            parse_retention("90d").unwrap(),
            Duration::from_secs(90 * 86_400)
        );
        assert!(parse_retention("3y").is_err(), "years are calendar units");
        assert_eq!(
            parse_retention("1095 days").unwrap(),
            Duration::from_secs(1095 * 86_400)
        );
        assert!(parse_retention("6d").unwrap_err().contains("at least 7d"));
        assert!(parse_retention("0s").is_err());
        assert!(parse_duration("400d").is_err());
    }

    #[test]
    fn durations_in_the_friendly_format_and_iso_8601() {
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(
            parse_duration("5 minutes").unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            parse_duration("PT1H30M").unwrap(),
            Duration::from_secs(5400)
        );
        for bad in ["", "h", "10", "1x", "-1s", "0s", "1 month"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn huge_durations_are_refused_not_overflowed() {
        for huge in ["9999999999d", "400d", "99999999999999h"] {
            assert!(parse_duration(huge).is_err(), "{huge}");
        }
        assert!(parse_duration("365d").is_ok());
    }
}
