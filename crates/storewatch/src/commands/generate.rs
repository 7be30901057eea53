use std::fs::{self, File};
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use storewatch_core::generate::{GenerateOptions, generate_with_special_hours};

use crate::cli::GenerateArgs;
use crate::progress::{Progress, thousands};

pub fn run(args: &GenerateArgs) -> Result<()> {
    let stores = usize::try_from(args.stores).context("--stores: too many for this machine")?;
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let create = |name: &str| -> Result<BufWriter<File>> {
        let path = args.out.join(name);
        Ok(BufWriter::new(
            File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        ))
    };
    let progress = Progress::new();
    progress.step(&format!(
        "writing {} stores × {} days",
        thousands(args.stores),
        args.days
    ));
    let opts = GenerateOptions {
        stores,
        days: args.days,
        seed: args.seed,
        end: args.end,
    };
    let hours = create("business_hours.csv")?;
    let zones = create("timezones.csv")?;
    let special = create("special_hours.csv")?;
    let counts = if args.gzip {
        let mut gz = GzEncoder::new(create("store_status.csv.gz")?, flate2::Compression::fast());
        let counts = generate_with_special_hours(&opts, &mut gz, hours, zones, special)?;
        gz.finish()?.flush()?;
        counts
    } else {
        generate_with_special_hours(&opts, create("store_status.csv")?, hours, zones, special)?
    };
    progress.finish();
    println!(
        "wrote {} polls, {} business-hours rows, {} time zones and {} special-hours rows for {} stores to {}",
        thousands(counts.polls),
        thousands(counts.hours_rows),
        thousands(counts.timezone_rows),
        thousands(counts.special_rows),
        thousands(args.stores),
        args.out.display()
    );
    Ok(())
}
