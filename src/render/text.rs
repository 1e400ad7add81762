//! Text: the shipped font (an OFL Noto Sans CJK SC subset, `assets/fonts/`), glyphs rasterized
//! with `ab_glyph` into a single-channel atlas (plain and dilated "halo" versions), and a
//! simple left-to-right layout producing textured quads.
//!
//! Sizes are in logical pixels; glyphs are rasterized at `size × pixel_ratio` physical pixels so
//! that text stays sharp at `--scale 2`.

use super::style::Rgba;
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use std::collections::HashMap;

/// The embedded font file.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Subset.otf");

/// Atlas side, physical pixels.
pub const ATLAS_SIZE: u32 = 2048;

/// A text quad vertex: anchor position (metres from the local origin for map labels, or logical
/// pixels for the overlay), pixel offset (logical px, y down), atlas UV, colour.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct TextVertex {
    /// Anchor.
    pub pos: [f32; 2],
    /// Offset from the anchor, logical px, y down.
    pub offset: [f32; 2],
    /// Atlas texture coordinates, 0–1.
    pub uv: [f32; 2],
    /// Colour.
    pub color: [u8; 4],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    id: u16,
    /// physical pixel size × 4
    size_q: u32,
    halo: bool,
}

#[derive(Debug, Clone, Copy)]
struct GlyphSlot {
    /// atlas rect in px
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    /// offset of the bitmap's top-left from the pen position, physical px
    left: f32,
    top: f32,
}

/// The glyph atlas (CPU side; the renderer uploads it when `dirty`).
pub struct GlyphAtlas {
    font: FontRef<'static>,
    /// R8 coverage, `ATLAS_SIZE²`.
    pub pixels: Vec<u8>,
    slots: HashMap<GlyphKey, Option<GlyphSlot>>,
    shelf_x: u32,
    shelf_y: u32,
    shelf_h: u32,
    /// Set when pixels changed since the last upload.
    pub dirty: bool,
}

/// Measure a string with a font: (width, ascent, descent) in logical px.
fn measure_with(font: &FontRef<'static>, text: &str, size: f32) -> (f32, f32, f32) {
    let sf = font.as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut prev: Option<GlyphId> = None;
    for ch in text.chars().filter(|c| !c.is_control()) {
        let id = sf.glyph_id(ch);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    (w, sf.ascent(), -sf.descent())
}

/// Measure a string in the embedded font: (width, ascent, descent) in logical px at `size` px.
/// Returns zeros if the embedded font cannot be read.
pub fn measure(text: &str, size: f32) -> (f32, f32, f32) {
    static FONT: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    match FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok()) {
        Some(f) => measure_with(f, text, size),
        None => (0.0, 0.0, 0.0),
    }
}

/// The em size of the embedded font at a layout `size`: sizes here are `ab_glyph` pixel
/// scales (ascent − descent = size), while PDF and SVG set the em; `size × em_ratio()` is the
/// em that gives the same glyphs.
pub fn em_ratio() -> f32 {
    static RATIO: std::sync::OnceLock<f32> = std::sync::OnceLock::new();
    *RATIO.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES)
            .ok()
            .and_then(|f| {
                let h = f.height_unscaled();
                let upem = f.units_per_em()?;
                (h > 0.0).then_some(upem / h)
            })
            .unwrap_or(1.0)
    })
}

/// Errors from text setup.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// The embedded font did not parse.
    #[error("embedded font: {0}")]
    Font(String),
}

impl GlyphAtlas {
    /// A new, empty atlas with the embedded font.
    pub fn new() -> Result<Self, TextError> {
        let font =
            FontRef::try_from_slice(FONT_BYTES).map_err(|e| TextError::Font(e.to_string()))?;
        Ok(Self {
            font,
            pixels: vec![0; (ATLAS_SIZE * ATLAS_SIZE) as usize],
            slots: HashMap::new(),
            shelf_x: 1,
            shelf_y: 1,
            shelf_h: 0,
            dirty: true,
        })
    }

    /// Drop every glyph (when the atlas is full).
    pub fn clear(&mut self) {
        self.pixels.fill(0);
        self.slots.clear();
        self.shelf_x = 1;
        self.shelf_y = 1;
        self.shelf_h = 0;
        self.dirty = true;
    }

    /// Measure a string: (width, ascent, descent) in logical px.
    pub fn measure(&self, text: &str, size: f32) -> (f32, f32, f32) {
        measure_with(&self.font, text, size)
    }

    fn slot(&mut self, id: GlyphId, phys_size: f32, halo: bool) -> Option<GlyphSlot> {
        let key = GlyphKey {
            id: id.0,
            size_q: (phys_size * 4.0).round() as u32,
            halo,
        };
        if let Some(s) = self.slots.get(&key) {
            return *s;
        }
        let s = self.rasterize(id, key.size_q as f32 / 4.0, halo);
        if s.is_none() && self.shelf_y >= ATLAS_SIZE {
            return None;
        }
        self.slots.insert(key, s);
        s
    }

