//! CPU tessellation of a layer into GPU-ready vertex data, done once per data change
//! (the model is galileo's tessellating render bundle).
//!
//! - Polygon fills: convex single rings are fanned directly, anything else goes through
//!   `earcutr` (holes included).
//! - Outlines and lines: each segment becomes a quad whose vertices carry an offset in
//!   *logical pixels*, applied in the vertex shader, so the width stays constant in screen
//!   pixels at every zoom without re-tessellating. Joins and line ends are round (a small
//!   triangle fan on the outer side of each turn).
//! - Points: one instanced marker each.
//! - Labels: an anchor (point, or polygon interior point) and the text; laid out per frame.
//!
//! Positions are `f32` metres relative to a [`LocalOrigin`] in Web Mercator.

use super::camera::{LocalOrigin, lonlat_to_mercator};
use super::style::{Rgba, Style};
use crate::core::model::{Feature, Layer};
use geo::Geometry;

/// A vertex of fills and strokes: position (metres from the local origin, y north), a pixel
/// offset (logical px, x right, y down) added after projection, and an sRGB colour.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct GeoVertex {
    /// Metres east/north of the local origin.
    pub pos: [f32; 2],
    /// Screen offset in logical pixels (y down).
    pub offset: [f32; 2],
    /// sRGB colour, not premultiplied.
    pub color: [u8; 4],
}

/// One point marker (a filled circle with an outline), drawn instanced.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MarkerInstance {
    /// Metres east/north of the local origin.
    pub pos: [f32; 2],
    /// Radius in logical pixels (outline included).
    pub radius: f32,
    /// Outline width in logical pixels.
    pub stroke_width: f32,
    /// Fill colour.
    pub fill: [u8; 4],
    /// Outline colour.
    pub stroke: [u8; 4],
}

/// A label anchor produced by tessellation; the text is laid out per view.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelAnchor {
    /// Metres east/north of the local origin.
    pub pos: [f32; 2],
    /// The text.
    pub text: String,
    /// Size in logical pixels.
    pub size: f32,
    /// Text colour.
    pub color: Rgba,
    /// Halo colour.
    pub halo: Rgba,
    /// Pixel offset from the anchor to the text's left baseline start is chosen by the layout;
    /// markers push their label to the right by this many logical pixels.
    pub marker_radius: f32,
}

/// The tessellated content of one layer.
#[derive(Debug, Clone, Default)]
pub struct LayerMesh {
    /// Layer name.
    pub name: String,
    /// Fill and stroke vertices (fills first, so strokes draw on top).
    pub vertices: Vec<GeoVertex>,
    /// Triangle list indices into `vertices`.
    pub indices: Vec<u32>,
    /// Point markers.
    pub markers: Vec<MarkerInstance>,
    /// Label anchors.
    pub labels: Vec<LabelAnchor>,
    /// Features drawn (after the year filter and category filter).
    pub features_drawn: usize,
    /// Features drawn per legend class of the style's `color_by` (see `Style::classify`).
    pub class_counts: Vec<usize>,
    /// Lon/lat box of the drawn features `[w, s, e, n]`, if any.
    pub bbox: Option<[f64; 4]>,
}

/// Which features are drawn and how their status is read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Filter {
    /// "As of year Y": features with a `history` are drawn as they stood in Y, and not at all
    /// when they did not exist yet. `None`: the `status` property as given (else the last
    /// `history` entry).
    pub year: Option<i32>,
}

