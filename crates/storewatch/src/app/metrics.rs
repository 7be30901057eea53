//! Prometheus metrics, in the text exposition format. A handful of counters
//! and histograms behind mutexes: this is far off any hot path that matters
//! (one lock per request, per report, per ingest).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use storewatch_core::domain::Micros;
use storewatch_core::report::LiveCounts;

const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
const REPORT_BUCKETS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, v: f64) {
        for (i, b) in self.bounds.iter().enumerate() {
            if v <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Debug)]
struct Inner {
    /// (method, route, status) → count
    requests: BTreeMap<(String, String, u16), u64>,
    request_seconds: Histogram,
    /// outcome → count
    reports: BTreeMap<&'static str, u64>,
    report_seconds: Histogram,
    /// source → rows stored
    ingest_rows: BTreeMap<String, u64>,
    /// source → invalid rows seen (rejected or skipped)
    ingest_invalid_rows: BTreeMap<String, u64>,
    /// (source, outcome) → files or bodies
    ingest_files: BTreeMap<(String, &'static str), u64>,
    /// Every store's live status at the newest poll, counted (set by the
    /// live-status job; `None` until it has run on a database with polls).
    live: Option<(Micros, LiveCounts)>,
    /// Alert events written by this process: [offline, recovered].
    alert_events: [u64; 2],
    /// Delivery attempts of this process: [delivered, retry, failed].
    alert_deliveries: [u64; 3],
}

/// How a delivery attempt ended (`storewatch_alert_deliveries_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered = 0,
    Retry = 1,
    Failed = 2,
}

