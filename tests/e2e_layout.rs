//! End-to-end: the real `hetao` window under Xvfb, driven with xdotool and checked on the
//! screenshots (see `tests/desktop/mod.rs`). Skipped when Xvfb/xdotool/ImageMagick are
//! missing, unless `HETAO_REQUIRE_GPU=1`.
//!
//! The map's width is measured on the screenshot (the columns that are not panel fill), not
//! read from the app.

mod desktop;

use desktop::{Desktop, changed_fraction, map_columns};
use std::time::Duration;

/// Start the app at `w`×`h` on a screen of that size and wait until the map is drawn (its
/// columns span more than a third of the window and show many colours).
fn start(w: u32, h: u32) -> Option<Desktop> {
    let mut d = Desktop::new(w, h)?;
    if !d.launch_or_skip(&["--window-size", &format!("{w}x{h}")]) {
        return None;
    }
    wait_map(&mut d, |m| m > w / 3);
    Some(d)
}

/// Wait (up to 60 s) until the map's measured width satisfies `ok`; returns it.
fn wait_map(d: &mut Desktop, ok: impl Fn(u32) -> bool) -> u32 {
    let got = desktop::wait_for(Duration::from_secs(60), "the map width", || {
        let (img, _) = d.screenshot();
        let (x0, mw) = map_columns(&img);
        let mut colours = std::collections::HashSet::new();
        for y in (img.height / 5..img.height * 4 / 5).step_by(4) {
            for x in (x0..x0 + mw).step_by(4) {
                if let Some(p) = img.pixel(x, y) {
                    colours.insert([p[0], p[1], p[2]]);
                }
            }
        }
        (colours.len() > 60 && ok(mw)).then_some(mw)
    });
    match got {
        Ok(mw) => mw,
        Err(e) => {
            let (img, path) = d.screenshot();
            let (x0, mw) = map_columns(&img);
            panic!(
                "{e}: last measure {mw} px from x = {x0} on {} (files kept in {})\n{}",
                path.display(),
                d.keep().display(),
                d.log()
            );
        }
    }
}

#[test]
fn the_map_takes_at_least_60_percent_of_the_width_at_1280x720_and_1366x768() {
    for (w, h) in [(1280, 720), (1366, 768)] {
        let Some(mut d) = start(w, h) else {
            return;
        };
        let (img, path) = d.screenshot();
        assert_eq!((img.width, img.height), (w, h), "screen size");
        let (x0, mw) = map_columns(&img);
        assert!(
            f64::from(mw) >= 0.6 * f64::from(w),
            "at {w}×{h} the map is {mw} px wide from x = {x0} ({:.0} %): {} (kept in {})",
            100.0 * f64::from(mw) / f64::from(w),
            path.display(),
            d.keep().display()
        );
    }
}

