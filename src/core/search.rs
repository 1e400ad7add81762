//! Find buildings, research units and places by id or name (English or Chinese), with prefix
//! and fuzzy matching: the app's search box and `hetao search` use this one matcher.
//!
//! A [`SearchIndex`] holds one [`Entry`] per searchable thing: the features of the layers
//! given to it (top layer first) and named points (the reach model's destinations, such as
//! "Hong Kong Science Park"). Each entry has a human label ([`human_label`]: no provenance
//! such as "TD GTFS 10000339" or "(planar centroid of OSM …)"), a short detail ("Building",
//! "MTR station", …) and the words it is found by (id, `name`, `name_en`, `name_zh`,
//! `NAME_EN`, `District`, `地區`, a metro line's names…). A feature with no name and no id,
//! or whose only name is a coordinate description ("… at ~114.0695-…"), is not listed; the
//! same label twice in the same kind is listed once.
//!
//! [`SearchIndex::search`] scores every entry (0 exact, 1 prefix, 2 word prefix, 3 every
//! query word starts a word, 4 substring, 5 fuzzy prefix: the query within one edit, two for
//! 7+ letters, of the key's start, 6 fuzzy words: every query word so near a word; fuzzy
//! only for queries without digits, and only when nothing matches better), and returns hits grouped by [`Kind`]: the groups ordered
//! by their best score, then Buildings, Units, Places, Features; inside a group by score,
//! then index order. So "SZ-B1" lists buildings before research units, and the first hit is
//! the one Enter flies to.

use crate::core::model::{Feature, Layer, PropValue};
use crate::core::zone::feature_id;
use serde_json::Value;
use std::collections::HashSet;

/// What an entry is; the order is the order of the groups when scores tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A building (`buildings` layer).
    Building,
    /// A research-space unit (`research_units` layer).
    Unit,
    /// A place: a shipped context feature or a named destination.
    Place,
    /// A feature of a loaded layer.
    Feature,
}

impl Kind {
    /// The group heading.
    pub fn heading(self) -> &'static str {
        match self {
            Kind::Building => "Buildings",
            Kind::Unit => "Research units",
            Kind::Place => "Places",
            Kind::Feature => "Loaded features",
        }
    }
}

/// Where an entry is.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Feature `index` of layer `layer` (as given to [`SearchIndex::add_layer`]).
    Feature {
        /// Layer name.
        layer: String,
        /// Index of the feature in the layer.
        index: usize,
    },
    /// A named point.
    Point,
}

/// One searchable thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its group.
    pub kind: Kind,
    /// The label to show ("Hong Kong Science Park (Pak Shek Kok)", "Futian FTZ dry lab office
    /// building 001").
    pub label: String,
    /// Its id, when it has one ("SZ-B001").
    pub id: Option<String>,
    /// What it is, in a few words ("Building", "MTR station", "Hong Kong district").
    pub detail: String,
    /// Where it is.
    pub target: Target,
    /// Centre of its bounding box (lon, lat), when it has a geometry.
    pub lonlat: Option<[f64; 2]>,
    /// Lowercased id and names it is found by.
    keys: Vec<String>,
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'a> {
    /// The entry found.
    pub entry: &'a Entry,
    /// 0 exact … 6 fuzzy words (see the module docs).
    pub score: u8,
}

/// Every searchable entry.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    seen: HashSet<(Kind, String)>,
}

/// Provenance markers: a parenthesised part of a name holding one of these is dropped.
const PROVENANCE: &[&str] = &[
    "gtfs",
    "osm",
    "geonames",
    "wikidata",
    "label point",
    "centroid",
    "bbox",
    "approximate",
    "illustrative",
    "relation",
];

