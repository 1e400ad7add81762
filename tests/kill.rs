//! No lost work: a process killed (SIGKILL) in the middle of saving a scenario leaves the
//! previous file or the new one on disk, whole, every time.
//!
//! The test re-executes its own test binary (`std::env::current_exe()`) with
//! `HETAO_KILL_CHILD=<dir>` and `--exact` its own name: in that child process the same test
//! function sees the variable and runs the helper [`save_loop`] instead (the helpers are plain
//! functions, not tests, so a normal run counts only the parents that really kill). The child
//! saves two large
//! scenarios (thousands of edits, about a megabyte each) alternately to the same path through
//! `Scenario::save` (which goes through `core::atomic`), as fast as it can. The parent waits
//! until the child says it is saving, sleeps a random (seeded) time, kills it with SIGKILL
//! (`Child::kill` on Unix), then parses the file and checks that it is exactly one of the
//! two scenarios. It also counts the temporary files left behind: each one is a kill that
//! landed between creating the temporary file and renaming it, i.e. in the middle of a save,
//! and the test requires many of those so that it cannot pass by killing between saves only.

use hetao_atlas::core::zone::scenario::{Edit, Scenario};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "HETAO_KILL_CHILD";
const FILE: &str = "plan.json";
/// Kill runs per test run; all must leave an intact file.
const RUNS: u32 = 100;

/// Two different large scenarios (`edits` edits each), A and B.
fn scenarios(edits: usize) -> (Scenario, Scenario) {
    let make = |tag: &str, shift: i32| Scenario {
        name: format!("Scenario {tag}"),
        description: format!("{edits} edits, variant {tag}; 河套深港科技创新合作区"),
        edits: (0..edits)
            .map(|i| match i % 4 {
                0 => Edit::SetYear {
                    id: format!("SZ-B{:03}", i % 280 + 1),
                    year: 2026 + shift + (i % 9) as i32,
                },
                1 => Edit::SetStatus {
                    id: format!("HK-B{:03}", i % 106 + 1),
                    status: if shift == 0 { "planned" } else { "completed" }.to_string(),
                    year: 2027 + (i % 8) as i32,
                },
                2 => Edit::SetFloorArea {
                    id: format!("SZ-B{:03}-U01", i % 280 + 1),
                    m2: 1000.0 + (i as f64) * 1.5 + f64::from(shift),
                },
                _ => Edit::Remove {
                    id: format!("{tag}-GONE-{i:05}"),
                },
            })
            .collect(),
    };
    (make("A", 0), make("B", 3))
}

use hetao_atlas::core::zone::generator::SplitMix64 as SplitMix;

fn temporaries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            let name = name.to_string_lossy();
            name.starts_with(".hetao-") && name.ends_with(".tmp")
        })
        .count()
}

/// The child side (run only in the child process the parent starts): save B, A, B, A, ... to
/// `<dir>/plan.json` until killed (or for 20 s at most).
fn save_loop(dir: &Path) {
    let path = dir.join(FILE);
    let (a, b) = scenarios(EDITS);
    // Start with the scenario that is not on disk, so that the first save changes the file.
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let mut i: u64 = if on_disk == b.to_json() { 1 } else { 0 };
    println!("HETAO-SAVING");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let s = if i.is_multiple_of(2) { &b } else { &a };
        s.save(&path).expect("save");
        i += 1;
    }
}

const EDITS: usize = 4000;

/// This test's name, which the parent passes to the child with `--exact`.
const SAVE_TEST: &str = "sigkill_during_scenario_save_leaves_old_or_new_file_intact";

