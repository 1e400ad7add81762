//! The inventory mapping file: which of a building layer's fields are the model's fields,
//! and which of its values are the model's values (TOML, see [`Mapping`]).
//!
//! ```toml
//! layer = "buildings_inventory"   # optional: the layer of a multi-layer file
//! [fields]                        # model field = the file's field
//! id = "编号"
//! park = "园区"
//! use = "用途"
//! status = "状态"
//! gfa_m2 = "建筑面积"
//! floors = "层数"                 # optional
//! name = "名称"                   # optional
//! status_year = "状态年份"         # optional: the year the current status was reached
//! [values.park]                   # the file's value = the model's value
//! "深圳园区" = "SZ"
//! [values.use]
//! "湿实验室" = "wet_lab"
//! [values.status]
//! "已建成" = "completed"
//! [ledger]                        # optional: one row per (id, year, status)
//! file = "ledger.csv"             # relative to the mapping file's folder
//! id = "编号"
//! year = "年份"
//! status = "状态"
//! ```
//!
//! A model field missing from `[fields]` is read from the file's field of the same name;
//! a `[values.X]` table missing means the file already uses the model's values for X. The
//! model values are `SZ`/`HK`, the seven [`Use`]s and the six [`Status`]es; a table that
//! maps to anything else is refused when the mapping is read. [`Mapping::to_toml`] writes
//! the same form back (the app's mapping dialog saves it).

use super::InventoryError;
use crate::core::zone::{Status, Use};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The model fields a mapping can name, in the order the dialog and [`Mapping::to_toml`]
/// list them: (model field, required).
pub const MODEL_FIELDS: [(&str, bool); 8] = [
    ("id", true),
    ("name", false),
    ("park", true),
    ("use", true),
    ("status", true),
    ("gfa_m2", true),
    ("floors", false),
    ("status_year", false),
];

/// The model fields whose values are mapped by a `[values.X]` table.
pub const VALUE_FIELDS: [&str; 3] = ["park", "use", "status"];

