//! measure (to be written).