/// Tessellate a layer. Large layers are split over the available CPU cores.
pub fn tessellate_layer(
    layer: &Layer,
    style: &Style,
    filter: Filter,
    origin: LocalOrigin,
) -> LayerMesh {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let n = layer.features.len();
    let mut mesh = if n >= 20_000 && threads > 1 {
        let chunk = n.div_ceil(threads);
        let parts: Vec<LayerMesh> = std::thread::scope(|s| {
            let handles: Vec<_> = layer
                .features
                .chunks(chunk)
                .map(|c| s.spawn(move || tessellate_features(c, style, filter, origin)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut all = LayerMesh::default();
        for p in parts {
            all.append(p);
        }
        all
    } else {
        tessellate_features(&layer.features, style, filter, origin)
    };
    mesh.name = layer.name.clone();
    mesh
}

impl LayerMesh {
    /// Append another mesh (indices rebased).
    pub fn append(&mut self, other: LayerMesh) {
        let base = self.vertices.len() as u32;
        self.vertices.extend_from_slice(&other.vertices);
        self.indices.extend(other.indices.iter().map(|i| i + base));
        self.markers.extend_from_slice(&other.markers);
        self.labels.extend(other.labels);
        self.features_drawn += other.features_drawn;
        if self.class_counts.len() < other.class_counts.len() {
            self.class_counts.resize(other.class_counts.len(), 0);
        }
        for (a, b) in self.class_counts.iter_mut().zip(&other.class_counts) {
            *a += b;
        }
        self.bbox = match (self.bbox, other.bbox) {
            (Some(a), Some(b)) => Some([
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]),
            (a, b) => a.or(b),
        };
    }
}

/// The status of a feature under a filter: `Err(())` when it is not drawn at all.
fn status_for(f: &Feature, filter: Filter) -> Result<Option<&str>, ()> {
    match filter.year {
        // no year: the `status` property, else the latest entry of the history
        None => Ok(f
            .prop_str("status")
            .or_else(|| crate::core::zone::status_as_of(f, i32::MAX))),
        Some(y) => {
            let s = crate::core::zone::status_as_of(f, y);
            if s.is_none() && f.prop("history").is_some() {
                Err(())
            } else {
                Ok(s)
            }
        }
    }
}

struct Builder<'a> {
    origin: LocalOrigin,
    style: &'a Style,
    mesh: LayerMesh,
    fill_v: Vec<GeoVertex>,
    fill_i: Vec<u32>,
    scratch: Vec<f64>,
    ring: Vec<[f32; 2]>,
}

fn tessellate_features(
    features: &[Feature],
    style: &Style,
    filter: Filter,
    origin: LocalOrigin,
) -> LayerMesh {
    let mut b = Builder {
        origin,
        style,
        mesh: LayerMesh::default(),
        fill_v: Vec::new(),
        fill_i: Vec::new(),
        scratch: Vec::new(),
        ring: Vec::new(),
    };
    for f in features {
        let Some(g) = &f.geometry else { continue };
        let Ok(status) = status_for(f, filter) else {
            continue;
        };
        let Ok(class) = style.classify(f, status) else {
            continue;
        };
        let data = class.map(|(i, c)| {
            if b.mesh.class_counts.len() <= i {
                b.mesh.class_counts.resize(i + 1, 0);
            }
            b.mesh.class_counts[i] += 1;
            c
        });
        b.mesh.features_drawn += 1;
        b.geometry(g, data);
        if let Some(label) = &style.label
            && let Some(text) = label.text_for(f)
            && let Some((lon, lat, marker_radius)) = label_anchor(g, style)
        {
            b.mesh.labels.push(LabelAnchor {
                pos: origin.offset(lon, lat),
                text,
                size: label.size,
                color: label.color,
                halo: label.halo,
                marker_radius,
            });
        }
        if let Some(bb) = crate::core::measure::bbox_of(g) {
            b.mesh.bbox = Some(crate::core::measure::bbox_union(b.mesh.bbox, bb));
        }
    }
    // fills first, then strokes on top
    let mut mesh = b.mesh;
    let strokes_v = std::mem::take(&mut mesh.vertices);
    let strokes_i = std::mem::take(&mut mesh.indices);
    let base = b.fill_v.len() as u32;
    mesh.vertices = b.fill_v;
    mesh.vertices.extend_from_slice(&strokes_v);
    mesh.indices = b.fill_i;
    mesh.indices.extend(strokes_i.iter().map(|i| i + base));
    mesh
}

/// Where a feature's label goes (lon, lat) and the marker radius to clear.
fn label_anchor(g: &Geometry<f64>, style: &Style) -> Option<(f64, f64, f32)> {
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

impl Builder<'_> {
    fn colours(&self, data: Option<Rgba>) -> (Option<Rgba>, Option<Rgba>, Rgba) {
        let s = self.style;
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

    fn geometry(&mut self, g: &Geometry<f64>, data: Option<Rgba>) {
        let (fill, stroke, point) = self.colours(data);
        let hw = self.style.width / 2.0;
        match g {
            Geometry::Point(p) => self.marker(p.x(), p.y(), point),
            Geometry::MultiPoint(mp) => {
                for p in &mp.0 {
                    self.marker(p.x(), p.y(), point);
                }
            }
            Geometry::Line(l) => {
                let c = data.map(|c| c.with_opacity(self.style.opacity)).or(stroke);
                if let Some(c) = c {
                    let pts = [
                        self.origin.offset(l.start.x, l.start.y),
                        self.origin.offset(l.end.x, l.end.y),
                    ];
                    stroke_path(
                        &pts,
                        false,
                        hw,
                        c,
                        &mut self.mesh.vertices,
                        &mut self.mesh.indices,
                    );
                }
            }
            Geometry::LineString(ls) => {
                let c = data.map(|c| c.with_opacity(self.style.opacity)).or(stroke);
                if let Some(c) = c {
                    self.line(&ls.0, false, hw, c);
                }
            }
            Geometry::MultiLineString(mls) => {
                let c = data.map(|c| c.with_opacity(self.style.opacity)).or(stroke);
                if let Some(c) = c {
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
        self.mesh.markers.push(MarkerInstance {
            pos: self.origin.offset(lon, lat),
            radius: s.point_radius,
            stroke_width: sw,
            fill: fill.0,
            stroke: stroke.0,
        });
    }

    fn project(&mut self, coords: &[geo::Coord<f64>]) {
        self.ring.clear();
        for c in coords {
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            let p = self.origin.offset(c.x, c.y);
            if self.ring.last() != Some(&p) {
                self.ring.push(p);
            }
        }
    }

    fn line(&mut self, coords: &[geo::Coord<f64>], closed: bool, hw: f32, c: Rgba) {
        self.project(coords);
        let pts = std::mem::take(&mut self.ring);
        stroke_path(
            &pts,
            closed,
            hw,
            c,
            &mut self.mesh.vertices,
            &mut self.mesh.indices,
        );
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
        if let Some(fc) = fill {
            self.fill(p, fc);
        }
        if let Some(sc) = stroke
            && hw > 0.0
        {
            let pts = std::mem::take(&mut self.ring);
            stroke_path(
                &pts,
                true,
                hw,
                sc,
                &mut self.mesh.vertices,
                &mut self.mesh.indices,
            );
            self.ring = pts;
            for r in p.interiors() {
                self.line(&r.0, true, hw, sc);
            }
        }
    }

    /// Fill a polygon whose exterior is already projected into `self.ring`.
    fn fill(&mut self, p: &geo::Polygon<f64>, c: Rgba) {
        let color = c.0;
        let mut ring: &[[f32; 2]] = &self.ring;
        if ring.len() > 1 && ring.first() == ring.last() {
            ring = &ring[..ring.len() - 1];
        }
        if ring.len() < 3 {
            return;
        }
        if p.interiors().is_empty() && is_convex(ring) {
            let base = self.fill_v.len() as u32;
            let ring_len = ring.len() as u32;
            for &pos in ring {
                self.fill_v.push(GeoVertex {
                    pos,
                    offset: [0.0; 2],
                    color,
                });
            }
            for k in 1..ring_len - 1 {
                self.fill_i
                    .extend_from_slice(&[base, base + k, base + k + 1]);
            }
            return;
        }
        // general case: earcut with holes (in f64 metres relative to the origin)
        self.scratch.clear();
        let mut holes = Vec::new();
        let push_ring =
            |scratch: &mut Vec<f64>, coords: &[geo::Coord<f64>], origin: LocalOrigin| {
                let start = scratch.len();
                for c in coords {
                    if !(c.x.is_finite() && c.y.is_finite()) {
                        continue;
                    }
                    let (x, y) = lonlat_to_mercator(c.x, c.y);
                    scratch.push(x - origin.x);
                    scratch.push(y - origin.y);
                }
                // drop the closing point
                let n = scratch.len();
                if n - start >= 4
                    && scratch[n - 2] == scratch[start]
                    && scratch[n - 1] == scratch[start + 1]
                {
                    scratch.truncate(n - 2);
                }
            };
        push_ring(&mut self.scratch, &p.exterior().0, self.origin);
        for r in p.interiors() {
            holes.push(self.scratch.len() / 2);
            push_ring(&mut self.scratch, &r.0, self.origin);
        }
        let Ok(tris) = earcutr::earcut(&self.scratch, &holes, 2) else {
            return;
        };
        let base = self.fill_v.len() as u32;
        for xy in self.scratch.chunks_exact(2) {
            self.fill_v.push(GeoVertex {
                pos: [xy[0] as f32, xy[1] as f32],
                offset: [0.0; 2],
                color,
            });
        }
        self.fill_i.extend(tris.iter().map(|&i| base + i as u32));
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
        let a = r[i];
        let b = r[(i + 1) % n];
        let c = r[(i + 2) % n];
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

/// Angle step of round joins and caps, radians.
const ROUND_STEP: f32 = std::f32::consts::PI / 6.0;
/// Longest miter (in half-widths) before a join is drawn round instead.
const MITER_LIMIT: f32 = 2.0;

/// Append a round fan around `p` from angle `a0` sweeping `sweep` radians, radius `hw` px.
fn fan(
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
    p: [f32; 2],
    a0: f32,
    sweep: f32,
    hw: f32,
    color: [u8; 4],
) {
    let steps = ((sweep.abs() / ROUND_STEP).ceil() as u32).clamp(1, 12);
    let centre = v.len() as u32;
    v.push(GeoVertex {
        pos: p,
        offset: [0.0; 2],
        color,
    });
    // rotate the rim vector step by step (one sin/cos per fan); offsets are y down
    let (ss, cs) = (sweep / steps as f32).sin_cos();
    let (mut y, mut x) = a0.sin_cos();
    for _ in 0..=steps {
        v.push(GeoVertex {
            pos: p,
            offset: [x * hw, -y * hw],
            color,
        });
        (x, y) = (x * cs - y * ss, x * ss + y * cs);
    }
    for k in 0..steps {
        idx.extend_from_slice(&[centre, centre + 1 + k, centre + 2 + k]);
    }
}

/// Expand a polyline (metres, y north) into triangles whose vertices carry pixel offsets of
/// `hw` logical pixels (half the width). Joins are mitred (two shared vertices) up to a miter of
/// [`MITER_LIMIT`] half-widths and round beyond; open lines get round caps. Lines thinner than
/// 2 px skip caps (the difference is below a pixel).
pub fn stroke_path(
    pts: &[[f32; 2]],
    closed: bool,
    hw: f32,
    c: Rgba,
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
) {
    let mut pts = pts;
    while pts.len() > 2 && pts.first() == pts.last() {
        pts = &pts[..pts.len() - 1];
    }
    let n = pts.len();
    if n < 2 || hw <= 0.0 || !hw.is_finite() {
        return;
    }
    let color = c.0;
    let closed = closed && n > 2;
    let segs = if closed { n } else { n - 1 };
    // unit direction of each segment (metres, y north); zero-length segments get None
    let dirs: Vec<Option<[f32; 2]>> = (0..segs)
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let l = (dx * dx + dy * dy).sqrt();
            (l > 0.0 && l.is_finite()).then(|| [dx / l, dy / l])
        })
        .collect();
    let nrm = |d: [f32; 2]| [-d[1], d[0]];
    // a pair of vertices at p offset by ±m (m in world orientation, scaled in half-widths)
    let pair = |v: &mut Vec<GeoVertex>, p: [f32; 2], m: [f32; 2]| -> u32 {
        let i = v.len() as u32;
        v.push(GeoVertex {
            pos: p,
            offset: [m[0] * hw, -m[1] * hw],
            color,
        });
        v.push(GeoVertex {
            pos: p,
            offset: [-m[0] * hw, m[1] * hw],
            color,
        });
        i
    };
    // for each point: index of the vertex pair that ends the incoming segment and that starts
    // the outgoing one
    let mut end_in = vec![u32::MAX; n];
    let mut start_out = vec![u32::MAX; n];
    let caps = hw >= 1.0;
    for j in 0..n {
        let d_in = if j > 0 {
            dirs[j - 1]
        } else if closed {
            dirs[segs - 1]
        } else {
            None
        };
        let d_out = if j < segs { dirs[j] } else { None };
        let p = pts[j];
        match (d_in, d_out) {
            (Some(d0), Some(d1)) => {
                let (n0, n1) = (nrm(d0), nrm(d1));
                let m = [n0[0] + n1[0], n0[1] + n1[1]];
                let ml2 = m[0] * m[0] + m[1] * m[1];
                // miter length in half-widths is 2/|m|
                if ml2 > 4.0 / (MITER_LIMIT * MITER_LIMIT) {
                    let k = 2.0 / ml2;
                    let i = pair(v, p, [m[0] * k, m[1] * k]);
                    end_in[j] = i;
                    start_out[j] = i;
                } else {
                    end_in[j] = pair(v, p, n0);
                    start_out[j] = pair(v, p, n1);
                    round_join(v, idx, p, d0, d1, hw, color);
                }
            }
            (None, Some(d1)) => {
                let n1 = nrm(d1);
                start_out[j] = pair(v, p, n1);
                if caps {
                    // start cap: from +n through -d to -n
                    fan(
                        v,
                        idx,
                        p,
                        n1[1].atan2(n1[0]),
                        std::f32::consts::PI,
                        hw,
                        color,
                    );
                }
            }
            (Some(d0), None) => {
                let n0 = nrm(d0);
                end_in[j] = pair(v, p, n0);
                if caps {
                    // end cap: from -n through +d to +n
                    fan(
                        v,
                        idx,
                        p,
                        (-n0[1]).atan2(-n0[0]),
                        std::f32::consts::PI,
                        hw,
                        color,
                    );
                }
            }
            (None, None) => {}
        }
    }
    for (i, d) in dirs.iter().enumerate() {
        if d.is_none() {
            continue;
        }
        let (a, b) = (start_out[i], end_in[(i + 1) % n]);
        if a == u32::MAX || b == u32::MAX {
            continue;
        }
        idx.extend_from_slice(&[a, a + 1, b, a + 1, b + 1, b]);
    }
}

/// A round join on the outer side of the turn from direction `d0` to `d1` at `p`.
fn round_join(
    v: &mut Vec<GeoVertex>,
    idx: &mut Vec<u32>,
    p: [f32; 2],
    d0: [f32; 2],
    d1: [f32; 2],
    hw: f32,
    color: [u8; 4],
) {
    let cross = d0[0] * d1[1] - d0[1] * d1[0];
    // normals n = (-d.y, d.x); the outer side of a left turn is -n
    let s = if cross > 0.0 { -1.0 } else { 1.0 };
    let a0 = (s * d0[0]).atan2(-s * d0[1]);
    let a1 = (s * d1[0]).atan2(-s * d1[1]);
    let mut sweep = a1 - a0;
    while sweep > std::f32::consts::PI {
        sweep -= 2.0 * std::f32::consts::PI;
    }
    while sweep < -std::f32::consts::PI {
        sweep += 2.0 * std::f32::consts::PI;
    }
    fan(v, idx, p, a0, sweep, hw, color);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(v: &[GeoVertex], idx: &[u32]) -> f64 {
        idx.chunks(3)
            .map(|t| {
                let [a, b, c] = [
                    v[t[0] as usize].pos,
                    v[t[1] as usize].pos,
                    v[t[2] as usize].pos,
                ];
                (f64::from(b[0] - a[0]) * f64::from(c[1] - a[1])
                    - f64::from(b[1] - a[1]) * f64::from(c[0] - a[0]))
                .abs()
                    / 2.0
            })
            .sum()
    }

    #[test]
    fn fills_cover_the_polygon_area_with_and_without_holes() {
        use geo::{LineString, Polygon};
        let origin = LocalOrigin::from_lonlat(114.0, 22.5);
        let style = Style::default_for("t");
        let sq = |x0: f64, y0: f64, s: f64| {
            LineString::from(vec![
                (x0, y0),
                (x0 + s, y0),
                (x0 + s, y0 + s),
                (x0, y0 + s),
                (x0, y0),
            ])
        };
        let outer = Polygon::new(sq(114.0, 22.5, 0.01), vec![]);
        let holed = Polygon::new(sq(114.0, 22.5, 0.01), vec![sq(114.002, 22.502, 0.004)]);
        let merc_area = |p: &Polygon<f64>| {
            use geo::Area;
            let proj = geo::MapCoords::map_coords(p, |c| {
                let (x, y) = lonlat_to_mercator(c.x, c.y);
                geo::Coord { x, y }
            });
            proj.unsigned_area()
        };
        for p in [outer, holed] {
            let mut b = Builder {
                origin,
                style: &style,
                mesh: LayerMesh::default(),
                fill_v: vec![],
                fill_i: vec![],
                scratch: vec![],
                ring: vec![],
            };
            b.project(&p.exterior().0);
            b.fill(&p, Rgba::BLACK);
            let got = area(&b.fill_v, &b.fill_i);
            let want = merc_area(&p);
            assert!((got - want).abs() / want < 1e-4, "{got} vs {want}");
        }
    }

    #[test]
    fn stroke_offsets_are_half_width_pixels() {
        let mut v = vec![];
        let mut i = vec![];
        stroke_path(
            &[[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]],
            false,
            3.0,
            Rgba::BLACK,
            &mut v,
            &mut i,
        );
        assert_eq!(i.len() % 3, 0);
        // a right-angle turn is mitred: offsets are 0 (cap centres), 3 px, or 3·√2 px (the miter)
        for x in &v {
            let l = (x.offset[0].powi(2) + x.offset[1].powi(2)).sqrt();
            assert!(
                l < 1e-4 || (l - 3.0).abs() < 1e-4 || (l - 3.0 * 2f32.sqrt()).abs() < 1e-4,
                "{l}"
            );
        }
        // the quad area in px² at a unit scale: two segments of 100 m and width 6 px → the
        // segment quads are rectangles; check that each triangle is non-degenerate
        for t in i.chunks(3) {
            assert!(t[0] != t[1] && t[1] != t[2] && t[0] != t[2]);
        }
        // the first segment's quad: offsets straight up/down on screen
        assert!((v[0].offset[1] + 3.0).abs() < 1e-5 && v[0].offset[0].abs() < 1e-5);
    }
}
