//! reach (to be written).
