//! End-to-end (issue 17): saves that respect others, in the real window under Xvfb.
//!
//! - Two instances on one scenario file: A saves it, then edits (its autosave is
//!   `shared.autosave.<pid A>.json`); B starts (A's autosave is not offered: A runs), opens the
//!   file and edits (its own autosave beside A's); A saves; B's save is refused with the
//!   conflict prompt on the screen (found by its fill), Escape cancels and A's edits are still
//!   on disk; B saves again and takes Reload and merge, then saves: the file holds A's edits
//!   and B's. The file's mode (0664, as set for a shared folder) survives every save.
//! - `hetao snapshot --out` over an existing 0644 (and 0664) PNG keeps the mode.
//! - A truncated autosave is reported (the Problems panel, written to `--problems-log`, with
//!   line and column), kept as `….corrupt`, and the next edit's autosave does not touch it.
//!
//! The dialogs are the in-app path field (`HETAO_FILE_DIALOG=field`, set for the app only).

mod desktop;
mod flow;

use desktop::{Desktop, count_pixels, wait_for};
use flow::{chord, chord_and_wait, edits_in, find, wait_for_map};
use hetao_atlas::core::zone::Edit;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// The conflict prompt's fill (`app::panels::prompts::CONFLICT_FILL`, 255,226,222).
fn is_conflict(p: [u8; 4]) -> bool {
    p[0] == 255 && (222..=230).contains(&p[1]) && (218..=226).contains(&p[2])
}

/// The recovery banner's fill (`app::panels::prompts`).
fn is_banner(p: [u8; 4]) -> bool {
    p[0] == 255 && (240..=248).contains(&p[1]) && (200..=212).contains(&p[2])
}

fn pixels(d: &mut Desktop, f: fn([u8; 4]) -> bool) -> usize {
    let (x, y, w, h) = d.window_geometry();
    let (img, _) = d.screenshot();
    count_pixels(&img, (x as u32, y as u32, x as u32 + w, y as u32 + h), f)
}

fn removed(ids: &[&str]) -> Vec<Edit> {
    ids.iter()
        .map(|id| Edit::Remove { id: id.to_string() })
        .collect()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0)
}

/// Fail with the log, and keep the home (screenshots, files) for a look.
fn fail(d: &mut Desktop, e: String) -> ! {
    let log = d.log();
    panic!("{e}\n{log}\nfiles kept in {}", d.keep().display())
}

fn wait_edits(d: &mut Desktop, p: &Path, want: &[&str], what: &str) {
    let want = removed(want);
    if let Err(e) = wait_for(Duration::from_secs(20), what, || {
        edits_in(p).filter(|e| *e == want)
    }) {
        let now = edits_in(p);
        fail(d, format!("{e} (now {now:?})"));
    }
}

/// Search a building, delete it, with the pointer off the map.
fn delete(d: &mut Desktop, id: &str) {
    find(d, id);
    d.move_to(5, 700);
    d.key("Delete");
}

/// Type a path into the path field the chord opened, and take it.
fn path_field(d: &mut Desktop, modifier: &str, key: &str, p: &Path) {
    chord_and_wait(d, modifier, key);
    d.key("ctrl+a");
    d.type_text(&p.display().to_string());
    d.key("Return");
}

