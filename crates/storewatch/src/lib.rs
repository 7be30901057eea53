//! The `storewatch` binary: command line, database selection, and the commands.
//!
//! * `cli` parses and validates every flag before any work starts;
//! * `backend` picks the database from its URL once and launches the work
//!   generic over [`storewatch_db::Database`];
//! * `app` is the application layer: the state the service's parts share and
//!   the ingest and report pipelines everyone calls;
//! * `commands` are the thin command-line entry points; `service` starts the
//!   HTTP API (`server`) and the background `jobs` side by side.

pub mod app;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod jobs;
pub mod logging;
pub mod priority;
pub mod progress;
pub mod server;
pub mod service;

use anyhow::Result;

use storewatch_db::Database;

use crate::backend::{Open, WithDatabase};
use crate::cli::{AlertsCommand, Args, Command, KeysCommand};

/// Runs one command to completion.
pub fn run(args: Args) -> Result<()> {
    app::ingest::set_sort_run_polls(args.sort_run_polls as usize);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (database, open) = match &args.command {
            Command::Generate(g) => return commands::generate::run(g),
            // A key may be made before anything else, for a database that
            // does not exist yet; listing and revoking need one.
            Command::Keys(k @ KeysCommand::Create(_)) => (k.database(), Open::CreateIfMissing),
            Command::Keys(k) => (k.database(), Open::MustExist),
            Command::DeletePolls(d) => (&d.database, Open::MustExist),
            Command::Alerts(a @ AlertsCommand::Add(_)) => (a.database(), Open::CreateIfMissing),
            Command::Alerts(a) => (a.database(), Open::MustExist),
            Command::Ingest(i) => (&i.database, Open::CreateIfMissing),
            Command::Serve(s) => (&s.database, Open::CreateIfMissing),
            Command::Report(r) => (&r.database, Open::MustExist),
        };
        let url = args.database_url(database);
        let command = DatabaseCommand {
            command: &args.command,
            url: &url,
        };
        backend::launch(&url, open, command).await
    })
}

/// A command that uses a database, run on whichever backend was picked.
struct DatabaseCommand<'a> {
    command: &'a Command,
    url: &'a str,
}

impl WithDatabase for DatabaseCommand<'_> {
    async fn run<D: Database>(self, db: D) -> Result<()> {
        let key_file = |given: &Option<std::path::PathBuf>| {
            given
                .clone()
                .or_else(|| backend::default_alert_key_file(self.url))
        };
        let result = match self.command {
            Command::Ingest(i) => commands::ingest::run(&db, i).await,
            Command::Report(r) => commands::report::run(&db, r).await,
            Command::Serve(s) => {
                commands::serve::run(db.clone(), s, key_file(&s.alert_key.alert_key_file)).await
            }
            Command::Alerts(a) => {
                let key = match a {
                    AlertsCommand::Add(add) => key_file(&add.key.alert_key_file),
                    _ => None,
                };
                commands::alerts::run(&db, a, key).await
            }
            Command::Keys(k) => commands::keys::run(&db, k).await,
            Command::DeletePolls(d) => commands::delete_polls::run(&db, d).await,
            Command::Generate(_) => unreachable!("generate uses no database"),
        };
        db.close().await;
        result
    }
}
