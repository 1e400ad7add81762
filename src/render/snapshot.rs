//! The snapshot job: choose the view, tessellate the dataset, render offscreen with the overlay,
//! and produce the PNG bytes and the world file (`hetao snapshot` is a thin wrapper).

use super::camera::Camera;
use super::gpu::{GpuContext, MapRenderer};
use super::offscreen::{Image, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES, render_image};
use super::overlay::{OverlayOptions, build as build_overlay};
use super::style::{Rgba, StyleSet};
use super::{RenderError, Scene, SceneOptions};
use crate::core::model::Dataset;

/// The view of a scene with nothing drawn: the whole Web Mercator world.
pub const WORLD_BBOX: [f64; 4] = [-180.0, -85.0, 180.0, 85.0];

/// Map background (sea and unmapped land), sRGB.
pub const BACKGROUND: Rgba = Rgba([226, 236, 242, 255]);

/// How the view is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum View {
    /// The data's default view ([`crate::render::Scene::fit_bbox`]: the layers whose style
    /// says `fit`, else everything drawn).
    Auto,
    /// Fit this lon/lat box `[w, s, e, n]`.
    Bbox([f64; 4]),
    /// Centre and zoom.
    Center {
        /// Longitude, degrees.
        lon: f64,
        /// Latitude, degrees.
        lat: f64,
        /// Web Mercator zoom.
        zoom: f64,
    },
}

/// Everything a snapshot needs besides the data.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRequest {
    /// Width, logical px.
    pub width: u32,
    /// Height, logical px.
    pub height: u32,
    /// The view.
    pub view: View,
    /// Pixel density (2: twice the pixels, same map).
    pub scale: f64,
    /// Layer choice and year.
    pub scene: SceneOptions,
    /// Title, date, year line.
    pub overlay: Option<OverlayOptions>,
}

impl Default for SnapshotRequest {
    fn default() -> Self {
        Self {
            width: 1200,
            height: 900,
            view: View::Auto,
            scale: 1.0,
            scene: SceneOptions::default(),
            overlay: Some(OverlayOptions::default()),
        }
    }
}

/// A rendered snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The pixels.
    pub image: Image,
    /// The camera used (for world files and pixel ↔ lon/lat).
    pub camera: Camera,
    /// The scene drawn.
    pub scene: Scene,
    /// Adapter description.
    pub adapter: String,
}

/// The world file (`.pgw`) that goes beside a snapshot PNG: the PNG's path with the extension
/// `pgw`. `None` when that would be the PNG itself (an output named `*.pgw`), so that a world
/// file can never replace the image the user named.
pub fn world_file_path(png: &std::path::Path) -> Option<std::path::PathBuf> {
    let pgw = png.with_extension("pgw");
    (pgw != png).then_some(pgw)
}

/// The camera for a request over a scene.
pub fn camera_for(req: &SnapshotRequest, scene: &Scene) -> Camera {
    let (w, h) = (f64::from(req.width.max(1)), f64::from(req.height.max(1)));
    let mut cam = match req.view {
        View::Center { lon, lat, zoom } => Camera::new(lon, lat, zoom.clamp(0.0, 24.0), w, h),
        View::Bbox(b) => Camera::fit_bbox(b, w, h, 0.0),
        View::Auto => {
            let bb = scene.fit_bbox().unwrap_or(WORLD_BBOX);
            Camera::fit_bbox(bb, w, h, 40.0)
        }
    };
    cam.pixel_ratio = if req.scale.is_finite() {
        req.scale.clamp(0.25, 8.0)
    } else {
        1.0
    };
    cam
}

/// Render a snapshot of `dataset` with `styles`.
pub fn render_snapshot(
    ctx: &GpuContext,
    dataset: &Dataset,
    styles: &StyleSet,
    req: &SnapshotRequest,
) -> Result<Snapshot, RenderError> {
    let scene = Scene::build(dataset, styles, &req.scene);
    let camera = camera_for(req, &scene);
    let mut renderer = MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES)?;
    renderer.set_scene(&ctx.device, &ctx.queue, &scene)?;
    let overlay = req
        .overlay
        .as_ref()
        .map(|o| build_overlay(&scene, &camera, o));
    let image = render_image(ctx, &mut renderer, &camera, overlay.as_ref(), BACKGROUND)?;
    Ok(Snapshot {
        image,
        camera,
        scene,
        adapter: ctx.describe(),
    })
}
