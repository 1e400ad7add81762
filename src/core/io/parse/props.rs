//! Standalone `properties` objects: [`PropertiesReader`] reads one JSON object per call (as
//! the database keeps each feature's properties, `core::db::layers`) with the loader's own
//! property parser, so the result is exactly what the same object gives inside a GeoJSON file
//! (same key order, same repeated-key rule, same numbers), and keys are interned across calls
//! as the loader interns them within a file: thousands of rows with the same keys share them.

use super::{PErr, Parser, Shared};
use crate::core::json::lexer;
use crate::core::model::{Key, PropValue, Properties};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize};

/// Reads `properties` objects one at a time, sharing keys between them.
#[derive(Default)]
pub(crate) struct PropertiesReader {
    keys: Vec<Key>,
    pairs: Vec<(Key, PropValue)>,
}

impl PropertiesReader {
    /// The object in `text` (whitespace around it allowed, nothing else). The error gives the
    /// byte offset and what is wrong.
    pub(crate) fn read(&mut self, text: &[u8]) -> Result<Properties, String> {
        let shared = Shared {
            cancel: None,
            progress: None,
            total: text.len(),
            done: AtomicU64::new(0),
            reported: AtomicU32::new(0),
            threads: 1,
            chunks_used: AtomicUsize::new(0),
            release: None,
        };
        let mut p = Parser::new(text, 0, &shared);
        p.keys = std::mem::take(&mut self.keys);
        p.pairs = std::mem::take(&mut self.pairs);
        p.ws();
        let out = if p.peek() == Some(b'{') {
            p.properties().and_then(|props| {
                p.ws();
                if p.i < text.len() {
                    Err(lexer::trailing(text, p.i).into())
                } else {
                    Ok(props)
                }
            })
        } else {
            Err(PErr::At(
                p.i,
                format!("expected an object, found {}", p.what()),
            ))
        };
        self.keys = std::mem::take(&mut p.keys);
        self.pairs = std::mem::take(&mut p.pairs);
        out.map_err(|e| match e {
            PErr::At(at, message) => format!("byte {at}: {message}"),
            PErr::Cancelled => "cancelled".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    #[test]
    fn objects_read_as_serde_json_reads_them_and_keys_are_shared() {
        let mut r = PropertiesReader::default();
        let texts = [
            r#"{"id":"G-1","gfa_m2":1200,"status":"planned","x":[1,{"a":null}],"f":1.5e3}"#,
            r#" {"id":"G-2","gfa_m2":-3,"status":"existing","dup":1,"dup":2,"long":"a string longer than twenty-two bytes \u00e9"} "#,
            "{}",
        ];
        let mut first = None;
        for t in texts {
            let got = r.read(t.as_bytes()).expect("reads");
            let want: Map<String, Value> = serde_json::from_str(t).expect("json");
            assert_eq!(got.to_map(), want, "{t}");
            if let Some((k, _)) = got.iter().next() {
                // the same allocation: interned, not copied per object
                match first {
                    None => first = Some(k.as_ptr()),
                    Some(f) => assert_eq!(f, k.as_ptr(), "the key is shared"),
                }
            }
        }
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        let mut r = PropertiesReader::default();
        for t in ["", "[1]", "{\"a\":1} x", "{\"a\":", "{\"a\" 1}", "null"] {
            assert!(r.read(t.as_bytes()).is_err(), "{t:?}");
        }
        // and it still works afterwards
        assert!(r.read(b"{\"a\":1}").is_ok());
    }
}
