//! Load generator for a running `storewatch serve` on this machine (loopback
//! only): how long from trigger to Complete, and how fast status polls are
//! answered while reports are being computed. Bounded in time and requests.
//!
//!   cargo run --release --example serve_bench -- http://127.0.0.1:8080 [SECONDS] [POLLERS]
//!
//! With `BENCH_KEY` set, every request sends it (`Authorization: Bearer`);
//! with `BENCH_OWNER_KEY` set, owner reports are timed too.
//! `bench/serve.sh` starts a server on the replica data and runs this;
//! `bench/auth.sh` runs it without and with keys.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, watch};

/// The integration tests' API client: trigger, status, wait. (This uses a
/// part of it; the tests use all of it.)
#[allow(dead_code)]
#[path = "../tests/it/common/client.rs"]
mod client;
use client::ApiClient;

const MAX_REQUESTS_PER_POLLER: usize = 200_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    assert!(
        base.starts_with("http://127.") || base.starts_with("http://localhost"),
        "loopback only"
    );
    let seconds: u64 = args.get(2).map_or(10, |s| s.parse().unwrap());
    let pollers: usize = args.get(3).map_or(4, |s| s.parse().unwrap());
    let key = std::env::var("BENCH_KEY").ok();
    let client = |base: &str| {
        let api = ApiClient::new(base.to_string());
        match &key {
            Some(k) => api.with_key(k),
            None => api,
        }
    };
    let api = client(&base);

    // 0. The cheapest authenticated round trip: a well-formed id that is no
    // report (404), 2,000 times one after another, nothing else running.
    let mut cheap = Vec::new();
    for _ in 0..2_000 {
        let started = Instant::now();
        let r = api
            .request(reqwest::Method::GET, "/get_report")
            .query(&[("report_id", "0".repeat(32))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{}", r.text().await.unwrap());
        let _ = r.bytes().await;
        cheap.push(started.elapsed());
    }
    cheap.sort();
    println!(
        "unknown report (404), 2000 sequential requests: p50 {}, p90 {}, p99 {}",
        ms(percentile(&cheap, 0.5)),
        ms(percentile(&cheap, 0.9)),
        ms(percentile(&cheap, 0.99))
    );

    // 0b. An owner's report, trigger -> Complete, when an owner key is given.
    if let Ok(owner_key) = std::env::var("BENCH_OWNER_KEY") {
        let owner = ApiClient::new(base.clone()).with_key(&owner_key);
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..20 {
            let started = Instant::now();
            let id = owner.trigger(None).await;
            let done = loop {
                let s = owner.status(&id).await;
                if s["status"] != "Running" {
                    break s;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            };
            times.push(started.elapsed());
            assert_eq!(done["status"], "Complete", "{done}");
            rows = done["rows"].as_u64().unwrap();
        }
        times.sort();
        println!(
            "owner report of {rows} stores, trigger -> Complete (20 runs, polled every 1 ms): min {}, median {}, max {}",
            ms(times[0]),
            ms(times[10]),
            ms(times[19])
        );
    }

    // 1. Trigger → Complete, one report at a time, polled every 5 ms.
    let mut latencies = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let id = api.trigger(None).await;
        loop {
            let s = api.status(&id).await;
            if s["status"] == "Complete" {
                break;
            }
            assert_eq!(s["status"], "Running", "{s}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "trigger -> Complete (5 runs): min {}, median {}, max {}",
        ms(latencies[0]),
        ms(latencies[2]),
        ms(latencies[4])
    );

    // 2. Status polls while reports run back to back.
    let (current_tx, current) = watch::channel(api.trigger(None).await);
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..pollers {
        let (api, current, stop, samples) = (
            client(&base),
            current.clone(),
            stop.clone(),
            samples.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) && mine.len() < MAX_REQUESTS_PER_POLLER {
                let id = current.borrow().clone();
                let started = Instant::now();
                let s = api.status(&id).await;
                if s["status"] == "Running" {
                    mine.push(started.elapsed());
                } else {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            samples.lock().await.extend(mine);
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut reports = 0;
    while Instant::now() < deadline {
        let id = current.borrow().clone();
        loop {
            let s = api.status(&id).await;
            if s["status"] != "Running" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        reports += 1;
        current_tx.send(api.trigger(None).await).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let mut all = samples.lock().await.clone();
    all.sort();
    println!(
        "status polls while a report runs ({} polls by {pollers} pollers over {reports} reports in {seconds} s): p50 {}, p90 {}, p99 {}, max {}",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.9)),
        ms(percentile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default())
    );
}
