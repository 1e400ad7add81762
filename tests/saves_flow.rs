//! The save flows of issue 17 as state, without a window: two app instances on one scenario
//! file (the second is asked before it replaces the first's save, and each answer of the
//! conflict prompt does what it says), the tool bar's "changed on disk", an export over a
//! file changed since this session wrote it, and the failing-autosave warning that stays
//! until an autosave succeeds. (The same in the real window: tests/e2e_saves.rs.)

use eframe::egui;
use hetao_atlas::app::HetaoApp;
use hetao_atlas::app::dialogs::Purpose;
use hetao_atlas::app::state::saves::ConflictAnswer;
use hetao_atlas::core::zone::{Edit, Scenario, embedded_dataset};
use hetao_atlas::render::StyleSet;
use std::path::Path;
use std::time::Instant;

fn app(data: &Path) -> HetaoApp {
    let mut a = HetaoApp::with_data(
        embedded_dataset().expect("zone"),
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = true;
    a.doc.data_dir = Some(data.to_path_buf());
    a
}

fn remove(id: &str) -> Edit {
    Edit::Remove { id: id.into() }
}

fn on_disk(p: &Path) -> Vec<Edit> {
    Scenario::load(p).expect("the scenario file").edits
}

#[test]
fn a_conflicting_save_asks_and_each_answer_does_what_it_says() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let scen = tmp.path().join("shared.json");
    let ctx = egui::Context::default();
    let mut a = app(&data);
    a.edit(remove("SZ-B001"));
    a.save_scenario(&scen);
    let mut b = app(&data);
    b.open_scenario(&scen);
    // A saves a second edit: its own file, no question
    a.edit(remove("SZ-B002"));
    a.save_or_ask(&ctx);
    assert!(a.save_conflict.is_none());
    assert_eq!(on_disk(&scen), [remove("SZ-B001"), remove("SZ-B002")]);
    // B edits: one that still applies over A's file, one that does not (A removed SZ-B002)
    b.edit(remove("SZ-B010"));
    b.edit(Edit::SetFloorArea {
        id: "SZ-B002".into(),
        m2: 5000.0,
    });
    // B's tool bar says the file changed; A's does not
    b.watch_disk(Instant::now());
    a.watch_disk(Instant::now());
    assert!(b.disk_watch.changed && !a.disk_watch.changed);

    // B saves: nothing is written, the prompt says why
    b.save_or_ask(&ctx);
    let c = b.save_conflict.clone().expect("the conflict prompt");
    assert_eq!(
        c.headline(b.doc.last_saved_here()),
        "shared.json was changed on disk since you opened it (by another instance or person)."
    );
    assert!(
        c.details()
            .starts_with("The file now holds 2 edits, written "),
        "{}",
        c.details()
    );
    assert_eq!(on_disk(&scen), [remove("SZ-B001"), remove("SZ-B002")]);
    assert!(b.doc.dirty, "B shows as saved");

    // Cancel: still nothing written, still unsaved
    b.answer_conflict(ConflictAnswer::Cancel, &ctx);
    assert!(b.save_conflict.is_none());
    assert_eq!(on_disk(&scen), [remove("SZ-B001"), remove("SZ-B002")]);
    assert!(b.doc.dirty);

    // Reload and merge: A's edits, then B's that still apply; the other is listed
    b.save_or_ask(&ctx);
    assert!(b.save_conflict.is_some());
    b.answer_conflict(ConflictAnswer::ReloadAndMerge, &ctx);
    assert_eq!(
        b.doc.scenario().edits,
        [remove("SZ-B001"), remove("SZ-B002"), remove("SZ-B010")]
    );
    assert!(b.doc.dirty, "the merge is not saved yet");
    let listed = b
        .problems
        .iter()
        .find(|p| p.file == scen.display().to_string())
        .expect("the edit that no longer applies, in Problems");
    assert_eq!(listed.lines.len(), 1, "{:?}", listed.lines);
    assert!(
        listed.lines[0].contains("Set SZ-B002's floor area to 5,000 m²")
            && listed.lines[0].contains("was not merged"),
        "{}",
        listed.lines[0]
    );
    // and now B's save goes through without a question
    b.save_or_ask(&ctx);
    assert!(b.save_conflict.is_none());
    assert!(!b.doc.dirty);
    assert_eq!(
        on_disk(&scen),
        [remove("SZ-B001"), remove("SZ-B002"), remove("SZ-B010")]
    );

    // A is behind now; it chooses Overwrite
    a.edit(remove("SZ-B020"));
    a.save_or_ask(&ctx);
    let c = a.save_conflict.clone().expect("A is asked too");
    assert!(
        c.headline(a.doc.last_saved_here())
            .contains("since you last saved it"),
        "{}",
        c.headline(true)
    );
    a.answer_conflict(ConflictAnswer::Overwrite, &ctx);
    assert!(a.save_conflict.is_none() && !a.doc.dirty);
    assert_eq!(
        on_disk(&scen),
        [remove("SZ-B001"), remove("SZ-B002"), remove("SZ-B020")]
    );
}

#[test]
fn an_export_over_a_file_changed_since_this_session_wrote_it_asks_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ctx = egui::Context::default();
    let mut a = app(&tmp.path().join("data"));
    let csv = tmp.path().join("table.csv");
    // a file this session never wrote: the dialog asked, no second question
    std::fs::write(&csv, "a colleague's table").expect("write");
    a.chosen(Purpose::ExportCsv, vec![csv.clone()], &ctx);
    assert!(a.export_conflict.is_none());
    let ours = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        ours.starts_with("year,park,breakdown,key,value_m2\n"),
        "{ours}"
    );
    // exporting again, nothing changed in between: no question
    a.chosen(Purpose::ExportCsv, vec![csv.clone()], &ctx);
    assert!(a.export_conflict.is_none());
    // someone changes it; the next export asks, Cancel keeps their file
    std::fs::write(&csv, "their notes").expect("write");
    a.chosen(Purpose::ExportCsv, vec![csv.clone()], &ctx);
    let c = a.export_conflict.clone().expect("asked");
    assert_eq!(c.changed, csv);
    assert_eq!(std::fs::read_to_string(&csv).expect("csv"), "their notes");
    a.answer_export_conflict(false, &ctx);
    assert!(a.export_conflict.is_none());
    assert_eq!(std::fs::read_to_string(&csv).expect("csv"), "their notes");
    // asked again, Overwrite writes the table
    a.chosen(Purpose::ExportCsv, vec![csv.clone()], &ctx);
    assert!(a.export_conflict.is_some());
    a.answer_export_conflict(true, &ctx);
    assert_eq!(std::fs::read_to_string(&csv).expect("csv"), ours);
}

#[test]
fn a_failing_autosave_stays_visible_until_one_succeeds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // a data folder that cannot be made: its parent is a file
    let blocker = tmp.path().join("not-a-folder");
    std::fs::write(&blocker, "x").expect("write");
    let mut a = app(&blocker.join("data"));
    a.edit(remove("SZ-B001"));
    let why = a.autosave_failure.clone().expect("the warning");
    assert!(why.contains("not-a-folder"), "{why}");
    // it stays while autosaves keep failing, whatever the status line says
    a.undo();
    a.redo();
    a.status = "selected nothing".into();
    assert!(a.autosave_failure.is_some());
    // an autosave that succeeds clears it
    a.doc.data_dir = Some(tmp.path().join("data"));
    a.edit(remove("SZ-B002"));
    assert_eq!(a.autosave_failure, None);
}
