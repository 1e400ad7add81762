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

mod builder;
mod stroke;

pub(crate) use builder::{feature_colours, label_anchor, status_for};
pub use stroke::stroke_path;

use super::camera::LocalOrigin;
use super::style::{Rgba, Style};
use crate::core::model::Layer;
use builder::{Builder, Part, Span, coordinate_count};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
    /// Which tessellation this is: unique per [`tessellate_layer`] call (0: a mesh built by
    /// hand). The renderer keeps a layer's GPU buffers while the scene brings the same serial,
    /// so that a scene rebuilt around an unchanged layer uploads nothing for it, and a mesh
    /// whose CPU-side vertices were dropped after the upload ([`LayerMesh::without_geometry`])
    /// still stands for them.
    pub serial: u64,
    /// A big layer's parts, each a run of features compact on the map (the layer was
    /// tessellated in [`crate::core::index::hilbert_order`]): the renderer draws only those
    /// whose box meets the view. Empty: the mesh is drawn whole.
    pub chunks: Vec<MeshChunk>,
}

/// A part of a big layer's mesh: its fill and stroke index ranges and the box of its
/// vertices' positions (metres from the local origin; strokes reach a few pixels beyond).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeshChunk {
    /// Fill indices `[start, end)` in the mesh's index buffer.
    pub fills: [u32; 2],
    /// Stroke indices `[start, end)`.
    pub strokes: [u32; 2],
    /// `[min x, min y, max x, max y]` of its vertices' positions.
    pub bbox: [f32; 4],
}

/// Features per chunk of a big layer at most (the granularity of culling by view).
const CHUNK_MAX_FEATURES: usize = 4096;

/// The serial of the next tessellation (starts at 1).
fn next_serial() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Which features are drawn and how their status is read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Filter {
    /// "As of year Y": features with a `history` are drawn as they stood in Y, and not at all
    /// when they did not exist yet. `None`: the `status` property as given (else the last
    /// `history` entry).
    pub year: Option<i32>,
}

/// One thread's output and, for each chunk it took, (chunk, start, end) in its buffers.
type Worked = (Part, Vec<(usize, Span, Span)>);

/// Layers with at least this many features are tessellated on every core.
const PARALLEL_MIN_FEATURES: usize = 20_000;

/// Tessellate a layer. Layers of [`PARALLEL_MIN_FEATURES`] or more are taken in
/// [`crate::core::index::hilbert_order`] and cut into chunks of a few thousand features
/// ([`LayerMesh::chunks`], so that the renderer can leave out those off screen) that the
/// available cores take in turn (a core slowed down by other work takes fewer); each core
/// writes into its own reserved buffers, reused across its chunks, and the chunks are then
/// laid out in order: every fill, then every stroke (so strokes draw over all fills, as in a
/// single-threaded run).
pub fn tessellate_layer(
    layer: &Layer,
    style: &Style,
    filter: Filter,
    origin: LocalOrigin,
) -> LayerMesh {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let features = &layer.features;
    let big = features.len() >= PARALLEL_MIN_FEATURES;
    let order = big.then(|| crate::core::index::hilbert_order(features));
    let n = order.as_ref().map_or(features.len(), Vec::len);
    let workers = if big { threads } else { 1 };
    let chunk = if big {
        (n / (workers * 8)).clamp(1024, CHUNK_MAX_FEATURES)
    } else {
        n.max(1)
    };
    let n_chunks = n.div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let fills = style.fill.is_some() || style.color_by.is_some();
    let strokes = style.stroke.is_some() || style.color_by.is_some();
    let work = || {
        let mut b = Builder::new(style, filter, origin);
        let mut spans = Vec::new();
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= n_chunks {
                break;
            }
            let run = c * chunk..((c + 1) * chunk).min(n);
            let fs = || -> Box<dyn Iterator<Item = &crate::core::model::Feature>> {
                match &order {
                    Some(o) => Box::new(o[run.clone()].iter().map(|&i| &features[i as usize])),
                    None => Box::new(features[run.clone()].iter()),
                }
            };
            let coords = coordinate_count(fs());
            if spans.is_empty() {
                // this thread's expected share, so that its buffers grow once at most
                let share = n_chunks.div_ceil(workers) * 5 / 4 + 1;
                b.part.reserve_for(coords * share, fills, strokes);
            } else {
                b.part.reserve_for(coords, fills, strokes);
            }
            let start = b.part.mark();
            b.features(fs());
            spans.push((c, start, b.part.mark()));
        }
        (b.part, spans)
    };
    let results: Vec<Worked> = if workers > 1 {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
            let mut results = vec![work()];
            // a worker cannot fail short of a bug; its chunks are then missing, not the layer
            results.extend(handles.into_iter().filter_map(|h| h.join().ok()));
            results
        })
    } else {
        vec![work()]
    };
    let mut mesh = assemble(results, workers, big);
    mesh.name = layer.name.clone();
    mesh.serial = next_serial();
    mesh
}