#[test]
fn sigkill_during_scenario_save_leaves_old_or_new_file_intact() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        save_loop(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE);
    let (a, b) = scenarios(EDITS);
    let (a_json, b_json) = (a.to_json(), b.to_json());
    assert!(
        a_json.len() > 300_000,
        "scenario too small to be killed mid-write"
    );
    a.save(&path).expect("initial save");
    let exe = std::env::current_exe().expect("current_exe");
    let mut rng = SplitMix::new(0x4845_5441_4f00_0001);
    let (mut saw_a, mut saw_b, mut mid_write) = (0u32, 0u32, 0u32);
    let started = Instant::now();
    // How long one save takes here, to spread the kills over several saves.
    let t = Instant::now();
    b.save(&path).expect("timing save");
    a.save(&path).expect("timing save");
    let save = t.elapsed() / 2;
    for run in 0..RUNS {
        // Leftovers of earlier kills are garbage (never the user's file): clear them so
        // that a temporary file seen below belongs to this run.
        for e in std::fs::read_dir(dir.path()).expect("read_dir") {
            let p = e.expect("entry").path();
            if p != path {
                std::fs::remove_file(&p).expect("remove leftover");
            }
        }
        // The file before this run's saves: A or B in turn (pairs of runs, so that both
        // kill strategies below meet both), so that "old" and "new" alternate whatever
        // the timing.
        if (run / 2) % 2 == 0 { &a } else { &b }
            .save(&path)
            .expect("starting file");
        let mut child = Command::new(&exe)
            .args(["--exact", SAVE_TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("HETAO-SAVING") => break,
                Some(Ok(_)) => continue,
                other => panic!("run {run}: child never started saving: {other:?}"),
            }
        }
        // Even runs: a random moment within the first ~2 saves (most of a save is building
        // the text, so these land mostly before the temporary file exists). Odd runs: wait
        // for the temporary file to appear, then a random 0–2 ms, to aim at the
        // write / flush / fsync / rename window.
        let r = rng.next_u64();
        let delay = if run % 2 == 0 {
            Duration::from_micros(100 + r % (save.as_micros() as u64 * 2).max(1000))
        } else {
            let deadline = Instant::now() + Duration::from_secs(10);
            while temporaries(dir.path()) == 0 {
                assert!(Instant::now() < deadline, "run {run}: no save started");
                std::hint::spin_loop();
            }
            Duration::from_micros(r % 2000)
        };
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait");
        assert!(
            !status.success(),
            "run {run}: child finished instead of being killed"
        );
        if temporaries(dir.path()) > 0 {
            mid_write += 1;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("run {run}: {FILE} unreadable after the kill: {e}"));
        let got = Scenario::from_json(&text, FILE)
            .unwrap_or_else(|e| panic!("run {run} (kill after {delay:?}): torn file: {e}"));
        if got == a {
            assert_eq!(text, a_json, "run {run}");
            saw_a += 1;
        } else if got == b {
            assert_eq!(text, b_json, "run {run}");
            saw_b += 1;
        } else {
            panic!("run {run}: {FILE} parses but is neither the old nor the new scenario");
        }
    }
    eprintln!(
        "{RUNS} kills in {:?} (one save ≈ {save:?}): file was A {saw_a}×, B {saw_b}×; \
         {mid_write} kills landed after the temporary file was created and before the rename",
        started.elapsed()
    );
    assert_eq!(saw_a + saw_b, RUNS);
    assert!(
        saw_a > 0 && saw_b > 0,
        "the file never changed: saves did not complete"
    );
    assert!(
        mid_write >= RUNS / 4,
        "only {mid_write} of {RUNS} kills landed in the middle of writing the file"
    );
}

// ---------------------------------------------------------------------------------------
// Autosave (the desktop app's document): unsaved edits survive a kill.
// ---------------------------------------------------------------------------------------

#[cfg(feature = "gui")]
const AUTOSAVE_ENV: &str = "HETAO_KILL_AUTOSAVE";
/// Autosave kill runs per test run.
#[cfg(feature = "gui")]
const AUTOSAVE_RUNS: u32 = 12;

/// The edits the child makes, in order: floor areas of buildings SZ-B001, SZ-B002, ...
#[cfg(feature = "gui")]
fn autosave_edit(i: usize) -> Edit {
    Edit::SetFloorArea {
        id: format!("SZ-B{:03}", i % 280 + 1),
        m2: 10_000.0 + i as f64,
    }
}

