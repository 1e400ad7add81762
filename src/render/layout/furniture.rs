//! The furniture of a page, each piece drawn into a box it is given and returning the box it
//! took: title block, legend (flowing into columns), metric scale bar with round numbers,
//! north arrow, locator map, grid ticks, credits and notice, and the big year with its
//! delivered-versus-target figure. Sizes are in points; `k` scales them with the paper.

use super::display::{Align, Item, Pt, Rect};
use crate::render::camera::Camera;
use crate::render::overlay::{LegendBlock, Swatch, nice_length, wrap_credits};
use crate::render::style::Rgba;
use crate::render::text::measure;

/// Text colour.
pub const INK: Rgba = Rgba([33, 33, 33, 255]);
/// Secondary text.
pub const GREY: Rgba = Rgba([97, 97, 97, 255]);
/// Panel background over the map.
pub const PANEL: Rgba = Rgba([255, 255, 255, 230]);
/// Thin rules and frames.
pub const RULE: Rgba = Rgba([120, 120, 120, 255]);

fn text(out: &mut Vec<Item>, pos: Pt, t: &str, size: f32, color: Rgba, align: Align, bold: bool) {
    out.push(Item::Text {
        pos,
        text: t.to_string(),
        size,
        color,
        halo: None,
        align,
        bold,
    });
}

/// Height of a line of text at `size` (ascent + descent), pt.
pub fn line_h(size: f32) -> f32 {
    let (_, a, d) = measure("Hg河", size);
    a + d
}

/// The title block at the top of `area`: title and subtitle left, the date and "as of" right.
/// Returns the height used.
pub fn title_block(
    out: &mut Vec<Item>,
    area: Rect,
    k: f32,
    title: &str,
    subtitle: Option<&str>,
    right: &[String],
) -> f32 {
    let (ts, ss, rs) = (15.0 * k, 9.5 * k, 8.5 * k);
    let (_, tasc, tdesc) = measure("Hg河", ts);
    let mut y = area[1] + tasc;
    // the right-hand lines take what they need; the title gets the rest
    let right_w = right
        .iter()
        .map(|l| measure(l, rs).0)
        .fold(0.0_f32, f32::max);
    let max_title = (area[2] - area[0] - right_w - 12.0).max(60.0);
    let mut size = ts;
    while size > 8.0 && measure(title, size).0 > max_title {
        size -= 0.5;
    }
    text(out, [area[0], y], title, size, INK, Align::Start, true);
    y += tdesc;
    if let Some(s) = subtitle.filter(|s| !s.is_empty()) {
        let (_, a, d) = measure("Hg河", ss);
        y += a + 2.0;
        text(out, [area[0], y], s, ss, GREY, Align::Start, false);
        y += d;
    }
    let (_, ra, rd) = measure("Hg", rs);
    for (i, l) in right.iter().enumerate() {
        let by = area[1] + ra + 1.0 + (ra + rd + 2.0) * i as f32;
        text(out, [area[2], by], l, rs, GREY, Align::End, false);
        y = y.max(by + rd);
    }
    y - area[1] + 6.0 * k
}

/// Credits (wrapped to the width of `area`) and the notice, bottom-aligned in `area`'s
/// bottom edge. Returns the height used.
pub fn credits_block(
    out: &mut Vec<Item>,
    area: Rect,
    k: f32,
    credits: &[String],
    notice: Option<&str>,
) -> f32 {
    let cs = 6.5 * k;
    let ns = 7.5 * k;
    let w = area[2] - area[0];
    let lines = wrap_credits(credits, w, |t| measure(t, cs).0);
    let notice_lines = match notice {
        Some(n) => wrap_credits(&[n.to_string()], w, |t| measure(t, ns).0),
        None => Vec::new(),
    };
    let (cl, nl) = (line_h(cs) + 1.0, line_h(ns) + 1.0);
    let h = cl * lines.len() as f32 + nl * notice_lines.len() as f32;
    let mut y = area[3] - h;
    let (_, na, _) = measure("Hg", ns);
    for l in &notice_lines {
        text(
            out,
            [area[0], y + na],
            l,
            ns,
            Rgba([150, 40, 20, 255]),
            Align::Start,
            true,
        );
        y += nl;
    }
    let (_, ca, _) = measure("Hg", cs);
    for l in &lines {
        text(out, [area[0], y + ca], l, cs, GREY, Align::Start, false);
        y += cl;
    }
    h + 4.0 * k
}

