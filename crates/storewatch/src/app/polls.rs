//! Deleting polls: an operator's repair for polls that should never have
//! been stored (a poller's bad clock, a test store). By store, by time
//! range, or both; recorded in the ingest log like an ingest.

use storewatch_core::domain::{Micros, parse_store_id};
use storewatch_db::{Database, DbError, PollDeletion};

use super::ingest::Origin;

/// A deletion as asked for, checked before anything is deleted.
pub fn deletion(
    store_id: Option<&str>,
    from: Option<Micros>,
    to: Option<Micros>,
    origin: Origin,
    now: Micros,
) -> Result<PollDeletion, String> {
    let store_id = store_id
        .map(|id| parse_store_id(id.trim()).map(str::to_string))
        .transpose()
        .map_err(|e| format!("store id: {e}"))?;
    if store_id.is_none() && from.is_none() && to.is_none() {
        return Err(
            "name a store, a time range, or both: deleting every poll is not something to do by omission"
                .into(),
        );
    }
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err("the range is empty: `from` must be before `to` (from ≤ t < to)".into());
    }
    Ok(PollDeletion {
        store_id,
        from,
        to,
        at: now,
        by: origin.by,
        key_id: origin.key_id,
    })
}

/// Deletes, logs, and returns how many polls went.
pub async fn delete_polls<D: Database>(db: &D, deletion: &PollDeletion) -> Result<u64, DbError> {
    let deleted = db.delete_polls(deletion).await?;
    tracing::info!(deleted, what = %deletion.describe(), by = %deletion.by, "polls deleted");
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deletion_names_what_it_deletes() {
        let o = || Origin::named("command line");
        assert!(deletion(None, None, None, o(), 0).is_err());
        assert!(deletion(None, Some(5), Some(5), o(), 0).is_err());
        assert!(deletion(Some("=x"), None, None, o(), 0).is_err());
        let d = deletion(Some(" 42 "), None, Some(7), o(), 3).unwrap();
        assert_eq!(
            (d.store_id.as_deref(), d.from, d.to, d.at),
            (Some("42"), None, Some(7), 3)
        );
    }
}