/// A name as a person reads it: parenthesised provenance ("(TD GTFS 12728)", "(planar
/// centroid of OSM residual face)", "(illustrative)") and a trailing explanation after
/// " - " removed, underscores as spaces, spaces collapsed.
pub fn human_label(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find('(') {
        let Some(len) = rest[open..].find(')') else {
            break;
        };
        let inner = rest[open + 1..open + len].to_lowercase();
        out.push_str(&rest[..open]);
        if !PROVENANCE.iter().any(|m| inner.contains(m)) {
            out.push_str(&rest[open..=open + len]);
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    if let Some(i) = out.find(" - ") {
        out.truncate(i);
    }
    out.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True for a "name" that only describes coordinates ("… at ~114.0695-114.0708E …").
fn is_coordinate_description(name: &str) -> bool {
    name.char_indices()
        .any(|(i, c)| c == '~' && name[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
}

fn prop_text(v: &PropValue) -> Option<String> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Some(s.to_string()),
        Some(_) => None,
        None => v.as_number().map(ToString::to_string),
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The English and Chinese names of a feature, best first.
fn names(f: &Feature) -> Vec<String> {
    let mut out: Vec<String> = [
        "name", "name_en", "NAME_EN", "District", "name_zh", "NAME_TC", "地區",
    ]
    .iter()
    .filter_map(|k| f.prop(k).and_then(prop_text))
    .collect();
    // An OSM way of a metro line: the names of its route relation.
    if out.is_empty()
        && let Some(tags) = f
            .prop("@relations")
            .and_then(PropValue::as_json)
            .and_then(|r| r.pointer("/0/reltags"))
    {
        out.extend(
            ["name:en", "name", "name:zh"]
                .iter()
                .filter_map(|k| tags.get(*k).and_then(text)),
        );
    }
    out
}

fn detail_of(layer: &str, f: &Feature) -> String {
    let kind = f.prop_str("kind").unwrap_or("");
    match (layer, kind) {
        ("buildings", _) => "Building".into(),
        ("research_units", _) => "Research unit".into(),
        ("mtr", "station") => "MTR station".into(),
        ("mtr", _) => "MTR line".into(),
        ("shenzhen_metro_2016", _) => "Shenzhen Metro line".into(),
        ("hk_districts", _) => "Hong Kong district".into(),
        ("futian_district", _) => "Shenzhen district".into(),
        ("ne_gba", _) => "Country or region".into(),
        ("shenzhen_park" | "lok_ma_chau_loop", _) => "Park".into(),
        ("shenzhen_river", _) => "River boundary".into(),
        ("huanggang_hk_port_area", _) => "Port area".into(),
        (_, "gba_city") => "City".into(),
        (_, "rail_station") => "Station".into(),
        (_, "checkpoint_proxy") => "Control point".into(),
        (_, "area_centroid") => "Area".into(),
        (_, k) if k.contains("district") => "District".into(),
        (_, k) if k.starts_with("locality") => "Locality".into(),
        (l, _) => l.replace('_', " "),
    }
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries, in index order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Add an entry (of another index); a label already listed in its kind is skipped.
    pub fn add_entry(&mut self, e: Entry) {
        self.push(e);
    }

    fn push(&mut self, e: Entry) {
        if self.seen.insert((e.kind, e.label.to_lowercase())) {
            self.entries.push(e);
        }
    }

    /// Add the features of `layer`. `kind` is their group ([`kind_of_layer`] for the usual
    /// choice).
    pub fn add_layer(&mut self, layer: &Layer, kind: Kind) {
        for (index, f) in layer.features.iter().enumerate() {
            let names = names(f);
            let id = feature_id(f);
            let Some(first) = names.first().cloned().or_else(|| id.clone()) else {
                continue;
            };
            if is_coordinate_description(&first) {
                continue;
            }
            let mut label = human_label(&first);
            // A second name in another script ("Futian" and "福田区").
            if let Some(zh) = names
                .iter()
                .skip(1)
                .find(|n| !n.is_ascii() && first.is_ascii())
            {
                label = format!("{label} · {}", human_label(zh));
            }
            if kind == Kind::Unit
                && let Some(p) = f.prop_str("platform")
            {
                label = human_label(p);
            }
            let mut keys: Vec<String> = names
                .iter()
                .map(|n| human_label(n).to_lowercase())
                .collect();
            keys.extend(id.iter().map(|i| i.to_lowercase()));
            keys.push(label.to_lowercase());
            let lonlat = f
                .geometry
                .as_ref()
                .and_then(geo::BoundingRect::bounding_rect)
                .map(|r| [r.center().x, r.center().y]);
            self.push(Entry {
                kind,
                label,
                id,
                detail: detail_of(&layer.name, f),
                target: Target::Feature {
                    layer: layer.name.clone(),
                    index,
                },
                lonlat,
                keys,
            });
        }
    }

    /// Add a named point ("Hong Kong Science Park (Pak Shek Kok)"), a [`Kind::Place`].
    pub fn add_point(&mut self, name: &str, lon: f64, lat: f64, detail: &str) {
        let label = human_label(name);
        self.push(Entry {
            kind: Kind::Place,
            keys: vec![label.to_lowercase()],
            label,
            id: None,
            detail: detail.to_string(),
            target: Target::Point,
            lonlat: Some([lon, lat]),
        });
    }

    /// The index of the embedded zone data: every layer of `layers` (bottom to top, as a
    /// [`crate::core::model::Dataset`] holds them; searched top first) and the reach model's
    /// named destinations.
    pub fn zone<'a>(layers: impl DoubleEndedIterator<Item = &'a Layer>) -> Self {
        let mut ix = Self::new();
        for l in layers.rev() {
            ix.add_layer(l, kind_of_layer(&l.name));
        }
        let params = crate::core::reach::ReachParams::default();
        for (name, lon, lat) in crate::core::reach::named_destinations(&params) {
            ix.add_point(&name, lon, lat, "Travel-reach destination");
        }
        ix
    }

    /// The entries matching `query`, grouped by kind (see the module docs), at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        let q = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let q = q.to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let words: Vec<&str> = q.split(' ').collect();
        let mut hits: Vec<(usize, Hit)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let score = e.keys.iter().filter_map(|k| score(k, &q, &words)).min()?;
                Some((i, Hit { entry: e, score }))
            })
            .collect();
        // Fuzzy hits only when nothing matches better.
        if hits.iter().any(|(_, h)| h.score < 5) {
            hits.retain(|(_, h)| h.score < 5);
        }
        let mut best = [u8::MAX; 4];
        for (_, h) in &hits {
            let b = &mut best[h.entry.kind as usize];
            *b = (*b).min(h.score);
        }
        hits.sort_by_key(|(i, h)| (best[h.entry.kind as usize], h.entry.kind, h.score, *i));
        hits.into_iter().take(limit).map(|(_, h)| h).collect()
    }
}

/// The usual group of a layer's features: `buildings` and `research_units` by name, the other
/// shipped layers ([`crate::core::zone::LAYER_NAMES`]) places, anything else a loaded feature.
pub fn kind_of_layer(name: &str) -> Kind {
    match name {
        "buildings" => Kind::Building,
        "research_units" => Kind::Unit,
        n if crate::core::zone::LAYER_NAMES.contains(&n) => Kind::Place,
        _ => Kind::Feature,
    }
}

fn is_word_sep(c: char) -> bool {
    !c.is_alphanumeric()
}

fn key_words(key: &str) -> impl Iterator<Item = &str> {
    key.split(is_word_sep).filter(|w| !w.is_empty())
}

fn score(key: &str, q: &str, words: &[&str]) -> Option<u8> {
    if key == q {
        return Some(0);
    }
    if key.starts_with(q) {
        return Some(1);
    }
    if key
        .match_indices(q)
        .any(|(i, _)| key[..i].chars().next_back().is_some_and(is_word_sep))
    {
        return Some(2);
    }
    let all_words = |m: &dyn Fn(&str, &str) -> bool| {
        words.iter().all(|w| {
            let w = w.trim_matches(is_word_sep);
            w.is_empty() || key_words(key).any(|k| m(k, w))
        })
    };
    if all_words(&|k, w| k.starts_with(w)) {
        return Some(3);
    }
    if key.contains(q) {
        return Some(4);
    }
    // Fuzzy matching is for names: a query with digits (an id) only matches exactly.
    if q.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if fuzzy_word(key, q) {
        return Some(5);
    }
    if all_words(&fuzzy_word) {
        return Some(6);
    }
    None
}

/// `w` (a query word) is within one edit (two for 7+ letters) of `k` or of `k`'s start.
fn fuzzy_word(k: &str, w: &str) -> bool {
    let n = w.chars().count();
    if n < 3 {
        return false;
    }
    let max = if n >= 7 { 2 } else { 1 };
    let prefix: String = k.chars().take(n).collect();
    levenshtein(k, w) <= max || levenshtein(&prefix, w) <= max
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_provenance() {
        assert_eq!(
            human_label(
                "Lok Ma Chau Control Point (cross-boundary coach boarding stop, TD GTFS \
                 10000339) - HK side of Huanggang crossing"
            ),
            "Lok Ma Chau Control Point"
        );
        assert_eq!(
            human_label("Lok Ma Chau Loop (planar centroid of OSM residual face)"),
            "Lok Ma Chau Loop"
        );
        assert_eq!(
            human_label("Hong Kong Science Park (Pak Shek Kok)"),
            "Hong Kong Science Park (Pak Shek Kok)"
        );
        assert_eq!(
            human_label("Futian FTZ dry_lab_office building 001"),
            "Futian FTZ dry lab office building 001"
        );
        assert!(is_coordinate_description(
            "Small HK relation component at ~114.0695-114.0708E"
        ));
        assert!(!is_coordinate_description("Shenzhen Bay ~ port"));
    }

    #[test]
    fn scores() {
        let s = |k: &str, q: &str| score(k, q, &q.split(' ').collect::<Vec<_>>());
        assert_eq!(s("sz-b001", "sz-b001"), Some(0));
        assert_eq!(s("sz-b001", "sz-b0"), Some(1));
        assert_eq!(s("hong kong science park", "science"), Some(2));
        assert_eq!(s("hong kong science park", "park hong"), Some(3));
        assert_eq!(s("福田区", "田"), Some(4));
        assert_eq!(s("hong kong science park", "hong kong sceince"), Some(5));
        assert_eq!(s("hong kong science park", "sceince"), Some(6));
        assert_eq!(s("hong kong science park", "xyz"), None);
        // ids are not fuzzy: SZ-B248 does not find SZ-B008
        assert_eq!(s("sz-b008", "sz-b248"), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
