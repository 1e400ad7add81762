//! The app as a database client (File › Database, `app::state::db`), against a real server
//! (tests/db_common), without a window: the app pulls the shared scenario, sends its edits as
//! revisions, shows a colleague's edit (made by another process) with who made it, goes
//! offline when the server cannot be reached (a TCP proxy the test cuts), keeps editing the
//! last pulled copy, and on reconnecting sends what it queued or, where a colleague changed
//! the same feature meanwhile, raises a conflict resolved by keep theirs or keep mine.

mod db_common;

use db_common::server;
use hetao_atlas::app::state::HetaoApp;
use hetao_atlas::app::state::db::{DbDialog, LinkState};
use hetao_atlas::core::zone::{Edit, Scenario, embedded_dataset, feature_id};
use hetao_atlas::render::StyleSet;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A TCP proxy to the server that the test can cut (every connection closed, new ones
/// dropped) and restore.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: u16) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (u, lv) = (up.clone(), live.clone());
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                if !u.load(Ordering::SeqCst) {
                    drop(c);
                    continue;
                }
                let Ok(s) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let pipe = |mut a: TcpStream, mut b: TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut a, &mut b);
                        let _ = b.shutdown(std::net::Shutdown::Both);
                    });
                };
                if let (Ok(c2), Ok(s2)) = (c.try_clone(), s.try_clone()) {
                    if let Ok(mut g) = lv.lock() {
                        g.push(c.try_clone().expect("clone"));
                    }
                    pipe(c, s2);
                    pipe(s, c2);
                }
            }
        });
        Proxy { port, up, live }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut g) = self.live.lock() {
            for s in g.drain(..) {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn tick_until(app: &mut HetaoApp, what: &str, within: Duration, ok: impl Fn(&HetaoApp) -> bool) {
    let t = Instant::now();
    while t.elapsed() < within {
        app.db_tick(|| {});
        if ok(app) {
            return;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    let state = app.db.as_ref().map(|l| (l.state.clone(), l.recent.clone()));
    panic!("{what}: not within {within:?} ({state:?})");
}

fn gfa(app: &HetaoApp, id: &str) -> Option<f64> {
    app.doc
        .current()
        .layer("buildings")?
        .features
        .iter()
        .find(|f| feature_id(f).as_deref() == Some(id))?
        .prop_f64("gfa_m2")
}

fn state(app: &HetaoApp) -> Option<LinkState> {
    app.db.as_ref().map(|l| l.state.clone())
}

fn revision(app: &HetaoApp) -> i64 {
    app.db.as_ref().map_or(-1, |l| l.revision)
}

#[test]
fn the_app_shares_edits_sees_colleagues_goes_offline_and_resolves_conflicts() {
    let Some(s) = server() else { return };
    let url = s.zone_db("app");
    let name = url.rsplit('/').next().expect("db name").to_string();
    let ids: Vec<String> = embedded_dataset()
        .expect("zone")
        .layer("buildings")
        .expect("buildings")
        .features
        .iter()
        .filter_map(feature_id)
        .collect();
    let proxy = Proxy::start(s.port);
    let via_proxy = format!("postgres://{}@127.0.0.1:{}/{name}", s.user, proxy.port);
    let mut app = HetaoApp::with_data(
        embedded_dataset().expect("zone"),
        StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles"),
    );
    app.autosave = false;
    app.db_connect(
        &DbDialog {
            url: via_proxy,
            password: s.password.clone(),
            scenario: "shared".into(),
            error: None,
        },
        || {},
    );
    let long = Duration::from_secs(20);
    tick_until(&mut app, "online", long, |a| {
        state(a) == Some(LinkState::Online)
    });
    // my edit becomes revision 1
    app.doc
        .apply(Edit::SetFloorArea {
            id: ids[0].clone(),
            m2: 1111.0,
        })
        .expect("edit");
    tick_until(&mut app, "sent", long, |a| {
        revision(a) == 1 && a.db.as_ref().is_some_and(|l| l.unsent(&a.doc) == 0)
    });
    assert_eq!(
        s.ok(&["db", "revision", "--db", &url, "--scenario-name", "shared"])
            .trim(),
        "1"
    );
    // a colleague's edit shows within seconds, marked with who made it
    let dir = tempfile::tempdir().expect("tmp");
    let file = |n: &str, edits: Vec<Edit>| {
        let p = dir.path().join(n);
        Scenario {
            edits,
            ..Scenario::default()
        }
        .save(&p)
        .expect("save");
        p.to_string_lossy().into_owned()
    };
    let colleague = |f: &str| {
        let o = s
            .hetao(&[
                "db",
                "edit",
                "--db",
                &url,
                "--scenario-name",
                "shared",
                "--edits",
                f,
            ])
            .env("HETAO_AUTHOR", "ann@pc-12")
            .output()
            .expect("ann");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    colleague(&file(
        "ann1.json",
        vec![Edit::SetFloorArea {
            id: ids[1].clone(),
            m2: 2222.0,
        }],
    ));
    let t = Instant::now();
    tick_until(&mut app, "colleague's edit", Duration::from_secs(5), |a| {
        gfa(a, &ids[1]) == Some(2222.0)
    });
    assert!(t.elapsed() < Duration::from_secs(5));
    let link = app.db.as_ref().expect("link");
    assert_eq!(link.edited_by(&ids[1]), Some(&("ann@pc-12".to_string(), 2)));
    // offline within 5 s; editing goes on on the last pulled copy
    proxy.cut();
    let t = Instant::now();
    tick_until(&mut app, "offline", Duration::from_secs(5), |a| {
        matches!(state(a), Some(LinkState::Offline(_)))
    });
    assert!(t.elapsed() <= Duration::from_secs(5), "{:?}", t.elapsed());
    let (x, y, z) = (ids[2].clone(), ids[3].clone(), ids[4].clone());
    for (id, m2) in [(&x, 3000.0), (&y, 4000.0), (&z, 5000.0)] {
        app.doc
            .apply(Edit::SetFloorArea { id: id.clone(), m2 })
            .expect("offline edit");
    }
    app.db_tick(|| {});
    assert_eq!(gfa(&app, &z), Some(5000.0));
    // meanwhile a colleague changes x and y too
    colleague(&file(
        "ann2.json",
        vec![
            Edit::SetFloorArea {
                id: x.clone(),
                m2: 3333.0,
            },
            Edit::SetFloorArea {
                id: y.clone(),
                m2: 4444.0,
            },
        ],
    ));
    proxy.restore();
    tick_until(&mut app, "back with two conflicts", long, |a| {
        state(a) == Some(LinkState::Online) && a.db.as_ref().is_some_and(|l| l.conflicts.len() == 2)
    });
    {
        let link = app.db.as_ref().expect("link");
        assert_eq!(link.conflicts[0].feature, x);
        assert_eq!(link.conflicts[0].author, "ann@pc-12");
        assert_eq!(link.conflicts[0].theirs, "floor area 3333 m²");
        assert_eq!(
            link.unsent(&app.doc),
            3,
            "nothing sent while conflicts wait"
        );
    }
    app.db_resolve(false); // x: keep theirs
    app.db_resolve(true); // y: keep mine
    tick_until(&mut app, "the rest sent", long, |a| {
        a.db.as_ref().is_some_and(|l| l.unsent(&a.doc) == 0) && revision(a) == 6
    });
    assert_eq!(gfa(&app, &x), Some(3333.0), "theirs kept");
    assert_eq!(gfa(&app, &y), Some(4000.0), "mine kept, on top of theirs");
    assert_eq!(
        gfa(&app, &z),
        Some(5000.0),
        "the offline edit without conflict landed"
    );
    // the database holds exactly what the app shows
    let mut db = s.db(&name);
    let (shared, _) = hetao_atlas::core::db::dataset(&mut db, Some("shared")).expect("db");
    let text = |ds: &hetao_atlas::core::model::Dataset| {
        hetao_atlas::core::io::layer_to_geojson(ds.layer("buildings").expect("b"))
    };
    assert!(
        text(&shared) == text(app.doc.current()),
        "app and database differ"
    );
}
