//! The desktop test harness: the REAL `hetao` binary under its own Xvfb, driven with xdotool
//! and seen through screenshots (`import -window root`, decoded with the crate's PNG reader).
//!
//! Include it from an end-to-end test file with `mod desktop;`. Each [`Desktop`] owns:
//! - an Xvfb server of W×H on a display it chooses itself (`-displayfd`: the number comes
//!   back once the server accepts connections);
//! - a temporary home under `$CARGO_TARGET_TMPDIR/desktop`: `HOME`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `XDG_CACHE_HOME`,
//!   `XDG_STATE_HOME` and `XDG_RUNTIME_DIR` all point inside it, so remembered panel state,
//!   autosaves and recent files never touch the user's and survive a restart of the app in the
//!   same [`Desktop`] (crash-recovery tests: [`Desktop::kill`] then [`Desktop::launch`]);
//! - one app being driven, whose stdout and stderr go to `app.log` in the home, and at most
//!   one more in the background ([`Desktop::launch_another`], [`Desktop::switch`]: two
//!   instances on one scenario).
//!
//! Missing tools: [`Desktop::new`] returns `None` after printing `SKIPPED: …` when `Xvfb`,
//! `xdotool` or `import` is not installed, unless `HETAO_REQUIRE_GPU=1` (CI), where it panics:
//! there, a test that cannot run must fail. Everything else that goes wrong panics with the
//! app's log.

#![allow(dead_code)] // each test file uses a part of the harness

use hetao_atlas::render::Image;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: `$HETAO_BIN` when set (an installed build, or a copy taken when a
/// shared target folder may be rebuilt by someone else while the tests run), else the one
/// cargo built for this test.
pub fn hetao_bin() -> PathBuf {
    std::env::var_os("HETAO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hetao")))
}

/// The title the app's window is found by.
pub const WINDOW_NAME: &str = "Hetao Atlas";

