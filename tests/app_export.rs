//! The app's Export dialog (File › Export › Map page…), driven through egui_kittest: it
//! offers the page options and shows the raster size the chosen paper, orientation and DPI
//! give, independent of the window's size.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hetao_atlas::app::HetaoApp;
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::render::StyleSet;

fn harness() -> Harness<'static, HetaoApp> {
    let ds = embedded_dataset().expect("zone");
    let mut a = HetaoApp::with_data(
        ds,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    a.autosave = false;
    Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .with_context_setup(hetao_atlas::app::setup_style)
        .build_ui_state(|ui, app: &mut HetaoApp| app.show(ui), a)
}

#[test]
fn export_dialog_sets_up_the_page_independent_of_the_window() {
    let mut h = harness();
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export").hover();
    h.run();
    h.get_by_label("Map page (PDF, SVG, PNG)…").click();
    h.run();
    assert!(h.query_by_label("Export map page").is_some());
    // A4 landscape at 150 dpi by default: 297 × 210 mm → 1754 × 1240 px
    assert!(h.query_by_label("1754×1240 px (PNG, GIF)").is_some());
    h.get_by_label("A3").click();
    h.run();
    h.get_by_label("Portrait").click();
    h.run();
    h.get_by_label("300").click();
    h.run();
    // A3 portrait at 300 dpi: 297 × 420 mm → 3508 × 4961 px, whatever the window is
    assert!(h.query_by_label("3508×4961 px (PNG, GIF)").is_some());
    // the legend lists the visible layers with a legend, each a checkbox
    for layer in ["Shenzhen River 深圳河", "Buildings by status"] {
        assert!(
            h.query_by_role_and_label(egui::accesskit::Role::CheckBox, layer)
                .is_some(),
            "{layer} has no legend checkbox"
        );
    }
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Export map page").is_none());
}
