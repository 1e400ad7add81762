//! Fuzz the style-file reader (`render::style::Style::from_json`, `data/styles/*.json`).
//!
//! The `render` module is behind the `gui` feature (wgpu), which this crate leaves off so the
//! sanitizer build stays small; `style.rs` itself needs nothing from the GPU stack, so it is
//! compiled here from the same source file, with `crate::core` pointing at the headless core.
//! No input may panic; an accepted style gives a colour (or a filter verdict) for any feature.
#![no_main]

use hetao_atlas::core;
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../src/render/style.rs"]
mod style;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(style) = style::Style::from_json(text, "fuzz.json") else {
        return;
    };
    assert!((0.0..=1.0).contains(&style.opacity));
    assert!(style.width.is_finite() && style.point_radius.is_finite());
    let mut f = core::model::Feature::default();
    let _ = style.data_colour(&f, Some("planned"));
    let mut props = serde_json::Map::new();
    for (i, v) in [
        serde_json::json!("completed"),
        serde_json::json!(1.5e308),
        serde_json::json!(-0.0),
        serde_json::json!(null),
        serde_json::json!([1, 2]),
    ]
    .into_iter()
    .enumerate()
    {
        props.insert(format!("p{i}"), v.clone());
        for key in ["status", "use", "gfa_m2", "year", "name"] {
            props.insert(key.to_string(), v.clone());
        }
        f.properties = Some(props.clone().into());
        let _ = style.data_colour(&f, None);
        if let Some(label) = &style.label {
            let _ = label.text_for(&f);
        }
    }
});
