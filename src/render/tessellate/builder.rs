//! One thread's tessellation: features → a [`Part`] (fills and strokes in separate buffers,
//! markers, labels, counts), with every scratch buffer reused from feature to feature.
//!
//! Each coordinate is projected once: the exterior ring's projection feeds the convexity
//! test, the fan, earcut (in `f64`) and the outline; a repeated coordinate (the closing point,
//! consecutive duplicates) reuses the projection of the identical one before it.

use super::stroke::{StrokeScratch, fan_free_stroke_estimate, stroke_path_with};
use super::{Filter, GeoVertex, LabelAnchor, MarkerInstance};
use crate::core::model::Feature;
use crate::render::camera::{EARTH_RADIUS_M, LocalOrigin, lonlat_to_mercator};
use crate::render::style::{Rgba, Style};
use geo::Geometry;

/// The tessellation of a run of features: fills and strokes apart (the layer draws all fills,
/// then all strokes), indices relative to this part's own `fill_v` and `stroke_v`.
#[derive(Debug, Default)]
pub(super) struct Part {
    pub fill_v: Vec<GeoVertex>,
    pub fill_i: Vec<u32>,
    pub stroke_v: Vec<GeoVertex>,
    pub stroke_i: Vec<u32>,
    pub markers: Vec<MarkerInstance>,
    pub labels: Vec<LabelAnchor>,
    pub features_drawn: usize,
    pub class_counts: Vec<usize>,
    pub bbox: Option<[f64; 4]>,
}

/// Where one chunk of features lies in its [`Part`]'s buffers (start offsets, then ends).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Span {
    pub fill_v: usize,
    pub fill_i: usize,
    pub stroke_v: usize,
    pub stroke_i: usize,
    pub markers: usize,
    pub labels: usize,
}

impl Part {
    /// The current ends of every buffer.
    pub fn mark(&self) -> Span {
        Span {
            fill_v: self.fill_v.len(),
            fill_i: self.fill_i.len(),
            stroke_v: self.stroke_v.len(),
            stroke_i: self.stroke_i.len(),
            markers: self.markers.len(),
            labels: self.labels.len(),
        }
    }

    /// Make room for `coords` more polygon or line coordinates without reallocating in the
    /// middle of a chunk (an upper bound for fills, the common case for strokes).
    pub fn reserve_for(&mut self, coords: usize, fills: bool, strokes: bool) {
        if fills {
            self.fill_v.reserve(coords);
            self.fill_i.reserve(3 * coords);
        }
        if strokes {
            let (v, i) = fan_free_stroke_estimate(coords);
            self.stroke_v.reserve(v);
            self.stroke_i.reserve(i);
        }
    }
}

/// The number of coordinates of the polygons and lines of `features` (for reserving).
pub(super) fn coordinate_count<'f>(features: impl IntoIterator<Item = &'f Feature>) -> usize {
    fn of(g: &Geometry<f64>) -> usize {
        match g {
            Geometry::LineString(l) => l.0.len(),
            Geometry::MultiLineString(m) => m.0.iter().map(|l| l.0.len()).sum(),
            Geometry::Polygon(p) => {
                p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
            }
            Geometry::MultiPolygon(m) => m
                .0
                .iter()
                .map(|p| {
                    p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
                })
                .sum(),
            Geometry::GeometryCollection(c) => c.0.iter().map(of).sum(),
            Geometry::Line(_) => 2,
            Geometry::Rect(_) => 5,
            Geometry::Triangle(_) => 4,
            Geometry::Point(_) | Geometry::MultiPoint(_) => 0,
        }
    }
    features
        .into_iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(of)
        .sum()
}

/// The status of a feature under a filter: `Err(())` when it is not drawn at all.
pub(crate) fn status_for(f: &Feature, filter: Filter) -> Result<Option<&str>, ()> {
    match filter.year {
        // no year: the `status` property, else the latest entry of the history
        None => Ok(f
            .prop_str("status")
            .or_else(|| crate::core::model::history::status_as_of(f, i32::MAX))),
        Some(y) => {
            let s = crate::core::model::history::status_as_of(f, y);
            if s.is_none() && f.prop("history").is_some() {
                Err(())
            } else {
                Ok(s)
            }
        }
    }
}

