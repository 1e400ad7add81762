//! `hetao travel-time`: modelled door-to-door minutes between two points, with the route's
//! legs and the control point crossed.

use super::reach::{ModelArgs, parse_lonlat};
use crate::core::reach;
use serde_json::json;
use std::io::Write;

/// Arguments of `hetao travel-time`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Origin LON,LAT (WGS84 degrees).
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// Destination LON,LAT (WGS84 degrees).
    #[arg(long, allow_hyphen_values = true)]
    pub to: String,
    /// Model flags.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let from = parse_lonlat(&args.from)?;
    let to = parse_lonlat(&args.to)?;
    let mode = args.model.mode()?;
    let depart = args.model.depart()?;
    let net = args.model.network()?;
    let route = reach::travel_time(&net, from, to, mode, depart)?;
    let assumptions = reach::assumptions(&net, mode, depart);
    if args.model.json {
        let v = json!({
            "modelled": true,
            "from": [from.0, from.1],
            "to": [to.0, to.1],
            "mode": mode.name(),
            "minutes": route.minutes,
            "crossing_used": route.crossing_used,
            "crossings": route.crossings,
            "legs": route.legs,
            "assumptions": assumptions,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        writeln!(
            out,
            "{:.1} min by {} (modelled), departing {}",
            route.minutes,
            mode.name(),
            args.model.depart
        )?;
        for l in &route.legs {
            let name = if l.name.is_empty() {
                String::new()
            } else {
                format!(" [{}]", l.name)
            };
            writeln!(
                out,
                "  {:>6.1} min  {:<9}{} {} -> {}",
                l.minutes, l.kind, name, l.from, l.to
            )?;
        }
        if route.crossings.is_empty() {
            writeln!(out, "Crossing: none")?;
        }
        for c in &route.crossings {
            writeln!(out, "Crossing: {} ({:.1} min)", c.name, c.minutes)?;
        }
        writeln!(out, "Network: {}", reach::movement(&net, mode))?;
    }
    Ok(0)
}
