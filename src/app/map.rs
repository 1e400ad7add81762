//! The map widget: the renderer's paint callback for the data, then egui shapes on top for
//! what changes every frame (hover and selection outlines, measure and drawing tools, the box
//! of a box-select), and the map furniture (scale bar, north arrow, attribution, zoom buttons).
//! Input: drag pans, wheel and pinch zoom about the cursor, double-click zooms in, arrows,
//! `+`/`-` and Home; clicks pick through the R-tree or add tool vertices.

use super::describe;
use super::gpu::MapCallback;
use super::measure::{MeasureKind, Measurement};
use super::overlay;
use super::state::{HetaoApp, Tab, Tool};
use super::view::SETTLE_S;
use super::widgets::c32;
use crate::render::Camera;
use crate::render::camera::{lonlat_to_mercator, mercator_to_lonlat};
use crate::render::snapshot::BACKGROUND;
use eframe::egui;
use eframe::egui_wgpu;
use geo::{CoordsIter, Geometry};

/// Picking tolerance, logical px.
pub const PICK_TOLERANCE_PX: f64 = 4.0;
/// Snapping tolerance, logical px.
pub const SNAP_TOLERANCE_PX: f64 = 10.0;

const HOVER: egui::Color32 = egui::Color32::from_rgb(255, 160, 0);
const SELECT: egui::Color32 = egui::Color32::from_rgb(0, 190, 255);
const MEASURE: egui::Color32 = egui::Color32::from_rgb(220, 30, 120);