#[test]
fn two_instances_saving_one_scenario_never_overwrite_each_other_silently() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    d.set_app_env("HETAO_FILE_DIALOG", "field");
    if !d.launch_or_skip(&[]) {
        return;
    }
    wait_for_map(&mut d);
    let scen = d.home().join("shared.json");
    // A: one edit, saved; the shared folder wants group-writable files
    delete(&mut d, "SZ-B248");
    path_field(&mut d, "ctrl", "s", &scen);
    wait_edits(&mut d, &scen, &["SZ-B248"], "A's first save");
    std::fs::set_permissions(&scen, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    // A: a second edit, in A's own autosave
    let pid_a = d.app_pid().expect("A runs");
    let auto_a = d.home().join(format!("shared.autosave.{pid_a}.json"));
    delete(&mut d, "SZ-B252");
    wait_edits(&mut d, &auto_a, &["SZ-B248", "SZ-B252"], "A's autosave");

    // B starts beside A: A's autosave is a running instance's, not a crash to offer
    if let Err(e) = d.launch_another(&[]) {
        fail(&mut d, e);
    }
    wait_for_map(&mut d);
    std::thread::sleep(Duration::from_secs(2));
    // (a few map pixels share the banner's colour; the banner itself is thousands)
    let banner = pixels(&mut d, is_banner);
    if banner > 2000 {
        fail(
            &mut d,
            format!("B offered A's autosave ({banner} banner pixels)"),
        );
    }
    let pid_b = d.app_pid().expect("B runs");
    assert_ne!(pid_a, pid_b);
    let auto_b = d.home().join(format!("shared.autosave.{pid_b}.json"));
    // B opens the file and edits: its own autosave, beside A's
    path_field(&mut d, "ctrl", "o", &scen);
    delete(&mut d, "SZ-B250");
    wait_edits(&mut d, &auto_b, &["SZ-B248", "SZ-B250"], "B's autosave");
    assert_eq!(
        edits_in(&auto_a),
        Some(removed(&["SZ-B248", "SZ-B252"])),
        "B replaced A's autosave"
    );
    let both = hetao_atlas::app::doc::instance::autosaves_of(d.home(), "shared");
    assert_eq!(both.len(), 2, "{both:?}");

    // A saves
    d.switch();
    d.move_to(5, 700);
    chord(&d, "ctrl", "s");
    wait_edits(&mut d, &scen, &["SZ-B248", "SZ-B252"], "A's second save");
    if let Err(e) = wait_for(Duration::from_secs(10), "A's autosave to go", || {
        (!auto_a.exists()).then_some(())
    }) {
        fail(&mut d, e);
    }
    assert_eq!(mode(&scen), 0o664, "A's save changed the file's mode");

    // B saves: refused, the conflict prompt is on the screen
    d.switch();
    d.move_to(5, 700);
    chord(&d, "ctrl", "s");
    if let Err(e) = wait_for(Duration::from_secs(20), "the conflict prompt", || {
        (pixels(&mut d, is_conflict) > 3000).then_some(())
    }) {
        fail(&mut d, e);
    }
    let (_, shot) = d.screenshot();
    eprintln!("the conflict prompt: {}", shot.display());
    assert_eq!(
        edits_in(&scen),
        Some(removed(&["SZ-B248", "SZ-B252"])),
        "B's save replaced A's"
    );
    // Escape: Cancel. Nothing written; B's edits stay unsaved (and autosaved)
    d.key("Escape");
    if let Err(e) = wait_for(Duration::from_secs(10), "the prompt to go", || {
        (pixels(&mut d, is_conflict) == 0).then_some(())
    }) {
        fail(&mut d, e);
    }
    assert_eq!(edits_in(&scen), Some(removed(&["SZ-B248", "SZ-B252"])));
    assert_eq!(edits_in(&auto_b), Some(removed(&["SZ-B248", "SZ-B250"])));

    // B saves again and takes Reload and merge (one step left of the focused Cancel)
    chord(&d, "ctrl", "s");
    if let Err(e) = wait_for(Duration::from_secs(20), "the conflict prompt again", || {
        (pixels(&mut d, is_conflict) > 3000).then_some(())
    }) {
        fail(&mut d, e);
    }
    // the modifier held a moment: egui must see Shift before the Tab
    chord(&d, "shift", "Tab");
    d.key("Return");
    // the merge is B's document, autosaved; a save writes it without a prompt
    wait_edits(
        &mut d,
        &auto_b,
        &["SZ-B248", "SZ-B252", "SZ-B250"],
        "the merge in B's autosave",
    );
    d.move_to(5, 700);
    chord(&d, "ctrl", "s");
    wait_edits(
        &mut d,
        &scen,
        &["SZ-B248", "SZ-B252", "SZ-B250"],
        "B's merged save",
    );
    assert_eq!(mode(&scen), 0o664, "B's save changed the file's mode");
    assert!(d.app_running(), "B stopped:\n{}", d.log());
    d.switch();
    assert!(d.app_running(), "A stopped:\n{}", d.log());
}

