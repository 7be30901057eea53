//! The dashboard's store page and its login, through the real service:
//! what the page shows agrees with the SPEC's expected report, a key is
//! asked for once and kept in an HttpOnly, SameSite=Strict cookie.

use reqwest::redirect::Policy;
use storewatch::app::Settings;
use storewatch::app::access::KeyRequest;
use storewatch_db::{Role, Scope};

use crate::common::client::Sent;
use crate::common::server::{TestApp, load_example, spawn_app};
use crate::common::shared_dir;

/// The SPEC's special-hours example, loaded.
async fn example_app() -> Option<(TestApp, String)> {
    let app = spawn_app(Settings::default()).await;
    let as_of = load_example(&app, "special-hours-2023-01-23").await?;
    Some((app, as_of))
}

const FORM: &str = "application/x-www-form-urlencoded";

/// `text` as a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn client() -> reqwest::Client {
    crate::common::http_client_builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).sent().await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_page_shows_its_week_figures_and_incidents() {
    let Some((app, as_of)) = example_app().await else {
        return;
    };
    let c = client();
    let url = |store: &str| app.url(&format!("/stores/{store}?as_of={as_of}"));
    let (status, page) = get(&c, url("K")).await;
    assert_eq!(status, 200, "{page}");
    // The expected extended row of K, cell by cell.
    for cell in ["60.00", "13.00", "135.00", "148.00"] {
        assert!(
            page.contains(&format!("<td class=\"num\">{cell}</td>")),
            "{cell} missing: {page}"
        );
    }
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("class=\"band down\""), "a down band: {page}");
    assert!(page.contains("class=\"poll"), "poll marks: {page}");
    assert!(
        page.contains("<table class=\"incidents\">")
            && page.contains("<td class=\"num\">135.00 h</td>")
    );
    // J is closed by special hours on the report date.
    let (_, page) = get(&c, url("J")).await;
    assert!(page.contains("Closed today (special hours)."), "{page}");
    assert!(
        page.contains("· closed"),
        "the closed day is marked: {page}"
    );
    // An unknown store: a 404 page, the id escaped.
    let (status, page) = get(&c, app.url("/stores/%3Cb%3E")).await;
    assert_eq!(status, 404);
    assert!(
        page.contains("&lt;b&gt;") && !page.contains("<b>"),
        "{page}"
    );
    let (status, _) = get(&c, app.url("/stores/K?as_of=tomorrow")).await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_ask_for_a_key_once_and_keep_it_in_a_strict_http_only_cookie() {
    let Some((app, _)) = example_app().await else {
        return;
    };
    let key = |name: &'static str, scope: Option<Scope>| {
        let db = app.db.clone();
        async move {
            KeyRequest::new(name, Role::Viewer, scope)
                .unwrap()
                .create(&db, storewatch::clock::now_micros())
                .await
                .unwrap()
                .reveal()
        }
    };
    let viewer = key("ops", None).await;
    let owner = key("owner-j", Some(Scope::new(["J"]).unwrap())).await;
    let c = client();
    // No key: sent to the login page, which comes back after.
    let r = c.get(app.url("/stores/K")).sent().await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=/stores/K");
    let (status, form) = get(&c, app.url("/login?next=/stores/K")).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("name=\"key\"") && form.contains("value=\"/stores/K\""),
        "{form}"
    );
    // A wrong key: the form again, 401, no cookie.
    let r = c
        .post(app.url("/login"))
        .header("content-type", FORM)
        .body(format!(
            "key=sw_0000000000000000_00&next={}",
            encode("/stores/K")
        ))
        .sent()
        .await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    // A poller's key: refused here, since every page would refuse it.
    let poller = KeyRequest::new("poller", Role::Ingest, None)
        .unwrap()
        .create(&app.db, storewatch::clock::now_micros())
        .await
        .unwrap()
        .reveal();
    let r = c
        .post(app.url("/login"))
        .header("content-type", FORM)
        .body(format!("key={poller}&next=%2F"))
        .sent()
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains("this is an ingest key"));
    // The right key: the cookie, and back to the page; elsewhere than this
    // service is not a place to go back to.
    for (next, to) in [
        ("/stores/K", "/stores/K"),
        ("//evil.example/", "/"),
        ("/stores/K\r\nSet-Cookie: x=1", "/"),
    ] {
        let r = c
            .post(app.url("/login"))
            .header("content-type", FORM)
            .body(format!("key={viewer}&next={}", encode(next)))
            .sent()
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], to);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }
    // A GET sending `key` as the login cookie.
    let with_cookie = |path: &str, key: &str| {
        c.get(app.url(path))
            .header("cookie", format!("storewatch_key={key}"))
            .sent()
    };
    let r = with_cookie("/stores/K", &viewer).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Log out"));
    // An error page still has the way out.
    let r = with_cookie("/stores/nobody", &viewer).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Log out"));
    // The API takes the cookie too (the page's own scripts send it).
    let r = with_cookie("/api/stores/K/timeline", &viewer).await;
    assert_eq!(r.status(), 200);
    // An owner's key: its store, and no other.
    let r = with_cookie("/stores/J", &owner).await;
    assert_eq!(r.status(), 200);
    let r = with_cookie("/stores/K", &owner).await;
    assert_eq!(r.status(), 404);
    // Logging out forgets the cookie.
    let r = c.post(app.url("/logout")).sent().await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