/// Show the map in the rest of `ui`.
pub fn map_widget(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let rect = ui.available_rect_before_wrap();
    ui.allocate_rect(rect, egui::Sense::hover());
    // the side panels' resize handles reach a few px into the map: leave them to the panels,
    // so that dragging a panel's edge resizes it instead of panning the map
    let grab = ui.style().interaction.resize_grab_radius_side + 2.0;
    let input_rect = rect.shrink2(egui::vec2(grab, 0.0));
    let resp = ui.interact(
        input_rect,
        ui.scope_id().with("map-input"),
        egui::Sense::click_and_drag(),
    );
    let (w, h) = (f64::from(rect.width()), f64::from(rect.height()));
    keep_content_in_place(app, rect);
    app.map_size = (w, h);
    let ppp = f64::from(ui.ctx().pixels_per_point());
    handle_input(app, ui, &resp, input_rect, rect);
    let cam = app.view.camera(w, h, ppp);
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, c32(BACKGROUND));
    if let Some(g) = &app.gpu {
        let uploaded = g.uploaded.load(std::sync::atomic::Ordering::Acquire);
        if app.cache.release_uploaded(uploaded) > 0 {
            crate::app::memory::give_back();
        }
    }
    {
        let (w0, n0) = cam.pixel_to_lonlat(0.0, 0.0);
        let (e0, s0) = cam.pixel_to_lonlat(w, h);
        app.ensure_details([w0, s0, e0, n0]);
    }
    if let (Some(scene), Some(_)) = (app.ensure_scene(), app.gpu.as_ref()) {
        // a big layer's outlines near the view follow its visibility
        let visibility = app
            .layers
            .iter()
            .flat_map(|e| {
                [
                    (e.name.clone(), e.visible),
                    (crate::render::lod::detail_name(&e.name), e.visible),
                ]
            })
            .collect();
        let now = ui.input(|i| i.time);
        let moving = app.motion.update(&cam, now, resp.dragged());
        if moving {
            // the redraw when it settles
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(SETTLE_S));
        }
        painter.add(egui_wgpu::Callback::new_paint_callback(
            rect,
            MapCallback {
                scene,
                generation: app.scene_gen(),
                camera: cam,
                visibility,
                moving,
                viewport_px: super::gpu::viewport_px(rect, ppp as f32),
            },
        ));
    }
    let to_screen = |lon: f64, lat: f64| {
        let (x, y) = cam.lonlat_to_pixel(lon, lat);
        rect.min + egui::vec2(x as f32, y as f32)
    };
    // hover and selection outlines
    for r in &app.selection {
        if let Some(g) = app.feature(r).and_then(|f| f.geometry.as_ref()) {
            outline(
                &painter,
                g,
                &to_screen,
                egui::Stroke::new(3.0, SELECT),
                true,
            );
        }
    }
    if let Some(r) = &app.hover
        && !app.selection.contains(r)
        && let Some(g) = app.feature(r).and_then(|f| f.geometry.as_ref())
    {
        outline(
            &painter,
            g,
            &to_screen,
            egui::Stroke::new(2.0, HOVER),
            false,
        );
    }
    // measurement
    if let Some(m) = &app.measure {
        draw_measure(&painter, m, &to_screen, app.cursor_if_tool(m.kind));
    }
    // building being drawn, or drawn and waiting in the new-building form (its outline stays)
    let pending = app.new_building.as_ref().map(|nb| &nb.ring);
    let ring = if app.draw.is_empty() {
        pending
    } else {
        Some(&app.draw)
    };
    if let Some(ring) = ring.filter(|r| !r.is_empty()) {
        let mut pts: Vec<egui::Pos2> = ring.iter().map(|p| to_screen(p[0], p[1])).collect();
        if !app.draw.is_empty()
            && let Some((lon, lat)) = app.cursor
        {
            pts.push(to_screen(lon, lat));
        }
        if pts.len() >= 3 {
            pts.push(pts[0]);
        }
        painter.add(egui::Shape::line(
            pts.clone(),
            egui::Stroke::new(2.0, egui::Color32::from_rgb(120, 60, 200)),
        ));
        for p in &pts {
            painter.circle_filled(*p, 3.5, egui::Color32::from_rgb(120, 60, 200));
        }
    }
    // box select
    if let (Some(start), Some(now)) = (app.box_start, resp.interact_pointer_pos()) {
        let b = egui::Rect::from_two_pos(start, now);
        painter.rect_filled(
            b,
            0.0,
            egui::Color32::from_rgba_unmultiplied(0, 160, 255, 30),
        );
        painter.rect_stroke(
            b,
            0.0,
            egui::Stroke::new(1.0, SELECT),
            egui::StrokeKind::Inside,
        );
    }
    // the reach origin
    if let Some((lon, lat)) = app.reach.origin {
        let p = to_screen(lon, lat);
        if rect.contains(p) {
            painter.circle(
                p,
                6.0,
                egui::Color32::from_rgb(230, 60, 30),
                egui::Stroke::new(2.0, egui::Color32::WHITE),
            );
        }
    }
    let mut taken = furniture(app, ui, &painter, rect, &cam);
    hover_tooltip(app, &resp);
    taken.extend(overlay::legend(app, ui, rect));
    taken.extend(overlay::credits(app, ui, rect));
    ui.ctx().data_mut(|d| d.insert_temp(furniture_id(), taken));
}

/// The tooltip of the feature under the pointer: its name (English and Chinese) and its key
/// figure (GFA, floor area or area).
fn hover_tooltip(app: &HetaoApp, resp: &egui::Response) {
    let Some(f) = app.hover.as_ref().and_then(|r| app.feature(r)) else {
        return;
    };
    let (en, zh) = describe::names(f);
    let figure = describe::key_figure(f);
    resp.clone().on_hover_ui_at_pointer(|ui| {
        ui.strong(en);
        if let Some(zh) = zh {
            ui.label(zh);
        }
        if let Some(k) = figure {
            ui.label(k);
        }
    });
}

/// When the map's rectangle changes (a panel opened, closed or resized, the window resized),
/// what was on screen stays where it was: the view's centre moves to the place that the old
/// view showed at the new rectangle's centre. The map never jumps under the user's eye.
fn keep_content_in_place(app: &mut HetaoApp, rect: egui::Rect) {
    let old = app.map_rect.replace(rect);
    let Some(old) = old else {
        return;
    };
    if old == rect || app.view.is_flying() || old.width() < 1.0 || old.height() < 1.0 {
        return;
    }
    let cam = app
        .view
        .camera(f64::from(old.width()), f64::from(old.height()), 1.0);
    let c = rect.center() - old.min;
    let (lon, lat) = cam.pixel_to_lonlat(f64::from(c.x), f64::from(c.y));
    app.view.center_lon = lon;
    app.view.center_lat = lat;
}