#[test]
fn snapshot_over_an_existing_png_keeps_its_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    for want in [0o644, 0o664] {
        let out = dir.path().join(format!("map{want:o}.png"));
        std::fs::write(&out, b"an older map").expect("write");
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(want)).expect("chmod");
        let run = std::process::Command::new(desktop::hetao_bin())
            .args(["snapshot", "--out"])
            .arg(&out)
            .args(["--bbox", "114.070,22.515,114.085,22.530", "--world-file"])
            .output()
            .expect("run hetao snapshot");
        let err = String::from_utf8_lossy(&run.stderr);
        if !run.status.success()
            && ["adapter", "wgpu", "Vulkan"]
                .iter()
                .any(|w| err.contains(w))
        {
            desktop::skip_or_fail(&format!("no GPU adapter for the snapshot: {err}"));
            return;
        }
        assert!(run.status.success(), "hetao snapshot failed: {err}");
        let png = std::fs::read(&out).expect("read");
        assert!(png.starts_with(b"\x89PNG"), "not replaced by the map");
        assert_eq!(
            mode(&out),
            want,
            "the snapshot changed {}'s mode",
            out.display()
        );
    }
}

#[test]
fn a_truncated_autosave_is_reported_kept_aside_and_never_overwritten() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    // an autosave of an instance that crashed, cut in half by a full disk
    let data = d.data_dir().join("hetao-atlas");
    std::fs::create_dir_all(&data).expect("data dir");
    let whole = hetao_atlas::core::zone::Scenario {
        edits: removed(&["SZ-B100", "SZ-B101", "SZ-B102"]),
        ..Default::default()
    }
    .to_json();
    let half = &whole[..whole.len() / 2];
    let auto = data.join("untitled.autosave.999999.json");
    std::fs::write(&auto, half).expect("write");
    let log = d.home().join("problems.log");
    let log_arg = log.display().to_string();
    if !d.launch_or_skip(&["--problems-log", &log_arg]) {
        return;
    }
    wait_for_map(&mut d);
    // reported: the file, line:column of the error, where it was kept
    let kept = data.join("untitled.autosave.999999.json.corrupt");
    let line = match wait_for(Duration::from_secs(20), "the report in Problems", || {
        std::fs::read_to_string(&log)
            .ok()?
            .lines()
            .find(|l| l.contains("untitled.autosave.999999.json:"))
            .map(str::to_string)
    }) {
        Ok(l) => l,
        Err(e) => fail(&mut d, e),
    };
    let after = line
        .split_once("untitled.autosave.999999.json:")
        .map(|(_, r)| r)
        .unwrap_or("");
    let mut nums = after.splitn(3, ':');
    let (l, c) = (nums.next(), nums.next());
    assert!(
        l.is_some_and(|l| l.parse::<usize>().is_ok_and(|n| n >= 1))
            && c.is_some_and(|c| c.parse::<usize>().is_ok_and(|n| n >= 1)),
        "no line:column in {line}"
    );
    assert!(line.contains("error: this autosave is damaged"), "{line}");
    assert!(
        line.ends_with(&format!("kept as {}", kept.display())),
        "{line}"
    );
    let (_, shot) = d.screenshot();
    eprintln!("the report on the screen: {}", shot.display());
    assert_eq!(std::fs::read_to_string(&kept).ok().as_deref(), Some(half));
    assert!(!auto.exists(), "the damaged autosave was left in place");
    // the next edit autosaves into this instance's own file; the kept one is untouched
    let pid = d.app_pid().expect("runs");
    let own = data.join(format!("untitled.autosave.{pid}.json"));
    delete(&mut d, "SZ-B248");
    wait_edits(&mut d, &own, &["SZ-B248"], "the next autosave");
    assert_eq!(std::fs::read_to_string(&kept).ok().as_deref(), Some(half));
    assert!(d.app_running(), "the app stopped:\n{}", d.log());
}
