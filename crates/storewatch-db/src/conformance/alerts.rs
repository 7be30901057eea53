//! The alerts' storage: subscriptions, evaluations that take turns and
//! record their version, and the event queue's order, limits and leases.

use storewatch_core::domain::Micros;

use crate::alerts::{AlertChanges, Attempt, AttemptNext, NewEvent, Subscription};
use crate::{Database, Lease};

fn subscription(id: &str, stores: Option<&[&str]>) -> Subscription {
    Subscription {
        id: id.into(),
        url: format!("http://example.com/{id}"),
        sealed_secret: format!("v1:sealed-{id}"),
        stores: stores.map(|s| s.iter().map(|x| x.to_string()).collect()),
        after: 1_800_000_000,
        created_at: 1,
    }
}

fn event(id: &str, sub: &str, store: &str, created: Micros) -> NewEvent {
    NewEvent {
        id: id.into(),
        subscription_id: sub.into(),
        store_id: store.into(),
        kind: "store.offline".into(),
        body: format!("{{\"id\":\"{id}\"}}"),
        created_at: created,
    }
}

fn lease(worker: &str, until: Micros) -> Lease {
    Lease {
        worker: worker.into(),
        until,
    }
}

/// Writes `events` (and opens their alerts) at data version `version`.
async fn write<D: Database>(db: &D, version: i64, events: Vec<NewEvent>) -> bool {
    db.apply_alerts(version, move |_| AlertChanges {
        opened: events
            .iter()
            .map(|e| (e.subscription_id.clone(), e.store_id.clone()))
            .collect(),
        events,
        closed: Vec::new(),
    })
    .await
    .unwrap()
    .is_some()
}

pub async fn alert_subscriptions_are_stored_listed_and_removed<D: Database>(db: &D) {
    assert!(db.subscriptions().await.unwrap().is_empty());
    let mut b = subscription("b", Some(&["s1", "s2"]));
    b.created_at = 2;
    db.create_subscription(&b).await.unwrap();
    db.create_subscription(&subscription("a", None))
        .await
        .unwrap();
    let all = db.subscriptions().await.unwrap();
    assert_eq!(
        all,
        vec![subscription("a", None), b.clone()],
        "oldest first"
    );
    assert!(all[1].covers("s2") && !all[1].covers("s3") && all[0].covers("s3"));
    assert!(write(db, 1, vec![event("e1", "b", "s1", 10)]).await);
    assert!(db.remove_subscription("b").await.unwrap());
    assert!(!db.remove_subscription("b").await.unwrap());
    assert!(
        db.events("b", 10, None).await.unwrap().is_empty(),
        "its events go with it"
    );
    db.apply_alerts(2, |state| {
        assert!(
            state.open.is_empty(),
            "its alerts go with it: {:?}",
            state.open
        );
        AlertChanges::default()
    })
    .await
    .unwrap();
}

pub async fn alert_evaluations_record_their_version_and_see_what_was_alerted<D: Database>(db: &D) {
    db.create_subscription(&subscription("a", None))
        .await
        .unwrap();
    assert_eq!(db.alerts_evaluated().await.unwrap(), 0);
    assert!(db.alerted_stores().await.unwrap().is_empty());
    assert!(write(db, 3, vec![event("e1", "a", "s1", 10)]).await);
    assert_eq!(db.alerts_evaluated().await.unwrap(), 3);
    assert_eq!(db.alerted_stores().await.unwrap(), ["s1"]);
    // The same or an older version: skipped, the closure not even called.
    for version in [3, 2] {
        let skipped = db
            .apply_alerts(version, |_| panic!("called for a version already done"))
            .await
            .unwrap();
        assert!(skipped.is_none());
    }
    // A newer one sees the open alert, and closes it.
    let seen = db
        .apply_alerts(4, |state| {
            assert_eq!(state.open, vec![("a".to_string(), "s1".to_string())]);
            assert_eq!(state.subscriptions.len(), 1);
            AlertChanges {
                closed: state.open,
                ..AlertChanges::default()
            }
        })
        .await
        .unwrap();
    assert!(seen.is_some());
    db.apply_alerts(5, |state| {
        assert!(state.open.is_empty(), "closed: {:?}", state.open);
        AlertChanges::default()
    })
    .await
    .unwrap();
}

