use std::fs::{self, File};
use std::io::{BufWriter, Write};

use anyhow::{Context, Result, anyhow};
use flate2::write::GzEncoder;
use storewatch_core::domain::parse_timestamp;
use storewatch_core::generate::{GenerateOptions, generate_with_special_hours};

use crate::cli::GenerateArgs;
use crate::progress::{Progress, thousands};

pub fn run(args: &GenerateArgs) -> Result<()> {
    let end = parse_timestamp(&args.end).map_err(|e| anyhow!("--end: {e}"))?;
    if args.stores == 0 || args.days == 0 {
        return Err(anyhow!("--stores and --days must be at least 1"));
    }
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
        thousands(args.stores as u64),
        args.days
    ));
    let opts = GenerateOptions {
        stores: args.stores,
        days: args.days,
        seed: args.seed,
        end,
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
        thousands(args.stores as u64),
        args.out.display()
    );
    Ok(())
}
