//! The user's building inventory drives the floor-space model (issue 13): `--buildings FILE
//! --mapping M.toml` on `stats`, `export`, `scenario`; totals against figures computed by
//! hand from `tests/fixtures/inventory/` (8 buildings with Chinese field names, a ledger
//! of 6 rows); every bad input gives a message naming the value, the field and the
//! feature or row.

use hetao_atlas::cli::run_args;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/inventory";
const BUILDINGS: &str = "tests/fixtures/inventory/buildings_zh.geojson";
const MAPPING: &str = "tests/fixtures/inventory/mapping.toml";

fn stats_json(args: &[&str]) -> Value {
    let (code, out) = run_args(args);
    assert_eq!(code, 0, "{args:?}: {out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn inventory_stats(year: &str) -> Value {
    stats_json(&[
        "stats",
        "--buildings",
        BUILDINGS,
        "--mapping",
        MAPPING,
        "--year",
        year,
        "--json",
    ])
}

fn park<'a>(s: &'a Value, p: &str) -> &'a Value {
    s["parks"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["park"] == p))
        .unwrap_or_else(|| panic!("no park {p} in {s}"))
}

fn by(p: &Value, table: &str, key: &str) -> f64 {
    p[table]
        .as_array()
        .and_then(|a| a.iter().find(|e| e[0] == key))
        .and_then(|e| e[1].as_f64())
        .unwrap_or_else(|| panic!("no {key} in {table}: {p}"))
}

