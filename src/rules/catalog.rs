//! API tables.
