//! `hetao db` against a real PostgreSQL + PostGIS server (tests/db_common): pushed data give
//! exactly what the same data give from files; hostile names are stored literally; an
//! unreachable server, a silent one, a wrong or missing password give clear messages within
//! seconds; no message shows a password; a schema of another version is refused clearly.

mod db_common;

use db_common::{local, server};
use std::time::{Duration, Instant};

#[test]
fn push_then_stats_export_and_query_from_the_database_equal_the_files() {
    let Some(s) = server() else { return };
    let url = s.zone_db("zone");
    for year in ["2025", "2035"] {
        let want = local(&["stats", "--year", year, "--json"]);
        let got = s.ok(&["stats", "--db", &url, "--year", year, "--json"]);
        assert_eq!(got, want, "stats --json --year {year}");
    }
    assert_eq!(s.ok(&["stats", "--db", &url]), local(&["stats"]));
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("db.geojson");
    let b = dir.path().join("files.geojson");
    let (a_s, b_s) = (a.to_string_lossy(), b.to_string_lossy());
    let layers = "buildings,research_units,hk_roads,lok_ma_chau_loop";
    let bbox = "114.0,22.45,114.15,22.6";
    s.ok(&[
        "export", "--db", &url, "--layers", layers, "--bbox", bbox, "--out", &a_s,
    ]);
    local(&["export", "--layers", layers, "--bbox", bbox, "--out", &b_s]);
    let (fa, fb) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    assert!(fa.len() > 100_000, "a real export: {} bytes", fa.len());
    assert!(
        fa == fb,
        "the export from the database differs from the one from files"
    );
    let q = ["query", "--bbox", "114.07,22.51,114.09,22.53", "--json"];
    let mut with_db = q.to_vec();
    with_db.extend(["--db", url.as_str()]);
    assert_eq!(s.ok(&with_db), local(&q));
}

#[test]
fn a_pushed_inventory_with_its_mapping_gives_the_files_figures_and_pulls_back() {
    let Some(s) = server() else { return };
    let name = s.fresh_db("inv");
    let url = s.url(&name);
    s.ok(&["db", "init", "--db", &url]);
    let b = "tests/fixtures/inventory/buildings_zh.geojson";
    let m = "tests/fixtures/inventory/mapping.toml";
    s.ok(&["db", "push", "--db", &url, "--buildings", b, "--mapping", m]);
    let files = ["stats", "--buildings", b, "--mapping", m, "--year", "2025"];
    let want = local(&files);
    assert!(
        want.contains("128,000"),
        "the fixture's hand-computed total: {want}"
    );
    assert_eq!(s.ok(&["stats", "--db", &url, "--year", "2025"]), want);
    let out = tempfile::tempdir().expect("tmp");
    let o = out.path().to_string_lossy().to_string();
    s.ok(&["db", "pull", "--db", &url, "--out", &o]);
    let mapping = std::fs::read_to_string(out.path().join("mapping.toml")).expect("mapping");
    let original = std::fs::read_to_string(db_common::root().join(m)).expect("orig");
    assert_eq!(mapping, original);
    // the pulled buildings drive the same figures as the pushed ones
    let pulled = out.path().join("buildings.geojson");
    let p = pulled.to_string_lossy();
    let again = local(&["stats", "--buildings", &p, "--year", "2025", "--json"]);
    let from_db = s.ok(&["stats", "--db", &url, "--year", "2025", "--json"]);
    assert_eq!(again, from_db);
}

