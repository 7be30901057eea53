//! `storewatch report`: read one snapshot, compute, write the CSV.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use storewatch_core::domain::format_timestamp;
use storewatch_core::report::{Columns, write_csv};
use storewatch_db::{Database, Stores};

use crate::app::report::compute_report;
use crate::cli::ReportArgs;
use crate::progress::{Progress, thousands};

pub async fn run<D: Database>(db: &D, args: &ReportArgs) -> Result<()> {
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
