//! Alerts in SQLite, in the jobs file (see
//! `migrations-jobs/0007_alerts.sql`). Every step that reads and then
//! writes is one IMMEDIATE transaction: evaluations and claims of several
//! workers (or processes) take turns.

use rusqlite::Row;
use storewatch_core::domain::Micros;
use storewatch_db::alerts::{
    AlertChanges, AlertState, AlertStore, Attempt, ClaimedEvent, EventRecord, Subscription,
};
use storewatch_db::{DbError, Lease, sql};

use crate::SqliteDatabase;
use crate::query::{self, execute, in_transaction};

fn subscription(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        id: row.get(0)?,
        url: row.get(1)?,
        sealed_secret: row.get(2)?,
        stores: Subscription::stores_from_text(row.get(3)?),
        after: row.get(4)?,
        created_at: row.get(5)?,
    })
}

fn claimed(row: &Row<'_>) -> rusqlite::Result<ClaimedEvent> {
    Ok(ClaimedEvent {
        seq: row.get(0)?,
        id: row.get(1)?,
        subscription_id: row.get(2)?,
        url: row.get(3)?,
        sealed_secret: row.get(4)?,
        body: row.get(5)?,
        kind: row.get(6)?,
        created_at: row.get(7)?,
        attempts: u32::try_from(row.get::<_, i64>(8)?).unwrap_or(u32::MAX),
    })
}

fn event_record(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: row.get(0)?,
        kind: row.get(1)?,
        store_id: row.get(2)?,
        created_at: row.get(3)?,
        attempts: u32::try_from(row.get::<_, i64>(4)?).unwrap_or(u32::MAX),
        last_answer: row.get(5)?,
        next_attempt_at: row.get(6)?,
        delivered_at: row.get(7)?,
        failed_at: row.get(8)?,
    })
}

impl AlertStore for SqliteDatabase {
    async fn create_subscription(&self, s: &Subscription) -> Result<(), DbError> {
        self.check_files()?;
        let s = s.clone();
        self.jobs
            .run(move |c| {
                execute(
                    c,
                    sql::CREATE_SUBSCRIPTION,
                    &[
                        &s.id,
                        &s.url,
                        &s.sealed_secret,
                        &s.stores_text(),
                        &s.after,
                        &s.created_at,
                    ],
                )
                .map(drop)
            })
            .await
    }

    async fn subscriptions(&self) -> Result<Vec<Subscription>, DbError> {
        self.jobs
            .run(|c| query::rows(c, sql::SUBSCRIPTIONS, &[], subscription))
            .await
    }

    async fn remove_subscription(&self, id: &str) -> Result<bool, DbError> {
        let id = id.to_string();
        self.jobs
            .run(move |c| {
                in_transaction(c, |c| {
                    let mut removed = 0;
                    for statement in sql::REMOVE_SUBSCRIPTION {
                        removed = execute(c, statement, &[&id])?;
                    }
                    Ok(removed == 1)
                })
            })
            .await
    }

    async fn alerted_stores(&self) -> Result<Vec<String>, DbError> {
        self.jobs
            .run(|c| query::column(c, sql::ALERTED_STORES, &[]))
            .await
    }

    async fn alerts_evaluated(&self) -> Result<i64, DbError> {
        self.jobs
            .run(|c| query::optional(c, sql::ALERTS_EVALUATED, &[], |r| r.get(0)))
            .await
            .map(Option::unwrap_or_default)
    }

    async fn apply_alerts<F>(
        &self,
        version: i64,
        decide: F,
    ) -> Result<Option<AlertChanges>, DbError>
    where
        F: FnOnce(AlertState) -> AlertChanges + Send + 'static,
    {
        self.check_files()?;
        self.jobs
            .run(move |c| {
                in_transaction(c, |c| {
                    let evaluated: Option<i64> =
                        query::optional(c, sql::ALERTS_EVALUATED, &[], |r| r.get(0))?;
                    if evaluated.is_some_and(|e| e >= version) {
                        return Ok(None);
                    }
                    let state = AlertState {
                        subscriptions: query::rows(c, sql::SUBSCRIPTIONS, &[], subscription)?,
                        open: query::rows(c, sql::OPEN_ALERTS, &[], |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })?,
                    };
                    let changes = decide(state);
                    for e in &changes.events {
                        execute(
                            c,
                            sql::INSERT_EVENT,
                            &[
                                &e.id,
                                &e.subscription_id,
                                &e.store_id,
                                &e.kind,
                                &e.body,
                                &e.created_at,
                            ],
                        )?;
                    }
                    for (s, store) in &changes.opened {
                        execute(c, sql::OPEN_ALERT, &[s, store])?;
                    }
                    for (s, store) in &changes.closed {
                        execute(c, sql::CLOSE_ALERT, &[s, store])?;
                    }
                    execute(c, sql::SET_ALERTS_EVALUATED, &[&version])?;
                    Ok(Some(changes))
                })
            })
            .await
    }

    async fn claim_events(
        &self,
        lease: &Lease,
        now: Micros,
        limit: u32,
        per_subscription: u32,
    ) -> Result<Vec<ClaimedEvent>, DbError> {
        let lease = lease.clone();
        self.jobs
            .run(move |c| {
                in_transaction(c, |c| {
                    let mut due: Vec<i64> = Vec::new();
                    for sub in query::column::<String>(c, sql::SUBSCRIPTION_IDS, &[])? {
                        let busy: i64 = query::scalar(c, sql::EVENTS_IN_FLIGHT, &[&sub, &now])?;
                        let room = (i64::from(per_subscription) - busy)
                            .min(i64::from(limit) - due.len() as i64);
                        if room > 0 {
                            due.extend(query::column::<i64>(
                                c,
                                sql::DUE_EVENTS,
                                &[&sub, &now, &room],
                            )?);
                        }
                    }
                    let mut claimed_events = Vec::with_capacity(due.len());
                    for seq in due {
                        execute(c, sql::LEASE_EVENT, &[&lease.worker, &lease.until, &seq])?;
                        claimed_events.extend(query::optional(
                            c,
                            sql::CLAIMED_EVENT,
                            &[&seq],
                            claimed,
                        )?);
                    }
                    Ok(claimed_events)
                })
            })
            .await
    }

    async fn finish_event(
        &self,
        seq: i64,
        lease: &Lease,
        attempt: &Attempt,
    ) -> Result<bool, DbError> {
        let (worker, attempt) = (lease.worker.clone(), attempt.clone());
        let (next, delivered, failed) = attempt.columns();
        self.jobs
            .run(move |c| {
                execute(
                    c,
                    sql::FINISH_EVENT,
                    &[&seq, &worker, &attempt.answer, &next, &delivered, &failed],
                )
            })
            .await
            .map(|n| n == 1)
    }

    async fn events(
        &self,
        subscription_id: &str,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Vec<EventRecord>, DbError> {
        let (id, before) = (subscription_id.to_string(), before.map(str::to_string));
        self.jobs
            .run(move |c| {
                query::rows(
                    c,
                    sql::EVENTS,
                    &[&id, &before, &i64::from(limit)],
                    event_record,
                )
            })
            .await
    }

    async fn delete_finished_events(&self, before: Micros) -> Result<u64, DbError> {
        self.jobs
            .run(move |c| execute(c, sql::DELETE_FINISHED_EVENTS, &[&before]))
            .await
    }

    async fn next_event_due(&self) -> Result<Option<Micros>, DbError> {
        self.jobs
            .run(|c| query::scalar(c, sql::NEXT_EVENT_DUE, &[]))
            .await
    }
}