pub async fn alert_events_go_out_in_order_per_store_within_limits<D: Database>(db: &D) {
    db.create_subscription(&subscription("a", None))
        .await
        .unwrap();
    db.create_subscription(&subscription("b", None))
        .await
        .unwrap();
    let events = vec![
        event("a1", "a", "s1", 10),
        event("a2", "a", "s1", 11),
        event("a3", "a", "s2", 12),
        event("a4", "a", "s3", 13),
        event("b1", "b", "s1", 14),
    ];
    assert!(write(db, 1, events).await);
    assert_eq!(db.next_event_due().await.unwrap(), Some(10));
    // Not due before they were made.
    assert!(
        db.claim_events(&lease("w", 100), 9, 10, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // At most two of a subscription at once; a2 waits for a1.
    let first = db.claim_events(&lease("w", 100), 20, 10, 2).await.unwrap();
    let ids: Vec<&str> = first.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a1", "a3", "b1"], "{first:?}");
    assert_eq!(first[0].url, "http://example.com/a");
    assert_eq!(first[0].sealed_secret, "v1:sealed-a");
    // Two of a in flight: none more of it, even with room.
    assert!(
        db.claim_events(&lease("v", 100), 20, 10, 2)
            .await
            .unwrap()
            .is_empty()
    );
    // a1 fails: retried later; a2 still waits behind it.
    let retry = Attempt {
        answer: "HTTP 500".into(),
        next: AttemptNext::RetryAt(50),
        at: 20,
    };
    assert!(
        db.finish_event(first[0].seq, &lease("w", 100), &retry)
            .await
            .unwrap()
    );
    assert!(
        !db.finish_event(first[0].seq, &lease("v", 100), &retry)
            .await
            .unwrap(),
        "another worker's event"
    );
    let now: Vec<String> = db
        .claim_events(&lease("w", 100), 30, 10, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(now, ["a4"]);
    // a1 is due again at 50, with its attempt counted.
    let again = db.claim_events(&lease("w", 200), 50, 10, 5).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id.as_str(), again[0].attempts), ("a1", 1));
    let delivered = Attempt {
        answer: "HTTP 200".into(),
        next: AttemptNext::Delivered,
        at: 50,
    };
    assert!(
        db.finish_event(again[0].seq, &lease("w", 200), &delivered)
            .await
            .unwrap()
    );
    // Worker w's leases (until 100) ran out, as if it died: its events
    // are taken over, with a2 now first of s1.
    let taken_over = db.claim_events(&lease("y", 400), 150, 10, 5).await.unwrap();
    let ids: Vec<&str> = taken_over.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a2", "a3", "a4", "b1"], "{taken_over:?}");
    // Listed newest first, a page at a time.
    let page = db.events("a", 2, None).await.unwrap();
    let ids: Vec<&str> = page.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a4", "a3"]);
    let next = db.events("a", 10, Some("a3")).await.unwrap();
    let ids: Vec<&str> = next.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a2", "a1"]);
    assert_eq!(next[1].attempts, 2);
    assert_eq!(next[1].delivered_at, Some(50));
    assert_eq!(next[1].last_answer.as_deref(), Some("HTTP 200"));
    assert_eq!(next[1].next_attempt_at, None);
    let failed = Attempt {
        answer: "error: refused".into(),
        next: AttemptNext::Failed,
        at: 400,
    };
    let b1 = taken_over.iter().find(|e| e.id == "b1").unwrap();
    assert!(
        db.finish_event(b1.seq, &lease("y", 400), &failed)
            .await
            .unwrap()
    );
    let b = db.events("b", 10, None).await.unwrap();
    assert_eq!((b[0].failed_at, b[0].next_attempt_at), (Some(400), None));
    // Retention: a1 delivered at 50, b1 failed at 400; the rest pending.
    assert_eq!(db.delete_finished_events(51).await.unwrap(), 1);
    assert_eq!(db.events("a", 10, None).await.unwrap().len(), 3);
    assert_eq!(db.delete_finished_events(1_000).await.unwrap(), 1);
    assert!(db.events("b", 10, None).await.unwrap().is_empty());
    assert_eq!(
        db.events("a", 10, None).await.unwrap().len(),
        3,
        "pending ones stay"
    );
}
