//! The GPU side: a headless [`GpuContext`], and the [`MapRenderer`] that owns the pipelines
//! (one WGSL file per pipeline under `shaders/`), the per-layer buffers (uploaded once per data
//! change), the glyph atlas, and paints everything into a caller's `wgpu::RenderPass`.
//!
//! The renderer never creates a window: the app gives it a device and a target format and calls
//! [`MapRenderer::prepare`] then [`MapRenderer::paint`] from its own paint callback; offscreen
//! rendering (`render::offscreen`) uses the same two calls on a texture.

use super::boxes::BoxGrid;
use super::camera::{Camera, LocalOrigin};
use super::style::Rgba;
use super::tessellate::{GeoVertex, LabelAnchor, LayerMesh, MarkerInstance, MeshChunk};
use super::text::{ATLAS_SIZE, GlyphAtlas, TextVertex};
use super::{RenderError, Scene};
use wgpu::util::DeviceExt;

/// WGSL source of the fill/stroke pipeline.
pub const GEO_WGSL: &str = include_str!("../../shaders/geo.wgsl");
/// WGSL source of the point-marker pipeline.
pub const MARKER_WGSL: &str = include_str!("../../shaders/marker.wgsl");
/// WGSL source of the text pipeline.
pub const TEXT_WGSL: &str = include_str!("../../shaders/text.wgsl");
/// Every shader: (file name, source).
pub const SHADERS: &[(&str, &str)] = &[
    ("geo.wgsl", GEO_WGSL),
    ("marker.wgsl", MARKER_WGSL),
    ("text.wgsl", TEXT_WGSL),
    ("composite.wgsl", super::canvas::COMPOSITE_WGSL),
];

/// A device and queue without a window.
pub struct GpuContext {
    /// The instance.
    pub instance: wgpu::Instance,
    /// The adapter chosen.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
}

impl GpuContext {
    /// Open the first adapter wgpu offers (backends from `WGPU_BACKEND` when set; a software
    /// adapter such as lavapipe or llvmpipe is accepted).
    pub fn new_headless() -> Result<Self, RenderError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            apply_limit_buckets: false,
        }))
        .or_else(|_| {
            pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::LowPower,
                force_fallback_adapter: true,
                compatible_surface: None,
                apply_limit_buckets: false,
            }))
        })
        .map_err(|e| RenderError::NoAdapter(e.to_string()))?;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("hetao-render"),
            required_features: wgpu::Features::empty(),
            required_limits: limits,
            ..Default::default()
        }))
        .map_err(|e| RenderError::Device(e.to_string()))?;
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
        })
    }

    /// The process's one headless context, opened on first use and kept: opening a device
    /// costs hundreds of milliseconds, and a software driver (lavapipe) keeps about half a
    /// megabyte per device ever opened, so a long session that exports many maps must not
    /// open one per map. A failure is not kept (the next call tries again).
    pub fn shared_headless() -> Result<std::sync::Arc<Self>, RenderError> {
        use std::sync::{Arc, Mutex, OnceLock};
        static SHARED: OnceLock<Mutex<Option<Arc<GpuContext>>>> = OnceLock::new();
        let cell = SHARED.get_or_init(|| Mutex::new(None));
        let mut slot = cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(ctx) = slot.as_ref() {
            return Ok(Arc::clone(ctx));
        }
        let ctx = Arc::new(Self::new_headless()?);
        *slot = Some(Arc::clone(&ctx));
        Ok(ctx)
    }

    /// Free what dropped resources still hold: wgpu destroys a dropped buffer, texture or
    /// pipeline only once a later submission completes, so a long-lived context whose
    /// renderer was dropped after its last frame would keep it (about 3.7 MB per
    /// [`MapRenderer`], its glyph atlas and pipelines) until the next frame. Call after
    /// dropping a renderer on a shared context.
    pub fn settle(&self) {
        self.queue.submit([]);
        let _ = self.device.poll(wgpu::PollType::wait_indefinitely());
    }

    /// A one-line description of the adapter ("llvmpipe (LLVM 15.0.6, 256 bits) / Vulkan").
    pub fn describe(&self) -> String {
        let i = self.adapter.get_info();
        format!("{} / {:?}", i.name, i.backend)
    }
}

