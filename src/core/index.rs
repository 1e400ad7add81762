//! The spatial index: one R-tree (`rstar`, bulk-loaded) over every feature of every layer
//! of a [`Dataset`], for picking, box queries, nearest-feature search and polygon selection.
//!
//! Items carry (layer index, feature index) and the feature's lon/lat envelope; queries that
//! need the geometry take the same `Dataset` the index was built from. After the data
//! changes, call [`SpatialIndex::rebuild`].
//!
//! Distances are metres in a *local metric frame* centred on the query point: the crate's
//! one [`TangentFrame`] to first order, an equirectangular projection scaled by the WGS84
//! radii of curvature at the query latitude (metres per degree of latitude `M·π/180`, of
//! longitude `N·cos φ·π/180`). Within ~10 km of
//! the query point this agrees with the geodesic distance to better than 0.1 %; it is the
//! same metric the box pre-filter is derived from, so the pre-filter never loses a result.
//! The antimeridian is not handled (the zone is at 114° E).

use crate::core::measure::TangentFrame;
use crate::core::model::{Dataset, Layer};
use geo::{
    BoundingRect, Distance, Euclidean, Geometry, Intersects, MapCoords, Point, Polygon, Rect,
    Relate,
};
use rstar::{AABB, Envelope, RTree, RTreeObject};

/// One indexed feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexItem {
    /// Index of the layer in the dataset.
    pub layer: u32,
    /// Index of the feature in its layer.
    pub feature: u32,
    /// The feature's envelope (lon/lat degrees).
    pub env: AABB<[f64; 2]>,
}

impl RTreeObject for IndexItem {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// A query result: which feature, and its distance from the query point in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Layer index.
    pub layer: usize,
    /// Feature index within the layer.
    pub feature: usize,
    /// Distance in metres (0 when the point is inside or on the feature).
    pub distance_m: f64,
}

/// The R-tree over a dataset.
#[derive(Debug, Default)]
pub struct SpatialIndex {
    tree: RTree<IndexItem>,
}

