use tracing_subscriber::EnvFilter;

use crate::cli::Args;

/// Logs go to standard error, so standard output stays the command's result.
pub fn init(args: &Args) {
    let filter = EnvFilter::try_new(&args.log).unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
