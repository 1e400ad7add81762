//! The app's edit flow as state (issue 12), without a window: Delete clears the selection
//! and never moves it to the next building; the status bar names what was done; undo brings
//! the building back selected; search finds places and lists buildings first; a drawn
//! building takes the viewed year. (The same flows in the real window: tests/e2e_edit.rs.)

use hetao_atlas::app::HetaoApp;
use hetao_atlas::core::search::Kind;
use hetao_atlas::core::zone::{embedded_dataset, feature_id};
use hetao_atlas::render::StyleSet;

fn app() -> HetaoApp {
    let mut a = HetaoApp::with_data(
        embedded_dataset().expect("zone"),
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    a
}

fn selected_ids(a: &HetaoApp) -> Vec<String> {
    a.selection
        .iter()
        .filter_map(|r| a.feature(r).and_then(feature_id))
        .collect()
}

#[test]
fn delete_clears_the_selection_and_undo_restores_it() {
    let mut a = app();
    // Issue 12's steps: search "SZ-B248", take the result, Delete.
    let hits = a.search_results("SZ-B248", 10);
    let first = hits.first().expect("a hit").clone();
    assert_eq!(first.id.as_deref(), Some("SZ-B248"));
    a.go_to_result(&first);
    assert_eq!(selected_ids(&a), ["SZ-B248"]);
    a.delete_selected();
    assert!(a.selection.is_empty(), "{:?}", selected_ids(&a));
    assert_eq!(a.status, "Deleted SZ-B248 (Ctrl+Z to undo)");
    assert!(
        !a.doc
            .current()
            .layer("buildings")
            .expect("b")
            .features
            .iter()
            .any(|f| feature_id(f).as_deref() == Some("SZ-B248"))
    );
    // A second Delete removes nothing.
    let n = a.doc.scenario().edits.len();
    a.delete_selected();
    assert_eq!(a.doc.scenario().edits.len(), n);
    // Undo: back, and selected.
    a.undo();
    assert_eq!(selected_ids(&a), ["SZ-B248"]);
    assert_eq!(a.status, "Undid: Deleted SZ-B248");
    a.redo();
    assert!(a.selection.is_empty());
}

#[test]
fn an_edit_keeps_the_selection_on_the_same_building() {
    let mut a = app();
    let r = a.search_results("SZ-B250", 1).remove(0);
    a.go_to_result(&r);
    // delete an earlier building: SZ-B250's index shifts, the selection follows its id
    a.edit(hetao_atlas::core::zone::Edit::Remove {
        id: "SZ-B010".into(),
    });
    assert_eq!(selected_ids(&a), ["SZ-B250"]);
    assert_eq!(a.status, "Deleted SZ-B010 (Ctrl+Z to undo)");
}

#[test]
fn search_finds_destinations_and_lists_buildings_first() {
    let mut a = app();
    let hits = a.search_results("Hong Kong Science", 5);
    assert_eq!(hits[0].label, "Hong Kong Science Park (Pak Shek Kok)");
    assert!(hits[0].feature.is_none());
    let before = (a.view.center_lon, a.view.center_lat);
    a.go_to_result(&hits[0]);
    assert!(a.view.is_flying() || (a.view.center_lon, a.view.center_lat) != before);
    let hits = a.search_results("SZ-B1", 14);
    assert_eq!(hits[0].kind, Kind::Building);
    let kinds: Vec<Kind> = hits.iter().map(|h| h.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted, "grouped, buildings first");
}

#[test]
fn a_drawn_building_takes_the_viewed_year() {
    let mut a = app();
    a.year = 2025;
    a.draw = vec![[114.06, 22.51], [114.0603, 22.51], [114.0603, 22.5103]];
    a.finish_drawing();
    let nb = a.new_building.as_ref().expect("form open");
    assert_eq!(nb.year, 2025);
    assert_eq!(nb.ring.len(), 3, "the outline is kept for the form");
}

#[test]
fn reopening_a_scenario_offers_its_newer_autosave_and_unsaved_edits_are_asked_about() {
    use hetao_atlas::app::state::flow::{Guarded, UnsavedAnswer};
    use hetao_atlas::core::zone::Edit;
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let scen = tmp.path().join("scen1.json");
    let mut a = app();
    a.autosave = true;
    a.doc.data_dir = Some(data.clone());
    a.edit(Edit::Remove {
        id: "SZ-B001".into(),
    });
    a.save_scenario(&scen);
    a.edit(Edit::Remove {
        id: "SZ-B002".into(),
    });
    let autosave = a.doc.autosave_path().expect("a's autosave");
    assert!(autosave.exists());
    assert!(
        autosave
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("scen1.autosave.")),
        "{}",
        autosave.display()
    );
    let a_edits = a.doc.scenario().edits.clone();
    // Issue 17: while `a` runs, its autosave is not offered as a crash to recover.
    let mut running = app();
    running.autosave = true;
    running.doc.data_dir = Some(data.clone());
    running.open_scenario(&scen);
    assert!(running.recovery_offer().is_none());
    // `a` stops without saving (its lock goes with it).
    drop(a);
    drop(running);
    // Issue 12: reopening scen1.json must not silently load only the saved edit.
    let mut b = app();
    b.autosave = true;
    b.doc.data_dir = Some(data);
    b.open_scenario(&scen);
    assert_eq!(b.doc.scenario().edits.len(), 1);
    let r = b.recovery_offer().expect("the newer autosave is offered");
    assert_eq!((r.scenario.edits.len(), r.saved_edits), (2, Some(1)));
    b.restore_recovery();
    assert_eq!(b.doc.scenario().edits, a_edits);
    // b's own autosave took the edits over: the stopped instance's is gone
    assert!(!autosave.exists());
    assert!(b.recovery_offer().is_none());
    // With unsaved edits, opening another scenario asks first.
    let ctx = eframe::egui::Context::default();
    b.open_scenario_dialog(&ctx);
    assert_eq!(b.unsaved_prompt, Some(Guarded::OpenScenario));
    b.answer_unsaved(UnsavedAnswer::Cancel, &ctx);
    assert_eq!(b.unsaved_prompt, None);
    assert_eq!(b.doc.scenario().edits.len(), 2, "nothing changed");
}
