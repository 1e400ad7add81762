//! The map canvas: the map drawn into its own texture (with its own MSAA, resolved) and
//! composited into a host's render pass — the app's egui pass — as one quad per frame.
//!
//! The map's layers are what costs: hundreds of thousands of polygons take hundreds of
//! milliseconds a frame on a software GPU. The canvas redraws them only when what they show
//! changes (the camera, or the `content` key: scene generation, visibility), not when the
//! pointer hovers or a panel repaints; those frames composite the last image. And while the
//! view is moving over a scene too big to redraw every frame ([`MapCanvas::redraw`] is then
//! skipped by the caller), the last image is shown moved and scaled to the current view
//! ([`image_rect`]), as QGIS's map canvas does, and redrawn once the view settles.
//!
//! The host pass needs no MSAA of its own (egui antialiases its shapes by feathering), which
//! on a software GPU quarters the cost of every panel.

use super::camera::Camera;
use super::gpu::MapRenderer;
use super::style::Rgba;

/// WGSL source of the composite pipeline.
pub const COMPOSITE_WGSL: &str = include_str!("../../shaders/composite.wgsl");

/// Samples per pixel of the canvas's drawing (resolved into the composited image): the map
/// renderer drawing into a canvas is made with this count.
pub const CANVAS_SAMPLES: u32 = 4;

/// What an image shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    /// The view it was drawn for.
    pub camera: Camera,
    /// The caller's key of everything else it depends on (scene, visibility).
    pub content: u64,
}

/// The textures of one image size.
struct Target {
    size: (u32, u32),
    /// The MSAA attachment (absent with one sample).
    msaa: Option<wgpu::TextureView>,
    /// The resolved image, sampled by the composite.
    image: wgpu::TextureView,
    bind: wgpu::BindGroup,
}

/// A map image and its composite pipeline.
pub struct MapCanvas {
    format: wgpu::TextureFormat,
    host_samples: u32,
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    place: wgpu::Buffer,
    target: Option<Target>,
    shown: Option<Shown>,
    /// Where the image lands in the host viewport, clip units, as last placed (`None`: not at all).
    placed: Option<[f32; 4]>,
}

impl MapCanvas {
    /// A canvas whose images have the host's colour `format`, composited into a host pass of
    /// `host_samples` samples per pixel.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat, host_samples: u32) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("canvas"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: false },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("composite"),
            source: wgpu::ShaderSource::Wgsl(COMPOSITE_WGSL.into()),
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("composite"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("composite"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState {
                count: host_samples.max(1),
                mask: !0,
                alpha_to_coverage_enabled: false,
            },
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                // the image is opaque (drawn on the map's background)
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let place = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("canvas place"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            format,
            host_samples: host_samples.max(1),
            pipeline,
            layout,
            place,
            target: None,
            shown: None,
            placed: None,
        }
    }

    /// What the image shows (`None` before the first redraw).
    pub fn shown(&self) -> Option<Shown> {
        self.shown
    }

    /// Whether the image shows exactly `camera` with `content`.
    pub fn is_current(&self, camera: &Camera, content: u64) -> bool {
        self.shown
            == Some(Shown {
                camera: *camera,
                content,
            })
    }

    /// Draw `renderer`'s scene for `camera` into the image, on `background`, recorded into
    /// `encoder` (before the host pass that composites it), with `samples` samples per pixel:
    /// [`CANVAS_SAMPLES`], or 1 where MSAA costs too much (a big scene on a software GPU).
    /// `renderer` must have been made for this canvas's format with [`CANVAS_SAMPLES`]
    /// samples and prepared for `camera`.
    #[allow(clippy::too_many_arguments)]
    pub fn redraw(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        renderer: &MapRenderer,
        camera: &Camera,
        content: u64,
        background: Rgba,
        samples: u32,
    ) {
        let size = camera.physical_size();
        if self.target.as_ref().is_none_or(|t| t.size != size) {
            self.target = Some(self.make_target(device, size));
        }
        let Some(t) = &self.target else {
            return;
        };
        let srgb = self.format.is_srgb();
        let [r, g, b, a] = background.0.map(|c| {
            let v = f64::from(c) / 255.0;
            if srgb { srgb_to_linear(v) } else { v }
        });
        let (view, resolve_target) = match &t.msaa {
            Some(m) if samples > 1 => (m, Some(&t.image)),
            _ => (&t.image, None),
        };
        let samples = if resolve_target.is_some() {
            CANVAS_SAMPLES
        } else {
            1
        };
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("map canvas"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view,
                    depth_slice: None,
                    resolve_target,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color { r, g, b, a }),
                        store: if resolve_target.is_some() {
                            wgpu::StoreOp::Discard
                        } else {
                            wgpu::StoreOp::Store
                        },
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            renderer.paint_samples(&mut pass, samples);
        }
        self.shown = Some(Shown {
            camera: *camera,
            content,
        });
    }

