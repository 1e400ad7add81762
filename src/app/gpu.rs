//! The bridge between egui and the map renderer: an `egui_wgpu` paint callback that uploads
//! the current [`Scene`] when it changed (only the layers the renderer does not have yet;
//! the app then drops their CPU-side meshes: [`crate::app::cache::Caches::release_uploaded`]),
//! redraws the map into its [`MapCanvas`] when the view or the scene changed, and composites
//! the canvas into egui's own render pass (as egui's `custom3d_wgpu` example paints into it).
//!
//! A frame where only the panels, the hover or the overlay changed composites the last map
//! image. While the view is moving ([`MapCallback::moving`]) over a scene too big to redraw
//! every frame on this adapter ([`redraw_budget`]), the last image is shown moved and scaled
//! with the view, and the map is redrawn (without MSAA) when it settles.

use crate::render::canvas::{CANVAS_SAMPLES, MapCanvas};
use crate::render::snapshot::BACKGROUND;
use crate::render::{Camera, MapRenderer, Scene};
use eframe::egui_wgpu::{self, CallbackResources, CallbackTrait, ScreenDescriptor};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// MSAA samples of the window (eframe's `multisampling`): none, egui feathers its own edges
/// and the map has its own ([`CANVAS_SAMPLES`]).
pub const WINDOW_SAMPLES: u16 = 1;

/// The most indices a redraw may draw while the view moves, and with MSAA, on an adapter of
/// `kind`: a software rasteriser (llvmpipe, lavapipe, WARP) draws about 1.5 M indices
/// (500,000 triangles) in the 100 ms a frame may take; a GPU draws many times that in a
/// millisecond. A bigger view is drawn without MSAA, and not while the view moves.
pub fn redraw_budget(kind: wgpu::DeviceType) -> u64 {
    match kind {
        wgpu::DeviceType::Cpu => 1_500_000,
        _ => 200_000_000,
    }
}

/// What lives in egui_wgpu's callback resources: the renderer, its canvas and the scene it holds.
pub struct MapResources {
    renderer: MapRenderer,
    canvas: MapCanvas,
    generation: u64,
    budget: u64,
    /// The scene generation last uploaded (read by the app: the screenshot waits for it).
    pub uploaded: Arc<AtomicU64>,
}

/// Create the renderer for eframe's wgpu target and register it; returns the shared
/// "uploaded generation" counter, or the error text.
pub fn install(rs: &egui_wgpu::RenderState) -> Result<Arc<AtomicU64>, String> {
    let renderer = MapRenderer::new(&rs.device, rs.target_format, CANVAS_SAMPLES)
        .map_err(|e| e.to_string())?;
    let mut canvas = MapCanvas::new(&rs.device, rs.target_format, u32::from(WINDOW_SAMPLES));
    let mut renderer = renderer;
    canvas
        .warm_up(&rs.device, &rs.queue, &mut renderer)
        .map_err(|e| e.to_string())?;
    let uploaded = Arc::new(AtomicU64::new(0));
    rs.renderer.write().callback_resources.insert(MapResources {
        renderer,
        canvas,
        generation: 0,
        budget: redraw_budget(rs.adapter.get_info().device_type),
        uploaded: uploaded.clone(),
    });
    Ok(uploaded)
}

/// One frame's map paint.
pub struct MapCallback {
    /// The scene and its generation (uploaded when the generation changes).
    pub scene: Arc<Scene>,
    /// Its generation (starts at 1).
    pub generation: u64,
    /// The camera for the callback's rectangle.
    pub camera: Camera,
    /// Layer visibility by name.
    pub visibility: Vec<(String, bool)>,
    /// Whether the view is being moved (a drag, a wheel or key zoom just now): a slow redraw
    /// then waits until it settles.
    pub moving: bool,
    /// The callback rectangle in physical px as egui's pass will set its viewport (the
    /// rounded corners' difference, [`viewport_px`]): the canvas's image is exactly this size,
    /// one texel per pixel.
    pub viewport_px: [u32; 2],
}

/// The size in physical px of the viewport egui sets for a paint callback over `rect` (logical
/// px) at `pixels_per_point`: the difference of its rounded corners, which can differ by a
/// pixel from its rounded size.
pub fn viewport_px(rect: eframe::egui::Rect, pixels_per_point: f32) -> [u32; 2] {
    let min = (rect.min.to_vec2() * pixels_per_point).round();
    let max = (rect.max.to_vec2() * pixels_per_point).round();
    [
        (max.x - min.x).max(1.0) as u32,
        (max.y - min.y).max(1.0) as u32,
    ]
}

impl MapCallback {
    /// The camera the canvas draws with: the frame's, sized to the viewport's pixels (at most
    /// half a pixel from the rectangle's logical size).
    fn draw_camera(&self) -> Camera {
        let mut c = self.camera;
        let ratio = c.pixel_ratio.max(1e-6);
        c.width = f64::from(self.viewport_px[0]) / ratio;
        c.height = f64::from(self.viewport_px[1]) / ratio;
        c
    }

    /// The key of what the map shows besides the camera.
    fn content(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.generation.hash(&mut h);
        self.visibility.hash(&mut h);
        h.finish()
    }
}

impl CallbackTrait for MapCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &ScreenDescriptor,
        encoder: &mut wgpu::CommandEncoder,
        resources: &mut CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(r) = resources.get_mut::<MapResources>() else {
            return Vec::new();
        };
        if r.generation != self.generation {
            // A scene the GPU cannot take (e.g. a buffer over the device's limits) keeps the
            // previous one on screen; the app keeps running and says why once.
            if let Err(e) = r.renderer.set_scene(device, queue, &self.scene) {
                eprintln!("map: cannot upload scene {}: {e}", self.generation);
            }
            r.generation = self.generation;
        }
        for (name, v) in &self.visibility {
            r.renderer.set_layer_visible(name, *v);
        }
        let camera = self.draw_camera();
        let content = self.content();
        if !r.canvas.is_current(&camera, content) {
            // the same content for another view, too big to redraw this frame: show it moved
            let big = r.renderer.indices_in_view(&camera) > r.budget;
            let defer =
                self.moving && big && r.canvas.shown().is_some_and(|s| s.content == content);
            if !defer {
                r.renderer.prepare(device, queue, &camera, None);
                r.canvas.redraw(
                    device,
                    encoder,
                    &r.renderer,
                    &camera,
                    content,
                    BACKGROUND,
                    // MSAA quadruples a software GPU's work: not for a scene that is already slow
                    if big { 1 } else { CANVAS_SAMPLES },
                );
            }
        }
        r.canvas.place(queue, &camera);
        r.uploaded.store(self.generation, Ordering::Release);
        Vec::new()
    }

    fn paint(
        &self,
        _info: eframe::egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &CallbackResources,
    ) {
        if let Some(r) = resources.get::<MapResources>() {
            r.canvas.paint(pass);
        }
    }
}
