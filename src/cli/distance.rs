//! `hetao distance`: the geodesic inverse problem on WGS84 (GeographicLib): distance and
//! the azimuths at both ends.

use crate::core::lonlat::parse_lonlat;
use crate::core::measure::GeodesicWgs84;
use std::io::Write;

/// Arguments of `hetao distance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// First point, "LON,LAT" in degrees (WGS84), e.g. 114.0791154,22.5214876.
    #[arg(allow_hyphen_values = true, value_name = "LON1,LAT1")]
    pub from: String,
    /// Second point, "LON,LAT" in degrees.
    #[arg(allow_hyphen_values = true, value_name = "LON2,LAT2")]
    pub to: String,
    /// Print JSON: {"s12_m":..,"azi1_deg":..,"azi2_deg":..}.
    #[arg(long)]
    pub json: bool,
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let a = parse_lonlat(&args.from)?;
    let b = parse_lonlat(&args.to)?;
    let inv = GeodesicWgs84.inverse(a, b);
    if args.json {
        let v = serde_json::json!({
            "s12_m": inv.s12_m,
            "azi1_deg": inv.azi1_deg,
            "azi2_deg": inv.azi2_deg,
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "distance  {:.6} m (WGS84 geodesic)", inv.s12_m)?;
        writeln!(out, "azimuth 1 {:.9}° (at {},{})", inv.azi1_deg, a.x, a.y)?;
        writeln!(out, "azimuth 2 {:.9}° (at {},{})", inv.azi2_deg, b.x, b.y)?;
    }
    Ok(0)
}
