//! A CRS code PROJ does not know must cost nothing, however often it is asked for (issue 18):
//! `proj` 0.27's `Proj::new_known_crs` leaks a whole PROJ context (about 2 MB, the SQLite
//! handle of the database) each time it fails, so `core::crs` checks the code on one
//! long-lived context per thread first. This is its own test binary so that the resident
//! memory it measures is this test's alone.

use hetao_atlas::core::crs::Transformer;
use hetao_atlas::core::io::load_slice;

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("procfs");
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS")
}

#[test]
fn unknown_codes_do_not_grow_memory() {
    let file = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[833000,845000]},"properties":null}]}"#;
    // Warm up: the first use opens PROJ's database once for this thread.
    assert!(Transformer::new("EPSG:999999", "EPSG:4326").is_err());
    assert!(Transformer::new("EPSG:2326", "EPSG:4326").is_ok());
    let before = rss_kb();
    for i in 0..150 {
        let e = Transformer::new(&format!("EPSG:{}", 999_000 + i % 3), "EPSG:4326")
            .expect_err("not a code");
        assert!(e.to_string().contains("is not in the PROJ database"), "{e}");
        assert!(load_slice(file.as_bytes(), "bad", "bad.geojson").is_err());
    }
    // Under AddressSanitizer (`make asan`, which sets ASAN_OPTIONS) freed memory is held in
    // quarantine, so resident memory says nothing; LeakSanitizer checks at exit instead, and
    // fails the run on any leaked context.
    if std::env::var_os("ASAN_OPTIONS").is_some() {
        return;
    }
    let grown_kb = rss_kb().saturating_sub(before);
    // Leaking a context per failure grew this by about 2 MB per failed call (600 MB here).
    assert!(
        grown_kb < 16 * 1024,
        "resident memory grew by {grown_kb} kB"
    );
}
