//! The layer stack of the layers panel: order, visibility, opacity, and the style each layer
//! is drawn with (the shipped style, or categorical / graduated by a property, with the legend
//! that produces). Plain Rust; the panel and the map read it.

use crate::core::model::Layer;
use crate::render::style::{ColorBy, Rgba, Style, StyleSet};

/// How a layer is coloured.
#[derive(Debug, Clone, PartialEq)]
pub enum StyleMode {
    /// The shipped style (`data/styles/<layer>.json`), or the default for loaded files.
    Shipped,
    /// One colour per value of a text property (the 10 commonest; the rest grey).
    Categorical {
        /// The property.
        property: String,
    },
    /// Five quantile classes of a numeric property.
    Graduated {
        /// The property.
        property: String,
    },
}

/// One row of the layers panel.
#[derive(Debug, Clone)]
pub struct LayerEntry {
    /// Layer name (unique in the stack).
    pub name: String,
    /// Title shown in the panel and legend.
    pub title: String,
    /// Drawn or not.
    pub visible: bool,
    /// Opacity 0–1, multiplied into the style's own.
    pub opacity: f32,
    /// The style the layer started with.
    pub base_style: Style,
    /// Colouring.
    pub mode: StyleMode,
    /// Attribution shown on the map while the layer is visible.
    pub attribution: Option<String>,
    /// Illustrative (generated or schematic) data.
    pub illustrative: bool,
    /// Loaded from a file by the user (not part of the zone dataset).
    pub user: bool,
    /// The resolved style for the current mode and opacity.
    pub style: Style,
    /// Bumped whenever `style` changes (the mesh cache keys on it).
    pub style_rev: u64,
    /// Hover and click pick its features (off by default for context areas: districts, land,
    /// park outlines, the port area).
    pub pickable: bool,
}

/// Layers of large context areas: drawn, but not picked by hover or click unless the user
/// turns picking on in the layers panel (hovering anywhere in a district must not outline it).
pub const CONTEXT_AREAS: &[&str] = &[
    "futian_district",
    "hk_districts",
    "ne_gba",
    "huanggang_hk_port_area",
    "shenzhen_park",
    "lok_ma_chau_loop",
];

/// A property name for people: `gfa_m2` → `GFA (m²)`.
pub fn property_label(property: &str) -> String {
    let (base, unit) = match property.strip_suffix("_m2") {
        Some(b) => (b, " (m²)"),
        None => (property, ""),
    };
    let words: Vec<String> = base
        .split('_')
        .map(|w| match w {
            "gfa" => "GFA".to_string(),
            "id" => "id".to_string(),
            w => w.to_string(),
        })
        .collect();
    format!("{}{unit}", words.join(" "))
}

/// A style's legend title, or the layer name when it has none.
fn title_of(style: &Style, name: &str) -> String {
    if style.title.is_empty() {
        name.to_string()
    } else {
        style.title.clone()
    }
}

/// The subject of a shipped title: "Buildings by status" → "Buildings".
fn subject(title: &str) -> &str {
    title.split(" by ").next().unwrap_or(title).trim()
}

impl LayerEntry {
    /// An entry for `layer`, styled from `styles`.
    pub fn new(layer: &Layer, styles: &StyleSet, user: bool) -> Self {
        let base_style = styles.for_layer(&layer.name);
        let title = if base_style.title.is_empty() {
            layer.name.clone()
        } else {
            base_style.title.clone()
        };
        Self {
            name: layer.name.clone(),
            title,
            visible: base_style.visible,
            opacity: 1.0,
            attribution: layer
                .attribution
                .clone()
                .or_else(|| base_style.attribution.clone()),
            illustrative: layer.illustrative,
            user,
            style: base_style.clone(),
            base_style,
            mode: StyleMode::Shipped,
            style_rev: 0,
            pickable: user || !CONTEXT_AREAS.contains(&layer.name.as_str()),
        }
    }