/// Whether missing tools must fail the test instead of skipping it.
pub fn require_gpu() -> bool {
    std::env::var("HETAO_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// Skip with a clear message, or fail when `HETAO_REQUIRE_GPU=1`.
pub fn skip_or_fail(msg: &str) {
    if require_gpu() {
        panic!("HETAO_REQUIRE_GPU=1: {msg}");
    }
    eprintln!("SKIPPED: {msg}");
}

/// Whether `cmd` is an executable file on `PATH`.
pub fn which(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// The tools the harness needs that are not installed.
pub fn missing_tools() -> Vec<&'static str> {
    ["Xvfb", "xdotool", "import"]
        .into_iter()
        .filter(|t| !which(t))
        .collect()
}

/// Poll `f` every 100 ms until it returns `Some` or `timeout` passes (then `Err` names `what`).
pub fn wait_for<T>(
    timeout: Duration,
    what: &str,
    mut f: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let end = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Ok(v);
        }
        if Instant::now() > end {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stop a process politely (SIGTERM, so that an X server removes its lock and socket), then
/// SIGKILL after `grace`.
fn stop(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let end = Instant::now() + grace;
    while Instant::now() < end {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A virtual display with a temporary home, and the app running on it.
pub struct Desktop {
    /// Display number (`:N`).
    pub display: u32,
    /// Screen size in pixels.
    pub size: (u32, u32),
    xvfb: Child,
    app: Option<Child>,
    window: Option<String>,
    /// A second instance, not driven now (its process and window).
    background: Option<(Child, String)>,
    /// Variables set for the apps started from now on ([`Desktop::set_app_env`]).
    app_env: Vec<(String, String)>,
    dir: Option<tempfile::TempDir>,
    home: PathBuf,
    // one desktop at a time per test binary: a debug build under a software renderer is slow,
    // and parallel windows make input timing flaky (dropped last, after the server stops)
    _turn: std::sync::MutexGuard<'static, ()>,
    shots: u32,
}

impl Desktop {
    /// Start an Xvfb of `w`×`h` with a fresh temporary home. `None` (after `SKIPPED: …`) when a
    /// tool is missing and `HETAO_REQUIRE_GPU` is unset; panics when the server cannot start.
    pub fn new(w: u32, h: u32) -> Option<Desktop> {
        let missing = missing_tools();
        if !missing.is_empty() {
            skip_or_fail(&format!(
                "the desktop tests need {} (scripts/setup-system.sh installs them)",
                missing.join(", ")
            ));
            return None;
        }
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let turn = TURN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // under cargo's folder for integration-test files, not a shared /tmp
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("desktop");
        std::fs::create_dir_all(&base).expect("the desktop tests' folder");
        let dir = tempfile::Builder::new()
            .prefix("home-")
            .tempdir_in(&base)
            .expect("temporary home");
        for sub in ["config", "data", "cache", "state", "runtime"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("xdg dir");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("runtime"),
                std::fs::Permissions::from_mode(0o700),
            )
            .expect("chmod the runtime dir");
        }
        // Xvfb picks a free display itself and writes its number to our pipe once it accepts
        // connections (`-displayfd`): no guessing at free numbers, no stale socket taken for a
        // live server, no race with another test run on the same machine.
        let log = std::fs::File::create(dir.path().join("xvfb.log")).expect("xvfb log");
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", &format!("{w}x{h}x24")])
            // -noreset: by default an X server resets when its last client leaves, and an app
            // started again right after a SIGKILL (the recovery test) is refused meanwhile
            .args(["-nolisten", "tcp", "-noreset"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start Xvfb");
        let out = xvfb.stdout.take().expect("Xvfb's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut line = String::new();
            let _ = std::io::BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let Ok(display) = line.trim().parse::<u32>() else {
            stop(&mut xvfb, Duration::from_secs(3));
            let why = std::fs::read_to_string(dir.path().join("xvfb.log")).unwrap_or_default();
            panic!("Xvfb did not start a display (it said {line:?}):\n{why}");
        };
        Some(Desktop {
            display,
            size: (w, h),
            xvfb,
            app: None,
            window: None,
            background: None,
            app_env: Vec::new(),
            home: dir.path().to_path_buf(),
            _turn: turn,
            dir: Some(dir),
            shots: 0,
        })
    }

    /// The temporary home (also the parent of the XDG dirs).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// `$XDG_CONFIG_HOME` of the app.
    pub fn config_dir(&self) -> PathBuf {
        self.home().join("config")
    }

    /// `$XDG_DATA_HOME` of the app (autosaves).
    pub fn data_dir(&self) -> PathBuf {
        self.home().join("data")
    }

    /// Set an environment variable for the apps this desktop starts from now on (a test
    /// binary with several tests must not change its own environment: they run in threads).
    pub fn set_app_env(&mut self, key: &str, value: &str) {
        self.app_env.push((key.to_string(), value.to_string()));
    }

    /// The app's stdout and stderr so far (all runs in this desktop).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("app.log")).unwrap_or_default()
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        let h = self.home();
        c.env("DISPLAY", format!(":{}", self.display))
            .env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("XDG_STATE_HOME", h.join("state"))
            .env("XDG_RUNTIME_DIR", h.join("runtime"))
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("HETAO_AUTOSAVE_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        c
    }

    /// Run an X tool (xdotool, import) on this display; its stdout, or `Err` with its stderr.
    pub fn x(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "{program} {args:?} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn xdo(&self, args: &[&str]) {
        if let Err(e) = self.x("xdotool", args) {
            panic!("{e}\napp log:\n{}", self.log());
        }
    }

    /// Start `hetao ARGS…` and wait (up to 120 s) for its window; then focus it. `Err` with
    /// the log when the app exits first or no window appears (the caller decides whether that
    /// is a missing GPU adapter: [`Desktop::launch_or_skip`]).
    pub fn launch(&mut self, args: &[&str]) -> Result<(), String> {
        assert!(self.app.is_none(), "the app is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home().join("app.log"))
            .expect("app log");
        let err = log.try_clone().expect("app log");
        let child = self
            .command(hetao_bin())
            .envs(self.app_env.iter().map(|(k, v)| (k, v)))
            .args(args)
            .current_dir(self.home())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start hetao: {e}"))?;
        self.app = Some(child);
        let found = wait_for(Duration::from_secs(120), "the app window", || {
            if let Some(c) = self.app.as_mut()
                && let Ok(Some(st)) = c.try_wait()
            {
                return Some(Err(format!(
                    "hetao exited before its window appeared ({st})"
                )));
            }
            let out = self
                .x(
                    "xdotool",
                    &["search", "--onlyvisible", "--name", WINDOW_NAME],
                )
                .ok()?;
            let other = self.background.as_ref().map(|(_, w)| w.as_str());
            out.lines()
                .map(str::trim)
                .find(|w| !w.is_empty() && Some(*w) != other)
                .map(|w| Ok(w.to_string()))
        });
        let id = match found {
            Ok(Ok(id)) => id,
            Ok(Err(e)) | Err(e) => {
                self.kill();
                return Err(format!("{e}\napp log:\n{}", self.log()));
            }
        };
        let _ = self.x("xdotool", &["windowraise", &id]);
        let _ = self.x("xdotool", &["windowfocus", "--sync", &id]);
        self.window = Some(id);
        Ok(())
    }

    /// Start a second instance (`hetao ARGS…`, same home and display) and drive it; the one
    /// running so far keeps running in the background ([`Desktop::switch`] goes back to it).
    pub fn launch_another(&mut self, args: &[&str]) -> Result<(), String> {
        assert!(self.background.is_none(), "two instances run already");
        let app = self.app.take().expect("no first instance");
        let window = self.window.take().expect("no first window");
        self.background = Some((app, window));
        self.launch(args)
    }

    /// Drive the other instance: the background one comes to the front (raised and focused)
    /// and the one driven so far goes to the background.
    pub fn switch(&mut self) {
        let (app, window) = self.background.take().expect("no second instance");
        if let (Some(a), Some(w)) = (self.app.take(), self.window.take()) {
            self.background = Some((a, w));
        }
        let _ = self.x("xdotool", &["windowraise", &window]);
        let _ = self.x("xdotool", &["windowfocus", "--sync", &window]);
        self.app = Some(app);
        self.window = Some(window);
        self.settle();
    }

    /// [`Desktop::launch`], but when the app cannot find a GPU adapter, skip (or fail under
    /// `HETAO_REQUIRE_GPU=1`) and return `false`. Any other failure panics.
    pub fn launch_or_skip(&mut self, args: &[&str]) -> bool {
        match self.launch(args) {
            Ok(()) => true,
            Err(e) => {
                let gpu = ["adapter", "wgpu", "Vulkan", "vulkan"]
                    .iter()
                    .any(|w| e.contains(w));
                if gpu {
                    skip_or_fail(&format!("no usable GPU adapter under Xvfb:\n{e}"));
                    false
                } else {
                    panic!("{e}");
                }
            }
        }
    }

    /// The app's window id (after [`Desktop::launch`]).
    pub fn window(&self) -> &str {
        self.window.as_deref().expect("the app is not running")
    }

    /// The window's position and size on the screen: (x, y, w, h).
    pub fn window_geometry(&self) -> (i32, i32, u32, u32) {
        let out = self
            .x("xdotool", &["getwindowgeometry", "--shell", self.window()])
            .unwrap_or_else(|e| panic!("{e}"));
        let get = |k: &str| -> i64 {
            out.lines()
                .find_map(|l| l.strip_prefix(k)?.strip_prefix('=')?.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {k} in {out:?}"))
        };
        (
            get("X") as i32,
            get("Y") as i32,
            get("WIDTH") as u32,
            get("HEIGHT") as u32,
        )
    }

    /// The running app's process id (to read its `/proc/PID/status`; its autosaves are named
    /// after it: `NAME.autosave.<pid>.json`).
    pub fn app_pid(&self) -> Option<u32> {
        self.app.as_ref().map(Child::id)
    }

    /// Whether the app process is still running.
    pub fn app_running(&mut self) -> bool {
        self.app
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Wait up to `timeout` for the app to exit; its exit code (`None` while running).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let c = self.app.as_mut()?;
        let st = wait_for(timeout, "the app to exit", || c.try_wait().ok().flatten()).ok();
        if st.is_some() {
            self.app = None;
            self.window = None;
        }
        st
    }

    /// SIGKILL the app (a crash: nothing is flushed) and reap it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.app.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.window = None;
    }

    /// SIGTERM the app (a polite stop) and wait up to 10 s, then SIGKILL.
    pub fn terminate(&mut self) {
        if let Some(mut c) = self.app.take() {
            stop(&mut c, Duration::from_secs(10));
        }
        self.window = None;
    }

    /// Press keys (xdotool key names: `ctrl+z`, `Delete`, `F9`, `Escape`).
    pub fn key(&self, keys: &str) {
        self.xdo(&["key", "--clearmodifiers", keys]);
        self.settle();
    }

    /// Type text.
    pub fn type_text(&self, text: &str) {
        self.xdo(&["type", "--delay", "30", text]);
        self.settle();
    }

    /// Move the pointer to screen pixel (x, y).
    pub fn move_to(&self, x: i32, y: i32) {
        self.xdo(&["mousemove", "--sync", &x.to_string(), &y.to_string()]);
        // let the app see the hover before a button goes down (a debug build's frame is slow)
        std::thread::sleep(Duration::from_millis(250));
    }

    /// Left-click at screen pixel (x, y) (the pointer moves there first, so egui sees a hover).
    pub fn click(&self, x: i32, y: i32) {
        self.move_to(x, y);
        self.xdo(&["click", "1"]);
        self.settle();
    }

    /// Double-click at screen pixel (x, y).
    pub fn double_click(&self, x: i32, y: i32) {
        self.move_to(x, y);
        self.xdo(&["click", "--repeat", "2", "--delay", "80", "1"]);
        self.settle();
    }

    /// Drag with the left button from `from` to `to` in a few steps.
    pub fn drag(&self, from: (i32, i32), to: (i32, i32)) {
        self.move_to(from.0, from.1);
        self.xdo(&["mousedown", "1"]);
        // the app must see the press where it happened before the pointer moves on
        std::thread::sleep(Duration::from_millis(600));
        let steps = 8;
        for k in 1..=steps {
            let x = from.0 + (to.0 - from.0) * k / steps;
            let y = from.1 + (to.1 - from.1) * k / steps;
            self.xdo(&["mousemove", "--sync", &x.to_string(), &y.to_string()]);
            std::thread::sleep(Duration::from_millis(120));
        }
        std::thread::sleep(Duration::from_millis(600));
        self.xdo(&["mouseup", "1"]);
        self.settle();
    }

    /// Give the app a moment to process input and repaint.
    pub fn settle(&self) {
        std::thread::sleep(Duration::from_millis(400));
    }

    /// A screenshot of the whole screen, also written to the home as `shot-N.png` (its path is
    /// returned beside the image, for failure messages).
    pub fn screenshot(&mut self) -> (Image, PathBuf) {
        self.shots += 1;
        let path = self.home().join(format!("shot-{}.png", self.shots));
        let target = format!("PNG24:{}", path.display());
        if let Err(e) = self.x("import", &["-window", "root", &target]) {
            panic!("{e}\napp log:\n{}", self.log());
        }
        let bytes = std::fs::read(&path).expect("read the screenshot");
        let img =
            Image::decode_png(&bytes).unwrap_or_else(|e| panic!("decode {}: {e}", path.display()));
        (img, path)
    }

    /// Keep the home (screenshots, logs, config) after the test: returns its path. Use when a
    /// test fails and the files are wanted (the app and the server still stop at drop).
    pub fn keep(&mut self) -> PathBuf {
        if let Some(d) = self.dir.take() {
            let _ = d.keep();
        }
        self.home.clone()
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.kill();
        if let Some((mut c, _)) = self.background.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        stop(&mut self.xvfb, Duration::from_secs(10));
    }
}

/// Count the pixels of `img` inside the box `[x0, x1) × [y0, y1)` for which `f` holds.
pub fn count_pixels(
    img: &Image,
    (x0, y0, x1, y1): (u32, u32, u32, u32),
    f: impl Fn([u8; 4]) -> bool,
) -> usize {
    let mut n = 0;
    for y in y0..y1.min(img.height) {
        for x in x0..x1.min(img.width) {
            if let Some(p) = img.pixel(x, y)
                && f(p)
            {
                n += 1;
            }
        }
    }
    n
}

/// The fraction of pixels that differ (by more than 8 in some channel) between two images of
/// the same size inside a box.
pub fn changed_fraction(a: &Image, b: &Image, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "image sizes differ"
    );
    let mut changed = 0usize;
    let mut total = 0usize;
    for y in y0..y1.min(a.height) {
        for x in x0..x1.min(a.width) {
            total += 1;
            if let (Some(p), Some(q)) = (a.pixel(x, y), b.pixel(x, y))
                && (0..3).any(|c| (i32::from(p[c]) - i32::from(q[c])).abs() > 8)
            {
                changed += 1;
            }
        }
    }
    changed as f64 / total.max(1) as f64
}

/// The fraction of pixels of box `(x0, y0, x1, y1)` of `b` that equal (within 8 in every
/// channel) the pixel `dx` px to their left in `a`: 1 where `b` shows `a` moved `dx` px right.
pub fn shifted_match(a: &Image, b: &Image, dx: i32, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let (mut same, mut total) = (0usize, 0usize);
    for y in y0..y1.min(b.height) {
        for x in x0..x1.min(b.width) {
            let Some(sx) = x.checked_add_signed(-dx) else {
                continue;
            };
            total += 1;
            if let (Some(p), Some(q)) = (a.pixel(sx, y), b.pixel(x, y))
                && (0..3).all(|c| (i32::from(p[c]) - i32::from(q[c])).abs() <= 8)
            {
                same += 1;
            }
        }
    }
    same as f64 / total.max(1) as f64
}

/// The colour that most pixels of row `y` have (a panel's fill, on a row through a panel).
pub fn row_mode(img: &Image, y: u32) -> [u8; 3] {
    let mut counts = std::collections::HashMap::new();
    for x in 0..img.width {
        if let Some(p) = img.pixel(x, y) {
            *counts.entry([p[0], p[1], p[2]]).or_insert(0usize) += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
        .unwrap_or([0, 0, 0])
}

/// The map's columns on a screenshot, found from pixels alone: the panels are mostly their
/// fill colour (taken from the status bar, the bottom row), the map almost never is. Returns
/// the widest run of columns where fewer than 15 % of the pixels between 15 % and 80 % of the
/// height have the panel fill: `(first column, width)`.
pub fn map_columns(img: &Image) -> (u32, u32) {
    let fill = row_mode(img, img.height.saturating_sub(4));
    let (y0, y1) = (img.height * 15 / 100, img.height * 80 / 100);
    let near = |p: [u8; 4]| (0..3).all(|c| (i32::from(p[c]) - i32::from(fill[c])).abs() <= 2);
    let mut best = (0, 0);
    let mut run_start = None;
    for x in 0..=img.width {
        let is_map = x < img.width && {
            let n = count_pixels(img, (x, y0, x + 1, y1), near);
            (n as f64) < 0.15 * f64::from(y1 - y0)
        };
        match (is_map, run_start) {
            (true, None) => run_start = Some(x),
            (false, Some(s)) => {
                if x - s > best.1 {
                    best = (s, x - s);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    best
}
