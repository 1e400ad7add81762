//! Database layers too big to pull whole, loaded by viewport (File › Database).
//!
//! A layer of the database with more than [`big_layer`] features (from the catalogue,
//! `core::db::layers::list`) is left out of the pull; it becomes a user layer that holds only
//! what is in the view plus a [`MARGIN`], at most [`cap`] features. As the planner pans and
//! zooms, [`HetaoApp::dbview_tick`] asks a worker thread (its own connection) for the region
//! the view needs whenever the region last asked for no longer serves it ([`ViewLayer::wants`]);
//! the worker waits until the view has been still for [`DEBOUNCE`], keeps only the newest
//! request per layer ([`Debounce`]: a stale one is cancelled, a stale result is dropped before
//! it is prepared and again when it arrives), queries through the GiST index
//! (`core::db::layers::features_in_bbox`), tessellates and indexes the result
//! (`app::prepare::prepare_layer`) and sends it back; the UI swaps it in as that layer, so the
//! old features go and memory stays bounded wherever the planner pans. The layers panel says
//! what is shown ([`ViewLayer::note`]). The password stays in the worker's memory.

use crate::app::prepare::{PreparedLayer, prepare_layer};
use crate::app::state::HetaoApp;
use crate::core::db::layers::{LayerInfo, features_in_bbox};
use crate::core::db::{Db, DbUrl};
use crate::core::format::group_digits;
use crate::core::model::Layer;
use crate::render::StyleSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

/// A database layer with more features than this is loaded by viewport.
pub const BIG_LAYER: i64 = 100_000;
/// Most features one viewport load brings.
pub const CAP: usize = 50_000;
/// How long the view must be still before a load starts.
pub const DEBOUNCE: Duration = Duration::from_millis(250);
/// How long after a failed load it is asked again (the view not moving).
pub const RETRY: Duration = Duration::from_secs(3);
/// The margin loaded around the view, as a fraction of its width and height on each side.
pub const MARGIN: f64 = 0.25;

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The feature count above which a layer is loaded by viewport: [`BIG_LAYER`], or
/// `HETAO_DB_VIEWPORT_MIN`.
pub fn big_layer() -> i64 {
    env_number("HETAO_DB_VIEWPORT_MIN").unwrap_or(BIG_LAYER)
}

/// Most features a viewport load brings: [`CAP`], or `HETAO_DB_VIEWPORT_CAP` (at least 1).
pub fn cap() -> usize {
    env_number("HETAO_DB_VIEWPORT_CAP").unwrap_or(CAP).max(1)
}

