use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::{Args, Command, LogFormat};

/// Logs go to standard error, so standard output stays the command's result.
pub fn init(args: &Args) {
    let default = if matches!(args.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    let wanted = args.log.as_deref().unwrap_or(default);
    // sqlx reports slow statements at warn; a report's bulk read is slow by design.
    let filter = EnvFilter::try_new(format!("{wanted},sqlx=error"))
        .unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only for a person at a terminal: a log file or a collector
    // would get escape codes in every line.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
