//! Finding stores: by part of their id, or those offline now (inside
//! business hours at the newest poll, with that nearest poll inactive).
//! An owner finds only its own stores.

use std::collections::HashSet;

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::report::{
    Live, LiveCounts, LiveList, Offline, OfflineList, PeriodSpec, ReportError, StoreInput,
};
use storewatch_db::keys::MAX_SCOPE_STORES;
use storewatch_db::shards::bounds_every;
use storewatch_db::{Database, ReadMemory, Scope, StoreRange, Stores, batch_channel};
use tokio::sync::Semaphore;

/// Batches of stores read ahead of the offline list's work (as a report's).
const BATCHES_AHEAD: usize = 2;

/// Whose turn it is to work out the offline list.
static OFFLINE_TURN: Semaphore = Semaphore::const_new(1);

/// Stores found, and the time "now" means: the newest poll.
#[derive(Debug)]
pub struct Found {
    pub as_of: Option<Micros>,
    /// Store ids in byte order, or (offline only) longest offline first.
    pub stores: Vec<(String, Option<Offline>)>,
    /// (Offline only) how many of the stores searched are in each status.
    pub counts: LiveCounts,
}

/// Stores read at once for the offline list: a range of store ids at a
/// time, so a list over millions of stores holds a range's, not all of them.
const OFFLINE_RANGE_STORES: u32 = 25_000;

/// The first `limit` stores offline now whose id contains `query`. The whole
/// week of every store in scope: as heavy as a report, and not queued like
/// one, so one at a time in this process (see [`OFFLINE_TURN`]). Read a
/// range of stores at a time, at one report time (the newest poll when the
/// list starts), each range's stores worked out as they come, keeping only
/// the first `limit`: memory for a range and a page, whatever the number of
/// stores. (Ranges are read one after another: an ingest landing meanwhile
/// is seen by the ranges after it, as with a split report.) `per`: stores
/// per range.
pub async fn offline_now<D: Database>(
    db: &D,
    query: &str,
    scope: Option<&Scope>,
    limit: usize,
    per: u32,
) -> Result<Found> {
    let Some(as_of) = db.newest_poll().await? else {
        return Ok(Found {
            as_of: None,
            stores: Vec::new(),
            counts: LiveCounts::default(),
        });
    };
    let bounds = match scope {
        Some(scope) => bounds_every(scope.stores(), per as usize),
        None => db.store_bounds(per).await?,
    };
    let mut list = OfflineList::new(as_of, limit);
    for range in StoreRange::cut_at(bounds) {
        let within;
        let stores = match scope {
            None => Stores::Range(&range),
            Some(scope) => match scope.within(&range) {
                Some(s) => {
                    within = s;
                    Stores::Scope(&within)
                }
                None => continue,
            },
        };
        let query = query.to_string();
        list = read_into(
            db,
            as_of,
            PeriodSpec::WEEK,
            stores,
            list,
            move |list, stores| list.add(stores, |id| matches(id, &query)),
        )
        .await?;
    }
    let counts = list.counts();
    let stores = list
        .finish()
        .into_iter()
        .map(|o| (o.store_id.clone(), Some(o)))
        .collect();
    Ok(Found {
        as_of: Some(as_of),
        stores,
        counts,
    })
}

/// Every store's live status at the newest poll (SPEC section 7, step 1),
/// counted; `None` when the database holds no polls. As heavy as the
/// offline list, and takes its turn with it.
pub async fn live_counts<D: Database>(db: &D) -> Result<Option<(Micros, LiveCounts)>> {
    let _turn = OFFLINE_TURN.acquire().await?;
    let found = offline_now(db, "", None, 0, OFFLINE_RANGE_STORES).await?;
    Ok(found.as_of.map(|t| (t, found.counts)))
}

/// The polls the alerts read first: a day settles most stores' statuses
/// (`storewatch_core::report::live_within`), a seventh of the week's read.
const LIVE_WINDOW: PeriodSpec = PeriodSpec::Days(1);