#[test]
fn a_hostile_layer_name_is_stored_literally_and_drops_nothing() {
    let Some(s) = server() else { return };
    let name = s.fresh_db("hostile");
    let url = s.url(&name);
    s.ok(&["db", "init", "--db", &url]);
    let mut c = s.client(&name);
    c.batch_execute("CREATE TABLE public.t (x int); INSERT INTO public.t VALUES (42);")
        .expect("table t");
    let hostile = "x\"; DROP TABLE t; --";
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join(format!("{hostile}.geojson"));
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"p1","properties":{"name":"'; DELETE FROM hetao.layers; --"},"geometry":{"type":"Point","coordinates":[114.08,22.52]}}]}"#,
    )
    .expect("write");
    let out = s.ok(&["db", "push", "--db", &url, &file.to_string_lossy()]);
    assert!(out.contains("1 feature"), "{out}");
    let t: i32 = c
        .query_one("SELECT x FROM public.t", &[])
        .expect("t still there")
        .get(0);
    assert_eq!(t, 42);
    let row = c
        .query_one("SELECT name, tbl, feature_count FROM hetao.layers", &[])
        .expect("catalogue");
    assert_eq!(row.get::<_, String>(0), hostile);
    assert_eq!(row.get::<_, String>(1), format!("layer:{hostile}"));
    assert_eq!(row.get::<_, i64>(2), 1);
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'hetao' AND tablename = $1",
            &[&format!("layer:{hostile}")],
        )
        .expect("pg_tables")
        .get(0);
    assert_eq!(tables, 1);
    // read back through the GiST viewport query, the value intact
    let mut db = s.db(&name);
    let fs = hetao_atlas::core::db::layers::features_in_bbox(
        &mut db,
        hostile,
        [114.0, 22.5, 114.1, 22.6],
        None,
    )
    .expect("viewport");
    assert_eq!(fs.len(), 1);
    assert_eq!(
        fs[0].prop_str("name"),
        Some("'; DELETE FROM hetao.layers; --")
    );
    let pulled = tempfile::tempdir().expect("tmp");
    s.ok(&[
        "db",
        "pull",
        "--db",
        &url,
        "--out",
        &pulled.path().to_string_lossy(),
    ]);
    assert!(pulled.path().join(format!("{hostile}.geojson")).exists());
}

#[test]
fn an_unreachable_or_silent_server_fails_clearly_within_the_timeout() {
    let Some(s) = server() else { return };
    // nothing listens on a port we just bound and released
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("postgres://hetao@127.0.0.1:{port}/hetao");
    let t = Instant::now();
    let (code, _, err) = s.run(&["stats", "--db", &url]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach the database server at"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // a server that accepts the connection and never says a word
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((sock, _)) = l.accept() {
            held.push(sock);
            if held.len() >= 2 {
                break;
            }
        }
        std::thread::sleep(Duration::from_secs(8));
    });
    let url = format!("postgres://hetao@127.0.0.1:{port}/hetao?connect_timeout=2");
    let t = Instant::now();
    let (code, _, err) = s.run(&["db", "revision", "--db", &url, "--scenario-name", "x"]);
    let took = t.elapsed();
    assert_eq!(code, 2);
    assert!(err.contains("did not answer within 2 s"), "{err}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "{took:?}"
    );
    drop(hold);
}

#[test]
fn a_wrong_or_missing_password_is_named_and_never_printed() {
    let Some(s) = server() else { return };
    let name = s.fresh_db("auth");
    let secret = "Wr0ngPassw0rd-do-not-print";
    let url = format!(
        "postgres://{}:{secret}@{}:{}/{name}",
        s.user, s.host, s.port
    );
    let t = Instant::now();
    let (code, out, err) = s.run(&["db", "init", "--db", &url]);
    assert_eq!(code, 2);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(err.contains("refused user \"hetao\""), "{err}");
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(err.contains(":***@"), "the URL is shown redacted: {err}");
    assert!(!err.contains(secret) && !out.contains(secret), "{err}{out}");
    // no password anywhere: the message says where to put one
    let mut c = s.hetao(&["db", "init", "--db", &s.url(&name)]);
    c.env("PGPASSFILE", "/nonexistent/pgpass");
    let o = c.output().expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("wants a password for user \"hetao\""), "{err}");
    assert!(err.contains("/nonexistent/pgpass"), "{err}");
    // a password file others can read is not used (as libpq does), and the message says so
    let dir = tempfile::tempdir().expect("tmp");
    let loose = dir.path().join("pgpass");
    std::fs::copy(&s.pgpass, &loose).expect("copy");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let mut c = s.hetao(&["db", "init", "--db", &s.url(&name)]);
    c.env("PGPASSFILE", &loose);
    let o = c.output().expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("readable by others; chmod 600"), "{err}");
    assert!(!err.contains(&s.password), "{err}");
}

