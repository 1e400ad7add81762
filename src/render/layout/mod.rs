//! Page layouts: a finished map figure on paper, the same from the CLI and the app.
//!
//! [`layout`] takes a [`Page`] (paper, orientation, margins, DPI), the view, the scene and its
//! dataset, and everything the caller wants on the page ([`PageInputs`]: title, legend
//! entries, credits, the illustrative-data notice, locator context, grid, the year and its
//! delivered-versus-target figure), and lays it out in points as a [`DisplayList`]: a map frame
//! fitted to the view, the vector map clipped to it, labels placed without overlaps, and the
//! furniture around it (legend in a margin column or the emptiest corner, never over data
//! in the column case). Three back ends draw the list: [`crate::render::page_png`] (the GPU
//! map under the furniture), [`crate::render::pdf`] and [`crate::render::svg`] (vectors, text
//! as text).
//!
//! Modules: [`page`] (sizes, units), [`display`] (the display list), [`vector`] (features →
//! items and label candidates), [`labels`] (placement), [`place`] (emptiest corner),
//! [`furniture`] (the pieces).

pub mod display;
pub mod furniture;
pub mod labels;
pub mod page;
pub mod place;
pub mod vector;

pub use display::{Align, DisplayList, Item, Rect};
pub use furniture::{Grid, Locator};
pub use page::{Page, PageError};

use crate::core::model::Dataset;
use crate::render::Scene;
use crate::render::camera::Camera;
use crate::render::overlay::LegendBlock;
use crate::render::snapshot::{BACKGROUND, View, WORLD_BBOX};
use crate::render::style::Rgba;
use crate::render::tessellate::Filter;

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendAt {
    /// In the margin column (landscape) or band (portrait), beside the map: never over data.
    #[default]
    Column,
    /// Inside the map frame, in the corner the features cover least.
    Corner,
}

/// What the caller puts on the page besides the map.
#[derive(Debug, Default)]
pub struct PageInputs {
    /// Title.
    pub title: String,
    /// Subtitle (under the title).
    pub subtitle: Option<String>,
    /// Date line (top right), e.g. "2026-12-01".
    pub date: Option<String>,
    /// "As of" year: the features are drawn as they stood then.
    pub year: Option<i32>,
    /// Show the year large in the side panel (year series).
    pub big_year: bool,
    /// Lines under the year (e.g. delivered versus target floor space).
    pub figure: Vec<String>,
    /// Delivered / target (0–1) for a progress bar under the figure.
    pub progress: Option<f64>,
    /// Legend blocks (see [`crate::render::overlay::legend`]).
    pub legend: Vec<LegendBlock>,
    /// Credits of every visible layer.
    pub credits: Vec<String>,
    /// The illustrative-data notice, where it applies.
    pub notice: Option<String>,
    /// Locator map context.
    pub locator: Option<Locator>,
    /// Grid ticks on the frame.
    pub grid: Option<Grid>,
    /// Legend placement.
    pub legend_at: LegendAt,
}

/// A laid-out page and the camera of its map (logical px = points; `pixel_ratio` = DPI / 72).
#[derive(Debug, Clone)]
pub struct PageLayout {
    /// What to draw.
    pub list: DisplayList,
    /// The map's camera over the whole page (so that a PNG of the page has a world file).
    pub camera: Camera,
    /// The page.
    pub page: Page,
}

/// Furniture scale for a page: 1 on A4, growing with the paper's short side.
pub fn furniture_scale(page: &Page) -> f32 {
    let (w, h) = page.size_pt();
    ((w.min(h) / 595.0).sqrt() as f32).clamp(0.7, 2.2)
}

/// The camera that shows `view` in `frame` on a page of `w × h` points.
pub fn page_camera(
    view: View,
    scene: &Scene,
    frame: Rect,
    w: f64,
    h: f64,
    px_per_pt: f64,
) -> Camera {
    let (fw, fh) = (
        f64::from(frame[2] - frame[0]),
        f64::from(frame[3] - frame[1]),
    );
    let fitted = match view {
        View::Center { lon, lat, zoom } => Camera::new(lon, lat, zoom.clamp(0.0, 24.0), fw, fh),
        View::Bbox(b) => Camera::fit_bbox(b, fw, fh, 0.0),
        View::Auto => {
            let bb = scene.fit_bbox().unwrap_or(WORLD_BBOX);
            Camera::fit_bbox(bb, fw, fh, 0.03 * fw.min(fh))
        }
    };
    // the page centre, seen from the frame's camera
    let (lon, lat) =
        fitted.pixel_to_lonlat(w / 2.0 - f64::from(frame[0]), h / 2.0 - f64::from(frame[1]));
    let mut cam = Camera::new(lon, lat, fitted.zoom, w, h);
    cam.pixel_ratio = px_per_pt;
    cam
}

