//! The Web Mercator camera (EPSG:3857): a view centre in lon/lat, a zoom level, a viewport in
//! logical pixels and a pixel density; conversions between lon/lat, Mercator metres and pixels.
//!
//! Zoom `z` means the whole world is `256 · 2^z` logical pixels wide (the web map convention), so
//! one logical pixel covers `2πR / (256 · 2^z)` Mercator metres. Geometry is stored as `f32`
//! offsets from an `f64` local origin in Mercator metres ([`LocalOrigin`]) so that positions keep
//! millimetre precision at zoom 19–20 within tens of kilometres of the origin.

/// WGS84 / spherical Mercator radius in metres (EPSG:3857).
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Latitude limit of Web Mercator, degrees.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Circumference of the Mercator world in metres.
pub const WORLD_SIZE_M: f64 = 2.0 * std::f64::consts::PI * EARTH_RADIUS_M;

/// Longitude/latitude (degrees) to Web Mercator metres `(x, y)`, y north; latitude is clamped to
/// ±[`MAX_LATITUDE`].
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE);
    let x = EARTH_RADIUS_M * lon.to_radians();
    let y = EARTH_RADIUS_M
        * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln();
    (x, y)
}

/// Web Mercator metres to longitude/latitude degrees.
pub fn mercator_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / EARTH_RADIUS_M).to_degrees();
    let lat = (2.0 * (y / EARTH_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lon, lat)
}

/// The `f64` Mercator point that GPU geometry is stored relative to (as `f32` offsets).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LocalOrigin {
    /// Mercator x, metres.
    pub x: f64,
    /// Mercator y, metres.
    pub y: f64,
}

impl LocalOrigin {
    /// The origin at a lon/lat.
    pub fn from_lonlat(lon: f64, lat: f64) -> Self {
        let (x, y) = lonlat_to_mercator(lon, lat);
        Self { x, y }
    }

    /// A lon/lat as an `f32` offset in metres from this origin.
    pub fn offset(&self, lon: f64, lat: f64) -> [f32; 2] {
        let (x, y) = lonlat_to_mercator(lon, lat);
        [(x - self.x) as f32, (y - self.y) as f32]
    }
}

/// A Web Mercator view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Centre longitude, degrees.
    pub center_lon: f64,
    /// Centre latitude, degrees.
    pub center_lat: f64,
    /// Zoom level (0 = whole world in 256 logical px); fractional zooms are allowed.
    pub zoom: f64,
    /// Viewport width in logical pixels.
    pub width: f64,
    /// Viewport height in logical pixels.
    pub height: f64,
    /// Physical pixels per logical pixel (2 renders at twice the density).
    pub pixel_ratio: f64,
}

impl Camera {
    /// A camera centred on a lon/lat.
    pub fn new(center_lon: f64, center_lat: f64, zoom: f64, width: f64, height: f64) -> Self {
        Self {
            center_lon,
            center_lat,
            zoom,
            width,
            height,
            pixel_ratio: 1.0,
        }
    }

    /// The camera that fits a lon/lat box `[west, south, east, north]` into the viewport with a
    /// margin of `padding_px` logical pixels on each side.
    pub fn fit_bbox(bbox: [f64; 4], width: f64, height: f64, padding_px: f64) -> Self {
        let (x0, y0) = lonlat_to_mercator(bbox[0], bbox[1]);
        let (x1, y1) = lonlat_to_mercator(bbox[2], bbox[3]);
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let (center_lon, center_lat) = mercator_to_lonlat(cx, cy);
        let avail_w = (width - 2.0 * padding_px).max(1.0);
        let avail_h = (height - 2.0 * padding_px).max(1.0);
        let dx = (x1 - x0).abs().max(1e-3);
        let dy = (y1 - y0).abs().max(1e-3);
        // metres per logical pixel needed so that the box fits
        let mpp = (dx / avail_w).max(dy / avail_h);
        let zoom = (WORLD_SIZE_M / (256.0 * mpp)).log2().clamp(0.0, 24.0);
        Self::new(center_lon, center_lat, zoom, width, height)
    }

    /// Mercator metres per logical pixel.
    pub fn metres_per_pixel(&self) -> f64 {
        WORLD_SIZE_M / (256.0 * 2f64.powf(self.zoom))
    }

    /// Ground metres per logical pixel at the view's centre latitude (Mercator scale corrected by
    /// `cos(lat)`); use it for scale bars.
    pub fn ground_metres_per_pixel(&self) -> f64 {
        self.metres_per_pixel() * self.center_lat.to_radians().cos()
    }