/// `b` grown by `f` of its width and height on each side.
fn grow(b: [f64; 4], f: f64) -> [f64; 4] {
    let (dx, dy) = ((b[2] - b[0]) * f, (b[3] - b[1]) * f);
    [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

fn contains(outer: [f64; 4], inner: [f64; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

fn area(b: [f64; 4]) -> f64 {
    (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0)
}

/// One layer loaded by viewport, as the UI keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewLayer {
    /// Its name in the database.
    pub db_name: String,
    /// Its name in the layer stack (the same unless that was taken).
    pub name: String,
    /// Features in the database.
    pub total: i64,
    /// Features shown.
    pub shown: usize,
    /// The last load stopped at the cap: the region holds more.
    pub capped: bool,
    /// The region (W, S, E, N) the shown features were loaded for.
    pub loaded: Option<[f64; 4]>,
    /// The newest request: its number and region.
    pub asked: Option<(u64, [f64; 4])>,
    /// Why the last load failed.
    pub error: Option<String>,
    /// When it failed (it is asked again after [`RETRY`]).
    failed_at: Option<Instant>,
}

impl ViewLayer {
    /// A layer of the catalogue, nothing loaded yet, shown as `name`.
    pub fn new(info: &LayerInfo, name: &str) -> Self {
        Self {
            db_name: info.name.clone(),
            name: name.to_string(),
            total: info.features,
            shown: 0,
            capped: false,
            loaded: None,
            asked: None,
            error: None,
            failed_at: None,
        }
    }

    /// The region to load for the view `view` (W, S, E, N), when the one asked for last does
    /// not serve it: the view is not inside it, or the last load was capped and the view is
    /// less than half of it (zoomed in: a closer look can show everything).
    pub fn wants(&self, view: [f64; 4]) -> Option<[f64; 4]> {
        if !view.iter().all(|v| v.is_finite()) || area(view) <= 0.0 {
            return None;
        }
        let want = grow(view, MARGIN);
        let Some((_, asked)) = self.asked else {
            return Some(want);
        };
        if !contains(asked, view) {
            return Some(want);
        }
        // the answer to the newest request is in: refine a capped one when zoomed in
        let answered = self.loaded == Some(asked) && self.error.is_none();
        if answered && self.capped && area(want) < 0.5 * area(asked) {
            return Some(want);
        }
        None
    }

    /// What the layers panel says: "showing 8,412 of 1,000,000 in view" or, capped, "...
    /// — zoom in for more".
    pub fn note(&self) -> String {
        if let Some(e) = &self.error {
            return format!("cannot load the view: {e}");
        }
        let total = group_digits(self.total as f64);
        match (self.loaded, self.capped) {
            (None, _) => format!("{total} features in the database: loading the view…"),
            (Some(_), false) => format!(
                "showing {} of {total} in view (loaded by viewport)",
                group_digits(self.shown as f64)
            ),
            (Some(_), true) => format!(
                "showing {} of {total} in view — zoom in for more",
                group_digits(self.shown as f64)
            ),
        }
    }
}

/// A load the UI asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Its number (newer is larger).
    pub seq: u64,
    /// The layer's name in the database.
    pub db_name: String,
    /// Its name in the stack (the prepared layer's name).
    pub name: String,
    /// The region (W, S, E, N).
    pub bbox: [f64; 4],
    /// Most features.
    pub cap: usize,
    /// The timeline year the mesh is prepared for.
    pub year: i32,
}

/// The worker's queue of requests: a request is due once [`DEBOUNCE`] has passed since it
/// came without a newer one for the same layer; a newer one replaces (cancels) it.
#[derive(Debug)]
pub struct Debounce {
    delay: Duration,
    pending: Vec<(Request, Instant)>,
}

impl Debounce {
    /// A queue with this quiet time.
    pub fn new(delay: Duration) -> Self {
        Self {
            delay,
            pending: Vec::new(),
        }
    }

    /// A request came at `now`: it replaces any waiting one for its layer.
    pub fn push(&mut self, r: Request, now: Instant) {
        self.pending.retain(|(p, _)| p.db_name != r.db_name);
        self.pending.push((r, now));
    }

    /// The oldest request that is due at `now`, taken off the queue.
    pub fn due(&mut self, now: Instant) -> Option<Request> {
        let i = self
            .pending
            .iter()
            .position(|(_, t)| now.saturating_duration_since(*t) >= self.delay)?;
        Some(self.pending.remove(i).0)
    }

    /// How long until the next request is due (none waiting: `None`).
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.pending
            .iter()
            .map(|(_, t)| (*t + self.delay).saturating_duration_since(now))
            .min()
    }

    /// A newer request for `r`'s layer is waiting: `r`'s result would be stale.
    pub fn superseded(&self, r: &Request) -> bool {
        self.pending
            .iter()
            .any(|(p, _)| p.db_name == r.db_name && p.seq > r.seq)
    }

    /// Requests waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// What the worker sends back.
pub enum Reply {
    /// The features of request `seq`, prepared.
    Loaded {
        /// The request.
        seq: u64,
        /// The layer's name in the database.
        db_name: String,
        /// The region.
        bbox: [f64; 4],
        /// The region holds more than the cap.
        capped: bool,
        /// The layer, meshed and indexed.
        prepared: Box<PreparedLayer>,
    },
    /// Request `seq` failed.
    Failed {
        /// The request.
        seq: u64,
        /// The layer's name in the database.
        db_name: String,
        /// Why.
        why: String,
    },
}

enum Cmd {
    Load(Request),
    Stop,
}

/// The UI's end of the viewport worker.
pub struct ViewHandle {
    tx: Sender<Cmd>,
    rx: Receiver<Reply>,
}

impl Drop for ViewHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Cmd::Stop);
    }
}

/// The layers loaded by viewport of one connection, and their worker.
pub struct DbView {
    /// The layers, in the order of the catalogue.
    pub layers: Vec<ViewLayer>,
    seq: u64,
    handle: ViewHandle,
}

