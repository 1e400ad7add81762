//! `hetao stats`: floor space by park, use and status as of a year, and progress toward
//! the 2035 targets, on the embedded zone data or the user's building inventory
//! (`--buildings FILE [--mapping M.toml]`), optionally edited by a scenario, and with an
//! official Shenzhen park outline in place of the schematic one.

use crate::core::zone::{self, Scenario, planning::ZoneStats};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year to report (statuses as of the end of that year).
    #[arg(long, default_value_t = zone::DATA_YEAR)]
    pub year: i32,
    /// A scenario file (JSON) of edits to apply first.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// A GeoJSON file with the official Shenzhen park outline, replacing the schematic one.
    #[arg(long = "sz-park", value_name = "FILE")]
    pub sz_park: Option<PathBuf>,
    /// The building inventory (`--buildings FILE [--mapping M.toml]`).
    #[command(flatten)]
    pub inventory: crate::cli::InventoryArgs,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    if !(1900..=2200).contains(&args.year) {
        anyhow::bail!("--year {} is outside 1900..=2200", args.year);
    }
    let mut ds = args.inventory.dataset()?;
    if let Some(p) = &args.sz_park {
        let layer = crate::core::io::load_path(p)?;
        zone::replace_shenzhen_park(&mut ds, layer)?;
    }
    if let Some(p) = &args.scenario {
        let sc = Scenario::load(p)?;
        sc.apply(&mut ds)
            .with_context(|| format!("scenario {}", p.display()))?;
    }
    let stats = ZoneStats::compute(&ds, args.year);
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?;
    } else {
        write!(
            out,
            "{}",
            stats.render_table_with(&args.inventory.buildings_note())
        )?;
        if args.sz_park.is_some() {
            let outside = zone::buildings_outside_park(&ds);
            if !outside.is_empty() {
                writeln!(
                    out,
                    "\nwarning: {} illustrative building(s) lie outside the supplied park outline (first: {})",
                    outside.len(),
                    outside[0]
                )?;
            }
        }
    }
    Ok(0)
}
