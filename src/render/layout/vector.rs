//! The map as vectors on the page: each drawn feature of the scene's layers projected through
//! the page camera into [`Item`]s in points (fills and outlines with the style's colours, as
//! the GPU meshes have them, markers as circles), and the label candidates of every feature
//! (points, polygon interiors, and places along lines for line names).

use super::display::{Item, Pt, Rect};
use crate::core::model::{Dataset, Feature};
use crate::render::Scene;
use crate::render::camera::Camera;
use crate::render::style::{Rgba, Style};
use crate::render::tessellate::{Filter, feature_colours, label_anchor, status_for};
use geo::Geometry;

/// Where a label candidate sits.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// A point feature: the label goes beside its marker of this radius.
    Point(Pt, f32),
    /// A polygon: centred on an interior point.
    Area(Pt),
    /// A line: centred on one of these points along it (the first that fits is taken).
    Line(Vec<Pt>),
}

/// A label to place: text, look and anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelCandidate {
    /// The text.
    pub text: String,
    /// Size, pt.
    pub size: f32,
    /// Colour.
    pub color: Rgba,
    /// Halo.
    pub halo: Rgba,
    /// Where.
    pub anchor: Anchor,
}

/// The vector map and its label candidates.
#[derive(Debug, Clone, Default)]
pub struct VectorMap {
    /// Items in drawing order (bottom layer first).
    pub items: Vec<Item>,
    /// Label candidates, top layer first (they get the first pick).
    pub labels: Vec<LabelCandidate>,
}

/// Project the features of the scene's layers (taken from `dataset` by name, drawn with the
/// scene's styles and `filter`) through `camera` (logical px = page points). Features whose
/// box lies wholly outside `frame` are left out.
pub fn build(
    dataset: &Dataset,
    scene: &Scene,
    filter: Filter,
    camera: &Camera,
    frame: Rect,
) -> VectorMap {
    let mut out = VectorMap::default();
    let mut labels_by_layer = Vec::new();
    for sl in &scene.layers {
        let Some(layer) = dataset.layer(&sl.name) else {
            continue;
        };
        let mut p = Projector {
            camera,
            frame,
            style: &sl.style,
            items: &mut out.items,
        };
        let mut labels = Vec::new();
        let mut lines: Vec<(String, Vec<Pt>)> = Vec::new();
        for f in &layer.features {
            let Some(g) = &f.geometry else { continue };
            let Ok(status) = status_for(f, filter) else {
                continue;
            };
            let Ok(class) = sl.style.classify(f, status) else {
                continue;
            };
            if !p.in_frame(g) {
                continue;
            }
            p.geometry(g, class.map(|(_, c)| c));
            if let Some(c) = label_candidate(f, g, &sl.style, camera, &mut lines) {
                labels.push(c);
            }
        }
        // one label per line name, at the middle of its longest stretch in the frame
        if let Some(ls) = &sl.style.label {
            for (text, pts) in merge_lines(lines, frame) {
                labels.push(LabelCandidate {
                    text,
                    size: ls.size,
                    color: ls.color,
                    halo: ls.halo,
                    anchor: Anchor::Line(pts),
                });
            }
        }
        labels_by_layer.push(labels);
    }
    out.labels = labels_by_layer.into_iter().rev().flatten().collect();
    out
}

fn label_candidate(
    f: &Feature,
    g: &Geometry<f64>,
    style: &Style,
    camera: &Camera,
    lines: &mut Vec<(String, Vec<Pt>)>,
) -> Option<LabelCandidate> {
    let ls = style.label.as_ref()?;
    let text = ls.text_for(f)?;
    let px = |lon: f64, lat: f64| {
        let (x, y) = camera.lonlat_to_pixel(lon, lat);
        [x as f32, y as f32]
    };
    let anchor = match g {
        Geometry::LineString(l) => {
            lines.push((text, l.0.iter().map(|c| px(c.x, c.y)).collect()));
            return None;
        }
        Geometry::MultiLineString(ml) => {
            for l in &ml.0 {
                lines.push((text.clone(), l.0.iter().map(|c| px(c.x, c.y)).collect()));
            }
            return None;
        }
        _ if ls.lines_only => return None,
        _ => {
            let (lon, lat, r) = label_anchor(g, style)?;
            if r > 0.0 {
                Anchor::Point(px(lon, lat), r)
            } else {
                Anchor::Area(px(lon, lat))
            }
        }
    };
    Some(LabelCandidate {
        text,
        size: ls.size,
        color: ls.color,
        halo: ls.halo,
        anchor,
    })
}

/// For each line name: points along its stretches inside `frame`, the longest stretch's
/// middle first, then its quarters, then the other stretches' middles.
fn merge_lines(lines: Vec<(String, Vec<Pt>)>, frame: Rect) -> Vec<(String, Vec<Pt>)> {
    let inside = |p: &Pt| p[0] > frame[0] && p[0] < frame[2] && p[1] > frame[1] && p[1] < frame[3];
    let mut by_name: Vec<(String, Vec<Vec<Pt>>)> = Vec::new();
    for (name, pts) in lines {
        // split into the runs of consecutive points inside the frame
        let mut runs: Vec<Vec<Pt>> = Vec::new();
        let mut cur = Vec::new();
        for p in pts {
            if inside(&p) {
                cur.push(p);
            } else if !cur.is_empty() {
                runs.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            runs.push(cur);
        }
        match by_name.iter_mut().find(|(n, _)| *n == name) {
            Some((_, r)) => r.extend(runs),
            None => by_name.push((name, runs)),
        }
    }
    let mut out = Vec::new();
    for (name, mut runs) in by_name {
        runs.retain(|r| r.len() >= 2);
        runs.sort_by(|a, b| length(b).total_cmp(&length(a)));
        let mut pts = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let fractions: &[f32] = if i == 0 {
                &[0.5, 0.3, 0.7, 0.15, 0.85]
            } else {
                &[0.5]
            };
            for &t in fractions {
                if let Some(p) = point_along(r, t) {
                    pts.push(p);
                }
            }
        }
        if !pts.is_empty() {
            out.push((name, pts));
        }
    }
    out
}

