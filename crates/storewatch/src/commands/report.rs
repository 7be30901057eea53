//! `storewatch report`: read one snapshot, compute, write the CSV.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use storewatch_core::domain::format_timestamp;
use storewatch_core::report::{Columns, Header, write_csv};
use storewatch_db::{Database, Stores};

use crate::app::report::{compute_period, compute_report};
use crate::cli::{ReportArgs, UsageError, period_error};
use crate::progress::{Progress, thousands};

pub async fn run<D: Database>(db: &D, args: &ReportArgs) -> Result<()> {
    let as_of = args.as_of;
    let (Some(span), Some(kind)) = (args.span().map_err(UsageError)?, args.kind.period()) else {
        return week(db, args).await;
    };
    // The report time decides whether the period fits: checked before the
    // work, a mistake of the flags (exit 2) rather than of the data.
    let t = match as_of {
        Some(t) => Some(t),
        None => db.newest_poll().await?,
    };
    if let Some(t) = t {
        span.ending_at(t).map_err(|e| {
            UsageError(format!(
                "{} ({})",
                period_error(e, span),
                format_timestamp(t)
            ))
        })?;
    }
    let progress = Progress::new();
    progress.step("computing the report");
    let report = compute_period(db, t, span, Stores::All, kind).await?;
    progress.finish();
    if report.period.is_none() {
        eprintln!("note: the database holds no polls, so the report has no rows");
    }
    let write = |out: &mut dyn Write| report.write_csv(Header::Write, out);
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut w = BufWriter::new(file);
            write(&mut w)?;
            w.flush()?;
            eprintln!(
                "wrote {} stores' {} report to {}",
                thousands(report.stores() as u64),
                args.kind,
                path.display()
            );
        }
        None => write(&mut BufWriter::new(std::io::stdout().lock()))?,
    }
    Ok(())
}

/// The week report (SPEC section 3).
async fn week<D: Database>(db: &D, args: &ReportArgs) -> Result<()> {
    let as_of = args.as_of;
    let columns = if args.extended {
        Columns::Extended
    } else {
        Columns::Standard
    };
    let progress = Progress::new();
    progress.step("computing the report");
    let report = compute_report(db, as_of, Stores::All).await?;
    progress.finish();
    if report.as_of.is_none() {
        eprintln!("note: the database holds no polls, so the report has no rows");
    }
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut w = BufWriter::new(file);
            write_csv(&report, columns, &mut w)?;
            w.flush()?;
            eprintln!(
                "wrote {} stores as of {} to {}",
                thousands(report.rows.len() as u64),
                report.as_of.map_or("-".into(), format_timestamp),
                path.display()
            );
        }
        None => {
            let stdout = std::io::stdout().lock();
            write_csv(&report, columns, BufWriter::new(stdout))?;
        }
    }
    Ok(())
}
