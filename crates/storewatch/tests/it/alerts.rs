//! Alerts (issue 22, SPEC section 7) against the real service and a real
//! HTTP receiver on loopback: the events pushes make, signed; retries with
//! time made to pass; refused targets; access; a crash right after an
//! acknowledged push; two instances on one PostgreSQL database.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use storewatch::app::alerts::AlertKey;
use storewatch::app::alerts::deliver::{Sender, deliver_due};
use storewatch::app::alerts::subscription::{NewSubscription, create};
use storewatch::app::{Metrics, Settings};
use storewatch::clock::now_micros;
use storewatch::service::{self, Running};
use storewatch_core::domain::{MICROS_PER_HOUR, Micros};
use storewatch_db::alerts::AlertStore;
use storewatch_db::{Database, Role};

use crate::common::client::{ApiClient, Sent};
use crate::common::receiver::{Answer, Receiver, signature_holds};
use crate::common::server::{key, spawn_app, wait_until_up};
use crate::common::{Workspace, free_port};

const SECRET: &str = "s3cret-for-the-test";

/// Polls of stores open around the clock (no business hours given).
fn polls(rows: &[(&str, &str, &str)]) -> String {
    let mut csv = "store_id,status,timestamp_utc\n".to_string();
    for (store, status, hour) in rows {
        csv.push_str(&format!("{store},{status},2023-01-23 {hour}:00:00 UTC\n"));
    }
    csv
}

fn settings(key_dir: &tempfile::TempDir) -> Settings {
    Settings {
        alert_key_file: Some(key_dir.path().join("alert.key")),
        allow_private_webhooks: true,
        ..Settings::default()
    }
}

async fn serve<D: Database>(db: D, settings: Settings) -> (Running, ApiClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = service::start(db, settings, listener).await.unwrap();
    let api = ApiClient::new(format!("http://{}", running.addr));
    (running, api)
}