fn length(r: &[Pt]) -> f32 {
    r.windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

/// The point at fraction `t` of a polyline's length.
fn point_along(r: &[Pt], t: f32) -> Option<Pt> {
    let total = length(r);
    if total <= 0.0 {
        return r.first().copied();
    }
    let mut left = total * t;
    for w in r.windows(2) {
        let d = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        if d >= left && d > 0.0 {
            let k = left / d;
            return Some([
                w[0][0] + (w[1][0] - w[0][0]) * k,
                w[0][1] + (w[1][1] - w[0][1]) * k,
            ]);
        }
        left -= d;
    }
    r.last().copied()
}

struct Projector<'a> {
    camera: &'a Camera,
    frame: Rect,
    style: &'a Style,
    items: &'a mut Vec<Item>,
}

impl Projector<'_> {
    fn in_frame(&self, g: &Geometry<f64>) -> bool {
        let Some(b) = crate::core::measure::bbox_of(g) else {
            return false;
        };
        let (x0, y1) = self.camera.lonlat_to_pixel(b[0], b[1]);
        let (x1, y0) = self.camera.lonlat_to_pixel(b[2], b[3]);
        let pad = 20.0;
        let f = self.frame;
        x1 as f32 >= f[0] - pad
            && (x0 as f32) <= f[2] + pad
            && y1 as f32 >= f[1] - pad
            && (y0 as f32) <= f[3] + pad
    }

    /// Project a coordinate run, dropping points within 0.05 pt of the previous one.
    fn project(&self, coords: &[geo::Coord<f64>]) -> Vec<Pt> {
        let mut out: Vec<Pt> = Vec::with_capacity(coords.len());
        for c in coords {
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            let (x, y) = self.camera.lonlat_to_pixel(c.x, c.y);
            let p = [x as f32, y as f32];
            if out
                .last()
                .is_some_and(|q| (q[0] - p[0]).abs() < 0.05 && (q[1] - p[1]).abs() < 0.05)
            {
                continue;
            }
            out.push(p);
        }
        out
    }

    fn polygon(&mut self, p: &geo::Polygon<f64>, fill: Option<Rgba>, stroke: Option<Rgba>) {
        let parts: Vec<Vec<Pt>> = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| self.project(&r.0))
            .filter(|r| r.len() >= 3)
            .collect();
        if parts.is_empty() || (fill.is_none() && stroke.is_none()) {
            return;
        }
        self.items.push(Item::Path {
            parts,
            closed: true,
            fill,
            stroke: stroke.map(|c| (c, self.style.width)),
        });
    }

    fn line(&mut self, coords: &[geo::Coord<f64>], color: Rgba) {
        let pts = self.project(coords);
        if pts.len() >= 2 {
            self.items.push(Item::line(pts, color, self.style.width));
        }
    }

    fn marker(&mut self, lon: f64, lat: f64, fill: Rgba) {
        if !(lon.is_finite() && lat.is_finite()) {
            return;
        }
        let s = self.style;
        let (x, y) = self.camera.lonlat_to_pixel(lon, lat);
        let stroke = s
            .stroke
            .map(|c| (c.with_opacity(s.opacity), s.width.min(s.point_radius)));
        self.items.push(Item::Circle {
            c: [x as f32, y as f32],
            r: s.point_radius,
            fill: Some(fill),
            stroke,
        });
    }

    fn geometry(&mut self, g: &Geometry<f64>, data: Option<Rgba>) {
        let (fill, stroke, point) = feature_colours(self.style, data);
        let line_colour = data.map(|c| c.with_opacity(self.style.opacity)).or(stroke);
        match g {
            Geometry::Point(p) => self.marker(p.x(), p.y(), point),
            Geometry::MultiPoint(mp) => {
                for p in &mp.0 {
                    self.marker(p.x(), p.y(), point);
                }
            }
            Geometry::Line(l) => {
                if let Some(c) = line_colour {
                    self.line(&[l.start, l.end], c);
                }
            }
            Geometry::LineString(ls) => {
                if let Some(c) = line_colour {
                    self.line(&ls.0, c);
                }
            }
            Geometry::MultiLineString(mls) => {
                if let Some(c) = line_colour {
                    for ls in &mls.0 {
                        self.line(&ls.0, c);
                    }
                }
            }
            Geometry::Polygon(p) => self.polygon(p, fill, stroke),
            Geometry::MultiPolygon(mp) => {
                for p in &mp.0 {
                    self.polygon(p, fill, stroke);
                }
            }
            Geometry::Rect(r) => self.polygon(&r.to_polygon(), fill, stroke),
            Geometry::Triangle(t) => self.polygon(&t.to_polygon(), fill, stroke),
            Geometry::GeometryCollection(gc) => {
                for g in &gc.0 {
                    self.geometry(g, data);
                }
            }
        }
    }
}
