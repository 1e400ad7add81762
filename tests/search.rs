//! Search (issue 12): names in English and Chinese, ids, places and reach destinations;
//! prefix and fuzzy matches; grouped by kind; human labels. Expected names are the shipped
//! data's and the issue's.

use hetao_atlas::cli::run_args;
use hetao_atlas::core::search::{Kind, SearchIndex, Target};
use hetao_atlas::core::zone;

fn index() -> SearchIndex {
    let ds = zone::embedded_dataset().expect("zone");
    SearchIndex::zone(ds.layers.iter())
}

#[test]
fn hong_kong_science_finds_the_science_park_destination() {
    let ix = index();
    let hits = ix.search("Hong Kong Science", 10);
    let first = hits.first().expect("a hit");
    assert_eq!(first.entry.label, "Hong Kong Science Park (Pak Shek Kok)");
    assert_eq!(first.entry.kind, Kind::Place);
    assert_eq!(first.entry.target, Target::Point);
    let [lon, lat] = first.entry.lonlat.expect("position");
    assert!((lon - 114.20366).abs() < 1e-6 && (lat - 22.42734).abs() < 1e-6);
    // fuzzy: a typo still finds it
    let hits = ix.search("hong kong sceince", 10);
    assert_eq!(
        hits.first().map(|h| h.entry.label.as_str()),
        Some("Hong Kong Science Park (Pak Shek Kok)")
    );
}

#[test]
fn ids_list_buildings_before_units() {
    let ix = index();
    let hits = ix.search("SZ-B1", 400);
    assert!(!hits.is_empty());
    let first_unit = hits
        .iter()
        .position(|h| h.entry.kind == Kind::Unit)
        .expect("units match too");
    assert!(first_unit > 0);
    assert!(
        hits[..first_unit]
            .iter()
            .all(|h| h.entry.kind == Kind::Building)
    );
    assert!(
        hits[first_unit..]
            .iter()
            .all(|h| h.entry.kind != Kind::Building)
    );
    assert_eq!(hits[0].entry.id.as_deref(), Some("SZ-B100"));
    // exact id first
    let hits = ix.search("sz-b248", 5);
    assert_eq!(hits[0].entry.id.as_deref(), Some("SZ-B248"));
    assert_eq!(hits[0].score, 0);
    // an id is not matched fuzzily: only SZ-B248 and its units
    let hits = ix.search("SZ-B248", 20);
    assert!(
        hits.iter().all(|h| h
            .entry
            .id
            .as_deref()
            .is_some_and(|i| i.starts_with("SZ-B248"))),
        "{:?}",
        hits.iter().map(|h| &h.entry.id).collect::<Vec<_>>()
    );
}

#[test]
fn chinese_names_and_places_are_found_with_human_labels() {
    let ix = index();
    // The Loop's Chinese name (name_zh in the shipped OSM file).
    let hits = ix.search("河套", 5);
    assert!(
        hits.iter()
            .any(|h| h.entry.label.starts_with("Lok Ma Chau Loop")),
        "{:?}",
        hits.iter().map(|h| &h.entry.label).collect::<Vec<_>>()
    );
    // Futian District's OSM name is Chinese only.
    assert!(
        ix.search("福田区", 5)
            .iter()
            .any(|h| h.entry.label == "福田区")
    );
    // No provenance in any label.
    for e in ix.entries() {
        for bad in ["GTFS", "OSM", "centroid", "relation component", "~114"] {
            assert!(!e.label.contains(bad), "{}", e.label);
        }
    }
    let hits = ix.search("Lok Ma Chau Control", 3);
    assert_eq!(hits[0].entry.label, "Lok Ma Chau Control Point");
    // An MTR station by name.
    let hits = ix.search("Tiu Keng", 3);
    assert_eq!(hits[0].entry.label, "Tiu Keng Leng");
    assert_eq!(hits[0].entry.detail, "MTR station");
}

#[test]
fn the_cli_searches_the_same_way() {
    let (code, out) = run_args(&["search", "Hong Kong Science", "--limit", "3"]);
    assert_eq!(code, 0, "{out}");
    let first = out.lines().next().expect("a line");
    assert!(
        first.starts_with("Places\tHong Kong Science Park (Pak Shek Kok)\t"),
        "{out}"
    );
    let (code, out) = run_args(&["search", "zzzzqqq"]);
    assert_eq!((code, out.as_str()), (1, ""));
}