/// The child side (run only in the child process the parent starts): a document on
/// `<dir>/plan.json` (saved once, empty), then edits applied one by one, the autosave written
/// after each (as the app does after every change) and `AUTOSAVED n` printed once it returned.
#[cfg(feature = "gui")]
fn edit_and_autosave_loop(dir: &Path) {
    use hetao_atlas::app::doc::Document;
    let base = hetao_atlas::core::zone::embedded_dataset().expect("embedded");
    let mut doc = Document::new(base);
    doc.save_as(&dir.join(FILE)).expect("save_as");
    println!("HETAO-SAVING");
    for i in 0..10_000 {
        doc.apply(autosave_edit(i)).expect("edit");
        doc.autosave().expect("autosave");
        println!("AUTOSAVED {}", i + 1);
    }
}

/// This test's name, which the parent passes to the child with `--exact`.
#[cfg(feature = "gui")]
const AUTOSAVE_TEST: &str = "sigkill_between_edits_loses_no_autosaved_edit";

#[cfg(feature = "gui")]
#[test]
fn sigkill_between_edits_loses_no_autosaved_edit() {
    use hetao_atlas::app::doc::{Document, recovery_for};
    if let Some(dir) = std::env::var_os(AUTOSAVE_ENV) {
        edit_and_autosave_loop(Path::new(&dir));
        return;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mut rng = SplitMix::new(0x4155_544f_5341_5645);
    let base = hetao_atlas::core::zone::embedded_dataset().expect("embedded");
    let mut recovered_total = 0usize;
    for run in 0..AUTOSAVE_RUNS {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(&exe)
            .args(["--exact", AUTOSAVE_TEST, "--nocapture", "--test-threads=1"])
            .env(AUTOSAVE_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Wait for a random number (1..=6) of acknowledged autosaves, then a random moment
        // (0–30 ms) inside the next edit or autosave, and kill.
        let want = 1 + (rng.next_u64() % 6) as usize;
        let mut acked = 0usize;
        while acked < want {
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some(n) = l.strip_prefix("AUTOSAVED ") {
                        acked = n.trim().parse().expect("count");
                    }
                }
                other => panic!("run {run}: child stopped early: {other:?}"),
            }
        }
        std::thread::sleep(Duration::from_micros(rng.next_u64() % 30_000));
        let pid = child.id();
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        // The app at next start: open plan.json, find the killed instance's autosave beside
        // it (its lock died with it), restore it.
        let plan = dir.path().join(FILE);
        let mut doc = Document::new(base.clone());
        doc.open(&plan).expect("plan.json intact");
        assert!(
            doc.scenario().edits.is_empty(),
            "run {run}: plan.json changed"
        );
        let found = recovery_for(Some(&plan), None);
        assert!(found.corrupt.is_empty(), "run {run}: {:?}", found.corrupt);
        let r = found
            .recovery
            .unwrap_or_else(|| panic!("run {run}: the autosave of {acked} edits is gone"));
        assert_eq!(
            r.autosave,
            dir.path().join(format!("plan.autosave.{pid}.json")),
            "run {run}"
        );
        let pending = r.scenario;
        let n = pending.edits.len();
        // Every acknowledged edit is there, in order. The child may have autosaved more
        // edits while this process read its acknowledgements and slept: those count too.
        assert!(
            n >= acked,
            "run {run}: {n} edits recovered, {acked} acknowledged: an autosaved edit was lost"
        );
        for (i, e) in pending.edits.iter().enumerate() {
            assert_eq!(*e, autosave_edit(i), "run {run}: edit {i}");
        }
        doc.replace_scenario(pending).expect("restores");
        let gfa = |id: &str| {
            doc.current()
                .layer("buildings")
                .and_then(|l| {
                    l.features
                        .iter()
                        .find(|f| hetao_atlas::core::zone::feature_id(f).as_deref() == Some(id))
                })
                .and_then(|f| f.prop_f64("gfa_m2"))
        };
        assert_eq!(gfa("SZ-B001"), Some(10_000.0), "run {run}");
        assert_eq!(gfa(&format!("SZ-B{n:03}")), Some(10_000.0 + (n - 1) as f64));
        recovered_total += n;
    }
    eprintln!("{AUTOSAVE_RUNS} kills: {recovered_total} autosaved edits recovered, none lost");
}
