//! The report pipeline every entry point calls: read one snapshot, compute
//! off the async threads; and how a report over many stores is split into
//! shards that several workers, of several instances, compute apart.

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::report::{
    Columns, Fleet, FleetBuilder, Header, PeriodBuilder, PeriodKind, PeriodReport, PeriodSpec,
    Report, ReportBuilder, ReportError, ReportSpec, to_csv_part_string,
};
use storewatch_db::shards::bounds_every;
use storewatch_db::{ClaimedShard, Database, ReadMemory, Scope, StoreRange, Stores, batch_channel};

/// Batches of stores read but not yet computed, at most: the reader waits
/// when the computation is that far behind, which bounds the polls in
/// memory at once on a backend that reads store after store.
const BATCHES_AHEAD: usize = 2;

/// Reads the data as it is now and computes the report at `as_of` (default:
/// the newest poll), over the stores selected (default: all). The math
/// runs off the async threads, on the stores already read while the rest
/// is read (see [`DataStore::report_batches`](storewatch_db::DataStore::report_batches)).
pub async fn compute_report<D: Database>(
    db: &D,
    as_of: Option<Micros>,
    stores: Stores<'_>,
) -> Result<Report> {
    let (sink, batches) = batch_channel(BATCHES_AHEAD);
    let computing = tokio::task::spawn_blocking(move || {
        let mut report: Option<ReportBuilder> = None;
        for batch in batches {
            report
                .get_or_insert_with(|| ReportBuilder::new(batch.as_of))
                .add(batch.stores)?;
        }
        Ok::<_, ReportError>(report.map_or_else(Report::default, ReportBuilder::finish))
    });
    let read = db
        .report_batches(as_of, PeriodSpec::WEEK, stores, ReadMemory::Mapped, sink)
        .await;
    // The computation's error first: when it stops, the read fails for want
    // of a taker.
    let report = computing.await??;
    read?;
    Ok(report)
}

/// Reads the data as it is now and computes the period report of `kind`
/// over `span` before `as_of` (default: the newest poll), over the stores
/// selected, as [`compute_report`] does the week's. A period that does not
/// fit the report time (a start at or after it) is a [`ReportError::Period`].
pub async fn compute_period<D: Database>(
    db: &D,
    as_of: Option<Micros>,
    span: PeriodSpec,
    stores: Stores<'_>,
    kind: PeriodKind,
) -> Result<PeriodReport> {
    let (sink, batches) = batch_channel(BATCHES_AHEAD);
    let computing = tokio::task::spawn_blocking(move || {
        let mut report: Option<PeriodBuilder> = None;
        for batch in batches {
            let builder = match &mut report {
                Some(b) => b,
                None => report.insert(PeriodBuilder::new(span.ending_at(batch.as_of)?, kind)),
            };
            builder.add(batch.stores)?;
        }
        Ok::<_, ReportError>(
            report.map_or_else(|| PeriodReport::empty(kind), PeriodBuilder::finish),
        )
    });
    // Through the page cache, not the memory map: a period reads up to 367
    // days of every store, and mapped pages would all count in the resident
    // size (100,000 stores over 28 days: 650 MiB mapped, 159 MiB not, for
    // 7 % more time; docs/performance.md). The week keeps the map.
    let read = db
        .report_batches(as_of, span, stores, ReadMemory::Bounded, sink)
        .await;
    let report = computing.await??;
    read?;
    Ok(report)
}

/// The fleet over `span` before `as_of` (default: the newest poll) of the
/// stores selected (SPEC section 6, step 4), with their live statuses at T
/// (section 7, step 1); `None` when the database holds no polls. Read as a
/// report is (the period and the week before T, whichever reaches further
/// back), computed as the stores arrive.
/// Whose turn it is to work out a fleet: as heavy as a report (every
/// store's period), so one at a time per process. Callers asking again and
/// again (the API, the start page) wait their turn instead of taking every
/// core from the reports; a waiting request ends at the request timeout.
static FLEET_TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

