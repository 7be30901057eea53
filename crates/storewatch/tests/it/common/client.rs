//! A client for a running storewatch service: push data, trigger a report,
//! read its status, wait until it is done. Depends on nothing of storewatch's
//! own code, so the load generator (`examples/serve_bench.rs`) uses it too.

use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Clone)]
pub struct ApiClient {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    pub client: reqwest::Client,
    /// Sent as `Authorization: Bearer …` when set.
    pub key: Option<String>,
}

impl ApiClient {
    pub fn new(base: impl Into<String>) -> ApiClient {
        ApiClient {
            base: base.into(),
            client: {
                storewatch::app::alerts::deliver::use_ring();
                reqwest::Client::new()
            },
            key: None,
        }
    }

    /// The same client, sending `key`.
    pub fn with_key(&self, key: &str) -> ApiClient {
        ApiClient {
            key: Some(key.to_string()),
            ..self.clone()
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path`, with the key if there is one.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.client.request(method, self.url(path));
        match &self.key {
            Some(key) => req.bearer_auth(key),
            None => req,
        }
    }

    /// GET `path`; returns (status, body text).
    /// `method` on `path` with an empty JSON object as the body: the status
    /// and the answer's text.
    pub async fn call(&self, method: &str, path: &str) -> (u16, String) {
        let r = self
            .client
            .request(method.to_uppercase().parse().unwrap(), self.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    /// A GET's JSON answer, whatever its status.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.client.get(self.url(path)).send().await.unwrap();
        r.json().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// POST a CSV body to /api/ingest/{source}; returns (status, JSON).
    pub async fn push(&self, source: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let r = self
            .request(reqwest::Method::POST, &format!("/api/ingest/{source}"))
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Triggers a report (at `as_of`, else the newest poll); returns its id.
    pub async fn trigger(&self, as_of: Option<&str>) -> String {
        match as_of {
            Some(t) => self.trigger_with(&[("as_of", t)]).await,
            None => self.trigger_with(&[]).await,
        }
    }

    /// Triggers a report with these query parameters; returns its id.
    pub async fn trigger_with(&self, query: &[(&str, &str)]) -> String {
        let r = self
            .request(reqwest::Method::POST, "/trigger_report")
            .query(query)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        body["report_id"].as_str().unwrap().to_string()
    }

    /// Triggers a report with these query parameters and waits for it: its
    /// final status.
    pub async fn report_with(&self, query: &[(&str, &str)]) -> Value {
        let id = self.trigger_with(query).await;
        self.wait_for(&id).await
    }

    /// The report's JSON status.
    pub async fn status(&self, id: &str) -> Value {
        let r = self
            .request(reqwest::Method::GET, "/get_report")
            .query(&[("report_id", id)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Polls /get_report until the report is no longer Running.
    pub async fn wait_for(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let body = self.status(id).await;
            if body["status"] != "Running" {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "report {id} still running: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Sending a request in one step, for tests that fail on any transport error.
#[allow(async_fn_in_trait)]
pub trait Sent {
    /// The answer, whatever its status.
    async fn sent(self) -> reqwest::Response;
    /// The answer's JSON, whatever its status.
    async fn sent_json(self) -> Value;
}

impl Sent for reqwest::RequestBuilder {
    async fn sent(self) -> reqwest::Response {
        self.send().await.unwrap()
    }

    async fn sent_json(self) -> Value {
        self.sent().await.json().await.unwrap()
    }
}
