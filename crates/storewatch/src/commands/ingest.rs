//! `storewatch ingest`: validate every given file, then apply them all in one
//! transaction (the pipeline is `app::ingest`). An invalid file (strict mode)
//! stops everything before the database is touched.

use std::io::Write;

use anyhow::{Context, Result, bail};
use storewatch_core::ingest::Mode;
use storewatch_db::{Actor, Database};

use crate::app::ingest::{IngestFailure, IngestRequest, Origin, RejectedFile, Sources, ingest};
use crate::cli::IngestArgs;
use crate::progress::{Progress, thousands};

/// The files the flags name: `--data-dir`'s, each overridden by its own flag.
fn sources(args: &IngestArgs) -> Result<Sources> {
    let mut sources = match &args.data_dir {
        Some(dir) => Sources::in_dir(dir)?,
        None => Sources::default(),
    };
    if args.status.is_some() {
        sources.polls.clone_from(&args.status);
    }
    if args.hours.is_some() {
        sources.business_hours.clone_from(&args.hours);
    }
    if args.timezones.is_some() {
        sources.timezones.clone_from(&args.timezones);
    }
    if args.special_hours.is_some() {
        sources.special_hours.clone_from(&args.special_hours);
    }
    if sources.is_empty() {
        match &args.data_dir {
            Some(dir) => bail!(
                "no source files in {}: looked for store_status.csv, business_hours.csv, menu_hours.csv, timezones.csv and special_hours.csv (each also .gz)",
                dir.display()
            ),
            None => bail!(
                "nothing to ingest: give --data-dir DIR or --status/--hours/--timezones/--special-hours FILE"
            ),
        }
    }
    Ok(sources)
}

/// After a command changed the data: the alert events it makes, written
/// before the command exits (SPEC section 7: stored before the change is
/// acknowledged). A failure leaves the data stored; a running service
/// writes the events when it next checks.
pub async fn alert_after_change<D: Database>(db: &D) -> Result<()> {
    let made = crate::app::alerts::evaluate(db, &crate::app::Metrics::default())
        .await
        .context("the data is stored, but its alert events could not be worked out (a running service will)")?;
    if made.offline + made.recovered > 0 {
        eprintln!(
            "alerts: {} store.offline and {} store.recovered events to send",
            made.offline, made.recovered
        );
    }
    Ok(())
}

pub async fn run<D: Database>(db: &D, args: &IngestArgs) -> Result<()> {
    let sources = sources(args)?;
    let mode = if args.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    let progress = Progress::new();
    let names: Vec<_> = sources
        .by_kind()
        .map(|(_, p)| p.display().to_string())
        .collect();
    progress.step(&format!("reading {}", names.join(", ")));
    let request = IngestRequest {
        inputs: sources.inputs(),
        mode,
        origin: Origin::keyless(Actor::CommandLine),
        fingerprints: Vec::new(),
        max_future: args.max_future,
        rejected_dir: Some(args.rejected_dir.clone()),
    };
    let loaded = ingest(db, request, None).await;
    progress.finish();
    let done = match loaded {
        Ok(done) => done,
        Err(IngestFailure::Rejected(rejected)) => bail!("{rejected}"),
        Err(IngestFailure::Storage(e)) => return Err(e.into()),
        Err(e @ IngestFailure::Panicked(_)) => return Err(e.into()),
    };
    let applied = done.applied;
    let mut out = std::io::stdout().lock();
    if let (Some(path), Some(a)) = (&sources.polls, applied.polls) {
        writeln!(
            out,
            "{}: {} polls, {} new or changed, {} already stored",
            path.display(),
            thousands(a.rows),
            thousands(a.written),
            thousands(a.unchanged)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.business_hours, applied.business_hours) {
        writeln!(
            out,
            "{}: {} business-hours rows (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.timezones, applied.timezones) {
        writeln!(
            out,
            "{}: {} time zones (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    if let (Some(path), Some(n)) = (&sources.special_hours, applied.special_hours) {
        writeln!(
            out,
            "{}: {} special-hours rows (replaced the previous set)",
            path.display(),
            thousands(n)
        )?;
    }
    for skipped in &done.skipped {
        let file = &skipped.rows[0].file;
        writeln!(
            out,
            "{file}: skipped {} invalid rows; they are listed with the reasons in {}",
            thousands(skipped.total as u64),
            RejectedFile::path(&args.rejected_dir, file).display()
        )?;
    }
    drop(out);
    alert_after_change(db).await
}