/// Sizes of the legend's rows at scale `s` (pt): block title, entry, swatch w × h, gap.
struct LegendMetrics {
    title: f32,
    entry: f32,
    sw: f32,
    sh: f32,
    row: f32,
}

impl LegendMetrics {
    fn at(s: f32) -> Self {
        LegendMetrics {
            title: 8.0 * s,
            entry: 7.2 * s,
            sw: 14.0 * s,
            sh: 8.0 * s,
            row: 11.5 * s,
        }
    }
}

/// Each block's rows as (is_title, swatch, text); a single-entry block is one row with its
/// swatch and title.
fn legend_rows(blocks: &[LegendBlock]) -> Vec<Vec<(bool, Option<Swatch>, String)>> {
    blocks
        .iter()
        .map(|b| {
            if b.entries.len() == 1 && b.entries[0].1.is_empty() {
                vec![(true, Some(b.entries[0].0), b.title.clone())]
            } else {
                let mut r = vec![(true, None, b.title.clone())];
                r.extend(b.entries.iter().map(|(s, l)| (false, Some(*s), l.clone())));
                r
            }
        })
        .collect()
}

/// The legend in `area`, flowing into columns; the text shrinks (down to 60 %) until every
/// row fits. Returns the box it covers (with its heading "Legend").
pub fn legend(out: &mut Vec<Item>, area: Rect, k: f32, blocks: &[LegendBlock]) -> Option<Rect> {
    if blocks.is_empty() {
        return None;
    }
    let rows = legend_rows(blocks);
    let aw = area[2] - area[0];
    let ah = area[3] - area[1];
    let mut scale = k;
    loop {
        let m = LegendMetrics::at(scale);
        let head = line_h(9.0 * scale) + 4.0 * scale;
        // widest row → column width
        let col_w = rows
            .iter()
            .flatten()
            .map(|(t, sw, label)| {
                let size = if *t { m.title } else { m.entry };
                measure(label, size).0
                    + if sw.is_some() {
                        m.sw + 5.0 * scale
                    } else {
                        0.0
                    }
            })
            .fold(0.0_f32, f32::max)
            + 6.0 * scale;
        let ncols = ((aw + 8.0 * scale) / (col_w + 8.0 * scale))
            .floor()
            .max(1.0) as usize;
        // greedy: blocks stay whole in a column when they fit
        let mut cols: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = head;
        let mut fits = col_w <= aw;
        for (bi, b) in rows.iter().enumerate() {
            let bh = m.row * b.len() as f32 + 3.0 * scale;
            if used + bh > ah && !cols.last().is_some_and(|c| c.is_empty()) {
                cols.push(Vec::new());
                used = head;
            }
            if used + bh > ah {
                fits = false;
            }
            if let Some(c) = cols.last_mut() {
                c.push(bi);
            }
            used += bh;
        }
        if (fits && cols.len() <= ncols) || scale <= 0.6 * k {
            let mut y_max = area[1];
            text(
                out,
                [area[0], area[1] + measure("Hg", 9.0 * scale).1],
                "Legend",
                9.0 * scale,
                INK,
                Align::Start,
                true,
            );
            for (ci, col) in cols.iter().enumerate() {
                let x = area[0] + ci as f32 * (col_w + 8.0 * scale);
                let mut y = area[1] + head;
                for &bi in col {
                    for (is_title, sw, label) in &rows[bi] {
                        let size = if *is_title { m.title } else { m.entry };
                        let mut tx = x;
                        if let Some(s) = sw {
                            swatch(out, [x, y + (m.row - m.sh) / 2.0], m.sw, m.sh, *s);
                            tx += m.sw + 5.0 * scale;
                        }
                        let (_, asc, desc) = measure(label, size);
                        let base = y + (m.row + asc - desc) / 2.0;
                        text(out, [tx, base], label, size, INK, Align::Start, *is_title);
                        y += m.row;
                    }
                    y += 3.0 * scale;
                }
                y_max = y_max.max(y);
            }
            let x_max = area[0] + cols.len() as f32 * (col_w + 8.0 * scale) - 8.0 * scale;
            return Some([area[0], area[1], x_max.min(area[2]), y_max.min(area[3])]);
        }
        scale -= 0.05 * k;
    }
}

