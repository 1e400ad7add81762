//! Fuzz the scenario-file reader (`core::zone::scenario::Scenario::from_json`) and what is
//! done with a scenario once read: no input may panic; what parses must save and read back
//! to the same scenario; applying it to the embedded zone dataset either succeeds or fails
//! with an error and leaves the dataset exactly as it was.
#![no_main]

use hetao_atlas::core::model::Dataset;
use hetao_atlas::core::zone::{embedded_dataset, scenario::Scenario};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static BASE: OnceLock<Dataset> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    // Scenario::load reads the file as UTF-8 first; the reader itself takes text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::from_json(text, "fuzz.json") else {
        return;
    };
    let saved = scenario.to_json();
    let back = Scenario::from_json(&saved, "saved.json")
        .unwrap_or_else(|e| panic!("a saved scenario does not read back: {e}\n{saved}"));
    assert_eq!(scenario, back, "{saved}");
    let base = BASE.get_or_init(|| embedded_dataset().expect("embedded dataset"));
    let mut ds = base.clone();
    if scenario.apply(&mut ds).is_err() {
        assert_eq!(ds.feature_count(), base.feature_count());
    }
});
