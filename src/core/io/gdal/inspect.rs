//! What `hetao check` reports for a file read through GDAL, once it is in the model: per
//! layer, features without geometry (null or empty), polygon rings too short to be rings,
//! self-intersecting rings, and layers mixing points, lines and polygons (which a Shapefile
//! cannot hold). Each issue names the layer and the feature (the row, for CSV and sheets,
//! whose row is also the issue's line).

use crate::core::model::{Feature, Layer};
use crate::core::validate::{Crossing, Issue, find_self_intersection};
use geo::Geometry;

/// The geometry family a Shapefile layer must keep to: "point", "line" or "polygon".
pub fn family(g: &Geometry<f64>) -> Option<&'static str> {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some("point"),
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => Some("line"),
        Geometry::Polygon(_)
        | Geometry::MultiPolygon(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => Some("polygon"),
        Geometry::GeometryCollection(_) => None,
    }
}

/// "row 14" for a feature with a row, else "feature ID" (its FID).
fn label(f: &Feature, index: usize) -> String {
    if f.pos.line > 0 && f.pos.column == 1 {
        format!("row {}", f.pos.line)
    } else {
        match &f.id {
            Some(id) => format!("feature {id}"),
            None => format!("feature {index}"),
        }
    }
}

fn issue(layer: &Layer, f: Option<(&Feature, usize)>, code: &'static str, msg: String) -> Issue {
    let (line, at) = match f {
        Some((f, i)) => (
            if f.pos.column == 1 { f.pos.line } else { 0 },
            format!(", {}", label(f, i)),
        ),
        None => (0, String::new()),
    };
    Issue {
        line,
        column: u32::from(line > 0),
        message: format!("layer {}{at}: {msg}", layer.name),
        code,
    }
}

/// The errors and warnings of one layer.
pub fn layer_issues(layer: &Layer) -> (Vec<Issue>, Vec<Issue>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let has_geometry = layer.features.iter().any(|f| f.geometry.is_some());
    if layer.features.is_empty() {
        warnings.push(issue(layer, None, "empty-layer", "no features".into()));
    }
    let mut families: Vec<(&'static str, usize)> = Vec::new();
    for (i, f) in layer.features.iter().enumerate() {
        let Some(g) = &f.geometry else {
            if has_geometry {
                let m = "no geometry (null or empty)".to_string();
                warnings.push(issue(layer, Some((f, i)), "empty-geometry", m));
            }
            continue;
        };
        if let Some(fam) = family(g) {
            match families.iter_mut().find(|(n, _)| *n == fam) {
                Some((_, c)) => *c += 1,
                None => families.push((fam, 1)),
            }
        }
        let polygons: Vec<&geo::Polygon<f64>> = match g {
            Geometry::Polygon(p) => vec![p],
            Geometry::MultiPolygon(m) => m.0.iter().collect(),
            _ => Vec::new(),
        };
        for p in polygons {
            for (r, ring) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                let what = if r == 0 {
                    "the outer ring".to_string()
                } else {
                    format!("hole {r}")
                };
                if ring.0.len() < 4 {
                    let m = format!("{what} has {} positions (a ring needs 4)", ring.0.len());
                    errors.push(issue(layer, Some((f, i)), "short-ring", m));
                    continue;
                }
                let pts: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
                if let Crossing::At([x, y]) = find_self_intersection(&pts, 1_000_000) {
                    let m = format!("{what} intersects itself near ({x}, {y})");
                    warnings.push(issue(layer, Some((f, i)), "self-intersection", m));
                }
            }
        }
    }
    if families.len() > 1 {
        let list: Vec<String> = families.iter().map(|(n, c)| format!("{c} {n}")).collect();
        let m = format!(
            "mixes geometry types ({}); a Shapefile holds one type per layer",
            list.join(", ")
        );
        warnings.push(issue(layer, None, "mixed-geometry", m));
    }
    (errors, warnings)
}
