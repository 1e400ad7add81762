//! `hetao scenario`: generate the illustrative base data, check and apply scenario files.
//!
//! - `hetao scenario generate [--seed N] --out DIR`: write `shenzhen_park_schematic.geojson`,
//!   `buildings.geojson` and `research_units.geojson` (the shipped `data/zone/` files are
//!   `--seed 20170103`).
//! - `hetao scenario check --scenario FILE`: parse the scenario and apply it to the embedded
//!   data (or `--buildings FILE [--mapping M.toml]`, the user's inventory); report the change in delivered floor space and the plausibility warnings of the
//!   edited data ([`zone::checks`]).
//! - `hetao scenario apply --scenario FILE --out DIR`: write the edited `buildings.geojson`
//!   and `research_units.geojson` into DIR.

use crate::core::io;
use crate::core::zone::{self, Scenario, generator, planning};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `hetao scenario`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `hetao scenario` actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Generate the schematic Shenzhen park, buildings and research units from a seed.
    Generate {
        /// Seed of the generator (the shipped data uses 20170103).
        #[arg(long, default_value_t = generator::DEFAULT_SEED)]
        seed: u64,
        /// Output folder (created if needed).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a scenario file: parse it and apply it to the embedded data.
    Check {
        /// The scenario file (JSON).
        #[arg(long)]
        scenario: PathBuf,
        /// The building inventory (`--buildings FILE [--mapping M.toml]`).
        #[command(flatten)]
        inventory: crate::cli::InventoryArgs,
    },
    /// Apply a scenario and write the edited buildings and research units.
    Apply {
        /// The scenario file (JSON).
        #[arg(long)]
        scenario: PathBuf,
        /// Output folder (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// The building inventory (`--buildings FILE [--mapping M.toml]`).
        #[command(flatten)]
        inventory: crate::cli::InventoryArgs,
    },
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    match &args.action {
        Action::Generate { seed, out: dir } => {
            let g = generator::generate(*seed)?;
            g.write_to(dir)?;
            for (name, text) in g.files() {
                writeln!(
                    out,
                    "wrote {} ({} bytes)",
                    dir.join(name).display(),
                    text.len()
                )?;
            }
        }
        Action::Check {
            scenario,
            inventory,
        } => {
            let sc = Scenario::load(scenario)?;
            let mut ds = inventory.dataset()?;
            let before = planning::ZoneStats::compute(&ds, 2035);
            sc.apply(&mut ds)?;
            let after = planning::ZoneStats::compute(&ds, 2035);
            writeln!(
                out,
                "{}: {} edit(s) apply cleanly",
                scenario.display(),
                sc.edits.len()
            )?;
            for (b, a) in before.parks.iter().zip(&after.parks) {
                if let (Some(pb), Some(pa)) = (&b.progress, &a.progress) {
                    writeln!(
                        out,
                        "  {} delivered by 2035: {} m² -> {} m² ({}{} m²)",
                        b.park,
                        planning::thousands(pb.delivered_m2),
                        planning::thousands(pa.delivered_m2),
                        if pa.delivered_m2 >= pb.delivered_m2 {
                            "+"
                        } else {
                            ""
                        },
                        planning::thousands(pa.delivered_m2 - pb.delivered_m2)
                    )?;
                }
            }
            for w in zone::checks::check_dataset(&ds) {
                writeln!(out, "  warning: {w}")?;
            }
        }
        Action::Apply {
            scenario,
            out: dir,
            inventory,
        } => {
            let sc = Scenario::load(scenario)?;
            let mut ds = inventory.dataset()?;
            sc.apply(&mut ds)?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for name in ["buildings", "research_units"] {
                let layer = ds.layer(name).with_context(|| format!("no {name} layer"))?;
                let path = dir.join(format!("{name}.geojson"));
                let text = io::layer_to_geojson_with(layer, io::WriteOptions::decimals(7));
                io::write_text(&path, &text)?;
                writeln!(
                    out,
                    "wrote {} ({} features)",
                    path.display(),
                    layer.features.len()
                )?;
            }
        }
    }
    Ok(0)
}
