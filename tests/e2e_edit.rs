//! End-to-end (issue 12): in the real window under Xvfb, driven with xdotool — Ctrl+F,
//! "SZ-B248", Enter selects it; Delete removes it and nothing stays selected (no selection
//! outline on the screen; the autosave the app writes holds the removal); Ctrl+Z brings it back
//! selected; Ctrl+S saves through the shipped dialog (zenity) and the file holds the edits.
//! See `tests/desktop/mod.rs`; skipped when Xvfb/xdotool/ImageMagick are missing, unless
//! `HETAO_REQUIRE_GPU=1`.

mod desktop;
mod flow;

use desktop::{Desktop, count_pixels, wait_for};
use flow::{chord, edits_in, find, wait_for_map};
use hetao_atlas::core::zone::Edit;
use std::time::Duration;

/// The map's selection outline colour (`app::map::SELECT`).
fn is_select_blue(p: [u8; 4]) -> bool {
    p[0] < 30 && (175..=205).contains(&p[1]) && p[2] > 235
}

/// Selection-outline pixels in the middle of the window (where the map flew to).
fn selection_pixels(d: &mut Desktop) -> usize {
    let (x, y, w, h) = d.window_geometry();
    let (img, _) = d.screenshot();
    let b = (
        x as u32 + w / 3,
        y as u32 + h / 6,
        x as u32 + w * 2 / 3,
        y as u32 + h * 5 / 6,
    );
    count_pixels(&img, b, is_select_blue)
}

#[test]
fn delete_clears_the_selection_undo_restores_it_and_save_writes_the_file() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    if !d.launch_or_skip(&[]) {
        return;
    }
    wait_for_map(&mut d);
    let pid = d.app_pid().expect("the app runs");
    let autosave = d
        .data_dir()
        .join(format!("hetao-atlas/untitled.autosave.{pid}.json"));
    find(&mut d, "SZ-B248");
    // the map flies to the building and outlines it
    let selected = wait_for(Duration::from_secs(20), "SZ-B248 outlined", || {
        let n = selection_pixels(&mut d);
        (n > 40).then_some(n)
    });
    if let Err(e) = selected {
        panic!("{e}; files kept in {}", d.keep().display());
    }
    d.move_to(5, 700); // keep the pointer off the map: no hover outline
    d.key("Delete");
    let removed = wait_for(
        Duration::from_secs(15),
        "the autosave with the removal",
        || {
            edits_in(&autosave).filter(|e| {
                e == &[Edit::Remove {
                    id: "SZ-B248".into(),
                }]
            })
        },
    );
    if let Err(e) = removed {
        panic!("{e}\n{}; files kept in {}", d.log(), d.keep().display());
    }
    // nothing is selected any more: no outline anywhere in the map (once the frame that
    // wrote the autosave is on the screen)
    let cleared = wait_for(Duration::from_secs(15), "no selection outline", || {
        (selection_pixels(&mut d) == 0).then_some(())
    });
    if let Err(e) = cleared {
        panic!("{e} after Delete; files kept in {}", d.keep().display());
    }
    // Undo: the building is back, and selected again
    chord(&d, "ctrl", "z");
    let back = wait_for(Duration::from_secs(15), "the undo in the autosave", || {
        edits_in(&autosave).filter(|e| e.is_empty())
    });
    if let Err(e) = back {
        panic!("{e}; files kept in {}", d.keep().display());
    }
    let reselected = wait_for(Duration::from_secs(10), "SZ-B248 selected again", || {
        let n = selection_pixels(&mut d);
        (n > 40).then_some(n)
    });
    if let Err(e) = reselected {
        panic!("{e}; files kept in {}", d.keep().display());
    }
    // Redo the removal, then save through the dialog the app ships (zenity).
    chord(&d, "ctrl", "y");
    if let Err(e) = wait_for(Duration::from_secs(15), "the redo in the autosave", || {
        edits_in(&autosave).filter(|e| {
            e == &[Edit::Remove {
                id: "SZ-B248".into(),
            }]
        })
    }) {
        panic!("{e}; files kept in {}", d.keep().display());
    }
    if !desktop::which("zenity") {
        desktop::skip_or_fail("zenity is not installed: the save dialog part is not run");
        return;
    }
    chord(&d, "ctrl", "s");
    let dialog = wait_for(Duration::from_secs(30), "the zenity save dialog", || {
        d.x(
            "xdotool",
            &["search", "--onlyvisible", "--name", "Save scenario as"],
        )
        .ok()
        .and_then(|o| o.lines().next().map(str::to_string))
    });
    let dialog = match dialog {
        Ok(w) => w,
        Err(e) => panic!("{e}\n{}; files kept in {}", d.log(), d.keep().display()),
    };
    let _ = d.x("xdotool", &["windowfocus", "--sync", &dialog]);
    let target = d.home().join("plan1.json");
    d.key("ctrl+a");
    d.type_text(&target.display().to_string());
    d.key("Return");
    let saved = wait_for(Duration::from_secs(20), "plan1.json written", || {
        edits_in(&target)
    });
    match saved {
        Ok(e) => assert_eq!(
            e,
            [Edit::Remove {
                id: "SZ-B248".into()
            }]
        ),
        Err(e) => panic!("{e}\n{}; files kept in {}", d.log(), d.keep().display()),
    }
    // saving removed the untitled autosave
    let gone = wait_for(Duration::from_secs(5), "the autosave to go", || {
        (!autosave.exists()).then_some(())
    });
    if let Err(e) = gone {
        panic!("{e}\n{}; files kept in {}", d.log(), d.keep().display());
    }
    assert!(d.app_running(), "the app stopped:\n{}", d.log());
}