pub async fn compute_fleet<D: Database>(
    db: &D,
    as_of: Option<Micros>,
    span: PeriodSpec,
    stores: Stores<'_>,
) -> Result<Option<Fleet>> {
    let Some(t) = (match as_of {
        Some(t) => Some(t),
        None => db.newest_poll().await?,
    }) else {
        return Ok(None);
    };
    let period = span.ending_at(t).map_err(ReportError::from)?;
    let _turn = FLEET_TURN.acquire().await?;
    let read = PeriodSpec::From(period.from.min(PeriodSpec::WEEK.start_before(t)));
    let (sink, batches) = batch_channel(BATCHES_AHEAD);
    let computing = tokio::task::spawn_blocking(move || {
        let mut fleet = FleetBuilder::new(period);
        for batch in batches {
            fleet.add(batch.stores)?;
        }
        Ok::<_, ReportError>(fleet.finish())
    });
    let read = db
        .report_batches(Some(t), read, stores, ReadMemory::Bounded, sink)
        .await;
    let fleet = computing.await??;
    read?;
    Ok(Some(fleet))
}

/// How a claimed report is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// By the worker that claimed it, in one read.
    Whole,
    /// As shards over these ranges (in order), at this report time.
    Split {
        as_of: Micros,
        ranges: Vec<StoreRange>,
    },
}

/// Splits a report over more than `per_shard` stores (all, or its scope's)
/// into ranges of `per_shard`; the report time is fixed now, so every shard
/// reports at the same T, whenever it runs.
pub async fn plan_report<D: Database>(
    db: &D,
    requested_as_of: Option<Micros>,
    scope: Option<&Scope>,
    per_shard: u32,
) -> Result<Plan> {
    let bounds = match scope {
        Some(scope) => bounds_every(scope.stores(), per_shard as usize),
        None => db.store_bounds(per_shard).await?,
    };
    if bounds.is_empty() {
        return Ok(Plan::Whole);
    }
    let as_of = match requested_as_of {
        Some(t) => t,
        None => match db.newest_poll().await? {
            Some(t) => t,
            None => return Ok(Plan::Whole),
        },
    };
    Ok(Plan::Split {
        as_of,
        ranges: StoreRange::cut_at(bounds),
    })
}

/// A report of any kind as it is stored: its report time, its rows and its
/// CSV (the week's with every column), after the header if asked for.
pub struct ReportCsv {
    pub as_of: Option<Micros>,
    pub rows: u64,
    pub csv: String,
}

/// Computes the report `spec` asks for (see [`compute_report`] and
/// [`compute_period`]) and writes it as stored.
pub async fn compute_csv<D: Database>(
    db: &D,
    spec: ReportSpec,
    as_of: Option<Micros>,
    stores: Stores<'_>,
    header: Header,
) -> Result<ReportCsv> {
    match spec {
        ReportSpec::Week => {
            let report = compute_report(db, as_of, stores).await?;
            let (as_of, rows) = (report.as_of, report.rows.len() as u64);
            let csv = tokio::task::spawn_blocking(move || {
                to_csv_part_string(&report, Columns::Extended, header)
            })
            .await?;
            Ok(ReportCsv { as_of, rows, csv })
        }
        ReportSpec::Period { kind, span } => {
            let report = compute_period(db, as_of, span, stores, kind).await?;
            let (as_of, rows) = (report.period.map(|p| p.to), report.rows());
            let csv = tokio::task::spawn_blocking(move || report.to_csv_string(header)).await?;
            Ok(ReportCsv { as_of, rows, csv })
        }
    }
}

/// An empty report of `spec`'s kind as stored: the header, or nothing.
fn empty_csv(spec: ReportSpec, header: Header) -> String {
    match spec {
        ReportSpec::Week => to_csv_part_string(&Report::default(), Columns::Extended, header),
        ReportSpec::Period { kind, .. } => PeriodReport::empty(kind).to_csv_string(header),
    }
}

/// One shard's part of its report's CSV, as stored (see [`compute_csv`]),
/// the first shard's with the header; and its rows.
pub async fn compute_shard<D: Database>(db: &D, shard: &ClaimedShard) -> Result<(u64, String)> {
    let header = if shard.id.index == 0 {
        Header::Write
    } else {
        Header::Omit
    };
    let scoped;
    let stores = match &shard.scope {
        None => Stores::Range(&shard.range),
        Some(scope) => match scope.within(&shard.range) {
            Some(s) => {
                scoped = s;
                Stores::Scope(&scoped)
            }
            // No store of the scope in the range: a part with no rows.
            None => return Ok((0, empty_csv(shard.spec, header))),
        },
    };
    let part = compute_csv(db, shard.spec, Some(shard.as_of), stores, header).await?;
    Ok((part.rows, part.csv))
}
