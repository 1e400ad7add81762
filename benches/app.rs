//! Desktop app benchmarks (criterion), issue 6 "Performance":
//! - `pick/*`: hover picking through the app's [`PickIndex`] (the core's R-tree per layer, Mercator queries) with
//!   1,000,000 generated buildings — one pick at a random cursor position (goal: < 0.1 ms); the
//!   index build time is printed once (`pick index build: …`);
//! - `frame/*`: one CPU-side frame of a headless [`HetaoApp`] (the zone data plus the 1,000,000
//!   buildings as a loaded layer) at 1440×900 logical px, driven through
//!   `egui::Context::run_ui` with synthetic input: after a drag (pan), after a wheel notch
//!   (zoom), and after a pointer move (hover pick). Included: egui input handling, the layout
//!   of every panel, the map widget (view update, hover pick, scene cache check, overlay
//!   shapes) and egui's tessellation of the frame's shapes. NOT included: the GPU side (the
//!   wgpu paint callback that draws the map is never added without a GPU; its cost is
//!   `benches/render.rs`'s `frame/*`), egui's texture upload and the window system;
//! - `startup/*`: `load_zone` (embedded zone + styles, in process), `first_frame_headless`
//!   (new context, fonts, app over the zone, first frame including the zone's tessellation),
//!   and `to_screenshot`: the built `hetao --screenshot` binary spawned on a running Xvfb,
//!   timed until it exits with the PNG written — window creation, the background zone load,
//!   scene upload, at least 10 frames and the screenshot round trip, so an upper bound on
//!   "start to first drawn map". Skipped (with a message) without Xvfb, without the binary
//!   or when the binary cannot draw (no GPU adapter).
//!
//! - `big_layer` (issue 17; printed lines, not criterion samples): the built binary opens a
//!   generated layer of buildings from the command line (`hetao FILE --screenshot …
//!   --frame-log …` on a private Xvfb) for each size of `HETAO_BENCH_BIG_LAYER` (default
//!   200,000 and 500,000): its peak RSS (VmHWM, polled from `/proc`) beyond the same app's
//!   peak without the file, in multiples of the file's size, and the longest gap between
//!   frames while the file loads and until the screenshot (from the frame log); then the app
//!   opened on it interactively, driven with xdotool: the longest frame gap while the pointer
//!   hovers over the layer, while a 200 px drag moves the view, and the redraw once the view
//!   rests ([`interaction_gaps`]). Only under `cargo bench`.
//!
//! Sizes: `HETAO_BENCH_APP_BUILDINGS` (default 1,000,000 under `cargo bench`). Without
//! `--bench` (`cargo test --all-targets`) every bench runs once on 2,000 buildings and the
//! spawned-binary bench is skipped, so the smoke run stays fast.

#[path = "common/mod.rs"]
mod common;
use common::{BUILDINGS_BBOX, bench_mode};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use egui::{Event, Modifiers, MouseWheelSource, MouseWheelUnit, PointerButton, Pos2, TouchPhase};
use hetao_atlas::app::HetaoApp;
use hetao_atlas::app::frames::longest_gap_ms;
use hetao_atlas::app::pick::{FeatureRef, PickIndex};
use hetao_atlas::app::view::MapView;
use hetao_atlas::core::model::Layer;
use hetao_atlas::core::zone::generator::SplitMix64;
use hetao_atlas::render::StyleSet;
use hetao_atlas::render::camera::lonlat_to_mercator;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Window size of the headless frames (the app's default window), logical px.
const SCREEN: [f32; 2] = [1440.0, 900.0];
/// A point inside the map (between the 290 px layers panel and the 380 px side panel).
const MAP_POINT: Pos2 = Pos2::new(680.0, 450.0);

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Random Mercator points over the buildings' extent (the cursor positions).
fn cursor_points(count: usize) -> Vec<[f64; 2]> {
    let mut rnd = SplitMix64::new(0x9e37_79b9_7f4a_7c15);
    let (x0, y0) = lonlat_to_mercator(BUILDINGS_BBOX[0], BUILDINGS_BBOX[1]);
    let (x1, y1) = lonlat_to_mercator(BUILDINGS_BBOX[2], BUILDINGS_BBOX[3]);
    (0..count)
        .map(|_| {
            [
                x0 + (x1 - x0) * rnd.next_f64(),
                y0 + (y1 - y0) * rnd.next_f64(),
            ]
        })
        .collect()
}

/// Drives a headless app one frame at a time.
struct Driver {
    ctx: egui::Context,
    time: f64,
}

impl Driver {
    fn new() -> Self {
        let ctx = egui::Context::default();
        hetao_atlas::app::setup_style(&ctx);
        Self { ctx, time: 0.0 }
    }

    /// One frame: input, layout of the whole window, tessellation of its shapes. Returns the
    /// number of clipped primitives (kept alive so nothing is optimised away).
    fn frame(&mut self, app: &mut HetaoApp, events: Vec<Event>) -> usize {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(Pos2::ZERO, SCREEN.into())),
            time: Some(self.time),
            predicted_dt: 1.0 / 60.0,
            events,
            ..Default::default()
        };
        self.time += 1.0 / 60.0;
        let mut out = self.ctx.run_ui(input, |ui| app.show(ui));
        // texture (font atlas) uploads are the GPU side: not applied here
        out.textures_delta.clear();
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        black_box(prims).len()
    }
}

