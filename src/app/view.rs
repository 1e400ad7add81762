//! The map view state (what walkers calls `MapMemory`): centre, zoom and an optional fly-to
//! animation. Plain Rust, no egui: the map widget reads and updates it each frame, the tests
//! drive it directly.
//!
//! Zoom follows the web-map convention of [`crate::render::Camera`]: at zoom `z` the world is
//! `256 · 2^z` logical pixels wide. Pixel arguments are logical pixels relative to the map
//! rectangle's top-left corner (x right, y down).

use crate::render::Camera;
use crate::render::camera::{lonlat_to_mercator, mercator_to_lonlat};

/// Lowest zoom the map allows (the whole Greater Bay Area fits).
pub const MIN_ZOOM: f64 = 6.0;
/// Highest zoom the map allows (about 0.15 m per pixel).
pub const MAX_ZOOM: f64 = 20.0;

/// The extent of the zone (both parks and the river), lon/lat `[w, s, e, n]`.
pub const ZONE_EXTENT: [f64; 4] = crate::core::zone::ZONE_BBOX;

/// How long after the view last moved it still counts as moving ([`Motion`]).
pub const SETTLE_S: f64 = 0.15;

/// Whether the view is moving: it changed within the last [`SETTLE_S`] seconds, or the
/// pointer is dragging the map. The map canvas shows its last image moved while a redraw
/// would be slow and the view is moving ([`crate::app::gpu::MapCallback::moving`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Motion {
    last: Option<Camera>,
    /// Seconds (of the caller's clock) when the view last changed.
    moved_at: f64,
    /// The answer of the last [`Motion::update`].
    moving: bool,
}

impl Motion {
    /// Note the view of the frame at `now_s` (seconds, any monotonic clock); whether it is
    /// moving, given whether a drag is in progress.
    pub fn update(&mut self, camera: &Camera, now_s: f64, dragging: bool) -> bool {
        if self.last.as_ref() != Some(camera) {
            if self.last.is_some() {
                self.moved_at = now_s;
            }
            self.last = Some(*camera);
        }
        self.moving = dragging || (self.moved_at > 0.0 && now_s - self.moved_at < SETTLE_S);
        self.moving
    }

    /// Whether the view was moving at the last [`Motion::update`] (the map may then show a
    /// moved image: a screenshot waits).
    pub fn is_moving(&self) -> bool {
        self.moving
    }
}

/// A fly-to in progress: from one view to another over `duration_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Flight {
    from: (f64, f64, f64),
    to: (f64, f64, f64),
    elapsed_s: f64,
    duration_s: f64,
}

/// A pan in progress: the pointer went down at `at` (logical px in the map) when the view's
/// centre was `center` (Web Mercator metres); `last` is the last pointer position seen.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Grab {
    at: (f64, f64),
    center: (f64, f64),
    last: (f64, f64),
}

/// The persistent state of the map view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    /// Centre longitude, degrees.
    pub center_lon: f64,
    /// Centre latitude, degrees.
    pub center_lat: f64,
    /// Web Mercator zoom level.
    pub zoom: f64,
    flight: Option<Flight>,
    grab: Option<Grab>,
}

impl Default for MapView {
    fn default() -> Self {
        Self::fit(ZONE_EXTENT, 1200.0, 800.0, 30.0)
    }
}

impl MapView {
    /// A view at a centre and zoom (zoom clamped to [`MIN_ZOOM`]..=[`MAX_ZOOM`]).
    pub fn new(center_lon: f64, center_lat: f64, zoom: f64) -> Self {
        Self {
            center_lon,
            center_lat,
            zoom: clamp_zoom(zoom),
            flight: None,
            grab: None,
        }
    }

    /// The view that fits a lon/lat box into a `width × height` px viewport with `padding` px
    /// of margin.
    pub fn fit(bbox: [f64; 4], width: f64, height: f64, padding: f64) -> Self {
        let c = Camera::fit_bbox(bbox, width.max(1.0), height.max(1.0), padding);
        Self::new(c.center_lon, c.center_lat, c.zoom)
    }

    /// The renderer camera for a viewport of `width × height` logical px at `pixels_per_point`.
    pub fn camera(&self, width: f64, height: f64, pixels_per_point: f64) -> Camera {
        let mut c = Camera::new(
            self.center_lon,
            self.center_lat,
            self.zoom,
            width.max(1.0),
            height.max(1.0),
        );
        c.pixel_ratio = if pixels_per_point.is_finite() && pixels_per_point > 0.0 {
            pixels_per_point
        } else {
            1.0
        };
        c
    }

