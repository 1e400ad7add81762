//! Background work (loading files, exports): a worker thread per job with a progress fraction,
//! a cancel flag and a channel for the result, so the UI never waits.

use crate::core::io::LoadError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Progress and cancellation shared with the worker.
#[derive(Debug, Clone, Default)]
pub struct JobControl {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
}

impl JobControl {
    /// Report progress 0–1 (NaN or negative: unknown).
    pub fn set_progress(&self, f: f32) {
        self.progress.store(f.to_bits(), Ordering::Relaxed);
    }

    /// The last progress reported (0 at start).
    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    /// Ask the worker to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether the job was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A job running on a worker thread, producing a `T`.
#[derive(Debug)]
pub struct Job<T> {
    /// What it does, for the status bar.
    pub label: String,
    /// Progress and cancel.
    pub control: JobControl,
    rx: Receiver<T>,
}

impl<T: Send + 'static> Job<T> {
    /// Run `work` on a new thread; `on_done` runs there after it (e.g. to request a repaint).
    pub fn spawn(
        label: impl Into<String>,
        work: impl FnOnce(&JobControl) -> T + Send + 'static,
        on_done: impl FnOnce() + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let control = JobControl::default();
        let c = control.clone();
        let label = label.into();
        let spawned = std::thread::Builder::new()
            .name(format!("hetao-job: {label}"))
            .spawn(move || {
                let r = work(&c);
                let _ = tx.send(r);
                on_done();
            });
        if let Err(e) = spawned {
            eprintln!("cannot start a worker thread: {e}");
        }
        Self { label, control, rx }
    }

    /// The result when the worker is done: `Some(Ok(t))`, `Some(Err(()))` when the worker died
    /// without a result, `None` while it runs.
    #[allow(clippy::result_unit_err)]
    pub fn poll(&self) -> Option<Result<T, ()>> {
        match self.rx.try_recv() {
            Ok(t) => Some(Ok(t)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(())),
        }
    }
}

/// Read a file in 1 MiB chunks reporting progress (bytes read / size) and honouring cancel
/// ([`LoadError::Cancelled`]).
pub fn read_with_progress(path: &std::path::Path, c: &JobControl) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let file = || path.display().to_string();
    let io = |source| LoadError::Io {
        file: file(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        if c.is_cancelled() {
            return Err(LoadError::Cancelled { file: file() });
        }
        let n = f.read(&mut chunk).map_err(io)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if size > 0 {
            // reading is the first half of the job; parsing the second
            c.set_progress(0.5 * buf.len() as f32 / size as f32);
        }
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_reports_result_progress_and_cancel() {
        let job = Job::spawn(
            "sum",
            |c: &JobControl| {
                c.set_progress(0.5);
                (1..=10).sum::<i32>()
            },
            || {},
        );
        let mut r = None;
        for _ in 0..500 {
            if let Some(x) = job.poll() {
                r = Some(x);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert_eq!(r, Some(Ok(55)));
        assert_eq!(job.control.progress(), 0.5);

        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("x.bin");
        std::fs::write(&p, vec![7u8; 3 << 20]).expect("write");
        let c = JobControl::default();
        let bytes = read_with_progress(&p, &c).expect("read");
        assert_eq!(bytes.len(), 3 << 20);
        assert!((c.progress() - 0.5).abs() < 1e-6);
        c.cancel();
        assert!(matches!(
            read_with_progress(&p, &c),
            Err(LoadError::Cancelled { .. })
        ));
    }
}
