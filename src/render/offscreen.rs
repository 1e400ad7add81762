//! Offscreen rendering: draw a [`MapRenderer`] into an RGBA texture (4× MSAA, resolved), read it
//! back to the CPU, and encode PNG.

use super::RenderError;
use super::camera::Camera;
use super::gpu::{GpuContext, MapRenderer, Overlay};
use super::style::Rgba;

/// The offscreen colour format: 8-bit RGBA, *not* sRGB-encoded, so a style colour `#rrggbb`
/// lands in the PNG as exactly those bytes.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
/// MSAA samples used offscreen.
pub const OFFSCREEN_SAMPLES: u32 = 4;

/// An RGBA image read back from the GPU (row-major, top row first, 4 bytes a pixel).
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// `width · height · 4` bytes.
    pub pixels: Vec<u8>,
}

impl Image {
    /// The pixel at (x, y), or `None` outside.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = ((y * self.width + x) * 4) as usize;
        self.pixels.get(i..i + 4).map(|p| [p[0], p[1], p[2], p[3]])
    }

    /// Encode as an 8-bit RGBA PNG (fast compression).
    pub fn encode_png(&self) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::with_capacity(self.pixels.len() / 4);
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::Fast);
            let mut w = enc
                .write_header()
                .map_err(|e| RenderError::Png(e.to_string()))?;
            w.write_image_data(&self.pixels)
                .map_err(|e| RenderError::Png(e.to_string()))?;
            w.finish().map_err(|e| RenderError::Png(e.to_string()))?;
        }
        Ok(out)
    }

    /// Decode an 8-bit RGB or RGBA PNG.
    pub fn decode_png(bytes: &[u8]) -> Result<Image, RenderError> {
        let dec = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut r = dec
            .read_info()
            .map_err(|e| RenderError::Png(e.to_string()))?;
        let size = r
            .output_buffer_size()
            .ok_or_else(|| RenderError::Png("image too large".into()))?;
        let mut buf = vec![0; size];
        let info = r
            .next_frame(&mut buf)
            .map_err(|e| RenderError::Png(e.to_string()))?;
        buf.truncate(info.buffer_size());
        let pixels = match (info.color_type, info.bit_depth) {
            (png::ColorType::Rgba, png::BitDepth::Eight) => buf,
            (png::ColorType::Rgb, png::BitDepth::Eight) => buf
                .chunks_exact(3)
                .flat_map(|c| [c[0], c[1], c[2], 255])
                .collect(),
            other => {
                return Err(RenderError::Png(format!(
                    "unsupported PNG format {other:?}"
                )));
            }
        };
        Ok(Image {
            width: info.width,
            height: info.height,
            pixels,
        })
    }
}

/// Render the renderer's current scene for `camera` (with an optional overlay) on a `background`
/// colour into an [`Image`] of [`Camera::physical_size`].
pub fn render_image(
    ctx: &GpuContext,
    renderer: &mut MapRenderer,
    camera: &Camera,
    overlay: Option<&Overlay>,
    background: Rgba,
) -> Result<Image, RenderError> {
    let (w, h) = camera.physical_size();
    let max = ctx.device.limits().max_texture_dimension_2d;
    if w > max || h > max {
        return Err(RenderError::TooLarge {
            width: w,
            height: h,
            max,
        });
    }
    let device = &ctx.device;
    // capture out-of-memory and validation errors (e.g. a huge image on a small device) as
    // errors instead of wgpu's default handler, which panics
    let validation_scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let oom_scope = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let extent = wgpu::Extent3d {
        width: w,
        height: h,
        depth_or_array_layers: 1,
    };
    let tex = |samples: u32, usage| {
        device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: extent,
            mip_level_count: 1,
            sample_count: samples,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage,
            view_formats: &[],
        })
    };
    let resolve = tex(
        1,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    );
    let msaa = tex(OFFSCREEN_SAMPLES, wgpu::TextureUsages::RENDER_ATTACHMENT);
    let resolve_view = resolve.create_view(&wgpu::TextureViewDescriptor::default());
    let msaa_view = msaa.create_view(&wgpu::TextureViewDescriptor::default());

    renderer.prepare(device, &ctx.queue, camera, overlay);

    let mut enc = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("offscreen"),
    });
    {
        let [r, g, b, a] = background.0.map(|c| f64::from(c) / 255.0);
        let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("map"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &msaa_view,
                depth_slice: None,
                resolve_target: Some(&resolve_view),
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color { r, g, b, a }),
                    store: wgpu::StoreOp::Discard,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        renderer.paint(&mut pass);
    }
    let image = read_back(ctx, enc, &resolve, w, h);
    let oom = pollster::block_on(oom_scope.pop());
    let invalid = pollster::block_on(validation_scope.pop());
    if let Some(e) = oom {
        return Err(RenderError::Device(format!(
            "out of GPU memory for a {w}×{h} px image: {e}"
        )));
    }
    if let Some(e) = invalid {
        return Err(RenderError::Device(e.to_string()));
    }
    image
}

/// Copy the single-sample `texture` (`w`×`h`, 4 bytes a pixel, `COPY_SRC`) to the CPU after
/// the work already recorded in `enc`, submit, wait, and return it as an [`Image`].
pub fn read_back(
    ctx: &GpuContext,
    mut enc: wgpu::CommandEncoder,
    texture: &wgpu::Texture,
    w: u32,
    h: u32,
) -> Result<Image, RenderError> {
    let device = &ctx.device;
    let extent = wgpu::Extent3d {
        width: w,
        height: h,
        depth_or_array_layers: 1,
    };
    let row = w * 4;
    let padded =
        row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: u64::from(padded) * u64::from(h),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    enc.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &readback,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded),
                rows_per_image: Some(h),
            },
        },
        extent,
    );
    ctx.queue.submit([enc.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    readback.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| RenderError::Device(e.to_string()))?;
    rx.recv()
        .map_err(|e| RenderError::Device(e.to_string()))?
        .map_err(|e| RenderError::Device(e.to_string()))?;
    let mut pixels = Vec::with_capacity((row * h) as usize);
    {
        let view = readback
            .get_mapped_range(..)
            .map_err(|e| RenderError::Device(e.to_string()))?;
        for y in 0..h as usize {
            let start = y * padded as usize;
            pixels.extend_from_slice(&view[start..start + row as usize]);
        }
    }
    readback.unmap();
    Ok(Image {
        width: w,
        height: h,
        pixels,
    })
}
