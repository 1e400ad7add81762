//! The frame log (`hetao --frame-log FILE`, or `HETAO_FRAME_LOG=FILE`): one line per frame with
//! its start time, how long the app's own work in it took, and the view it showed, so that
//! tests and benchmarks can read the longest gap between frames during a load and where the
//! map was after a drag. While logging, the app repaints continuously (every gap is then a
//! frame's real cost, not idle time). The file is rewritten (atomically) about once a second
//! and when the window closes.
//!
//! Format: a `#` header line naming the columns, then per frame
//! `start_s ui_ms center_lon center_lat zoom layers jobs`: seconds since the app started, the
//! milliseconds of [`crate::app::HetaoApp::show`], the view's centre (degrees, 9 decimals) and
//! zoom, the number of layers in the stack, and the background jobs still running (loads,
//! tessellation, exports).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The header line of the log.
pub const HEADER: &str = "# start_s ui_ms center_lon center_lat zoom layers jobs";

/// One frame as logged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameRecord {
    /// Seconds since the app started.
    pub start_s: f64,
    /// Milliseconds of the app's frame work (the UI pass).
    pub ui_ms: f64,
    /// View centre longitude.
    pub center_lon: f64,
    /// View centre latitude.
    pub center_lat: f64,
    /// View zoom.
    pub zoom: f64,
    /// Layers in the stack.
    pub layers: usize,
    /// Background jobs running.
    pub jobs: usize,
}

impl FrameRecord {
    /// The record's line in the log.
    pub fn line(&self) -> String {
        format!(
            "{:.4} {:.2} {:.9} {:.9} {:.6} {} {}",
            self.start_s,
            self.ui_ms,
            self.center_lon,
            self.center_lat,
            self.zoom,
            self.layers,
            self.jobs
        )
    }

    /// Read a line of the log (`None` for the header or a malformed line).
    pub fn parse(line: &str) -> Option<Self> {
        let mut it = line.split_whitespace();
        let mut num = || it.next()?.parse::<f64>().ok();
        let r = FrameRecord {
            start_s: num()?,
            ui_ms: num()?,
            center_lon: num()?,
            center_lat: num()?,
            zoom: num()?,
            layers: num()? as usize,
            jobs: num()? as usize,
        };
        Some(r)
    }
}

/// Read every record of a frame log's text.
pub fn parse_log(text: &str) -> Vec<FrameRecord> {
    text.lines().filter_map(FrameRecord::parse).collect()
}

/// The longest gap between the starts of consecutive frames among `records`, in ms.
pub fn longest_gap_ms(records: &[FrameRecord]) -> f64 {
    records
        .windows(2)
        .map(|w| (w[1].start_s - w[0].start_s) * 1000.0)
        .fold(0.0, f64::max)
}

/// The frame log of a running app.
#[derive(Debug)]
pub struct FrameLog {
    path: PathBuf,
    started: Instant,
    records: Vec<FrameRecord>,
    written: usize,
    last_write: Instant,
}

impl FrameLog {
    /// A log to be written to `path`.
    pub fn new(path: PathBuf) -> Self {
        let now = Instant::now();
        Self {
            path,
            started: now,
            records: Vec::new(),
            written: 0,
            last_write: now,
        }
    }

    /// The log's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds since the log started.
    pub fn since_start(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.started).as_secs_f64()
    }

    /// Record a frame; rewrite the file when a second has passed since the last write.
    pub fn record(&mut self, r: FrameRecord) {
        self.records.push(r);
        if self.last_write.elapsed() >= Duration::from_secs(1) {
            self.flush();
        }
    }

    /// The frames recorded so far.
    pub fn records(&self) -> &[FrameRecord] {
        &self.records
    }

    /// Write the whole log now (when anything new was recorded); a failure is reported on
    /// stderr once per attempt and logging goes on.
    pub fn flush(&mut self) {
        self.last_write = Instant::now();
        if self.written == self.records.len() && self.written > 0 {
            return;
        }
        let mut text = String::with_capacity(64 * (self.records.len() + 1));
        text.push_str(HEADER);
        text.push('\n');
        for r in &self.records {
            text.push_str(&r.line());
            text.push('\n');
        }
        match crate::core::atomic::write_atomic(&self.path, text.as_bytes()) {
            Ok(()) => self.written = self.records.len(),
            Err(e) => eprintln!("frame log {}: {e}", self.path.display()),
        }
    }
}

impl Drop for FrameLog {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_the_longest_gap_is_found() {
        let rec = |t: f64| FrameRecord {
            start_s: t,
            ui_ms: 1.5,
            center_lon: 114.071234567,
            center_lat: 22.512345678,
            zoom: 15.25,
            layers: 11,
            jobs: 1,
        };
        let recs = [rec(0.0), rec(0.016), rec(0.2), rec(0.25)];
        let text = format!(
            "{HEADER}\n{}\n",
            recs.iter()
                .map(FrameRecord::line)
                .collect::<Vec<_>>()
                .join("\n")
        );
        let back = parse_log(&text);
        assert_eq!(back.len(), 4);
        assert_eq!(back[1], recs[1]);
        assert!((longest_gap_ms(&back) - 184.0).abs() < 1e-6);
        assert_eq!(longest_gap_ms(&back[..1]), 0.0);
    }

    #[test]
    fn the_log_is_written_to_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("frames.log");
        {
            let mut log = FrameLog::new(path.clone());
            log.record(FrameRecord {
                start_s: 0.5,
                ui_ms: 2.0,
                center_lon: 114.0,
                center_lat: 22.5,
                zoom: 14.0,
                layers: 3,
                jobs: 0,
            });
        }
        let text = std::fs::read_to_string(&path).expect("written at drop");
        assert!(text.starts_with(HEADER), "{text}");
        assert_eq!(parse_log(&text).len(), 1);
    }
}
