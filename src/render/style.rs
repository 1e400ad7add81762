//! Layer styles: how each layer is drawn (fill, stroke, width, opacity, markers, labels) and its
//! data-driven colour (categorical by a property, or graduated by a number), parsed with serde
//! from `data/styles/<layer>.json`. The shipped styles are embedded in the binary; a style file
//! given at run time replaces them. A bad style file gives an error with its line and column.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Errors reading a style.
#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    /// The JSON is malformed or does not match the style schema.
    #[error("{file}:{line}:{column}: bad style: {message}")]
    Parse {
        /// File name (or `<embedded …>`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A colour string is not `#rgb`, `#rrggbb` or `#rrggbbaa`.
    #[error("{file}: bad colour {value:?} in {field} (expected #rrggbb or #rrggbbaa)")]
    Colour {
        /// File name.
        file: String,
        /// The field holding the colour.
        field: String,
        /// The text given.
        value: String,
    },
    /// Reading the file failed.
    #[error("cannot read style {file}: {error}")]
    Io {
        /// File name.
        file: String,
        /// The underlying error (in the message, not chained, so it is printed once).
        error: std::io::Error,
    },
}

/// An sRGB colour with alpha, 0–255 per channel (not premultiplied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// Parse `#rgb`, `#rrggbb` or `#rrggbbaa`.
    pub fn parse(s: &str) -> Option<Rgba> {
        let h = s.strip_prefix('#')?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
        match h.len() {
            3 => {
                let n = |i: usize| {
                    u8::from_str_radix(h.get(i..i + 1)?, 16)
                        .ok()
                        .map(|v| v * 17)
                };
                Some(Rgba([n(0)?, n(1)?, n(2)?, 255]))
            }
            6 => Some(Rgba([byte(0)?, byte(2)?, byte(4)?, 255])),
            8 => Some(Rgba([byte(0)?, byte(2)?, byte(4)?, byte(6)?])),
            _ => None,
        }
    }

    /// The same colour with its alpha multiplied by `opacity` (0–1).
    pub fn with_opacity(self, opacity: f32) -> Rgba {
        let [r, g, b, a] = self.0;
        let a = (f32::from(a) * opacity.clamp(0.0, 1.0)).round() as u8;
        Rgba([r, g, b, a])
    }

    /// Opaque black.
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);
    /// Opaque white.
    pub const WHITE: Rgba = Rgba([255, 255, 255, 255]);
}

/// How a feature's colour is chosen from its properties.
#[derive(Debug, Clone, PartialEq)]
pub enum ColorBy {
    /// A fixed colour per value of a string property (`status`, `use`, ...).
    Categorical {
        /// The property.
        property: String,
        /// Value → colour, in legend order.
        categories: Vec<(String, Rgba, String)>,
        /// Colour for values not listed (`None`: such features are not drawn).
        other: Option<Rgba>,
    },
    /// Classes of a numeric property: a value `v` takes the colour of the last class with
    /// `min <= v`; values below the first class take the first class's colour.
    Graduated {
        /// The property (`gfa_m2`, `year`, ...).
        property: String,
        /// Class lower bounds and colours, ascending.
        classes: Vec<(f64, Rgba)>,
        /// Unit shown in the legend (`m²`, ...).
        unit: String,
    },
}

/// A label drawn at points and at polygon interiors.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelStyle {
    /// Properties to read the text from, first present wins (`name`, `name_zh`, ...); a
    /// `key/pointer` reads a string inside a structured property (`@relations/0/reltags/name`).
    pub properties: Vec<String>,
    /// Text size in logical pixels.
    pub size: f32,
    /// Text colour.
    pub color: Rgba,
    /// Halo (outline) colour drawn behind the text for legibility.
    pub halo: Rgba,
    /// The text is cut at the first of these separators (e.g. `" ("`), to keep labels short.
    pub trim_at: Vec<String>,
    /// Only line features are labelled (a metro layer whose stops carry their line's name).
    pub lines_only: bool,
}