/// Tessellate the features of `layer` at `indices` (in that order; an index past the end is
/// skipped) on the calling thread: a big layer's detail part ([`crate::render::lod`]), a
/// few thousand features at most.
pub fn tessellate_subset(
    layer: &Layer,
    indices: &[usize],
    style: &Style,
    filter: Filter,
    origin: LocalOrigin,
) -> LayerMesh {
    let mut b = Builder::new(style, filter, origin);
    b.features(indices.iter().filter_map(|&i| layer.features.get(i)));
    let end = b.part.mark();
    let mut mesh = assemble(vec![(b.part, vec![(0, Span::default(), end)])], 1, false);
    mesh.name = layer.name.clone();
    mesh.serial = next_serial();
    mesh
}

/// Lay the chunks out in order: all fills, then all strokes, indices rebased; with `chunked`,
/// record each chunk's ranges and box ([`LayerMesh::chunks`]).
fn assemble(results: Vec<Worked>, workers: usize, chunked: bool) -> LayerMesh {
    let mut mesh = LayerMesh::default();
    for (p, _) in &results {
        mesh.features_drawn += p.features_drawn;
        if mesh.class_counts.len() < p.class_counts.len() {
            mesh.class_counts.resize(p.class_counts.len(), 0);
        }
        for (a, b) in mesh.class_counts.iter_mut().zip(&p.class_counts) {
            *a += b;
        }
        mesh.bbox = match p.bbox {
            Some(b) => Some(crate::core::measure::bbox_union(mesh.bbox, b)),
            None => mesh.bbox,
        };
    }
    if let [(part, _)] = results.as_slice()
        && part.fill_v.is_empty()
        && part.fill_i.is_empty()
    {
        // one part and no fills (lines, points): its buffers are the mesh's
        let Some((part, _)) = results.into_iter().next() else {
            return mesh;
        };
        mesh.vertices = part.stroke_v;
        mesh.indices = part.stroke_i;
        mesh.markers = part.markers;
        mesh.labels = part.labels;
        return mesh;
    }
    // (chunk, part, start, end) in chunk order
    let mut order: Vec<(usize, usize, Span, Span)> = results
        .iter()
        .enumerate()
        .flat_map(|(pi, (_, spans))| spans.iter().map(move |&(c, s, e)| (c, pi, s, e)))
        .collect();
    order.sort_unstable_by_key(|o| o.0);
    let total = |f: fn(&Part) -> usize| results.iter().map(|(p, _)| f(p)).sum::<usize>();
    let total_v = total(|p| p.fill_v.len()) + total(|p| p.stroke_v.len());
    let total_i = total(|p| p.fill_i.len()) + total(|p| p.stroke_i.len());
    // one copy job per chunk and kind (fills first), each into its own disjoint destination
    let mut vertices: Vec<GeoVertex> = Vec::with_capacity(total_v);
    let mut indices: Vec<u32> = Vec::with_capacity(total_i);
    let mut ranges: Vec<(ChunkRange, ChunkRange)> = Vec::new();
    let (written_v, written_i) = {
        let mut vdst = &mut vertices.spare_capacity_mut()[..total_v];
        let mut idst = &mut indices.spare_capacity_mut()[..total_i];
        let mut jobs = Vec::with_capacity(2 * order.len());
        let mut base = 0u32;
        let mut at_i = 0u32;
        for strokes in [false, true] {
            for (k, &(_, pi, s, e)) in order.iter().enumerate() {
                let p = &results[pi].0;
                let (v, i, start) = if strokes {
                    (
                        &p.stroke_v[s.stroke_v..e.stroke_v],
                        &p.stroke_i[s.stroke_i..e.stroke_i],
                        s.stroke_v,
                    )
                } else {
                    (
                        &p.fill_v[s.fill_v..e.fill_v],
                        &p.fill_i[s.fill_i..e.fill_i],
                        s.fill_v,
                    )
                };
                let (vd, rest) = std::mem::take(&mut vdst).split_at_mut(v.len());
                vdst = rest;
                let (id, rest) = std::mem::take(&mut idst).split_at_mut(i.len());
                idst = rest;
                jobs.push(CopyJob {
                    vd,
                    v,
                    id,
                    i,
                    delta: base.wrapping_sub(start as u32),
                });
                if chunked {
                    let r = ChunkRange {
                        i: [at_i, at_i + i.len() as u32],
                        v: [base, base + v.len() as u32],
                    };
                    if strokes {
                        ranges[k].1 = r;
                    } else {
                        ranges.push((r, ChunkRange::default()));
                    }
                }
                at_i += i.len() as u32;
                base = base.wrapping_add(v.len() as u32);
            }
        }
        // (the spans cover the parts' buffers, so nothing is left over)
        let written = (total_v - vdst.len(), total_i - idst.len());
        run_copies(jobs, workers, total_v + total_i);
        written
    };
    // SAFETY: the copy jobs' destinations were split off in turn from the front of the spare
    // capacity, so together they are exactly `0..written_v` and `0..written_i`, each as long
    // as its source, and `run_copies` wrote every element of each (a panic in a copy
    // propagates out of the thread scope before this line).
    unsafe {
        vertices.set_len(written_v);
        indices.set_len(written_i);
    }
    if chunked && ranges.len() > 1 {
        mesh.chunks = ranges
            .iter()
            .map(|(f, st)| MeshChunk {
                fills: f.i,
                strokes: st.i,
                bbox: positions_box(&vertices, [f.v, st.v]),
            })
            .collect();
    }
    mesh.vertices = vertices;
    mesh.indices = indices;
    mesh.markers.reserve_exact(total(|p| p.markers.len()));
    mesh.labels.reserve_exact(total(|p| p.labels.len()));
    for &(_, pi, s, e) in &order {
        mesh.markers
            .extend_from_slice(&results[pi].0.markers[s.markers..e.markers]);
    }
    // labels move (they own their text); each part's spans are in chunk order
    let mut labels: Vec<_> = results
        .into_iter()
        .map(|(p, _)| p.labels.into_iter())
        .collect();
    for &(_, pi, s, e) in &order {
        mesh.labels
            .extend(labels[pi].by_ref().take(e.labels - s.labels));
    }
    mesh
}