/// `[` and `]` collapse the panels (the map widens by about their widths), the state is
/// remembered in the XDG config dir and a new run starts with it.
#[test]
fn panels_collapse_by_key_and_stay_collapsed_in_the_next_run() {
    let Some(mut d) = start(1280, 720) else {
        return;
    };
    let m0 = map_columns(&d.screenshot().0).1;
    d.key("bracketleft");
    let m1 = wait_map(&mut d, |m| m >= m0 + 150);
    d.key("bracketright");
    let m2 = wait_map(&mut d, |m| m >= m1 + 180);
    assert!(
        m2 >= 1280 - 80,
        "with both panels hidden the map is only {m2} px"
    );
    let settings = d.config_dir().join("hetao-atlas").join("layout.json");
    desktop::wait_for(Duration::from_secs(5), "layout.json", || {
        settings.exists().then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}: {}", settings.display()));
    d.kill();
    d.launch_or_skip(&["--window-size", "1280x720"]);
    // Both panels collapsed again means the same bar as before the restart: the map takes all
    // but the two collapsed strips. (The restored strips can be a few tens of pixels wider than
    // the ones collapsed by key: 1229 against 1251 px in a clean-clone CI run.) With the
    // panels forgotten the map would stay near 800 px and this times out with the measure.
    let again = wait_map(&mut d, |m| m >= 1280 - 80);
    assert!(
        again >= 1280 - 80,
        "after a restart the map is {again} px, before it was {m2} px: the collapsed panels \
         were not remembered"
    );
    // and `[` brings the Layers panel back
    d.key("bracketleft");
    let back = wait_map(&mut d, |m| m + 150 <= again);
    assert!(back < again, "the Layers panel did not come back");
}

/// Dragging the side panel's inner edge resizes the panel (the map narrows by the drag) and
/// does not pan the map.
#[test]
fn dragging_a_panel_edge_resizes_it_instead_of_panning_the_map() {
    let Some(mut d) = start(1280, 720) else {
        return;
    };
    let (img, _) = d.screenshot();
    let (x0, mw) = map_columns(&img);
    let edge = (x0 + mw) as i32; // the right panel's inner edge
    let y = 360;
    d.drag((edge, y), (edge - 120, y));
    let narrowed = wait_map(&mut d, |m| m + 80 <= mw);
    let (after, path) = d.screenshot();
    // the map's left part (not covered by the wider panel) did not move
    let still = (x0 + 60, 150, x0 + narrowed - 60, 550);
    let f = changed_fraction(&img, &after, still);
    assert!(
        f < 0.05,
        "dragging the panel edge changed {:.0} % of the map: it panned ({})",
        f * 100.0,
        path.display()
    );
}

/// The window opens on the screen, draws the map, and the File menu opens when clicked.
#[test]
fn window_opens_and_the_file_menu_responds_to_a_click() {
    let Some(mut d) = start(1280, 720) else {
        return;
    };
    let (x, y, _, _) = d.window_geometry();
    let (before, _) = d.screenshot();
    // "File" is the first item of the menu bar, at the window's top-left
    d.click(x + 18, y + 12);
    let popup = (x as u32, y as u32 + 24, x as u32 + 200, y as u32 + 160);
    let opened = desktop::wait_for(Duration::from_secs(10), "the File menu", || {
        let (after, path) = d.screenshot();
        (changed_fraction(&before, &after, popup) > 0.2).then_some(path)
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

/// A broken file opened from the command line shows exactly `hetao check`'s message (read from
/// the `--problems-log` the app writes) in a panel that does not block the menus: the File menu
/// still opens on a click.
#[test]
fn a_broken_file_shows_checks_message_and_the_menus_still_work() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile/truncated.geojson");
    let fixture = fixture.display().to_string();
    let log = d.home().join("problems.txt");
    let log_arg = log.display().to_string();
    let args = [
        "--window-size",
        "1280x720",
        "--open",
        &fixture,
        "--problems-log",
        &log_arg,
    ];
    if !d.launch_or_skip(&args) {
        return;
    }
    // what `hetao check` prints for the file, less its summary line
    let check = std::process::Command::new(desktop::hetao_bin())
        .args(["check", &fixture])
        .output()
        .expect("run hetao check");
    let check = String::from_utf8_lossy(&check.stdout);
    let expected: Vec<&str> = check
        .lines()
        .filter(|l| !l.starts_with("checked "))
        .collect();
    assert!(
        expected.iter().any(|l| l.contains(":4:56: error:")),
        "check's output changed: {check}"
    );
    let shown = desktop::wait_for(Duration::from_secs(60), "the problems log", || {
        std::fs::read_to_string(&log).ok().filter(|s| !s.is_empty())
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    assert_eq!(shown.lines().collect::<Vec<_>>(), expected);
    wait_map(&mut d, |m| m > 400);
    let (before, _) = d.screenshot();
    d.click(18, 12);
    let popup = (0, 24, 200, 160);
    let opened = desktop::wait_for(Duration::from_secs(10), "the File menu", || {
        let (after, path) = d.screenshot();
        (changed_fraction(&before, &after, popup) > 0.2).then_some(path)
    });
    if let Err(e) = opened {
        panic!(
            "{e}: with the problem shown, File did not open; files kept in {}",
            d.keep().display()
        );
    }
}