/// The natural size (w, h) of the legend in one column at scale `k`, pt.
pub fn legend_size(k: f32, blocks: &[LegendBlock]) -> (f32, f32) {
    let m = LegendMetrics::at(k);
    let rows = legend_rows(blocks);
    let w = rows
        .iter()
        .flatten()
        .map(|(t, sw, label)| {
            measure(label, if *t { m.title } else { m.entry }).0
                + if sw.is_some() { m.sw + 5.0 * k } else { 0.0 }
        })
        .fold(measure("Legend", 9.0 * k).0, f32::max);
    let h = line_h(9.0 * k)
        + 4.0 * k
        + rows
            .iter()
            .map(|b| m.row * b.len() as f32 + 3.0 * k)
            .sum::<f32>();
    (w + 6.0 * k, h)
}

fn swatch(out: &mut Vec<Item>, p: Pt, w: f32, h: f32, s: Swatch) {
    match s {
        Swatch::Fill { fill, stroke } => out.push(Item::rect(
            [p[0], p[1], p[0] + w, p[1] + h],
            Some(fill),
            Some((stroke.unwrap_or(RULE), 0.6)),
        )),
        Swatch::Line { color, width } => out.push(Item::line(
            vec![[p[0], p[1] + h / 2.0], [p[0] + w, p[1] + h / 2.0]],
            color,
            width.clamp(0.8, 3.0),
        )),
        Swatch::Point { fill, stroke } => out.push(Item::Circle {
            c: [p[0] + w / 2.0, p[1] + h / 2.0],
            r: h / 2.0 - 0.5,
            fill: Some(fill),
            stroke: Some((stroke.unwrap_or(RULE), 0.8)),
        }),
    }
}

/// The scale bar: `ground_m_per_pt` ground metres per point; at most `max_w` long; drawn with
/// its bottom-left corner at `at`. Four alternating segments when the length splits into round
/// numbers, else two; labels 0, the middle and the end with the unit. Returns its box.
pub fn scale_bar(out: &mut Vec<Item>, at: Pt, k: f32, ground_m_per_pt: f64, max_w: f32) -> Rect {
    let len_m = nice_length(ground_m_per_pt * f64::from(max_w));
    let len = (len_m / ground_m_per_pt) as f32;
    let (unit, div) = if len_m >= 1000.0 {
        ("km", 1000.0)
    } else {
        ("m", 1.0)
    };
    let fmt = |m: f64| {
        let v = m / div;
        if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round() as i64)
        } else {
            format!("{v}")
        }
    };
    let lead = len_m / 10f64.powf(len_m.log10().floor());
    let segs = if (lead - 2.0).abs() < 1e-9 || (lead - 1.0).abs() < 1e-9 {
        4
    } else {
        2
    };
    let size = 7.0 * k;
    let bh = 4.0 * k;
    let (_, asc, desc) = measure("0", size);
    let pad = 4.0 * k;
    let end_label = format!("{} {unit}", fmt(len_m));
    let (ew, _, _) = measure(&end_label, size);
    let x0 = at[0] + pad;
    let y_bar = at[1] - pad - bh;
    let y_text = y_bar - 2.0 * k - desc;
    let panel = [at[0], y_text - asc - pad, x0 + len + ew / 2.0 + pad, at[1]];
    out.push(Item::rect(panel, Some(PANEL), None));
    for i in 0..segs {
        let a = x0 + len * i as f32 / segs as f32;
        let b = x0 + len * (i + 1) as f32 / segs as f32;
        let fill = if i % 2 == 0 { INK } else { Rgba::WHITE };
        out.push(Item::rect(
            [a, y_bar, b, y_bar + bh],
            Some(fill),
            Some((INK, 0.5)),
        ));
    }
    text(out, [x0, y_text], "0", size, INK, Align::Middle, false);
    text(
        out,
        [x0 + len / 2.0, y_text],
        &fmt(len_m / 2.0),
        size,
        INK,
        Align::Middle,
        false,
    );
    text(
        out,
        [x0 + len, y_text],
        &end_label,
        size,
        INK,
        Align::Middle,
        false,
    );
    panel
}

