//! Picking: which feature is under the cursor, which lie in a box, which vertex to snap to.
//!
//! The candidates come from the core's R-tree ([`crate::core::index::SpatialIndex`], lon/lat
//! envelopes), one tree per layer so that a changed layer is re-indexed alone: each tree is
//! keyed by the layer's data revision, and [`PickIndex::update`] rebuilds exactly the layers
//! whose revision changed (an edit, a reloaded file, new reach bands). Exact tests then run on
//! the geometry (polygon contains, distance to lines and points in ground metres through
//! [`crate::core::index::QueryFrame`]). The map works in Web Mercator metres: queries take
//! Mercator points and tolerances and convert them.

use crate::core::index::{QueryFrame, SpatialIndex};
use crate::core::model::{Dataset, Feature, Layer};
use crate::render::camera::{lonlat_to_mercator, mercator_to_lonlat};
use geo::{BoundingRect, CoordsIter};
use std::collections::HashMap;

/// A feature's address: layer name and index in that layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureRef {
    /// Layer name.
    pub layer: String,
    /// Index in the layer's features.
    pub index: usize,
}

/// One R-tree per layer (by name), each with the data revision it was built from.
#[derive(Debug, Default)]
pub struct PickIndex {
    trees: HashMap<String, (u64, SpatialIndex)>,
    builds: u64,
}

/// The ground metres per Web Mercator metre at latitude `lat` (degrees).
fn ground_per_merc(lat: f64) -> f64 {
    lat.to_radians().cos()
}

impl PickIndex {
    /// An index over `layers` (all at revision 0; tests and benchmarks).
    pub fn build(layers: &[&Layer]) -> Self {
        let mut idx = Self::default();
        let with_rev: Vec<(&Layer, u64)> = layers.iter().map(|l| (*l, 0)).collect();
        idx.update(&with_rev);
        idx
    }

    /// Make the index cover exactly `layers` at their revisions: a layer whose revision
    /// changed (or that is new) is re-indexed, a layer no longer listed is dropped, the rest
    /// is kept as it is.
    pub fn update(&mut self, layers: &[(&Layer, u64)]) {
        self.trees
            .retain(|name, _| layers.iter().any(|(l, _)| l.name == *name));
        for (l, rev) in layers {
            if self.trees.get(&l.name).is_some_and(|(r, _)| r == rev) {
                continue;
            }
            let tree = SpatialIndex::build_layers(std::slice::from_ref(*l));
            self.trees.insert(l.name.clone(), (*rev, tree));
            self.builds += 1;
        }
    }

    /// Take a tree built elsewhere (on a worker) for `layer` at data revision `rev`.
    pub fn insert(&mut self, layer: &str, rev: u64, tree: SpatialIndex) {
        self.trees.insert(layer.to_string(), (rev, tree));
    }

    /// Drop the tree of `layer` (the layer was removed).
    pub fn remove(&mut self, layer: &str) {
        self.trees.remove(layer);
    }

    /// How many layer trees were built so far (tests: a changed layer is re-indexed).
    pub fn builds(&self) -> u64 {
        self.builds
    }

    /// The revision a layer was indexed at.
    pub fn revision(&self, layer: &str) -> Option<u64> {
        self.trees.get(layer).map(|(r, _)| *r)
    }

