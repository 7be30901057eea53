//! `storewatch delete-polls [--store ID] [--from TS] [--to TS]`.

use anyhow::{Result, anyhow};
use storewatch_db::{Actor, Database};

use crate::app::ingest::Origin;
use crate::app::polls::{delete_polls, deletion};
use crate::cli::DeletePollsArgs;
use crate::clock::now_micros;

pub async fn run<D: Database>(db: &D, args: &DeletePollsArgs) -> Result<()> {
    let deletion = deletion(
        args.store.as_deref(),
        args.from,
        args.to,
        Origin::keyless(Actor::CommandLine),
        now_micros(),
    )
    .map_err(|e| anyhow!(e))?;
    let deleted = delete_polls(db, &deletion).await?;
    println!("{}: {deleted} polls deleted", deletion.describe());
    crate::commands::ingest::alert_after_change(db).await
}