    /// Move the map by a drag of `(dx, dy)` logical px (the map follows the pointer).
    pub fn pan_pixels(&mut self, dx: f64, dy: f64) {
        if !(dx.is_finite() && dy.is_finite()) {
            return;
        }
        self.flight = None;
        let mpp = self.camera(1.0, 1.0, 1.0).metres_per_pixel();
        let (x, y) = lonlat_to_mercator(self.center_lon, self.center_lat);
        let (lon, lat) = mercator_to_lonlat(x - dx * mpp, y + dy * mpp);
        self.center_lon = lon;
        self.center_lat = lat.clamp(-80.0, 80.0);
        self.reanchor();
    }

    /// The pointer went down on the map at `(px, py)` (logical px): a pan starts. The map then
    /// follows the pointer's position relative to this press ([`MapView::drag_to`]), not a sum
    /// of per-frame deltas, so no motion is lost however slow the frames are.
    pub fn grab(&mut self, px: f64, py: f64) {
        if !(px.is_finite() && py.is_finite()) {
            return;
        }
        self.flight = None;
        self.grab = Some(Grab {
            at: (px, py),
            center: lonlat_to_mercator(self.center_lon, self.center_lat),
            last: (px, py),
        });
    }

    /// The pointer of a pan is now at `(px, py)`: the view is the one at the press moved by the
    /// pointer's whole offset from the press point (exactly: a 200 px drag pans 200 px).
    pub fn drag_to(&mut self, px: f64, py: f64) {
        let Some(g) = self.grab.as_mut() else {
            return;
        };
        if !(px.is_finite() && py.is_finite()) {
            return;
        }
        g.last = (px, py);
        let (dx, dy) = (px - g.at.0, py - g.at.1);
        let mpp = Camera::new(0.0, 0.0, self.zoom, 1.0, 1.0).metres_per_pixel();
        let (lon, lat) = mercator_to_lonlat(g.center.0 - dx * mpp, g.center.1 + dy * mpp);
        self.center_lon = lon;
        self.center_lat = lat.clamp(-80.0, 80.0);
    }

    /// The pointer of a pan went up at `(px, py)`: the last move, then the pan ends.
    pub fn release(&mut self, px: f64, py: f64) {
        self.drag_to(px, py);
        self.grab = None;
    }

    /// End a pan where the pointer was last seen (the pointer left the window).
    pub fn release_here(&mut self) {
        self.grab = None;
    }

    /// True while a pan is in progress (between [`MapView::grab`] and [`MapView::release`]).
    pub fn is_grabbed(&self) -> bool {
        self.grab.is_some()
    }

    /// The view moved by something else during a pan (a wheel step, a key): the pan goes on
    /// from here, the pointer's last position now holding the current view.
    fn reanchor(&mut self) {
        if let Some(g) = self.grab.as_mut() {
            g.at = g.last;
            g.center = lonlat_to_mercator(self.center_lon, self.center_lat);
        }
    }

    /// Zoom by `delta` levels (positive zooms in) keeping the point under `(px, py)` fixed, in a
    /// `width × height` px viewport.
    pub fn zoom_about(&mut self, delta: f64, px: f64, py: f64, width: f64, height: f64) {
        if !(delta.is_finite() && px.is_finite() && py.is_finite()) {
            return;
        }
        self.flight = None;
        let before = self.camera(width, height, 1.0);
        let (mx, my) = before.pixel_to_mercator(px, py);
        self.zoom = clamp_zoom(self.zoom + delta);
        let after = self.camera(width, height, 1.0);
        let mpp = after.metres_per_pixel();
        // choose the centre so that (mx, my) lands on (px, py) again
        let cx = mx - (px - width / 2.0) * mpp;
        let cy = my + (py - height / 2.0) * mpp;
        let (lon, lat) = mercator_to_lonlat(cx, cy);
        self.center_lon = lon;
        self.center_lat = lat;
        self.reanchor();
    }

    /// Start a smooth flight to the view that fits `bbox` (≈0.6 s).
    pub fn fly_to_bbox(&mut self, bbox: [f64; 4], width: f64, height: f64, max_zoom: f64) {
        let mut target = Self::fit(bbox, width, height, 60.0);
        target.zoom = target.zoom.min(max_zoom);
        self.fly_to(target.center_lon, target.center_lat, target.zoom);
    }