    /// Number of indexed features with a geometry.
    pub fn len(&self) -> usize {
        self.trees.values().map(|(_, t)| t.len()).sum()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The features of the layer named `layer` whose envelope meets the lon/lat box, in
    /// index order (empty when the layer is not indexed).
    pub fn candidates_in(&self, layer: &str, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        match self.trees.get(layer) {
            Some((_, t)) => t
                .in_envelope(min, max)
                .into_iter()
                .map(|(_, f)| f)
                .collect(),
            None => Vec::new(),
        }
    }

    /// Candidates of `layer` whose envelope meets the lon/lat box.
    fn candidates(&self, layer: &Layer, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        self.candidates_in(&layer.name, min, max)
    }

    /// The feature under Mercator point `p` within `tol_m` Mercator metres, among `layers`
    /// (top first: the first layer with a hit wins; within it, the nearest, then the
    /// smallest). `keep` filters features (e.g. those not existing in the chosen year).
    pub fn pick(
        &self,
        layers: &[&Layer],
        p: [f64; 2],
        tol_m: f64,
        keep: &dyn Fn(&FeatureRef) -> bool,
    ) -> Option<FeatureRef> {
        let (lon, lat) = mercator_to_lonlat(p[0], p[1]);
        let frame = QueryFrame::new(lon, lat);
        let tol = tol_m.max(0.0) * ground_per_merc(lat);
        let env = frame.bbox(tol);
        for layer in layers {
            let mut best: Option<(f64, f64, usize)> = None;
            for i in self.candidates(layer, env.lower(), env.upper()) {
                let r = FeatureRef {
                    layer: layer.name.clone(),
                    index: i,
                };
                if !keep(&r) {
                    continue;
                }
                let Some(g) = layer.features.get(i).and_then(|f| f.geometry.as_ref()) else {
                    continue;
                };
                let d = frame.distance(g);
                if d > tol {
                    continue;
                }
                let size = g.bounding_rect().map_or(0.0, |b| b.width() * b.height());
                if best.is_none_or(|b| (d, size) < (b.0, b.1)) {
                    best = Some((d, size, i));
                }
            }
            if let Some((_, _, index)) = best {
                return Some(FeatureRef {
                    layer: layer.name.clone(),
                    index,
                });
            }
        }
        None
    }

    /// Features of `layers` whose extent lies inside the Mercator box `[x0, y0, x1, y1]`.
    pub fn in_box(
        &self,
        layers: &[&Layer],
        b: [f64; 4],
        keep: &dyn Fn(&FeatureRef) -> bool,
    ) -> Vec<FeatureRef> {
        let (lon0, lat0) = mercator_to_lonlat(b[0].min(b[2]), b[1].min(b[3]));
        let (lon1, lat1) = mercator_to_lonlat(b[0].max(b[2]), b[1].max(b[3]));
        let mut out = Vec::new();
        for layer in layers {
            for i in self.candidates(layer, [lon0, lat0], [lon1, lat1]) {
                let inside = layer
                    .features
                    .get(i)
                    .and_then(|f| f.geometry.as_ref())
                    .and_then(|g| g.bounding_rect())
                    .is_some_and(|r| {
                        r.min().x >= lon0
                            && r.max().x <= lon1
                            && r.min().y >= lat0
                            && r.max().y <= lat1
                    });
                let r = FeatureRef {
                    layer: layer.name.clone(),
                    index: i,
                };
                if inside && keep(&r) {
                    out.push(r);
                }
            }
        }
        out.sort();
        out
    }

    /// The nearest vertex (Mercator) of any feature of `layers` within `tol_m` Mercator
    /// metres of `p`.
    pub fn snap_vertex(&self, layers: &[&Layer], p: [f64; 2], tol_m: f64) -> Option<[f64; 2]> {
        let (lon0, lat0) = mercator_to_lonlat(p[0] - tol_m, p[1] - tol_m);
        let (lon1, lat1) = mercator_to_lonlat(p[0] + tol_m, p[1] + tol_m);
        let mut best: Option<(f64, [f64; 2])> = None;
        for layer in layers {
            for i in self.candidates(layer, [lon0, lat0], [lon1, lat1]) {
                let Some(g) = layer.features.get(i).and_then(|f| f.geometry.as_ref()) else {
                    continue;
                };
                for c in g.coords_iter() {
                    let (x, y) = lonlat_to_mercator(c.x, c.y);
                    let d = (x - p[0]).hypot(y - p[1]);
                    if d <= tol_m && best.is_none_or(|b| d < b.0) {
                        best = Some((d, [x, y]));
                    }
                }
            }
        }
        best.map(|b| b.1)
    }
}

/// The feature a [`FeatureRef`] points at in `ds` (layers by name).
pub fn resolve<'a>(ds: &'a Dataset, r: &FeatureRef) -> Option<&'a Feature> {
    ds.layer(&r.layer)?.features.get(r.index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Geometry, LineString, Point, polygon};

    fn layer(name: &str, features: Vec<Feature>) -> Layer {
        Layer {
            name: name.into(),
            features,
            ..Layer::default()
        }
    }

    fn feat(g: Geometry<f64>) -> Feature {
        Feature {
            geometry: Some(g),
            ..Default::default()
        }
    }

    #[test]
    fn picks_polygons_lines_and_respects_layer_order() {
        let square = feat(Geometry::Polygon(polygon![
            (x: 114.0, y: 22.0), (x: 114.01, y: 22.0), (x: 114.01, y: 22.01), (x: 114.0, y: 22.01)
        ]));
        let big = feat(Geometry::Polygon(polygon![
            (x: 113.9, y: 21.9), (x: 114.1, y: 21.9), (x: 114.1, y: 22.1), (x: 113.9, y: 22.1)
        ]));
        let line = feat(Geometry::LineString(LineString::from(vec![
            (114.02, 22.0),
            (114.02, 22.01),
        ])));
        let top = layer("top", vec![square, line]);
        let bottom = layer("bottom", vec![big]);
        let idx = PickIndex::build(&[&top, &bottom]);
        assert_eq!(idx.len(), 3);
        let keep = |_: &FeatureRef| true;
        let inside = lonlat_to_mercator(114.005, 22.005);
        let hit = idx.pick(&[&top, &bottom], [inside.0, inside.1], 5.0, &keep);
        assert_eq!(
            hit,
            Some(FeatureRef {
                layer: "top".into(),
                index: 0
            })
        );
        // bottom first: the big polygon wins
        let hit = idx.pick(&[&bottom, &top], [inside.0, inside.1], 5.0, &keep);
        assert_eq!(hit.map(|h| h.layer), Some("bottom".into()));
        // near the line (about 3 m east of it)
        let (lx, ly) = lonlat_to_mercator(114.02, 22.005);
        let hit = idx.pick(&[&top], [lx + 3.0, ly], 5.0, &keep);
        assert_eq!(hit.map(|h| h.index), Some(1));
        assert!(idx.pick(&[&top], [lx + 30.0, ly], 5.0, &keep).is_none());
        // a filter hides the square
        let no_square = |r: &FeatureRef| !(r.layer == "top" && r.index == 0);
        let hit = idx.pick(&[&top, &bottom], [inside.0, inside.1], 5.0, &no_square);
        assert_eq!(hit.map(|h| h.layer), Some("bottom".into()));
    }

    #[test]
    fn box_select_and_snap() {
        let pts: Vec<Feature> = (0..10)
            .map(|i| {
                feat(Geometry::Point(Point::new(
                    114.0 + f64::from(i) * 0.001,
                    22.0,
                )))
            })
            .collect();
        let p = layer("p", pts);
        let idx = PickIndex::build(&[&p]);
        let (x0, y0) = lonlat_to_mercator(114.0015, 21.999);
        let (x1, y1) = lonlat_to_mercator(114.0055, 22.001);
        let sel = idx.in_box(&[&p], [x0, y0, x1, y1], &|_| true);
        let got: Vec<usize> = sel.iter().map(|r| r.index).collect();
        // brute force: points with lon in (114.0015, 114.0055)
        let want: Vec<usize> = (0..10)
            .filter(|i| {
                let lon = 114.0 + f64::from(*i) * 0.001;
                lon > 114.0015 && lon < 114.0055
            })
            .map(|i| i as usize)
            .collect();
        assert_eq!(got, want);
        let (px, py) = lonlat_to_mercator(114.003, 22.0);
        let s = idx
            .snap_vertex(&[&p], [px + 4.0, py - 3.0], 10.0)
            .expect("snap");
        assert!((s[0] - px).abs() < 1e-6 && (s[1] - py).abs() < 1e-6);
        assert!(idx.snap_vertex(&[&p], [px + 40.0, py], 10.0).is_none());
    }

    #[test]
    fn only_a_layer_whose_revision_changed_is_reindexed() {
        let a = layer("a", vec![feat(Geometry::Point(Point::new(114.0, 22.0)))]);
        let mut b = layer("b", vec![feat(Geometry::Point(Point::new(114.1, 22.1)))]);
        let mut idx = PickIndex::default();
        idx.update(&[(&a, 1), (&b, 1)]);
        assert_eq!(idx.builds(), 2);
        idx.update(&[(&a, 1), (&b, 1)]);
        assert_eq!(idx.builds(), 2, "nothing changed, nothing rebuilt");
        // b gets a second point at a new revision: only b is rebuilt, and the point is found
        b.features
            .push(feat(Geometry::Point(Point::new(114.2, 22.2))));
        idx.update(&[(&a, 1), (&b, 2)]);
        assert_eq!(idx.builds(), 3);
        assert_eq!(idx.revision("b"), Some(2));
        let (x, y) = lonlat_to_mercator(114.2, 22.2);
        let hit = idx.pick(&[&b], [x, y], 5.0, &|_| true);
        assert_eq!(hit.map(|h| h.index), Some(1));
        // a layer no longer listed is dropped
        idx.update(&[(&b, 2)]);
        assert_eq!(idx.revision("a"), None);
        assert_eq!(idx.len(), 2);
    }
}