    /// The view centre in Mercator metres.
    pub fn center_mercator(&self) -> (f64, f64) {
        lonlat_to_mercator(self.center_lon, self.center_lat)
    }

    /// A lon/lat to logical pixel coordinates (x right, y down, origin at the top-left corner).
    pub fn lonlat_to_pixel(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = lonlat_to_mercator(lon, lat);
        self.mercator_to_pixel(x, y)
    }

    /// Mercator metres to logical pixels.
    pub fn mercator_to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let (cx, cy) = self.center_mercator();
        let mpp = self.metres_per_pixel();
        (
            self.width / 2.0 + (x - cx) / mpp,
            self.height / 2.0 - (y - cy) / mpp,
        )
    }

    /// Logical pixel coordinates to lon/lat.
    pub fn pixel_to_lonlat(&self, px: f64, py: f64) -> (f64, f64) {
        let (x, y) = self.pixel_to_mercator(px, py);
        mercator_to_lonlat(x, y)
    }

    /// Logical pixel coordinates to Mercator metres.
    pub fn pixel_to_mercator(&self, px: f64, py: f64) -> (f64, f64) {
        let (cx, cy) = self.center_mercator();
        let mpp = self.metres_per_pixel();
        (
            cx + (px - self.width / 2.0) * mpp,
            cy - (py - self.height / 2.0) * mpp,
        )
    }

    /// The visible area as a Mercator box `[xmin, ymin, xmax, ymax]` in metres.
    pub fn mercator_bounds(&self) -> [f64; 4] {
        let (x0, y1) = self.pixel_to_mercator(0.0, 0.0);
        let (x1, y0) = self.pixel_to_mercator(self.width, self.height);
        [x0, y0, x1, y1]
    }

    /// Output image size in physical pixels (`width · pixel_ratio`, rounded, at least 1).
    pub fn physical_size(&self) -> (u32, u32) {
        let w = (self.width * self.pixel_ratio).round().clamp(1.0, 16384.0) as u32;
        let h = (self.height * self.pixel_ratio).round().clamp(1.0, 16384.0) as u32;
        (w, h)
    }

    /// The six lines of an ESRI world file (`.pgw`) for an image of this view rendered at
    /// [`Camera::physical_size`]: pixel size x, rotations, negative pixel size y, and the
    /// EPSG:3857 coordinates of the centre of the upper-left pixel.
    pub fn world_file(&self) -> String {
        let (w, h) = self.physical_size();
        let [x0, y0, x1, y1] = self.mercator_bounds();
        // metres per physical pixel, from the rounded image size
        let px = (x1 - x0) / f64::from(w);
        let py = (y1 - y0) / f64::from(h);
        format!(
            "{:.10}\n0.0\n0.0\n{:.10}\n{:.6}\n{:.6}\n",
            px,
            -py,
            x0 + px / 2.0,
            y1 - py / 2.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_round_trip_and_known_values() {
        let (x, y) = lonlat_to_mercator(180.0, 0.0);
        assert!((x - WORLD_SIZE_M / 2.0).abs() < 1e-6);
        assert!(y.abs() < 1e-9);
        // EPSG:3857 of (114.0, 22.5): y = R ln tan(pi/4 + lat/2)
        let (_, y) = lonlat_to_mercator(114.0, 22.5);
        let expect = EARTH_RADIUS_M
            * (std::f64::consts::FRAC_PI_4 + 22.5f64.to_radians() / 2.0)
                .tan()
                .ln();
        assert!((y - expect).abs() < 1e-6);
        let (lon, lat) = mercator_to_lonlat(x, y);
        assert!((lon - 180.0).abs() < 1e-9 && (lat - 22.5).abs() < 1e-9);
    }

    #[test]
    fn pixel_round_trip_and_fit() {
        let c = Camera::fit_bbox([114.0, 22.49, 114.1, 22.53], 800.0, 600.0, 20.0);
        let (px, py) = c.lonlat_to_pixel(114.0, 22.53);
        assert!(px >= 19.0 && py >= 19.0, "{px} {py}");
        let (lon, lat) = c.pixel_to_lonlat(px, py);
        assert!((lon - 114.0).abs() < 1e-9 && (lat - 22.53).abs() < 1e-9);
        // zoom 0: 256 px for the world
        let z0 = Camera::new(0.0, 0.0, 0.0, 256.0, 256.0);
        assert!((z0.metres_per_pixel() * 256.0 - WORLD_SIZE_M).abs() < 1e-6);
    }
}