    /// Draw a few shapes of every kind (a fill, a marker, a label) with both sample counts into
    /// a small image and submit it, then forget it: a software GPU compiles a pipeline's code
    /// the first time it draws with it, a few hundred milliseconds that would otherwise land
    /// in the frame that first shows the data. Call once, before the first scene; the
    /// renderer is left with an empty scene.
    pub fn warm_up(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        renderer: &mut MapRenderer,
    ) -> Result<(), crate::render::RenderError> {
        use super::tessellate::{GeoVertex, LabelAnchor, MarkerInstance};
        let v = |x: f32, y: f32| GeoVertex {
            pos: [x, y],
            offset: [0.0, 0.0],
            color: [90, 120, 160, 200],
        };
        let mesh = super::LayerMesh {
            name: "warm-up".into(),
            vertices: vec![v(-4.0, -4.0), v(4.0, -4.0), v(0.0, 4.0)],
            indices: vec![0, 1, 2],
            markers: vec![MarkerInstance {
                pos: [0.0, 0.0],
                radius: 3.0,
                stroke_width: 1.0,
                fill: [255, 255, 255, 255],
                stroke: [0, 0, 0, 255],
            }],
            labels: vec![LabelAnchor {
                pos: [0.0, 0.0],
                text: "Aa 河".into(),
                size: 11.0,
                color: Rgba([0, 0, 0, 255]),
                halo: Rgba([255, 255, 255, 255]),
                marker_radius: 0.0,
            }],
            ..Default::default()
        };
        let origin = super::LocalOrigin::from_lonlat(0.0, 0.0);
        let scene = super::Scene {
            origin,
            layers: vec![super::SceneLayer {
                name: mesh.name.clone(),
                style: super::Style::default_for("warm-up"),
                mesh: std::sync::Arc::new(mesh),
                attribution: None,
                illustrative: false,
            }],
        };
        renderer.set_scene(device, queue, &scene)?;
        let camera = Camera::new(0.0, 0.0, 20.0, 48.0, 32.0);
        renderer.prepare(device, queue, &camera, None);
        let mut enc = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("warm-up"),
        });
        for samples in [CANVAS_SAMPLES, 1] {
            self.redraw(device, &mut enc, renderer, &camera, 0, Rgba::BLACK, samples);
        }
        // and the composite, into a host-like target
        let host = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("warm-up host"),
            size: wgpu::Extent3d {
                width: 48,
                height: 32,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: self.host_samples,
            dimension: wgpu::TextureDimension::D2,
            format: self.format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
        let host_view = host.create_view(&wgpu::TextureViewDescriptor::default());
        self.place(queue, &camera);
        {
            let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("warm-up composite"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &host_view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Discard,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            self.paint(&mut pass);
        }
        queue.submit([enc.finish()]);
        self.placed = None;
        renderer.set_scene(device, queue, &super::Scene::default())?;
        self.target = None;
        self.shown = None;
        Ok(())
    }

    /// Place the last image for the current `camera` (writes the composite's uniform; call in
    /// the host's prepare step, before [`MapCanvas::paint`]).
    pub fn place(&mut self, queue: &wgpu::Queue, camera: &Camera) {
        self.placed = self.shown.map(|s| image_rect(&s.camera, camera));
        if let Some(r) = self.placed {
            queue.write_buffer(&self.place, 0, bytemuck::cast_slice(&r));
        }
    }

    /// Composite the image into the host `pass` (whose viewport is the map's rectangle).
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>) {
        let (Some(t), Some(_)) = (&self.target, self.placed) else {
            return;
        };
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &t.bind, &[]);
        pass.draw(0..6, 0..1);
    }

    fn make_target(&self, device: &wgpu::Device, size: (u32, u32)) -> Target {
        let extent = wgpu::Extent3d {
            width: size.0.max(1),
            height: size.1.max(1),
            depth_or_array_layers: 1,
        };
        let tex = |label, samples, usage| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: extent,
                    mip_level_count: 1,
                    sample_count: samples,
                    dimension: wgpu::TextureDimension::D2,
                    format: self.format,
                    usage,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let image = tex(
            "map canvas image",
            1,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let msaa = (CANVAS_SAMPLES > 1).then(|| {
            tex(
                "map canvas msaa",
                CANVAS_SAMPLES,
                wgpu::TextureUsages::RENDER_ATTACHMENT,
            )
        });
        let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("canvas"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.place.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&image),
                },
            ],
        });
        Target {
            size,
            msaa,
            image,
            bind,
        }
    }
}