impl HetaoApp {
    fn cursor_if_tool(&self, kind: MeasureKind) -> Option<(f64, f64)> {
        let active = matches!(
            (self.tool, kind),
            (Tool::Distance, MeasureKind::Distance) | (Tool::Area, MeasureKind::Area)
        );
        if active { self.cursor } else { None }
    }
}

/// Outline a geometry on the map. `holes`: also the inner rings of polygons (the selection);
/// the hover outline draws outer rings only, so that an area with holes is not a tangle.
fn outline(
    painter: &egui::Painter,
    g: &Geometry<f64>,
    to_screen: &dyn Fn(f64, f64) -> egui::Pos2,
    stroke: egui::Stroke,
    holes: bool,
) {
    let ring = |ls: &geo::LineString<f64>| -> Vec<egui::Pos2> {
        ls.0.iter().map(|c| to_screen(c.x, c.y)).collect()
    };
    let polygon = |p: &geo::Polygon<f64>| {
        painter.add(egui::Shape::line(ring(p.exterior()), stroke));
        if holes {
            for i in p.interiors() {
                painter.add(egui::Shape::line(ring(i), stroke));
            }
        }
    };
    match g {
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().for_each(polygon),
        Geometry::LineString(l) => {
            painter.add(egui::Shape::line(ring(l), stroke));
        }
        Geometry::MultiLineString(ml) => {
            for l in &ml.0 {
                painter.add(egui::Shape::line(ring(l), stroke));
            }
        }
        Geometry::GeometryCollection(c) => {
            for g in c {
                outline(painter, g, to_screen, stroke, holes);
            }
        }
        other => {
            for c in other.coords_iter() {
                painter.circle_stroke(to_screen(c.x, c.y), 7.0, stroke);
            }
        }
    }
}

fn draw_measure(
    painter: &egui::Painter,
    m: &Measurement,
    to_screen: &dyn Fn(f64, f64) -> egui::Pos2,
    cursor: Option<(f64, f64)>,
) {
    let mut pts: Vec<egui::Pos2> = m.points.iter().map(|p| to_screen(p[0], p[1])).collect();
    let n = pts.len();
    if let Some((lon, lat)) = cursor {
        pts.push(to_screen(lon, lat));
    }
    if m.kind == MeasureKind::Area && pts.len() >= 3 {
        pts.push(pts[0]);
    }
    if pts.len() >= 2 {
        painter.add(egui::Shape::dashed_line(
            &pts,
            egui::Stroke::new(2.5, MEASURE),
            8.0,
            4.0,
        ));
    }
    for p in pts.iter().take(n) {
        painter.circle(
            *p,
            4.0,
            egui::Color32::WHITE,
            egui::Stroke::new(2.0, MEASURE),
        );
    }
}

/// Where the map's own widgets sit on the map (zoom buttons, legend, credits), last frame: a
/// press there is theirs, not the start of a pan.
fn furniture_id() -> egui::Id {
    egui::Id::unique("hetao-map-furniture")
}

/// The pan: every pointer event of the frame, in order (egui's queue keeps them all, however
/// long the frame took), moves the view to the press-time view offset by the pointer's
/// distance from the press point ([`crate::app::view::MapView::drag_to`]). A press starts a
/// pan when it lands on the map itself (not on a window or popup above it, not on the map's
/// buttons, legend or credits, not a Shift-press that box-selects).
fn follow_pointer(app: &mut HetaoApp, ui: &egui::Ui, input_rect: egui::Rect, rect: egui::Rect) {
    let local = |p: egui::Pos2| (f64::from(p.x - rect.min.x), f64::from(p.y - rect.min.y));
    let furniture: Vec<egui::Rect> = ui
        .ctx()
        .data(|d| d.get_temp(furniture_id()))
        .unwrap_or_default();
    let layer = ui.layer_id();
    let events = ui.input(|i| i.events.clone());
    for ev in &events {
        match ev {
            egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed: true,
                modifiers,
            } => {
                let ours = input_rect.contains(*pos)
                    && ui.ctx().layer_id_at(*pos).is_none_or(|l| l == layer)
                    && !furniture.iter().any(|r| r.contains(*pos))
                    && !(modifiers.shift && app.tool == Tool::Select);
                if ours {
                    let (x, y) = local(*pos);
                    app.view.grab(x, y);
                }
            }
            egui::Event::PointerMoved(pos) if app.view.is_grabbed() => {
                let (x, y) = local(*pos);
                app.view.drag_to(x, y);
            }
            egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed: false,
                ..
            } if app.view.is_grabbed() => {
                let (x, y) = local(*pos);
                app.view.release(x, y);
            }
            egui::Event::PointerGone if app.view.is_grabbed() => app.view.release_here(),
            _ => {}
        }
    }
    if app.view.is_grabbed() {
        ui.ctx().request_repaint();
    }
}

