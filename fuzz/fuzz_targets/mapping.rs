//! Fuzz the inventory mapping reader (`core::zone::inventory::Mapping::parse`, the TOML a
//! planner writes by hand) and its use: no input may panic; a mapping that parses must write
//! (`to_toml`) and read back to the same mapping; applying it to the Chinese-field fixture
//! (tests/fixtures/inventory/buildings_zh.geojson) either gives the model's buildings or an
//! error with a message, never a panic.
#![no_main]

use hetao_atlas::core::model::Layer;
use hetao_atlas::core::zone::inventory::{Mapping, from_layer};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

static LAYER: OnceLock<Option<Layer>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Path::new("/nonexistent-fuzz-base");
    let Ok(mapping) = Mapping::parse(text, "fuzz.toml", base) else {
        return;
    };
    let written = mapping.to_toml(base);
    let back = Mapping::parse(&written, "written.toml", base)
        .unwrap_or_else(|e| panic!("a written mapping does not read back: {e}\n{written}"));
    assert_eq!(mapping, back, "{written}");
    let layer = LAYER.get_or_init(|| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/inventory/buildings_zh.geojson");
        hetao_atlas::core::io::load_path(&p).ok()
    });
    if let Some(layer) = layer
        && let Err(e) = from_layer(layer, &mapping)
    {
        assert!(!e.to_string().is_empty());
    }
});