    /// Start a smooth flight to a centre and zoom (≈0.6 s).
    pub fn fly_to(&mut self, lon: f64, lat: f64, zoom: f64) {
        if !(lon.is_finite() && lat.is_finite() && zoom.is_finite()) {
            return;
        }
        self.flight = Some(Flight {
            from: (self.center_lon, self.center_lat, self.zoom),
            to: (lon, lat, clamp_zoom(zoom)),
            elapsed_s: 0.0,
            duration_s: 0.6,
        });
    }

    /// True while a flight is in progress (the widget keeps repainting).
    pub fn is_flying(&self) -> bool {
        self.flight.is_some()
    }

    /// Advance a flight by `dt` seconds; the view jumps to the end when it is over.
    pub fn step(&mut self, dt: f64) {
        let Some(mut f) = self.flight else {
            return;
        };
        f.elapsed_s += dt.max(0.0);
        let t = (f.elapsed_s / f.duration_s).clamp(0.0, 1.0);
        // ease in-out (smoothstep)
        let s = t * t * (3.0 - 2.0 * t);
        let (fx, fy) = lonlat_to_mercator(f.from.0, f.from.1);
        let (tx, ty) = lonlat_to_mercator(f.to.0, f.to.1);
        let (lon, lat) = mercator_to_lonlat(fx + (tx - fx) * s, fy + (ty - fy) * s);
        self.center_lon = lon;
        self.center_lat = lat;
        self.zoom = f.from.2 + (f.to.2 - f.from.2) * s;
        self.flight = if t >= 1.0 { None } else { Some(f) };
    }
}

fn clamp_zoom(z: f64) -> f64 {
    if z.is_finite() {
        z.clamp(MIN_ZOOM, MAX_ZOOM)
    } else {
        MIN_ZOOM
    }
}