    fn rasterize(&mut self, id: GlyphId, phys: f32, halo: bool) -> Option<GlyphSlot> {
        let glyph = id.with_scale_and_position(PxScale::from(phys), ab_glyph::point(0.0, 0.0));
        let og = self.font.outline_glyph(glyph)?;
        let b = og.px_bounds();
        let pad: u32 = if halo {
            (phys / 8.0).clamp(1.5, 6.0).round() as u32
        } else {
            0
        };
        let gw = b.width().ceil() as u32;
        let gh = b.height().ceil() as u32;
        if gw == 0 || gh == 0 {
            return None;
        }
        let (w, h) = (gw + 2 * pad, gh + 2 * pad);
        let mut cov = vec![0f32; (w * h) as usize];
        og.draw(|x, y, c| {
            let i = ((y + pad) * w + x + pad) as usize;
            if let Some(p) = cov.get_mut(i) {
                *p = c.clamp(0.0, 1.0);
            }
        });
        if halo {
            // dilate with a disk of radius `pad`
            let r = pad as i32;
            let src = cov.clone();
            for y in 0..h as i32 {
                for x in 0..w as i32 {
                    let mut m = 0f32;
                    for dy in -r..=r {
                        for dx in -r..=r {
                            if dx * dx + dy * dy > r * r + r {
                                continue;
                            }
                            let (sx, sy) = (x + dx, y + dy);
                            if sx >= 0 && sy >= 0 && sx < w as i32 && sy < h as i32 {
                                m = m.max(src[(sy * w as i32 + sx) as usize]);
                            }
                        }
                    }
                    cov[(y * w as i32 + x) as usize] = m;
                }
            }
        }
        // shelf packing
        if self.shelf_x + w + 1 > ATLAS_SIZE {
            self.shelf_y += self.shelf_h + 1;
            self.shelf_x = 1;
            self.shelf_h = 0;
        }
        if self.shelf_y + h + 1 > ATLAS_SIZE || w + 2 > ATLAS_SIZE {
            self.shelf_y = ATLAS_SIZE;
            return None;
        }
        let (ax, ay) = (self.shelf_x, self.shelf_y);
        for y in 0..h {
            for x in 0..w {
                self.pixels[((ay + y) * ATLAS_SIZE + ax + x) as usize] =
                    (cov[(y * w + x) as usize] * 255.0).round() as u8;
            }
        }
        self.shelf_x += w + 1;
        self.shelf_h = self.shelf_h.max(h);
        self.dirty = true;
        Some(GlyphSlot {
            x: ax,
            y: ay,
            w,
            h,
            left: b.min.x - pad as f32,
            top: b.min.y - pad as f32,
        })
    }

    /// Append the quads of `text` (logical `size` px) with its baseline starting at `offset`
    /// (logical px from `pos`). With `halo`, the dilated glyphs go to `halo_out` in `halo_col`.
    #[allow(clippy::too_many_arguments)]
    pub fn layout(
        &mut self,
        text: &str,
        size: f32,
        pixel_ratio: f32,
        pos: [f32; 2],
        offset: [f32; 2],
        color: Rgba,
        halo: Option<Rgba>,
        out: &mut Vec<TextVertex>,
        halo_out: &mut Vec<TextVertex>,
    ) {
        let ratio = pixel_ratio.max(0.25);
        let phys = size * ratio;
        let sf = self.font.as_scaled(PxScale::from(size));
        let mut pen = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        let glyphs: Vec<(GlyphId, f32)> = text
            .chars()
            .filter(|c| !c.is_control())
            .map(|ch| {
                let id = sf.glyph_id(ch);
                if let Some(p) = prev {
                    pen += sf.kern(p, id);
                }
                let x = pen;
                pen += sf.h_advance(id);
                prev = Some(id);
                (id, x)
            })
            .collect();
        for (id, x) in glyphs {
            // snap the pen to the physical pixel grid so glyphs stay crisp
            let ox = ((offset[0] + x) * ratio).round() / ratio;
            let oy = (offset[1] * ratio).round() / ratio;
            for (is_halo, col, dst) in [
                (true, halo, &mut *halo_out),
                (false, Some(color), &mut *out),
            ] {
                let Some(col) = col else { continue };
                let Some(s) = self.slot(id, phys, is_halo) else {
                    continue;
                };
                let x0 = ox + s.left / ratio;
                let y0 = oy + s.top / ratio;
                let x1 = x0 + s.w as f32 / ratio;
                let y1 = y0 + s.h as f32 / ratio;
                let a = ATLAS_SIZE as f32;
                let (u0, v0) = (s.x as f32 / a, s.y as f32 / a);
                let (u1, v1) = ((s.x + s.w) as f32 / a, (s.y + s.h) as f32 / a);
                let q = |ofs: [f32; 2], uv: [f32; 2]| TextVertex {
                    pos,
                    offset: ofs,
                    uv,
                    color: col.0,
                };
                dst.extend_from_slice(&[
                    q([x0, y0], [u0, v0]),
                    q([x1, y0], [u1, v0]),
                    q([x0, y1], [u0, v1]),
                    q([x1, y0], [u1, v0]),
                    q([x1, y1], [u1, v1]),
                    q([x0, y1], [u0, v1]),
                ]);
            }
        }
    }

    /// Whether the font has a glyph for `c` (not `.notdef`).
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_covers_latin_and_the_data_cjk() {
        let a = GlyphAtlas::new().expect("font");
        for c in "Hetao 河套深港 Lok Ma Chau Loop 0123456789 ©²".chars() {
            assert!(a.has_glyph(c) || c == ' ', "missing {c}");
        }
    }

    #[test]
    fn layout_places_glyphs_left_to_right() {
        let mut a = GlyphAtlas::new().expect("font");
        let (mut v, mut h) = (vec![], vec![]);
        a.layout(
            "AB 河",
            16.0,
            1.0,
            [0.0; 2],
            [0.0; 2],
            Rgba::BLACK,
            Some(Rgba::WHITE),
            &mut v,
            &mut h,
        );
        assert_eq!(v.len(), 3 * 6); // space has no outline
        assert_eq!(h.len(), 3 * 6);
        assert!(v[6].offset[0] > v[0].offset[0]);
        let (w, asc, desc) = a.measure("AB 河", 16.0);
        assert!(w > 25.0 && asc > 10.0 && desc > 0.0, "{w} {asc} {desc}");
    }
}
