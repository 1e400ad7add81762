//! `hetao transform` against PROJ's own `cs2cs` (installed with PROJ). cs2cs uses each
//! CRS's declared axis order (lat/lon for EPSG:4326 and 4490, N/E for 2326 and 4547);
//! `hetao transform` always takes and gives x,y (lon,lat / E,N), so the expected values
//! below are cs2cs's output with the axes swapped where the CRS declares them N-first.

use hetao_atlas::cli::run_args;
use serde_json::Value;

fn transform(from: &str, to: &str, pts: &[&str]) -> Vec<[f64; 2]> {
    let mut args = vec!["transform", "--from", from, "--to", to];
    args.extend_from_slice(pts);
    args.push("--json");
    let (code, out) = run_args(&args);
    assert_eq!(code, 0, "{args:?}: {out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    v["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| [p[0].as_f64().expect("x"), p[1].as_f64().expect("y")])
        .collect()
}

fn assert_mm(got: [f64; 2], want: [f64; 2], what: &str) {
    assert!(
        (got[0] - want[0]).abs() < 1e-3 && (got[1] - want[1]).abs() < 1e-3,
        "{what}: {got:?} vs {want:?}"
    );
}

/// 1e-9 degree is about 0.1 mm.
fn assert_deg(got: [f64; 2], want: [f64; 2], what: &str) {
    assert!(
        (got[0] - want[0]).abs() < 1e-8 && (got[1] - want[1]).abs() < 1e-8,
        "{what}: {got:?} vs {want:?}"
    );
}

// The Loop centroid (114.0791154, 22.5214876) and the Huanggang HK Port Area centre
// (114.0670757, 22.523396), from the data's SOURCES.

#[test]
fn wgs84_to_web_mercator() {
    // echo "22.5214876 114.0791154" | cs2cs -f %.6f EPSG:4326 EPSG:3857
    //   -> 12699229.036475	2574252.318253
    let p = transform("EPSG:4326", "EPSG:3857", &["114.0791154,22.5214876"]);
    assert_mm(p[0], [12_699_229.036_475, 2_574_252.318_253], "4326->3857");
}

#[test]
fn wgs84_to_hk1980_grid_two_points() {
    // echo "22.5214876 114.0791154" | cs2cs -f %.6f EPSG:4326 EPSG:2326
    //   -> 842425.658080	826210.509242   (N E)
    // echo "22.523396 114.0670757" | cs2cs -f %.6f EPSG:4326 EPSG:2326
    //   -> 842637.848864	824972.013560   (N E)
    let p = transform(
        "EPSG:4326",
        "EPSG:2326",
        &["114.0791154,22.5214876", "114.0670757,22.523396"],
    );
    assert_eq!(p.len(), 2);
    assert_mm(p[0], [826_210.509_242, 842_425.658_080], "loop centroid");
    assert_mm(p[1], [824_972.013_560, 842_637.848_864], "port centre");
}

#[test]
fn wgs84_to_cgcs2000_geographic_and_gauss_kruger() {
    // echo "22.5214876 114.0791154" | cs2cs -f %.12f EPSG:4326 EPSG:4490
    //   -> 22.521487600000	114.079115400000
    let p = transform("EPSG:4326", "EPSG:4490", &["114.0791154,22.5214876"]);
    assert_deg(p[0], [114.079_115_4, 22.521_487_6], "4326->4490");
    // echo "22.5214876 114.0791154" | cs2cs -f %.6f EPSG:4326 EPSG:4547
    //   -> 2491548.940811	508139.421860   (N E)
    let p = transform("EPSG:4326", "EPSG:4547", &["114.0791154,22.5214876"]);
    assert_mm(p[0], [508_139.421_860, 2_491_548.940_811], "4326->4547");
}

#[test]
fn hk1980_grid_back_to_wgs84() {
    // echo "842425.6581 826210.5092" | cs2cs -f %.12f EPSG:2326 EPSG:4326
    //   -> 22.521487598537	114.079115403986
    let p = transform("EPSG:2326", "EPSG:4326", &["826210.5092,842425.6581"]);
    assert_deg(
        p[0],
        [114.079_115_403_986, 22.521_487_598_537],
        "2326->4326",
    );
}

#[test]
fn projected_to_projected() {
    // echo "12699131.0 2574364.0" | cs2cs -f %.6f EPSG:3857 EPSG:2326
    //   -> 842528.342353	826119.972426   (N E)
    let p = transform("EPSG:3857", "EPSG:2326", &["12699131.0,2574364.0"]);
    assert_mm(p[0], [826_119.972_426, 842_528.342_353], "3857->2326");
    // echo "2491990.0 508180.0" | cs2cs -f %.6f EPSG:4547 EPSG:2326
    //   -> 842697.655636	826504.290862   (N E)
    let p = transform("EPSG:4547", "EPSG:2326", &["508180.0,2491990.0"]);
    assert_mm(p[0], [826_504.290_862, 842_697.655_636], "4547->2326");
}

#[test]
fn text_output_and_errors() {
    let (code, out) = run_args(&[
        "transform",
        "--from",
        "4326",
        "--to",
        "urn:ogc:def:crs:EPSG::2326",
        "114.0791154,22.5214876",
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.trim(), "826210.5092 842425.6581");
    let (code, out) = run_args(&[
        "transform",
        "--from",
        "EPSG:4326",
        "--to",
        "EPSG:999999",
        "1,2",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("EPSG:999999"), "{out}");
    let (code, out) = run_args(&[
        "transform",
        "--from",
        "EPSG:4326",
        "--to",
        "EPSG:2326",
        "1;2",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("X,Y"), "{out}");
    // A negative longitude parses (it is not taken for a flag).
    let p = transform("EPSG:4326", "EPSG:3857", &["-75.343,39.984"]);
    assert!(p[0][0] < 0.0 && p[0][1] > 0.0);
}