impl LabelStyle {
    /// The label text of a feature: the first non-empty property, cut at `trim_at`.
    pub fn text_for(&self, f: &crate::core::model::Feature) -> Option<String> {
        let t = self.properties.iter().find_map(|p| {
            // "key/json/pointer": a string inside a structured property (an OSM way's
            // route relation: "@relations/0/reltags/name")
            let v = match p.split_once('/') {
                Some((key, ptr)) => f
                    .prop(key)
                    .and_then(crate::core::model::PropValue::as_json)
                    .and_then(|j| j.pointer(&format!("/{ptr}")))
                    .and_then(serde_json::Value::as_str),
                None => f.prop_str(p),
            };
            v.filter(|t| !t.trim().is_empty())
        })?;
        let mut end = t.len();
        for sep in &self.trim_at {
            if let Some(i) = t.find(sep.as_str())
                && i > 0
            {
                end = end.min(i);
            }
        }
        let t = t[..end].trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// The resolved style of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Layer name this style is for.
    pub layer: String,
    /// Other layer names that use this style (file stems of the source files).
    pub aliases: Vec<String>,
    /// Legend title.
    pub title: String,
    /// Polygon fill (`None`: no fill).
    pub fill: Option<Rgba>,
    /// Outline / line colour (`None`: no stroke).
    pub stroke: Option<Rgba>,
    /// Stroke width in logical pixels.
    pub width: f32,
    /// Layer opacity, 0–1, applied to fill, stroke and markers.
    pub opacity: f32,
    /// Opacity of the fill alone, 0–1 (multiplied by `opacity`).
    pub fill_opacity: f32,
    /// Point marker radius in logical pixels.
    pub point_radius: f32,
    /// Point marker colour (defaults to the fill, else the stroke).
    pub point_color: Option<Rgba>,
    /// Data-driven colour, replacing `fill` (polygons) or `stroke` (lines) or the marker colour.
    pub color_by: Option<ColorBy>,
    /// Labels.
    pub label: Option<LabelStyle>,
    /// Attribution used when the layer itself carries none.
    pub attribution: Option<String>,
    /// Whether the layer gets a legend entry.
    pub legend: bool,
    /// Drawn only when visible by default (`false`: only when asked for with `--layers`).
    pub visible: bool,
    /// The layer's extent makes the default view ([`crate::render::Scene::fit_bbox`]).
    pub fit: bool,
}

// ---- the on-disk schema ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleFile {
    layer: String,
    #[serde(default)]
    aliases: Vec<String>,
    title: Option<String>,
    fill: Option<String>,
    stroke: Option<String>,
    width: Option<f32>,
    opacity: Option<f32>,
    fill_opacity: Option<f32>,
    point_radius: Option<f32>,
    point_color: Option<String>,
    color_by: Option<ColorByFile>,
    label: Option<LabelFile>,
    attribution: Option<String>,
    legend: Option<bool>,
    visible: Option<bool>,
    fit: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum ColorByFile {
    Categorical {
        property: String,
        categories: Vec<CategoryFile>,
        other: Option<String>,
    },
    Graduated {
        property: String,
        classes: Vec<ClassFile>,
        #[serde(default)]
        unit: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    value: String,
    color: String,
    label: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    min: f64,
    color: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    properties: Vec<String>,
    size: Option<f32>,
    color: Option<String>,
    halo: Option<String>,
    #[serde(default)]
    trim_at: Vec<String>,
    #[serde(default)]
    lines_only: bool,
}

impl Style {
    /// Parse a style from JSON text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Style, StyleError> {
        let raw: StyleFile = serde_json::from_str(text).map_err(|e| StyleError::Parse {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let colour = |field: &str, v: &Option<String>| -> Result<Option<Rgba>, StyleError> {
            match v {
                None => Ok(None),
                Some(s) => Rgba::parse(s).map(Some).ok_or_else(|| StyleError::Colour {
                    file: file.to_string(),
                    field: field.to_string(),
                    value: s.clone(),
                }),
            }
        };
        let need = |field: &str, v: &str| -> Result<Rgba, StyleError> {
            Rgba::parse(v).ok_or_else(|| StyleError::Colour {
                file: file.to_string(),
                field: field.to_string(),
                value: v.to_string(),
            })
        };
        let color_by = match &raw.color_by {
            None => None,
            Some(ColorByFile::Categorical {
                property,
                categories,
                other,
            }) => {
                let mut cats = Vec::new();
                for c in categories {
                    let col = need(&format!("color_by.categories[{}]", c.value), &c.color)?;
                    cats.push((
                        c.value.clone(),
                        col,
                        c.label.clone().unwrap_or(c.value.clone()),
                    ));
                }
                Some(ColorBy::Categorical {
                    property: property.clone(),
                    categories: cats,
                    other: colour("color_by.other", other)?,
                })
            }
            Some(ColorByFile::Graduated {
                property,
                classes,
                unit,
            }) => {
                let mut cls = Vec::new();
                for c in classes {
                    cls.push((
                        c.min,
                        need(&format!("color_by.classes[{}]", c.min), &c.color)?,
                    ));
                }
                cls.sort_by(|a, b| a.0.total_cmp(&b.0));
                Some(ColorBy::Graduated {
                    property: property.clone(),
                    classes: cls,
                    unit: unit.clone(),
                })
            }
        };
        let label = match &raw.label {
            None => None,
            Some(l) => Some(LabelStyle {
                properties: l.properties.clone(),
                size: l.size.unwrap_or(12.0).clamp(4.0, 96.0),
                color: colour("label.color", &l.color)?.unwrap_or(Rgba([34, 34, 34, 255])),
                halo: colour("label.halo", &l.halo)?.unwrap_or(Rgba::WHITE),
                trim_at: l.trim_at.clone(),
                lines_only: l.lines_only,
            }),
        };
        Ok(Style {
            title: raw.title.clone().unwrap_or_else(|| raw.layer.clone()),
            layer: raw.layer,
            aliases: raw.aliases,
            fill: colour("fill", &raw.fill)?,
            stroke: colour("stroke", &raw.stroke)?,
            width: raw.width.unwrap_or(1.0).clamp(0.0, 64.0),
            opacity: raw.opacity.unwrap_or(1.0).clamp(0.0, 1.0),
            fill_opacity: raw.fill_opacity.unwrap_or(1.0).clamp(0.0, 1.0),
            point_radius: raw.point_radius.unwrap_or(4.0).clamp(0.5, 64.0),
            point_color: colour("point_color", &raw.point_color)?,
            color_by,
            label,
            attribution: raw.attribution,
            legend: raw.legend.unwrap_or(true),
            visible: raw.visible.unwrap_or(true),
            fit: raw.fit.unwrap_or(false),
        })
    }

    /// Read a style file.
    pub fn from_path(path: &Path) -> Result<Style, StyleError> {
        let text = std::fs::read_to_string(path).map_err(|error| StyleError::Io {
            file: path.display().to_string(),
            error,
        })?;
        Style::from_json(&text, &path.display().to_string())
    }

    /// The default style for a layer without a style file: a colour chosen from the name, a thin
    /// darker outline, 4 px markers.
    pub fn default_for(layer: &str) -> Style {
        const PALETTE: [[u8; 3]; 8] = [
            [31, 119, 180],
            [255, 127, 14],
            [44, 160, 44],
            [214, 39, 40],
            [148, 103, 189],
            [140, 86, 75],
            [227, 119, 194],
            [23, 190, 207],
        ];
        let h = layer.bytes().fold(2_166_136_261u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(16_777_619)
        });
        let [r, g, b] = PALETTE[(h % 8) as usize];
        Style {
            layer: layer.to_string(),
            aliases: Vec::new(),
            title: layer.to_string(),
            fill: Some(Rgba([r, g, b, 255])),
            stroke: Some(Rgba([r / 2, g / 2, b / 2, 255])),
            width: 1.0,
            opacity: 1.0,
            fill_opacity: 0.35,
            point_radius: 4.0,
            point_color: None,
            color_by: None,
            label: None,
            attribution: None,
            legend: true,
            visible: true,
            fit: false,
        }
    }

    /// The colour of a feature under this style's `color_by`, given its status (as of the
    /// chosen year). `Ok(None)`: no data-driven colour applies (use the base colour);
    /// `Err(())`: the feature is filtered out (a category not listed, with no `other`).
    #[allow(clippy::result_unit_err)]
    pub fn data_colour(
        &self,
        f: &crate::core::model::Feature,
        status: Option<&str>,
    ) -> Result<Option<Rgba>, ()> {
        self.classify(f, status).map(|c| c.map(|(_, col)| col))
    }

    /// The legend class of a feature and its colour: for categorical styles the index of its
    /// category (`categories.len()` for "other"), for graduated ones the index of its class.
    /// `Ok(None)`: no `color_by`, or no value to classify; `Err(())`: filtered out.
    #[allow(clippy::result_unit_err)]
    pub fn classify(
        &self,
        f: &crate::core::model::Feature,
        status: Option<&str>,
    ) -> Result<Option<(usize, Rgba)>, ()> {
        match &self.color_by {
            None => Ok(None),
            Some(ColorBy::Categorical {
                property,
                categories,
                other,
            }) => {
                let num;
                let v: Option<&str> = if property == "status" {
                    status
                } else {
                    match f.prop(property) {
                        Some(s) if s.is_string() => s.as_str(),
                        Some(other) => {
                            num = other.to_string();
                            Some(num.as_str())
                        }
                        None => None,
                    }
                };
                let hit = v.and_then(|v| categories.iter().position(|(k, _, _)| k == v));
                match (hit, other) {
                    (Some(i), _) => Ok(Some((i, categories[i].1))),
                    (None, Some(o)) => Ok(Some((categories.len(), *o))),
                    (None, None) => Err(()),
                }
            }
            Some(ColorBy::Graduated {
                property, classes, ..
            }) => {
                let Some(v) = f.prop_f64(property) else {
                    return Ok(None);
                };
                let mut c = None;
                for (i, (min, col)) in classes.iter().enumerate() {
                    if v >= *min || i == 0 {
                        c = Some((i, *col));
                    }
                }
                Ok(c)
            }
        }
    }
}

/// A set of styles, looked up by layer name or alias.
#[derive(Debug, Clone, Default)]
pub struct StyleSet {
    styles: BTreeMap<String, Style>,
}

impl StyleSet {
    /// A set from style files given as `(name, JSON text)` (the zone's shipped ones are
    /// `core::zone::STYLE_FILES`); `name` names the file in messages
    /// (`data/styles/<name>.json`).
    pub fn from_files(files: &[(&str, &str)]) -> Result<StyleSet, StyleError> {
        let mut set = StyleSet::default();
        for (name, text) in files {
            set.insert(Style::from_json(text, &format!("data/styles/{name}.json"))?);
        }
        Ok(set)
    }

    /// Add (or replace) a style.
    pub fn insert(&mut self, style: Style) {
        self.styles.insert(style.layer.clone(), style);
    }

    /// Read every `*.json` in a folder over the current set.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), StyleError> {
        let rd = std::fs::read_dir(dir).map_err(|error| StyleError::Io {
            file: dir.display().to_string(),
            error,
        })?;
        let mut paths: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for p in paths {
            self.insert(Style::from_path(&p)?);
        }
        Ok(())
    }

    /// The style of a layer: by name, then by alias, else [`Style::default_for`].
    pub fn for_layer(&self, name: &str) -> Style {
        if let Some(s) = self.styles.get(name) {
            return s.clone();
        }
        if let Some(s) = self
            .styles
            .values()
            .find(|s| s.aliases.iter().any(|a| a == name))
        {
            let mut s = s.clone();
            s.layer = name.to_string();
            return s;
        }
        Style::default_for(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse() {
        assert_eq!(Rgba::parse("#ff8000"), Some(Rgba([255, 128, 0, 255])));
        assert_eq!(Rgba::parse("#f80"), Some(Rgba([255, 136, 0, 255])));
        assert_eq!(Rgba::parse("#01020304"), Some(Rgba([1, 2, 3, 4])));
        assert_eq!(Rgba::parse("ff8000"), None);
        assert_eq!(Rgba::parse("#ff80zz"), None);
        assert_eq!(Rgba::parse("#ff80é0"), None);
    }

    #[test]
    fn bad_style_reports_line_and_column() {
        let text = "{\n  \"layer\": \"x\",\n  \"fill\": 12\n}";
        match Style::from_json(text, "x.json") {
            Err(StyleError::Parse { line, column, .. }) => {
                assert_eq!(line, 3);
                assert!(column > 0);
            }
            other => panic!("{other:?}"),
        }
        let err = Style::from_json("{\"layer\":\"x\",\"fill\":\"red\"}", "x.json")
            .expect_err("bad colour");
        assert!(err.to_string().contains("fill"), "{err}");
    }
}
