//! Picking: which feature is under the cursor, which lie in a box, which vertex to snap to.
//!
//! An R-tree (`rstar`) of feature envelopes in Web Mercator metres finds the candidates; exact
//! tests then run on the geometry (polygon contains, distance to lines and points in pixels).
//! The loader branch's `core::index` offers the same queries on lon/lat; this index lives in the
//! app because it works in the map's metric space and keys features by layer and position.

use crate::core::model::{Dataset, Feature};
use crate::render::camera::lonlat_to_mercator;
use geo::{Contains, Coord, CoordsIter, Distance, Euclidean, Geometry, MapCoords, Point};
use rstar::{AABB, RTree, RTreeObject};

/// A feature's address: layer name and index in that layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeatureRef {
    /// Layer name.
    pub layer: String,
    /// Index in the layer's features.
    pub index: usize,
}

#[derive(Debug, Clone)]
struct Entry {
    env: AABB<[f64; 2]>,
    layer: usize,
    index: usize,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// The spatial index over a set of layers (Mercator metres).
#[derive(Debug, Default)]
pub struct PickIndex {
    tree: RTree<Entry>,
    layers: Vec<String>,
    /// Mercator geometry per (layer, feature), `None` for null geometries.
    merc: Vec<Vec<Option<Geometry<f64>>>>,
}

/// Web Mercator metres of a lon/lat geometry.
pub fn to_mercator(g: &Geometry<f64>) -> Geometry<f64> {
    g.map_coords(|c| {
        let (x, y) = lonlat_to_mercator(c.x, c.y);
        Coord { x, y }
    })
}

impl PickIndex {
    /// Index every feature of `layers` (name, features).
    pub fn build<'a>(layers: impl IntoIterator<Item = (&'a str, &'a [Feature])>) -> Self {
        let mut entries = Vec::new();
        let mut names = Vec::new();
        let mut merc = Vec::new();
        for (li, (name, feats)) in layers.into_iter().enumerate() {
            names.push(name.to_string());
            let mut gs = Vec::with_capacity(feats.len());
            for (fi, f) in feats.iter().enumerate() {
                let g = f.geometry.as_ref().map(to_mercator);
                if let Some(r) = g.as_ref().and_then(geo::BoundingRect::bounding_rect) {
                    let (a, b) = (r.min(), r.max());
                    if a.x.is_finite() && a.y.is_finite() && b.x.is_finite() && b.y.is_finite() {
                        entries.push(Entry {
                            env: AABB::from_corners([a.x, a.y], [b.x, b.y]),
                            layer: li,
                            index: fi,
                        });
                    }
                }
                gs.push(g);
            }
            merc.push(gs);
        }
        Self {
            tree: RTree::bulk_load(entries),
            layers: names,
            merc,
        }
    }

