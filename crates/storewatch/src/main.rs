use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = storewatch::cli::Args::parse();
    storewatch::logging::init(&args);
    match storewatch::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
