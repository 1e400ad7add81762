//! The one parser of coordinates typed by a person: `LON,LAT` points, `W,S,E,N` boxes and
//! plain `X,Y` pairs (every CLI argument that takes coordinates goes through it).
//!
//! The rule, everywhere: numbers are finite decimals separated by commas (spaces around them
//! allowed, negative numbers accepted); a longitude lies in [-180, 180] and a latitude in
//! [-90, 90]; a box has W < E and S < N (an empty box is an error, and a box across the
//! antimeridian is not supported: write two boxes).

use geo::Coord;

/// Why a coordinate text is refused; the message names the text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LonLatError {
    /// Not the right count of comma-separated parts.
    #[error("expected {expected} ({n} numbers separated by commas), got {text:?}")]
    Count {
        /// What was expected (`LON,LAT`, `W,S,E,N`).
        expected: &'static str,
        /// How many numbers.
        n: usize,
        /// The text given.
        text: String,
    },
    /// A part is not a finite number.
    #[error("{part:?} in {text:?} is not a finite number")]
    NotNumber {
        /// The offending part.
        part: String,
        /// The text given.
        text: String,
    },
    /// A longitude outside [-180, 180].
    #[error("longitude {value} in {text:?} is outside [-180, 180] (points are LON,LAT)")]
    Longitude {
        /// The value.
        value: f64,
        /// The text given.
        text: String,
    },
    /// A latitude outside [-90, 90].
    #[error("latitude {value} in {text:?} is outside [-90, 90] (points are LON,LAT)")]
    Latitude {
        /// The value.
        value: f64,
        /// The text given.
        text: String,
    },
    /// A box whose west is not less than its east, or south not less than north.
    #[error("{text:?} is not a box W,S,E,N with W < E and S < N")]
    EmptyBox {
        /// The text given.
        text: String,
    },
}

/// `n` comma-separated finite numbers (`expected` names the form in the error).
pub fn parse_numbers(s: &str, n: usize, expected: &'static str) -> Result<Vec<f64>, LonLatError> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != n {
        return Err(LonLatError::Count {
            expected,
            n,
            text: s.to_string(),
        });
    }
    parts
        .iter()
        .map(|p| match p.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(LonLatError::NotNumber {
                part: p.to_string(),
                text: s.to_string(),
            }),
        })
        .collect()
}

/// `X,Y`: two finite numbers, no range (grid coordinates, any CRS).
pub fn parse_pair(s: &str) -> Result<(f64, f64), LonLatError> {
    let v = parse_numbers(s, 2, "X,Y")?;
    Ok((v[0], v[1]))
}

fn check(s: &str, lon: f64, lat: f64) -> Result<(), LonLatError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(LonLatError::Longitude {
            value: lon,
            text: s.to_string(),
        });
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(LonLatError::Latitude {
            value: lat,
            text: s.to_string(),
        });
    }
    Ok(())
}

/// `LON,LAT` in degrees (WGS84), checked against the ranges.
pub fn parse_lonlat(s: &str) -> Result<Coord<f64>, LonLatError> {
    let v = parse_numbers(s, 2, "LON,LAT")?;
    check(s, v[0], v[1])?;
    Ok(Coord { x: v[0], y: v[1] })
}

/// `W,S,E,N` in degrees: corners in range, W < E and S < N. Returns `[W, S, E, N]`.
pub fn parse_bbox(s: &str) -> Result<[f64; 4], LonLatError> {
    let v = parse_numbers(s, 4, "W,S,E,N")?;
    check(s, v[0], v[1])?;
    check(s, v[2], v[3])?;
    if !(v[0] < v[2] && v[1] < v[3]) {
        return Err(LonLatError::EmptyBox {
            text: s.to_string(),
        });
    }
    Ok([v[0], v[1], v[2], v[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variant name of an error, for the table below.
    fn kind(e: LonLatError) -> &'static str {
        match e {
            LonLatError::Count { .. } => "count",
            LonLatError::NotNumber { .. } => "number",
            LonLatError::Longitude { .. } => "lon",
            LonLatError::Latitude { .. } => "lat",
            LonLatError::EmptyBox { .. } => "empty",
        }
    }

    #[test]
    fn one_rule_for_points_and_boxes() {
        assert_eq!(
            parse_lonlat(" -1.5 , 2 ").ok(),
            Some(Coord { x: -1.5, y: 2.0 })
        );
        assert_eq!(parse_bbox("-1,-1,1,1").ok(), Some([-1.0, -1.0, 1.0, 1.0]));
        assert_eq!(
            parse_pair("833000,-815000").ok(),
            Some((833000.0, -815000.0))
        );
        let points = [
            ("181,0", "lon"),
            ("0,-90.5", "lat"),
            ("1;2", "count"),
            ("1,NaN", "number"),
        ];
        for (text, want) in points {
            assert_eq!(parse_lonlat(text).map_err(kind), Err(want), "{text}");
        }
        let boxes = [
            ("1,0,1,1", "empty"),
            ("0,1,1,0", "empty"),
            ("170,0,190,1", "lon"),
        ];
        for (text, want) in boxes {
            assert_eq!(
                parse_bbox(text).map(|_| ()).map_err(kind),
                Err(want),
                "{text}"
            );
        }
    }
}
