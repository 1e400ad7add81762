//! Several planners on one shared scenario, against a real PostgreSQL + PostGIS server
//! (tests/db_common): concurrent edits all land with gap-free revisions and equal the same
//! edits applied locally; a stale edit of a changed feature is refused (exit 3) naming the
//! feature and both values, nothing applied; a client killed inside its transaction leaves
//! the database as it was.

mod db_common;

use db_common::{local, server};
use hetao_atlas::core::db::scenario;
use hetao_atlas::core::zone::{Edit, Scenario, embedded_dataset, feature_id};
use std::time::{Duration, Instant};

fn building_ids() -> Vec<String> {
    let ds = embedded_dataset().expect("zone");
    ds.layer("buildings")
        .expect("buildings")
        .features
        .iter()
        .filter_map(feature_id)
        .collect()
}

fn write_scenario(dir: &std::path::Path, file: &str, edits: Vec<Edit>) -> String {
    let sc = Scenario {
        name: "test".into(),
        description: "test edits".into(),
        edits,
    };
    let p = dir.join(file);
    sc.save(&p).expect("save");
    p.to_string_lossy().into_owned()
}

#[test]
fn eight_planners_twenty_edits_each_all_land_without_gaps() {
    let Some(s) = server() else { return };
    let url = s.zone_db("many");
    let ids = building_ids();
    assert!(ids.len() >= 160, "{} buildings", ids.len());
    let dir = tempfile::tempdir().expect("tmp");
    let edit = |k: usize| Edit::SetFloorArea {
        id: ids[k].clone(),
        m2: 10_000.0 + 37.0 * k as f64,
    };
    let mut handles = Vec::new();
    for p in 0..8usize {
        let files: Vec<String> = (0..20)
            .map(|j| {
                let k = p * 20 + j;
                write_scenario(dir.path(), &format!("e{k}.json"), vec![edit(k)])
            })
            .collect();
        let url = url.clone();
        handles.push(std::thread::spawn(move || {
            let s = server().expect("server");
            let mut last = String::new();
            for (j, f) in files.iter().enumerate() {
                let author = format!("planner{p}");
                // half of them edit from this planner's last revision, a stale base by then
                // (others edited other features meanwhile), which is no conflict
                let mut args = vec!["db", "edit", "--db", &url, "--scenario-name", "shared"];
                args.extend(["--edits", f]);
                if j % 2 == 1 {
                    args.extend(["--base-revision", &last]);
                }
                let o = s
                    .hetao(&args)
                    .env("HETAO_AUTHOR", &author)
                    .output()
                    .expect("run");
                let out = String::from_utf8_lossy(&o.stdout);
                assert!(
                    o.status.success(),
                    "{args:?}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                last = out
                    .lines()
                    .last()
                    .and_then(|l| l.strip_prefix("revision "))
                    .expect("revision N")
                    .to_string();
            }
        }));
    }
    for h in handles {
        h.join().expect("planner thread");
    }
    let revision = s.ok(&["db", "revision", "--db", &url, "--scenario-name", "shared"]);
    assert_eq!(revision.trim(), "160");
    let name = url.rsplit('/').next().expect("db name");
    let mut c = s.client(name);
    let revs: Vec<i64> = c
        .query(
            "SELECT revision FROM hetao.edits WHERE scenario = 'shared' ORDER BY revision",
            &[],
        )
        .expect("revisions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(revs, (1..=160).collect::<Vec<i64>>());
    let authors: i64 = c
        .query_one(
            "SELECT count(DISTINCT author) FROM hetao.edits WHERE scenario = 'shared'",
            &[],
        )
        .expect("authors")
        .get(0);
    assert_eq!(authors, 8);
    // the database's scenario equals the 160 edits applied locally
    let all = write_scenario(dir.path(), "all.json", (0..160).map(edit).collect());
    let want = local(&["stats", "--scenario", &all, "--year", "2035", "--json"]);
    let got = s.ok(&[
        "stats",
        "--db",
        &url,
        "--scenario-name",
        "shared",
        "--year",
        "2035",
        "--json",
    ]);
    assert_eq!(got, want);
    let mut mine = embedded_dataset().expect("zone");
    Scenario::load(std::path::Path::new(&all))
        .expect("all")
        .apply(&mut mine)
        .expect("apply");
    let mut db = s.db(name);
    let (theirs, _) = hetao_atlas::core::db::dataset(&mut db, Some("shared")).expect("db dataset");
    let text = |ds: &hetao_atlas::core::model::Dataset| {
        hetao_atlas::core::io::layer_to_geojson(ds.layer("buildings").expect("buildings"))
    };
    assert!(text(&theirs) == text(&mine), "the buildings differ");
}

#[test]
fn a_stale_edit_of_a_changed_feature_is_a_conflict_and_nothing_applies() {
    let Some(s) = server() else { return };
    let url = s.zone_db("conflict");
    let ids = building_ids();
    let dir = tempfile::tempdir().expect("tmp");
    let (x, y) = (ids[3].clone(), ids[4].clone());
    let first = write_scenario(
        dir.path(),
        "first.json",
        vec![Edit::SetFloorArea {
            id: ids[0].clone(),
            m2: 1234.0,
        }],
    );
    let edit = [
        "db",
        "edit",
        "--db",
        &url,
        "--scenario-name",
        "plan",
        "--edits",
    ];
    let mut a = edit.to_vec();
    a.push(&first);
    s.ok(&a);
    // both planners start from revision 1
    let base = s.ok(&["db", "revision", "--db", &url, "--scenario-name", "plan"]);
    assert_eq!(base.trim(), "1");
    let theirs = write_scenario(
        dir.path(),
        "theirs.json",
        vec![Edit::SetStatus {
            id: x.clone(),
            status: "completed".into(),
            year: 2028,
        }],
    );
    let mut b = edit.to_vec();
    b.extend([theirs.as_str(), "--base-revision", "1"]);
    let o = s
        .hetao(&b)
        .env("HETAO_AUTHOR", "ann")
        .output()
        .expect("ann");
    assert!(o.status.success());
    let mine = write_scenario(
        dir.path(),
        "mine.json",
        vec![
            Edit::SetFloorArea {
                id: y.clone(),
                m2: 999.0,
            },
            Edit::SetStatus {
                id: x.clone(),
                status: "converting".into(),
                year: 2030,
            },
        ],
    );
    let mut c = edit.to_vec();
    c.extend([mine.as_str(), "--base-revision", "1"]);
    let o = s.hetao(&c).env("HETAO_AUTHOR", "bo").output().expect("bo");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains(&format!("feature {x:?}")), "{err}");
    assert!(err.contains("revision 2, ann at"), "{err}");
    assert!(err.contains("status completed from 2028"), "theirs: {err}");
    assert!(err.contains("status converting from 2030"), "yours: {err}");
    assert!(err.contains("nothing was applied"), "{err}");
    assert!(
        !err.contains(&format!("feature {y:?}")),
        "y is no conflict: {err}"
    );
    let now = s.ok(&["db", "revision", "--db", &url, "--scenario-name", "plan"]);
    assert_eq!(now.trim(), "2", "nothing applied, not even the edit of {y}");
    // keep mine: apply again on the new revision
    let mut d = edit.to_vec();
    d.extend([mine.as_str(), "--base-revision", "2"]);
    let o = s.hetao(&d).env("HETAO_AUTHOR", "bo").output().expect("bo");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.ends_with("revision 4\n"), "{out}");
    let name = url.rsplit('/').next().expect("db name");
    let mut db = s.db(name);
    let shared = scenario::load(&mut db, "plan").expect("load");
    assert_eq!(shared.revision, 4);
    let who: Vec<&str> = shared.revisions.iter().map(|r| r.author.as_str()).collect();
    assert_eq!(who[1..], ["ann", "bo", "bo"]);
    // the last writer did not silently win: the history keeps both
    assert_eq!(shared.revisions[1].feature, x);
    assert_eq!(shared.revisions[3].feature, x);
}

