//! File › Database: the connect dialog (URL without password, a password field or
//! `~/.pgpass`, the shared scenario), the Database window (state, revision, colleagues'
//! edits, conflicts with keep mine / keep theirs) and the badge on the menu bar
//! (online / offline / connecting). State and logic: [`crate::app::state::db`].

use crate::app::state::HetaoApp;
use crate::app::state::db::{DbDialog, LinkState};
use eframe::egui;

/// Open the connect dialog (or the Database window when connected).
pub fn open(app: &mut HetaoApp) {
    if app.db.is_some() {
        app.db_window = true;
        return;
    }
    let d = app
        .db_pending
        .clone()
        .or_else(crate::app::state::db::from_env)
        .unwrap_or_else(|| DbDialog {
            url: "postgres://USER@HOST:5432/DATABASE".into(),
            scenario: "shared".into(),
            ..DbDialog::default()
        });
    app.db_dialog = Some(d);
}

fn state_text(s: &LinkState, secs: u64) -> (String, egui::Color32) {
    match s {
        LinkState::Connecting => ("◌ connecting…".into(), egui::Color32::from_rgb(150, 110, 0)),
        LinkState::Online => ("● online".into(), egui::Color32::from_rgb(20, 130, 40)),
        LinkState::Offline(_) => (
            format!("● offline ({secs} s): working on the last pulled copy"),
            egui::Color32::from_rgb(190, 30, 30),
        ),
        LinkState::Failed(_) => ("● stopped".into(), egui::Color32::from_rgb(190, 30, 30)),
    }
}

/// The menu bar's badge: the link's state and revision; a click opens the Database window.
pub fn badge(app: &mut HetaoApp, ui: &mut egui::Ui) {
    let Some(link) = &app.db else {
        return;
    };
    let (text, colour) = state_text(&link.state, link.since.elapsed().as_secs());
    if !matches!(link.state, LinkState::Online) {
        // the offline seconds count on the badge
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs(1));
    }
    let unsent = link.unsent(&app.doc);
    let mut label = format!("Database {:?} rev {} {text}", link.scenario, link.revision);
    if unsent > 0 {
        label.push_str(&format!(" · {unsent} unsent"));
    }
    if !link.conflicts.is_empty() {
        label.push_str(&format!(" · {} conflict(s)", link.conflicts.len()));
    }
    ui.separator();
    let r = ui.add(
        egui::Label::new(egui::RichText::new(label).color(colour).strong())
            .sense(egui::Sense::click()),
    );
    if r.on_hover_text(link.url.clone()).clicked() {
        app.db_window = true;
    }
}

fn connect_dialog(app: &mut HetaoApp, ctx: &egui::Context) {
    let Some(mut d) = app.db_dialog.clone() else {
        return;
    };
    let mut go = false;
    let mut close = false;
    egui::Window::new("Connect to a database")
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("db-connect").num_columns(2).show(ui, |ui| {
                ui.label("URL");
                ui.add(egui::TextEdit::singleline(&mut d.url).desired_width(360.0));
                ui.end_row();
                ui.label("Password");
                ui.add(
                    egui::TextEdit::singleline(&mut d.password)
                        .password(true)
                        .hint_text("empty: ~/.pgpass or PGPASSFILE")
                        .desired_width(360.0),
                );
                ui.end_row();
                ui.label("Scenario");
                ui.add(egui::TextEdit::singleline(&mut d.scenario).desired_width(360.0));
                ui.end_row();
            });
            ui.label(
                egui::RichText::new(
                    "The layers and the shared scenario are pulled from the database; your \
                     edits become its revisions and colleagues' edits appear as they make \
                     them. The password is kept in memory only, never saved.",
                )
                .small()
                .weak(),
            );
            if let Some(e) = &d.error {
                ui.colored_label(egui::Color32::from_rgb(190, 30, 30), e);
            }
            ui.horizontal(|ui| {
                go = ui.button("Connect").clicked();
                close = ui.button("Cancel").clicked();
            });
        });
    if close {
        app.db_dialog = None;
    } else if go && !d.scenario.trim().is_empty() {
        app.db_dialog = Some(d.clone());
        let c = ctx.clone();
        app.db_connect(&d, move || c.request_repaint());
        app.db_window = app.db.is_some();
    } else {
        app.db_dialog = Some(d);
    }
}

fn database_window(app: &mut HetaoApp, ctx: &egui::Context) {
    if !app.db_window || app.db.is_none() {
        return;
    }
    let mut open = true;
    let mut resolve = None;
    let mut disconnect = false;
    let mut discard = false;
    if let Some(link) = &app.db {
        let (text, colour) = state_text(&link.state, link.since.elapsed().as_secs());
        let unsent = link.unsent(&app.doc);
        egui::Window::new("Database")
            .open(&mut open)
            .default_width(420.0)
            .show(ctx, |ui| {
                ui.colored_label(colour, text);
                if let LinkState::Offline(why) | LinkState::Failed(why) = &link.state {
                    ui.add(egui::Label::new(egui::RichText::new(why).small()).wrap());
                }
                ui.label(format!("{}  ·  scenario {:?}", link.url, link.scenario));
                ui.label(format!(
                    "revision {}  ·  {unsent} edit(s) not sent yet",
                    link.revision
                ));
                if let Some(why) = &link.blocked {
                    ui.colored_label(
                        egui::Color32::from_rgb(190, 30, 30),
                        format!("not sent: {why}"),
                    );
                    discard = ui.button("Discard my unsent edits").clicked();
                }
                for c in link.conflicts.iter().take(1) {
                    ui.separator();
                    ui.colored_label(
                        egui::Color32::from_rgb(190, 30, 30),
                        format!("Conflict on {}", c.feature),
                    );
                    ui.label(format!(
                        "theirs (revision {}, {}): {}",
                        c.revision, c.author, c.theirs
                    ));
                    ui.label(format!(
                        "yours (not sent): {}",
                        crate::core::db::scenario::describe(&c.yours)
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Keep mine").clicked() {
                            resolve = Some(true);
                        }
                        if ui.button("Keep theirs").clicked() {
                            resolve = Some(false);
                        }
                    });
                    if link.conflicts.len() > 1 {
                        ui.label(format!("{} more after this one", link.conflicts.len() - 1));
                    }
                }
                ui.separator();
                ui.label(egui::RichText::new("Recent").strong());
                egui::ScrollArea::vertical()
                    .max_height(160.0)
                    .stick_to_bottom(true)
                    .show(ui, |ui| {
                        for line in &link.recent {
                            ui.add(egui::Label::new(egui::RichText::new(line).small()).wrap());
                        }
                    });
                disconnect = ui.button("Disconnect").clicked();
            });
    }
    if let Some(keep_mine) = resolve {
        app.db_resolve(keep_mine);
    }
    if discard {
        app.db_discard_unsent();
    }
    if disconnect {
        app.db_disconnect();
    }
    app.db_window = open && app.db.is_some();
}

/// Show the dialog and the window.
pub fn show(app: &mut HetaoApp, ctx: &egui::Context) {
    connect_dialog(app, ctx);
    database_window(app, ctx);
}
