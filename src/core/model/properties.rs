//! Compact feature properties and foreign members.
//!
//! [`Properties`] is the `properties` object of one feature, in source order, stored as one
//! allocation of (key, [`PropValue`]) pairs: keys are shared `Arc<str>`s (the loader interns
//! them, so 200,000 features with the same four keys hold four key strings), scalars are
//! stored in place (strings of up to [`INLINE_STR`] bytes without a heap allocation), and
//! nested arrays and objects are kept as `serde_json::Value`s. It costs about a quarter of a
//! `serde_json::Map` per feature and nothing is hashed.
//!
//! [`Members`] holds the foreign members of a feature (RFC 7946 §6.1): almost always none,
//! so it is one pointer until something is put in it.

use serde_json::{Map, Number, Value};
use std::sync::Arc;

/// Longest string (bytes) kept inside a [`PropValue`] without a heap allocation.
pub const INLINE_STR: usize = 22;

/// One property value (a JSON value), compactly.
#[derive(Clone, PartialEq)]
pub struct PropValue(Repr);

#[derive(Clone, PartialEq)]
enum Repr {
    Null,
    Bool(bool),
    Number(Number),
    Inline {
        len: u8,
        buf: [u8; INLINE_STR],
    },
    String(Box<str>),
    /// An array or an object.
    Json(Box<Value>),
}

impl PropValue {
    /// JSON `null`.
    pub const NULL: PropValue = PropValue(Repr::Null);

    /// A string value.
    pub fn string(s: &str) -> Self {
        if s.len() <= INLINE_STR {
            let mut buf = [0u8; INLINE_STR];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            PropValue(Repr::Inline {
                len: s.len() as u8,
                buf,
            })
        } else {
            PropValue(Repr::String(s.into()))
        }
    }

    /// A number value.
    pub fn number(n: Number) -> Self {
        PropValue(Repr::Number(n))
    }

    /// A boolean value.
    pub fn bool(b: bool) -> Self {
        PropValue(Repr::Bool(b))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::Inline { len, buf } => std::str::from_utf8(&buf[..usize::from(*len)]).ok(),
            Repr::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match &self.0 {
            Repr::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as f64, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The number as i64, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as u64, if it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.0 {
            Repr::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The nested array or object, as JSON (`None` for a scalar).
    pub fn as_json(&self) -> Option<&Value> {
        match &self.0 {
            Repr::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        self.as_json().and_then(Value::as_array)
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        self.as_json().and_then(Value::as_object)
    }

    /// True for JSON `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.0, Repr::Null)
    }

    /// True for a number.
    pub fn is_number(&self) -> bool {
        matches!(self.0, Repr::Number(_))
    }

    /// True for a string.
    pub fn is_string(&self) -> bool {
        matches!(self.0, Repr::Inline { .. } | Repr::String(_))
    }

    /// True for a boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(self.0, Repr::Bool(_))
    }

    /// True for an array.
    pub fn is_array(&self) -> bool {
        self.as_array().is_some()
    }

    /// True for an object.
    pub fn is_object(&self) -> bool {
        self.as_object().is_some()
    }

    /// A member of a nested object, or an element of a nested array (`Value::get` rules).
    pub fn get<I: serde_json::value::Index>(&self, index: I) -> Option<&Value> {
        self.as_json().and_then(|v| v.get(index))
    }

    /// The value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Null => Value::Null,
            Repr::Bool(b) => Value::Bool(*b),
            Repr::Number(n) => Value::Number(n.clone()),
            Repr::Inline { .. } | Repr::String(_) => {
                Value::String(self.as_str().unwrap_or_default().to_string())
            }
            Repr::Json(v) => (**v).clone(),
        }
    }
}

/// `value[i]` / `value["key"]` into a nested array or object, `null` when absent (as
/// `serde_json::Value` indexes).
impl<I: serde_json::value::Index> std::ops::Index<I> for PropValue {
    type Output = Value;
    fn index(&self, index: I) -> &Value {
        static NULL: Value = Value::Null;
        self.get(index).unwrap_or(&NULL)
    }
}

impl From<Value> for PropValue {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => PropValue::NULL,
            Value::Bool(b) => PropValue::bool(b),
            Value::Number(n) => PropValue::number(n),
            Value::String(s) => PropValue::string(&s),
            v => PropValue(Repr::Json(Box::new(v))),
        }
    }
}

impl From<&PropValue> for Value {
    fn from(v: &PropValue) -> Self {
        v.to_value()
    }
}

impl PartialEq<Value> for PropValue {
    fn eq(&self, other: &Value) -> bool {
        match (&self.0, other) {
            (Repr::Null, Value::Null) => true,
            (Repr::Bool(a), Value::Bool(b)) => a == b,
            (Repr::Number(a), Value::Number(b)) => a == b,
            (Repr::Json(a), b) => **a == *b,
            (_, Value::String(b)) => self.as_str() == Some(b.as_str()),
            _ => false,
        }
    }
}

/// JSON text, as `serde_json::Value`'s `Display` writes it.
impl std::fmt::Display for PropValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Repr::Null => f.write_str("null"),
            Repr::Bool(b) => write!(f, "{b}"),
            Repr::Number(n) => write!(f, "{n}"),
            Repr::Json(v) => write!(f, "{v}"),
            Repr::Inline { .. } | Repr::String(_) => {
                write!(
                    f,
                    "{}",
                    Value::String(self.as_str().unwrap_or_default().into())
                )
            }
        }
    }
}

impl std::fmt::Debug for PropValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// A property key: shared between the features of a load.
pub type Key = Arc<str>;

