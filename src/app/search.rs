//! The app's search: the core matcher ([`crate::core::search`]) over the current document
//! (edits applied), the loaded layers and the reach destinations, rebuilt only when one of
//! them changes; results carry where to go (a feature to select, or a point to fly to).

use super::pick::FeatureRef;
use super::state::HetaoApp;
use crate::core::model::Layer;
use crate::core::search::{Kind, SearchIndex, Target, kind_of_layer};

/// The index and what it was built from (document revision; loaded layers' names and sizes).
#[derive(Debug, Default)]
pub struct SearchCache {
    key: Option<(u64, Vec<(String, usize)>)>,
    index: SearchIndex,
}

impl SearchCache {
    /// The index over `data` (bottom to top) and the loaded layers (on top), rebuilt when
    /// the revision or the loaded layers changed.
    pub fn get<'a>(
        &'a mut self,
        data: &[Layer],
        revision: u64,
        user: &[std::sync::Arc<Layer>],
    ) -> &'a SearchIndex {
        let key = (
            revision,
            user.iter()
                .map(|l| (l.name.clone(), l.features.len()))
                .collect::<Vec<_>>(),
        );
        if self.key.as_ref() != Some(&key) {
            let mut ix = SearchIndex::new();
            for l in user.iter().rev() {
                ix.add_layer(l, kind_of_layer(&l.name));
            }
            let zone = SearchIndex::zone(data.iter());
            for e in zone.entries() {
                ix.add_entry(e.clone());
            }
            self.index = ix;
            self.key = Some(key);
        }
        &self.index
    }
}

/// One result as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// Its group.
    pub kind: Kind,
    /// Label and detail ("Hong Kong Science Park (Pak Shek Kok)", "Travel-reach destination").
    pub label: String,
    /// Id, when it has one.
    pub id: Option<String>,
    /// What it is.
    pub detail: String,
    /// The feature, for features.
    pub feature: Option<FeatureRef>,
    /// Where it is (lon, lat).
    pub lonlat: Option<[f64; 2]>,
}

impl HetaoApp {
    /// Search buildings, units, places and destinations: at most `limit` results, grouped by
    /// kind (the first is where Enter goes).
    pub fn search_results(&mut self, q: &str, limit: usize) -> Vec<SearchResult> {
        let ix = self.search_index.get(
            &self.doc.current().layers,
            self.doc.revision,
            &self.user_layers,
        );
        ix.search(q, limit)
            .into_iter()
            .map(|h| {
                let e = h.entry;
                SearchResult {
                    kind: e.kind,
                    label: e.label.clone(),
                    id: e.id.clone(),
                    detail: e.detail.clone(),
                    feature: match &e.target {
                        Target::Feature { layer, index } => Some(FeatureRef {
                            layer: layer.clone(),
                            index: *index,
                        }),
                        Target::Point => None,
                    },
                    lonlat: e.lonlat,
                }
            })
            .collect()
    }

    /// Go to a result: select a feature and fly to it, or fly to a place.
    pub fn go_to_result(&mut self, r: &SearchResult) {
        match (&r.feature, r.lonlat) {
            (Some(f), _) => {
                self.fly_to_feature(f);
                self.select(Some(f.clone()));
                self.status = format!("found {}", r.label);
            }
            (None, Some([lon, lat])) => {
                let d = 0.004;
                let (w, h) = self.map_size;
                self.view
                    .fly_to_bbox([lon - d, lat - d, lon + d, lat + d], w, h, 16.0);
                self.status = format!("{} ({})", r.label, r.detail);
            }
            (None, None) => {}
        }
    }
}
