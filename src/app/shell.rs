//! The frame: [`HetaoApp::show`] polls the jobs, handles keys and dropped files, and lays out
//! the panels around the map. Each panel is its own module in [`super::panels`].

use super::map;
use super::panels;
use super::state::layout;
use super::state::{HetaoApp, Tab, Tool};
use super::time::{PLAY_STEP_S, YEARS};
use super::view::{MapView, ZONE_EXTENT};
use eframe::egui;
use std::path::PathBuf;

impl HetaoApp {
    /// Lay out one frame of the whole window.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.typing = ctx.egui_wants_keyboard_input();
        // a click often opens something (a menu, a popup) that egui lays out on the next
        // pass: draw one more frame so the screen never shows the state before the click
        if ctx.input(|i| i.pointer.any_pressed() || i.pointer.any_released()) {
            ctx.request_repaint();
        }
        self.fit_window_to_screen(&ctx);
        self.poll_jobs();
        {
            let c = ctx.clone();
            self.db_tick(move || c.request_repaint());
        }
        self.poll_dialogs(&ctx);
        self.guard_close(&ctx);
        self.watch_disk(std::time::Instant::now());
        crate::app::state::reach::tick(self, std::time::Instant::now(), Some(&ctx));
        self.handle_dropped_files(&ctx);
        if self.is_loaded() {
            for p in std::mem::take(&mut self.pending_open) {
                self.open_file(p, &ctx);
            }
        }
        self.handle_shortcuts(&ctx);
        self.tick_timeline(&ctx);
        let dt = f64::from(ctx.input(|i| i.stable_dt)).min(0.1);
        if self.view.is_flying() {
            self.view.step(dt);
            ctx.request_repaint();
        }

