//! `hetao --screenshot FILE.png`: wait for the first complete frame (the zone and every file
//! given on the command line loaded, their scene uploaded to the GPU, the view at rest),
//! capture it, write it as a PNG (atomically) and close the window.

use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How long a screenshot waits for the app to be loaded and drawn, seconds (a big file in a
/// debug build on a software GPU takes a while).
pub const TIMEOUT_S: u64 = 300;

/// A screenshot request (`hetao --screenshot FILE.png`).
pub struct ScreenshotState {
    /// Where to write the PNG.
    pub path: PathBuf,
    frames: u32,
    ready_frames: u32,
    requested: bool,
    started: std::time::Instant,
    image: Arc<Mutex<Option<Arc<egui::ColorImage>>>>,
    /// The outcome, read by `run` after the window closes.
    pub result: Arc<Mutex<Option<Result<String, String>>>>,
}

impl ScreenshotState {
    /// A pending screenshot to `path`.
    pub fn new(path: PathBuf, result: Arc<Mutex<Option<Result<String, String>>>>) -> Self {
        Self {
            path,
            frames: 0,
            ready_frames: 0,
            requested: false,
            started: std::time::Instant::now(),
            image: Arc::new(Mutex::new(None)),
            result,
        }
    }
}

impl ScreenshotState {
    /// One frame of screenshot mode: once the app is `ready` (everything loaded and the
    /// current scene on the GPU: [`crate::app::HetaoApp::settled`]) and a few frames are
    /// drawn, capture; once captured (or after [`TIMEOUT_S`]), write the PNG, record the
    /// outcome and close the window.
    pub fn step(&mut self, ctx: &egui::Context, ready: bool) {
        let shot = self;
        ctx.request_repaint();
        shot.frames += 1;
        if !ready {
            shot.ready_frames = 0;
        } else {
            shot.ready_frames += 1;
        }
        if !shot.requested && shot.ready_frames >= 10 {
            let slot = shot.image.clone();
            ctx.request_screenshot(move |img| {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(img);
                }
            });
            shot.requested = true;
        }
        let img = shot.image.lock().ok().and_then(|mut s| s.take());
        let timed_out = shot.started.elapsed().as_secs() > TIMEOUT_S;
        if img.is_none() && !timed_out {
            return;
        }
        let outcome = match img {
            Some(img) => write_png(&shot.path, &img).map(|()| {
                format!(
                    "wrote {} ({}×{} px)",
                    shot.path.display(),
                    img.size[0],
                    img.size[1]
                )
            }),
            None => Err(format!(
                "no screenshot after {TIMEOUT_S} s (frames {}, loaded and drawn: {ready})",
                shot.frames
            )),
        };
        if let Ok(mut r) = shot.result.lock() {
            *r = Some(outcome);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

/// Write an egui image as an RGBA PNG, atomically.
pub fn write_png(path: &Path, img: &egui::ColorImage) -> Result<(), String> {
    let pixels: Vec<u8> = img
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let im = crate::render::Image {
        width: u32::try_from(img.size[0]).map_err(|e| e.to_string())?,
        height: u32::try_from(img.size[1]).map_err(|e| e.to_string())?,
        pixels,
    };
    let png = im.encode_png().map_err(|e| e.to_string())?;
    crate::core::atomic::write_atomic(path, &png).map_err(|e| e.to_string())
}
