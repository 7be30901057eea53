//! `storewatch serve`: the HTTP service with its background jobs.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use storewatch_core::generate::{GenerateOptions, generate_with_special_hours};
use storewatch_core::ingest::{Mode, SourceKind, reader_from_bytes};
use storewatch_db::{Database, IngestBatch};

use crate::commands::ingest::{Parsed, parse_source};

use crate::cli::ServeArgs;
use crate::server::{self, Settings};

pub async fn run<D: Database>(db: D, args: &ServeArgs) -> Result<()> {
    let settings = Settings {
        max_body_bytes: args.max_body_mib.saturating_mul(1024 * 1024),
        report_workers: args.report_workers.max(1),
        report_lease: parse_duration(&args.report_lease)
            .map_err(|e| anyhow!("--report-lease: {e}"))?,
        data_dir: args.data_dir.clone(),
        ingest_every: parse_duration(&args.ingest_every)
            .map_err(|e| anyhow!("--ingest-every: {e}"))?,
        ..Settings::default()
    };
    if let Some(dir) = &settings.data_dir
        && !dir.is_dir()
    {
        bail!("--data-dir {}: not a directory", dir.display());
    }
    if args.demo {
        seed_demo_data(&db).await?;
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let running = server::start(db, settings, listener).await?;
    eprintln!(
        "storewatch is listening on http://{}  (API docs: http://{}/api/docs)",
        running.addr, running.addr
    );
    let stop = running.shutdown_handle();
    tokio::spawn(async move {
        server::shutdown_signal().await;
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
        for (kind, bytes) in [
            (SourceKind::Polls, polls),
            (SourceKind::BusinessHours, hours),
            (SourceKind::Timezones, zones),
            (SourceKind::SpecialHours, special),
        ] {
            let source = reader_from_bytes(kind.default_names()[0], bytes)?;
            parsed.merge(parse_source(kind, source, Mode::Strict)?);
        }
        Ok(parsed.into_batch())
    })
    .await??;
    let applied = db.ingest(batch).await?;
    tracing::info!(
        polls = applied.polls.map_or(0, |p| p.rows),
        "demo: data loaded"
    );
    Ok(())
}

/// `1h`, `15m`, `30s`, `250ms`, and sums like `1h30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration like 1h, 15m, 30s or 250ms");
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            "d" => Duration::from_secs(n * 86_400),
            _ => return Err(bad()),
        };
        total += unit;
        rest = &rest[unit_len..];
    }
    if total.is_zero() {
        return Err(format!("{text:?} is zero; give a positive duration"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        for bad in ["", "h", "10", "5 minutes", "1x", "-1s", "0s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