fn handle_input(
    app: &mut HetaoApp,
    ui: &egui::Ui,
    resp: &egui::Response,
    input_rect: egui::Rect,
    rect: egui::Rect,
) {
    let (w, h) = (f64::from(rect.width()), f64::from(rect.height()));
    let cam = app.view.camera(w, h, 1.0);
    let mpp = cam.metres_per_pixel();
    let local = |p: egui::Pos2| (f64::from(p.x - rect.min.x), f64::from(p.y - rect.min.y));
    let hover_pos = resp.hover_pos();
    // cursor position, snapped when a tool is drawing
    app.cursor = hover_pos.map(|p| {
        let (x, y) = local(p);
        cam.pixel_to_lonlat(x, y)
    });
    let drawing = matches!(app.tool, Tool::Distance | Tool::Area | Tool::DrawBuilding);
    if drawing && let Some(p) = hover_pos {
        let (x, y) = local(p);
        let merc = cam.pixel_to_mercator(x, y);
        if let Some(s) = app.snap([merc.0, merc.1], SNAP_TOLERANCE_PX * mpp) {
            app.cursor = Some(mercator_to_lonlat(s[0], s[1]));
        }
    }

    // zoom: wheel (scroll) and pinch / ctrl+wheel (zoom_delta)
    if let Some(p) = hover_pos {
        let (scroll, zoom_delta) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let mut dz = f64::from(scroll) / 120.0;
        if (zoom_delta - 1.0).abs() > 1e-4 {
            dz += f64::from(zoom_delta).log2();
        }
        if dz.abs() > 1e-6 {
            let (x, y) = local(p);
            app.view.zoom_about(dz, x, y, w, h);
        }
    }

    // drag: pan, or box-select with Shift
    let shift = ui.input(|i| i.modifiers.shift);
    if resp.drag_started() && shift && app.tool == Tool::Select {
        app.box_start = resp.interact_pointer_pos();
    }
    if app.box_start.is_some() && resp.drag_stopped() {
        if let (Some(a), Some(b)) = (app.box_start, resp.interact_pointer_pos()) {
            let (ax, ay) = local(a);
            let (bx, by) = local(b);
            let (x0, y0) = cam.pixel_to_mercator(ax, ay);
            let (x1, y1) = cam.pixel_to_mercator(bx, by);
            let sel = app.pick_box([x0, y0, x1, y1]);
            app.status = format!("{} features selected", sel.len());
            app.selection = sel;
            app.form = None;
            app.tab = Tab::Inspector;
        }
        app.box_start = None;
    }
    follow_pointer(app, ui, input_rect, rect);

    // clicks
    if resp.double_clicked() {
        match app.tool {
            Tool::Select => {
                if let Some(p) = resp.interact_pointer_pos() {
                    let (x, y) = local(p);
                    app.view.zoom_about(1.0, x, y, w, h);
                }
            }
            Tool::Distance | Tool::Area => {
                // the double-click's first click added the last vertex: end the measurement
                app.tool = Tool::Select;
            }
            Tool::DrawBuilding => app.finish_drawing(),
            Tool::Reach => {}
        }
    } else if resp.clicked() {
        match app.tool {
            Tool::Select => {
                if let Some(p) = resp.interact_pointer_pos() {
                    let (x, y) = local(p);
                    let (mx, my) = cam.pixel_to_mercator(x, y);
                    let hit = app.pick_at([mx, my], PICK_TOLERANCE_PX * mpp);
                    if ui.input(|i| i.modifiers.command) {
                        if let Some(h) = hit {
                            if let Some(pos) = app.selection.iter().position(|s| *s == h) {
                                app.selection.remove(pos);
                            } else {
                                app.selection.push(h);
                            }
                        }
                    } else {
                        app.select(hit);
                    }
                }
            }
            Tool::Distance | Tool::Area => {
                if let Some((lon, lat)) = app.cursor {
                    let kind = if app.tool == Tool::Distance {
                        MeasureKind::Distance
                    } else {
                        MeasureKind::Area
                    };
                    let m = app.measure.get_or_insert_with(|| Measurement::new(kind));
                    if m.kind != kind {
                        *m = Measurement::new(kind);
                    }
                    m.points.push([lon, lat]);
                    app.tab = Tab::Measure;
                }
            }
            Tool::DrawBuilding => {
                if let Some((lon, lat)) = app.cursor {
                    app.draw.push([lon, lat]);
                }
            }
            Tool::Reach => {
                if let Some(c) = app.cursor {
                    app.reach.set_origin(c, std::time::Instant::now());
                    app.tab = Tab::Reach;
                }
            }
        }
    }

    // hover
    app.hover = None;
    if app.tool == Tool::Select
        && app.box_start.is_none()
        && !app.view.is_grabbed()
        && !resp.dragged()
        && let Some(p) = hover_pos
    {
        let (x, y) = local(p);
        let (mx, my) = cam.pixel_to_mercator(x, y);
        app.hover = app.pick_at([mx, my], PICK_TOLERANCE_PX * mpp);
    }

    // keyboard (when no text field has focus)
    if resp.hovered() || resp.has_focus() || !ui.ctx().egui_wants_keyboard_input() {
        let (l, r, u, d, plus, minus, home) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::ArrowUp),
                i.key_pressed(egui::Key::ArrowDown),
                i.key_pressed(egui::Key::Plus) || i.key_pressed(egui::Key::Equals),
                i.key_pressed(egui::Key::Minus),
                i.key_pressed(egui::Key::Home),
            )
        });
        if !ui.ctx().egui_wants_keyboard_input() && !app.typing {
            let step = 0.25 * w.min(h);
            if l {
                app.view.pan_pixels(step, 0.0);
            }
            if r {
                app.view.pan_pixels(-step, 0.0);
            }
            if u {
                app.view.pan_pixels(0.0, step);
            }
            if d {
                app.view.pan_pixels(0.0, -step);
            }
            if plus {
                app.view.zoom_about(1.0, w / 2.0, h / 2.0, w, h);
            }
            if minus {
                app.view.zoom_about(-1.0, w / 2.0, h / 2.0, w, h);
            }
            if home {
                app.view.fly_to_bbox(super::view::ZONE_EXTENT, w, h, 20.0);
            }
        }
    }
    if app.tool != Tool::Select {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
    } else if app.hover.is_some() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
    }
    // keep the mercator helper in use for the box even when not dragging
    let _ = lonlat_to_mercator;
}