    /// Recompute `style` from the mode and opacity over `layer`'s data.
    pub fn restyle(&mut self, layer: &Layer) {
        let mut s = self.base_style.clone();
        match &self.mode {
            StyleMode::Shipped => {}
            StyleMode::Categorical { property } => {
                s.color_by = Some(categorical(layer, property));
                s.title = format!(
                    "{} by {}",
                    subject(&title_of(&self.base_style, &self.name)),
                    property_label(property)
                );
                if s.fill.is_none() && s.stroke.is_none() {
                    s.stroke = Some(Rgba([80, 80, 80, 255]));
                }
            }
            StyleMode::Graduated { property } => {
                if let Some(c) = graduated(layer, property) {
                    s.color_by = Some(c);
                    s.title = format!(
                        "{} by {} (graduated)",
                        subject(&title_of(&self.base_style, &self.name)),
                        property_label(property)
                    );
                }
            }
        }
        s.opacity = (s.opacity * self.opacity).clamp(0.0, 1.0);
        // the layer's title follows its style (graduated GFA says so, not "by status")
        self.title = title_of(&s, &self.name);
        self.style = s;
        self.style_rev += 1;
    }
}

/// A qualitative palette (ColorBrewer Set1/Dark2-like, readable on a light map).
pub const PALETTE: [Rgba; 10] = [
    Rgba([31, 119, 180, 255]),
    Rgba([255, 127, 14, 255]),
    Rgba([44, 160, 44, 255]),
    Rgba([214, 39, 40, 255]),
    Rgba([148, 103, 189, 255]),
    Rgba([140, 86, 75, 255]),
    Rgba([227, 119, 194, 255]),
    Rgba([188, 189, 34, 255]),
    Rgba([23, 190, 207, 255]),
    Rgba([127, 127, 127, 255]),
];

