//! The measure tools' state: the points clicked so far (lon/lat) and the figures they give,
//! geodesic (WGS84 ellipsoid, `core::measure`) beside planar (in a projected grid: Hong Kong
//! 1980 Grid or CGCS2000 Gauss–Krüger 114°E, through PROJ, `core::measure::grid`; both grids
//! are in metres).

use crate::core::crs::Transformer;
use crate::core::measure::{geodesic_area_m2, geodesic_length_m, grid_figures};
use geo::{Area, Coord, Geometry, LineString, Polygon};

/// Distance along a polyline, or area of a polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureKind {
    /// A polyline's length.
    Distance,
    /// A polygon's area and perimeter.
    Area,
}

/// A measurement in progress or done.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Distance or area.
    pub kind: MeasureKind,
    /// Vertices, lon/lat degrees.
    pub points: Vec<[f64; 2]>,
    /// Where the points came from ("measured", or a feature's id).
    pub label: String,
}

/// The figures of a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Geodesic length (distance) or perimeter (area), metres.
    pub geodesic_length_m: f64,
    /// Geodesic area, m² (0 for distances).
    pub geodesic_area_m2: f64,
    /// Planar length or perimeter in the grid, metres.
    pub planar_length_m: f64,
    /// Planar area in the grid, m².
    pub planar_area_m2: f64,
}

impl Measurement {
    /// An empty measurement.
    pub fn new(kind: MeasureKind) -> Self {
        Self {
            kind,
            points: Vec::new(),
            label: "measured".into(),
        }
    }

    /// The geometry (lon/lat): a line, or a closed polygon once it has three points.
    pub fn geometry(&self) -> Option<Geometry<f64>> {
        let coords: Vec<Coord<f64>> = self
            .points
            .iter()
            .map(|p| Coord { x: p[0], y: p[1] })
            .collect();
        match self.kind {
            MeasureKind::Distance if coords.len() >= 2 => {
                Some(Geometry::LineString(LineString::new(coords)))
            }
            MeasureKind::Area if coords.len() >= 3 => Some(Geometry::Polygon(Polygon::new(
                LineString::new(coords),
                vec![],
            ))),
            _ => None,
        }
    }

    /// The figures, planar ones in `grid` (a transform from EPSG:4326 to a metric CRS).
    pub fn figures(&self, grid: Option<&Transformer>) -> Figures {
        let Some(g) = self.geometry() else {
            return Figures::default();
        };
        let mut f = Figures::default();
        match &g {
            Geometry::LineString(_) => f.geodesic_length_m = geodesic_length_m(&g),
            Geometry::Polygon(p) => {
                f.geodesic_area_m2 = geodesic_area_m2(&g);
                f.geodesic_length_m =
                    geodesic_length_m(&Geometry::LineString(p.exterior().clone()));
            }
            _ => {}
        }
        if let Some(Ok(p)) = grid.map(|t| grid_figures(t, 1.0, &g)) {
            f.planar_length_m = p.perimeter_m + p.length_m;
            f.planar_area_m2 = p.area_m2;
        }
        f
    }

    /// The figures as text for the clipboard (tab-separated, one line per figure).
    pub fn to_clipboard(&self, grid_name: &str, f: &Figures) -> String {
        let mut s = format!("{}\t{}\n", self.label, self.points.len());
        match self.kind {
            MeasureKind::Distance => {
                s += &format!("geodesic length (WGS84)\t{:.3} m\n", f.geodesic_length_m);
                s += &format!("planar length ({grid_name})\t{:.3} m\n", f.planar_length_m);
            }
            MeasureKind::Area => {
                s += &format!("geodesic area (WGS84)\t{:.1} m²\n", f.geodesic_area_m2);
                s += &format!("planar area ({grid_name})\t{:.1} m²\n", f.planar_area_m2);
                s += &format!("geodesic perimeter (WGS84)\t{:.3} m\n", f.geodesic_length_m);
                s += &format!(
                    "planar perimeter ({grid_name})\t{:.3} m\n",
                    f.planar_length_m
                );
            }
        }
        s
    }
}

