//! The dashboard in a real browser, driven over the DevTools protocol (on a
//! pipe: `--remote-debugging-pipe`, no websocket needed): log in with a key,
//! trigger a report from the start page and wait for it, download its CSV,
//! open a store page and check what a person sees (the figures, an
//! incident row, the SVG with its bands), and take a screenshot (written
//! under the system's temporary directory, not into the repository).

use serde_json::json;
use storewatch::app::Settings;
use storewatch::app::access::KeyRequest;
use storewatch_db::Role;

use crate::common::browser::{Browser, base64};
use crate::common::server::{load_example, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_triggers_a_report_downloads_it_and_reads_a_store_page() {
    let Some(chromium) = crate::docs_browser::chromium() else {
        return;
    };
    let app = spawn_app(Settings::default()).await;
    let Some(as_of) = load_example(&app, "special-hours-2023-01-23").await else {
        return;
    };
    let key = KeyRequest::new("ops", Role::Viewer, None)
        .unwrap()
        .create(&app.db, storewatch::clock::now_micros())
        .await
        .unwrap()
        .reveal();
    let base = app.api.base.clone();
    let shot = std::env::temp_dir().join("storewatch-store-page.png");
    let shot_path = shot.clone();
    tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch(&chromium);
        // No key yet: the store page sends us to log in.
        b.open(&format!("{base}/stores/K"));
        b.wait_for("location.pathname === '/login'");
        b.eval(&format!(
            "document.querySelector('input[name=key]').value = '{key}';\
             document.querySelector('form[action=\"/login\"]').submit(); true"
        ));
        b.wait_for("location.pathname === '/stores/K' && document.readyState === 'complete'");
        // The key is in an HttpOnly cookie: the page's scripts cannot read it.
        assert_eq!(b.eval("document.cookie"), json!(""));

        // Trigger from the start page, wait for Complete, download the CSV.
        b.open(&format!("{base}/"));
        b.eval(&format!(
            "document.querySelector('#trigger input[name=as_of]').value = '{as_of}';\
             document.querySelector('#trigger button').click(); true"
        ));
        b.wait_for("document.getElementById('download')");
        let progress = b.eval("document.getElementById('progress').textContent");
        assert!(progress.as_str().unwrap().contains("4 stores"), "{progress}");
        let csv = b.eval(
            "fetch(document.getElementById('download').href).then(r => r.text())",
        );
        let csv = csv.as_str().unwrap();
        assert!(csv.starts_with("store_id,uptime_last_hour,"), "{csv}");
        assert!(csv.contains("\nK,60.00,13.00,13.00,0.00,1.00,135.00"), "{csv}");

        // A store page as a person sees it.
        b.open(&format!("{base}/stores/K?as_of={as_of}"));
        let figures = b.eval("document.querySelector('table.figures').innerText");
        assert!(figures.as_str().unwrap().contains("135.00"), "{figures}");
        let incident = b.eval("document.querySelectorAll('table.incidents tr').length");
        assert_eq!(incident, json!(2), "a header and one incident row");
        let bands = b.eval("[document.querySelectorAll('svg .band.down').length, document.querySelectorAll('svg .band.up').length]");
        assert!(bands[0].as_u64().unwrap() > 0 && bands[1].as_u64().unwrap() > 0, "{bands}");
        let drawn = b.eval("document.querySelector('svg.week').getBoundingClientRect().width");
        assert!(drawn.as_f64().unwrap() > 500.0, "the picture is drawn: {drawn}");
        let png = b.call("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64(png["data"].as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(&shot_path, bytes).unwrap();
    })
    .await
    .unwrap();
    eprintln!("screenshot: {}", shot.display());
}