/// The start page lists earlier reports and offers the trigger; a report's
/// page is a table, most downtime first by default, sortable by any column,
/// filtered by store id, each store linked to its page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_and_a_report_page() {
    let Some((app, as_of)) = example_app().await else {
        return;
    };
    let id = app.trigger(Some(&as_of)).await;
    let done = app.wait_for(&id).await;
    assert_eq!(done["status"], "Complete", "{done}");
    let c = client();
    let (status, start) = get(&c, app.url("/")).await;
    assert_eq!(status, 200);
    assert!(
        start.contains("Trigger a report") && start.contains("id=\"offline\""),
        "{start}"
    );
    assert!(
        start.contains(&format!("/reports/{id}")),
        "the report is listed: {start}"
    );

    let (status, table) = get(&c, app.url(&format!("/reports/{id}"))).await;
    assert_eq!(status, 200);
    // The columns the report was asked for: the standard seven.
    assert_eq!(table.matches("<th").count(), 7, "{table}");
    let extended = app
        .trigger_with(&[("as_of", as_of.as_str()), ("columns", "extended")])
        .await;
    app.wait_for(&extended).await;
    let (_, wide) = get(&c, app.url(&format!("/reports/{extended}"))).await;
    assert_eq!(wide.matches("<th").count(), 11, "{wide}");
    let stores = |html: &str| -> Vec<String> {
        html.split("<tr><td><a href=\"/stores/")
            .skip(1)
            .map(|row| row.split('?').next().unwrap().to_string())
            .collect()
    };
    // Most downtime in the week first: the SPEC's expected CSV, sorted.
    let expected = std::fs::read_to_string(
        shared_dir()
            .unwrap()
            .join("examples/special-hours-2023-01-23/expected-extended.csv"),
    )
    .unwrap();
    let mut rows: Vec<(f64, String)> = expected
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[6].parse().unwrap(), c[0].to_string())
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let want: Vec<String> = rows.into_iter().map(|(_, s)| s).collect();
    assert_eq!(stores(&table), want, "{table}");
    let (_, by_id) = get(&c, app.url(&format!("/reports/{id}?sort=store_id&dir=asc"))).await;
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(stores(&by_id), sorted);
    let (_, only_k) = get(&c, app.url(&format!("/reports/{id}?store=k"))).await;
    assert_eq!(stores(&only_k), ["K"]);
    let (status, _) = get(&c, app.url("/reports/0123456789abcdef0123456789abcdef")).await;
    assert_eq!(status, 404);
}

/// The empty and error states: a store without a poll in the week says
/// "No observations" and still shows its hours; a failed report says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_without_observations_and_a_failed_report_are_said_plainly() {
    use storewatch_db::ReportQueue;
    // A report failed by "another worker", set up before the service starts
    // (so its own workers cannot take it first).
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("storewatch.db").display());
    let id = storewatch_db::ReportId::parse("fedcba9876543210fedcba9876543210").unwrap();
    {
        let db = storewatch_sqlite::SqliteDatabase::connect(&url)
            .await
            .unwrap();
        let now = storewatch::clock::now_micros();
        db.create_report(&id, &storewatch_db::NewReport::default(), u32::MAX, now)
            .await
            .unwrap();
        let lease = storewatch_db::Lease {
            worker: "elsewhere".into(),
            until: now + 3_600_000_000,
        };
        let job = db.claim_report(&lease, now, 3).await.unwrap().unwrap();
        let outcome = storewatch_db::ReportOutcome::Failed {
            error: "store s1: its business hours cannot be placed in time".into(),
        };
        assert!(
            db.finish_report(&job.id, &lease, outcome, now)
                .await
                .unwrap()
        );
        storewatch_db::DataStore::close(&db).await;
    }
    let app = crate::common::server::spawn_app_on(dir, url, Settings::default()).await;
    let polls = "store_id,status,timestamp_utc\nquiet,active,2023-01-02 12:00:00 UTC\n";
    assert_eq!(app.push("polls", polls).await.0, 200);
    let c = client();
    let (status, page) = get(&c, app.url("/stores/quiet?as_of=2023-01-25 12:00:00 UTC")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("No observations"), "{page}");
    assert!(
        page.contains("class=\"open\""),
        "the open hours are drawn: {page}"
    );
    assert!(
        !page.contains("class=\"band"),
        "no band without a poll: {page}"
    );
    let (status, page) = get(&c, app.url(&format!("/reports/{id}"))).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("This report failed") && page.contains("cannot be placed"),
        "{page}"
    );
}

/// Wrong queries on pages get an HTML page that says what is wrong, with a
/// 400: a period that does not fit, a value that is not a number, a field
/// given twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_a_wrong_query_with_a_400_page() {
    let Some((app, as_of)) = example_app().await else {
        return;
    };
    let id = app.trigger(Some(&as_of)).await;
    app.wait_for(&id).await;
    let c = client();
    for (path, says) in [
        ("/?from=1970-01-01".to_string(), "from: "),
        ("/?days=0".to_string(), "days"),
        ("/?days=7&days=84".to_string(), "duplicate field"),
        (format!("/stores/K?from=2099-01-01&as_of={as_of}"), "from: "),
        (format!("/reports/{id}?limit=abc"), "limit"),
    ] {
        let r = c.get(app.url(&path)).sent().await;
        assert_eq!(r.status(), 400, "{path}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{path}: {page}");
    }
    let (status, page) = get(&c, app.url(&format!("/stores/K?days=7&as_of={as_of}"))).await;
    assert_eq!(status, 200, "{page}");
    // The report-time form keeps the period.
    assert!(
        page.contains(r#"<input type="hidden" name="days" value="7">"#),
        "{page}"
    );
}