/// Wait until no session of the tool holds a transaction open on `db`; false on timeout.
fn wait_for_sessions(c: &mut postgres::Client, idle_in_tx: i64, within: Duration) -> bool {
    let t = Instant::now();
    while t.elapsed() < within {
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE application_name = 'hetao' AND datname = current_database()
                   AND state = 'idle in transaction'",
                &[],
            )
            .expect("pg_stat_activity")
            .get(0);
        if n == idle_in_tx {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_client_killed_inside_its_transaction_leaves_the_database_consistent() {
    let Some(s) = server() else { return };
    let url = s.zone_db("killed");
    let name = url.rsplit('/').next().expect("db name").to_string();
    let ids = building_ids();
    let dir = tempfile::tempdir().expect("tmp");
    let one = |k: usize, f: &str| {
        write_scenario(
            dir.path(),
            f,
            vec![Edit::SetFloorArea {
                id: ids[k].clone(),
                m2: 5000.0 + k as f64,
            }],
        )
    };
    let first = one(0, "a.json");
    s.ok(&[
        "db",
        "edit",
        "--db",
        &url,
        "--scenario-name",
        "p",
        "--edits",
        &first,
    ]);
    let mut c = s.client(&name);
    // an edit whose process dies holding the scenario's lock, its rows written
    let doomed = one(1, "b.json");
    let mut child = s
        .hetao(&[
            "db",
            "edit",
            "--db",
            &url,
            "--scenario-name",
            "p",
            "--edits",
            &doomed,
        ])
        .env("HETAO_TEST_HOLD_TX_MS", "60000")
        .spawn()
        .expect("spawn");
    assert!(
        wait_for_sessions(&mut c, 1, Duration::from_secs(20)),
        "the edit never reached its open transaction"
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(wait_for_sessions(&mut c, 0, Duration::from_secs(10)));
    let rev = s.ok(&["db", "revision", "--db", &url, "--scenario-name", "p"]);
    assert_eq!(rev.trim(), "1", "the killed edit rolled back");
    let rows: i64 = c
        .query_one("SELECT count(*) FROM hetao.edits", &[])
        .expect("edits")
        .get(0);
    assert_eq!(rows, 1);
    // the lock is gone and the next edit takes revision 2: no gap
    let next = one(2, "c.json");
    let out = s.ok(&[
        "db",
        "edit",
        "--db",
        &url,
        "--scenario-name",
        "p",
        "--edits",
        &next,
    ]);
    assert!(out.ends_with("revision 2\n"), "{out}");
    // a push killed mid-way leaves the old layers, readable
    let want = local(&["stats", "--json"]);
    let mut child = s
        .hetao(&["db", "push", "--db", &url])
        .env("HETAO_TEST_HOLD_TX_MS", "60000")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    assert!(wait_for_sessions(&mut c, 1, Duration::from_secs(30)));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(wait_for_sessions(&mut c, 0, Duration::from_secs(10)));
    assert_eq!(s.ok(&["stats", "--db", &url, "--json"]), want);
}

#[test]
fn an_edit_reads_only_the_layers_a_scenario_needs() {
    let Some(s) = server() else { return };
    let url = s.zone_db("only");
    let name = url.rsplit('/').next().expect("db name").to_string();
    // another layer on top of the zone, then its table gone behind the catalogue's back:
    // whatever reads every layer fails on it
    let dir = tempfile::tempdir().expect("tmp");
    let extra = dir.path().join("survey_points.geojson");
    std::fs::write(
        &extra,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},
            "geometry":{"type":"Point","coordinates":[114.08,22.52]}}]}"#,
    )
    .expect("write");
    s.ok(&["db", "push", "--db", &url, &extra.to_string_lossy()]);
    s.admin_client(&name)
        .batch_execute(r#"DROP TABLE hetao."layer:survey_points""#)
        .expect("drop");
    let out = dir.path().join("pulled");
    let (code, _, err) = s.run(&["db", "pull", "--db", &url, "--out", &out.to_string_lossy()]);
    assert_ne!(code, 0, "a pull reads every layer");
    assert!(err.contains("survey_points"), "{err}");
    // the edit reads the buildings, research units and park outlines only
    let ids = building_ids();
    let f = write_scenario(
        dir.path(),
        "e.json",
        vec![Edit::SetFloorArea {
            id: ids[0].clone(),
            m2: 4321.0,
        }],
    );
    let printed = s.ok(&[
        "db",
        "edit",
        "--db",
        &url,
        "--scenario-name",
        "only",
        "--edits",
        &f,
    ]);
    assert!(printed.contains("as revision 1"), "{printed}");
    let rev = s.ok(&["db", "revision", "--db", &url, "--scenario-name", "only"]);
    assert_eq!(rev.trim(), "1");
}