/// Start the viewport worker for `url` (it connects on its first request).
pub fn spawn(
    url: DbUrl,
    password: Option<String>,
    styles: StyleSet,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<DbView> {
    let (tx, cmds) = channel();
    let (out, rx) = channel();
    std::thread::Builder::new()
        .name("hetao-db-view".into())
        .spawn(move || {
            let send = |r: Reply| {
                let _ = out.send(r);
                wake();
            };
            run(&url, password.as_deref(), &styles, &cmds, &send);
        })?;
    Ok(DbView {
        layers: Vec::new(),
        seq: 0,
        handle: ViewHandle { tx, rx },
    })
}

/// Take every waiting command into the queue; false when the UI asked to stop or is gone.
fn drain(cmds: &Receiver<Cmd>, q: &mut Debounce) -> bool {
    loop {
        match cmds.try_recv() {
            Ok(Cmd::Load(r)) => q.push(r, Instant::now()),
            Ok(Cmd::Stop) | Err(TryRecvError::Disconnected) => return false,
            Err(TryRecvError::Empty) => return true,
        }
    }
}

fn run(
    url: &DbUrl,
    password: Option<&str>,
    styles: &StyleSet,
    cmds: &Receiver<Cmd>,
    out: &dyn Fn(Reply),
) {
    let mut db: Option<Db> = None;
    let mut q = Debounce::new(DEBOUNCE);
    loop {
        let wait = q.wait(Instant::now()).unwrap_or(Duration::from_secs(3600));
        match cmds.recv_timeout(wait) {
            Ok(Cmd::Load(r)) => q.push(r, Instant::now()),
            Ok(Cmd::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if !drain(cmds, &mut q) {
            return;
        }
        while let Some(r) = q.due(Instant::now()) {
            let fail = |why: String| Reply::Failed {
                seq: r.seq,
                db_name: r.db_name.clone(),
                why,
            };
            if db.is_none() {
                let give = |_: &str| password.map(str::to_string);
                match Db::connect(url, Some(&give)) {
                    Ok(d) => db = Some(d),
                    Err(e) => {
                        out(fail(e.to_string()));
                        continue;
                    }
                }
            }
            let Some(conn) = db.as_mut() else { continue };
            let limit = i64::try_from(r.cap).unwrap_or(i64::MAX).saturating_add(1);
            let mut features = match features_in_bbox(conn, &r.db_name, r.bbox, Some(limit)) {
                Ok(f) => f,
                Err(e) => {
                    if e.is_offline() {
                        db = None;
                    }
                    out(fail(e.to_string()));
                    continue;
                }
            };
            // the planner moved on meanwhile: this answer would be stale
            if !drain(cmds, &mut q) {
                return;
            }
            if q.superseded(&r) {
                continue;
            }
            let capped = features.len() > r.cap;
            features.truncate(r.cap);
            let layer = Layer {
                name: r.name.clone(),
                features,
                ..Layer::default()
            };
            let prepared = prepare_layer(layer, styles, r.year, crate::app::state::map_origin());
            if !drain(cmds, &mut q) {
                return;
            }
            if q.superseded(&r) {
                continue;
            }
            out(Reply::Loaded {
                seq: r.seq,
                db_name: r.db_name.clone(),
                bbox: r.bbox,
                capped,
                prepared: Box::new(prepared),
            });
        }
    }
}

impl HetaoApp {
    /// The lon/lat box (W, S, E, N) the map shows.
    pub fn view_bbox(&self) -> [f64; 4] {
        let (w, h) = self.map_size;
        let c = self.view.camera(w, h, 1.0);
        let (w0, n0) = c.pixel_to_lonlat(0.0, 0.0);
        let (e0, s0) = c.pixel_to_lonlat(w.max(1.0), h.max(1.0));
        [w0, s0, e0, n0]
    }

    /// Put `layer` on the stack as a user layer, in place of a user layer of the same name
    /// from an earlier pull (without flying to it).
    pub(crate) fn replace_user_layer(&mut self, layer: Layer) {
        if let Some(i) = self
            .layers
            .iter()
            .position(|e| e.user && e.name == layer.name)
        {
            self.remove_layer(i);
        }
        self.add_user_layer_with_bbox(layer, None);
    }

    /// Put the database's big layers (`big`, from the catalogue) on the stack as empty
    /// user layers that [`HetaoApp::dbview_tick`] fills by viewport.
    pub(crate) fn dbview_add(&mut self, big: &[LayerInfo]) {
        let Some(view) = self.db.as_mut().and_then(|l| l.view.as_mut()) else {
            return;
        };
        let mut added = Vec::new();
        for info in big {
            if view.layers.iter().any(|v| v.db_name == info.name) {
                continue;
            }
            added.push(info.clone());
        }
        for info in added {
            let layer = Layer {
                name: info.name.clone(),
                attribution: info.attribution.clone(),
                illustrative: info.illustrative,
                ..Layer::default()
            };
            self.replace_user_layer(layer);
            let name = self
                .layers
                .last()
                .map_or(info.name.clone(), |e| e.name.clone());
            if let Some(v) = self.db.as_mut().and_then(|l| l.view.as_mut()) {
                v.layers.push(ViewLayer::new(&info, &name));
            }
        }
    }

    /// The layers-panel line for the stack layer `name`, when it is loaded by viewport.
    pub fn dbview_note(&self, name: &str) -> Option<String> {
        let v = self.db.as_ref()?.view.as_ref()?;
        v.layers
            .iter()
            .find(|l| l.name == name)
            .map(ViewLayer::note)
    }

    /// Take finished loads (swapping them in) and ask for the regions the view now needs;
    /// call every frame (from [`HetaoApp::db_tick`]).
    pub fn dbview_tick(&mut self) {
        let bbox = self.view_bbox();
        let year = self.year;
        let Some(v) = self.db.as_mut().and_then(|l| l.view.as_mut()) else {
            return;
        };
        // a layer the planner removed from the stack is not loaded any more
        let user_layers = &self.user_layers;
        v.layers
            .retain(|l| user_layers.iter().any(|u| u.name == l.name));
        let replies: Vec<Reply> = v.handle.rx.try_iter().collect();
        let mut swaps = Vec::new();
        for r in replies {
            match r {
                Reply::Loaded {
                    seq,
                    db_name,
                    bbox,
                    capped,
                    prepared,
                } => {
                    let Some(l) = v.layers.iter_mut().find(|l| l.db_name == db_name) else {
                        continue;
                    };
                    // only the answer to the newest request is shown
                    if l.asked.map(|a| a.0) != Some(seq) {
                        continue;
                    }
                    l.shown = prepared.layer.features.len();
                    l.capped = capped;
                    l.loaded = Some(bbox);
                    l.error = None;
                    swaps.push((l.name.clone(), prepared));
                }
                Reply::Failed { seq, db_name, why } => {
                    if let Some(l) = v.layers.iter_mut().find(|l| l.db_name == db_name)
                        && l.asked.map(|a| a.0) == Some(seq)
                    {
                        // asked again when the view leaves the region, or after RETRY
                        l.error = Some(why);
                        l.failed_at = Some(Instant::now());
                    }
                }
            }
        }
        let cap = cap();
        for l in &mut v.layers {
            if l.failed_at.is_some_and(|t| t.elapsed() >= RETRY) {
                l.failed_at = None;
                l.asked = None;
            }
            let Some(region) = l.wants(bbox) else {
                continue;
            };
            v.seq += 1;
            let req = Request {
                seq: v.seq,
                db_name: l.db_name.clone(),
                name: l.name.clone(),
                bbox: region,
                cap,
                year,
            };
            if v.handle.tx.send(Cmd::Load(req)).is_ok() {
                l.asked = Some((v.seq, region));
            }
        }
        for (name, p) in swaps {
            self.dbview_swap(&name, *p);
        }
    }

    /// Replace the features of the stack layer `name` with a prepared load (its mesh and
    /// pick tree go into the caches; the old ones and the old features are dropped).
    fn dbview_swap(&mut self, name: &str, p: PreparedLayer) {
        let Some(i) = self.user_layers.iter().position(|l| l.name == name) else {
            return;
        };
        let PreparedLayer {
            mut layer,
            style,
            mesh,
            year,
            tree,
            bbox: _,
        } = p;
        self.cache.forget_layer(name);
        self.selection.retain(|r| r.layer != name);
        if self.hover.as_ref().is_some_and(|h| h.layer == name) {
            self.hover = None;
        }
        let old = &self.user_layers[i];
        layer.attribution = old.attribution.clone();
        layer.illustrative = old.illustrative;
        self.user_layers[i] = std::sync::Arc::new(layer);
        self.touch_layer(name);
        let rev = self.user_revs.get(name).copied().unwrap_or(0);
        let Some(k) = self.layers.iter().position(|e| e.name == name) else {
            return;
        };
        if self.layers[k].mode != crate::app::layers::StyleMode::Shipped {
            // a categorical or graduated style depends on the data: restyled, meshed later
            self.restyle(k);
            self.cache
                .adopt_layer(name, (rev, self.layers[k].style_rev, None), None, tree);
            return;
        }
        let e = &self.layers[k];
        let mesh = (e.style == style && year == self.year).then_some(mesh);
        self.cache
            .adopt_layer(name, (rev, e.style_rev, None), mesh, tree);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(seq: u64, layer: &str) -> Request {
        Request {
            seq,
            db_name: layer.into(),
            name: layer.into(),
            bbox: [0.0, 0.0, 1.0, 1.0],
            cap: 10,
            year: 2026,
        }
    }

    #[test]
    fn a_request_waits_for_quiet_and_a_newer_one_cancels_it() {
        let d = Duration::from_millis(250);
        let mut q = Debounce::new(d);
        let t0 = Instant::now();
        q.push(req(1, "big"), t0);
        assert_eq!(q.wait(t0), Some(d));
        assert_eq!(
            q.due(t0 + Duration::from_millis(100)),
            None,
            "not quiet yet"
        );
        // the view moved again: request 2 replaces request 1 and the wait starts over
        q.push(req(2, "big"), t0 + Duration::from_millis(200));
        assert_eq!(q.len(), 1);
        assert!(q.superseded(&req(1, "big")));
        assert!(!q.superseded(&req(2, "big")));
        assert_eq!(q.due(t0 + Duration::from_millis(300)), None);
        assert_eq!(
            q.wait(t0 + Duration::from_millis(300)),
            Some(Duration::from_millis(150))
        );
        // another layer's request does not cancel it
        q.push(req(3, "other"), t0 + Duration::from_millis(300));
        assert_eq!(q.len(), 2);
        let got = q.due(t0 + Duration::from_millis(450)).map(|r| r.seq);
        assert_eq!(got, Some(2), "the newest request of the layer, once quiet");
        assert_eq!(q.due(t0 + Duration::from_millis(450)), None);
        assert_eq!(
            q.due(t0 + Duration::from_millis(550)).map(|r| r.seq),
            Some(3)
        );
        assert!(q.is_empty());
        assert_eq!(q.wait(t0), None);
    }

    fn info(features: i64) -> LayerInfo {
        LayerInfo {
            name: "big".into(),
            table: "layer:big".into(),
            features,
            attribution: None,
            illustrative: true,
            pushed_by: "ann".into(),
            pushed_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_view_asks_only_when_the_region_asked_for_does_not_serve_it() {
        let mut l = ViewLayer::new(&info(1_000_000), "big");
        let view = [114.0, 22.5, 114.01, 22.51];
        let first = l.wants(view).expect("nothing asked yet");
        // the view plus a quarter of it on each side
        let want = [113.9975, 22.4975, 114.0125, 22.5125];
        for (a, b) in first.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{first:?}");
        }
        l.asked = Some((1, first));
        // in flight: a small pan inside the region asks nothing
        assert_eq!(l.wants([114.001, 22.501, 114.011, 22.511]), None);
        // out of it: asks again around the new view
        let moved = [114.02, 22.5, 114.03, 22.51];
        assert!(l.wants(moved).is_some_and(|b| contains(b, moved)));
        // answered and capped, then zoomed in to a quarter: asks again (all of it may fit)
        l.loaded = Some(first);
        l.capped = true;
        l.shown = 50_000;
        let closer = [114.0025, 22.5025, 114.0075, 22.5075];
        assert!(l.wants(closer).is_some());
        // not capped: everything in the region is shown, zooming in asks nothing
        l.capped = false;
        assert_eq!(l.wants(closer), None);
        // a degenerate view asks nothing
        assert_eq!(l.wants([1.0, 1.0, 1.0, 1.0]), None);
        assert_eq!(l.wants([f64::NAN, 0.0, 1.0, 1.0]), None);
    }

    #[test]
    fn the_panel_line_says_how_many_of_how_many() {
        let mut l = ViewLayer::new(&info(1_000_000), "big");
        assert!(l.note().contains("loading the view"), "{}", l.note());
        l.loaded = Some([0.0, 0.0, 1.0, 1.0]);
        l.shown = 8412;
        assert_eq!(
            l.note(),
            "showing 8,412 of 1,000,000 in view (loaded by viewport)"
        );
        l.capped = true;
        l.shown = 50_000;
        assert_eq!(
            l.note(),
            "showing 50,000 of 1,000,000 in view — zoom in for more"
        );
    }
}