async fn subscribe(api: &ApiClient, body: Value) -> (u16, Value) {
    let r = api
        .request(reqwest::Method::POST, "/api/alerts/subscriptions")
        .json(&body)
        .sent()
        .await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The service with alerts on (its key in a folder of its own, kept while
/// the test runs; private targets allowed) and a subscription to `url` with
/// these `fields` besides its URL and secret.
async fn app_with_subscription(
    url: &str,
    mut fields: Value,
) -> (crate::common::server::TestApp, tempfile::TempDir) {
    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(settings(&key_dir)).await;
    fields["url"] = json!(url);
    fields["secret"] = json!(SECRET);
    let (status, body) = subscribe(&app.api, fields).await;
    assert_eq!(status, 201, "{body}");
    (app, key_dir)
}

async fn push(api: &ApiClient, rows: &[(&str, &str, &str)]) {
    let (status, body) = api.push("polls", polls(rows)).await;
    assert_eq!(status, 200, "{body}");
}

/// Offline for 30 minutes, still offline, then back: one `store.offline`,
/// one `store.recovered`, each signed, in order, delivered once.
async fn offline_then_recovered(api: &ApiClient) {
    let receiver = Receiver::start(Vec::new()).await;
    let (status, sub) = subscribe(api, json!({"url": receiver.url, "secret": SECRET})).await;
    assert_eq!(status, 201, "{sub}");
    assert!(
        !sub.to_string().contains(SECRET),
        "the secret is never shown: {sub}"
    );
    let id = sub["id"].as_str().unwrap().to_string();
    push(api, &[("s1", "active", "10"), ("s2", "active", "10")]).await;
    // s1 inactive at 11:00: offline since 10:30, for 30 minutes at T.
    push(api, &[("s1", "inactive", "11"), ("s2", "active", "11")]).await;
    let got = receiver.wait_for(1).await;
    push(api, &[("s1", "inactive", "12")]).await;
    push(api, &[("s1", "active", "13")]).await;
    let got = [got, receiver.wait_for(2).await[1..].to_vec()].concat();
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["type"], "store.offline", "{bodies:#?}");
    assert_eq!(bodies[0]["store_id"], "s1");
    assert_eq!(bodies[0]["status"], "offline");
    assert_eq!(bodies[0]["since"], "2023-01-23T10:30:00Z");
    assert_eq!(bodies[0]["as_of"], "2023-01-23T11:00:00Z");
    assert_eq!(bodies[0]["downtime_hours"], 0.5);
    assert_eq!(bodies[1]["type"], "store.recovered");
    assert_eq!(bodies[1]["store_id"], "s1");
    assert_eq!(bodies[1]["status"], "online");
    assert_eq!(bodies[1]["as_of"], "2023-01-23T13:00:00Z");
    // Down from 10:30 to the midpoint of 12:00 and 13:00.
    assert_eq!(bodies[1]["downtime_hours"], 2.0);
    for r in &got {
        assert!(
            signature_holds(&r.header("storewatch-signature"), &r.body, SECRET),
            "bad signature {:?} of {}",
            r.header("storewatch-signature"),
            r.body
        );
        assert_eq!(
            r.header("storewatch-event-id"),
            r.json()["id"].as_str().unwrap()
        );
        assert_eq!(r.header("content-type"), "application/json");
    }
    // Nothing more comes (a change that alters nothing writes nothing).
    push(api, &[("s2", "active", "13")]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), 2, "{:#?}", receiver.got());
    let list = api
        .get_json(&format!("/api/alerts/subscriptions/{id}/deliveries"))
        .await;
    let deliveries = list["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{list}");
    for d in deliveries {
        assert_eq!(d["state"], "delivered", "{d}");
        assert_eq!(d["attempts"], 1, "{d}");
        assert_eq!(d["last_answer"], "HTTP 200", "{d}");
    }
    assert_eq!(deliveries[0]["type"], "store.recovered", "newest first");
    let (_, metrics) = api.get_text("/metrics").await;
    for line in [
        "storewatch_alert_events_total{type=\"store.offline\"} 1",
        "storewatch_alert_events_total{type=\"store.recovered\"} 1",
        "storewatch_alert_deliveries_total{result=\"delivered\"} 2",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

#[tokio::test]
async fn pushes_make_signed_offline_and_recovered_events_on_sqlite() {
    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(settings(&key_dir)).await;
    offline_then_recovered(&app.api).await;
}

#[tokio::test]
async fn pushes_make_signed_offline_and_recovered_events_on_postgres() {
    let Some(db) = storewatch_postgres::testing::scratch().await else {
        return;
    };
    let key_dir = tempfile::tempdir().unwrap();
    let pg = storewatch_postgres::PostgresDatabase::connect(&db.url)
        .await
        .unwrap();
    let (running, api) = serve(pg, settings(&key_dir)).await;
    offline_then_recovered(&api).await;
    running.stop().await.unwrap();
}

/// A service whose own sender is off (no key given to it), with one
/// subscription to `url` made in its database: the test sends, at times
/// it chooses.
async fn events_for_the_test_to_send(
    url: &str,
) -> (crate::common::server::TestApp, Arc<AlertKey>, String) {
    let app = spawn_app(Settings::default()).await;
    let key = Arc::new(AlertKey::load_or_create(&app.dir.path().join("k")).unwrap());
    let new = NewSubscription::parse(url, SECRET, None, Some("0s")).unwrap();
    let sub = create(&app.db, &key, new, true, now_micros())
        .await
        .unwrap();
    push(&app.api, &[("s1", "inactive", "10")]).await;
    (app, key, sub.id)
}

async fn event_state<D: AlertStore>(db: &D, sub: &str) -> storewatch_db::alerts::EventRecord {
    let events = db.events(sub, 10, None).await.unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    events[0].clone()
}

#[tokio::test]
async fn a_500_then_a_200_delivers_on_the_retry_with_the_same_event_id() {
    let receiver = Receiver::start(vec![Answer::Status(500)]).await;
    let (app, key, sub) = events_for_the_test_to_send(&receiver.url).await;
    let sender = Sender::new(key, true, Duration::from_secs(10)).unwrap();
    let metrics = Metrics::default();
    let created = event_state(&app.db, &sub).await.created_at;
    let sent = |now: Micros| deliver_due(&app.db, &sender, &metrics, "test", now);
    assert_eq!(sent(created).await.unwrap(), 1);
    let e = event_state(&app.db, &sub).await;
    assert_eq!(e.last_answer.as_deref(), Some("HTTP 500"));
    assert_eq!(e.next_attempt_at, Some(created + 5_000_000), "{e:?}");
    // Not due yet: nothing is sent.
    assert_eq!(sent(created + 4_000_000).await.unwrap(), 0);
    assert_eq!(sent(created + 5_000_000).await.unwrap(), 1);
    let e = event_state(&app.db, &sub).await;
    assert_eq!((e.attempts, e.delivered_at.is_some()), (2, true), "{e:?}");
    let got = receiver.got();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].header("storewatch-event-id"),
        got[1].header("storewatch-event-id")
    );
    assert_eq!(got[0].body, got[1].body);
    // Delivered: never sent again.
    assert_eq!(sent(created + MICROS_PER_HOUR).await.unwrap(), 0);
}

