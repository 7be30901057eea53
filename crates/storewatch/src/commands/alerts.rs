//! `storewatch alerts add|list|remove|deliveries`. A new subscription's id
//! is the only thing `add` writes to standard output, so
//! `ID=$(storewatch alerts add …)` works.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use storewatch_core::domain::format_timestamp;
use storewatch_db::Database;

use crate::app::alerts::AlertKey;
use crate::app::alerts::subscription::{NewSubscription, create};
use crate::cli::AlertsCommand;
use crate::clock::now_micros;

pub async fn run<D: Database>(
    db: &D,
    command: &AlertsCommand,
    key_file: Option<PathBuf>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        AlertsCommand::Add(args) => {
            let new = NewSubscription::parse(
                &args.webhook_url,
                &args.secret,
                args.stores.as_deref(),
                Some(&args.after),
            )
            .map_err(|e| anyhow!("{e}"))?;
            let path = key_file.context(
                "alerts on PostgreSQL need --alert-key-file FILE (the same file the service is started with)",
            )?;
            let key = AlertKey::load_or_create(&path)?;
            let s = create(db, &key, new, args.allow_private, now_micros()).await?;
            eprintln!(
                "subscribed {} ({}, after {}s); its events are signed with the secret given, never shown again",
                s.url,
                s.stores
                    .as_ref()
                    .map_or("every store".to_string(), |s| format!("{} stores", s.len())),
                s.after / 1_000_000
            );
            writeln!(out, "{}", s.id)?;
        }
        AlertsCommand::List(_) => {
            writeln!(out, "id\turl\tstores\tafter\tcreated")?;
            for s in db.subscriptions().await? {
                let stores = s.stores.as_ref().map_or("all".into(), |s| s.join(","));
                writeln!(
                    out,
                    "{}\t{}\t{stores}\t{}s\t{}",
                    s.id,
                    s.url,
                    s.after / 1_000_000,
                    format_timestamp(s.created_at)
                )?;
            }
        }
        AlertsCommand::Remove(args) => {
            let id = args.id.trim().to_ascii_lowercase();
            if !db.remove_subscription(&id).await? {
                bail!("no subscription {id:?} (see storewatch alerts list)");
            }
            eprintln!("removed subscription {id}: its events are no longer sent");
        }
        AlertsCommand::Deliveries(args) => {
            let id = args.id.trim().to_ascii_lowercase();
            if !db.subscriptions().await?.iter().any(|s| s.id == id) {
                bail!("no subscription {id:?} (see storewatch alerts list)");
            }
            let before = args
                .before
                .as_deref()
                .map(|b| b.trim().to_ascii_lowercase());
            if let Some(b) = &before
                && !storewatch_core::hex::is_id(b)
            {
                bail!("--before {b:?}: expected an event id (32 hexadecimal digits) from the list");
            }
            let time = |t: Option<i64>| t.map_or("-".to_string(), format_timestamp);
            writeln!(
                out,
                "id\ttype\tstore\tcreated\tattempts\tlast answer\tnext attempt\tdelivered\tfailed"
            )?;
            for e in db.events(&id, args.limit, before.as_deref()).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.id,
                    e.kind,
                    e.store_id,
                    format_timestamp(e.created_at),
                    e.attempts,
                    e.last_answer.as_deref().unwrap_or("-"),
                    time(e.next_attempt_at),
                    time(e.delivered_at),
                    time(e.failed_at)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
