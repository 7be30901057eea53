//! `storewatch serve`: the HTTP service with its background jobs.

use anyhow::{Context, Result, bail};
use storewatch_core::generate::{GenerateOptions, generate_with_special_hours};
use storewatch_core::ingest::{Mode, NewestAllowed, SourceKind, reader_from_bytes};
use storewatch_db::{Actor, Database, IngestBatch, Provenance, SourceContent};

use crate::app::Settings;
use crate::app::digest::sha256_hex;
use crate::app::ingest::{Parsed, parse_source};
use crate::clock::now_micros;

use crate::cli::ServeArgs;
use crate::service;

/// `alert_key_file`: `--alert-key-file`, or the default beside an SQLite
/// database (`backend::default_alert_key_file`).
pub async fn run<D: Database>(
    db: D,
    args: &ServeArgs,
    alert_key_file: Option<std::path::PathBuf>,
) -> Result<()> {
    crate::priority::report_math_yields_to_requests();
    let settings = Settings {
        max_body_bytes: usize::try_from(u64::from(args.max_body_mib) * 1024 * 1024)
            .unwrap_or(usize::MAX),
        max_inflated_bytes: u64::from(args.max_inflated_mib) * 1024 * 1024,
        report_workers: usize::from(args.report_workers),
        report_lease: args.report_lease,
        report_shard_stores: args.report_shard_stores,
        data_dir: args.data_dir.clone(),
        ingest_every: args.ingest_every,
        max_queued_reports: args.max_queued_reports,
        keep_reports: args.keep_reports,
        retain_polls: args.retain_polls,
        max_future: args.max_future,
        public_url: args.public_url.clone(),
        alert_key_file,
        allow_private_webhooks: args.allow_private_webhooks,
        webhook_timeout: args.webhook_timeout,
        ..Settings::default()
    };
    if let Some(dir) = &settings.data_dir
        && !dir.is_dir()
    {
        bail!("--data-dir {}: not a directory", dir.display());
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    if let Some(why) = db.keys_lost().await? {
        bail!("{why}");
    }
    if !db.any_keys().await? {
        if !addr.ip().is_loopback() && !args.no_auth {
            bail!(
                "refusing to serve on {addr} with no API key: anyone who reaches it could replace the data and read every report. \
                 Create an admin key first (storewatch keys create --name admin --role admin, with the same --database-url), \
                 or pass --no-auth to serve openly on purpose"
            );
        }
        tracing::warn!(
            %addr,
            "no API key exists: the service is open, every caller may do anything; the first key created (storewatch keys create) closes it"
        );
    }
    if args.demo {
        seed_demo_data(&db).await?;
    }
    let running = service::start(db, settings, listener).await?;
    eprintln!(
        "storewatch is listening on http://{}  (API docs: http://{}/api/docs)",
        running.addr, running.addr
    );
    let stop = running.shutdown_handle();
    tokio::spawn(async move {
        service::shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
    running.wait().await
}

/// Fills an empty database with generated data the size of the real set.
async fn seed_demo_data<D: Database>(db: &D) -> Result<()> {
    if db.newest_poll().await?.is_some() {
        tracing::info!("demo: the database already holds polls; leaving it as it is");
        return Ok(());
    }
    tracing::info!("demo: generating 14,092 stores with 8 days of polls");
    let batch = tokio::task::spawn_blocking(|| -> Result<IngestBatch> {
        let opts = GenerateOptions {
            stores: 14_092,
            days: 8,
            seed: 1,
            end: storewatch_core::domain::parse_timestamp("2023-01-25 18:13:22.47922 UTC")
                .expect("a valid constant"),
        };
        let (mut polls, mut hours, mut zones, mut special) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        generate_with_special_hours(&opts, &mut polls, &mut hours, &mut zones, &mut special)?;
        let mut parsed = Parsed::default();
        let mut sources = Vec::new();
        for (kind, bytes) in [
            (SourceKind::Polls, polls),
            (SourceKind::BusinessHours, hours),
            (SourceKind::Timezones, zones),
            (SourceKind::SpecialHours, special),
        ] {
            let label = kind.default_names()[0];
            sources.push(SourceContent {
                kind,
                label: format!("generated {label}"),
                sha256: sha256_hex(&bytes),
            });
            let source = reader_from_bytes(label, bytes)?;
            // Generated here, dated 2023: no clock to hold it to.
            parsed.merge(parse_source(
                kind,
                source,
                Mode::Strict,
                NewestAllowed::ANY,
            )?);
        }
        let mut batch = parsed.into_batch();
        batch.provenance = Some(Provenance {
            at: now_micros(),
            by: Actor::Demo,
            key_id: None,
            sources,
        });
        Ok(batch)
    })
    .await??;
    let applied = db.ingest(batch).await?;
    tracing::info!(
        polls = applied.polls.map_or(0, |p| p.rows),
        "demo: data loaded"
    );
    Ok(())
}