/// A thread's tessellator: the output [`Part`] and the scratch buffers it reuses.
pub(super) struct Builder<'a> {
    origin: LocalOrigin,
    style: &'a Style,
    filter: Filter,
    pub part: Part,
    /// The projected exterior, `f32`, consecutive duplicates removed (fan, outline).
    ring: Vec<[f32; 2]>,
    /// The same projection in `f64` metres from the origin, every finite point (earcut).
    ring64: Vec<[f64; 2]>,
    scratch: Vec<f64>,
    holes: Vec<usize>,
    stroke: StrokeScratch,
}

impl<'a> Builder<'a> {
    pub fn new(style: &'a Style, filter: Filter, origin: LocalOrigin) -> Self {
        Self {
            origin,
            style,
            filter,
            part: Part::default(),
            ring: Vec::new(),
            ring64: Vec::new(),
            scratch: Vec::new(),
            holes: Vec::new(),
            stroke: StrokeScratch::default(),
        }
    }

    /// Tessellate `features` onto the end of the part.
    pub fn features<'f>(&mut self, features: impl IntoIterator<Item = &'f Feature>) {
        let style = self.style;
        for f in features {
            let Some(g) = &f.geometry else { continue };
            let Ok(status) = status_for(f, self.filter) else {
                continue;
            };
            let Ok(class) = style.classify(f, status) else {
                continue;
            };
            let part = &mut self.part;
            let data = class.map(|(i, c)| {
                if part.class_counts.len() <= i {
                    part.class_counts.resize(i + 1, 0);
                }
                part.class_counts[i] += 1;
                c
            });
            part.features_drawn += 1;
            self.geometry(g, data);
            if let Some(label) = &style.label
                && !label.lines_only
                && let Some(text) = label.text_for(f)
                && let Some((lon, lat, marker_radius)) = label_anchor(g, style)
            {
                self.part.labels.push(LabelAnchor {
                    pos: self.origin.offset(lon, lat),
                    text,
                    size: label.size,
                    color: label.color,
                    halo: label.halo,
                    marker_radius,
                });
            }
            if let Some(bb) = crate::core::measure::bbox_of(g) {
                self.part.bbox = Some(crate::core::measure::bbox_union(self.part.bbox, bb));
            }
        }
    }

    fn colours(&self, data: Option<Rgba>) -> (Option<Rgba>, Option<Rgba>, Rgba) {
        feature_colours(self.style, data)
    }

    fn geometry(&mut self, g: &Geometry<f64>, data: Option<Rgba>) {
        let (fill, stroke, point) = self.colours(data);
        let hw = self.style.width / 2.0;
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
                    let pts = [
                        self.origin.offset(l.start.x, l.start.y),
                        self.origin.offset(l.end.x, l.end.y),
                    ];
                    self.stroke_pts(&pts, false, hw, c);
                }
            }
            Geometry::LineString(ls) => {
                if let Some(c) = line_colour {
                    self.line(&ls.0, false, hw, c);
                }
            }
            Geometry::MultiLineString(mls) => {
                if let Some(c) = line_colour {
                    for ls in &mls.0 {
                        self.line(&ls.0, false, hw, c);
                    }
                }
            }
            Geometry::Polygon(p) => self.polygon(p, fill, stroke, hw),
            Geometry::MultiPolygon(mp) => {
                for p in &mp.0 {
                    self.polygon(p, fill, stroke, hw);
                }
            }
            Geometry::Rect(r) => self.polygon(&r.to_polygon(), fill, stroke, hw),
            Geometry::Triangle(t) => self.polygon(&t.to_polygon(), fill, stroke, hw),
            Geometry::GeometryCollection(gc) => {
                for g in &gc.0 {
                    self.geometry(g, data);
                }
            }
        }
    }

    fn marker(&mut self, lon: f64, lat: f64, fill: Rgba) {
        if !(lon.is_finite() && lat.is_finite()) {
            return;
        }
        let s = self.style;
        let (stroke, sw) = match s.stroke {
            Some(c) => (c.with_opacity(s.opacity), s.width.min(s.point_radius)),
            None => (fill, 0.0),
        };
        self.part.markers.push(MarkerInstance {
            pos: self.origin.offset(lon, lat),
            radius: s.point_radius,
            stroke_width: sw,
            fill: fill.0,
            stroke: stroke.0,
        });
    }

    /// Project `coords` into `ring` (f32, consecutive duplicates dropped) and `ring64` (f64,
    /// every finite point), exactly as [`LocalOrigin::offset`] would. The Mercator projection's
    /// `tan` and `ln` run once per change of latitude: a coordinate bit-identical to the
    /// previous one or to the first (the closing point) reuses its projection, one on the
    /// previous one's latitude reuses its y.
    pub(super) fn project(&mut self, coords: &[geo::Coord<f64>]) {
        self.ring.clear();
        self.ring64.clear();
        let bits = |c: &geo::Coord<f64>| (c.x.to_bits(), c.y.to_bits());
        let mut first: Option<((u64, u64), [f64; 2])> = None;
        let mut prev: Option<((u64, u64), [f64; 2])> = None;
        for c in coords {
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            let key = bits(c);
            let q = match (prev, first) {
                (Some((k, q)), _) if k == key => q,
                (_, Some((k, q))) if k == key => q,
                // same latitude as the previous point (axis-aligned edges): only x changes,
                // computed exactly as `lonlat_to_mercator` does
                (Some((k, q)), _) if k.1 == key.1 => {
                    [EARTH_RADIUS_M * c.x.to_radians() - self.origin.x, q[1]]
                }
                _ => {
                    let (x, y) = lonlat_to_mercator(c.x, c.y);
                    [x - self.origin.x, y - self.origin.y]
                }
            };
            if first.is_none() {
                first = Some((key, q));
            }
            prev = Some((key, q));
            self.ring64.push(q);
            let p = [q[0] as f32, q[1] as f32];
            if self.ring.last() != Some(&p) {
                self.ring.push(p);
            }
        }
    }

    fn stroke_pts(&mut self, pts: &[[f32; 2]], closed: bool, hw: f32, c: Rgba) {
        stroke_path_with(
            &mut self.stroke,
            pts,
            closed,
            hw,
            c,
            &mut self.part.stroke_v,
            &mut self.part.stroke_i,
        );
    }

    fn line(&mut self, coords: &[geo::Coord<f64>], closed: bool, hw: f32, c: Rgba) {
        self.project(coords);
        let pts = std::mem::take(&mut self.ring);
        self.stroke_pts(&pts, closed, hw, c);
        self.ring = pts;
    }

    fn polygon(
        &mut self,
        p: &geo::Polygon<f64>,
        fill: Option<Rgba>,
        stroke: Option<Rgba>,
        hw: f32,
    ) {
        // the exterior is projected once, for the fill and the outline
        self.project(&p.exterior().0);
        // a fully transparent fill draws nothing (a detail part's outlines-only style)
        if let Some(fc) = fill.filter(|c| c.0[3] > 0) {
            self.fill(p, fc);
        }
        if let Some(sc) = stroke
            && hw > 0.0
        {
            let pts = std::mem::take(&mut self.ring);
            self.stroke_pts(&pts, true, hw, sc);
            self.ring = pts;
            for r in p.interiors() {
                self.line(&r.0, true, hw, sc);
            }
        }
    }

    /// Fill a polygon whose exterior is already projected into `ring` and `ring64`.
    pub(super) fn fill(&mut self, p: &geo::Polygon<f64>, c: Rgba) {
        let color = c.0;
        let mut ring: &[[f32; 2]] = &self.ring;
        if ring.len() > 1 && ring.first() == ring.last() {
            ring = &ring[..ring.len() - 1];
        }
        if ring.len() < 3 {
            return;
        }
        if p.interiors().is_empty() && is_convex(ring) {
            let base = self.part.fill_v.len() as u32;
            let ring_len = ring.len() as u32;
            self.part.fill_v.extend(ring.iter().map(|&pos| GeoVertex {
                pos,
                offset: [0.0; 2],
                color,
            }));
            self.part
                .fill_i
                .extend((1..ring_len - 1).flat_map(|k| [base, base + k, base + k + 1]));
            return;
        }
        // general case: earcut with holes (in f64 metres relative to the origin); the
        // exterior's projection is reused, the closing point dropped
        self.scratch.clear();
        self.holes.clear();
        let mut ext: &[[f64; 2]] = &self.ring64;
        if ext.len() >= 2 && ext.first() == ext.last() {
            ext = &ext[..ext.len() - 1];
        }
        self.scratch.extend(ext.iter().flatten());
        for r in p.interiors() {
            self.holes.push(self.scratch.len() / 2);
            push_ring(&mut self.scratch, &r.0, self.origin);
        }
        let Ok(tris) = earcutr::earcut(&self.scratch, &self.holes, 2) else {
            return;
        };
        let base = self.part.fill_v.len() as u32;
        self.part
            .fill_v
            .extend(self.scratch.chunks_exact(2).map(|xy| GeoVertex {
                pos: [xy[0] as f32, xy[1] as f32],
                offset: [0.0; 2],
                color,
            }));
        self.part
            .fill_i
            .extend(tris.iter().map(|&i| base + i as u32));
    }
}