    /// Number of indexed features with a geometry.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    fn layer_pos(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|l| l == name)
    }

    /// The feature under Mercator point `p` within `tol_m` metres, among `layers` (top first:
    /// the first layer with a hit wins; within it, the nearest, then the smallest).
    /// `keep` filters features (e.g. those not existing in the chosen year).
    pub fn pick(
        &self,
        p: [f64; 2],
        tol_m: f64,
        layers: &[&str],
        keep: &dyn Fn(&FeatureRef) -> bool,
    ) -> Option<FeatureRef> {
        let tol = tol_m.max(0.0);
        let env = AABB::from_corners([p[0] - tol, p[1] - tol], [p[0] + tol, p[1] + tol]);
        let pt = Point::new(p[0], p[1]);
        for name in layers {
            let Some(li) = self.layer_pos(name) else {
                continue;
            };
            let mut best: Option<(f64, f64, usize)> = None;
            for e in self
                .tree
                .locate_in_envelope_intersecting(&env)
                .filter(|e| e.layer == li)
            {
                let r = FeatureRef {
                    layer: name.to_string(),
                    index: e.index,
                };
                if !keep(&r) {
                    continue;
                }
                let Some(Some(g)) = self.merc.get(li).and_then(|v| v.get(e.index)) else {
                    continue;
                };
                let d = match g {
                    Geometry::Polygon(_) | Geometry::MultiPolygon(_) if g.contains(&pt) => 0.0,
                    _ => Euclidean.distance(g, &pt),
                };
                if d > tol {
                    continue;
                }
                let size =
                    (e.env.upper()[0] - e.env.lower()[0]) * (e.env.upper()[1] - e.env.lower()[1]);
                if best.is_none_or(|b| (d, size) < (b.0, b.1)) {
                    best = Some((d, size, e.index));
                }
            }
            if let Some((_, _, index)) = best {
                return Some(FeatureRef {
                    layer: name.to_string(),
                    index,
                });
            }
        }
        None
    }

    /// Features of `layers` whose envelope lies inside the Mercator box `[x0, y0, x1, y1]`.
    pub fn in_box(
        &self,
        b: [f64; 4],
        layers: &[&str],
        keep: &dyn Fn(&FeatureRef) -> bool,
    ) -> Vec<FeatureRef> {
        let env = AABB::from_corners(
            [b[0].min(b[2]), b[1].min(b[3])],
            [b[0].max(b[2]), b[1].max(b[3])],
        );
        let mut out: Vec<FeatureRef> = self
            .tree
            .locate_in_envelope(&env)
            .filter_map(|e| {
                let name = self.layers.get(e.layer)?;
                layers.contains(&name.as_str()).then(|| FeatureRef {
                    layer: name.clone(),
                    index: e.index,
                })
            })
            .filter(|r| keep(r))
            .collect();
        out.sort();
        out
    }

    /// The nearest vertex (Mercator) of any feature of `layers` within `tol_m` of `p`.
    pub fn snap_vertex(&self, p: [f64; 2], tol_m: f64, layers: &[&str]) -> Option<[f64; 2]> {
        let env = AABB::from_corners([p[0] - tol_m, p[1] - tol_m], [p[0] + tol_m, p[1] + tol_m]);
        let mut best: Option<(f64, [f64; 2])> = None;
        for e in self.tree.locate_in_envelope_intersecting(&env) {
            let Some(name) = self.layers.get(e.layer) else {
                continue;
            };
            if !layers.contains(&name.as_str()) {
                continue;
            }
            let Some(Some(g)) = self.merc.get(e.layer).and_then(|v| v.get(e.index)) else {
                continue;
            };
            for c in g.coords_iter() {
                let d = (c.x - p[0]).hypot(c.y - p[1]);
                if d <= tol_m && best.is_none_or(|b| d < b.0) {
                    best = Some((d, [c.x, c.y]));
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
    use geo::{LineString, polygon};

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
        let a = vec![square, line];
        let b = vec![big];
        let idx = PickIndex::build([("top", a.as_slice()), ("bottom", b.as_slice())]);
        assert_eq!(idx.len(), 3);
        let keep = |_: &FeatureRef| true;
        let inside = lonlat_to_mercator(114.005, 22.005);
        let hit = idx.pick([inside.0, inside.1], 5.0, &["top", "bottom"], &keep);
        assert_eq!(
            hit,
            Some(FeatureRef {
                layer: "top".into(),
                index: 0
            })
        );
        // bottom first: the big polygon wins
        let hit = idx.pick([inside.0, inside.1], 5.0, &["bottom", "top"], &keep);
        assert_eq!(hit.map(|h| h.layer), Some("bottom".into()));
        // near the line (about 3 m east of it)
        let (lx, ly) = lonlat_to_mercator(114.02, 22.005);
        let hit = idx.pick([lx + 3.0, ly], 5.0, &["top"], &keep);
        assert_eq!(hit.map(|h| h.index), Some(1));
        assert!(idx.pick([lx + 30.0, ly], 5.0, &["top"], &keep).is_none());
        // a filter hides the square
        let no_square = |r: &FeatureRef| !(r.layer == "top" && r.index == 0);
        let hit = idx.pick([inside.0, inside.1], 5.0, &["top", "bottom"], &no_square);
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
        let idx = PickIndex::build([("p", pts.as_slice())]);
        let (x0, y0) = lonlat_to_mercator(114.0015, 21.999);
        let (x1, y1) = lonlat_to_mercator(114.0055, 22.001);
        let sel = idx.in_box([x0, y0, x1, y1], &["p"], &|_| true);
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
            .snap_vertex([px + 4.0, py - 3.0], 10.0, &["p"])
            .expect("snap");
        assert!((s[0] - px).abs() < 1e-6 && (s[1] - py).abs() < 1e-6);
        assert!(idx.snap_vertex([px + 40.0, py], 10.0, &["p"]).is_none());
    }
}
