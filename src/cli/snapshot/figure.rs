//! What a page layout shows besides the map, taken from the core for the CLI and the app
//! alike: the legend of the visible layers (optionally only some of them), the credits of
//! every visible layer, the illustrative-data notice, the locator map (the Natural Earth
//! outlines of the zone's region), an optional HK1980 or WGS84 grid, and — for a year — the
//! zone's delivered-versus-target floor space from the planning model.

use crate::core::model::Dataset;
use crate::core::zone::planning::{ZoneStats, group_digits};
use crate::render::Scene;
use crate::render::layout::{Grid, LegendAt, Locator, PageInputs};
use crate::render::overlay::{attributions, legend};
use crate::render::style::Rgba;

/// Which grid to tick on the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GridKind {
    /// Hong Kong 1980 Grid (EPSG:2326), metres.
    Hk1980,
    /// WGS 84 longitude and latitude, degrees.
    Wgs84,
}

/// The caller's choices for the page.
#[derive(Debug, Clone, Default)]
pub struct FigureOptions {
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Date line.
    pub date: Option<String>,
    /// As-of year.
    pub year: Option<i32>,
    /// The year large with its figure (year series frames).
    pub big_year: bool,
    /// Grid.
    pub grid: Option<GridKind>,
    /// Legend placement.
    pub legend_at: LegendAt,
    /// Only these layers in the legend (`None`: every visible layer with a legend).
    pub legend_layers: Option<Vec<String>>,
}

/// The locator's extent: the Pearl River mouth from Shenzhen to Hong Kong Island.
pub const LOCATOR_EXTENT: [f64; 4] = [113.75, 22.15, 114.45, 22.8];

/// The locator: Natural Earth outlines (the dataset's `ne_gba` layer, else the shipped one).
pub fn locator(dataset: &Dataset) -> Option<Locator> {
    let owned;
    let layer = match dataset.layer("ne_gba") {
        Some(l) => l,
        None => {
            owned = crate::core::zone::embedded_layer("ne_gba").ok()?;
            &owned
        }
    };
    let mut shapes = Vec::new();
    for f in &layer.features {
        let fill = match f.prop_str("name") {
            Some("Hong Kong") => Rgba([236, 226, 206, 255]),
            Some("Macao") => Rgba([236, 226, 206, 255]),
            _ => Rgba([245, 243, 236, 255]),
        };
        let polys: Vec<&geo::Polygon<f64>> = match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => vec![p],
            Some(geo::Geometry::MultiPolygon(mp)) => mp.0.iter().collect(),
            _ => continue,
        };
        for p in polys {
            let ring =
                |r: &geo::LineString<f64>| r.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>();
            let mut rings = vec![ring(p.exterior())];
            rings.extend(p.interiors().iter().map(ring));
            shapes.push((rings, fill));
        }
    }
    Some(Locator {
        shapes,
        labels: vec![
            ("Shenzhen 深圳".into(), [114.0, 22.64]),
            ("Hong Kong 香港".into(), [114.16, 22.37]),
        ],
        extent: LOCATOR_EXTENT,
    })
}

/// The grid's transform.
pub fn grid(kind: GridKind) -> Option<Grid> {
    match kind {
        GridKind::Wgs84 => Some(Grid {
            name: "Grid: WGS 84 (EPSG:4326), degrees".into(),
            to_grid: Box::new(|lon, lat| Some((lon, lat))),
            degrees: true,
        }),
        GridKind::Hk1980 => {
            let t = crate::core::crs::Transformer::new("EPSG:4326", "EPSG:2326").ok()?;
            Some(Grid {
                name: "Grid: Hong Kong 1980 Grid (EPSG:2326), metres".into(),
                to_grid: Box::new(move |lon, lat| t.transform(lon, lat).ok()),
                degrees: false,
            })
        }
    }
}

/// The zone's delivered-versus-target lines for `year` and the fraction delivered.
pub fn progress_lines(dataset: &Dataset, year: i32) -> (Vec<String>, Option<f64>) {
    let stats = ZoneStats::compute(dataset, year);
    let Some(p) = &stats.zone_progress else {
        return (Vec::new(), None);
    };
    let mut lines = vec![
        format!(
            "New floor space delivered: {} m²",
            group_digits(p.delivered_m2.round())
        ),
        format!(
            "Target by {}: {} m² ({:.0} % reached)",
            p.target_year,
            group_digits(p.target_m2.round()),
            p.percent
        ),
    ];
    for park in &stats.parks {
        if let Some(pp) = &park.progress {
            lines.push(format!(
                "{}: {} of {} m²",
                if park.park == "SZ" {
                    "Shenzhen park"
                } else {
                    "Hong Kong park"
                },
                group_digits(pp.delivered_m2.round()),
                group_digits(pp.target_m2.round())
            ));
        }
    }
    let f = (p.target_m2 > 0.0).then(|| p.delivered_m2 / p.target_m2);
    (lines, f)
}

/// The illustrative-data notice for the scene's illustrative layers, if any.
pub fn notice(scene: &Scene) -> Option<String> {
    let names: Vec<&str> = scene
        .layers
        .iter()
        .filter(|l| l.illustrative && l.mesh.features_drawn > 0)
        .map(|l| l.style.title.as_str())
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "Illustrative data — {}: generated or schematic, calibrated to published totals, not surveyed. Do not measure from it.",
            names.join("; ")
        )
    })
}

/// Everything for the page.
pub fn page_inputs(dataset: &Dataset, scene: &Scene, o: &FigureOptions) -> PageInputs {
    let mut blocks = legend(scene);
    if let Some(only) = &o.legend_layers {
        // legend titles are per layer: keep the blocks of the chosen layers
        let keep: Vec<String> = scene
            .layers
            .iter()
            .filter(|l| only.contains(&l.name))
            .map(|l| l.style.title.clone())
            .collect();
        blocks.retain(|b| keep.iter().any(|t| b.title.starts_with(t.as_str())));
    }
    let (figure, progress) = match o.year {
        Some(y) if o.big_year => progress_lines(dataset, y),
        _ => (Vec::new(), None),
    };
    PageInputs {
        title: o.title.clone(),
        subtitle: o.subtitle.clone(),
        date: o.date.clone(),
        year: o.year,
        big_year: o.big_year,
        figure,
        progress,
        legend: blocks,
        credits: attributions(scene),
        notice: notice(scene),
        locator: locator(dataset),
        grid: o.grid.and_then(grid),
        legend_at: o.legend_at,
    }
}
