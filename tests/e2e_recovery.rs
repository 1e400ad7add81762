//! End-to-end (issue 12): crash recovery and the in-app path field, in the real window under
//! Xvfb. With no file dialog backend (`HETAO_FILE_DIALOG=field`: what the app does without
//! zenity or a portal) Ctrl+S opens the path field; the scenario is saved there (1 edit); a
//! second edit goes to the instance's own `scen1.autosave.<pid>.json`; SIGKILL; at the next
//! start the app offers the autosave (the banner is on the screen), Enter restores it, Ctrl+S
//! writes both edits back to `scen1.json` and no autosave of it is left. Everything is checked on the screenshots and the files the app writes.

mod desktop;
mod flow;

use desktop::{Desktop, count_pixels, wait_for};
use flow::{chord, chord_and_wait, edits_in, find, wait_for_map};
use hetao_atlas::core::zone::Edit;
use std::time::Duration;

/// The recovery banner's fill (`app::panels::prompts`).
fn is_banner(p: [u8; 4]) -> bool {
    p[0] == 255 && (240..=248).contains(&p[1]) && (200..=212).contains(&p[2])
}

fn banner_pixels(d: &mut Desktop) -> usize {
    let (x, y, w, h) = d.window_geometry();
    let (img, _) = d.screenshot();
    count_pixels(
        &img,
        (x as u32, y as u32, x as u32 + w, y as u32 + h / 4),
        is_banner,
    )
}

fn removed(ids: &[&str]) -> Vec<Edit> {
    ids.iter()
        .map(|id| Edit::Remove { id: id.to_string() })
        .collect()
}

#[test]
fn edits_survive_a_sigkill_and_the_path_field_saves() {
    // SAFETY: the only test of this binary, before it starts any thread of its own; the app
    // (a child process) inherits the variable.
    unsafe { std::env::set_var("HETAO_FILE_DIALOG", "field") };
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    if !d.launch_or_skip(&[]) {
        return;
    }
    wait_for_map(&mut d);
    let scen = d.home().join("scen1.json");
    let pid = d.app_pid().expect("the app runs");
    let autosave = d.home().join(format!("scen1.autosave.{pid}.json"));
    let fail = |mut d: Desktop, e: String| -> ! {
        let log = d.log();
        panic!("{e}\n{log}\nfiles kept in {}", d.keep().display())
    };
    // edit 1, then save through the path field (no dialog backend)
    find(&mut d, "SZ-B248");
    d.move_to(5, 700);
    d.key("Delete");
    chord_and_wait(&mut d, "ctrl", "s");
    d.key("ctrl+a");
    d.type_text(&scen.display().to_string());
    d.key("Return");
    if let Err(e) = wait_for(Duration::from_secs(15), "scen1.json with 1 edit", || {
        edits_in(&scen).filter(|e| *e == removed(&["SZ-B248"]))
    }) {
        fail(d, e);
    }
    // edit 2 goes to the scenario's own autosave, then the app is killed
    find(&mut d, "SZ-B250");
    d.move_to(5, 700);
    d.key("Delete");
    if let Err(e) = wait_for(
        Duration::from_secs(15),
        "scen1.autosave.<pid>.json with 2 edits",
        || edits_in(&autosave).filter(|e| *e == removed(&["SZ-B248", "SZ-B250"])),
    ) {
        fail(d, e);
    }
    assert_eq!(
        edits_in(&scen),
        Some(removed(&["SZ-B248"])),
        "the saved file changed"
    );
    d.kill();
    // restart: the offer is on the screen
    if let Err(e) = d.launch(&[]) {
        fail(d, e);
    }
    wait_for_map(&mut d);
    if let Err(e) = wait_for(Duration::from_secs(20), "the recovery banner", || {
        (banner_pixels(&mut d) > 2000).then_some(())
    }) {
        fail(d, e);
    }
    // Enter: Restore (it has the focus); the banner goes
    d.key("Return");
    if let Err(e) = wait_for(Duration::from_secs(10), "the banner to go", || {
        (banner_pixels(&mut d) == 0).then_some(())
    }) {
        fail(d, e);
    }
    // the restored edits are the document's: Ctrl+S writes both to scen1.json
    d.move_to(5, 700);
    chord(&d, "ctrl", "s");
    if let Err(e) = wait_for(Duration::from_secs(15), "scen1.json with 2 edits", || {
        edits_in(&scen).filter(|e| *e == removed(&["SZ-B248", "SZ-B250"]))
    }) {
        fail(d, e);
    }
    assert!(!autosave.exists(), "saving removes the restored autosave");
    let left = hetao_atlas::app::doc::instance::autosaves_of(d.home(), "scen1");
    assert!(left.is_empty(), "saving removes the autosaves: {left:?}");
    assert!(d.app_running(), "the app stopped:\n{}", d.log());
}