        egui::Panel::top("menu").show(ui, |ui| panels::menu::show(self, ui));
        egui::Panel::top("toolbar").show(ui, |ui| panels::toolbar::show(self, ui));
        panels::prompts::recovery_banner(self, ui);
        egui::Panel::bottom("status")
            .resizable(false)
            .show(ui, |ui| panels::status::show(self, ui));
        egui::Panel::bottom("timeline")
            .resizable(false)
            .show(ui, |ui| panels::timeline::show(self, ui));
        panels::problems::show(self, ui);
        self.side_panels(ui);
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                if self.is_loaded() {
                    if !self.fitted {
                        let r = ui.available_rect_before_wrap();
                        let bbox = self
                            .ensure_scene()
                            .and_then(|s| s.fit_bbox())
                            .unwrap_or(ZONE_EXTENT);
                        self.view =
                            MapView::fit(bbox, f64::from(r.width()), f64::from(r.height()), 24.0);
                        self.fitted = true;
                        // the fit is for this rectangle: nothing to keep in place from before
                        self.map_rect = None;
                    }
                    map::map_widget(self, ui);
                } else {
                    ui.centered_and_justified(|ui| {
                        ui.add(egui::Spinner::new().size(32.0));
                        ui.label("Loading the zone…");
                    });
                }
            });
        panels::windows::show(self, &ctx);
        panels::database::show(self, &ctx);
        self.remember_layout(&ctx);
        let uploaded = self
            .gpu
            .as_ref()
            .map(|g| g.uploaded.load(std::sync::atomic::Ordering::Acquire));
        let ready = self.settled(uploaded);
        if let Some(shot) = &mut self.screenshot {
            shot.step(&ctx, ready);
        }
    }

    /// A default-sized window larger than the screen is shrunk to fit it (once the screen's
    /// size is known; a size given with `--window-size` is kept).
    fn fit_window_to_screen(&mut self, ctx: &egui::Context) {
        if !self.fit_to_screen {
            return;
        }
        let (monitor, inner) = ctx.input(|i| (i.viewport().monitor_size, i.viewport().inner_rect));
        let (Some(m), Some(inner)) = (monitor, inner) else {
            return;
        };
        self.fit_to_screen = false;
        // leave room for a title bar and a task bar
        let fit = egui::vec2(inner.width().min(m.x), inner.height().min(m.y - 64.0));
        if fit.x < inner.width() || fit.y < inner.height() {
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(fit));
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(0.0, 0.0)));
        }
    }

    /// Write the layout to its settings file when it changed (not while a button is held,
    /// so that dragging a panel edge writes once, at the end).
    fn remember_layout(&mut self, ctx: &egui::Context) {
        let Some(p) = &self.layout_path else {
            return;
        };
        if self.layout == self.layout_saved || ctx.input(|i| i.pointer.any_down()) {
            return;
        }
        match self.layout.save(p) {
            Ok(()) => self.layout_saved = self.layout.clone(),
            Err(e) => {
                self.status = format!("cannot remember the panel layout: {e:#}");
                // do not retry every frame
                self.layout_saved = self.layout.clone();
            }
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for p in dropped {
            self.open_file(p, ctx);
        }
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        // Chords are matched on each key event's own modifiers (`consume_key`), not on the
        // modifiers at the end of the frame: a slow frame can hold the Ctrl press, the key
        // and the Ctrl release together.
        use egui::{Key, Modifiers};
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let (esc, enter, del) = ctx.input(|i| {
            (
                i.key_pressed(Key::Escape),
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::Delete),
            )
        });
        let (redo, undo, save_as, save, open, quit, find) = ctx.input_mut(|i| {
            let redo = i.consume_key(cmd_shift, Key::Z) | i.consume_key(Modifiers::COMMAND, Key::Y);
            let undo = i.consume_key(Modifiers::COMMAND, Key::Z);
            let save_as = i.consume_key(cmd_shift, Key::S);
            (
                redo,
                undo,
                save_as,
                i.consume_key(Modifiers::COMMAND, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::O),
                i.consume_key(Modifiers::COMMAND, Key::Q),
                i.consume_key(Modifiers::COMMAND, Key::F),
            )
        });
        self.focus_search |= find;
        if save {
            self.save_or_ask(ctx);
        }
        if save_as {
            self.save_as_dialog(ctx);
        }
        if open {
            self.open_scenario_dialog(ctx);
        }
        if quit {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let (left, right, help) = ctx.input(|i| {
            let plain = !i.modifiers.command && !i.modifiers.alt;
            (
                plain && i.key_pressed(egui::Key::OpenBracket),
                plain && i.key_pressed(egui::Key::CloseBracket),
                i.key_pressed(egui::Key::F1),
            )
        });
        if left {
            self.layout.left_open = !self.layout.left_open;
        }
        if right {
            self.layout.right_open = !self.layout.right_open;
        }
        if help {
            self.shortcuts_open = !self.shortcuts_open;
        }
        if undo {
            self.undo();
        }
        if redo {
            self.redo();
        }
        if esc {
            self.draw.clear();
            self.box_start = None;
            if self.tool != Tool::Select {
                self.tool = Tool::Select;
            } else {
                self.selection.clear();
            }
        }
        if enter && self.tool == Tool::DrawBuilding {
            self.finish_drawing();
        }
        if del && self.tool == Tool::Select {
            self.delete_selected();
        }
    }

    fn tick_timeline(&mut self, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        self.play_accum += f64::from(ctx.input(|i| i.stable_dt)).min(0.2);
        if self.play_accum >= PLAY_STEP_S {
            self.play_accum = 0.0;
            if self.year >= *YEARS.end() {
                self.playing = false;
            } else {
                self.year += 1;
            }
        }
        ctx.request_repaint();
    }

    /// The Layers panel (left) and the side panel (right): resizable by their inner edge,
    /// collapsible with a button, a key (`[`, `]`) or by dragging the edge shut, and never
    /// wider than leaves the map [`layout::MIN_MAP_FRACTION`] of the window.
    fn side_panels(&mut self, ui: &mut egui::Ui) {
        let win_w = ui.max_rect().width();
        let (lw, rw) = self.layout.widths(win_w);
        let range = layout::MIN_PANEL_WIDTH..=layout::max_width(win_w);
        let strip = |ui: &mut egui::Ui, id: &str, left: bool, label: &str, tip: &str| -> bool {
            let side = if left {
                egui::Panel::left(id.to_string())
            } else {
                egui::Panel::right(id.to_string())
            };
            let mut clicked = false;
            side.resizable(false).exact_size(30.0).show(ui, |ui| {
                ui.add_space(4.0);
                clicked = ui.button(label).on_hover_text(tip).clicked();
            });
            clicked
        };

        let before = self.layout.left_open;
        let mut open = before;
        let shown = egui::Panel::left("layers")
            .resizable(true)
            .size_range(range.clone())
            .default_size(lw)
            .show_collapsible(ui, &mut open, |ui| panels::layers::show(self, ui));
        if open != before {
            self.layout.left_open = open;
        }
        match shown {
            Some(r) => {
                if self.layout.left_open {
                    self.layout.left_width = Some(r.response.rect.width().round());
                }
            }
            None => {
                let tip = "Show the Layers panel  ( [ )";
                self.layout.left_open |= strip(ui, "layers-strip", true, "»", tip);
            }
        }

        let before = self.layout.right_open;
        let mut open = before;
        let shown = egui::Panel::right("side")
            .resizable(true)
            .size_range(range)
            .default_size(rw)
            .show_collapsible(ui, &mut open, |ui| self.side_panel(ui));
        if open != before {
            self.layout.right_open = open;
        }
        match shown {
            Some(r) => {
                if self.layout.right_open {
                    self.layout.right_width = Some(r.response.rect.width().round());
                }
            }
            None => {
                let tip = "Show the side panel  ( ] )";
                self.layout.right_open |= strip(ui, "side-strip", false, "«", tip);
            }
        }
    }

    fn side_panel(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            if ui
                .small_button("»")
                .on_hover_text("Hide the side panel  ( ] )")
                .clicked()
            {
                self.layout.right_open = false;
            }
            for (tab, name) in [
                (Tab::Inspector, "Inspector"),
                (Tab::Measure, "Measure"),
                (Tab::Dashboard, "Floor space"),
                (Tab::Reach, "Reach"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
        });
        ui.separator();
        // wraps what can wrap and scrolls the rest: the content never widens the panel
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| match self.tab {
                Tab::Inspector => panels::inspector::show(self, ui),
                Tab::Measure => panels::measure::show(self, ui),
                Tab::Dashboard => panels::dashboard::dashboard(self, ui),
                Tab::Reach => panels::reach::panel(self, ui),
            });
    }
}