/// The view uniform shared by every shader (see `shaders/geo.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct ViewUniform {
    center: [f32; 2],
    scale: [f32; 2],
    px_to_clip: [f32; 2],
    srgb_out: f32,
    pixel_ratio: f32,
}

/// A text item of the screen overlay (logical px, baseline start).
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayText {
    /// Baseline start, logical px from the top-left corner.
    pub pos: [f32; 2],
    /// The text.
    pub text: String,
    /// Size, logical px.
    pub size: f32,
    /// Colour.
    pub color: Rgba,
    /// Halo colour, if any.
    pub halo: Option<Rgba>,
}

/// Screen-space decorations (legend, scale bar, ...): shapes in logical px plus text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Shape vertices (positions in logical px, y down; offsets as for map strokes).
    pub vertices: Vec<GeoVertex>,
    /// Triangle indices.
    pub indices: Vec<u32>,
    /// Text.
    pub texts: Vec<OverlayText>,
    /// Screen boxes `[x0, y0, x1, y1]` (logical px) that map labels must keep clear of.
    pub reserved: Vec<[f32; 4]>,
}

struct GpuLayer {
    name: String,
    /// The mesh's [`LayerMesh::serial`] (0: always re-uploaded).
    serial: u64,
    visible: bool,
    geo: Option<(wgpu::Buffer, wgpu::Buffer, u32)>,
    markers: Option<(wgpu::Buffer, u32)>,
    labels: Vec<LabelAnchor>,
    /// The mesh's parts ([`LayerMesh::chunks`]; empty: drawn whole).
    chunks: Vec<MeshChunk>,
    /// The index ranges of the parts in the last prepared view.
    draws: Vec<[u32; 2]>,
}

/// Logical pixels a view box is grown by before culling the parts of a big layer (strokes
/// and round joins reach beyond their vertices' positions).
const CULL_MARGIN_PX: f64 = 16.0;

/// The index ranges of the `chunks` that meet `view` (local metres `[x0, y0, x1, y1]`): all
/// fills first, then all strokes, neighbours merged into one range.
fn ranges_in_view(chunks: &[MeshChunk], view: [f64; 4]) -> Vec<[u32; 2]> {
    let meets = |c: &&MeshChunk| {
        let b = c.bbox.map(f64::from);
        b[0] <= view[2] && b[2] >= view[0] && b[1] <= view[3] && b[3] >= view[1]
    };
    let mut out: Vec<[u32; 2]> = Vec::new();
    for strokes in [false, true] {
        for c in chunks.iter().filter(meets) {
            let r = if strokes { c.strokes } else { c.fills };
            if r[1] <= r[0] {
                continue;
            }
            match out.last_mut() {
                Some(last) if last[1] == r[0] => last[1] = r[1],
                _ => out.push(r),
            }
        }
    }
    out
}

/// The render pipelines for one sample count.
struct Pipelines {
    geo: wgpu::RenderPipeline,
    marker: wgpu::RenderPipeline,
    text: wgpu::RenderPipeline,
}

