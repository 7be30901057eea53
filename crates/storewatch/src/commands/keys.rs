//! `storewatch keys create|list|revoke`. A new key's secret is the only thing
//! written to standard output, so `KEY=$(storewatch keys create …)` works;
//! everything else goes to standard error.

use std::io::Write;

use anyhow::{Context, Result, bail};
use storewatch_core::domain::format_timestamp;
use storewatch_db::{Database, Revoked, Scope};

use crate::app::access::KeyRequest;
use crate::cli::{KeysCommand, KeysCreateArgs};
use crate::clock::now_micros;

pub async fn run<D: Database>(db: &D, command: &KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create(args) => create(db, args).await,
        KeysCommand::List(_) => list(db).await,
        KeysCommand::Revoke(args) => match db.revoke_key(&args.name, now_micros()).await? {
            Revoked::Now => {
                eprintln!("revoked key {:?}: it is refused from now on", args.name);
                Ok(())
            }
            Revoked::NoSuchKey => bail!(
                "no live key named {:?} (see storewatch keys list)",
                args.name
            ),
        },
    }
}

/// The scope `--stores-file` names: ids one per line, blank lines and a
/// `store_id` header skipped.
fn scope_from_file(path: &std::path::Path) -> Result<Scope> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--stores-file {}", path.display()))?;
    let ids = text
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}'))
        .filter(|l| !l.eq_ignore_ascii_case("store_id"));
    Scope::new(ids).map_err(|e| anyhow::anyhow!("--stores-file {}: {e}", path.display()))
}

async fn create<D: Database>(db: &D, args: &KeysCreateArgs) -> Result<()> {
    let scope = match (&args.stores, &args.stores_file) {
        (Some(scope), _) => Some(scope.clone()),
        (None, Some(path)) => Some(scope_from_file(path)?),
        (None, None) => None,
    };
    let stores = scope.as_ref().map_or("every store".to_string(), |s| {
        format!("{} stores", s.stores().len())
    });
    let token = KeyRequest::new(&args.name, args.role, scope)?
        .create(db, now_micros())
        .await?;
    eprintln!(
        "created {} key {:?} ({stores}); its secret follows, shown only this once. Send it as `Authorization: Bearer <secret>`.",
        args.role, args.name
    );
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", token.reveal())?;
    out.flush()?;
    Ok(())
}

async fn list<D: Database>(db: &D) -> Result<()> {
    let keys = db.keys().await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "name\trole\tstores\tcreated\tlast used\trevoked")?;
    let time = |t: Option<i64>| t.map_or("-".to_string(), format_timestamp);
    for k in &keys {
        let stores = k
            .key
            .scope
            .as_ref()
            .map_or("all".to_string(), |s| s.to_text().replace('\n', ","));
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            k.key.name,
            k.key.role,
            stores,
            format_timestamp(k.key.created_at),
            time(k.last_used_at),
            time(k.revoked_at)
        )?;
    }
    if keys.is_empty() {
        eprintln!(
            "no keys: the service is open on loopback addresses (storewatch keys create makes one)"
        );
    }
    Ok(())
}
