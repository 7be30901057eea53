//! The `storewatch` binary: command line, database selection, and the commands.
//!
//! `cli` parses raw flags; `commands` turns them into validated settings and
//! does the work, generic over [`storewatch_db::Database`]; `backend` picks the
//! implementation from the database URL.

pub mod backend;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod jobs;
pub mod logging;
pub mod progress;
pub mod server;

use anyhow::Result;

use crate::cli::{Args, Command};

/// Runs one command to completion.
pub fn run(args: Args) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &args.command {
            Command::Generate(g) => commands::generate::run(g),
            Command::Ingest(i) => {
                let db = backend::connect(&args.database_url(&i.database)).await?;
                let result = commands::ingest::run(&db, i).await;
                db.close().await;
                result
            }
            Command::Serve(s) => {
                let db = backend::connect(&args.database_url(&s.database)).await?;
                commands::serve::run(db, s).await
            }
            Command::Report(r) => {
                let url = args.database_url(&r.database);
                let db = backend::connect_existing(&url).await?;
                let result = commands::report::run(&db, r).await;
                db.close().await;
                result
            }
        }
    })
}
