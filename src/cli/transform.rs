//! `hetao transform`: coordinates from one CRS to another through PROJ
//! ([`crate::core::crs::Transformer`]), always in x,y order (lon,lat for geographic CRSs,
//! easting,northing for projected ones), whatever axis order the CRS itself declares.

use crate::core::crs::{CrsKind, Transformer, crs_kind};
use std::io::Write;

/// Arguments of `hetao transform`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Source CRS (EPSG:4326, EPSG:3857, EPSG:2326, EPSG:4490, EPSG:4547, any EPSG:n).
    #[arg(long)]
    pub from: String,
    /// Target CRS.
    #[arg(long)]
    pub to: String,
    /// Points as X,Y (lon,lat or easting,northing). Values may start with "-"; `--json`
    /// is recognised among them too.
    #[arg(required = true, allow_hyphen_values = true, value_name = "X,Y")]
    pub points: Vec<String>,
    /// Print JSON: {"points":[[x,y],...]}.
    #[arg(long)]
    pub json: bool,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let t = Transformer::new(&args.from, &args.to)?;
    // The points take hyphen values (negative longitudes), so a trailing --json lands here.
    let json = args.json || args.points.iter().any(|p| p == "--json");
    let pts = args
        .points
        .iter()
        .filter(|p| *p != "--json")
        .map(|s| crate::core::lonlat::parse_pair(s))
        .collect::<Result<Vec<_>, _>>()?;
    let res = pts
        .iter()
        .map(|&(x, y)| t.transform(x, y))
        .collect::<Result<Vec<_>, _>>()?;
    if json {
        let v = serde_json::json!({
            "points": res.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()
        });
        writeln!(out, "{v}")?;
    } else {
        // 1e-9 degree is 0.1 mm; 1e-4 m is 0.1 mm.
        let prec = match crs_kind(&args.to) {
            Ok(CrsKind::Geographic { .. }) => 9,
            _ => 4,
        };
        for (x, y) in res {
            writeln!(out, "{x:.prec$} {y:.prec$}")?;
        }
    }
    Ok(0)
}