#[test]
fn a_schema_of_another_version_is_refused_with_what_to_run() {
    let Some(s) = server() else { return };
    let name = s.fresh_db("schema");
    let url = s.url(&name);
    let (code, _, err) = s.run(&["stats", "--db", &url]);
    assert_eq!(code, 2);
    assert!(
        err.contains("has no hetao schema yet: run `hetao db init"),
        "{err}"
    );
    let (code, _, err) = s.run(&["db", "migrate", "--db", &url]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("hetao db init"), "{err}");
    assert!(
        s.ok(&["db", "init", "--db", &url])
            .contains("created the hetao schema, version 1")
    );
    assert!(
        s.ok(&["db", "init", "--db", &url])
            .contains("is current (version 1)")
    );
    let mut c = s.client(&name);
    c.batch_execute("INSERT INTO hetao.schema_version (version, tool) VALUES (99, 'future')")
        .expect("future version");
    for args in [
        vec!["stats", "--db", url.as_str()],
        vec!["db", "init", "--db", url.as_str()],
        vec!["db", "migrate", "--db", url.as_str()],
    ] {
        let (code, _, err) = s.run(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("schema version 99, newer than this hetao's 1: upgrade hetao"),
            "{args:?}: {err}"
        );
    }
    // and a database with the schema but no layers says what to push
    c.batch_execute("DELETE FROM hetao.schema_version WHERE version = 99")
        .expect("back");
    let (code, _, err) = s.run(&["stats", "--db", &url]);
    assert_eq!(code, 2);
    assert!(err.contains("holds no layers: run `hetao db push"), "{err}");
}

#[test]
fn a_snapshot_from_the_database_is_the_same_image_as_from_files() {
    let Some(s) = server() else { return };
    let url = s.zone_db("snap");
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("db.png"), dir.path().join("files.png"));
    let local = std::process::Command::new(db_common::bin())
        .args(["snapshot", "--year", "2030", "--out"])
        .arg(&b)
        .current_dir(db_common::root())
        .output()
        .expect("run");
    if !local.status.success() {
        // no GPU adapter (not even lavapipe): tests/render.rs fails on that under
        // HETAO_REQUIRE_GPU; here there is nothing to compare
        assert!(
            std::env::var_os("HETAO_REQUIRE_GPU").is_none(),
            "{}",
            String::from_utf8_lossy(&local.stderr)
        );
        return;
    }
    let a_s = a.to_string_lossy();
    s.ok(&["snapshot", "--db", &url, "--year", "2030", "--out", &a_s]);
    let (fa, fb) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    assert!(
        fa == fb,
        "the snapshot from the database differs from the one from files"
    );
}