/// A north arrow centred at `c` (the map is north-up). Returns its box.
pub fn north_arrow(out: &mut Vec<Item>, c: Pt, k: f32) -> Rect {
    let r = 13.0 * k;
    out.push(Item::Circle {
        c,
        r,
        fill: Some(PANEL),
        stroke: Some((RULE, 0.5)),
    });
    let (top, bot, half) = (c[1] - r * 0.35, c[1] + r * 0.8, r * 0.4);
    let tri = |pts: Vec<Pt>, fill: Rgba| Item::Path {
        parts: vec![pts],
        closed: true,
        fill: Some(fill),
        stroke: Some((INK, 0.4)),
    };
    out.push(tri(
        vec![[c[0], top], [c[0] - half, bot], [c[0], bot - r * 0.25]],
        INK,
    ));
    out.push(tri(
        vec![[c[0], top], [c[0], bot - r * 0.25], [c[0] + half, bot]],
        Rgba::WHITE,
    ));
    text(
        out,
        [c[0], top - 1.5 * k],
        "N",
        8.0 * k,
        INK,
        Align::Middle,
        true,
    );
    [c[0] - r, c[1] - r, c[0] + r, c[1] + r]
}

/// What the locator map shows: context polygons (lon/lat rings) with their colours, place
/// names, and its extent; the main map's area is drawn on it as a red box.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locator {
    /// Polygons: rings in lon/lat (exterior then holes) and fill.
    pub shapes: Vec<(Vec<Vec<[f64; 2]>>, Rgba)>,
    /// Place names at lon/lat.
    pub labels: Vec<(String, [f64; 2])>,
    /// Extent `[w, s, e, n]`.
    pub extent: [f64; 4],
}

/// The locator map in `area` (fitted, keeping its aspect), marking `main` (the main map's
/// lon/lat box). Returns the box drawn.
pub fn locator(out: &mut Vec<Item>, area: Rect, k: f32, loc: &Locator, main: [f64; 4]) -> Rect {
    let (w, h) = (f64::from(area[2] - area[0]), f64::from(area[3] - area[1]));
    let cam = Camera::fit_bbox(loc.extent, w, h, 0.0);
    // the extent's actual size at that zoom, so that the box hugs the map
    let (ax, ay) = cam.lonlat_to_pixel(loc.extent[0], loc.extent[3]);
    let (bx, by) = cam.lonlat_to_pixel(loc.extent[2], loc.extent[1]);
    let (ox, oy) = (f64::from(area[0]), f64::from(area[1]));
    let bx0 = [
        (ox + ax.max(0.0)) as f32,
        (oy + ay.max(0.0)) as f32,
        (ox + bx.min(w)) as f32,
        (oy + by.min(h)) as f32,
    ];
    let px = |p: &[f64; 2]| {
        let (x, y) = cam.lonlat_to_pixel(p[0], p[1]);
        [(ox + x) as f32, (oy + y) as f32]
    };
    out.push(Item::rect(bx0, Some(Rgba([214, 230, 240, 255])), None));
    for (rings, fill) in &loc.shapes {
        let parts: Vec<Vec<Pt>> = rings
            .iter()
            .map(|r| clip_ring(&r.iter().map(px).collect::<Vec<_>>(), bx0))
            .filter(|r| r.len() >= 3)
            .collect();
        if !parts.is_empty() {
            out.push(Item::Path {
                parts,
                closed: true,
                fill: Some(*fill),
                stroke: Some((Rgba([150, 150, 150, 255]), 0.3)),
            });
        }
    }
    // the main map's area: a box at least a few points across
    let (a, b) = (px(&[main[0], main[3]]), px(&[main[2], main[1]]));
    let (cx, cy) = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0);
    let hw = ((b[0] - a[0]) / 2.0).max(3.0 * k);
    let hh = ((b[1] - a[1]) / 2.0).max(3.0 * k);
    out.push(Item::rect(
        [cx - hw, cy - hh, cx + hw, cy + hh],
        None,
        Some((Rgba([211, 47, 47, 255]), 1.2 * k)),
    ));
    for (t, p) in &loc.labels {
        let q = px(p);
        out.push(Item::Text {
            pos: q,
            text: t.clone(),
            size: 6.5 * k,
            color: INK,
            halo: Some(Rgba::WHITE),
            align: Align::Middle,
            bold: false,
        });
    }
    out.push(Item::rect(bx0, None, Some((RULE, 0.6))));
    bx0
}

