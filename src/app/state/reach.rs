//! The travel-reach tool over the app state: poll its worker, start a recompute when one is
//! due, put the bands in the layer stack and export them. The model and its state are in
//! [`crate::app::reach`]; the tab is [`crate::app::panels::reach`].

use super::HetaoApp;
use crate::app::jobs::{Job, JobControl};
use crate::app::layers::LayerEntry;
use crate::app::reach::{
    DEBOUNCE, LAYER, Outcome, attribution, bands_layer, compute, network_key, road_layer,
};
use crate::core::model::Layer;
use crate::core::reach::ReachError;
use crate::core::reach::assumptions;
use crate::render::style::Style;
use eframe::egui;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Poll the worker and start one when a recompute is due (at `now`). `ctx` gets a repaint
/// when the worker finishes or when the debounce expires.
pub fn tick(app: &mut HetaoApp, now: Instant, ctx: Option<&egui::Context>) {
    if let Some(j) = &app.reach.job
        && let Some(r) = j.poll()
    {
        app.reach.job = None;
        match r {
            Ok(o) => finish(app, o),
            Err(()) => app.reach.error = Some("the reach worker stopped".into()),
        }
    }
    let st = &mut app.reach;
    if !st.dirty || st.job.is_some() {
        return;
    }
    if let Some(t) = st.changed_at {
        let due = t + DEBOUNCE;
        if now < due {
            if let Some(c) = ctx {
                c.request_repaint_after(due - now);
            }
            return;
        }
    }
    let roads_layer = road_layer(&app.user_layers).cloned();
    let roads = roads_layer
        .as_ref()
        .map(|l| (l.name.clone(), l.features.len()));
    let st = &mut app.reach;
    let Some(req) = st.current_request(roads) else {
        st.dirty = false;
        return;
    };
    st.dirty = false;
    let key = network_key(&req.params, &req.roads);
    let cached = st.net.clone();
    let needs_roads = cached.as_ref().is_none_or(|(k, _)| *k != key);
    let roads_layer = if needs_roads { roads_layer } else { None };
    let label = format!(
        "{} reach from {:.4}, {:.4}{}",
        req.mode.name(),
        req.origin.0,
        req.origin.1,
        if needs_roads {
            " (building the network)"
        } else {
            ""
        }
    );
    if needs_roads {
        st.builds += 1;
    }
    let c = ctx.cloned();
    st.job = Some(Job::spawn(
        label,
        move |jc: &JobControl| compute(&req, cached, roads_layer, jc),
        move || {
            if let Some(c) = c {
                c.request_repaint();
            }
        },
    ));
}

fn finish(app: &mut HetaoApp, o: Outcome) {
    if o.net.is_some() {
        app.reach.net = o.net;
    }
    match o.result {
        Ok((bands, rows)) => {
            let layer = bands_layer(&bands, o.request.depart);
            app.reach.bands = bands;
            app.reach.destinations = rows;
            app.reach.error = None;
            app.reach.shown = Some(o.request);
            let style = app.reach.style();
            set_layer(app, layer, style);
        }
        Err(ReachError::Cancelled) => app.status = "reach cancelled".into(),
        Err(e) => app.reach.error = Some(e.to_string()),
    }
}

/// Put `layer` in the stack as the `reach` layer (replacing the previous bands), drawn above
/// everything but the buildings and the research units.
pub fn set_layer(app: &mut HetaoApp, layer: Layer, style: Style) {
    let n = app.reach.bands.len();
    app.status = format!("reach: {n} bands (modelled)");
    if let Some(i) = app.user_layers.iter().position(|l| l.name == LAYER) {
        app.user_layers[i] = Arc::new(layer);
    } else {
        app.user_layers.push(Arc::new(layer));
    }
    // new bands: the pick index and the mesh follow this revision
    app.touch_layer(LAYER);
    let Some(data) = app.user_layers.iter().find(|l| l.name == LAYER) else {
        return;
    };
    if let Some(e) = app.layers.iter_mut().find(|e| e.name == LAYER) {
        let rev = e.style_rev + 1;
        let (visible, opacity) = (e.visible, e.opacity);
        *e = LayerEntry::new(data, &app.styles, true);
        e.base_style = style.clone();
        e.style = style;
        e.title = e.style.title.clone();
        e.visible = visible;
        e.opacity = opacity;
        e.restyle(data);
        // the mesh cache keys on the style revision: a new revision redraws the new bands
        e.style_rev = rev;
    } else {
        let mut e = LayerEntry::new(data, &app.styles, true);
        e.base_style = style.clone();
        e.style = style;
        e.title = e.style.title.clone();
        e.visible = true;
        e.restyle(data);
        e.style_rev = 1;
        let at = app
            .layers
            .iter()
            .position(|e| e.name == "buildings")
            .unwrap_or(app.layers.len());
        app.layers.insert(at, e);
    }
}

/// Run [`tick`] until the worker is idle and nothing is due (tests; `timeout` bounds it).
pub fn wait_idle(app: &mut HetaoApp, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    loop {
        // pretend the debounce has passed
        tick(app, Instant::now() + DEBOUNCE, None);
        if !app.reach.running() && !app.reach.dirty {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Write the bands as GeoJSON (atomically), with the assumptions as a foreign member.
pub fn export_bands(app: &HetaoApp, path: &std::path::Path) -> Result<usize, String> {
    let Some(layer) = app.user_layers.iter().find(|l| l.name == LAYER) else {
        return Err("no reach bands to export: set an origin first".into());
    };
    let mut o = serde_json::Map::new();
    o.insert("name".into(), json!(LAYER));
    o.insert("attribution".into(), json!(layer.attribution));
    o.insert("illustrative".into(), json!(true));
    if let (Some((_, net)), Some(req)) = (&app.reach.net, &app.reach.shown) {
        o.insert(
            "assumptions_text".into(),
            json!(attribution(req.mode, &req.params, req.depart)),
        );
        o.insert("assumptions".into(), assumptions(net, req.mode, req.depart));
    }
    crate::app::export::write_collection(path, &o, &layer.features)
}

/// The centroid of the first selected feature, lon/lat.
pub fn selection_centroid(app: &HetaoApp) -> Option<(f64, f64)> {
    use geo::Centroid;
    let r = app.selection.first()?;
    let c = app.feature(r)?.geometry.as_ref()?.centroid()?;
    Some((c.x(), c.y()))
}
