//! Capturing GDAL's own error and warning messages instead of letting GDAL print them to
//! stderr: [`capture`] runs a closure with a thread-local GDAL error handler pushed, and
//! gives back what GDAL said during it, so the caller can put it in its error message.

use std::cell::RefCell;
use std::ffi::{CStr, c_char};

/// One message GDAL reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GdalMessage {
    /// `true` for CE_Failure and CE_Fatal, `false` for warnings and debug output.
    pub failure: bool,
    /// GDAL's text.
    pub text: String,
}

thread_local! {
    static CAPTURED: RefCell<Vec<GdalMessage>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn handler(class: gdal_sys::CPLErr::Type, _num: i32, msg: *const c_char) {
    if class == gdal_sys::CPLErr::CE_None || class == gdal_sys::CPLErr::CE_Debug {
        return;
    }
    let text = if msg.is_null() {
        String::new()
    } else {
        // SAFETY: GDAL passes a NUL-terminated message valid for the call.
        unsafe { CStr::from_ptr(msg) }
            .to_string_lossy()
            .into_owned()
    };
    let failure = class == gdal_sys::CPLErr::CE_Failure || class == gdal_sys::CPLErr::CE_Fatal;
    CAPTURED.with(|c| c.borrow_mut().push(GdalMessage { failure, text }));
}

/// Run `f` with GDAL's messages captured (on this thread; GDAL's handler stack is per
/// thread). Nested calls each see only their own messages.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<GdalMessage>) {
    let outer = CAPTURED.with(|c| std::mem::take(&mut *c.borrow_mut()));
    // SAFETY: the handler is a plain function that only touches this thread's buffer; it
    // is popped below on the same thread before returning.
    unsafe { gdal_sys::CPLPushErrorHandler(Some(handler)) };
    let out = f();
    unsafe { gdal_sys::CPLPopErrorHandler() };
    let mine = CAPTURED.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer));
    (out, mine)
}

/// The messages as one line (`"; "`-separated, duplicates dropped), failures first.
pub fn joined(msgs: &[GdalMessage]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for failure in [true, false] {
        for m in msgs.iter().filter(|m| m.failure == failure) {
            let t = m.text.trim();
            if !t.is_empty() && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out.join("; ")
}

/// A GDAL error in GDAL's own words: what it said meanwhile, else the binding's error.
pub fn describe(e: &::gdal::errors::GdalError, msgs: &[GdalMessage]) -> String {
    let said = joined(msgs);
    if said.is_empty() { e.to_string() } else { said }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdals_own_error_is_captured_not_printed() {
        // (Not `SpatialRef::from_epsg` of an unknown code: gdal 0.19 leaks the spatial
        // reference it made when the import fails, which `make asan`'s LeakSanitizer reports.)
        let (r, msgs) = capture(|| ::gdal::spatial_ref::SpatialRef::from_wkt("NOT A CRS[1]"));
        assert!(r.is_err());
        assert!(msgs.iter().any(|m| m.failure), "{msgs:?}");
        // and the handler is gone afterwards: a second capture sees only its own messages
        let (_, again) = capture(|| ());
        assert!(again.is_empty());
    }
}