fn button(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    }
}

fn wheel(dy: f32) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    }
}

/// The zone app with `layer` loaded on top, shown once and the view on the layer.
fn app_with(layer: Layer, drv: &mut Driver) -> HetaoApp {
    let ds = hetao_atlas::core::zone::embedded_dataset().expect("zone");
    let mut app = HetaoApp::with_data(
        ds,
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    app.autosave = false;
    drv.frame(&mut app, vec![]); // the first frame fits the view to the zone
    app.add_user_layer(layer);
    app.view.step(10.0); // land the fly-to on the layer at once
    // a big layer is tessellated on a worker: measure frames after it is in
    drv.frame(&mut app, vec![]);
    while app.jobs_running() > 0 {
        std::thread::sleep(Duration::from_millis(20));
        drv.frame(&mut app, vec![]);
    }
    app
}

fn bench_pick(c: &mut Criterion, layer: &Layer, app: &mut HetaoApp) {
    let n = layer.features.len();
    let t = Instant::now();
    let index = PickIndex::build(&[layer]);
    eprintln!(
        "pick index build: {n} buildings in {:.3} s ({} indexed)",
        t.elapsed().as_secs_f64(),
        index.len()
    );
    let pts = cursor_points(4096);
    let keep = |_: &FeatureRef| true;
    let layers = [layer];
    let mut g = c.benchmark_group("pick");
    // the 4 px tolerance at two zooms: the whole layer in view (the app's fit after loading
    // it), and zoom 18 (about 0.6 m per px at 22.5° N)
    let fit_zoom = app.view.zoom;
    for (label, zoom) in [("fit", fit_zoom), ("z18", 18.0)] {
        let mpp = MapView::new(114.07, 22.52, zoom)
            .camera(1.0, 1.0, 1.0)
            .metres_per_pixel();
        let tol = hetao_atlas::app::map::PICK_TOLERANCE_PX * mpp;
        let hits = pts
            .iter()
            .filter(|p| index.pick(&layers, **p, tol, &keep).is_some())
            .count();
        eprintln!(
            "pick/{label}: zoom {zoom:.2}, tolerance {tol:.2} m, {hits} of {} cursor points hit",
            pts.len()
        );
        let mut i = 0usize;
        g.bench_function(format!("index_{n}_{label}"), |b| {
            b.iter(|| {
                i = (i + 1) % pts.len();
                black_box(index.pick(&layers, pts[i], tol, &keep))
            })
        });
    }
    // through the app: all visible layers top first (the zone's too), year filter on
    let mpp = app.view.camera(1.0, 1.0, 1.0).metres_per_pixel();
    let tol = hetao_atlas::app::map::PICK_TOLERANCE_PX * mpp;
    let _ = app.pick_at(pts[0], tol); // builds the app's index over the zone + the layer
    let mut i = 0usize;
    g.bench_function(format!("app_pick_at_{n}_fit"), |b| {
        b.iter(|| {
            i = (i + 1) % pts.len();
            black_box(app.pick_at(pts[i], tol))
        })
    });
    g.finish();
}

fn bench_frames(c: &mut Criterion, app: &mut HetaoApp, drv: &mut Driver, n: usize) {
    // warm up: the first frame with the layer tessellates it (the scene cache) and the first
    // hover builds the pick index
    let t = Instant::now();
    drv.frame(app, vec![Event::PointerMoved(MAP_POINT)]);
    eprintln!(
        "first frame after loading {n} buildings (scene + pick index build): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group("frame");
    g.sample_size(20);

    // hover: the pointer moves over the map, a pick every frame
    let mut k = 0u32;
    g.bench_function(format!("hover_{n}"), |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            let p = MAP_POINT + egui::vec2((k % 37) as f32 * 3.0, (k % 23) as f32 * 3.0);
            drv.frame(app, vec![Event::PointerMoved(p)])
        })
    });
    let hover_ok = app.hover.is_some();

    // pan: press, drag past the threshold, then every frame moves the pointer 8 px
    let at_press = app.view;
    drv.frame(app, vec![button(MAP_POINT, true)]);
    for s in 1..=4 {
        let p = MAP_POINT + egui::vec2(5.0 * s as f32, 0.0);
        drv.frame(app, vec![Event::PointerMoved(p)]);
    }
    let base = MAP_POINT + egui::vec2(20.0, 0.0);
    let mut flip = false;
    g.bench_function(format!("pan_{n}"), |b| {
        b.iter(|| {
            flip = !flip;
            let p = base + egui::vec2(if flip { 8.0 } else { 0.0 }, 0.0);
            drv.frame(app, vec![Event::PointerMoved(p)])
        })
    });
    // the pointer ends 20 or 28 px from the press point: the view is the press-time view
    // moved by that much (the map follows the pointer's offset from the press)
    let panned = app.view != at_press && app.view.is_grabbed();
    drv.frame(app, vec![button(base, false)]);

    // zoom: a wheel notch about the cursor each frame, from the same view every time
    let v0 = app.view;
    g.bench_function(format!("zoom_{n}"), |b| {
        b.iter(|| {
            app.view = v0;
            drv.frame(app, vec![Event::PointerMoved(MAP_POINT), wheel(120.0)])
        })
    });
    let zoomed = app.view.zoom > v0.zoom;
    if !zoomed {
        eprintln!("zoom check: {:?} -> {:?}", v0, app.view);
    }
    g.finish();
    eprintln!(
        "frame checks: hover found a feature: {hover_ok}; drag moved the view: {panned}; wheel zoomed in: {zoomed}"
    );
    assert!(
        panned && zoomed,
        "the synthetic input did not reach the map"
    );
}

