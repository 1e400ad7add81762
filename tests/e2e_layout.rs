//! End-to-end: the real `hetao` window under Xvfb, driven with xdotool and checked on the
//! screenshots (see `tests/desktop/mod.rs`). Skipped when Xvfb/xdotool/ImageMagick are
//! missing, unless `HETAO_REQUIRE_GPU=1`.

mod desktop;

use desktop::{Desktop, changed_fraction};
use std::time::Duration;

/// The window opens on the screen, draws the map, and the File menu opens when clicked.
#[test]
fn window_opens_and_the_file_menu_responds_to_a_click() {
    let Some(mut d) = Desktop::new(1440, 900) else {
        return;
    };
    if !d.launch_or_skip(&[]) {
        return;
    }
    // the zone loads in the background: wait until the map has many colours
    let (x, y, w, h) = d.window_geometry();
    assert!(w >= 900 && h >= 600, "window {w}×{h}");
    let before = desktop::wait_for(Duration::from_secs(60), "the map to draw", || {
        let (img, _) = d.screenshot();
        let mut colours = std::collections::HashSet::new();
        for yy in (h / 4..h * 3 / 4).step_by(3) {
            for xx in (w / 3..w * 2 / 3).step_by(3) {
                if let Some(p) = img.pixel(x as u32 + xx, y as u32 + yy) {
                    colours.insert([p[0], p[1], p[2]]);
                }
            }
        }
        (colours.len() > 100).then_some(img)
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    // "File" is the first item of the menu bar, at the window's top-left
    d.click(x + 18, y + 12);
    // the menu pops up below "File": the area under it changes
    let popup = (x as u32, y as u32 + 24, x as u32 + 220, y as u32 + 160);
    let opened = desktop::wait_for(Duration::from_secs(10), "the File menu", || {
        let (after, path) = d.screenshot();
        let f = changed_fraction(&before, &after, popup);
        (f > 0.2).then_some(path)
    });
    if let Err(e) = opened {
        panic!(
            "{e}: clicking File did not change the area below it; files kept in {}",
            d.keep().display()
        );
    }
    d.key("Escape");
    assert!(d.app_running(), "the app stopped:\n{}", d.log());
}
