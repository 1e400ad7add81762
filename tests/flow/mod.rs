//! Steps of the edit-flow end-to-end tests (tests/e2e_edit.rs, tests/e2e_recovery.rs) on top
//! of the desktop harness (`tests/desktop`): key chords, search, waiting for the map, and
//! reading the scenario files the app writes.

#![allow(dead_code)] // each test file uses a part

use crate::desktop::{Desktop, wait_for};
use hetao_atlas::core::zone::{Edit, Scenario};
use std::path::Path;
use std::time::Duration;

/// A chord with the modifier held a moment (egui must see the modifier before the key).
pub fn chord(d: &Desktop, modifier: &str, key: &str) {
    for args in [
        vec!["keydown", modifier],
        vec!["key", key],
        vec!["keyup", modifier],
    ] {
        d.x("xdotool", &args)
            .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
        std::thread::sleep(Duration::from_millis(150));
    }
    d.settle();
}

/// [`chord`], then wait (up to 20 s) until the screen shows that the app took it (the focus
/// ring of a text box, a window that opens): on a loaded machine a frame of the debug build
/// on a CPU renderer can take a second, and keys typed before the focus moved would go to
/// the map instead.
pub fn chord_and_wait(d: &mut Desktop, modifier: &str, key: &str) {
    let (x, y, w, h) = d.window_geometry();
    let (before, _) = d.screenshot();
    chord(d, modifier, key);
    let area = (x as u32, y as u32, x as u32 + w, y as u32 + h);
    if let Err(e) = wait_for(Duration::from_secs(20), "the app to react", || {
        let (after, _) = d.screenshot();
        (crate::desktop::changed_fraction(&before, &after, area) > 0.0003).then_some(())
    }) {
        panic!("{e} to {modifier}+{key}\n{}", d.log());
    }
    std::thread::sleep(Duration::from_millis(300));
}

/// Wait until the map has drawn (many colours in the window's middle).
pub fn wait_for_map(d: &mut Desktop) {
    let (x, y, w, h) = d.window_geometry();
    wait_for(Duration::from_secs(90), "the map to draw", || {
        let (img, _) = d.screenshot();
        let mut colours = std::collections::HashSet::new();
        for yy in (h / 4..h * 3 / 4).step_by(3) {
            for xx in (w / 3..w * 2 / 3).step_by(3) {
                if let Some(p) = img.pixel(x as u32 + xx, y as u32 + yy) {
                    colours.insert([p[0], p[1], p[2]]);
                }
            }
        }
        (colours.len() > 60).then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
}

/// Search and take the first result with Enter.
pub fn find(d: &mut Desktop, q: &str) {
    chord_and_wait(d, "ctrl", "f");
    d.key("ctrl+a");
    d.type_text(q);
    d.key("Return");
}

/// The edits of a scenario file the app wrote (`None` while it does not parse or exist).
pub fn edits_in(p: &Path) -> Option<Vec<Edit>> {
    Scenario::load(p).ok().map(|s| s.edits)
}
