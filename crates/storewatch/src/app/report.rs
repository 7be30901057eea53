//! The report pipeline every entry point calls: read one snapshot, compute
//! off the async threads.

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::report::{Report, compute};
use storewatch_db::{Database, Scope};

/// Reads the data as it is now and computes the report at `as_of` (default:
/// the newest poll), over the stores of `scope` (default: all). The math
/// runs off the async threads.
pub async fn compute_report<D: Database>(
    db: &D,
    as_of: Option<Micros>,
    scope: Option<&Scope>,
) -> Result<Report> {
    let input = db.report_input(as_of, scope).await?;
    let report = tokio::task::spawn_blocking(move || compute(input)).await??;
    Ok(report)
}
