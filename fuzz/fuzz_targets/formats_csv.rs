//! Fuzz the GDAL side of `core::io::open_layers` with CSV, the format planners hand-edit most
//! (a ledger, or points with X/Y or WKT columns): the bytes are written to a temporary `.csv`
//! and opened with `--crs EPSG:4326`. No input may panic or leak; a refusal must be a typed
//! `LoadError` naming the file; what opens must have WGS84 coordinates that are finite.
#![no_main]

use hetao_atlas::core::io::{OpenOptions, open_layers};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::Builder::new().suffix(".csv").tempfile() else {
        return;
    };
    if f.write_all(data).and_then(|()| f.flush()).is_err() {
        return;
    }
    let path = f.path().to_path_buf();
    let opts = OpenOptions {
        crs: Some("EPSG:4326"),
        ..OpenOptions::default()
    };
    match open_layers(&path, &opts) {
        Ok(layers) => {
            for l in &layers {
                for feat in &l.features {
                    if let Some(g) = &feat.geometry {
                        use geo::CoordsIter;
                        for c in g.coords_iter() {
                            assert!(c.x.is_finite() && c.y.is_finite(), "{c:?} in {}", l.name);
                        }
                    }
                }
            }
        }
        Err(e) => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let msg = e.to_string();
            assert!(
                name.is_some_and(|n| msg.contains(&n)),
                "an error that does not name the file: {msg}"
            );
        }
    }
});