#[test]
fn sslmode_in_the_url_is_honoured() {
    let Some(s) = server() else { return };
    let Some(cert) = s.cert.clone() else {
        eprintln!("skipping: this server offers no TLS certificate");
        return;
    };
    let name = s.fresh_db("tls");
    let ssl_of = |mode: &str| -> bool {
        let url = format!("{}?sslmode={mode}", s.url_with_password(&name));
        let mut db = hetao_atlas::core::db::Db::open(&url).expect(mode);
        db.client()
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .expect("pg_stat_ssl")
            .get(0)
    };
    assert!(ssl_of("require"), "require: TLS");
    assert!(ssl_of("prefer"), "prefer: TLS when offered");
    assert!(!ssl_of("disable"), "disable: no TLS");
    let home = tempfile::tempdir().expect("home without ~/.postgresql/root.crt");
    let run = |query: &str| {
        let url = format!("{}?{query}", s.url(&name));
        let o = s
            .hetao(&["db", "init", "--db", &url])
            .env("HOME", home.path())
            .output()
            .expect("run");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    // the self-signed certificate is not trusted: verify-ca and verify-full refuse it
    for mode in ["verify-ca", "verify-full"] {
        let (code, err) = run(&format!("sslmode={mode}"));
        assert_eq!(code, Some(2), "{mode}: {err}");
        assert!(err.contains("TLS with"), "{mode}: {err}");
        assert!(err.contains("certificate verify failed"), "{mode}: {err}");
    }
    // trusted through sslrootcert, both connect (127.0.0.1 is in its subjectAltName)
    let root = cert.to_string_lossy();
    for mode in ["verify-ca", "verify-full"] {
        let (code, err) = run(&format!("sslmode={mode}&sslrootcert={root}"));
        assert_eq!(code, Some(0), "{mode}: {err}");
    }
}

#[test]
fn a_viewport_query_gives_exactly_the_local_features_in_the_box() {
    use hetao_atlas::core::io::features_to_geojson;
    use hetao_atlas::core::model::Feature;
    let Some(s) = server() else { return };
    let url = s.zone_db("viewport");
    let name = url.rsplit('/').next().expect("db name").to_string();
    let mut db = s.db(&name);
    let ds = hetao_atlas::core::zone::embedded_dataset().expect("zone");
    let bbox = [114.07, 22.51, 114.09, 22.53];
    let meets = |f: &&Feature| {
        let r = f
            .geometry
            .as_ref()
            .and_then(geo::BoundingRect::bounding_rect);
        r.is_some_and(|r| {
            r.min().x <= bbox[2]
                && r.max().x >= bbox[0]
                && r.min().y <= bbox[3]
                && r.max().y >= bbox[1]
        })
    };
    let text = |fs: &mut dyn Iterator<Item = &Feature>| {
        let v: Vec<&Feature> = fs.collect();
        let pos: Vec<_> = v.iter().map(|f| (f.pos.line, f.pos.column)).collect();
        let json = features_to_geojson(&Default::default(), None, v, Default::default());
        (json, pos)
    };
    for layer in ["buildings", "research_units", "hk_roads", "hk_districts"] {
        let local = ds.layer(layer).expect("layer");
        let want: Vec<&Feature> = local.features.iter().filter(meets).collect();
        assert!(!want.is_empty(), "{layer}: nothing in the box");
        let got = hetao_atlas::core::db::layers::features_in_bbox(&mut db, layer, bbox, None)
            .expect("viewport");
        assert_eq!(
            text(&mut got.iter()),
            text(&mut want.iter().copied()),
            "{layer}: the viewport differs from the local features in the box"
        );
        // with a limit: the first ones in layer order
        let k = want.len().min(3);
        let got =
            hetao_atlas::core::db::layers::features_in_bbox(&mut db, layer, bbox, Some(k as i64))
                .expect("viewport");
        assert_eq!(
            text(&mut got.iter()),
            text(&mut want[..k].iter().copied()),
            "{layer}: limited"
        );
    }
}

#[test]
fn the_database_and_files_are_one_or_the_other_never_both() {
    // refused before any connection: no server needed
    let url = "postgres://nobody@127.0.0.1:1/none";
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("a.geojson");
    std::fs::write(&file, r#"{"type":"FeatureCollection","features":[]}"#).expect("write");
    let f = file.to_string_lossy().into_owned();
    let png = dir.path().join("a.png").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(db_common::bin())
            .args(args)
            .current_dir(db_common::root())
            .output()
            .expect("run");
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(!png_exists(&png), "{args:?} drew something");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = run(&["snapshot", "--db", url, "--data", &f, "--out", &png]);
    assert!(
        err.contains("--db") && err.contains("does not go with --data"),
        "{err}"
    );
    assert!(
        !err.contains("did not answer") && !err.contains("refused"),
        "it connected: {err}"
    );
    let err = run(&["snapshot", "--buildings", &f, "--data", &f, "--out", &png]);
    assert!(
        err.contains("--buildings") && err.contains("does not go with --data"),
        "{err}"
    );
    let out = dir.path().join("o.geojson").to_string_lossy().into_owned();
    let err = run(&["export", "--db", url, &f, "--out", &out]);
    assert!(err.contains("do not go with FILE arguments"), "{err}");
    let err = run(&["query", "--db", url, &f, "--bbox", "114,22.5,114.1,22.6"]);
    assert!(err.contains("do not go with FILE arguments"), "{err}");
}

fn png_exists(p: &str) -> bool {
    std::path::Path::new(p).exists()
}