/// Append a hole ring to earcut's flat input: finite points in `f64` metres from the origin,
/// without the closing point.
fn push_ring(scratch: &mut Vec<f64>, coords: &[geo::Coord<f64>], origin: LocalOrigin) {
    let start = scratch.len();
    for c in coords {
        if !(c.x.is_finite() && c.y.is_finite()) {
            continue;
        }
        let (x, y) = lonlat_to_mercator(c.x, c.y);
        scratch.push(x - origin.x);
        scratch.push(y - origin.y);
    }
    let n = scratch.len();
    if n - start >= 4 && scratch[n - 2] == scratch[start] && scratch[n - 1] == scratch[start + 1] {
        scratch.truncate(n - 2);
    }
}

/// A feature's (fill, stroke, point) colours under style `s`, given its data-driven colour:
/// the one rule for the GPU meshes and the page's vector map.
pub(crate) fn feature_colours(s: &Style, data: Option<Rgba>) -> (Option<Rgba>, Option<Rgba>, Rgba) {
    let fill = data
        .or(s.fill)
        .map(|c| c.with_opacity(s.opacity * s.fill_opacity));
    let stroke = s.stroke.map(|c| c.with_opacity(s.opacity));
    let point = data
        .or(s.point_color)
        .or(s.fill)
        .or(s.stroke)
        .unwrap_or(Rgba::BLACK)
        .with_opacity(s.opacity);
    (fill, stroke, point)
}

