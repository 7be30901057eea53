//! Finding stores: by part of their id, or those offline now (inside
//! business hours at the newest poll, with that nearest poll inactive).
//! An owner finds only its own stores.

use anyhow::Result;
use storewatch_core::domain::Micros;
use storewatch_core::report::{Offline, OfflineList, PeriodSpec, ReportError};
use storewatch_db::{Database, Scope, batch_channel};
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
        // The whole week of every store in scope: as heavy as a report, and
        // not queued like one. One at a time in this process, so callers
        // asking again and again wait their turn instead of taking every
        // core from the reports (a waiting request ends at the timeout).
        // Read in batches and worked out as they come, keeping only the
        // first `limit`: memory for a page and a few batches, whatever the
        // number of stores.
        let _turn = OFFLINE_TURN.acquire().await?;
        let (sink, batches) = batch_channel(BATCHES_AHEAD);
        let query = query.to_string();
        let finding = tokio::task::spawn_blocking(move || {
            let mut list: Option<OfflineList> = None;
            for batch in batches {
                list.get_or_insert_with(|| OfflineList::new(batch.as_of, limit))
                    .add(batch.stores, |id| matches(id, &query))?;
            }
            Ok::<_, ReportError>(list.map(|l| (l.as_of(), l.finish())))
        });
        let read = db
            .report_batches(None, PeriodSpec::WEEK, scope.into(), sink)
            .await;
        let found = finding.await??;
        read?;
        let Some((as_of, offline)) = found else {
            return Ok(Found {
                as_of: None,
                stores: Vec::new(),
            });
        };
        let stores = offline
            .into_iter()
            .map(|o| (o.store_id.clone(), Some(o)))
            .collect();
        return Ok(Found {
            as_of: Some(as_of),
            stores,
        });
    }
    let ids = match scope {
        // An owner's few stores: found among all matches, then kept.
        Some(scope) => db
            .find_stores(query, u32::MAX)
            .await?
            .into_iter()
            .filter(|id| scope.stores().contains(id))
            .take(limit)
            .collect(),
        None => db.find_stores(query, limit as u32).await?,
    };
    Ok(Found {
        as_of: db.newest_poll().await?,
        stores: ids.into_iter().map(|id| (id, None)).collect(),
    })
}
