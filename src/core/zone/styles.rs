//! The zone's map look, as data the renderer is given (it knows no zone): the shipped style
//! files and the zone's extent, the default view when the data has none of the layers whose
//! style says `"fit": true` (the parks, the buildings, the research units).

/// The extent of the Hetao zone (both parks and the river between them), lon/lat
/// `[w, s, e, n]`.
pub const ZONE_BBOX: [f64; 4] = [114.048, 22.508, 114.100, 22.545];

/// The zone's shipped styles (`data/styles/*.json`, embedded in the binary) as (name, JSON
/// text), for `render::StyleSet::from_files`.
pub const STYLE_FILES: &[(&str, &str)] = &[
    ("ne_gba", include_str!("../../../data/styles/ne_gba.json")),
    (
        "hk_districts",
        include_str!("../../../data/styles/hk_districts.json"),
    ),
    (
        "futian_district",
        include_str!("../../../data/styles/futian_district.json"),
    ),
    (
        "shenzhen_metro_2016",
        include_str!("../../../data/styles/shenzhen_metro_2016.json"),
    ),
    ("mtr", include_str!("../../../data/styles/mtr.json")),
    (
        "huanggang_hk_port_area",
        include_str!("../../../data/styles/huanggang_hk_port_area.json"),
    ),
    (
        "shenzhen_park",
        include_str!("../../../data/styles/shenzhen_park.json"),
    ),
    (
        "lok_ma_chau_loop",
        include_str!("../../../data/styles/lok_ma_chau_loop.json"),
    ),
    (
        "hk_roads",
        include_str!("../../../data/styles/hk_roads.json"),
    ),
    (
        "shenzhen_river",
        include_str!("../../../data/styles/shenzhen_river.json"),
    ),
    (
        "barriers",
        include_str!("../../../data/styles/barriers.json"),
    ),
    (
        "buildings",
        include_str!("../../../data/styles/buildings.json"),
    ),
    (
        "hk_osm_buildings",
        include_str!("../../../data/styles/hk_osm_buildings.json"),
    ),
    (
        "research_units",
        include_str!("../../../data/styles/research_units.json"),
    ),
    ("places", include_str!("../../../data/styles/places.json")),
];