/// A sequential palette (light to dark blue-green) for graduated classes.
pub const RAMP: [Rgba; 5] = [
    Rgba([237, 248, 251, 255]),
    Rgba([178, 226, 226, 255]),
    Rgba([102, 194, 164, 255]),
    Rgba([44, 162, 95, 255]),
    Rgba([0, 109, 44, 255]),
];

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Categorical colouring of `property`: the 10 commonest values (ties by name) get
/// [`PALETTE`] colours, the rest light grey.
pub fn categorical(layer: &Layer, property: &str) -> ColorBy {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for f in &layer.features {
        let Some(v) = f.prop(property) else { continue };
        let t = value_text(&v.to_value());
        match counts.iter_mut().find(|c| c.0 == t) {
            Some(c) => c.1 += 1,
            None => counts.push((t, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let categories = counts
        .iter()
        .take(PALETTE.len())
        .zip(PALETTE)
        .map(|((v, n), c)| (v.clone(), c, format!("{v} ({n})")))
        .collect();
    ColorBy::Categorical {
        property: property.to_string(),
        categories,
        other: Some(Rgba([200, 200, 200, 255])),
    }
}

/// Graduated colouring of a numeric `property` in five quantile classes; `None` when no
/// feature has a finite number there.
pub fn graduated(layer: &Layer, property: &str) -> Option<ColorBy> {
    let mut v: Vec<f64> = layer
        .features
        .iter()
        .filter_map(|f| f.prop_f64(property))
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut classes: Vec<(f64, Rgba)> = Vec::new();
    for (k, c) in RAMP.iter().enumerate() {
        let min = v[(k * n) / RAMP.len()];
        if classes.last().is_some_and(|l| l.0 >= min) {
            continue;
        }
        classes.push((min, *c));
    }
    Some(ColorBy::Graduated {
        property: property.to_string(),
        classes,
        unit: if property.ends_with("_m2") {
            "m²".into()
        } else {
            String::new()
        },
    })
}

/// The property names of a layer, split into (text-like, numeric), each sorted, for the style
/// menus. A property is numeric when every present value is a number.
pub fn property_names(layer: &Layer) -> (Vec<String>, Vec<String>) {
    let mut text = std::collections::BTreeSet::new();
    let mut num = std::collections::BTreeSet::new();
    let mut not_num = std::collections::BTreeSet::new();
    for f in layer.features.iter().take(5000) {
        let Some(p) = &f.properties else { continue };
        for (k, v) in &p.to_map() {
            match v {
                serde_json::Value::Number(_) => {
                    num.insert(k.clone());
                }
                serde_json::Value::String(_) | serde_json::Value::Bool(_) => {
                    text.insert(k.clone());
                    not_num.insert(k.clone());
                }
                _ => {
                    not_num.insert(k.clone());
                }
            }
        }
    }
    let numeric: Vec<String> = num.difference(&not_num).cloned().collect();
    (text.into_iter().collect(), numeric)
}

/// Move the element at `from` to position `to` (both clamped), keeping the others in order.
pub fn move_item<T>(v: &mut Vec<T>, from: usize, to: usize) {
    if from >= v.len() {
        return;
    }
    let item = v.remove(from);
    let to = to.min(v.len());
    v.insert(to, item);
}

/// The attribution lines for the visible layers (deduplicated by their first clause), then
/// "illustrative data: …" naming the visible illustrative layers (the renderer's one rule,
/// `render::overlay::credit_lines`).
pub fn visible_attributions(entries: &[LayerEntry]) -> Vec<String> {
    crate::render::overlay::credit_lines(
        entries
            .iter()
            .filter(|e| e.visible)
            .map(|e| (e.attribution.as_deref(), e.illustrative, e.title.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Feature;
    use serde_json::json;

    fn layer_with(values: &[serde_json::Value], prop: &str) -> Layer {
        Layer {
            name: "t".into(),
            features: values
                .iter()
                .map(|v| Feature {
                    properties: json!({ prop: v }).as_object().cloned().map(Into::into),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn categorical_orders_by_frequency() {
        let l = layer_with(
            &[json!("b"), json!("a"), json!("b"), json!("c"), json!("b")],
            "k",
        );
        let ColorBy::Categorical { categories, .. } = categorical(&l, "k") else {
            panic!("categorical")
        };
        let names: Vec<_> = categories.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(categories[0].2, "b (3)");
        assert_eq!(categories[0].1, PALETTE[0]);
    }

    #[test]
    fn graduated_uses_quantile_breaks() {
        let vals: Vec<_> = (1..=10).map(|i| json!(i * 100)).collect();
        let l = layer_with(&vals, "gfa_m2");
        let Some(ColorBy::Graduated { classes, unit, .. }) = graduated(&l, "gfa_m2") else {
            panic!("graduated")
        };
        let mins: Vec<f64> = classes.iter().map(|c| c.0).collect();
        // sorted values 100..1000; class k starts at the (k*10/5)th value
        assert_eq!(mins, [100.0, 300.0, 500.0, 700.0, 900.0]);
        assert_eq!(unit, "m²");
        assert!(graduated(&layer_with(&[json!("x")], "k"), "k").is_none());
    }

    #[test]
    fn property_names_split_numeric_from_text() {
        let mut l = layer_with(&[json!(1), json!(2)], "n");
        l.features.push(Feature {
            properties: json!({"n": 3, "name": "x", "mixed": 1})
                .as_object()
                .cloned()
                .map(Into::into),
            ..Default::default()
        });
        l.features.push(Feature {
            properties: json!({"mixed": "y"}).as_object().cloned().map(Into::into),
            ..Default::default()
        });
        let (text, num) = property_names(&l);
        assert_eq!(num, ["n"]);
        assert_eq!(text, ["mixed", "name"]);
    }

    #[test]
    fn move_item_reorders() {
        let mut v = vec![1, 2, 3, 4];
        move_item(&mut v, 0, 3);
        assert_eq!(v, [2, 3, 4, 1]);
        move_item(&mut v, 3, 0);
        assert_eq!(v, [1, 2, 3, 4]);
        move_item(&mut v, 9, 0);
        assert_eq!(v, [1, 2, 3, 4]);
    }

    #[test]
    fn attributions_follow_visibility() {
        let styles = StyleSet::from_files(crate::core::zone::STYLE_FILES).expect("styles");
        let ds = crate::core::zone::embedded_dataset().expect("zone");
        let mut entries: Vec<LayerEntry> = ds
            .layers
            .iter()
            .map(|l| LayerEntry::new(l, &styles, false))
            .collect();
        let all = visible_attributions(&entries).join("\n");
        assert!(all.contains("© OpenStreetMap contributors"), "{all}");
        assert!(all.contains("illustrative data"), "{all}");
        for e in &mut entries {
            e.visible = e.name == "hk_districts";
        }
        let only = visible_attributions(&entries);
        assert_eq!(only.len(), 1, "{only:?}");
        assert!(only[0].contains("HKSAR Government"), "{only:?}");
    }
}