/// Every store's live status at the newest poll, by store id, with that
/// time (only those of `only`, if given); `None` when the database holds
/// no polls. For the alerts: read
/// with a day of polls, then the stores a day cannot settle again with the
/// week (`alerted`: the stores some subscription has alerted, whose
/// recovery names its incident). One entry per store in memory. Takes the
/// offline list's turn.
pub async fn every_live<D: Database>(
    db: &D,
    alerted: HashSet<String>,
    only: Option<&Scope>,
) -> Result<Option<(Micros, Vec<(String, Live)>)>> {
    let _turn = OFFLINE_TURN.acquire().await?;
    let Some(as_of) = db.newest_poll().await? else {
        return Ok(None);
    };
    let from = LIVE_WINDOW.start_before(as_of);
    let mut list = LiveList::within(from, as_of, alerted);
    if let Some(scope) = only {
        list = read_into(
            db,
            as_of,
            LIVE_WINDOW,
            Stores::Scope(scope),
            list,
            LiveList::add,
        )
        .await?;
    } else {
        for range in StoreRange::cut_at(db.store_bounds(OFFLINE_RANGE_STORES).await?) {
            list = read_into(
                db,
                as_of,
                LIVE_WINDOW,
                Stores::Range(&range),
                list,
                LiveList::add,
            )
            .await?;
        }
    }
    let (mut every, unsure) = list.finish();
    for ids in unsure.chunks(MAX_SCOPE_STORES) {
        let scope = Scope::new(ids)?;
        let week = LiveList::week(as_of);
        let week = read_into(
            db,
            as_of,
            PeriodSpec::WEEK,
            Stores::Scope(&scope),
            week,
            LiveList::add,
        )
        .await?;
        every.extend(week.finish().0);
    }
    every.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(Some((as_of, every)))
}

/// Reads `stores` with their polls of `span` before `as_of` and hands each
/// batch to `add` with `list`, on a blocking thread, as it is read (the
/// next batch is read meanwhile); returns `list` once all are in.
async fn read_into<D: Database, L: Send + 'static>(
    db: &D,
    as_of: Micros,
    span: PeriodSpec,
    stores: Stores<'_>,
    mut list: L,
    mut add: impl FnMut(&mut L, Vec<StoreInput>) -> Result<(), ReportError> + Send + 'static,
) -> Result<L> {
    let (sink, batches) = batch_channel(BATCHES_AHEAD);
    let working = tokio::task::spawn_blocking(move || {
        for batch in batches {
            add(&mut list, batch.stores)?;
        }
        Ok::<_, ReportError>(list)
    });
    let read = db
        .report_batches(Some(as_of), span, stores, ReadMemory::Bounded, sink)
        .await;
    let list = working.await??;
    read?;
    Ok(list)
}

/// Whether `id` contains `query`, ASCII letters in any case (as the
/// database search does).
fn matches(id: &str, query: &str) -> bool {
    id.to_ascii_lowercase()
        .contains(&query.to_ascii_lowercase())
}

/// At most `limit` stores whose id contains `query`; with `offline_only`,
/// just those offline now. `scope`: an owner's stores.
pub async fn find_stores<D: Database>(
    db: &D,
    query: &str,
    offline_only: bool,
    scope: Option<&Scope>,
    limit: u32,
) -> Result<Found> {
    let limit = limit as usize;
    if offline_only {
        let _turn = OFFLINE_TURN.acquire().await?;
        return offline_now(db, query, scope, limit, OFFLINE_RANGE_STORES).await;
    }
    let ids = match scope {
        // An owner's few stores: found among all matches, then kept.
        Some(scope) => db
            .find_stores(query, u32::MAX)
            .await?
            .into_iter()
            .filter(|id| scope.contains(id))
            .take(limit)
            .collect(),
        None => db.find_stores(query, limit as u32).await?,
    };
    Ok(Found {
        as_of: db.newest_poll().await?,
        stores: ids.into_iter().map(|id| (id, None)).collect(),
        counts: LiveCounts::default(),
    })
}