#[derive(Debug)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            inner: Mutex::new(Inner {
                requests: BTreeMap::new(),
                request_seconds: Histogram::new(REQUEST_BUCKETS),
                reports: BTreeMap::new(),
                report_seconds: Histogram::new(REPORT_BUCKETS),
                ingest_rows: BTreeMap::new(),
                ingest_invalid_rows: BTreeMap::new(),
                ingest_files: BTreeMap::new(),
                live: None,
                alert_events: [0; 2],
                alert_deliveries: [0; 3],
            }),
        }
    }
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.with(|m| {
            *m.requests
                .entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
            m.request_seconds.observe(seconds);
        });
    }

    /// `outcome`: `complete` or `failed`.
    pub fn report(&self, outcome: &'static str, seconds: f64) {
        self.with(|m| {
            *m.reports.entry(outcome).or_default() += 1;
            m.report_seconds.observe(seconds);
        });
    }

    /// The stores' live statuses at report time `t` (the newest poll).
    pub fn set_live(&self, t: Micros, counts: LiveCounts) {
        self.with(|m| m.live = Some((t, counts)));
    }

    /// Forgets the live statuses (the database holds no polls).
    pub fn clear_live(&self) {
        self.with(|m| m.live = None);
    }

    /// The report time the live statuses were counted at, if they were.
    pub fn live_as_of(&self) -> Option<Micros> {
        self.with(|m| m.live.map(|(t, _)| t))
    }

    /// Alert events written: `store.offline` and `store.recovered` ones.
    pub fn alert_events(&self, offline: u64, recovered: u64) {
        self.with(|m| {
            m.alert_events[0] += offline;
            m.alert_events[1] += recovered;
        });
    }

    /// One delivery attempt's result.
    pub fn alert_delivery(&self, result: DeliveryResult) {
        self.with(|m| m.alert_deliveries[result as usize] += 1);
    }

    /// `outcome`: `applied`, `unchanged` or `rejected`.
    pub fn ingest(&self, source: &str, outcome: &'static str, rows: u64, invalid_rows: u64) {
        self.with(|m| {
            *m.ingest_files
                .entry((source.to_string(), outcome))
                .or_default() += 1;
            *m.ingest_rows.entry(source.to_string()).or_default() += rows;
            *m.ingest_invalid_rows.entry(source.to_string()).or_default() += invalid_rows;
        });
    }

    pub fn render(&self) -> String {
        self.with(|m| {
            let mut out = String::new();
            out.push_str("# HELP storewatch_http_requests_total HTTP requests by method, route and status.\n");
            out.push_str("# TYPE storewatch_http_requests_total counter\n");
            for ((method, route, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "storewatch_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
            out.push_str("# HELP storewatch_http_request_duration_seconds Time to answer an HTTP request.\n");
            out.push_str("# TYPE storewatch_http_request_duration_seconds histogram\n");
            m.request_seconds.render(&mut out, "storewatch_http_request_duration_seconds", "");
            out.push_str("# HELP storewatch_reports_total Report jobs finished, by outcome.\n");
            out.push_str("# TYPE storewatch_reports_total counter\n");
            for outcome in ["complete", "failed"] {
                let n = m.reports.get(outcome).copied().unwrap_or(0);
                let _ = writeln!(out, "storewatch_reports_total{{outcome=\"{outcome}\"}} {n}");
            }
            out.push_str("# HELP storewatch_report_duration_seconds Time from a worker claiming a report to its result.\n");
            out.push_str("# TYPE storewatch_report_duration_seconds histogram\n");
            m.report_seconds.render(&mut out, "storewatch_report_duration_seconds", "");
            out.push_str("# HELP storewatch_ingest_rows_total Rows stored by ingests, by source.\n");
            out.push_str("# TYPE storewatch_ingest_rows_total counter\n");
            for (source, n) in &m.ingest_rows {
                let _ = writeln!(out, "storewatch_ingest_rows_total{{source=\"{source}\"}} {n}");
            }
            out.push_str("# HELP storewatch_ingest_invalid_rows_total Invalid rows seen by ingests (rejected or skipped), by source.\n");
            out.push_str("# TYPE storewatch_ingest_invalid_rows_total counter\n");
            for (source, n) in &m.ingest_invalid_rows {
                let _ = writeln!(out, "storewatch_ingest_invalid_rows_total{{source=\"{source}\"}} {n}");
            }
            out.push_str("# HELP storewatch_ingest_files_total Files or pushed bodies ingested, by source and outcome.\n");
            out.push_str("# TYPE storewatch_ingest_files_total counter\n");
            for ((source, outcome), n) in &m.ingest_files {
                let _ = writeln!(out, "storewatch_ingest_files_total{{source=\"{source}\",outcome=\"{outcome}\"}} {n}");
            }
            out.push_str("# HELP storewatch_alert_events_total Alert events written, by type (SPEC section 7).\n");
            out.push_str("# TYPE storewatch_alert_events_total counter\n");
            for (kind, n) in ["store.offline", "store.recovered"].iter().zip(m.alert_events) {
                let _ = writeln!(out, "storewatch_alert_events_total{{type=\"{kind}\"}} {n}");
            }
            out.push_str("# HELP storewatch_alert_deliveries_total Alert delivery attempts, by result: delivered, retry (to be tried again) or failed (given up).\n");
            out.push_str("# TYPE storewatch_alert_deliveries_total counter\n");
            for (result, n) in ["delivered", "retry", "failed"].iter().zip(m.alert_deliveries) {
                let _ = writeln!(out, "storewatch_alert_deliveries_total{{result=\"{result}\"}} {n}");
            }
            if let Some((t, live)) = m.live {
                out.push_str("# HELP storewatch_stores Stores by live status at the newest poll (SPEC section 7).\n");
                out.push_str("# TYPE storewatch_stores gauge\n");
                for (status, n) in [
                    ("offline", live.offline),
                    ("online", live.online),
                    ("outside_hours", live.outside_hours),
                    ("no_observation", live.no_observation),
                ] {
                    let _ = writeln!(out, "storewatch_stores{{status=\"{status}\"}} {n}");
                }
                out.push_str("# HELP storewatch_stores_as_of_seconds The newest poll the live statuses were counted at (Unix time).\n");
                out.push_str("# TYPE storewatch_stores_as_of_seconds gauge\n");
                let _ = writeln!(out, "storewatch_stores_as_of_seconds {}", t as f64 / 1e6);
            }
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_histograms() {
        let m = Metrics::default();
        m.request("GET", "/get_report", 200, 0.0015);
        m.request("GET", "/get_report", 200, 0.2);
        m.report("complete", 0.4);
        m.ingest("polls", "applied", 10, 2);
        let text = m.render();
        assert!(text.contains(
            "storewatch_http_requests_total{method=\"GET\",route=\"/get_report\",status=\"200\"} 2"
        ));
        assert!(text.contains("storewatch_http_request_duration_seconds_bucket{le=\"0.002\"} 1"));
        assert!(text.contains("storewatch_http_request_duration_seconds_bucket{le=\"0.25\"} 2"));
        assert!(text.contains("storewatch_http_request_duration_seconds_count 2"));
        assert!(text.contains("storewatch_reports_total{outcome=\"complete\"} 1"));
        assert!(text.contains("storewatch_reports_total{outcome=\"failed\"} 0"));
        assert!(text.contains("storewatch_ingest_rows_total{source=\"polls\"} 10"));
        assert!(text.contains("storewatch_ingest_invalid_rows_total{source=\"polls\"} 2"));
        assert!(
            text.contains("storewatch_ingest_files_total{source=\"polls\",outcome=\"applied\"} 1")
        );
        assert!(
            !text.contains("storewatch_stores"),
            "no gauge before a count"
        );
        let counts = LiveCounts {
            offline: 3,
            online: 5,
            outside_hours: 7,
            no_observation: 1,
        };
        m.set_live(1_674_648_000_000_000, counts);
        let text = m.render();
        for line in [
            "storewatch_stores{status=\"offline\"} 3",
            "storewatch_stores{status=\"online\"} 5",
            "storewatch_stores{status=\"outside_hours\"} 7",
            "storewatch_stores{status=\"no_observation\"} 1",
            "storewatch_stores_as_of_seconds 1674648000",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
        m.clear_live();
        assert!(!m.render().contains("storewatch_stores"));
    }
}
