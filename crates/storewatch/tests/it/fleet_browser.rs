//! The fleet overview and a store's period pages in a real browser: the
//! tiles, the charts and the calendar render with as many marks as the
//! JSON answers have days and hours, the period picker changes them, an
//! open service shows no "Log out", and a store id with `<`, `"` and `&`
//! in it is shown as text everywhere (nothing of it becomes markup).

use serde_json::{Value, json};
use storewatch::app::Settings;

use crate::common::browser::Browser;
use crate::common::server::{load_generated, spawn_app};

/// A store id that would be markup if written unescaped.
const ODD_ID: &str = "<b id=x>\"&amp;'Q";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_and_a_store_calendar_render_and_follow_the_period_picker() {
    let Some(chromium) = crate::docs_browser::chromium() else {
        return;
    };
    let app = spawn_app(Settings::default()).await;
    load_generated(&app, 40, 90).await;
    // The odd store: open around the clock (no hours row), inactive on the
    // newest poll's day, active before.
    let newest = app.get_json("/api/fleet?days=1").await["as_of"]
        .as_str()
        .unwrap()
        .to_string();
    let t = storewatch_core::domain::parse_timestamp(&newest).unwrap();
    let mut csv = String::from("store_id,status,timestamp_utc\n");
    for h in 1..=24 * 30 {
        let status = if h <= 3 { "inactive" } else { "active" };
        let at = storewatch_core::domain::format_timestamp(t - h * 3_600_000_000);
        csv.push_str(&format!(
            "\"{}\",{status},{at}\n",
            ODD_ID.replace('"', "\"\"")
        ));
    }
    let (status, body) = app.push("polls", csv).await;
    assert_eq!(status, 200, "{body}");

    let base = app.api.base.clone();
    let (f28, f7) = (
        app.get_json("/api/fleet?days=28").await,
        app.get_json("/api/fleet?days=7").await,
    );
    let odd = storewatch::server::percent::percent_encode(ODD_ID, false);
    let history = format!("/api/stores/{odd}/history");
    let (h28, h84) = (
        app.get_json(&format!("{history}?days=28")).await,
        app.get_json(&format!("{history}?days=84")).await,
    );
    let count = |v: &Value, key: &str| v[key].as_array().unwrap().len() as u64;
    assert_ne!(count(&f28, "daily"), count(&f7, "daily"));

    tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch(&chromium);
        b.open(&format!("{base}/"));
        // Open service: nothing to log out of.
        assert_eq!(b.eval("document.querySelector('form.logout') === null"), json!(true));
        let tile = b.eval("document.querySelector('#tile-percent .value').textContent");
        assert_eq!(
            tile,
            json!(format!("{:.2} %", f28["downtime_percent"].as_f64().unwrap())),
            "the tile is the fleet's percent"
        );
        let bars = |b: &mut Browser, chart: &str| {
            b.eval(&format!("document.querySelectorAll('svg.chart.{chart} rect.bar').length"))
        };
        assert_eq!(bars(&mut b, "days"), json!(count(&f28, "daily")));
        assert_eq!(bars(&mut b, "hours"), json!(24));
        assert_eq!(
            b.eval("document.querySelectorAll('table.ranked.worst tr').length"),
            json!(1 + count(&f28, "worst"))
        );
        // The odd store is offline now: listed by its id as text, since when
        // and for how long, as a person writes times.
        b.wait_for("document.querySelector('#offline li a')");
        let listed = b.eval(
            "[...document.querySelectorAll('#offline li')].map(li => [li.querySelector('a').textContent, li.textContent])",
        );
        let odd_row = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row[0] == json!(ODD_ID))
            .unwrap_or_else(|| panic!("{listed}"));
        let text = odd_row[1].as_str().unwrap();
        assert!(reads_like_a_person(text), "{text}");
        let drawn = b.eval("document.querySelector('svg.chart.days').getBoundingClientRect().width");
        assert!(drawn.as_f64().unwrap() > 300.0, "the chart is drawn: {drawn}");

        // The picker: 7 days.
        b.eval("[...document.querySelectorAll('nav.picker a')].find(a => a.textContent === '7 days').click(); true");
        b.wait_for("location.search === '?days=7' && document.readyState === 'complete'");
        assert_eq!(bars(&mut b, "days"), json!(count(&f7, "daily")));
        assert_eq!(
            b.eval("document.querySelector('nav.picker strong.current').textContent"),
            json!("7 days")
        );

        // The odd store's page: its id is text, never markup.
        b.open(&format!("{base}/stores/{odd}"));
        assert_eq!(b.eval("document.querySelector('h1 .store-id').textContent"), json!(ODD_ID));
        assert_eq!(b.eval("document.getElementById('x') === null"), json!(true));
        assert!(b.eval("document.title").as_str().unwrap().contains(ODD_ID));
        let days = "document.querySelectorAll('svg.calendar rect.day').length";
        assert_eq!(b.eval(days), json!(count(&h28, "daily")));
        let incidents = b.eval("document.querySelectorAll('table.period-incidents tr').length");
        assert_eq!(incidents, json!(1 + count(&h28, "incident_list")));
        assert_eq!(count(&h28, "incident_list"), 1, "{h28}");
        b.eval("[...document.querySelectorAll('nav.picker a')].find(a => a.textContent === '84 days').click(); true");
        b.wait_for("location.search === '?days=84' && document.readyState === 'complete'");
        assert_eq!(b.eval(days), json!(count(&h84, "daily")));
        assert_eq!(b.eval("document.querySelector('h1 .store-id').textContent"), json!(ODD_ID));
        // From a date, through the form.
        b.eval("const f = document.querySelector('nav.picker form'); f.from.value = '2023-01-01'; f.submit(); true");
        b.wait_for("location.search.startsWith('?from=2023-01-01') && document.readyState === 'complete'");
        let shown = b.eval("document.querySelector('p.period, p.error').textContent");
        assert!(shown.as_str().unwrap().contains("2023"), "{shown}");
    })
    .await
    .unwrap();
}

/// Whether an offline row reads `… offline since Tue 24 Jan 2023, 23:29
/// UTC, for 3.5 h (3 inactive polls)`: no ISO time, no microseconds.
fn reads_like_a_person(text: &str) -> bool {
    let Some((_, rest)) = text.split_once(" offline since ") else {
        return false;
    };
    let Some((since, rest)) = rest.split_once(" UTC, for ") else {
        return false;
    };
    let words: Vec<&str> = since.split(' ').collect();
    words.len() == 5
        && words[0].len() == 3
        && words[3].ends_with(',')
        && words[4].len() == 5
        && !since.contains('Z')
        && rest.ends_with("h (3 inactive polls)")
}