/// The envelope of a geometry, if it has any coordinates.
pub fn envelope(g: &Geometry<f64>) -> Option<AABB<[f64; 2]>> {
    g.bounding_rect()
        .map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

impl SpatialIndex {
    /// Bulk-load an index over every feature (with a non-empty geometry) of `ds`.
    pub fn build(ds: &Dataset) -> Self {
        Self::build_layers(&ds.layers)
    }

    /// Bulk-load over a slice of layers (indices are positions in the slice).
    pub fn build_layers(layers: &[Layer]) -> Self {
        let mut items = Vec::with_capacity(layers.iter().map(|l| l.features.len()).sum());
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        for (li, l) in layers.iter().enumerate() {
            let li = u32::try_from(li).unwrap_or(u32::MAX);
            let per = l.features.len().div_ceil(threads).max(4096);
            // Envelopes of big layers in parallel, in order.
            let parts: Vec<Vec<IndexItem>> = std::thread::scope(|s| {
                let handles: Vec<_> = l
                    .features
                    .chunks(per)
                    .enumerate()
                    .map(|(ci, chunk)| {
                        s.spawn(move || {
                            chunk
                                .iter()
                                .enumerate()
                                .filter_map(|(k, f)| {
                                    let env = f.geometry.as_ref().and_then(envelope)?;
                                    Some(IndexItem {
                                        layer: li,
                                        feature: u32::try_from(ci * per + k).unwrap_or(u32::MAX),
                                        env,
                                    })
                                })
                                .collect()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            for p in parts {
                items.extend(p);
            }
        }
        SpatialIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// Rebuild after the dataset changed.
    pub fn rebuild(&mut self, ds: &Dataset) {
        *self = Self::build(ds);
    }

    /// Number of indexed features.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Every indexed item.
    pub fn items(&self) -> impl Iterator<Item = &IndexItem> {
        self.tree.iter()
    }

    /// Features whose envelope intersects the box (lon/lat degrees), sorted by
    /// (layer, feature).
    pub fn in_envelope(&self, min: [f64; 2], max: [f64; 2]) -> Vec<(usize, usize)> {
        let env = AABB::from_corners(min, max);
        let mut v: Vec<_> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|it| (it.layer as usize, it.feature as usize))
            .collect();
        v.sort_unstable();
        v
    }

    /// Features whose geometry really intersects the box, sorted by (layer, feature).
    pub fn intersecting_rect(
        &self,
        ds: &Dataset,
        min: [f64; 2],
        max: [f64; 2],
    ) -> Vec<(usize, usize)> {
        let rect = Rect::new(min, max);
        self.in_envelope(min, max)
            .into_iter()
            .filter(|&(l, f)| geometry(ds, l, f).is_some_and(|g| g.intersects(&rect)))
            .collect()
    }

    /// Picking: features within `tol_m` metres of (lon, lat) — polygons containing the
    /// point (distance 0), lines and points (and polygon edges) within the tolerance —
    /// nearest first.
    pub fn at_point(&self, ds: &Dataset, lon: f64, lat: f64, tol_m: f64) -> Vec<Hit> {
        let frame = QueryFrame::new(lon, lat);
        let tol = tol_m.max(0.0);
        let mut hits = Vec::new();
        for it in self.tree.locate_in_envelope_intersecting(&frame.bbox(tol)) {
            let (l, f) = (it.layer as usize, it.feature as usize);
            if let Some(g) = geometry(ds, l, f) {
                let d = frame.distance(g);
                if d <= tol {
                    hits.push(Hit {
                        layer: l,
                        feature: f,
                        distance_m: d,
                    });
                }
            }
        }
        sort_hits(&mut hits);
        hits
    }

    /// The `k` features nearest to (lon, lat) by distance to the geometry (metres), nearest
    /// first (ties by layer, then feature).
    pub fn nearest(&self, ds: &Dataset, lon: f64, lat: f64, k: usize) -> Vec<Hit> {
        self.nearest_where(ds, lon, lat, k, |_| true)
    }

    /// [`nearest`](Self::nearest) among the layers for which `keep(layer index)` is true.
    pub fn nearest_where(
        &self,
        ds: &Dataset,
        lon: f64,
        lat: f64,
        k: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<Hit> {
        if k == 0 || self.tree.size() == 0 {
            return Vec::new();
        }
        let frame = QueryFrame::new(lon, lat);
        let mut r = 100.0;
        loop {
            let bbox = frame.bbox(r);
            let covers_all = {
                let all = self.tree.root().envelope();
                bbox.contains_envelope(&all)
            };
            let mut hits: Vec<Hit> = self
                .tree
                .locate_in_envelope_intersecting(&bbox)
                .filter(|it| keep(it.layer as usize))
                .filter_map(|it| {
                    let (l, f) = (it.layer as usize, it.feature as usize);
                    let d = frame.distance(geometry(ds, l, f)?);
                    (covers_all || d <= r).then_some(Hit {
                        layer: l,
                        feature: f,
                        distance_m: d,
                    })
                })
                .collect();
            if hits.len() >= k || covers_all || !r.is_finite() {
                sort_hits(&mut hits);
                hits.truncate(k);
                return hits;
            }
            r *= 4.0;
        }
    }

    /// Features whose geometry lies within the polygon (lon/lat), sorted by (layer, feature).
    pub fn within_polygon(&self, ds: &Dataset, poly: &Polygon<f64>) -> Vec<(usize, usize)> {
        let Some(r) = poly.bounding_rect() else {
            return Vec::new();
        };
        let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let mut v: Vec<_> = self
            .tree
            .locate_in_envelope(&env)
            .map(|it| (it.layer as usize, it.feature as usize))
            .filter(|&(l, f)| geometry(ds, l, f).is_some_and(|g| g.relate(poly).is_within()))
            .collect();
        v.sort_unstable();
        v
    }
}

fn sort_hits(h: &mut [Hit]) {
    h.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then(a.layer.cmp(&b.layer))
            .then(a.feature.cmp(&b.feature))
    });
}

fn geometry(ds: &Dataset, l: usize, f: usize) -> Option<&Geometry<f64>> {
    ds.layers.get(l)?.features.get(f)?.geometry.as_ref()
}

/// The local metric frame around a query point: the crate's one frame
/// ([`TangentFrame`], to first order), with the distance and box pre-filter derived from it.
#[derive(Debug, Clone, Copy)]
pub struct QueryFrame(pub TangentFrame);

impl QueryFrame {
    /// The frame centred on (lon, lat) degrees.
    pub fn new(lon: f64, lat: f64) -> Self {
        QueryFrame(TangentFrame::new(lon, lat))
    }

    /// Distance in metres from the centre to the geometry (0 inside a polygon).
    pub fn distance(&self, g: &Geometry<f64>) -> f64 {
        let local = g.map_coords(|c| self.0.to_m(c));
        Euclidean.distance(&Point::new(0.0, 0.0), &local)
    }

    /// A lon/lat box containing every point within `r` metres of the centre in this frame.
    pub fn bbox(&self, r: f64) -> AABB<[f64; 2]> {
        let (kx, ky) = self.0.metres_per_degree();
        let pad = 1.0 + 1e-9;
        let dlat = r / ky * pad + 1e-12;
        let dlon = if kx > 1e-6 {
            r / kx * pad + 1e-12
        } else {
            f64::INFINITY
        };
        let dlon = if dlon.is_finite() { dlon } else { 1e300 };
        let dlat = if dlat.is_finite() { dlat } else { 1e300 };
        let (lon0, lat0) = (self.0.lon0, self.0.lat0);
        AABB::from_corners([lon0 - dlon, lat0 - dlat], [lon0 + dlon, lat0 + dlat])
    }
}

/// Distance in metres from (lon, lat) to a geometry, in the local frame of the point.
pub fn distance_m(lon: f64, lat: f64, g: &Geometry<f64>) -> f64 {
    QueryFrame::new(lon, lat).distance(g)
}
