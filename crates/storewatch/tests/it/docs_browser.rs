//! The API docs page in a real browser: headless Chromium loads it from the
//! running service, runs its script (which fetches the OpenAPI document) and
//! the rendered page lists every operation. Nothing is loaded from outside,
//! so this also shows the page works offline.

use std::path::PathBuf;
use std::process::Command;

use crate::common::server::spawn_app;
use storewatch::app::Settings;

/// Chromium, or `None` with the reason printed. STOREWATCH_REQUIRE_BROWSER=1
/// (set by .ci/run when it could install Chromium) makes absence a failure.
pub fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("STOREWATCH_CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    if let Some(found) = candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    {
        return Some(found);
    }
    let why = "no Chromium found (install Debian's chromium, or set STOREWATCH_CHROMIUM)";
    if std::env::var_os("STOREWATCH_REQUIRE_BROWSER").is_some() {
        panic!("STOREWATCH_REQUIRE_BROWSER is set but {why}");
    }
    eprintln!("SKIPPED: this test drives a real browser, and {why}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_renders_every_operation_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let app = spawn_app(Settings::default()).await;
    let url = app.url("/api/docs");
    let dom = dump_dom(browser.clone(), url).await;
    // The header's intro is replaced by the document's description once the
    // script has fetched it (the script's own text is in the dump too, so
    // look at the element, not for a phrase).
    assert!(
        dom.contains("<div id=\"intro\">How long each store was online"),
        "the script did not render:\n{dom}"
    );
    assert_eq!(
        dom.matches("<section class=\"op\" data-path=\"/").count(),
        25,
        "{dom}"
    );
    for path in [
        "/trigger_report",
        "/api/get_report",
        "/api/ingest/{source}",
        "/healthz",
        "/metrics",
    ] {
        assert!(
            dom.contains(&format!("data-path=\"{path}\"")),
            "{path} missing from the page"
        );
    }
    assert!(dom.contains("Trigger a report"));
    assert!(dom.contains("<p class=\"roles\">Key roles: admin, viewer</p>"));
}

/// Runs the page in headless Chromium and returns the DOM once its scripts
/// have settled.
async fn dump_dom(browser: PathBuf, url: String) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // Let the page's fetches and rendering finish before the dump.
                "--virtual-time-budget=10000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Once keys exist, the page sends the key it is given, so an owner can
/// trigger and read a report from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_sends_its_key_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let app = spawn_app(Settings::default()).await;
    crate::common::server::load_generated(&app, 10, 8).await;
    let key = storewatch::app::access::KeyRequest::new("viewer", storewatch_db::Role::Viewer, None)
        .unwrap()
        .create(&app.db, storewatch::clock::now_micros())
        .await
        .unwrap()
        .reveal();
    let without = dump_dom(browser.clone(), app.url("/api/docs#run")).await;
    assert!(
        without.contains("<p id=\"status\">Error: this route needs an API key"),
        "{without}"
    );
    let with = dump_dom(browser, app.url(&format!("/api/docs#key={key}&run"))).await;
    assert!(
        with.contains(": complete, 10 stores as of"),
        "the report did not complete with the key:\n{with}"
    );
    assert!(!with.contains(&key), "the key is not left in the page");
}
