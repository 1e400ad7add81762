//! End-to-end (issue 13): a drawing that declares no CRS, opened in the REAL `hetao` under
//! Xvfb (see `tests/desktop/mod.rs`; skipped without Xvfb/xdotool/ImageMagick unless
//! `HETAO_REQUIRE_GPU=1`). `hetao buildings_4547.dxf`: the load fails with `hetao check`'s
//! message (read from `--problems-log`) and the app asks which CRS the file is in, with the
//! text field focused. A code PROJ does not know, typed and Enter: the refusal shows in red
//! in the window and the problem stays; EPSG:4547 and Enter: the problem is gone, the window
//! with it, and the drawing is on the map (the view moves to it).

mod desktop;

use desktop::{Desktop, changed_fraction, count_pixels, wait_for};
use std::time::Duration;

/// The refusal's red (`app::panels::crs_prompt`).
fn is_refusal(p: [u8; 4]) -> bool {
    (160..=180).contains(&p[0]) && (20..=40).contains(&p[1]) && (20..=40).contains(&p[2])
}

#[test]
fn a_drawing_without_a_crs_is_placed_with_the_crs_typed_in_the_window() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/buildings_4547.dxf")
        .display()
        .to_string();
    let log = d.home().join("problems.txt");
    let log_arg = log.display().to_string();
    let args = [
        "--window-size",
        "1280x720",
        "--problems-log",
        &log_arg,
        &fixture,
    ];
    if !d.launch_or_skip(&args) {
        return;
    }
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for(Duration::from_secs(90), "the no-CRS problem", || {
        read()
            .contains("layer entities has no coordinate reference system")
            .then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    std::thread::sleep(Duration::from_secs(2));
    let (x, y, w, h) = d.window_geometry();
    let dialog = (
        x as u32 + w / 4,
        y as u32 + h / 5,
        x as u32 + w * 3 / 4,
        y as u32 + h * 4 / 5,
    );
    let (before, _) = d.screenshot();
    // the map under the window has a few pixels of that red (the MTR line's edges)
    let red_before = count_pixels(&before, dialog, is_refusal);

    // the field has the focus: replace the suggestion with a code PROJ does not know
    d.key("ctrl+a");
    d.type_text("EPSG:999999");
    d.key("Return");
    let refused = wait_for(Duration::from_secs(20), "the refusal", || {
        let (img, _) = d.screenshot();
        (count_pixels(&img, dialog, is_refusal) > red_before + 40).then_some(())
    });
    if let Err(e) = refused {
        panic!("{e}: files kept in {}", d.keep().display());
    }
    assert!(
        read().contains("no coordinate reference system"),
        "still listed"
    );

    // the Shenzhen survey CRS
    d.key("ctrl+a");
    d.type_text("EPSG:4547");
    d.key("Return");
    wait_for(Duration::from_secs(30), "the problem to go", || {
        read().trim().is_empty().then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}: the problems log still says {}", read()));
    let placed = wait_for(Duration::from_secs(60), "the drawing on the map", || {
        let (img, path) = d.screenshot();
        // the window is gone and the view moved to the drawing (the map's own red pixels
        // change with the view, so the refusal's are not counted here)
        (changed_fraction(&before, &img, dialog) > 0.3).then_some(path)
    });
    if let Err(e) = placed {
        panic!("{e}: files kept in {}", d.keep().display());
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(read().trim().is_empty(), "the file loaded: {}", read());
}
