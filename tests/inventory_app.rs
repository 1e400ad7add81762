//! The app's "Use as inventory…" (issue 13): the mapping dialog previews what a loaded
//! layer gives through a mapping, saves the TOML, and the dashboard then follows that
//! layer. Driven through egui_kittest; the figures are the hand-computed ones of
//! `tests/inventory.rs` (HK in 2025: 3 buildings, 73,000 m² GFA, 55,000 m² delivered).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hetao_atlas::app::HetaoApp;
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::core::zone::inventory::Mapping;
use hetao_atlas::render::StyleSet;
use std::path::Path;

const BUILDINGS: &str = "tests/fixtures/inventory/buildings_zh.geojson";
const MAPPING: &str = "tests/fixtures/inventory/mapping.toml";

fn harness() -> Harness<'static, HetaoApp> {
    let ds = embedded_dataset().expect("zone");
    let mut a = HetaoApp::with_data(
        ds,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    let layer = hetao_atlas::core::io::load_path(Path::new(BUILDINGS)).expect("fixture");
    a.add_user_layer(layer);
    a.year = 2025;
    Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        // A planner's Chinese field names and values are outside the shipped CJK subset: the
        // system's Chinese font must draw them (missing glyphs fail the test).
        .with_context_setup(hetao_atlas::app::setup_style)
        .build_ui_state(|ui, app: &mut HetaoApp| app.show(ui), a)
}

#[test]
fn the_dialog_previews_saves_and_the_dashboard_follows_the_layer() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = dir.path().join("saved.toml");
    let mut h = harness();
    h.run();
    let name = h.state().user_layers[0].name.clone();
    h.state_mut().start_inventory_mapping(&name);
    // an identity mapping of Chinese fields cannot work: the preview says why
    h.run();
    assert!(
        h.query_by_label_contains("no field \"id\"").is_some(),
        "the preview names the missing field"
    );
    let mapping = Mapping::load(Path::new(MAPPING)).expect("mapping");
    if let Some(d) = h.state_mut().inventory_draft.as_mut() {
        d.mapping = mapping.clone();
        d.path = saved.display().to_string();
    }
    h.run();
    assert!(
        h.query_by_label(
            "HK: 3 buildings, 73,000 m² GFA, 55,000 m² delivered (research + supporting)"
        )
        .is_some()
    );
    assert!(h.query_by_label("8 buildings in all").is_some());
    eprintln!(
        "RECT {:?}",
        h.get_by_label("Save and use as inventory").rect()
    );
    h.get_by_label("Save and use as inventory").click();
    h.run();
    assert!(
        h.state().inventory_draft.is_none(),
        "the dialog closes: {:?}",
        h.state().inventory_draft.as_ref().map(|d| &d.error)
    );
    assert_eq!(h.state().inventory.as_deref(), Some(name.as_str()));
    // the TOML was written and reads back as the same mapping
    let back = Mapping::load(&saved).expect("saved mapping");
    assert_eq!(back.fields, mapping.fields);
    assert_eq!(back.values, mapping.values);
    assert_eq!(
        back.ledger.as_ref().map(|l| l.file.canonicalize().ok()),
        mapping.ledger.as_ref().map(|l| l.file.canonicalize().ok())
    );
    // the model runs on the layer: the dashboard shows its figures
    let hk = h
        .state_mut()
        .stats()
        .parks
        .iter()
        .find(|p| p.park == "HK")
        .and_then(|p| p.progress.as_ref())
        .map(|p| p.delivered_m2);
    assert_eq!(hk, Some(55_000.0));
    h.run();
    assert!(
        h.query_by_label("55,000 of 1,000,000 m² delivered")
            .is_some(),
        "the dashboard follows the inventory"
    );
}

/// The HK line of the preview in 2027 with `delivered` m² delivered (3 buildings, 73,000 m²
/// GFA): H01 30,000 completed, H02 25,000 completed 2025, H03 18,000 under construction by
/// its own status field, completed in 2027 by the ledger.
fn hk_line(delivered: &str) -> String {
    format!("HK: 3 buildings, 73,000 m² GFA, {delivered} m² delivered (research + supporting)")
}

/// Scroll to the ledger checkbox (below the fields and values) and click it, as a person
/// would.
fn toggle_ledger(h: &mut Harness<'static, HetaoApp>) {
    let label = "Status by year from a ledger";
    h.get_by_label_contains(label).scroll_to_me();
    h.run();
    h.get_by_label_contains(label).click();
}

#[test]
fn a_saved_mapping_loads_and_the_ledger_is_chosen_in_the_dialog() {
    let mut h = harness();
    h.state_mut().year = 2027;
    h.run();
    let name = h.state().user_layers[0].name.clone();
    h.state_mut().start_inventory_mapping(&name);
    h.run();
    // start from the saved mapping: its fields, values and ledger come in
    if let Some(d) = h.state_mut().inventory_draft.as_mut() {
        d.load_path = MAPPING.to_string();
    }
    h.run();
    h.get_by_label("Load").click();
    h.run();
    h.run();
    let d = h
        .state()
        .inventory_draft
        .clone()
        .expect("the dialog stays open");
    assert_eq!(d.error, None);
    assert!(
        d.ledger.on,
        "the ledger section follows the file's [ledger]"
    );
    assert!(
        d.ledger.file.ends_with("ledger.geojson"),
        "{}",
        d.ledger.file
    );
    assert_eq!(d.ledger.id, "编号");
    assert!(
        h.query_by_label(&hk_line("73,000")).is_some(),
        "with the ledger, H03 is completed in 2027"
    );
    // the ledger off: H03's own status field (在建) counts
    toggle_ledger(&mut h);
    h.run();
    h.run();
    assert!(h.query_by_label(&hk_line("55,000")).is_some());
    // typed by hand: a file that is not there is named and no ledger is used meanwhile
    toggle_ledger(&mut h);
    if let Some(d) = h.state_mut().inventory_draft.as_mut() {
        d.ledger.file = "tests/fixtures/inventory/no-such-ledger.xlsx".into();
    }
    h.run();
    h.run();
    assert!(
        h.query_by_label_contains("no-such-ledger.xlsx: no such file")
            .is_some()
    );
    assert!(h.query_by_label(&hk_line("55,000")).is_some());
    if let Some(d) = h.state_mut().inventory_draft.as_mut() {
        d.ledger.file = "tests/fixtures/inventory/ledger.geojson".into();
    }
    h.run();
    h.run();
    assert!(h.query_by_label(&hk_line("73,000")).is_some());
    // a mapping file that does not parse: the dialog says why and keeps the draft
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[fields]\nnot_a_field = \"x\"\n").expect("write");
    if let Some(d) = h.state_mut().inventory_draft.as_mut() {
        d.load_path = bad.display().to_string();
    }
    h.run();
    h.get_by_label("Load").scroll_to_me();
    h.run();
    h.get_by_label("Load").click();
    h.run();
    h.run();
    let d = h.state().inventory_draft.clone().expect("open");
    assert!(
        d.error
            .as_deref()
            .is_some_and(|e| e.contains("not_a_field") && e.contains("bad.toml")),
        "{:?}",
        d.error
    );
    assert!(d.ledger.on, "the draft is kept");
}