/// Where an image drawn for camera `drawn` lands in the viewport of camera `now`, in clip units
/// `[x0, y0, x1, y1]` (x right, y up; (-1, 1, 1, -1) when the views are the same): its corners
/// are the points of the ground they showed. Both are Web Mercator views without rotation, so
/// this is a move and a scale.
pub fn image_rect(drawn: &Camera, now: &Camera) -> [f32; 4] {
    let (x0, y0) = drawn.pixel_to_mercator(0.0, 0.0);
    let (x1, y1) = drawn.pixel_to_mercator(drawn.width, drawn.height);
    let (w, h) = (now.width.max(1.0), now.height.max(1.0));
    let clip = |x: f64, y: f64| {
        let (px, py) = now.mercator_to_pixel(x, y);
        [(px / w * 2.0 - 1.0) as f32, (1.0 - py / h * 2.0) as f32]
    };
    let [a, b] = clip(x0, y0);
    let [c, d] = clip(x1, y1);
    [a, b, c, d]
}

/// An sRGB-encoded channel (0–1) in linear light (a clear colour for an sRGB target).
fn srgb_to_linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f32; 4], b: [f32; 4]) -> bool {
        a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-4)
    }

    #[test]
    fn the_same_view_fills_the_viewport() {
        let c = Camera::new(114.07, 22.52, 15.0, 800.0, 600.0);
        assert!(close(image_rect(&c, &c), [-1.0, 1.0, 1.0, -1.0]));
    }

    #[test]
    fn a_pan_moves_the_image_with_the_ground() {
        let drawn = Camera::new(114.07, 22.52, 15.0, 800.0, 600.0);
        // the view's centre moved 100 px east and 50 px south: the image moves 100 px left
        // (0.25 of the half-width 400) and 50 px up (1/6 of the half-height 300)
        let (cx, cy) = drawn.pixel_to_lonlat(500.0, 350.0);
        let now = Camera::new(cx, cy, 15.0, 800.0, 600.0);
        assert!(close(
            image_rect(&drawn, &now),
            [-1.25, 1.0 + 1.0 / 6.0, 0.75, -1.0 + 1.0 / 6.0]
        ));
    }

    #[test]
    fn zooming_in_one_level_doubles_the_image_about_the_centre() {
        let drawn = Camera::new(114.07, 22.52, 15.0, 800.0, 600.0);
        let mut now = drawn;
        now.zoom += 1.0;
        assert!(close(image_rect(&drawn, &now), [-2.0, 2.0, 2.0, -2.0]));
        // a wider window shows the old image at its old size, centred
        let mut wide = drawn;
        wide.width = 1600.0;
        assert!(close(image_rect(&drawn, &wide), [-0.5, 1.0, 0.5, -1.0]));
    }

    #[test]
    fn clear_colours_are_linear_for_srgb_targets() {
        assert!((srgb_to_linear(1.0) - 1.0).abs() < 1e-12);
        assert!((srgb_to_linear(0.0)).abs() < 1e-12);
        // sRGB 0.5 is about 0.214 in linear light
        assert!((srgb_to_linear(0.5) - 0.214).abs() < 1e-3);
    }
}