fn bench_startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("load_zone", |b| {
        b.iter(|| {
            let ds = hetao_atlas::core::zone::embedded_dataset().expect("zone");
            black_box((
                ds,
                StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
            ))
        })
    });
    let ds = hetao_atlas::core::zone::embedded_dataset().expect("zone");
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    g.bench_function("first_frame_headless", |b| {
        b.iter_batched(
            || (ds.clone(), styles.clone()),
            |(ds, styles)| {
                let mut drv = Driver::new();
                let mut app = HetaoApp::with_data(ds, styles);
                app.autosave = false;
                drv.frame(&mut app, vec![])
            },
            BatchSize::PerIteration,
        )
    });
    if bench_mode() {
        bench_spawned(&mut g);
    } else {
        eprintln!("startup/to_screenshot skipped: runs only under `cargo bench`");
    }
    g.finish();
}

/// `target/<profile>/hetao`: the bench executable is `target/<profile>/deps/app-<hash>`.
fn hetao_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let bin = dir.join(format!("hetao{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

/// A private Xvfb server; killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Option<Self> {
        let n = (0..200u32)
            .map(|i| 150 + (std::process::id() + i) % 400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })?;
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1600x1000x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut x = Self {
            child,
            display: format!(":{n}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            if Instant::now() > deadline || x.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(x)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `hetao --screenshot` run; the time from spawn until it exited with the PNG written.
fn screenshot_run(cmd: &mut Command, dir: &Path, shot: &Path) -> Result<Duration, String> {
    let _ = std::fs::remove_file(shot);
    let t = Instant::now();
    let out = cmd
        .env("XDG_RUNTIME_DIR", dir.join("xdg"))
        .env("HETAO_AUTOSAVE_DIR", dir.join("autosave"))
        .output()
        .map_err(|e| format!("cannot start hetao: {e}"))?;
    let took = t.elapsed();
    if !out.status.success() || !shot.is_file() {
        let log = String::from_utf8_lossy(&out.stderr);
        let tail: String = log
            .chars()
            .rev()
            .take(1500)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!(
            "hetao --screenshot failed ({}): {tail}",
            out.status
        ));
    }
    Ok(took)
}

fn bench_spawned(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let Some(bin) = hetao_binary() else {
        eprintln!("startup/to_screenshot skipped: no hetao binary next to the bench executable");
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("startup/to_screenshot skipped: no temporary directory");
        return;
    };
    let xdg = dir.path().join("xdg");
    if std::fs::create_dir_all(&xdg).is_err() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&xdg, std::fs::Permissions::from_mode(0o700));
    }
    let shot = dir.path().join("shot.png");
    // once through xvfb-run -a, as a user would (includes starting the X server)
    if Command::new("xvfb-run").arg("--help").output().is_ok() {
        let mut cmd = Command::new("xvfb-run");
        cmd.args(["-a", "-s", "-screen 0 1600x1000x24"])
            .arg(&bin)
            .arg("--screenshot")
            .arg(&shot);
        match screenshot_run(&mut cmd, dir.path(), &shot) {
            Ok(d) => eprintln!(
                "startup: xvfb-run -a hetao --screenshot: {:.3} s (one run, X server start included)",
                d.as_secs_f64()
            ),
            Err(e) => eprintln!("startup: xvfb-run run failed: {e}"),
        }
    }
    let Some(x) = Xvfb::start() else {
        eprintln!("startup/to_screenshot skipped: cannot start Xvfb");
        return;
    };
    let make = || {
        let mut cmd = Command::new(&bin);
        cmd.arg("--screenshot")
            .arg(&shot)
            .env("DISPLAY", &x.display);
        cmd
    };
    if let Err(e) = screenshot_run(&mut make(), dir.path(), &shot) {
        eprintln!("startup/to_screenshot skipped: {e}");
        return;
    }
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("to_screenshot", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                total += screenshot_run(&mut make(), dir.path(), &shot).expect("hetao run");
            }
            total
        })
    });
}

