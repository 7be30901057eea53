//! One store's past over a period (SPEC section 6): its totals, its local
//! dates and hours of the day, and its incidents. Read and computed by the
//! same code as a period report, so its figures are the report's rows.

use anyhow::Result;
use jiff::civil::Date;
use storewatch_core::domain::StoreId;
use storewatch_core::domain::{DEFAULT_ZONE, Micros};
use storewatch_core::report::{Period, PeriodSpec, PeriodZones, ReportError, StorePeriod};
use storewatch_db::{Database, ReadMemory, Scope, Stores, batch_channel};

/// What a store's history shows.
#[derive(Debug, Clone)]
pub struct StoreHistory {
    pub store_id: String,
    pub period: Period,
    /// The zone its dates and hours are in.
    pub timezone: String,
    /// The local dates meeting the period, in order, as `analysis.days`.
    pub dates: Vec<Date>,
    pub analysis: StorePeriod,
}

/// The store's history over `span` before `as_of` (default: the newest
/// poll), or `None` when it has no poll, or is not one of `caller`'s stores
/// (a store one may not see does not exist). A period that does not fit the
/// report time is a [`ReportError::Period`].
pub async fn store_history<D: Database>(
    db: &D,
    store_id: &StoreId,
    as_of: Option<Micros>,
    span: PeriodSpec,
    caller: Option<&Scope>,
) -> Result<Option<StoreHistory>> {
    if caller.is_some_and(|s| !s.contains(store_id)) {
        return Ok(None);
    }
    let scope = Scope::one(store_id.clone());
    // Taken only after the read: room for every batch of one store (its
    // batch, and an empty last one at most), so the read never waits.
    let (sink, batches) = batch_channel(4);
    let read = db
        .report_batches(as_of, span, Stores::Scope(&scope), ReadMemory::Mapped, sink)
        .await;
    read?;
    let mut found = None;
    for batch in batches {
        if let Some(store) = batch.stores.into_iter().next() {
            found = Some((batch.as_of, store));
        }
    }
    let Some((t, mut store)) = found else {
        return Ok(None);
    };
    let period = span.ending_at(t).map_err(ReportError::from)?;
    tokio::task::spawn_blocking(move || {
        let mut zones = PeriodZones::new(period);
        zones.add(std::slice::from_ref(&store))?;
        let analysis = zones.analyze(&mut store)?;
        Ok(Some(StoreHistory {
            timezone: store
                .timezone
                .clone()
                .unwrap_or_else(|| DEFAULT_ZONE.to_string()),
            dates: zones.of(&store).clock.dates().collect(),
            store_id: store.store_id,
            period,
            analysis,
        }))
    })
    .await?
}