/// A scratch folder with copies of the fixture files (so a test can break one).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("hetao-inventory-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch dir");
        for f in ["buildings_zh.geojson", "ledger.geojson", "mapping.toml"] {
            std::fs::copy(Path::new(DIR).join(f), d.join(f)).expect("copy fixture");
        }
        Scratch(d)
    }

    fn path(&self, f: &str) -> String {
        self.0.join(f).display().to_string()
    }

    /// Replace `from` by `to` (exactly once) in one of the copies.
    fn edit(&self, f: &str, from: &str, to: &str) {
        let p = self.0.join(f);
        let text = std::fs::read_to_string(&p).expect("read");
        assert_eq!(text.matches(from).count(), 1, "{from:?} in {f}");
        std::fs::write(&p, text.replacen(from, to, 1)).expect("write");
    }

    fn stats_error(&self) -> String {
        let (code, out) = run_args(&[
            "stats",
            "--buildings",
            &self.path("buildings_zh.geojson"),
            "--mapping",
            &self.path("mapping.toml"),
            "--year",
            "2025",
        ]);
        assert_ne!(code, 0, "{out}");
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn totals_of_the_hand_made_inventory_in_2025() {
    let s = inventory_stats("2025");
    // SZ in 2025: A01 wet lab 20,000 completed (2022), A02 dry lab 15,000 converted (2020),
    // A03 factory 8,000 existing (no year), A04 talent housing 12,000 under construction
    // (2024); A05 planned only from 2026, so not there yet.
    let sz = park(&s, "SZ");
    assert_eq!(sz["buildings"], 4);
    assert_eq!(sz["total_gfa_m2"].as_f64(), Some(55_000.0));
    assert_eq!(by(sz, "gfa_by_status", "completed"), 20_000.0);
    assert_eq!(by(sz, "gfa_by_status", "converted"), 15_000.0);
    assert_eq!(by(sz, "gfa_by_status", "existing"), 8_000.0);
    assert_eq!(by(sz, "gfa_by_status", "under_construction"), 12_000.0);
    assert_eq!(by(sz, "gfa_by_status", "planned"), 0.0);
    assert_eq!(by(sz, "gfa_by_use", "wet_lab"), 20_000.0);
    assert_eq!(by(sz, "gfa_by_use", "factory_warehouse"), 8_000.0);
    assert_eq!(by(sz, "gfa_by_use", "supporting"), 0.0);
    // delivered research + supporting: A01 + A02 (the factory does not count)
    assert_eq!(sz["progress"]["delivered_m2"].as_f64(), Some(35_000.0));
    // HK in 2025: H01 wet lab "30,000" completed 2024 (ledger), H02 talent housing 25,000
    // completed 2025, H03 pilot production 18,000 under construction since 2023 (ledger).
    let hk = park(&s, "HK");
    assert_eq!(hk["buildings"], 3);
    assert_eq!(hk["total_gfa_m2"].as_f64(), Some(73_000.0));
    assert_eq!(by(hk, "gfa_by_status", "completed"), 55_000.0);
    assert_eq!(by(hk, "gfa_by_status", "under_construction"), 18_000.0);
    assert_eq!(hk["progress"]["delivered_m2"].as_f64(), Some(55_000.0));
    // against the published 1,000,000 m² of HSITP Phase 1
    assert_eq!(hk["progress"]["target_m2"].as_f64(), Some(1_000_000.0));
    assert_eq!(hk["progress"]["percent"].as_f64(), Some(5.5));
    assert_eq!(s["zone_progress"]["delivered_m2"].as_f64(), Some(90_000.0));
    // the user's buildings have no research-space units
    assert_eq!(sz["research_space_delivered_m2"].as_f64(), Some(0.0));
}

#[test]
fn status_years_and_the_ledger_date_the_deliveries() {
    // 2020: A01 still under construction (completed 2022), A02 converted that year, A04
    // planned, A05 absent; H01 planned (ledger 2019), H02 under construction (completed
    // 2025), H03 absent (its ledger starts in 2022).
    let s = inventory_stats("2020");
    let sz = park(&s, "SZ");
    assert_eq!(sz["buildings"], 4);
    assert_eq!(by(sz, "gfa_by_status", "under_construction"), 20_000.0);
    assert_eq!(by(sz, "gfa_by_status", "planned"), 12_000.0);
    assert_eq!(sz["progress"]["delivered_m2"].as_f64(), Some(15_000.0));
    let hk = park(&s, "HK");
    assert_eq!(hk["buildings"], 2);
    assert_eq!(by(hk, "gfa_by_status", "planned"), 30_000.0);
    assert_eq!(by(hk, "gfa_by_status", "under_construction"), 25_000.0);
    assert_eq!(hk["progress"]["delivered_m2"].as_f64(), Some(0.0));
    // 2027: the ledger completes H03, whose status field still says 在建 (the ledger wins)
    let s = inventory_stats("2027");
    assert_eq!(
        park(&s, "HK")["progress"]["delivered_m2"].as_f64(),
        Some(73_000.0)
    );
    assert_eq!(park(&s, "SZ")["buildings"], 5);
}

#[test]
fn the_table_names_the_inventory_not_the_illustrative_data() {
    let (code, out) = run_args(&[
        "stats",
        "--buildings",
        BUILDINGS,
        "--mapping",
        MAPPING,
        "--year",
        "2025",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("supplied inventory"), "{out}");
    assert!(!out.contains("ILLUSTRATIVE"), "{out}");
    assert!(out.contains("55,000"), "{out}");
}

#[test]
fn a_file_in_the_model_vocabulary_needs_no_mapping() {
    // the shipped buildings file is in the model's own names and values: read through the
    // identity mapping it gives the same figures as the embedded data
    let own = stats_json(&["stats", "--year", "2030", "--json"]);
    let via = stats_json(&[
        "stats",
        "--buildings",
        "data/zone/buildings.geojson",
        "--year",
        "2030",
        "--json",
    ]);
    assert_eq!(own, via);
}

#[test]
fn mapping_needs_buildings() {
    let (code, out) = run_args(&["stats", "--mapping", MAPPING]);
    assert_eq!(code, 2);
    assert!(out.contains("--buildings"), "{out}");
}

#[test]
fn an_unmapped_value_names_value_field_and_feature() {
    let s = Scratch::new("unmapped");
    s.edit(
        "buildings_zh.geojson",
        "\"用途\": \"配套\"",
        "\"用途\": \"宿舍\"",
    );
    let e = s.stats_error();
    for want in ["宿舍", "\"用途\"", "A05", "[values.use]", "mapping.toml"] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn without_a_values_table_the_model_values_are_required() {
    let s = Scratch::new("novalues");
    s.edit(
        "mapping.toml",
        "[values.park]\n\"深圳园区\" = \"SZ\"\n\"香港园区\" = \"HK\"\n",
        "",
    );
    let e = s.stats_error();
    assert!(
        e.contains("深圳园区") && e.contains("\"园区\"") && e.contains("SZ, HK"),
        "{e}"
    );
}

#[test]
fn a_missing_field_names_the_field_and_feature() {
    let s = Scratch::new("missing");
    s.edit("buildings_zh.geojson", "\"建筑面积\": 25000, ", "");
    let e = s.stats_error();
    assert!(
        e.contains("\"建筑面积\"") && e.contains("H02") && e.contains("gfa_m2"),
        "{e}"
    );
}

#[test]
fn a_bad_number_names_the_value() {
    let s = Scratch::new("number");
    s.edit(
        "buildings_zh.geojson",
        "\"建筑面积\": 8000",
        "\"建筑面积\": \"约八千\"",
    );
    let e = s.stats_error();
    assert!(
        e.contains("约八千") && e.contains("A03") && e.contains("not a number"),
        "{e}"
    );
}

#[test]
fn a_duplicate_id_names_both_features() {
    let s = Scratch::new("duplicate");
    s.edit(
        "buildings_zh.geojson",
        "\"编号\": \"A02\"",
        "\"编号\": \"A01\"",
    );
    let e = s.stats_error();
    assert!(
        e.contains("duplicate id \"A01\"") && e.contains("feature 1") && e.contains("feature 2"),
        "{e}"
    );
}

#[test]
fn an_empty_id_is_refused() {
    let s = Scratch::new("emptyid");
    s.edit(
        "buildings_zh.geojson",
        "\"编号\": \"A03\"",
        "\"编号\": \" \"",
    );
    let e = s.stats_error();
    assert!(
        e.contains("feature 3") && e.contains("\"编号\" is empty"),
        "{e}"
    );
}

#[test]
fn an_empty_key_in_a_ledger_row_names_the_row() {
    let s = Scratch::new("ledgerkey");
    s.edit(
        "ledger.geojson",
        "\"编号\": \"H03\", \"年份\": 2023",
        "\"编号\": \"\", \"年份\": 2023",
    );
    let e = s.stats_error();
    assert!(
        e.contains("ledger")
            && e.contains("row 5")
            && e.contains("empty key")
            && e.contains("编号"),
        "{e}"
    );
}

#[test]
fn ledger_rows_with_unknown_values_ids_or_years_name_the_row() {
    let cases = [
        (
            "\"年份\": 2027, \"状态\": \"已建成\"",
            "\"年份\": 2027, \"状态\": \"竣工\"",
            &["row 6", "竣工", "[values.status]"][..],
        ),
        (
            "\"编号\": \"H01\", \"年份\": 2019",
            "\"编号\": \"Z99\", \"年份\": 2019",
            &["row 1", "Z99", "not a building"][..],
        ),
        (
            "\"年份\": 2021,",
            "\"年份\": \"明年\",",
            &["row 2", "明年", "not a year"][..],
        ),
        (
            "\"编号\": \"H01\", \"年份\": 2021",
            "\"编号\": \"H01\", \"年份\": 2019",
            &["row 2", "year 2019", "row 1"][..],
        ),
    ];
    for (from, to, wants) in cases {
        let s = Scratch::new("ledgerrow");
        s.edit("ledger.geojson", from, to);
        let e = s.stats_error();
        for want in wants {
            assert!(e.contains(want), "{to}: {want}: {e}");
        }
    }
}

#[test]
fn a_malformed_mapping_names_its_file_and_line() {
    let s = Scratch::new("badtoml");
    s.edit("mapping.toml", "[values.use]", "[values.use");
    let e = s.stats_error();
    assert!(e.contains("mapping.toml") && e.contains("line "), "{e}");
}

#[test]
fn export_and_scenario_run_on_the_same_inventory() {
    let s = Scratch::new("export");
    let out = s.path("b.geojson");
    let (code, text) = run_args(&[
        "export",
        "--layers",
        "buildings",
        "--buildings",
        BUILDINGS,
        "--mapping",
        MAPPING,
        "--out",
        &out,
    ]);
    assert_eq!(code, 0, "{text}");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("export")).expect("json");
    let feats = v["features"].as_array().expect("features");
    assert_eq!(feats.len(), 8);
    let h01 = feats
        .iter()
        .find(|f| f["properties"]["id"] == "H01")
        .expect("H01");
    assert_eq!(h01["properties"]["use"], "wet_lab");
    assert_eq!(h01["properties"]["gfa_m2"].as_f64(), Some(30_000.0));
    assert_eq!(h01["properties"]["备注"], "手工测试数据");
    assert_eq!(h01["properties"]["history"][2]["status"], "completed");

    let sc = s.path("sc.json");
    std::fs::write(
        &sc,
        r#"{"name":"t","edits":[{"op":"set_status","id":"H03","status":"completed","year":2025}]}"#,
    )
    .expect("scenario");
    let (code, text) = run_args(&[
        "scenario",
        "check",
        "--scenario",
        &sc,
        "--buildings",
        BUILDINGS,
        "--mapping",
        MAPPING,
    ]);
    assert_eq!(code, 0, "{text}");
    // H03 was to complete in 2027 already: by 2035 the HK delivery is unchanged at 73,000
    assert!(
        text.contains("HK delivered by 2035: 73,000 m² -> 73,000 m²"),
        "{text}"
    );
    let (code, text) = run_args(&[
        "stats",
        "--buildings",
        BUILDINGS,
        "--mapping",
        MAPPING,
        "--scenario",
        &sc,
        "--year",
        "2025",
        "--json",
    ]);
    assert_eq!(code, 0, "{text}");
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        park(&v, "HK")["progress"]["delivered_m2"].as_f64(),
        Some(73_000.0)
    );
}
