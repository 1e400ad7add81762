//! The map renderer (wgpu; never egui, eframe or winit).
//!
//! Data flows one way: a [`Dataset`] and a [`StyleSet`] are tessellated on the CPU into a
//! [`Scene`] (once per data, style or year change), the scene is uploaded to GPU buffers by a
//! [`MapRenderer`], and each frame the renderer is `prepare`d for a [`Camera`] and `paint`s into
//! a render pass — the app's (from an egui_wgpu paint callback) or an offscreen texture
//! ([`offscreen::render_image`]) that is read back to PNG ([`snapshot`]).
//!
//! Modules: [`camera`] (Web Mercator view, local origin), [`style`] (layer styles from
//! `data/styles/*.json`), [`tessellate`] (fills, strokes, markers, label anchors), [`text`]
//! (font and glyph atlas), [`lod`] (big layers: fills always, outlines near the view), [`gpu`] (device, pipelines, painting), [`offscreen`] (texture →
//! image → PNG), [`overlay`] (legend, scale bar, north arrow, title, attribution), [`snapshot`]
//! (the whole snapshot job, used by `hetao snapshot`), [`layout`] (page layouts: paper, map
//! frame, furniture, labels → a display list in points), [`page_png`], [`pdf`] and [`svg`]
//! (the display list's three back ends), [`series`] (a year series as GIF frames).

mod boxes;
pub mod camera;
pub mod canvas;
pub mod gpu;
pub mod layout;
pub mod lod;
pub mod offscreen;
pub mod overlay;
pub mod page_png;
pub mod pdf;
pub mod series;
pub mod snapshot;
pub mod style;
pub mod svg;
pub mod tessellate;
pub mod text;

pub use camera::{Camera, LocalOrigin};
pub use gpu::{GpuContext, MapRenderer, Overlay, OverlayText};
pub use offscreen::{Image, render_image};
pub use style::{Rgba, Style, StyleError, StyleSet};
pub use tessellate::{Filter, LayerMesh, MeshChunk};

use crate::core::model::Dataset;

/// Errors from the renderer.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No GPU adapter (not even a software one) is available.
    #[error(
        "no GPU adapter available ({0}); install a Vulkan or GL driver (e.g. mesa-vulkan-drivers for lavapipe)"
    )]
    NoAdapter(String),
    /// The device failed.
    #[error("GPU device error: {0}")]
    Device(String),
    /// The font failed.
    #[error("text: {0}")]
    Text(String),
    /// PNG encoding/decoding failed.
    #[error("PNG: {0}")]
    Png(String),
    /// The requested image exceeds the device's texture limit.
    #[error("image {width}×{height} px exceeds the GPU limit of {max} px per side")]
    TooLarge {
        /// Width asked for, px.
        width: u32,
        /// Height asked for, px.
        height: u32,
        /// The limit.
        max: u32,
    },
    /// Writing a PDF, SVG or GIF failed.
    #[error("{0}")]
    Encode(String),
    /// A style is invalid.
    #[error(transparent)]
    Style(#[from] StyleError),
}

/// One layer of a scene: its style, its tessellated mesh, and its metadata.
#[derive(Debug, Clone)]
pub struct SceneLayer {
    /// Layer name.
    pub name: String,
    /// The style it was drawn with.
    pub style: Style,
    /// Tessellated geometry, shared (the app's mesh cache and every scene built from it hold
    /// the same mesh: a scene rebuild copies no vertices).
    pub mesh: std::sync::Arc<LayerMesh>,
    /// Attribution (the layer's own, else its style's).
    pub attribution: Option<String>,
    /// The data is illustrative (generated or schematic).
    pub illustrative: bool,
}

/// What goes into a scene.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneOptions {
    /// "As of year Y" (see [`Filter`]).
    pub year: Option<i32>,
    /// Only these layers (by name), in dataset order; `None`: every layer whose style is
    /// visible by default.
    pub layers: Option<Vec<String>>,
}

/// Tessellated layers with a shared local origin, ready to upload.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// Origin of all positions.
    pub origin: LocalOrigin,
    /// The layers, bottom to top.
    pub layers: Vec<SceneLayer>,
}

impl Scene {
    /// Tessellate the chosen layers of `dataset` with `styles`. The origin is the centre of
    /// the chosen layers' extent.
    pub fn build(dataset: &Dataset, styles: &StyleSet, opts: &SceneOptions) -> Scene {
        let chosen: Vec<_> = dataset
            .layers
            .iter()
            .filter(|l| match &opts.layers {
                Some(names) => names.iter().any(|n| n == &l.name),
                None => styles.for_layer(&l.name).visible,
            })
            .collect();
        let bbox = crate::core::measure::bbox_of_all(
            chosen
                .iter()
                .flat_map(|l| &l.features)
                .filter_map(|f| f.geometry.as_ref()),
        );
        let origin = bbox
            .map(|b| LocalOrigin::from_lonlat((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0))
            .unwrap_or_default();
        let filter = Filter { year: opts.year };
        let layers = chosen
            .into_iter()
            .map(|l| {
                let style = styles.for_layer(&l.name);
                let mesh = tessellate::tessellate_layer(l, &style, filter, origin);
                SceneLayer {
                    name: l.name.clone(),
                    attribution: l.attribution.clone().or_else(|| style.attribution.clone()),
                    illustrative: l.illustrative,
                    style,
                    mesh: std::sync::Arc::new(mesh),
                }
            })
            .collect();
        Scene { origin, layers }
    }

    /// Lon/lat box `[w, s, e, n]` of the drawn features of the named layers (all layers when
    /// `names` is empty).
    pub fn bbox_of(&self, names: &[&str]) -> Option<[f64; 4]> {
        self.layers
            .iter()
            .filter(|l| names.is_empty() || names.contains(&l.name.as_str()))
            .filter_map(|l| l.mesh.bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }

    /// The default view's lon/lat box: the extent of the layers whose style says `fit`, else
    /// of every layer; `None` for a scene with nothing drawn.
    pub fn fit_bbox(&self) -> Option<[f64; 4]> {
        let fit: Vec<&str> = self
            .layers
            .iter()
            .filter(|l| l.style.fit)
            .map(|l| l.name.as_str())
            .collect();
        self.bbox_of(&fit)
    }

    /// The scene layer with this name.
    pub fn layer(&self, name: &str) -> Option<&SceneLayer> {
        self.layers.iter().find(|l| l.name == name)
    }
}
