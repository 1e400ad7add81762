//! The PNG back end of a page layout: the GPU renderer draws the map (offscreen, at the page's
//! pixel size), and the display list's furniture and labels go on top as a screen overlay —
//! the paper around the map frame first, so that the map shows only inside its frame.

use super::RenderError;
use super::gpu::{GpuContext, MapRenderer, Overlay, OverlayText};
use super::layout::display::{Item, Pt, text_box};
use super::layout::{PAPER, PageLayout};
use super::offscreen::{Image, render_image};
use super::style::Rgba;
use super::tessellate::{GeoVertex, stroke_path};

/// The overlay of a page: paper outside the frame, then every `over` item.
pub fn page_overlay(layout: &PageLayout) -> Overlay {
    let l = &layout.list;
    let mut o = Overlay::default();
    let f = l.frame;
    for r in [
        [0.0, 0.0, l.width, f[1]],
        [0.0, f[3], l.width, l.height],
        [0.0, f[1], f[0], f[3]],
        [f[2], f[1], l.width, f[3]],
    ] {
        fill(
            &mut o,
            &[vec![[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]]],
            PAPER,
        );
    }
    for it in &l.over {
        draw(&mut o, it);
    }
    o
}

/// Render a laid-out page to an image at its DPI with `renderer` (whose scene is the page's).
pub fn render_page(
    ctx: &GpuContext,
    renderer: &mut MapRenderer,
    layout: &PageLayout,
) -> Result<Image, RenderError> {
    let overlay = page_overlay(layout);
    renderer.map_labels = false;
    render_image(
        ctx,
        renderer,
        &layout.camera,
        Some(&overlay),
        layout.list.background,
    )
}

fn fill(o: &mut Overlay, parts: &[Vec<Pt>], c: Rgba) {
    let mut flat = Vec::new();
    let mut holes = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            holes.push(flat.len() / 2);
        }
        for q in p {
            flat.push(f64::from(q[0]));
            flat.push(f64::from(q[1]));
        }
    }
    let Ok(tri) = earcutr::earcut(&flat, &holes, 2) else {
        return;
    };
    let base = o.vertices.len() as u32;
    for q in flat.chunks_exact(2) {
        o.vertices.push(GeoVertex {
            pos: [q[0] as f32, q[1] as f32],
            offset: [0.0; 2],
            color: c.0,
        });
    }
    o.indices.extend(tri.into_iter().map(|i| base + i as u32));
}

fn stroke(o: &mut Overlay, pts: &[Pt], closed: bool, c: Rgba, w: f32) {
    // stroke_path works in y-north positions: flip in and out
    let flipped: Vec<[f32; 2]> = pts.iter().map(|p| [p[0], -p[1]]).collect();
    let start = o.vertices.len();
    let base = start as u32;
    let mut v = Vec::new();
    let mut idx = Vec::new();
    stroke_path(&flipped, closed, w / 2.0, c, &mut v, &mut idx);
    for mut g in v {
        g.pos[1] = -g.pos[1];
        o.vertices.push(g);
    }
    o.indices.extend(idx.into_iter().map(|i| base + i));
}

fn circle(c: Pt, r: f32) -> Vec<Pt> {
    let n = ((r * 4.0) as usize).clamp(16, 64);
    (0..n)
        .map(|i| {
            let a = i as f32 / n as f32 * std::f32::consts::TAU;
            [c[0] + r * a.cos(), c[1] + r * a.sin()]
        })
        .collect()
}

fn draw(o: &mut Overlay, it: &Item) {
    match it {
        Item::Path {
            parts,
            closed,
            fill: f,
            stroke: s,
        } => {
            if let (Some(c), true) = (f, *closed) {
                fill(o, parts, *c);
            }
            if let Some((c, w)) = s {
                for p in parts {
                    stroke(o, p, *closed, *c, *w);
                }
            }
        }
        Item::Circle {
            c,
            r,
            fill: f,
            stroke: s,
        } => {
            let ring = circle(*c, *r);
            if let Some(col) = f {
                fill(o, std::slice::from_ref(&ring), *col);
            }
            if let Some((col, w)) = s {
                stroke(o, &ring, true, *col, *w);
            }
        }
        Item::Text {
            pos,
            text,
            size,
            color,
            halo,
            align,
            bold,
        } => {
            // the run's start: its box's left edge (the one alignment rule, `text_box`)
            let x = text_box(*pos, text, *size, *align)[0];
            o.texts.push(OverlayText {
                pos: [x, pos[1]],
                text: text.clone(),
                size: *size,
                color: *color,
                halo: *halo,
            });
            if *bold {
                o.texts.push(OverlayText {
                    pos: [x + size * 0.04, pos[1]],
                    text: text.clone(),
                    size: *size,
                    color: *color,
                    halo: None,
                });
            }
        }
    }
}
