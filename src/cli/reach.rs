//! `hetao reach`: travel-time isochrones from a point (walk, cycle, transit, drive), as
//! modelled GeoJSON polygons with their assumptions, plus times to named destinations.
//! Also owns the model flags shared with `hetao travel-time` ([`ModelArgs`]).

use crate::core::io;
use crate::core::reach::{self, Mode, Network, ReachParams};
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// Model flags shared by `reach` and `travel-time`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Mode: walk, cycle, transit or drive (drive needs --roads).
    #[arg(long, default_value = "walk")]
    pub mode: String,
    /// Departure time HH:MM (control-point opening hours and rail service hours apply).
    #[arg(long, default_value = "09:00")]
    pub depart: String,
    /// Parameters file (JSON, any subset of ReachParams; see docs/reach.md).
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Road layer (any format the loader reads; LineStrings with OSM `highway` tags): noded
    /// into the street network walking, cycling and driving follow, in place of the shipped
    /// Hong Kong streets.
    #[arg(long)]
    pub roads: Option<PathBuf>,
    /// Walking speed, m/s (default 1.3).
    #[arg(long)]
    pub walk_speed: Option<f64>,
    /// Cycling speed, km/h (default 15).
    #[arg(long)]
    pub cycle_speed: Option<f64>,
    /// Circuity factor of grid walking and cycling (default 1.25).
    #[arg(long)]
    pub circuity: Option<f64>,
    /// Walking-grid cell size, metres (default 50).
    #[arg(long)]
    pub cell: Option<f64>,
    /// Control-point dwell: ID=MIN (both directions) or ID=NORTH/SOUTH minutes; repeatable.
    #[arg(long = "dwell", value_name = "CONTROL=MIN")]
    pub dwell: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Parse `LON,LAT` (the core's one rule, [`crate::core::lonlat::parse_lonlat`]).
pub fn parse_lonlat(s: &str) -> anyhow::Result<(f64, f64)> {
    let c = crate::core::lonlat::parse_lonlat(s)?;
    Ok((c.x, c.y))
}

impl ModelArgs {
    /// The parameters: defaults, then --params, then individual flags.
    pub fn params(&self) -> anyhow::Result<ReachParams> {
        let mut p = match &self.params {
            Some(f) => {
                let bytes =
                    std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
                serde_json::from_slice::<ReachParams>(&bytes).map_err(|e| {
                    anyhow::anyhow!("{}:{}:{}: {e}", f.display(), e.line(), e.column())
                })?
            }
            None => ReachParams::default(),
        };
        if let Some(v) = self.walk_speed {
            p.walk_speed_mps = v;
        }
        if let Some(v) = self.cycle_speed {
            p.cycle_speed_kmh = v;
        }
        if let Some(v) = self.circuity {
            p.circuity = v;
        }
        if let Some(v) = self.cell {
            p.cell_m = v;
        }
        for d in &self.dwell {
            let (id, v) = d
                .split_once('=')
                .with_context(|| format!("--dwell {d:?}: expected CONTROL=MIN"))?;
            let num = |s: &str| -> anyhow::Result<f64> {
                let x: f64 = s
                    .trim()
                    .parse()
                    .with_context(|| format!("--dwell {d:?}: {s:?} is not minutes"))?;
                if !(x.is_finite() && x >= 0.0) {
                    bail!("--dwell {d:?}: minutes must be >= 0");
                }
                Ok(x)
            };
            let (n, s) = match v.split_once('/') {
                Some((a, b)) => (num(a)?, num(b)?),
                None => (num(v)?, num(v)?),
            };
            let ids: Vec<String> = p.control_points.iter().map(|c| c.id.clone()).collect();
            let Some(cp) = p.control_points.iter_mut().find(|c| c.id == id.trim()) else {
                bail!(
                    "--dwell {d:?}: unknown control point {id:?} (known: {})",
                    ids.join(", ")
                );
            };
            cp.dwell_min.hk_to_sz = n;
            cp.dwell_min.sz_to_hk = s;
        }
        p.validate()?;
        Ok(p)
    }

    /// The mode.
    pub fn mode(&self) -> anyhow::Result<Mode> {
        Ok(self.mode.parse::<Mode>()?)
    }

    /// Departure, minutes after midnight.
    pub fn depart(&self) -> anyhow::Result<f64> {
        reach::params::parse_clock(&self.depart)
            .filter(|m| *m < 1440.0)
            .with_context(|| format!("--depart {:?} is not HH:MM", self.depart))
    }

    /// Build the network (embedded data plus --roads).
    pub fn network(&self) -> anyhow::Result<Network> {
        let p = self.params()?;
        let mut ds = crate::core::model::Dataset::default();
        if let Some(r) = &self.roads {
            ds.layers.extend(crate::core::io::open_layers(
                r,
                &crate::core::io::OpenOptions::default(),
            )?);
        }
        let net = Network::build(&ds, &p)?;
        if self.roads.is_some() && !net.has_roads() {
            bail!(
                "{}: no LineStrings with a `highway` property",
                self.roads
                    .as_ref()
                    .map_or(String::new(), |r| r.display().to_string())
            );
        }
        Ok(net)
    }
}

/// Arguments of `hetao reach`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Origin LON,LAT (WGS84 degrees).
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// Time budgets in minutes, comma-separated.
    #[arg(long, default_value = "10,20,30")]
    pub minutes: String,
    /// Write the isochrones as GeoJSON here (atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Model flags.
    #[command(flatten)]
    pub model: ModelArgs,
}

