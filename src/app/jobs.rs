//! Background work (loading files, exports): a worker thread per job with a progress fraction,
//! a cancel flag and a channel for the result, so the UI never waits.

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

    /// The cancel flag itself (for the core's loaders, which poll an `AtomicBool`).
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
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

/// The nice value of a worker thread (and of the threads it starts, which inherit it): the
/// window's thread and the software GPU's threads come first when a load takes every core.
pub const WORKER_NICE: i32 = 10;

/// Lower the calling thread's scheduling priority to [`WORKER_NICE`] (Linux: the nice value is
/// per thread). Elsewhere, or when refused, the worker runs at normal priority.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority only read their arguments; the tid is this thread's own.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, WORKER_NICE);
    }
}

/// The calling thread's nice value (Linux).
#[cfg(target_os = "linux")]
pub fn current_nice() -> i32 {
    // SAFETY: as in `background_priority`.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
}

/// The calling thread's nice value (0: not lowered elsewhere).
#[cfg(not(target_os = "linux"))]
pub fn current_nice() -> i32 {
    0
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
                background_priority();
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
        // the worker ran below the window's priority
        let nice = Job::spawn("nice", |_: &JobControl| current_nice(), || {});
        let mut got = None;
        for _ in 0..500 {
            if let Some(x) = nice.poll() {
                got = Some(x);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if cfg!(target_os = "linux") {
            assert!(matches!(got, Some(Ok(n)) if n >= WORKER_NICE), "{got:?}");
        }
        assert_eq!(job.control.progress(), 0.5);

        let c = JobControl::default();
        c.cancel();
        assert!(c.is_cancelled());
        assert!(c.cancel_flag().load(Ordering::Relaxed));
    }
}