/// The map renderer: pipelines, uploaded layers, glyph atlas.
pub struct MapRenderer {
    format: wgpu::TextureFormat,
    /// Samples per pixel of the pass `paint` draws into.
    samples: u32,
    pipes: Pipelines,
    /// The pipelines for a one-sample pass when `samples` is more ([`MapRenderer::paint_samples`]).
    single: Option<Pipelines>,
    world_view: wgpu::Buffer,
    world_bg: wgpu::BindGroup,
    screen_view: wgpu::Buffer,
    screen_bg: wgpu::BindGroup,
    atlas: GlyphAtlas,
    atlas_tex: wgpu::Texture,
    atlas_bg: wgpu::BindGroup,
    origin: LocalOrigin,
    layers: Vec<GpuLayer>,
    labels: Option<(wgpu::Buffer, u32)>,
    overlay_geo: Option<(wgpu::Buffer, wgpu::Buffer, u32)>,
    overlay_text: Option<(wgpu::Buffer, u32)>,
    /// Labels placed by the last `prepare` (for tests and hit-testing): text and logical px box.
    pub placed_labels: Vec<(String, [f32; 4])>,
    /// Whether `prepare` places the layers' own labels (the page layouts place theirs).
    pub map_labels: bool,
}

const GEO_ATTRS: [wgpu::VertexAttribute; 3] =
    wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Unorm8x4];
const MARKER_ATTRS: [wgpu::VertexAttribute; 5] = wgpu::vertex_attr_array![
    0 => Float32x2, 1 => Float32, 2 => Float32, 3 => Unorm8x4, 4 => Unorm8x4
];
const TEXT_ATTRS: [wgpu::VertexAttribute; 4] =
    wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Float32x2, 3 => Unorm8x4];