/// Lay out a page.
pub fn layout(
    page: &Page,
    view: View,
    scene: &Scene,
    dataset: &Dataset,
    inputs: &PageInputs,
) -> PageLayout {
    let k = furniture_scale(page);
    let (w, h) = page.size_pt();
    let m = page.margin_pt() as f32;
    let (wf, hf) = (w as f32, h as f32);
    let mut over: Vec<Item> = Vec::new();

    // header and footer
    let mut right = Vec::new();
    if let Some(y) = inputs.year {
        right.push(format!("as of {y}"));
    }
    if let Some(d) = &inputs.date {
        right.push(d.clone());
    }
    let head_h = furniture::title_block(
        &mut over,
        [m, m, wf - m, hf - m],
        k,
        &inputs.title,
        inputs.subtitle.as_deref(),
        &right,
    );
    let foot_h = furniture::credits_block(
        &mut over,
        [m, m, wf - m, hf - m],
        k,
        &inputs.credits,
        inputs.notice.as_deref(),
    );
    let grid_gap = if inputs.grid.is_some() { 14.0 * k } else { 0.0 };
    let top = m + head_h + grid_gap;
    let bottom = hf - m - foot_h - grid_gap;
    let gap = 10.0 * k + grid_gap;
    // the side panel: a column on the right (landscape) or a band at the bottom (portrait)
    let landscape = page.is_landscape();
    let (frame, panel) = if landscape {
        let cw = (0.25 * wf).clamp(140.0 * k, 260.0 * k);
        (
            [m + grid_gap, top, wf - m - cw - gap, bottom],
            [wf - m - cw, m + head_h, wf - m, bottom + grid_gap],
        )
    } else {
        let bh = (0.24 * hf).clamp(130.0 * k, 260.0 * k);
        (
            [m + grid_gap, top, wf - m - grid_gap, bottom - bh - gap],
            [m, bottom - bh + grid_gap, wf - m, bottom + grid_gap],
        )
    };
    // the camera spans the rounded raster exactly, so that its pixels are square
    let (pw, ph) = page.size_px();
    let ppp = page.px_per_pt();
    let camera = page_camera(
        view,
        scene,
        frame,
        f64::from(pw) / ppp,
        f64::from(ph) / ppp,
        ppp,
    );
    let mut vmap = vector::build(dataset, scene, Filter { year: inputs.year }, &camera, frame);
    // map labels scale with the furniture
    for c in &mut vmap.labels {
        c.size *= k;
    }

    // side panel: locator, year and figure, legend
    let (tl_lon, tl_lat) = camera.pixel_to_lonlat(f64::from(frame[0]), f64::from(frame[1]));
    let (br_lon, br_lat) = camera.pixel_to_lonlat(f64::from(frame[2]), f64::from(frame[3]));
    let main_box = [tl_lon, br_lat, br_lon, tl_lat];
    let pad = 6.0 * k;
    let legend_area = if landscape {
        let mut y = panel[1];
        if let Some(loc) = &inputs.locator {
            // a third of the column at most, so that a short page keeps room for the legend
            let lh = ((panel[2] - panel[0]) * 0.72).min((panel[3] - panel[1]) * 0.32);
            let b =
                furniture::locator(&mut over, [panel[0], y, panel[2], y + lh], k, loc, main_box);
            y = b[3] + pad;
        }
        if inputs.big_year || !inputs.figure.is_empty() {
            let yr = inputs.year.filter(|_| inputs.big_year);
            y += furniture::year_block(
                &mut over,
                [panel[0], y, panel[2], panel[3]],
                k,
                yr,
                &inputs.figure,
            );
            if let Some(f) = inputs.progress {
                y += furniture::progress_bar(&mut over, [panel[0], y, panel[2], panel[3]], y, k, f);
            }
            y += pad;
        }
        [panel[0], y + 2.0 * k, panel[2], panel[3]]
    } else {
        let mut x1 = panel[2];
        if let Some(loc) = &inputs.locator {
            let lw = (panel[3] - panel[1]) * 1.3;
            let b = furniture::locator(
                &mut over,
                [x1 - lw, panel[1], x1, panel[3]],
                k,
                loc,
                main_box,
            );
            x1 = b[0] - pad;
        }
        if inputs.big_year || !inputs.figure.is_empty() {
            let yw = 150.0 * k;
            let a = [x1 - yw, panel[1], x1, panel[3]];
            let yr = inputs.year.filter(|_| inputs.big_year);
            let used = furniture::year_block(&mut over, a, k, yr, &inputs.figure);
            if let Some(f) = inputs.progress {
                furniture::progress_bar(&mut over, a, panel[1] + used, k, f);
            }
            x1 -= yw + pad;
        }
        [panel[0], panel[1], x1, panel[3]]
    };

    // on the map: north arrow and scale bar (and the legend in its corner with --legend corner)
    let inset = 6.0 * k;
    let mut reserved = Vec::new();
    let mut legend_box = None;
    let mut arrow_right = true;
    let mut bar_right = false;
    if inputs.legend_at == LegendAt::Corner && !inputs.legend.is_empty() {
        let (lw, lh) = furniture::legend_size(k, &inputs.legend);
        let (lw, lh) = (lw + 2.0 * pad, lh + 2.0 * pad);
        if let Some(((r, b), bx)) =
            place::emptiest_corner(&vmap.items, frame, lw, lh, inset, &place::CORNERS)
        {
            over.push(Item::rect(
                bx,
                Some(furniture::PANEL),
                Some((furniture::RULE, 0.5)),
            ));
            let inner = [bx[0] + pad, bx[1] + pad, bx[2] - pad, bx[3] - pad];
            furniture::legend(&mut over, inner, k, &inputs.legend);
            legend_box = Some(bx);
            reserved.push(bx);
            if r && !b {
                arrow_right = false;
            }
            if !r && b {
                bar_right = true;
            }
        }
    } else {
        legend_box = furniture::legend(&mut over, legend_area, k, &inputs.legend);
    }
    let ar = 13.0 * k;
    let ac = if arrow_right {
        [frame[2] - inset - ar, frame[1] + inset + ar]
    } else {
        [frame[0] + inset + ar, frame[1] + inset + ar]
    };
    reserved.push(furniture::north_arrow(&mut over, ac, k));
    let max_bar = (frame[2] - frame[0]) * 0.22;
    let mut bar_items = Vec::new();
    let bar = furniture::scale_bar(
        &mut bar_items,
        [frame[0] + inset, frame[3] - inset],
        k,
        camera.ground_metres_per_pixel(),
        max_bar,
    );
    if bar_right {
        // the same bar, moved to the bottom-right corner
        let dx = frame[2] - inset - bar[2];
        for it in &mut bar_items {
            shift(it, dx);
        }
        reserved.push([bar[0] + dx, bar[1], bar[2] + dx, bar[3]]);
    } else {
        reserved.push(bar);
    }

    // labels first on the map (under the furniture), then the furniture
    let placed = labels::place(&vmap.labels, frame, &reserved);
    let mut top_items: Vec<Item> = placed.iter().map(|p| p.item.clone()).collect();
    if let Some(g) = &inputs.grid {
        furniture::grid_ticks(&mut top_items, frame, k, &camera, g);
        let (_, a, _) = crate::render::text::measure("Hg", 6.0 * k);
        top_items.push(Item::text(
            [frame[0], frame[3] + 2.0 * k + a + 9.0 * k],
            g.name.clone(),
            6.0 * k,
            furniture::GREY,
            Align::Start,
        ));
    }
    top_items.push(Item::rect(frame, None, Some((furniture::INK, 0.8))));
    top_items.extend(bar_items);
    top_items.append(&mut over);

    PageLayout {
        list: DisplayList {
            width: wf,
            height: hf,
            frame,
            background: BACKGROUND,
            map: vmap.items,
            over: top_items,
            label_boxes: placed.into_iter().map(|p| (p.text, p.bbox)).collect(),
            legend_box,
        },
        camera,
        page: *page,
    }
}

fn shift(it: &mut Item, dx: f32) {
    match it {
        Item::Path { parts, .. } => {
            for p in parts.iter_mut().flatten() {
                p[0] += dx;
            }
        }
        Item::Circle { c, .. } => c[0] += dx,
        Item::Text { pos, .. } => pos[0] += dx,
    }
}

/// The paper colour.
pub const PAPER: Rgba = Rgba::WHITE;