/// A measurement of a feature's geometry in one click: its outer ring for a polygon (the
/// largest polygon of a multipolygon), its line for a line string (the longest part).
pub fn from_geometry(g: &Geometry<f64>, label: &str) -> Option<Measurement> {
    let (kind, ring): (MeasureKind, &LineString<f64>) = match g {
        Geometry::Polygon(p) => (MeasureKind::Area, p.exterior()),
        Geometry::MultiPolygon(mp) => (
            MeasureKind::Area,
            mp.0.iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?
                .exterior(),
        ),
        Geometry::LineString(l) => (MeasureKind::Distance, l),
        Geometry::MultiLineString(ml) => (
            MeasureKind::Distance,
            ml.0.iter().max_by_key(|l| l.0.len())?,
        ),
        _ => return None,
    };
    let mut points: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
    if kind == MeasureKind::Area && points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    Some(Measurement {
        kind,
        points,
        label: label.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_of_about_100_m_in_the_grid_and_on_the_ellipsoid() {
        // a ~100 m square in the Loop: 0.00097° lon x 0.0009° lat
        let m = Measurement {
            kind: MeasureKind::Area,
            points: vec![
                [114.079, 22.52],
                [114.07997, 22.52],
                [114.07997, 22.5209],
                [114.079, 22.5209],
            ],
            label: "t".into(),
        };
        let t = Transformer::new("EPSG:4326", "EPSG:2326").expect("proj");
        let f = m.figures(Some(&t));
        // independent check: transform the corners and use the shoelace formula
        let c: Vec<(f64, f64)> = m
            .points
            .iter()
            .map(|p| t.transform(p[0], p[1]).expect("tf"))
            .collect();
        let mut twice = 0.0;
        for i in 0..c.len() {
            let j = (i + 1) % c.len();
            twice += c[i].0 * c[j].1 - c[j].0 * c[i].1;
        }
        // grid coordinates near 8e5 m: the shoelace sum cancels to about 1e-4 m²
        assert!((f.planar_area_m2 - twice.abs() / 2.0).abs() < 1e-3);
        // grid and ellipsoid agree to within 0.1 % here (HK80 scale factor ~1)
        assert!(
            (f.planar_area_m2 / f.geodesic_area_m2 - 1.0).abs() < 1e-3,
            "{f:?}"
        );
        assert!((f.geodesic_area_m2 - 10_000.0).abs() < 300.0, "{f:?}");
        let perim: f64 = (0..c.len())
            .map(|i| {
                let j = (i + 1) % c.len();
                (c[j].0 - c[i].0).hypot(c[j].1 - c[i].1)
            })
            .sum();
        assert!((f.planar_length_m - perim).abs() < 1e-6);
        let text = m.to_clipboard("HK1980 Grid", &f);
        assert!(text.contains("geodesic area") && text.contains("planar area (HK1980 Grid)"));
    }

    #[test]
    fn distance_needs_two_points_and_feature_measure_drops_closing_vertex() {
        let mut m = Measurement::new(MeasureKind::Distance);
        m.points.push([114.0, 22.5]);
        assert_eq!(m.figures(None), Figures::default());
        m.points.push([114.01, 22.5]);
        let f = m.figures(None);
        // 0.01° of longitude at 22.5° N on WGS84: about 1028.6 m
        assert!((f.geodesic_length_m - 1028.6).abs() < 1.0, "{f:?}");
        let poly = Geometry::Polygon(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            vec![],
        ));
        let fm = from_geometry(&poly, "x").expect("polygon");
        assert_eq!(fm.kind, MeasureKind::Area);
        assert_eq!(fm.points.len(), 3);
        assert!(from_geometry(&Geometry::Point(geo::Point::new(0.0, 0.0)), "p").is_none());
    }
}