/// The map scale denominator (1 : N) for a camera on a screen of about 96 logical px per inch:
/// ground metres per logical px at the view centre divided by 0.0254 / 96 m.
pub fn scale_denominator(camera: &Camera) -> f64 {
    camera.ground_metres_per_pixel() / (0.0254 / 96.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_counts_as_moving_while_dragged_and_just_after_a_change() {
        let mut m = Motion::default();
        let a = Camera::new(114.07, 22.52, 15.0, 800.0, 600.0);
        let mut b = a;
        b.center_lon += 0.001;
        // the first view is not a move
        assert!(!m.update(&a, 1.0, false));
        // a drag is, even before the view changes
        assert!(m.update(&a, 1.1, true));
        // a change at 2.0 counts until SETTLE_S later, then the view rests
        assert!(m.update(&b, 2.0, false));
        assert!(m.update(&b, 2.0 + SETTLE_S * 0.9, false));
        assert!(m.is_moving());
        assert!(!m.update(&b, 2.0 + SETTLE_S * 1.1, false));
        assert!(!m.is_moving());
    }

    #[test]
    fn zoom_about_keeps_the_point_under_the_cursor() {
        let mut v = MapView::new(114.07, 22.52, 14.0);
        let (w, h) = (1000.0, 700.0);
        let cam = v.camera(w, h, 1.0);
        let before = cam.pixel_to_lonlat(123.0, 456.0);
        v.zoom_about(1.5, 123.0, 456.0, w, h);
        assert!((v.zoom - 15.5).abs() < 1e-12);
        let after = v.camera(w, h, 1.0).pixel_to_lonlat(123.0, 456.0);
        assert!((before.0 - after.0).abs() < 1e-9, "{before:?} {after:?}");
        assert!((before.1 - after.1).abs() < 1e-9, "{before:?} {after:?}");
    }

    #[test]
    fn pan_moves_the_map_with_the_pointer() {
        let mut v = MapView::new(114.07, 22.52, 15.0);
        let (w, h) = (800.0, 600.0);
        // the point under (400, 300) must be under (450, 280) after a drag of (+50, -20)
        let p = v.camera(w, h, 1.0).pixel_to_lonlat(400.0, 300.0);
        v.pan_pixels(50.0, -20.0);
        let (x, y) = v.camera(w, h, 1.0).lonlat_to_pixel(p.0, p.1);
        assert!(
            (x - 450.0).abs() < 1e-6 && (y - 280.0).abs() < 1e-6,
            "{x} {y}"
        );
    }

    #[test]
    fn a_drag_pans_by_the_whole_pointer_offset_however_it_is_sampled() {
        let (w, h) = (800.0, 600.0);
        let start = MapView::new(114.07, 22.52, 15.0);
        let ground = start.camera(w, h, 1.0).pixel_to_lonlat(300.0, 300.0);
        // one frame saw the whole 200 px move; another saw it in 37 uneven steps with a
        // pause back and forth: both end with the grabbed point under the pointer
        let mut one = start;
        one.grab(300.0, 300.0);
        one.release(500.0, 300.0);
        let mut many = start;
        many.grab(300.0, 300.0);
        for k in 1..=37 {
            let x = 300.0 + 200.0 * f64::from(k * k) / (37.0 * 37.0);
            many.drag_to(x, 300.0 + if k % 2 == 0 { 3.0 } else { -3.0 });
        }
        many.release(500.0, 300.0);
        for v in [one, many] {
            assert!(!v.is_grabbed());
            let (x, y) = v.camera(w, h, 1.0).lonlat_to_pixel(ground.0, ground.1);
            assert!(
                (x - 500.0).abs() < 1e-6 && (y - 300.0).abs() < 1e-6,
                "{x} {y}"
            );
        }
        // a wheel step during the pan: the point under the pointer stays under it
        let mut z = start;
        z.grab(300.0, 300.0);
        z.drag_to(400.0, 300.0);
        let under = z.camera(w, h, 1.0).pixel_to_lonlat(400.0, 300.0);
        z.zoom_about(1.0, 400.0, 300.0, w, h);
        z.release(450.0, 320.0);
        let (x, y) = z.camera(w, h, 1.0).lonlat_to_pixel(under.0, under.1);
        assert!(
            (x - 450.0).abs() < 1e-6 && (y - 320.0).abs() < 1e-6,
            "{x} {y}"
        );
        // moves without a press do nothing
        let mut idle = start;
        idle.drag_to(900.0, 900.0);
        assert_eq!(idle, start);
    }

    #[test]
    fn zoom_is_clamped_and_non_finite_input_is_ignored() {
        let mut v = MapView::new(114.07, 22.52, 15.0);
        v.zoom_about(100.0, 10.0, 10.0, 100.0, 100.0);
        assert_eq!(v.zoom, MAX_ZOOM);
        v.zoom_about(-100.0, 10.0, 10.0, 100.0, 100.0);
        assert_eq!(v.zoom, MIN_ZOOM);
        let before = v;
        v.zoom_about(f64::NAN, 10.0, 10.0, 100.0, 100.0);
        v.pan_pixels(f64::INFINITY, 0.0);
        assert_eq!(v, before);
    }

    #[test]
    fn fit_contains_the_extent_and_flight_lands_on_target() {
        let v = MapView::fit(ZONE_EXTENT, 1000.0, 700.0, 20.0);
        let c = v.camera(1000.0, 700.0, 1.0);
        let (x0, y0) = c.lonlat_to_pixel(ZONE_EXTENT[0], ZONE_EXTENT[3]);
        let (x1, y1) = c.lonlat_to_pixel(ZONE_EXTENT[2], ZONE_EXTENT[1]);
        assert!(x0 >= 19.0 && y0 >= 19.0 && x1 <= 981.0 && y1 <= 681.0);
        let mut f = v;
        f.fly_to(114.09, 22.51, 17.0);
        assert!(f.is_flying());
        for _ in 0..10 {
            f.step(0.1);
        }
        assert!(!f.is_flying());
        assert!((f.center_lon - 114.09).abs() < 1e-9 && (f.center_lat - 22.51).abs() < 1e-9);
        assert_eq!(f.zoom, 17.0);
    }

    #[test]
    fn scale_denominator_matches_ground_resolution() {
        // zoom 16 at the equator: 2.388657 m per px -> 2.388657 / (0.0254/96) = 9027.9955
        let c = MapView::new(0.0, 0.0, 16.0).camera(100.0, 100.0, 1.0);
        let expect = (2.0 * std::f64::consts::PI * 6_378_137.0 / (256.0 * 65536.0)) * 96.0 / 0.0254;
        assert!((scale_denominator(&c) - expect).abs() < 1e-6);
        assert!((expect - 9027.9955).abs() < 0.001, "{expect}");
    }
}
