//! The binary's integration tests: one test binary (linked once), with the
//! helpers in `common` (workspaces running the real `storewatch` binary, the
//! real service on a loopback port, and an API client the load generator in
//! `examples/serve_bench.rs` uses too).

mod common;

mod access;
mod alerts;
mod cli_bad_input;
mod cli_shared_data;
mod cross_site;
mod dashboard_browser;
mod docs_browser;
mod faults;
mod fleet_browser;
mod pages;
mod periods;
mod postgres_backend;
mod scale;
mod server_errors;
mod server_jobs;
mod server_reports;
mod split_reports;
mod timeline;