/// A ring clipped to a box (Sutherland–Hodgman): what of the polygon lies inside it.
pub fn clip_ring(ring: &[Pt], b: Rect) -> Vec<Pt> {
    let mut pts = ring.to_vec();
    // (axis, bound, keep the side below the bound)
    for (axis, bound, below) in [
        (0, b[0], false),
        (0, b[2], true),
        (1, b[1], false),
        (1, b[3], true),
    ] {
        let inside = |p: &Pt| {
            if below {
                p[axis] <= bound
            } else {
                p[axis] >= bound
            }
        };
        let mut out = Vec::with_capacity(pts.len());
        for i in 0..pts.len() {
            let (cur, prev) = (pts[i], pts[(i + pts.len() - 1) % pts.len()]);
            let cross = |a: Pt, c: Pt| {
                let t = (bound - a[axis]) / (c[axis] - a[axis]);
                [a[0] + (c[0] - a[0]) * t, a[1] + (c[1] - a[1]) * t]
            };
            match (inside(&prev), inside(&cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cross(prev, cur)),
                (false, true) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        pts = out;
        if pts.is_empty() {
            break;
        }
    }
    pts
}

/// Lon/lat → grid coordinates, `None` where the transform fails.
pub type ToGrid = dyn Fn(f64, f64) -> Option<(f64, f64)>;

/// A grid: a transform from lon/lat to the grid's coordinates and how its numbers read.
pub struct Grid {
    /// Name shown in the corner ("HK1980 Grid", "WGS 84").
    pub name: String,
    /// Lon/lat → grid (x, y); `None` where it fails.
    pub to_grid: Box<ToGrid>,
    /// True for degrees (labels 114.06°E), false for metres (labels 832,000 E).
    pub degrees: bool,
}

impl std::fmt::Debug for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grid")
            .field("name", &self.name)
            .field("degrees", &self.degrees)
            .finish()
    }
}

fn grid_step(span: f64, degrees: bool) -> f64 {
    let raw = span / 5.0;
    if degrees {
        // 0.001°, 0.002°, 0.005°, 0.01° …
        nice_length(raw * 1e4) / 1e4
    } else {
        nice_length(raw)
    }
}

fn grid_label(v: f64, step: f64, degrees: bool, axis_x: bool) -> String {
    if degrees {
        let d = (-(step.log10().floor())).max(0.0) as usize;
        let hemi = match (axis_x, v >= 0.0) {
            (true, true) => "E",
            (true, false) => "W",
            (false, true) => "N",
            (false, false) => "S",
        };
        format!("{:.*}°{hemi}", d, v.abs())
    } else {
        let g = crate::core::format::group_digits(v.round());
        format!("{g} {}", if axis_x { "E" } else { "N" })
    }
}