#[tokio::test]
async fn a_receiver_that_never_answers_is_retried_for_a_day_then_failed() {
    let receiver = Receiver::start(vec![Answer::Never; 100]).await;
    let (app, key, sub) = events_for_the_test_to_send(&receiver.url).await;
    // A short limit: the test makes the day pass, not the seconds.
    let sender = Sender::new(key, true, Duration::from_millis(200)).unwrap();
    let metrics = Metrics::default();
    let created = event_state(&app.db, &sub).await.created_at;
    let mut now = created;
    let mut tries = Vec::new();
    loop {
        assert_eq!(
            deliver_due(&app.db, &sender, &metrics, "test", now)
                .await
                .unwrap(),
            1
        );
        tries.push((now - created) / 1_000_000);
        let e = event_state(&app.db, &sub).await;
        assert!(e.delivered_at.is_none());
        match e.next_attempt_at {
            Some(next) => now = next,
            None => {
                assert!(e.failed_at.is_some(), "{e:?}");
                assert!(
                    e.last_answer
                        .as_deref()
                        .unwrap()
                        .contains("no answer within"),
                    "{e:?}"
                );
                break;
            }
        }
    }
    // 5 s, 30 s, 2 min, 10 min, 1 h, then every 3 h, the last at 24 h.
    assert_eq!(
        tries,
        [
            0, 5, 35, 155, 755, 4355, 15155, 25955, 36755, 47555, 58355, 69155, 79955, 86400
        ]
    );
    assert_eq!(receiver.got().len(), tries.len());
    assert_eq!(
        deliver_due(&app.db, &sender, &metrics, "test", now + 86_400_000_000)
            .await
            .unwrap(),
        0,
        "a failed event is not sent again"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let elsewhere = Receiver::start(Vec::new()).await;
    let receiver = Receiver::start(vec![Answer::Redirect(elsewhere.url.clone())]).await;
    let (app, key, sub) = events_for_the_test_to_send(&receiver.url).await;
    let sender = Sender::new(key, true, Duration::from_secs(10)).unwrap();
    let created = event_state(&app.db, &sub).await.created_at;
    deliver_due(&app.db, &sender, &Metrics::default(), "test", created)
        .await
        .unwrap();
    let e = event_state(&app.db, &sub).await;
    assert_eq!(e.last_answer.as_deref(), Some("HTTP 302"), "{e:?}");
    assert!(e.delivered_at.is_none() && e.next_attempt_at.is_some());
    assert_eq!(receiver.got().len(), 1);
    assert!(elsewhere.got().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn private_targets_are_refused_at_subscription_and_at_delivery() {
    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(Settings {
        allow_private_webhooks: false,
        ..settings(&key_dir)
    })
    .await;
    for url in [
        "http://127.0.0.1/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
        "http://localhost:9/hook",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[fec0::1]/",
        "http://2130706433/",
    ] {
        let (status, body) = subscribe(&app.api, json!({"url": url, "secret": "x"})).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("refused"),
            "{url}: {body}"
        );
    }
    let list = app.api.get_json("/api/alerts/subscriptions").await;
    assert_eq!(list["subscriptions"], json!([]), "nothing stored");
    // A subscription stored while private targets were allowed is refused
    // when sent by a sender that does not allow them.
    let receiver = Receiver::start(Vec::new()).await;
    let (app, key, sub) = events_for_the_test_to_send(&receiver.url).await;
    let sender = Sender::new(key, false, Duration::from_secs(10)).unwrap();
    let created = event_state(&app.db, &sub).await.created_at;
    deliver_due(&app.db, &sender, &Metrics::default(), "test", created)
        .await
        .unwrap();
    let e = event_state(&app.db, &sub).await;
    let answer = e.last_answer.as_deref().unwrap();
    assert!(
        answer.starts_with("refused: ") && answer.contains("a loopback address"),
        "{e:?}"
    );
    assert!(
        e.failed_at.is_some(),
        "refused for good, not retried: {e:?}"
    );
    assert!(receiver.got().is_empty());
}

#[tokio::test]
async fn bad_subscriptions_get_a_clear_error_and_only_admins_manage_them() {
    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(settings(&key_dir)).await;
    for (body, expect) in [
        (json!({"secret": "x"}), "url"),
        (
            json!({"url": "ftp://example.com", "secret": "x"}),
            "only http and https",
        ),
        (json!({"url": "http://example.com", "secret": ""}), "secret"),
        (
            json!({"url": "http://example.com", "secret": "x", "after": "soon"}),
            "after",
        ),
        (
            json!({"url": "http://example.com", "secret": "x", "stores": []}),
            "stores",
        ),
        (
            json!({"url": "http://example.com", "secret": "x", "colour": 1}),
            "colour",
        ),
    ] {
        let (status, answer) = subscribe(&app.api, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(expect),
            "{body}: {answer}"
        );
    }
    let missing = "/api/alerts/subscriptions/0123456789abcdef0123456789abcdef";
    assert_eq!(status_of(&app.api, "DELETE", missing).await, 404);
    let admin = key(&app, "admin", Role::Admin, None).await;
    let viewer = key(&app, "viewer", Role::Viewer, None).await;
    let owner = key(&app, "owner", Role::Viewer, Some(&["s1"])).await;
    let ingest = key(&app, "poller", Role::Ingest, None).await;
    let (status, sub) = subscribe(
        &app.api.with_key(&admin),
        json!({"url": "http://127.0.0.1:9/hook", "secret": "x", "stores": ["s1"], "after": 600}),
    )
    .await;
    assert_eq!(status, 201, "{sub}");
    assert_eq!(sub["after_seconds"], 600);
    assert_eq!(sub["stores"], json!(["s1"]));
    for (who, token) in [("viewer", &viewer), ("owner", &owner), ("ingest", &ingest)] {
        let api = app.api.with_key(token);
        assert_eq!(
            status_of(&api, "GET", "/api/alerts/subscriptions").await,
            403,
            "{who}"
        );
        let (status, _) =
            subscribe(&api, json!({"url": "http://127.0.0.1:9/", "secret": "x"})).await;
        assert_eq!(status, 403, "{who}");
        let path = format!("/api/alerts/subscriptions/{}", sub["id"].as_str().unwrap());
        assert_eq!(status_of(&api, "DELETE", &path).await, 403, "{who}");
        let deliveries = format!("{path}/deliveries");
        assert_eq!(status_of(&api, "GET", &deliveries).await, 403, "{who}");
    }
    assert_eq!(
        status_of(&app.api, "GET", "/api/alerts/subscriptions").await,
        401,
        "no key at all"
    );
    let admin_api = app.api.with_key(&admin);
    let (status, list) = admin_api.get_text("/api/alerts/subscriptions").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("127.0.0.1:9") && !list.contains("secret"),
        "{list}"
    );
    let path = format!("/api/alerts/subscriptions/{}", sub["id"].as_str().unwrap());
    assert_eq!(status_of(&admin_api, "DELETE", &path).await, 204);
    assert_eq!(status_of(&admin_api, "DELETE", &path).await, 404);
}

async fn status_of(api: &ApiClient, method: &str, path: &str) -> u16 {
    api.request(method.parse().unwrap(), path)
        .sent()
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn without_a_key_file_subscriptions_are_refused_clearly() {
    let app = spawn_app(Settings::default()).await;
    let (status, body) = subscribe(
        &app.api,
        json!({"url": "http://127.0.0.1:9/", "secret": "x"}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("--alert-key-file"),
        "{body}"
    );
}

/// `storewatch serve` as its own process on `port`, over the workspace's
/// database (its alert key beside it).
fn serve_process(ws: &Workspace, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .arg("--database-url")
        .arg(ws.database_url())
        .args(["serve", "--allow-private-webhooks", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(ws.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn events_of_an_acknowledged_push_survive_kill_9() {
    let ws = Workspace::new();
    // The receiver's port is reserved but nobody answers on it until the
    // service has been killed: nothing can be delivered before.
    let hook_port = free_port();
    let port = free_port();
    let mut child = serve_process(&ws, port);
    let api = ApiClient::new(format!("http://127.0.0.1:{port}"));
    wait_until_up(&api.url("")).await;
    let url = format!("http://127.0.0.1:{hook_port}/hook");
    let (status, sub) = subscribe(&api, json!({"url": url, "secret": SECRET, "after": "0s"})).await;
    assert_eq!(status, 201, "{sub}");
    let stores: Vec<String> = (0..20).map(|i| format!("store-{i:02}")).collect();
    let rows: Vec<(&str, &str, &str)> = stores
        .iter()
        .map(|s| (s.as_str(), "inactive", "10"))
        .collect();
    push(&api, &rows).await;
    // Acknowledged: killed at once, without a chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        std::path::Path::new(&ws.path("storewatch.db.alert-key")).exists(),
        "the key is kept beside the database"
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", hook_port))
        .await
        .unwrap();
    let receiver = Receiver::on(listener, Vec::new());
    let mut child = serve_process(&ws, port);
    wait_until_up(&api.url("")).await;
    let got = receiver.wait_for(20).await;
    let mut told: Vec<String> = got
        .iter()
        .map(|r| r.json()["store_id"].as_str().unwrap().to_string())
        .collect();
    told.sort();
    assert_eq!(told, stores, "every store's event, once each");
    assert!(got.iter().all(|r| r.json()["type"] == "store.offline"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_deliver_each_event_once() {
    let Some(db) = storewatch_postgres::testing::scratch().await else {
        return;
    };
    let key_dir = tempfile::tempdir().unwrap();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let pg = storewatch_postgres::PostgresDatabase::connect(&db.url)
            .await
            .unwrap();
        instances.push(serve(pg, settings(&key_dir)).await);
    }
    let receiver = Receiver::start(Vec::new()).await;
    let (status, sub) = subscribe(
        &instances[0].1,
        json!({"url": receiver.url, "secret": SECRET, "after": "0s"}),
    )
    .await;
    assert_eq!(status, 201, "{sub}");
    let stores: Vec<String> = (0..40).map(|i| format!("store-{i:02}")).collect();
    // Half the stores pushed to each instance, at once: both evaluate.
    let (a, b) = stores.split_at(20);
    let rows = |part: &[String]| -> String {
        polls(
            &part
                .iter()
                .map(|s| (s.as_str(), "inactive", "10"))
                .collect::<Vec<_>>(),
        )
    };
    let (first, second) = tokio::join!(
        instances[0].1.push("polls", rows(a)),
        instances[1].1.push("polls", rows(b))
    );
    assert_eq!((first.0, second.0), (200, 200), "{first:?} {second:?}");
    let got = receiver.wait_for(40).await;
    // Both instances keep sending for a while: nothing comes twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got_later = receiver.got();
    assert_eq!(got_later.len(), got.len(), "an event was sent twice");
    let mut ids: Vec<String> = got
        .iter()
        .map(|r| r.header("storewatch-event-id"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    let mut told: Vec<String> = got
        .iter()
        .map(|r| r.json()["store_id"].as_str().unwrap().to_string())
        .collect();
    told.sort();
    assert_eq!(told, stores, "one store.offline per store");
    for (running, _) in instances {
        running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn an_admin_sees_the_subscriptions_and_their_latest_deliveries_on_the_start_page() {
    let receiver = Receiver::start(Vec::new()).await;
    let (app, _key_dir) = app_with_subscription(&receiver.url, json!({"after": "0s"})).await;
    push(&app.api, &[("s1", "inactive", "10")]).await;
    receiver.wait_for(1).await;
    let admin = key(&app, "admin", Role::Admin, None).await;
    let viewer = key(&app, "viewer", Role::Viewer, None).await;
    let (status, page) = app.api.with_key(&admin).get_text("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Alert subscriptions"), "{page}");
    assert!(page.contains(&receiver.url), "{page}");
    assert!(
        page.contains("store.offline") && page.contains("HTTP 200"),
        "{page}"
    );
    let (status, page) = app.api.with_key(&viewer).get_text("/").await;
    assert_eq!(status, 200);
    assert!(!page.contains("Alert subscriptions") && !page.contains(&receiver.url));
}

/// The alerts read a day of polls first; an incident that began before that
/// day is read with the week, so its start and downtime are the week's.
#[tokio::test]
async fn an_incident_older_than_a_day_is_told_with_its_real_start() {
    let receiver = Receiver::start(Vec::new()).await;
    let (app, _key_dir) = app_with_subscription(&receiver.url, json!({"after": "2h"})).await;
    let csv = "store_id,status,timestamp_utc\n\
        old,active,2023-01-22 10:00:00 UTC\n\
        old,inactive,2023-01-22 11:00:00 UTC\n\
        old,inactive,2023-01-23 12:00:00 UTC\n\
        new,active,2023-01-23 11:00:00 UTC\n\
        new,inactive,2023-01-23 12:00:00 UTC\n";
    let (status, body) = app.api.push("polls", csv).await;
    assert_eq!(status, 200, "{body}");
    let got = receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.got().len(),
        1,
        "`new` is down 30 minutes only, under 2h"
    );
    let event = got[0].json();
    assert_eq!(event["store_id"], "old");
    assert_eq!(event["since"], "2023-01-22T10:30:00Z");
    // From 10:30 one day to 12:00 the next, open around the clock.
    assert_eq!(event["downtime_hours"], 25.5);
}

/// A subscription naming its stores hears of those only (and the service
/// then reads only those stores' statuses).
#[tokio::test]
async fn a_subscription_to_some_stores_hears_of_those_only() {
    let receiver = Receiver::start(Vec::new()).await;
    let (app, _key_dir) = app_with_subscription(
        &receiver.url,
        json!({"after": "0s", "stores": ["s2", "s3"]}),
    )
    .await;
    push(
        &app.api,
        &[
            ("s1", "inactive", "10"),
            ("s2", "inactive", "10"),
            ("s4", "inactive", "10"),
        ],
    )
    .await;
    let got = receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.got().len(), 1, "{:#?}", receiver.got());
    assert_eq!(got[0].json()["store_id"], "s2");
    // s2 back up: recovered; s3 down now: alerted.
    push(
        &app.api,
        &[("s2", "active", "11"), ("s3", "inactive", "11")],
    )
    .await;
    let got = receiver.wait_for(3).await;
    let mut told: Vec<(String, String)> = got[1..]
        .iter()
        .map(|r| {
            let e = r.json();
            (
                e["store_id"].as_str().unwrap().into(),
                e["type"].as_str().unwrap().into(),
            )
        })
        .collect();
    told.sort();
    assert_eq!(
        told,
        [
            ("s2".to_string(), "store.recovered".to_string()),
            ("s3".to_string(), "store.offline".to_string())
        ]
    );
}

/// The same from the command line: add, list, an ingest that writes an
/// event before it exits, deliveries, remove.
#[test]
fn the_alerts_commands_add_list_show_deliveries_and_remove() {
    let ws = Workspace::new();
    let refused = ws.run(&[
        "alerts",
        "add",
        "--url",
        "http://127.0.0.1:9/hook",
        "--secret",
        "s",
    ]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("a loopback address"), "{err}");
    let id = ws.ok(&[
        "alerts",
        "add",
        "--url",
        "http://127.0.0.1:9/hook",
        "--secret",
        "s3cret",
        "--stores",
        "a,b",
        "--after",
        "10m",
        "--allow-private",
    ]);
    let id = id.trim().to_string();
    assert_eq!(id.len(), 32, "{id}");
    let key = ws.path("storewatch.db.alert-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is its owner's only");
    }
    let list = ws.ok(&["alerts", "list"]);
    assert!(
        list.contains(&id) && list.contains("a,b") && list.contains("600s"),
        "{list}"
    );
    assert!(!list.contains("s3cret"));
    let polls = ws.write(
        "polls.csv",
        "store_id,status,timestamp_utc\na,active,2023-01-23 09:00:00 UTC\na,inactive,2023-01-23 10:00:00 UTC\nc,inactive,2023-01-23 10:00:00 UTC\n",
    );
    let out = ws.run(&["ingest", "--status", polls.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("alerts: 1 store.offline"), "{err}");
    let deliveries = ws.ok(&["alerts", "deliveries", &id.to_uppercase()]);
    let rows: Vec<&str> = deliveries.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{deliveries}");
    assert!(rows[0].contains("store.offline\ta\t"), "{deliveries}");
    let bad = ws.run(&["alerts", "deliveries", &id, "--before", "xyz"]);
    assert!(!bad.status.success());
    ws.ok(&["alerts", "remove", &id]);
    assert!(!ws.run(&["alerts", "remove", &id]).status.success());
    assert_eq!(
        ws.ok(&["alerts", "list"]).lines().count(),
        1,
        "the header only"
    );
}

#[tokio::test]
async fn subscriptions_are_capped_at_a_hundred() {
    let key_dir = tempfile::tempdir().unwrap();
    let app = spawn_app(settings(&key_dir)).await;
    let quiet = json!({"url": "http://8.8.8.8:9/hook", "secret": "x", "stores": ["nobody"]});
    for i in 0..100 {
        let (status, body) = subscribe(&app.api, quiet.clone()).await;
        assert_eq!(status, 201, "{i}: {body}");
    }
    let (status, body) = subscribe(&app.api, quiet).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("at most 100"),
        "{body}"
    );
}
