//! Fuzz the validator behind `hetao check` (`core::validate::validate`): no input may panic,
//! hang or crash it, and every issue it reports has a message, a stable code and, when the
//! input is not empty, a position inside the input.
#![no_main]

use hetao_atlas::core::validate::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = validate(data, "fuzz.geojson");
    let lines = 1 + data.iter().filter(|&&b| b == b'\n').count() as u64;
    for issue in report.errors.iter().chain(&report.warnings) {
        assert!(!issue.message.is_empty(), "{issue:?}");
        assert!(!issue.code.is_empty(), "{issue:?}");
        assert!(
            u64::from(issue.line) <= lines,
            "line past the end: {issue:?}"
        );
    }
});