fn fmt_min(m: Option<f64>) -> String {
    m.map_or("not reached".into(), |m| format!("{m:.1} min"))
}

/// Run the command.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let from = parse_lonlat(&args.from)?;
    let minutes: Vec<f64> = args
        .minutes
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .with_context(|| format!("--minutes: {s:?} is not a number"))
        })
        .collect::<anyhow::Result<_>>()?;
    let mode = args.model.mode()?;
    let depart = args.model.depart()?;
    let net = args.model.network()?;
    let isos = reach::reach(&net, from, mode, &minutes, depart)?;
    let assumptions = reach::assumptions(&net, mode, depart);
    let named = reach::named_destinations(&net.params);
    let pts: Vec<(f64, f64)> = named.iter().map(|n| (n.1, n.2)).collect();
    let times = reach::times_to(&net, from, mode, depart, &pts, 180.0)?;
    let dests: Vec<Value> = named
        .iter()
        .zip(&times)
        .map(|(n, t)| json!({"name": n.0, "lonlat": [n.1, n.2], "minutes": t}))
        .collect();
    if let Some(path) = &args.out {
        let head = json!({
            "name": "reach",
            "modelled": true,
            "origin": [from.0, from.1],
            "assumptions": assumptions,
            "attribution": "© OpenStreetMap contributors (ODbL); GeoNames (CC-BY 4.0); Natural Earth",
        });
        let empty = serde_json::Map::new();
        let mut fc = io::Collection::new(
            head.as_object().unwrap_or(&empty),
            None,
            io::WriteOptions::default(),
        );
        for iso in &isos {
            let props = json!({
                "minutes": iso.minutes, "band": crate::core::reach::band_label(iso.minutes),
                "mode": mode.name(), "area_m2": iso.area_m2, "networks": iso.networks,
                "modelled": true, "assumptions": assumptions,
            });
            let g = geo::Geometry::MultiPolygon(iso.geometry.clone());
            fc.push(io::FeatureParts {
                properties: props.as_object(),
                geometry: Some(&g),
                ..io::FeatureParts::default()
            });
        }
        for (n, t) in named.iter().zip(&times) {
            let props = json!({"name": n.0, "minutes": t, "mode": mode.name(), "modelled": true, "kind": "destination"});
            let g = geo::Geometry::Point(geo::Point::new(n.1, n.2));
            fc.push(io::FeatureParts {
                properties: props.as_object(),
                geometry: Some(&g),
                ..io::FeatureParts::default()
            });
        }
        io::write_text(path, &fc.finish())?;
    }
    if args.model.json {
        let summary = json!({
            "modelled": true,
            "origin": [from.0, from.1],
            "mode": mode.name(),
            "isochrones": isos.iter().map(|i| json!({"minutes": i.minutes, "area_m2": i.area_m2, "polygons": i.geometry.0.len(), "networks": i.networks})).collect::<Vec<_>>(),
            "destinations": dests,
            "assumptions": assumptions,
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
    } else {
        writeln!(
            out,
            "Reach from {:.5},{:.5} by {} departing {} (modelled)",
            from.0,
            from.1,
            mode.name(),
            args.model.depart
        )?;
        for i in &isos {
            writeln!(
                out,
                "  {:>5.0} min  {:>10.3} km²  {} polygon(s)  [{}]",
                i.minutes,
                i.area_m2 / 1e6,
                i.geometry.0.len(),
                i.networks.join(" + ")
            )?;
        }
        writeln!(out, "Named destinations:")?;
        for (n, t) in named.iter().zip(&times) {
            writeln!(out, "  {:<48} {}", n.0, fmt_min(*t))?;
        }
        writeln!(
            out,
            "Assumptions: walk {} m/s, cycle {} km/h, circuity {}, boarding = access + half headway, boundary crossed only at control points (dwell, hours).",
            net.params.walk_speed_mps, net.params.cycle_speed_kmh, net.params.circuity
        )?;
        if let Some(p) = &args.out {
            writeln!(out, "Wrote {}", p.display())?;
        }
    }
    Ok(0)
}