/// VmHWM of a process, bytes.
fn vm_hwm(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Run `cmd` (a `hetao … --screenshot` line) to its end, polling its peak RSS; returns the
/// peak in bytes and the seconds it ran, or why it failed.
fn peak_run(cmd: &mut Command) -> Result<(u64, f64), String> {
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start hetao: {e}"))?;
    let mut peak = 0;
    let status = loop {
        if let Some(p) = vm_hwm(child.id()) {
            peak = p;
        }
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    };
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        return Err(format!("hetao failed ({status}): {err}"));
    }
    Ok((peak, t.elapsed().as_secs_f64()))
}

/// The frame log so far (empty while the file is not there yet).
fn frame_records(path: &Path) -> Vec<hetao_atlas::app::frames::FrameRecord> {
    hetao_atlas::app::frames::parse_log(&std::fs::read_to_string(path).unwrap_or_default())
}

/// Run `xdotool` on `display`.
fn xdotool(display: &str, args: &[&str]) -> Result<(), String> {
    let st = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status()
        .map_err(|e| format!("xdotool: {e}"))?;
    st.success()
        .then_some(())
        .ok_or_else(|| format!("xdotool {args:?}: {st}"))
}

/// What a planner feels with the big layer in: the app opened on `file` (interactive,
/// 1280×720 at the screen's corner, frame log), once the layer is in and the view rests,
/// gets ten pointer moves over the map 150 ms apart (hover: highlight and tooltip), then a
/// 200 px drag in ten moves over 0.4 s. Returns the longest gap between frames while
/// hovering, while the view moved, and the redraw after it came to rest (ms).
fn interaction_gaps(
    bin: &Path,
    display: &str,
    dir: &Path,
    file: &Path,
) -> Result<(f64, f64, f64), String> {
    use hetao_atlas::app::frames::FrameRecord;
    let frames = dir.join("interaction.log");
    let _ = std::fs::remove_file(&frames);
    let mut child = Command::new(bin)
        .arg(file)
        .args(["--window-size", "1280x720", "--frame-log"])
        .arg(&frames)
        .env("DISPLAY", display)
        .env("XDG_RUNTIME_DIR", dir.join("xdg"))
        .env("HETAO_AUTOSAVE_DIR", dir.join("autosave"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start hetao: {e}"))?;
    let same_view = |a: &FrameRecord, b: &FrameRecord| {
        (a.center_lon, a.center_lat, a.zoom) == (b.center_lon, b.center_lat, b.zoom)
    };
    let result = (|| {
        let deadline = Instant::now() + Duration::from_secs(240);
        // the file's layer in (more layers than the first frame with any), no job, at rest
        let ready = loop {
            let log = frame_records(&frames);
            let first = log.iter().find(|r| r.layers > 0).map_or(0, |r| r.layers);
            if let Some(tail) = log.get(log.len().saturating_sub(5)..)
                && tail.len() == 5
                && tail.iter().all(|r| r.jobs == 0 && r.layers > first)
                && tail.windows(2).all(|w| same_view(&w[0], &w[1]))
            {
                break tail[4];
            }
            if Instant::now() > deadline {
                return Err("the big layer did not come in 240 s".to_string());
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        for i in 0..10 {
            let (x, y) = ((560 + 9 * i).to_string(), (400 + 5 * i).to_string());
            xdotool(display, &["mousemove", &x, &y])?;
            std::thread::sleep(Duration::from_millis(150));
        }
        xdotool(display, &["mousemove", "560", "420"])?;
        std::thread::sleep(Duration::from_millis(300));
        xdotool(display, &["mousedown", "1"])?;
        for k in 1..=10 {
            let x = (560 + 20 * k).to_string();
            xdotool(display, &["mousemove", &x, "420"])?;
            std::thread::sleep(Duration::from_millis(40));
        }
        xdotool(display, &["mouseup", "1"])?;
        // the redraw at rest, and the log written (about once a second)
        std::thread::sleep(Duration::from_millis(2500));
        // (from the view at rest on: the load's fly-to moved it before)
        let log: Vec<FrameRecord> = frame_records(&frames)
            .into_iter()
            .filter(|r| r.start_s >= ready.start_s)
            .collect();
        let moved: Vec<usize> = (1..log.len())
            .filter(|&i| !same_view(&log[i - 1], &log[i]))
            .collect();
        let (Some(&first), Some(&last)) = (moved.first(), moved.last()) else {
            return Err("the drag did not move the view".to_string());
        };
        let hover: Vec<FrameRecord> = log
            .iter()
            .copied()
            .filter(|r| r.start_s < log[first].start_s - 0.35)
            .collect();
        let gap = |i: usize| (log[i + 1].start_s - log[i].start_s) * 1000.0;
        let drag = (first.saturating_sub(1)..last).map(gap).fold(0.0, f64::max);
        let redraw = (last..log.len() - 1).map(gap).fold(0.0, f64::max);
        Ok((longest_gap_ms(&hover), drag, redraw))
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// The big-layer measurement (see the module docs).
fn bench_big_layer() {
    if !bench_mode() {
        return;
    }
    let sizes: Vec<usize> = std::env::var("HETAO_BENCH_BIG_LAYER")
        .unwrap_or_else(|_| "200000,500000".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let (Some(bin), Ok(dir)) = (hetao_binary(), tempfile::tempdir()) else {
        eprintln!("big_layer skipped: no hetao binary or no temporary directory");
        return;
    };
    let Some(x) = Xvfb::start() else {
        eprintln!("big_layer skipped: cannot start Xvfb");
        return;
    };
    let xdg = dir.path().join("xdg");
    let _ = std::fs::create_dir_all(&xdg);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&xdg, std::fs::Permissions::from_mode(0o700));
    }
    let shot = dir.path().join("big.png");
    let frames = dir.path().join("frames.log");
    let run = |file: Option<&Path>| {
        let mut cmd = Command::new(&bin);
        cmd.args(file)
            .arg("--screenshot")
            .arg(&shot)
            .args(["--window-size", "1280x720", "--frame-log"])
            .arg(&frames)
            .env("DISPLAY", &x.display)
            .env("XDG_RUNTIME_DIR", &xdg)
            .env("HETAO_AUTOSAVE_DIR", dir.path().join("autosave"));
        peak_run(&mut cmd)
    };
    let base = match run(None) {
        Ok((b, _)) => b,
        Err(e) => {
            eprintln!("big_layer skipped: {e}");
            return;
        }
    };
    for n in sizes {
        let file = dir.path().join(format!("buildings_{n}.geojson"));
        let text = hetao_atlas::core::io::layer_to_geojson(&common::grid_buildings(
            n,
            &common::STATUSES[..4],
            "big_buildings",
        ));
        if let Err(e) = std::fs::write(&file, &text) {
            eprintln!("big_layer: cannot write {}: {e}", file.display());
            return;
        }
        let bytes = text.len() as f64;
        drop(text);
        match run(Some(&file)) {
            Ok((peak, secs)) => {
                let log = frame_records(&frames);
                // from the first frame with the zone in (the file's load starts then)
                let from = log.iter().position(|r| r.layers > 0).unwrap_or(0);
                let after_zone = &log[from..];
                let loading: Vec<_> = after_zone.iter().copied().filter(|r| r.jobs > 0).collect();
                eprintln!(
                    "big_layer: {n} buildings, {:.1} MB file: peak RSS {:.0} MB, {:.0} MB over                      the app without it ({:.0} MB) = {:.2}x the file; longest frame gap                      while loading {:.0} ms ({} frames), from the zone to the screenshot                      {:.0} ms ({} frames); {secs:.1} s to the screenshot",
                    bytes / 1e6,
                    peak as f64 / 1e6,
                    peak.saturating_sub(base) as f64 / 1e6,
                    base as f64 / 1e6,
                    peak.saturating_sub(base) as f64 / bytes,
                    longest_gap_ms(&loading),
                    loading.len(),
                    longest_gap_ms(after_zone),
                    after_zone.len()
                );
            }
            Err(e) => eprintln!("big_layer: {n} buildings: {e}"),
        }
        match interaction_gaps(&bin, &x.display, dir.path(), &file) {
            Ok((hover, drag, redraw)) => eprintln!(
                "big_layer: {n} buildings in view: longest frame gap while hovering \
                 {hover:.0} ms, while dragging 200 px {drag:.0} ms, the redraw at rest \
                 {redraw:.0} ms"
            ),
            Err(e) => eprintln!("big_layer: {n} buildings, interaction: {e}"),
        }
        let _ = std::fs::remove_file(&file);
    }
}

fn bench(c: &mut Criterion) {
    bench_big_layer();
    let n = env_count(
        "HETAO_BENCH_APP_BUILDINGS",
        if bench_mode() { 1_000_000 } else { 2_000 },
    );
    let layer = buildings(n);
    let mut drv = Driver::new();
    let mut app = app_with(layer.clone(), &mut drv);
    bench_pick(c, &layer, &mut app);
    drop(layer);
    bench_frames(c, &mut app, &mut drv, n);
    drop(app);
    bench_startup(c);
}

criterion_group!(benches, bench);
criterion_main!(benches);

/// The app benches' buildings: grid buildings coloured by conversion status.
fn buildings(n: usize) -> Layer {
    common::grid_buildings(n, &common::STATUSES[..4], "generated_buildings")
}