/// Ticks of `grid` on the edges of `frame` (the map seen through `camera`), with their
/// numbers outside the frame: eastings on the top and bottom edges, northings on the left and
/// right. Found by walking each edge and marking where the grid coordinate crosses a round
/// value, so a grid that is not aligned with the map (HK1980 on Web Mercator) is right too.
pub fn grid_ticks(out: &mut Vec<Item>, frame: Rect, k: f32, camera: &Camera, grid: &Grid) {
    let samples = 400;
    let size = 6.0 * k;
    let tick = 4.0 * k;
    let to = |x: f32, y: f32| {
        let (lon, lat) = camera.pixel_to_lonlat(f64::from(x), f64::from(y));
        (grid.to_grid)(lon, lat)
    };
    let corners = [
        to(frame[0], frame[1]),
        to(frame[2], frame[1]),
        to(frame[0], frame[3]),
        to(frame[2], frame[3]),
    ];
    let Some(cs) = corners.into_iter().collect::<Option<Vec<_>>>() else {
        return;
    };
    let span_x = cs.iter().map(|c| c.0).fold(f64::MIN, f64::max)
        - cs.iter().map(|c| c.0).fold(f64::MAX, f64::min);
    let span_y = cs.iter().map(|c| c.1).fold(f64::MIN, f64::max)
        - cs.iter().map(|c| c.1).fold(f64::MAX, f64::min);
    let step = grid_step(span_x.min(span_y).max(1e-9), grid.degrees);
    let (_, asc, desc) = measure("0", size);
    // (edge start, edge end, which coordinate, outward normal)
    let edges: [(Pt, Pt, bool, Pt); 4] = [
        (
            [frame[0], frame[1]],
            [frame[2], frame[1]],
            true,
            [0.0, -1.0],
        ),
        ([frame[0], frame[3]], [frame[2], frame[3]], true, [0.0, 1.0]),
        (
            [frame[0], frame[1]],
            [frame[0], frame[3]],
            false,
            [-1.0, 0.0],
        ),
        (
            [frame[2], frame[1]],
            [frame[2], frame[3]],
            false,
            [1.0, 0.0],
        ),
    ];
    for (a, b, axis_x, n) in edges {
        let mut prev: Option<(f64, Pt)> = None;
        for i in 0..=samples {
            let t = i as f32 / samples as f32;
            let p = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
            let Some(g) = to(p[0], p[1]) else { continue };
            let v = if axis_x { g.0 } else { g.1 };
            if let Some((pv, pp)) = prev {
                let (lo, hi) = (pv.min(v), pv.max(v));
                let first = (lo / step).ceil() * step;
                let mut m = first;
                while m <= hi && hi > lo {
                    let f = ((m - pv) / (v - pv)) as f32;
                    let q = [pp[0] + (p[0] - pp[0]) * f, pp[1] + (p[1] - pp[1]) * f];
                    out.push(Item::line(
                        vec![q, [q[0] - n[0] * tick, q[1] - n[1] * tick]],
                        INK,
                        0.5,
                    ));
                    let label = grid_label(m, step, grid.degrees, axis_x);
                    let (pos, align) = match (n[0] as i32, n[1] as i32) {
                        (0, -1) => ([q[0], q[1] - 2.0 * k - desc], Align::Middle),
                        (0, _) => ([q[0], q[1] + 2.0 * k + asc], Align::Middle),
                        (-1, _) => ([q[0] - 2.0 * k, q[1] + asc / 2.0], Align::End),
                        _ => ([q[0] + 2.0 * k, q[1] + asc / 2.0], Align::Start),
                    };
                    text(out, pos, &label, size, GREY, align, false);
                    m += step;
                }
            }
            prev = Some((v, p));
        }
    }
}

/// The big year (series frames) and the figure lines under it, in `area`'s top-left. Returns
/// the height used.
pub fn year_block(
    out: &mut Vec<Item>,
    area: Rect,
    k: f32,
    year: Option<i32>,
    lines: &[String],
) -> f32 {
    let mut y = area[1];
    if let Some(yr) = year {
        let s = 30.0 * k;
        let (_, a, d) = measure("2035", s);
        text(
            out,
            [area[0], y + a],
            &yr.to_string(),
            s,
            INK,
            Align::Start,
            true,
        );
        y += a + d + 2.0 * k;
    }
    let w = area[2] - area[0];
    for l in lines {
        let mut s = 7.5 * k;
        while s > 5.0 && measure(l, s).0 > w {
            s -= 0.25;
        }
        let (_, a, d) = measure(l, s);
        text(out, [area[0], y + a], l, s, INK, Align::Start, false);
        y += a + d + 1.5 * k;
    }
    y - area[1]
}

/// A progress bar (delivered / target, 0–1) across `area`'s width at `y`. Returns its height.
pub fn progress_bar(out: &mut Vec<Item>, area: Rect, y: f32, k: f32, fraction: f64) -> f32 {
    let h = 6.0 * k;
    let f = fraction.clamp(0.0, 1.0) as f32;
    let x1 = area[0] + (area[2] - area[0]) * f;
    out.push(Item::rect(
        [area[0], y, area[2], y + h],
        Some(Rgba([230, 230, 230, 255])),
        None,
    ));
    out.push(Item::rect(
        [area[0], y, x1, y + h],
        Some(Rgba([30, 136, 229, 255])),
        None,
    ));
    out.push(Item::rect(
        [area[0], y, area[2], y + h],
        None,
        Some((RULE, 0.5)),
    ));
    h
}