fn furniture(
    app: &mut HetaoApp,
    ui: &mut egui::Ui,
    painter: &egui::Painter,
    rect: egui::Rect,
    cam: &Camera,
) -> Vec<egui::Rect> {
    let text = egui::Color32::from_rgb(40, 40, 40);
    let panel_bg = egui::Color32::from_rgba_unmultiplied(255, 255, 255, 215);
    let stroke = egui::Stroke::new(1.0, egui::Color32::from_gray(170));

    // scale bar (bottom left)
    let bar = crate::render::overlay::scale_bar(cam.ground_metres_per_pixel(), 140.0);
    let len_px = bar.length_px;
    let origin = egui::pos2(rect.left() + 16.0, rect.bottom() - 40.0);
    let bg = egui::Rect::from_min_size(
        origin - egui::vec2(8.0, 18.0),
        egui::vec2(len_px + 70.0, 30.0),
    );
    painter.rect_filled(bg, 4.0, panel_bg);
    let y = origin.y + 4.0;
    let half = len_px / 2.0;
    painter.rect_filled(
        egui::Rect::from_min_size(egui::pos2(origin.x, y - 3.0), egui::vec2(half, 5.0)),
        0.0,
        text,
    );
    painter.rect_stroke(
        egui::Rect::from_min_size(egui::pos2(origin.x, y - 3.0), egui::vec2(len_px, 5.0)),
        0.0,
        egui::Stroke::new(1.0, text),
        egui::StrokeKind::Middle,
    );
    let label = bar.label;
    painter.text(
        egui::pos2(origin.x, y - 5.0),
        egui::Align2::LEFT_BOTTOM,
        "0",
        egui::FontId::proportional(11.0),
        text,
    );
    painter.text(
        egui::pos2(origin.x + len_px, y - 5.0),
        egui::Align2::CENTER_BOTTOM,
        label,
        egui::FontId::proportional(11.0),
        text,
    );

    // north arrow (top right)
    let c = egui::pos2(rect.right() - 30.0, rect.top() + 36.0);
    painter.circle(c, 18.0, panel_bg, stroke);
    painter.add(egui::Shape::convex_polygon(
        vec![
            c + egui::vec2(0.0, -13.0),
            c + egui::vec2(6.0, 7.0),
            c + egui::vec2(0.0, 3.0),
        ],
        text,
        egui::Stroke::NONE,
    ));
    painter.add(egui::Shape::convex_polygon(
        vec![
            c + egui::vec2(0.0, -13.0),
            c + egui::vec2(0.0, 3.0),
            c + egui::vec2(-6.0, 7.0),
        ],
        egui::Color32::from_gray(150),
        egui::Stroke::NONE,
    ));
    painter.text(
        c + egui::vec2(0.0, 24.0),
        egui::Align2::CENTER_TOP,
        "N",
        egui::FontId::proportional(12.0),
        text,
    );

    // zoom buttons (top left)
    let mut zoom_btn = |ui: &mut egui::Ui, at: egui::Pos2, label: &str, dz: f64| {
        let r = egui::Rect::from_min_size(at, egui::vec2(28.0, 28.0));
        let resp = ui.interact(
            r,
            ui.scope_id().with(("zoom-btn", label)),
            egui::Sense::click(),
        );
        let fill = if resp.hovered() {
            egui::Color32::WHITE
        } else {
            panel_bg
        };
        painter.rect(r, 4.0, fill, stroke, egui::StrokeKind::Inside);
        painter.text(
            r.center(),
            egui::Align2::CENTER_CENTER,
            label,
            egui::FontId::proportional(18.0),
            text,
        );
        if resp.clicked() {
            let (w, h) = app.map_size;
            app.view.zoom_about(dz, w / 2.0, h / 2.0, w, h);
        }
        resp.on_hover_text(if dz > 0.0 {
            "Zoom in (+)"
        } else {
            "Zoom out (-)"
        });
    };
    zoom_btn(ui, rect.min + egui::vec2(12.0, 12.0), "+", 1.0);
    zoom_btn(ui, rect.min + egui::vec2(12.0, 44.0), "−", -1.0);
    let buttons =
        egui::Rect::from_min_size(rect.min + egui::vec2(12.0, 12.0), egui::vec2(28.0, 60.0));

    // year badge (top centre)
    let badge = format!("As of {}", app.year);
    let g = ui.fonts_mut(|f| f.layout_no_wrap(badge, egui::FontId::proportional(15.0), text));
    let r = egui::Rect::from_center_size(
        egui::pos2(rect.center().x, rect.top() + 20.0),
        g.size() + egui::vec2(20.0, 8.0),
    );
    painter.rect(r, 12.0, panel_bg, stroke, egui::StrokeKind::Inside);
    painter.galley(r.min + egui::vec2(10.0, 4.0), g, text);

    // drop hint
    if ui.input(|i| !i.raw.hovered_files.is_empty()) {
        painter.rect_filled(
            rect,
            0.0,
            egui::Color32::from_rgba_unmultiplied(0, 120, 255, 40),
        );
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop GeoJSON files to add them as layers",
            egui::FontId::proportional(20.0),
            text,
        );
    }
    if app.gpu.is_none() {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "(no GPU renderer in this context)",
            egui::FontId::proportional(14.0),
            egui::Color32::from_gray(120),
        );
    }
    vec![buttons]
}