/// Where a feature's label goes (lon, lat) and the marker radius to clear.
pub(crate) fn label_anchor(g: &Geometry<f64>, style: &Style) -> Option<(f64, f64, f32)> {
    use geo::InteriorPoint;
    match g {
        Geometry::Point(p) => Some((p.x(), p.y(), style.point_radius)),
        Geometry::MultiPoint(mp) => mp.0.first().map(|p| (p.x(), p.y(), style.point_radius)),
        Geometry::Polygon(_)
        | Geometry::MultiPolygon(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => g.interior_point().map(|p| (p.x(), p.y(), 0.0)),
        _ => None,
    }
}

/// True when a ring (no closing point) is strictly convex (all turns the same way).
fn is_convex(r: &[[f32; 2]]) -> bool {
    let n = r.len();
    if n == 3 {
        return true;
    }
    let mut sign = 0i8;
    for i in 0..n {
        let wrap = |k: usize| if k >= n { k - n } else { k };
        let (a, b, c) = (r[i], r[wrap(i + 1)], r[wrap(i + 2)]);
        let cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
        let s = if cross > 0.0 {
            1
        } else if cross < 0.0 {
            -1
        } else {
            continue;
        };
        if sign == 0 {
            sign = s;
        } else if s != sign {
            return false;
        }
    }
    sign != 0
}
