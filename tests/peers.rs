//! Other projects' own test files (tests/fixtures/peer-tests, see its SOURCES.md): GDAL's,
//! geojson-validator's, check-geojson's and georust's. What each should give was decided
//! here, file by file, from RFC 7946 (and RFC 8259 for JSON, OGC Simple Features for polygon
//! validity), not from this program's output: the peer's own verdict is the starting point,
//! and where RFC 7946 says SHOULD (winding, more than three numbers in a position, the
//! legacy `crs`) the verdict is a warning, because RFC 7946 §3.1.6 says parsers must not
//! reject such input. Every file with no error must also load, with the features it has.

use hetao_atlas::core::io::load_slice;
use hetao_atlas::core::validate::{Issue, validate};
use std::collections::BTreeSet;
use std::path::Path;

const DIR: &str = "tests/fixtures/peer-tests/check";

/// (file under DIR, error codes, warning codes): both exact sets, unless the file name is
/// marked with a leading `~`, where the codes listed must be among those found (files that
/// pack many independent faults, such as GDAL's ogr_geojson_14).
const VERDICTS: &[(&str, &[&str], &[&str])] = &[
    // check-geojson: every file is bad for check-geojson.
    (
        "check-geojson/badfeature-no-properties.geojson",
        &["member-missing"],
        &[],
    ),
    (
        "check-geojson/inline_bad_json_missing_comma.json",
        &["json"],
        &[],
    ),
    (
        "check-geojson/inline_empty_object.json",
        &["type-missing"],
        &[],
    ),
    // geometries[0] is null; a GeometryCollection of one member is also worth a note.
    (
        "check-geojson/inline_geometrycollection_null.json",
        &["geometry-not-object"],
        &["geometrycollection-single"],
    ),
    // `1.` is not a JSON number (RFC 8259 §6: a fraction needs digits).
    (
        "check-geojson/inline_invalid_root_foo_1dot.json",
        &["json"],
        &[],
    ),
    // [true]: a position of one element (too short comes before the element's type).
    (
        "check-geojson/inline_multipoint_true.json",
        &["position-too-short"],
        &[],
    ),
    (
        "check-geojson/inline_point_coordinates_null.json",
        &["member-type"],
        &[],
    ),
    // RFC 7946 §3.1.1: implementations SHOULD NOT extend positions beyond three elements.
    (
        "check-geojson/inline_point_four_numbers.json",
        &[],
        &["position-too-long"],
    ),
    (
        "check-geojson/inline_point_no_coordinates.json",
        &["member-missing"],
        &[],
    ),
    (
        "check-geojson/inline_point_one_number.json",
        &["position-too-short"],
        &[],
    ),
    // §7.1: a Geometry must not have a "properties" member.
    (
        "check-geojson/inline_point_with_properties.json",
        &["forbidden-member"],
        &[],
    ),
    // features[1] is {"type": "bad"}: not a Feature (and so without its members).
    (
        "~check-geojson/inline_scavenge_fc_with_bad_feature.json",
        &["feature-type"],
        &[],
    ),
    (
        "check-geojson/inline_type_array.json",
        &["type-not-string"],
        &[],
    ),
    ("check-geojson/inline_type_foo.json", &["type-unknown"], &[]),
    (
        "check-geojson/multipoint-nocoordinates.geojson",
        &["member-missing"],
        &[],
    ),
    // GDAL: JSON-FG curve types are not GeoJSON types.
    ("gdal/CircularString.json", &["type-unknown"], &[]),
    ("gdal/MultiSurface.json", &["type-unknown"], &[]),
    // JSON-FG features: valid GeoJSON, their "place" is not read.
    ("gdal/crs_32631_fc_only.json", &[], &["json-fg-place"]),
    ("gdal/crs_32631_geom_only.json", &[], &["json-fg-place"]),
    ("gdal/crs_none.json", &[], &["json-fg-place"]),
    ("gdal/fence.json", &[], &["json-fg-place"]),
    ("gdal/prism_with_polygon_base.json", &[], &["json-fg-place"]),
    ("gdal/feature_type_top_level.json", &[], &[]),
    ("gdal/two_feature_types.json", &[], &[]),
    // Esri JSON and TopoJSON are other formats: no GeoJSON "type" / an unknown one.
    ("gdal/esripoint.json", &["type-missing"], &[]),
    ("gdal/esripolygonempty.json", &["type-missing"], &[]),
    ("gdal/topojson2.topojson", &["json"], &[]),
    // Legacy crs members (GeoJSON 2008), honoured with a warning.
    (
        "gdal/feature_with_type_Topology_property.json",
        &[],
        &["crs-legacy"],
    ),
    ("gdal/featuretype.json", &[], &["crs-legacy", "precision"]),
    ("gdal/srs_name.geojson", &[], &["crs-legacy"]),
    ("gdal/testdatatypes.geojson", &[], &["crs-legacy"]),
    ("gdal/featurecollection_point.json", &[], &[]),
    ("gdal/featurecollection_pointz.json", &[], &[]),
    ("gdal/geometrycollection.geojson", &[], &[]),
    ("gdal/ids_0_1_null_1_null.json", &[], &[]),
    ("gdal/ids_0_1_null_unset.json", &[], &[]),
    ("gdal/linestring.geojson", &[], &[]),
    ("gdal/multilinestring.geojson", &[], &[]),
    ("gdal/multipoint.geojson", &[], &[]),
    // Its hole is counter-clockwise: a SHOULD of §3.1.6.
    ("gdal/multipolygon.geojson", &[], &["winding"]),
    ("gdal/point.geojson", &[], &[]),
    ("gdal/pointz.json", &[], &[]),
    ("gdal/polygon.geojson", &[], &[]),
    ("gdal/sparse_fields.geojson", &[], &[]),
    ("gdal/testmixed.geojson", &[], &[]),
    // A GeometryCollection with "features" (§7.1) and no "geometries".
    (
        "gdal/nullvalues.geojson",
        &["forbidden-member", "member-missing"],
        &[],
    ),
    (
        "~gdal/ogr_geojson_14.geojson",
        &["member-missing", "member-type", "position-too-short"],
        &[],
    ),
    // A trailing comma is not JSON; the BOM file lacks "properties" as well (see SOURCES.md).
    ("gdal/stac_item.json", &["json"], &[]),
    (
        "gdal/point_with_utf8bom.json",
        &["member-missing"],
        &["bom"],
    ),
    // geojson-validator: winding is a SHOULD; the rest of its invalid_* are invalid. Too deep
    // a nesting (a LineString with a Polygon's coordinates) is coded as geojsonhint codes it:
    // the elements of the positions are not numbers.
    (
        "geojson-validator/invalid_geometries__invalid_exterior_not_ccw.geojson",
        &[],
        &["winding"],
    ),
    (
        "geojson-validator/invalid_geometries__invalid_interior_not_cw.geojson",
        &[],
        &["winding"],
    ),
    (
        "geojson-validator/invalid_geometries__invalid_inner_and_exterior_ring_intersect.geojson",
        &[],
        &["ring-crossing"],
    ),
    (
        "geojson-validator/invalid_geometries__invalid_incorrect_geometry_data_type.geojson",
        &["position-not-number"],
        &[],
    ),
    (
        "geojson-validator/invalid_geometries__invalid_less_three_unique_nodes.geojson",
        &["ring-too-short"],
        &[],
    ),
    (
        "geojson-validator/invalid_geometries__invalid_unclosed.geojson",
        &["ring-not-closed"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_feature_geometry_is_string.geojson",
        &["member-type"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_feature_id_type.geojson",
        &["id-type"],
        &[],
    ),
    (
        "~geojson-validator/invalid_structure__invalid_feature_no_porperties.geojson",
        &["member-missing", "ring-too-short"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_feature_properties_is_int.geojson",
        &["member-type"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_feature_wrong_geometry_key.geojson",
        &["member-missing"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_featurecollection_crs_defined.geojson",
        &[],
        &["crs-legacy"],
    ),
    (
        "geojson-validator/invalid_structure__invalid_featurecollection_nulltype.geojson",
        &["type-not-string"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_featurecollection_type_lowercase.geojson",
        &["type-case"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_featurecollection_unknown_type.geojson",
        &["type-unknown"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_bbox_not4or6.geojson",
        &["bbox"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_bbox_not_list.geojson",
        &["bbox"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_coordinates_4d.geojson",
        &[],
        &["position-too-long"],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_coordinates_empty_position.geojson",
        &["position-too-short"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_coordinates_missing.geojson",
        &["member-missing"],
        &[],
    ),
    // The longitude is the string "11.691336".
    (
        "geojson-validator/invalid_structure__invalid_geometry_coordinates_string.geojson",
        &["position-not-number"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_depth_deep_point.geojson",
        &["position-not-number"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_depth_deep_polygon.geojson",
        &["position-not-number"],
        &[],
    ),
    (
        "~geojson-validator/invalid_structure__invalid_geometry_depth_shallow_linestring.geojson",
        &["coordinates-nesting"],
        &[],
    ),
    (
        "~geojson-validator/invalid_structure__invalid_geometry_depth_shallow_multipolygon.geojson",
        &["coordinates-nesting"],
        &[],
    ),
    (
        "~geojson-validator/invalid_structure__invalid_geometry_depth_shallow_polygon.geojson",
        &["coordinates-nesting"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_missing_type.geojson",
        &["type-missing"],
        &[],
    ),
    (
        "~geojson-validator/invalid_structure__invalid_geometry_misslabeled_point.geojson",
        &["coordinates-nesting"],
        &[],
    ),
    (
        "geojson-validator/invalid_structure__invalid_geometry_wrong_geometry_type.geojson",
        &["type-unknown"],
        &[],
    ),
    // geojson-validator's "problematic" files: valid GeoJSON, each with its problem as a warning.
    (
        "geojson-validator/problematic_geometries__problematic_3d_coordinates.geojson",
        &[],
        &[],
    ),
    (
        "~geojson-validator/problematic_geometries__problematic_crosses_antimeridian.geojson",
        &[],
        &["longitude-range"],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_duplicate_nodes.geojson",
        &[],
        &["duplicate-position"],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_excessive_coordinate_precision.geojson",
        &[],
        &["precision"],
    ),
    (
        "~geojson-validator/problematic_geometries__problematic_excessive_vertices.geojson",
        &[],
        &["precision"],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_holes.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_multitype_geometry_with_just_one_geometry.geojson",
        &[],
        &[],
    ),
    // Its first and last positions differ in the 8th decimal of latitude: not closed, as well
    // as outside [-180, 180].
    (
        "~geojson-validator/problematic_geometries__problematic_outside_lat_lon_boundaries.geojson",
        &["ring-not-closed"],
        &["longitude-range"],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_self_intersection_large.geojson",
        &[],
        &["self-intersection"],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_self_intersection_small.geojson",
        &[],
        &["self-intersection"],
    ),
    // Its bboxes are in the right order (min lon, min lat, max lon, max lat) and hold the
    // shape to within rounding: nothing to report.
    (
        "geojson-validator/problematic_geometries__problematic_wrong_bbox_coordinate_order.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/problematic_geometries__problematic_zero_length_linestring.geojson",
        &[],
        &["line-zero-length"],
    ),
    ("geojson-validator/valid__valid_feature.geojson", &[], &[]),
    (
        "geojson-validator/valid__valid_feature_null_geometry.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_feature_null_properties.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_feature_with_bbox.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_feature_with_id.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_feature_with_string_id.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_featurecollcetion_with_geometrycollection.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_featurecollection.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_featurecollection_bboxes.geojson",
        &[],
        &["precision"],
    ),
    (
        "geojson-validator/valid__valid_featurecollection_empty_features.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_featurecollection_multiple_feature_types.geojson",
        &[],
        &["precision"],
    ),
    ("geojson-validator/valid__valid_geometry.geojson", &[], &[]),
    (
        "geojson-validator/valid__valid_geometry_3d_coordinates.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_bbox.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_geometrycollection.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_geometrycollection_empty_geometries.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_linestring.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_multilinestring.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_multipoint.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_multipolygon.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_point.geojson",
        &[],
        &[],
    ),
    (
        "geojson-validator/valid__valid_geometry_polygon.geojson",
        &[],
        &[],
    ),
    ("georust/geometry_collection.geojson", &[], &[]),
];

fn codes(issues: &[Issue]) -> BTreeSet<&'static str> {
    issues.iter().map(|i| i.code).collect()
}

#[test]
fn every_peer_file_gets_the_verdict_the_rfc_gives() {
    let mut listed = BTreeSet::new();
    let mut wrong = Vec::new();
    for &(name, errors, warnings) in VERDICTS {
        let (loose, name) = match name.strip_prefix('~') {
            Some(n) => (true, n),
            None => (false, name),
        };
        listed.insert(name.to_string());
        let path = Path::new(DIR).join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = validate(&bytes, name);
        let (e, w) = (codes(&r.errors), codes(&r.warnings));
        let want_e: BTreeSet<&str> = errors.iter().copied().collect();
        let want_w: BTreeSet<&str> = warnings.iter().copied().collect();
        let ok = if loose {
            want_e.is_subset(&e) && want_w.is_subset(&w) && want_e.is_empty() == e.is_empty()
        } else {
            e == want_e && w == want_w
        };
        if !ok {
            wrong.push(format!(
                "{name}: errors {e:?} (want {want_e:?}), warnings {w:?} (want {want_w:?})"
            ));
        }
        // A file check passes must load. (The loader is more forgiving than check: a file
        // whose only faults leave its features readable, such as a missing "properties" or an
        // unclosed ring, still opens, with check's messages in the app's Problems.)
        let loaded = load_slice(&bytes, "peer", name);
        if r.errors.is_empty() && loaded.is_err() {
            wrong.push(format!(
                "{name}: check finds {} errors but the loader says {:?}",
                r.errors.len(),
                loaded.err()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} verdicts differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Every file in the folder has a verdict.
    let mut missing = Vec::new();
    for sub in std::fs::read_dir(DIR).expect("peer-tests") {
        let sub = sub.expect("entry").path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).expect("dir") {
            let f = f.expect("entry").path();
            let rel = f
                .strip_prefix(DIR)
                .expect("under DIR")
                .display()
                .to_string();
            if !listed.contains(&rel) {
                missing.push(rel);
            }
        }
    }
    assert!(missing.is_empty(), "no verdict for {missing:?}");
}

/// georust's countries file (180 outlines) and sgo's area polygon load, and the sgo polygon's
/// area is the one sgo publishes (checked by sgo against GeographicLib's Planimeter).
#[test]
fn peer_measure_files_load_and_the_sgo_area_matches() {
    use hetao_atlas::core::measure::geodesic_area_m2;
    let dir = Path::new("tests/fixtures/peer-tests/measure");
    let countries = std::fs::read(dir.join("georust_countries.geojson")).expect("countries");
    let layer = load_slice(&countries, "countries", "georust_countries.geojson").expect("loads");
    assert_eq!(layer.features.len(), 180);
    let sgo = std::fs::read(dir.join("sgo_area_polygon.geojson")).expect("sgo");
    let layer = load_slice(&sgo, "sgo", "sgo_area_polygon.geojson").expect("loads");
    assert_eq!(layer.features.len(), 3);
    for f in &layer.features {
        let g = f.geometry.as_ref().expect("a polygon");
        let a = geodesic_area_m2(g);
        assert!((a - 133_610.634_95).abs() < 0.01, "area {a}");
    }
}