/// The `properties` of one feature: (key, value) pairs in source order, keys unique.
#[derive(Clone, Default, PartialEq)]
pub struct Properties(Box<[(Key, PropValue)]>);

impl Properties {
    /// From pairs whose keys are already unique (the loader's path).
    pub(crate) fn from_unique(pairs: Box<[(Key, PropValue)]>) -> Self {
        Properties(pairs)
    }

    /// A property by name.
    pub fn get(&self, key: &str) -> Option<&PropValue> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    /// True when the property is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set a property (replacing its value in place, or appending it); returns the old value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<PropValue> {
        let value = PropValue::from(value);
        if let Some((_, v)) = self.0.iter_mut().find(|(k, _)| **k == *key) {
            return Some(std::mem::replace(v, value));
        }
        let mut v = std::mem::take(&mut self.0).into_vec();
        v.push((Key::from(key), value));
        self.0 = v.into_boxed_slice();
        None
    }

    /// Remove a property; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<PropValue> {
        let i = self.0.iter().position(|(k, _)| &**k == key)?;
        let mut v = std::mem::take(&mut self.0).into_vec();
        let (_, old) = v.remove(i);
        self.0 = v.into_boxed_slice();
        Some(old)
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The properties in source order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &PropValue)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// The names in source order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// As a `serde_json` map (a copy, in source order).
    pub fn to_map(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a str, &'a PropValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, PropValue)>,
        fn(&'a (Key, PropValue)) -> (&'a str, &'a PropValue),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (&**k, v))
    }
}

impl From<Map<String, Value>> for Properties {
    fn from(m: Map<String, Value>) -> Self {
        // A map's keys are unique already.
        Properties(
            m.into_iter()
                .map(|(k, v)| (Key::from(k), PropValue::from(v)))
                .collect(),
        )
    }
}

impl FromIterator<(String, Value)> for Properties {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        let mut p = Properties::default();
        for (k, v) in iter {
            p.insert(k, v);
        }
        p
    }
}

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Foreign members of a feature (RFC 7946 §6.1), in source order: one pointer while empty.
#[derive(Clone, Default)]
pub struct Members(Option<Box<Map<String, Value>>>);

impl Members {
    /// A member by name.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.as_ref()?.get(key)
    }

    /// True when the member is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set a member; returns the old value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.0.get_or_insert_default().insert(key, value)
    }

    /// Remove a member, keeping the order of the others; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let m = self.0.as_mut()?;
        let v = m.shift_remove(key);
        if m.is_empty() {
            self.0 = None;
        }
        v
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.len())
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The members in source order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().flat_map(|m| m.iter())
    }

    /// The names in source order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.iter().map(|(k, _)| k)
    }

    /// As a `serde_json` map (empty when there are none).
    pub fn to_map(&self) -> Map<String, Value> {
        self.0.as_deref().cloned().unwrap_or_default()
    }
}

impl PartialEq for Members {
    fn eq(&self, other: &Self) -> bool {
        match (self.0.as_deref(), other.0.as_deref()) {
            (Some(a), Some(b)) => a == b,
            (a, b) => a.is_none_or(Map::is_empty) && b.is_none_or(Map::is_empty),
        }
    }
}

impl From<Map<String, Value>> for Members {
    fn from(m: Map<String, Value>) -> Self {
        Members((!m.is_empty()).then(|| Box::new(m)))
    }
}

impl std::fmt::Debug for Members {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The sizes docs/load-index.md quotes (64-bit targets).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn values_and_features_are_small() {
        assert_eq!(std::mem::size_of::<PropValue>(), 24);
        assert_eq!(std::mem::size_of::<Properties>(), 16);
        assert_eq!(std::mem::size_of::<Members>(), 8);
        assert_eq!(std::mem::size_of::<crate::core::model::Feature>(), 160);
        // Each `serde_json::Map` it replaces was 72 bytes (a Feature with two: 280).
        assert_eq!(std::mem::size_of::<Map<String, Value>>(), 72);
    }

    #[test]
    fn values_round_trip() {
        for v in [
            json!(null),
            json!(true),
            json!(-3),
            json!(2.5),
            json!("short"),
            json!("a string longer than twenty-two bytes"),
            json!([1, {"a": "b"}]),
            json!({"k": [1, 2]}),
        ] {
            let p = PropValue::from(v.clone());
            assert_eq!(p.to_value(), v);
            assert!(p == v);
            assert_eq!(p.to_string(), v.to_string());
        }
        assert_eq!(PropValue::string("é😀").as_str(), Some("é😀"));
    }

    #[test]
    fn properties_behave_like_a_map() {
        let mut p: Properties = [("a".to_string(), json!(1)), ("b".to_string(), json!("x"))]
            .into_iter()
            .collect();
        assert_eq!(
            p.insert("a".into(), json!(2)),
            Some(PropValue::from(json!(1)))
        );
        p.insert("c".into(), json!([1]));
        assert_eq!(p.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(p.get("a").and_then(PropValue::as_i64), Some(2));
        assert!(p.get("c").is_some_and(PropValue::is_array));
        assert_eq!(
            p.remove("b").and_then(|v| v.as_str().map(str::to_string)),
            Some("x".into())
        );
        assert_eq!(
            p.to_map(),
            json!({"a": 2, "c": [1]})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        let mut m = Members::default();
        assert_eq!(m, Members::from(Map::new()));
        m.insert("x".into(), json!(1));
        assert_eq!(m.len(), 1);
        assert_eq!(m.remove("x"), Some(json!(1)));
        assert!(m.is_empty());
    }
}