impl MapRenderer {
    /// Pipelines for a target `format` with `sample_count` samples per pixel (1, or 4 for MSAA;
    /// with 4, also for one sample: [`MapRenderer::paint_samples`]).
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        sample_count: u32,
    ) -> Result<Self, RenderError> {
        let atlas = GlyphAtlas::new().map_err(|e| RenderError::Text(e.to_string()))?;
        let view_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("view"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            }],
        });
        let atlas_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("atlas"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let mk_view = |label| {
            let buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: std::mem::size_of::<ViewUniform>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(label),
                layout: &view_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: buf.as_entire_binding(),
                }],
            });
            (buf, bg)
        };
        let (world_view, world_bg) = mk_view("world view");
        let (screen_view, screen_bg) = mk_view("screen view");
        let atlas_tex = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("glyph atlas"),
            size: wgpu::Extent3d {
                width: ATLAS_SIZE,
                height: ATLAS_SIZE,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::R8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("atlas"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let atlas_view = atlas_tex.create_view(&wgpu::TextureViewDescriptor::default());
        let atlas_bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("atlas"),
            layout: &atlas_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&atlas_view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&sampler),
                },
            ],
        });
        let blend = Some(wgpu::BlendState::ALPHA_BLENDING);
        let pipeline = |label: &str,
                        src: &str,
                        layouts: &[Option<&wgpu::BindGroupLayout>],
                        buffer: wgpu::VertexBufferLayout<'_>,
                        sample_count: u32| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(src.into()),
            });
            let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: layouts,
                immediate_size: 0,
            });
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some("vs_main"),
                    compilation_options: Default::default(),
                    buffers: &[Some(buffer)],
                },
                primitive: wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleList,
                    cull_mode: None,
                    ..Default::default()
                },
                depth_stencil: None,
                multisample: wgpu::MultisampleState {
                    count: sample_count,
                    mask: !0,
                    alpha_to_coverage_enabled: false,
                },
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some("fs_main"),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend,
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let make = |count: u32| Pipelines {
            geo: pipeline(
                "geo",
                GEO_WGSL,
                &[Some(&view_layout)],
                wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<GeoVertex>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &GEO_ATTRS,
                },
                count,
            ),
            marker: pipeline(
                "marker",
                MARKER_WGSL,
                &[Some(&view_layout)],
                wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<MarkerInstance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &MARKER_ATTRS,
                },
                count,
            ),
            text: pipeline(
                "text",
                TEXT_WGSL,
                &[Some(&view_layout), Some(&atlas_layout)],
                wgpu::VertexBufferLayout {
                    array_stride: std::mem::size_of::<TextVertex>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &TEXT_ATTRS,
                },
                count,
            ),
        };
        let pipes = make(sample_count);
        // the same pipelines without MSAA, for a pass of one sample
        let single = (sample_count > 1).then(|| make(1));
        Ok(Self {
            format,
            samples: sample_count,
            pipes,
            single,
            world_view,
            world_bg,
            screen_view,
            screen_bg,
            atlas,
            atlas_tex,
            atlas_bg,
            origin: LocalOrigin::default(),
            layers: Vec::new(),
            labels: None,
            overlay_geo: None,
            overlay_text: None,
            placed_labels: Vec::new(),
            map_labels: true,
        })
    }

    /// The target format the pipelines were built for.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Take a whole scene (its layers, in its order). A layer whose mesh has the serial of one
    /// already on the GPU ([`LayerMesh::serial`], same origin) keeps its buffers; only new
    /// meshes are uploaded. Call when the data, the styles or the year change, not per frame.
    /// A mesh that fails to upload is left out and the first error returned, after the rest
    /// is in.
    pub fn set_scene(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        scene: &Scene,
    ) -> Result<(), RenderError> {
        let mut old = std::mem::take(&mut self.layers);
        if self.origin != scene.origin {
            old.clear();
        }
        self.origin = scene.origin;
        let mut first_err = None;
        for l in &scene.layers {
            let kept = old
                .iter()
                .position(|g| g.serial != 0 && g.serial == l.mesh.serial && g.name == l.mesh.name);
            match kept {
                Some(i) => self.layers.push(old.swap_remove(i)),
                None => {
                    if let Err(e) = self.upload_layer(device, queue, &l.mesh) {
                        first_err.get_or_insert(e);
                    }
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Upload (or replace, by name) one tessellated layer; new layers go on top. The mesh must
    /// use the scene's origin ([`MapRenderer::origin`]).
    /// Out-of-memory and validation errors (a layer too large for the device) are returned,
    /// and the layer is then left out.
    pub fn upload_layer(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        mesh: &LayerMesh,
    ) -> Result<(), RenderError> {
        let max = device.limits().max_buffer_size;
        let vbytes = (mesh.vertices.len() * std::mem::size_of::<GeoVertex>()) as u64;
        let ibytes = (mesh.indices.len() * 4) as u64;
        if vbytes > max || ibytes > max {
            return Err(RenderError::Device(format!(
                "layer {} needs a {} MB buffer; the device allows {} MB",
                mesh.name,
                vbytes.max(ibytes) >> 20,
                max >> 20
            )));
        }
        let validation_scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom_scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let geo = (!mesh.indices.is_empty()).then(|| {
            let vb = upload_buffer(
                device,
                queue,
                "layer vertices",
                bytemuck::cast_slice(&mesh.vertices),
                wgpu::BufferUsages::VERTEX,
            );
            let ib = upload_buffer(
                device,
                queue,
                "layer indices",
                bytemuck::cast_slice(&mesh.indices),
                wgpu::BufferUsages::INDEX,
            );
            (vb, ib, mesh.indices.len() as u32)
        });
        let markers = (!mesh.markers.is_empty()).then(|| {
            let b = upload_buffer(
                device,
                queue,
                "layer markers",
                bytemuck::cast_slice(&mesh.markers),
                wgpu::BufferUsages::VERTEX,
            );
            (b, mesh.markers.len() as u32)
        });
        let gl = GpuLayer {
            name: mesh.name.clone(),
            serial: mesh.serial,
            visible: true,
            geo,
            markers,
            labels: mesh.labels.clone(),
            chunks: mesh.chunks.clone(),
            draws: Vec::new(),
        };
        match self.layers.iter_mut().find(|l| l.name == mesh.name) {
            Some(slot) => {
                let visible = slot.visible;
                *slot = gl;
                slot.visible = visible;
            }
            None => self.layers.push(gl),
        }
        let oom = pollster::block_on(oom_scope.pop());
        let invalid = pollster::block_on(validation_scope.pop());
        if let Some(e) = oom.or(invalid) {
            self.layers.retain(|l| l.name != mesh.name);
            return Err(RenderError::Device(format!("layer {}: {e}", mesh.name)));
        }
        Ok(())
    }

    /// The local origin geometry is relative to.
    pub fn origin(&self) -> LocalOrigin {
        self.origin
    }

    /// Set the local origin (before uploading layers tessellated against it).
    pub fn set_origin(&mut self, origin: LocalOrigin) {
        self.origin = origin;
    }

    /// Show or hide a layer by name; returns false when there is no such layer.
    pub fn set_layer_visible(&mut self, name: &str, visible: bool) -> bool {
        match self.layers.iter_mut().find(|l| l.name == name) {
            Some(l) => {
                l.visible = visible;
                true
            }
            None => false,
        }
    }

    /// Per-frame work: write the view uniforms for `camera`, lay out the labels (greedy, no
    /// overlaps), and upload the overlay. `camera.width/height` must be the viewport of the
    /// render pass in logical px; `pixel_ratio` its physical density.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        camera: &Camera,
        overlay: Option<&Overlay>,
    ) {
        let srgb_out = if self.format.is_srgb() { 1.0 } else { 0.0 };
        let (w, h) = (camera.width.max(1.0), camera.height.max(1.0));
        let mpp = camera.metres_per_pixel();
        let (cx, cy) = camera.center_mercator();
        let px_to_clip = [(2.0 / w) as f32, (-2.0 / h) as f32];
        let world = ViewUniform {
            center: [(cx - self.origin.x) as f32, (cy - self.origin.y) as f32],
            scale: [(2.0 / (w * mpp)) as f32, (2.0 / (h * mpp)) as f32],
            px_to_clip,
            srgb_out,
            pixel_ratio: camera.pixel_ratio as f32,
        };
        let screen = ViewUniform {
            center: [(w / 2.0) as f32, (h / 2.0) as f32],
            scale: px_to_clip,
            px_to_clip,
            srgb_out,
            pixel_ratio: camera.pixel_ratio as f32,
        };
        queue.write_buffer(&self.world_view, 0, bytemuck::bytes_of(&world));
        queue.write_buffer(&self.screen_view, 0, bytemuck::bytes_of(&screen));
        let view = self.local_view(camera);
        for l in &mut self.layers {
            if !l.chunks.is_empty() {
                l.draws = ranges_in_view(&l.chunks, view);
            }
        }

        let ratio = camera.pixel_ratio as f32;
        // labels: halos of all first, then text
        let (mut text, mut halo) = (Vec::new(), Vec::new());
        self.placed_labels.clear();
        let mut boxes = BoxGrid::new(w as f32, h as f32);
        for r in overlay.map(|o| o.reserved.as_slice()).unwrap_or_default() {
            boxes.insert(*r);
        }
        for li in (0..self.layers.len()).rev() {
            // top layers get first pick
            if !self.layers[li].visible || !self.map_labels {
                continue;
            }
            for a in &self.layers[li].labels {
                let mx = f64::from(a.pos[0]) + self.origin.x;
                let my = f64::from(a.pos[1]) + self.origin.y;
                let (px, py) = camera.mercator_to_pixel(mx, my);
                let (tw, asc, desc) = self.atlas.measure(&a.text, a.size);
                let (ox, oy) = if a.marker_radius > 0.0 {
                    (a.marker_radius + 3.0, (asc - desc) / 2.0)
                } else {
                    (-tw / 2.0, (asc - desc) / 2.0)
                };
                let (px, py) = (px as f32, py as f32);
                let b = [
                    px + ox - 2.0,
                    py + oy - asc - 2.0,
                    px + ox + tw + 2.0,
                    py + oy + desc + 2.0,
                ];
                if b[0] < 0.0 || b[1] < 0.0 || b[2] > w as f32 || b[3] > h as f32 {
                    continue;
                }
                if boxes.overlaps(b) {
                    continue;
                }
                boxes.insert(b);
                self.placed_labels.push((a.text.clone(), b));
                self.atlas.layout(
                    &a.text,
                    a.size,
                    ratio,
                    a.pos,
                    [ox, oy],
                    a.color,
                    Some(a.halo),
                    &mut text,
                    &mut halo,
                );
            }
        }
        halo.extend_from_slice(&text);
        // one label buffer, reused frame after frame (grown to the next power of two when the
        // labels no longer fit), instead of a new buffer every frame
        let bytes: &[u8] = bytemuck::cast_slice(&halo);
        let need = bytes.len() as u64;
        let fits = self.labels.as_ref().is_some_and(|(b, _)| b.size() >= need);
        if !fits && need > 0 {
            let buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("labels"),
                size: need.next_power_of_two().max(16 * 1024),
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            self.labels = Some((buf, 0));
        }
        if let Some((buf, n)) = &mut self.labels {
            if need > 0 {
                queue.write_buffer(buf, 0, bytes);
            }
            *n = halo.len() as u32;
        }

        self.overlay_geo = None;
        self.overlay_text = None;
        if let Some(o) = overlay {
            if !o.indices.is_empty() {
                let vb = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("overlay vertices"),
                    contents: bytemuck::cast_slice(&o.vertices),
                    usage: wgpu::BufferUsages::VERTEX,
                });
                let ib = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("overlay indices"),
                    contents: bytemuck::cast_slice(&o.indices),
                    usage: wgpu::BufferUsages::INDEX,
                });
                self.overlay_geo = Some((vb, ib, o.indices.len() as u32));
            }
            let (mut text, mut halo) = (Vec::new(), Vec::new());
            for t in &o.texts {
                self.atlas.layout(
                    &t.text,
                    t.size,
                    ratio,
                    t.pos,
                    [0.0, 0.0],
                    t.color,
                    t.halo,
                    &mut text,
                    &mut halo,
                );
            }
            halo.extend_from_slice(&text);
            if !halo.is_empty() {
                let b = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("overlay text"),
                    contents: bytemuck::cast_slice(&halo),
                    usage: wgpu::BufferUsages::VERTEX,
                });
                self.overlay_text = Some((b, halo.len() as u32));
            }
        }
        if self.atlas.dirty {
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &self.atlas_tex,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                &self.atlas.pixels,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(ATLAS_SIZE),
                    rows_per_image: Some(ATLAS_SIZE),
                },
                wgpu::Extent3d {
                    width: ATLAS_SIZE,
                    height: ATLAS_SIZE,
                    depth_or_array_layers: 1,
                },
            );
            self.atlas.dirty = false;
        }
    }

    /// Indices (three per triangle) the visible layers draw for `camera` (a big layer's parts
    /// off screen left out): what a frame of them costs, for callers that decide whether to
    /// redraw while the view moves ([`crate::render::canvas`]).
    pub fn indices_in_view(&self, camera: &Camera) -> u64 {
        let view = self.local_view(camera);
        self.layers
            .iter()
            .filter(|l| l.visible)
            .filter_map(|l| {
                let (_, _, n) = l.geo.as_ref()?;
                Some(if l.chunks.is_empty() {
                    u64::from(*n)
                } else {
                    ranges_in_view(&l.chunks, view)
                        .iter()
                        .map(|r| u64::from(r[1] - r[0]))
                        .sum()
                })
            })
            .sum()
    }

    /// The view of `camera` in local metres, grown by [`CULL_MARGIN_PX`].
    fn local_view(&self, camera: &Camera) -> [f64; 4] {
        let b = camera.mercator_bounds();
        let m = CULL_MARGIN_PX * camera.metres_per_pixel();
        [
            b[0] - m - self.origin.x,
            b[1] - m - self.origin.y,
            b[2] + m - self.origin.x,
            b[3] + m - self.origin.y,
        ]
    }

    /// Draw the visible layers (in order), then the labels, then the overlay, into `pass`.
    /// The pass's colour target must have the format and sample count given to [`MapRenderer::new`].
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>) {
        self.paint_samples(pass, self.samples);
    }

    /// [`MapRenderer::paint`] into a pass of `samples` samples per pixel: the count given to
    /// [`MapRenderer::new`], or 1.
    pub fn paint_samples(&self, pass: &mut wgpu::RenderPass<'_>, samples: u32) {
        let p = match &self.single {
            Some(single) if samples == 1 => single,
            _ => &self.pipes,
        };
        for l in self.layers.iter().filter(|l| l.visible) {
            if let Some((vb, ib, n)) = &l.geo {
                pass.set_pipeline(&p.geo);
                pass.set_bind_group(0, &self.world_bg, &[]);
                pass.set_vertex_buffer(0, vb.slice(..));
                pass.set_index_buffer(ib.slice(..), wgpu::IndexFormat::Uint32);
                if l.chunks.is_empty() {
                    pass.draw_indexed(0..*n, 0, 0..1);
                } else {
                    for r in &l.draws {
                        pass.draw_indexed(r[0]..r[1], 0, 0..1);
                    }
                }
            }
            if let Some((mb, n)) = &l.markers {
                pass.set_pipeline(&p.marker);
                pass.set_bind_group(0, &self.world_bg, &[]);
                pass.set_vertex_buffer(0, mb.slice(..));
                pass.draw(0..6, 0..*n);
            }
        }
        if let Some((b, n)) = &self.labels
            && *n > 0
        {
            pass.set_pipeline(&p.text);
            pass.set_bind_group(0, &self.world_bg, &[]);
            pass.set_bind_group(1, &self.atlas_bg, &[]);
            pass.set_vertex_buffer(0, b.slice(..));
            pass.draw(0..*n, 0..1);
        }
        if let Some((vb, ib, n)) = &self.overlay_geo {
            pass.set_pipeline(&p.geo);
            pass.set_bind_group(0, &self.screen_bg, &[]);
            pass.set_vertex_buffer(0, vb.slice(..));
            pass.set_index_buffer(ib.slice(..), wgpu::IndexFormat::Uint32);
            pass.draw_indexed(0..*n, 0, 0..1);
        }
        if let Some((b, n)) = &self.overlay_text {
            pass.set_pipeline(&p.text);
            pass.set_bind_group(0, &self.screen_bg, &[]);
            pass.set_bind_group(1, &self.atlas_bg, &[]);
            pass.set_vertex_buffer(0, b.slice(..));
            pass.draw(0..*n, 0..1);
        }
    }
}

/// Bytes per write of a layer upload ([`upload_buffer`]).
const UPLOAD_CHUNK: usize = 4 << 20;

/// A GPU buffer of `usage` holding `bytes`, written through the queue in runs of
/// [`UPLOAD_CHUNK`] bytes: the queue's staging memory for a big layer then stays a few MB
/// instead of a second copy of the whole layer (which a software GPU keeps in RAM).
fn upload_buffer(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    let align = wgpu::COPY_BUFFER_ALIGNMENT as usize;
    let size = bytes.len().div_ceil(align) * align;
    let buf = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size as u64,
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut offset = 0;
    for run in bytes.chunks(UPLOAD_CHUNK) {
        if run.len() % align == 0 {
            queue.write_buffer(&buf, offset as u64, run);
        } else {
            // the last run of an odd length: padded with zeros to the copy alignment
            let mut padded = run.to_vec();
            padded.resize(run.len().div_ceil(align) * align, 0);
            queue.write_buffer(&buf, offset as u64, &padded);
        }
        offset += run.len();
    }
    buf
}
