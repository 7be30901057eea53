//! Alerts in PostgreSQL (see `migrations/0008_alerts.sql`). An evaluation
//! and a claim each hold [`ALERT_LOCK`] for their transaction, so those of
//! every instance take turns: never two `store.offline` in a row, never one
//! event sent by two instances at once.

use sqlx::Row;
use sqlx::postgres::PgRow;
use storewatch_core::domain::Micros;
use storewatch_db::alerts::{
    AlertChanges, AlertState, AlertStore, Attempt, ClaimedEvent, EventRecord, Subscription,
};
use storewatch_db::{DbError, Lease, sql};

use crate::{PostgresDatabase, Run, Tx, db_err};

/// Any number: the advisory lock alert evaluations and claims take turns on.
const ALERT_LOCK: i64 = 0x5354_5741_4c45_5254; // "STWALERT"

fn subscription(row: &PgRow) -> Subscription {
    Subscription {
        id: row.get(0),
        url: row.get(1),
        sealed_secret: row.get(2),
        stores: Subscription::stores_from_text(row.get(3)),
        after: row.get(4),
        created_at: row.get(5),
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

async fn locked(db: &PostgresDatabase) -> Result<Tx, DbError> {
    let mut tx = db.pool.begin().await.map_err(db_err)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ALERT_LOCK)
        .run(&mut *tx)
        .await?;
    Ok(tx)
}

impl AlertStore for PostgresDatabase {
    async fn create_subscription(&self, s: &Subscription) -> Result<(), DbError> {
        sqlx::query(sql::CREATE_SUBSCRIPTION)
            .bind(&s.id)
            .bind(&s.url)
            .bind(&s.sealed_secret)
            .bind(s.stores_text())
            .bind(s.after)
            .bind(s.created_at)
            .run(&self.pool)
            .await
            .map(drop)
    }

    async fn subscriptions(&self) -> Result<Vec<Subscription>, DbError> {
        let rows = sqlx::query(sql::SUBSCRIPTIONS)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(rows.iter().map(subscription).collect())
    }

    async fn remove_subscription(&self, id: &str) -> Result<bool, DbError> {
        let mut tx = locked(self).await?;
        let mut removed = 0;
        for statement in sql::REMOVE_SUBSCRIPTION {
            removed = sqlx::query(statement).bind(id).run(&mut *tx).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(removed == 1)
    }

    async fn alerted_stores(&self) -> Result<Vec<String>, DbError> {
        sqlx::query_scalar(sql::ALERTED_STORES)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn alerts_evaluated(&self) -> Result<i64, DbError> {
        let evaluated: Option<i64> = sqlx::query_scalar(sql::ALERTS_EVALUATED)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(evaluated.unwrap_or_default())
    }

    async fn apply_alerts<F>(
        &self,
        version: i64,
        decide: F,
    ) -> Result<Option<AlertChanges>, DbError>
    where
        F: FnOnce(AlertState) -> AlertChanges + Send + 'static,
    {
        let mut tx = locked(self).await?;
        let evaluated: Option<i64> = sqlx::query_scalar(sql::ALERTS_EVALUATED)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if evaluated.is_some_and(|e| e >= version) {
            return Ok(None);
        }
        let subscriptions = sqlx::query(sql::SUBSCRIPTIONS)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let open = sqlx::query(sql::OPEN_ALERTS)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let state = AlertState {
            subscriptions: subscriptions.iter().map(subscription).collect(),
            open: open.iter().map(|r| (r.get(0), r.get(1))).collect(),
        };
        let changes = decide(state);
        // Many events at once (every store of a fleet going dark): one
        // statement of arrays, not a round trip each.
        let column = |f: fn(&storewatch_db::alerts::NewEvent) -> &str| {
            changes.events.iter().map(f).collect::<Vec<&str>>()
        };
        let created: Vec<i64> = changes.events.iter().map(|e| e.created_at).collect();
        sqlx::query(
            "INSERT INTO alert_events
                 (id, subscription_id, store_id, kind, body, created_at, next_attempt_at)
             SELECT i, s, st, k, b, c, c
               FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                           $6::bigint[]) AS e(i, s, st, k, b, c)",
        )
        .bind(column(|e| &e.id))
        .bind(column(|e| &e.subscription_id))
        .bind(column(|e| &e.store_id))
        .bind(column(|e| &e.kind))
        .bind(column(|e| &e.body))
        .bind(created)
        .run(&mut *tx)
        .await?;
        let opened = "INSERT INTO alert_open (subscription_id, store_id)
             SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT DO NOTHING";
        let closed = "DELETE FROM alert_open o USING UNNEST($1::text[], $2::text[]) AS c(s, st)
              WHERE o.subscription_id = c.s AND o.store_id = c.st";
        for (pairs, statement) in [(&changes.opened, opened), (&changes.closed, closed)] {
            let subs: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
            let stores: Vec<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
            sqlx::query(statement)
                .bind(subs)
                .bind(stores)
                .run(&mut *tx)
                .await?;
        }
        sqlx::query(sql::SET_ALERTS_EVALUATED)
            .bind(version)
            .run(&mut *tx)
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some(changes))
    }

    async fn claim_events(
        &self,
        lease: &Lease,
        now: Micros,
        limit: u32,
        per_subscription: u32,
    ) -> Result<Vec<ClaimedEvent>, DbError> {
        let mut tx = locked(self).await?;
        let mut due: Vec<i64> = Vec::new();
        let subscriptions: Vec<String> = sqlx::query_scalar(sql::SUBSCRIPTION_IDS)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        for sub in subscriptions {
            let busy: i64 = sqlx::query_scalar(sql::EVENTS_IN_FLIGHT)
                .bind(&sub)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
            let room =
                (i64::from(per_subscription) - busy).min(i64::from(limit) - due.len() as i64);
            if room > 0 {
                let more: Vec<i64> = sqlx::query_scalar(sql::DUE_EVENTS)
                    .bind(&sub)
                    .bind(now)
                    .bind(room)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                due.extend(more);
            }
        }
        if due.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query("UPDATE alert_events SET worker = $1, lease_until = $2 WHERE seq = ANY($3)")
            .bind(&lease.worker)
            .bind(lease.until)
            .bind(&due)
            .run(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT e.seq, e.id, e.subscription_id, s.url, s.sealed_secret,
                    e.body, e.kind, e.created_at, CAST(e.attempts AS BIGINT)
               FROM alert_events e JOIN alert_subscriptions s ON s.id = e.subscription_id
              WHERE e.seq = ANY($1)",
        )
        .bind(&due)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        let mut claimed: Vec<ClaimedEvent> = rows
            .iter()
            .map(|r| ClaimedEvent {
                seq: r.get(0),
                id: r.get(1),
                subscription_id: r.get(2),
                url: r.get(3),
                sealed_secret: r.get(4),
                body: r.get(5),
                kind: r.get(6),
                created_at: r.get(7),
                attempts: count(r.get(8)),
            })
            .collect();
        // In the order they fell due.
        claimed.sort_by_key(|e| due.iter().position(|s| *s == e.seq));
        Ok(claimed)
    }

    async fn finish_event(
        &self,
        seq: i64,
        lease: &Lease,
        attempt: &Attempt,
    ) -> Result<bool, DbError> {
        let (next, delivered, failed) = attempt.columns();
        let done = sqlx::query(sql::FINISH_EVENT)
            .bind(seq)
            .bind(&lease.worker)
            .bind(&attempt.answer)
            .bind(next)
            .bind(delivered)
            .bind(failed)
            .run(&self.pool)
            .await?;
        Ok(done == 1)
    }

    async fn events(
        &self,
        subscription_id: &str,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Vec<EventRecord>, DbError> {
        let rows = sqlx::query(sql::EVENTS)
            .bind(subscription_id)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(rows
            .iter()
            .map(|r| EventRecord {
                id: r.get(0),
                kind: r.get(1),
                store_id: r.get(2),
                created_at: r.get(3),
                attempts: count(r.get(4)),
                last_answer: r.get(5),
                next_attempt_at: r.get(6),
                delivered_at: r.get(7),
                failed_at: r.get(8),
            })
            .collect())
    }

    async fn delete_finished_events(&self, before: Micros) -> Result<u64, DbError> {
        sqlx::query(sql::DELETE_FINISHED_EVENTS)
            .bind(before)
            .run(&self.pool)
            .await
    }

    async fn next_event_due(&self) -> Result<Option<Micros>, DbError> {
        sqlx::query_scalar(sql::NEXT_EVENT_DUE)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }
}