/// The model's values of a mapped field (`park`, `use` or `status`).
pub fn model_values(field: &str) -> Vec<&'static str> {
    match field {
        "park" => vec!["SZ", "HK"],
        "use" => Use::ALL.iter().map(|u| u.as_str()).collect(),
        "status" => Status::ALL.iter().map(|s| s.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// Where the status history comes from: a ledger file of (id, year, status) rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LedgerSpec {
    /// The ledger file (resolved against the mapping file's folder).
    pub file: PathBuf,
    /// Its layer (sheet), when the file has several.
    pub layer: Option<String>,
    /// The ledger's field holding the building id.
    pub id: String,
    /// The ledger's field holding the year.
    pub year: String,
    /// The ledger's field holding the status (mapped through `[values.status]`).
    pub status: String,
}

/// A parsed inventory mapping (the identity mapping is [`Mapping::default`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// Where it was read from (for messages), when from a file.
    pub source: Option<PathBuf>,
    /// The layer of a multi-layer buildings file.
    pub layer: Option<String>,
    /// model field → the file's field (missing: the same name).
    pub fields: BTreeMap<String, String>,
    /// model field → (the file's value → the model's value).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The status ledger.
    pub ledger: Option<LedgerSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repr {
    layer: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    ledger: Option<LedgerRepr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerRepr {
    file: PathBuf,
    layer: Option<String>,
    id: String,
    year: String,
    status: String,
}

impl Mapping {
    /// Read a mapping file; relative paths in it resolve against its folder.
    pub fn load(path: &Path) -> Result<Mapping, InventoryError> {
        let text = std::fs::read_to_string(path).map_err(|e| InventoryError::Io {
            file: path.display().to_string(),
            source: e,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut m = Mapping::parse(&text, &path.display().to_string(), base)?;
        m.source = Some(path.to_path_buf());
        Ok(m)
    }

    /// Parse mapping text; `file` names it in messages, `base` is the folder relative paths
    /// resolve against.
    pub fn parse(text: &str, file: &str, base: &Path) -> Result<Mapping, InventoryError> {
        let bad = |message: String| InventoryError::Mapping {
            file: file.to_string(),
            message,
        };
        let repr: Repr = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: ")
                })
                .unwrap_or_default();
            bad(format!("{at}{}", e.message()))
        })?;
        let known: Vec<&str> = MODEL_FIELDS.iter().map(|f| f.0).collect();
        for (model, theirs) in &repr.fields {
            if !known.contains(&model.as_str()) {
                return Err(bad(format!(
                    "[fields] {model:?} is not a model field (expected one of {})",
                    known.join(", ")
                )));
            }
            if theirs.trim().is_empty() {
                return Err(bad(format!("[fields] {model} names an empty field")));
            }
        }
        for (model, table) in &repr.values {
            if !VALUE_FIELDS.contains(&model.as_str()) {
                return Err(bad(format!(
                    "[values.{model}]: only {} have mapped values",
                    VALUE_FIELDS.join(", ")
                )));
            }
            let allowed = model_values(model);
            for (theirs, ours) in table {
                if !allowed.contains(&ours.as_str()) {
                    return Err(bad(format!(
                        "[values.{model}] {theirs:?} = {ours:?}: {ours:?} is not a model value (expected one of {})",
                        allowed.join(", ")
                    )));
                }
            }
        }
        let ledger = repr.ledger.map(|l| LedgerSpec {
            file: if l.file.is_absolute() {
                l.file
            } else {
                base.join(l.file)
            },
            layer: l.layer,
            id: l.id,
            year: l.year,
            status: l.status,
        });
        Ok(Mapping {
            source: None,
            layer: repr.layer,
            fields: repr.fields,
            values: repr.values,
            ledger,
        })
    }

    /// The file's field that holds `model` (the same name when the mapping does not say).
    pub fn field<'a>(&'a self, model: &'a str) -> &'a str {
        self.fields.get(model).map_or(model, String::as_str)
    }

    /// Whether the mapping names a file field for `model`.
    pub fn names_field(&self, model: &str) -> bool {
        self.fields.contains_key(model)
    }

    /// How the mapping is named in messages: its file, or "the identity mapping".
    pub fn describe(&self) -> String {
        match &self.source {
            Some(p) => p.display().to_string(),
            None => "the identity mapping (no --mapping)".into(),
        }
    }

    /// The mapping as TOML text in the documented form (the ledger path relative to `base`,
    /// the folder the TOML goes to, when it lies under it; else absolute).
    pub fn to_toml(&self, base: &Path) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        let mut o = String::from("# Hetao Atlas inventory mapping (see docs/zone.md)\n");
        if let Some(l) = &self.layer {
            o.push_str(&format!("layer = {}\n", q(l)));
        }
        o.push_str("\n[fields]\n");
        for (model, _) in MODEL_FIELDS {
            if let Some(theirs) = self.fields.get(model) {
                o.push_str(&format!("{model} = {}\n", q(theirs)));
            }
        }
        for model in VALUE_FIELDS {
            if let Some(table) = self.values.get(model) {
                o.push_str(&format!("\n[values.{model}]\n"));
                for (theirs, ours) in table {
                    o.push_str(&format!("{} = {}\n", q(theirs), q(ours)));
                }
            }
        }
        if let Some(l) = &self.ledger {
            // relative to the mapping's folder when under it, else absolute (a relative path
            // would resolve against the wrong folder when read back)
            let file = match l.file.strip_prefix(base) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => std::path::absolute(&l.file).unwrap_or_else(|_| l.file.clone()),
            };
            o.push_str("\n[ledger]\n");
            o.push_str(&format!("file = {}\n", q(&file.to_string_lossy())));
            if let Some(layer) = &l.layer {
                o.push_str(&format!("layer = {}\n", q(layer)));
            }
            o.push_str(&format!("id = {}\n", q(&l.id)));
            o.push_str(&format!("year = {}\n", q(&l.year)));
            o.push_str(&format!("status = {}\n", q(&l.status)));
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE_FORM: &str = r#"
layer = "buildings_inventory"
[fields]
id = "编号"
name = "名称"
park = "园区"
use = "用途"
status = "状态"
gfa_m2 = "建筑面积"
floors = "层数"
status_year = "状态年份"
[values.park]
"深圳园区" = "SZ"
[values.use]
"湿实验室" = "wet_lab"
[values.status]
"已建成" = "completed"
[ledger]
file = "ledger.csv"
id = "编号"
year = "年份"
status = "状态"
"#;

    #[test]
    fn the_issue_form_parses_and_resolves_the_ledger_against_the_folder() {
        let m = Mapping::parse(ISSUE_FORM, "m.toml", Path::new("/data/inv")).expect("parse");
        assert_eq!(m.layer.as_deref(), Some("buildings_inventory"));
        assert_eq!(m.field("gfa_m2"), "建筑面积");
        assert_eq!(m.field("park"), "园区");
        assert_eq!(m.values["park"]["深圳园区"], "SZ");
        let l = m.ledger.as_ref().expect("ledger");
        assert_eq!(l.file, Path::new("/data/inv/ledger.csv"));
        assert_eq!(l.year, "年份");
    }

    #[test]
    fn an_unlisted_field_defaults_to_the_model_name() {
        let m = Mapping::parse("[fields]\nid = \"编号\"\n", "m.toml", Path::new("")).expect("m");
        assert_eq!(m.field("id"), "编号");
        assert_eq!(m.field("use"), "use");
        assert!(!m.names_field("use"));
    }

    #[test]
    fn bad_mappings_are_refused_with_the_reason() {
        let cases = [
            ("[fields]\nheight = \"高度\"\n", "not a model field"),
            (
                "[values.use]\n\"宿舍\" = \"dormitory\"\n",
                "\"dormitory\" is not a model value",
            ),
            ("[values.floors]\n\"1\" = \"2\"\n", "only park, use, status"),
            ("[fields]\nid = \"\"\n", "empty field"),
            ("[fields\n", "line 1"),
            ("colour = 1\n", "colour"),
        ];
        for (text, want) in cases {
            let e = Mapping::parse(text, "m.toml", Path::new(""))
                .expect_err(text)
                .to_string();
            assert!(e.contains("m.toml") && e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn to_toml_reads_back_the_same_mapping() {
        let m = Mapping::parse(ISSUE_FORM, "m.toml", Path::new("/data/inv")).expect("parse");
        let text = m.to_toml(Path::new("/data/inv"));
        assert!(text.contains("file = \"ledger.csv\""), "{text}");
        let back = Mapping::parse(&text, "back.toml", Path::new("/data/inv")).expect("back");
        assert_eq!(back, m);
    }
}
