//! Worker-side preparation of a loaded layer: everything the map needs from it that costs time
//! in proportion to its size — the tessellated mesh (the GPU's vertex and index bytes), the
//! pick tree and the extent — is built on the loading worker, so that the UI thread only
//! swaps the finished parts in ([`crate::app::HetaoApp::add_prepared_layer`] hands them to the
//! caches) and uploads the mesh.

use super::layers::LayerEntry;
use crate::core::index::SpatialIndex;
use crate::core::model::Layer;
use crate::render::tessellate::{Filter, LayerMesh, tessellate_layer};
use crate::render::{LocalOrigin, Style, StyleSet};
use std::sync::Arc;

/// A loaded layer with its mesh, pick tree and extent, ready to be added.
pub struct PreparedLayer {
    /// The layer's data.
    pub layer: Layer,
    /// The style the mesh was tessellated with (the layer entry's initial style).
    pub style: Style,
    /// The tessellated mesh (for the timeline year `year`).
    pub mesh: Arc<LayerMesh>,
    /// The year the mesh was filtered for.
    pub year: i32,
    /// The layer's pick tree.
    pub tree: SpatialIndex,
    /// Lon/lat extent `[w, s, e, n]` of its geometries, if any.
    pub bbox: Option<[f64; 4]>,
}

/// The lon/lat extent of a layer's geometries.
pub fn layer_bbox(layer: &Layer) -> Option<[f64; 4]> {
    crate::core::measure::bbox_of_all(layer.features.iter().filter_map(|f| f.geometry.as_ref()))
}

/// Prepare `layer` as a user layer drawn with its initial style from `styles`, for the
/// timeline `year`, positions relative to `origin` (on the calling thread: a worker).
pub fn prepare_layer(
    layer: Layer,
    styles: &StyleSet,
    year: i32,
    origin: LocalOrigin,
) -> PreparedLayer {
    let style = LayerEntry::new(&layer, styles, true).style;
    // a big layer's base part has no outlines (the caches add them near the view)
    let split = crate::render::lod::split_outlines(&style, layer.features.len());
    let base = split.as_ref().map_or(&style, |(b, _)| b);
    let mesh = tessellate_layer(&layer, base, Filter { year: Some(year) }, origin);
    let tree = SpatialIndex::build_layers(std::slice::from_ref(&layer));
    let bbox = layer_bbox(&layer);
    PreparedLayer {
        layer,
        style,
        mesh: Arc::new(mesh),
        year,
        tree,
        bbox,
    }
}