/// A chunk's index and vertex ranges of one kind (fills or strokes) in the assembled buffers.
#[derive(Debug, Clone, Copy, Default)]
struct ChunkRange {
    i: [u32; 2],
    v: [u32; 2],
}

/// The box of the positions of `vertices` in the given `[start, end)` ranges.
fn positions_box(vertices: &[GeoVertex], ranges: [[u32; 2]; 2]) -> [f32; 4] {
    let mut b = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    for [s, e] in ranges {
        for v in vertices.get(s as usize..e as usize).unwrap_or_default() {
            b = [
                b[0].min(v.pos[0]),
                b[1].min(v.pos[1]),
                b[2].max(v.pos[0]),
                b[3].max(v.pos[1]),
            ];
        }
    }
    b
}

/// Copy one chunk's vertices and rebased indices into their place in the layer's buffers.
struct CopyJob<'a> {
    vd: &'a mut [MaybeUninit<GeoVertex>],
    v: &'a [GeoVertex],
    id: &'a mut [MaybeUninit<u32>],
    i: &'a [u32],
    delta: u32,
}

impl CopyJob<'_> {
    fn run(self) {
        for (d, s) in self.vd.iter_mut().zip(self.v) {
            d.write(*s);
        }
        for (d, s) in self.id.iter_mut().zip(self.i) {
            d.write(s.wrapping_add(self.delta));
        }
    }
}

/// Run the copies on `workers` threads, each taking a run of jobs of about equal size (so the
/// fresh pages of the layer's buffers are faulted in and filled in parallel).
fn run_copies(jobs: Vec<CopyJob<'_>>, workers: usize, total: usize) {
    if workers <= 1 {
        jobs.into_iter().for_each(CopyJob::run);
        return;
    }
    let per = total.div_ceil(workers).max(1);
    let mut groups: Vec<Vec<CopyJob<'_>>> = vec![Vec::new()];
    let mut size = 0;
    for j in jobs {
        if size >= per * groups.len() {
            groups.push(Vec::new());
        }
        size += j.v.len() + j.i.len();
        if let Some(g) = groups.last_mut() {
            g.push(j);
        }
    }
    std::thread::scope(|s| {
        let mut groups = groups.into_iter();
        let first = groups.next();
        for g in groups {
            s.spawn(move || g.into_iter().for_each(CopyJob::run));
        }
        first.into_iter().flatten().for_each(CopyJob::run);
    });
}

impl LayerMesh {
    /// Bytes of the GPU-bound geometry (vertices, indices, markers) held on the CPU side.
    pub fn geometry_bytes(&self) -> usize {
        self.vertices.len() * std::mem::size_of::<GeoVertex>()
            + self.indices.len() * 4
            + self.markers.len() * std::mem::size_of::<MarkerInstance>()
    }

    /// The same mesh without its GPU-bound geometry (vertices, indices, markers), keeping
    /// what the CPU reads (name, serial, labels, counts, extent): what the app holds once the
    /// geometry is on the GPU.
    pub fn without_geometry(&self) -> LayerMesh {
        LayerMesh {
            name: self.name.clone(),
            vertices: Vec::new(),
            indices: Vec::new(),
            markers: Vec::new(),
            labels: self.labels.clone(),
            features_drawn: self.features_drawn,
            class_counts: self.class_counts.clone(),
            bbox: self.bbox,
            serial: self.serial,
            chunks: self.chunks.clone(),
        }
    }

    /// Append another mesh (indices rebased).
    pub fn append(&mut self, other: LayerMesh) {
        // the parts no longer cover the mesh: it is drawn whole
        self.chunks.clear();
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
        self.bbox = match other.bbox {
            Some(b) => Some(crate::core::measure::bbox_union(self.bbox, b)),
            None => self.bbox,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::camera::lonlat_to_mercator;

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
            let mut b = Builder::new(&style, Filter::default(), origin);
            b.project(&p.exterior().0);
            b.fill(&p, Rgba::BLACK);
            let got = area(&b.part.fill_v, &b.part.fill_i);
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
