//! SQL identifiers: validation and quoting. Every table name the tool builds from data (a
//! layer's table) goes through [`quote`]; values never do (they are parameters).
//!
//! PostgreSQL cuts identifiers at 63 bytes (`NAMEDATALEN - 1`) and cannot store NUL; a
//! quoted identifier may hold any other character, `"` written twice. So a layer named
//! `x"; DROP TABLE t; --` becomes the table `hetao."layer:x""; DROP TABLE t; --"`: that
//! literal name, nothing executed.

use super::DbError;

/// The schema every table of the tool lives in.
pub const SCHEMA: &str = "hetao";

/// Longest identifier PostgreSQL keeps whole, bytes.
pub const MAX_IDENT_BYTES: usize = 63;

/// Prefix of a layer's table name (keeps layer tables apart from the catalogue tables).
pub const LAYER_PREFIX: &str = "layer:";

/// Check that `name` can be stored whole as an identifier: not empty, no NUL or other
/// control character, at most [`MAX_IDENT_BYTES`] bytes. `what` names it in the error.
pub fn validate(what: &'static str, name: &str) -> Result<(), DbError> {
    let reason = if name.is_empty() {
        Some("it is empty".to_string())
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character".to_string())
    } else if name.len() > MAX_IDENT_BYTES {
        Some(format!(
            "it is {} bytes long; PostgreSQL keeps at most {MAX_IDENT_BYTES}",
            name.len()
        ))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(DbError::Identifier {
            what,
            name: name.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// `name` as a quoted SQL identifier (`"` doubled). Callers validate first.
pub fn quote(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('"');
    for c in name.chars() {
        if c == '"' {
            s.push('"');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// The unquoted table name of layer `layer` (`layer:` + the name), validated.
pub fn layer_table_name(layer: &str) -> Result<String, DbError> {
    if layer.len() + LAYER_PREFIX.len() > MAX_IDENT_BYTES {
        return Err(DbError::Identifier {
            what: "layer name",
            name: layer.to_string(),
            reason: format!(
                "it is {} bytes long; a layer name may have at most {} (its table is \"{LAYER_PREFIX}\" + the name)",
                layer.len(),
                MAX_IDENT_BYTES - LAYER_PREFIX.len()
            ),
        });
    }
    let table = format!("{LAYER_PREFIX}{layer}");
    validate("layer name", &table).map_err(|e| match e {
        DbError::Identifier { reason, .. } => DbError::Identifier {
            what: "layer name",
            name: layer.to_string(),
            reason,
        },
        other => other,
    })?;
    Ok(table)
}

/// The schema-qualified, quoted name of a table of the tool (`hetao."name"`).
pub fn qualified(table: &str) -> String {
    format!("{}.{}", quote(SCHEMA), quote(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quotes_and_keeps_everything_else() {
        assert_eq!(quote("buildings"), "\"buildings\"");
        assert_eq!(
            quote("x\"; DROP TABLE t; --"),
            "\"x\"\"; DROP TABLE t; --\""
        );
        assert_eq!(quote("建筑"), "\"建筑\"");
    }

    #[test]
    fn names_postgres_would_cut_or_reject_are_refused() {
        assert!(validate("t", "").is_err());
        assert!(validate("t", "a\0b").is_err());
        assert!(validate("t", "a\nb").is_err());
        assert!(validate("t", &"a".repeat(63)).is_ok());
        assert!(validate("t", &"a".repeat(64)).is_err());
        // A layer name has 63 - 6 bytes after "layer:": 19 three-byte characters fit, 20 do not.
        assert!(layer_table_name(&"建".repeat(19)).is_ok());
        assert!(layer_table_name(&"建".repeat(20)).is_err());
        assert_eq!(
            layer_table_name("x\"; DROP TABLE t; --").ok().as_deref(),
            Some("layer:x\"; DROP TABLE t; --")
        );
    }
}
