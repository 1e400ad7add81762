//! The bridge between egui and the map renderer: an `egui_wgpu` paint callback that uploads
//! the current [`Scene`] when it changed (only the layers the renderer does not have yet;
//! the app then drops their CPU-side meshes: [`crate::app::cache::Caches::release_uploaded`]),
//! prepares the renderer for the frame's
//! camera and paints it into egui's own render pass (as egui's `custom3d_wgpu` example does).

use crate::render::{Camera, MapRenderer, Scene};
use eframe::egui_wgpu::{self, CallbackResources, CallbackTrait, ScreenDescriptor};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// MSAA samples of the window (eframe's `multisampling`) and so of the map pipelines.
pub const MSAA_SAMPLES: u16 = 4;

/// What lives in egui_wgpu's callback resources: the renderer and the scene it holds.
pub struct MapResources {
    renderer: MapRenderer,
    generation: u64,
    /// The scene generation last uploaded (read by the app: the screenshot waits for it).
    pub uploaded: Arc<AtomicU64>,
}

/// Create the renderer for eframe's wgpu target and register it; returns the shared
/// "uploaded generation" counter, or the error text.
pub fn install(rs: &egui_wgpu::RenderState) -> Result<Arc<AtomicU64>, String> {
    let renderer = MapRenderer::new(&rs.device, rs.target_format, u32::from(MSAA_SAMPLES))
        .map_err(|e| e.to_string())?;
    let uploaded = Arc::new(AtomicU64::new(0));
    rs.renderer.write().callback_resources.insert(MapResources {
        renderer,
        generation: 0,
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
}

impl CallbackTrait for MapCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
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
        r.renderer.prepare(device, queue, &self.camera, None);
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
            r.renderer.paint(pass);
        }
    }
}
