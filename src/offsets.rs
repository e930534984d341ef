//! Byte offsets into a file's text, serialized so that a serializer can tell them from other
//! numbers.
//!
//! A summary holds offsets (of call sites, functions, fixes' edits) beside indices and
//! counts, all `u32`s. The cache hashes a summary twice: as it is, and with its offsets left
//! out (`cache::shape`), so that an edit that only moves code (a line inserted above it)
//! keeps the second hash, and the last link's findings can be moved with the code instead
//! of linking the project again. For that, every offset a summary holds is serialized as a
//! newtype struct named [`MARK`]: postcard writes a newtype as its content, so the bytes on
//! disk are the same, but a serializer that looks at the name sees which numbers are
//! offsets. An offset left unmarked is hashed with the rest, which is only slower: an edit
//! that moves it links again.

use ruff_text_size::{TextRange, TextSize};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

/// The name every marked offset (or range of two) is serialized under.
pub const MARK: &str = "loopwarden::offset";

/// `#[serde(with = "crate::offsets::range")]`: a [`TextRange`] as a marked `(start, end)`.
pub mod range {
    use super::*;

    pub fn serialize<S: Serializer>(range: &TextRange, serializer: S) -> Result<S::Ok, S::Error> {
        serializer
            .serialize_newtype_struct(MARK, &(u32::from(range.start()), u32::from(range.end())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TextRange, D::Error> {
        let (start, end): (u32, u32) = marked(deserializer, "a text range")?;
        // A range that ends before it starts would panic in `TextRange::new`.
        if start > end {
            return Err(de::Error::custom("a text range that ends before it starts"));
        }
        Ok(TextRange::new(TextSize::new(start), TextSize::new(end)))
    }
}

/// `#[serde(with = "crate::offsets::name_range")]`: the range of a function's name, marked
/// as an offset unless it is empty. An empty one is no position: a module's code, kept as a
/// function without a name, has the empty range at the top of the file, where it stays when
/// code moves (its chain steps name the first row, always). Stored as [`range`] stores it.
pub mod name_range {
    use super::*;

    pub fn serialize<S: Serializer>(range: &TextRange, serializer: S) -> Result<S::Ok, S::Error> {
        if range.is_empty() {
            serde::Serialize::serialize(
                &(u32::from(range.start()), u32::from(range.end())),
                serializer,
            )
        } else {
            super::range::serialize(range, serializer)
        }
    }

    pub use super::range::deserialize;
}

/// A [`TextRange`] serialized as a marked one, for ranges inside collections and tuples
/// (where `#[serde(with)]` cannot reach).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkedRange(pub TextRange);

impl serde::Serialize for MarkedRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        range::serialize(&self.0, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for MarkedRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        range::deserialize(deserializer).map(MarkedRange)
    }
}

/// A single offset serialized as a marked `u32`, for offsets inside collections and tuples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct MarkedOffset(pub TextSize);

impl serde::Serialize for MarkedOffset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(MARK, &u32::from(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for MarkedOffset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let offset: u32 = marked(deserializer, "a text offset")?;
        Ok(MarkedOffset(TextSize::new(offset)))
    }
}

/// What a [`MARK`] newtype holds, read back (`expecting` names it in an error).
fn marked<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error> {
    struct Marked<T>(&'static str, std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Marked<T> {
        type Value = T;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str(self.0)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<T, D::Error> {
            T::deserialize(deserializer)
        }
    }
    deserializer.deserialize_newtype_struct(MARK, Marked(expecting, std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Site {
        #[serde(with = "range")]
        range: TextRange,
        at: MarkedOffset,
        plain: TextRange,
        #[serde(with = "name_range")]
        name: TextRange,
    }

    #[test]
    fn marked_offsets_are_stored_as_the_plain_ones_are() {
        let range = TextRange::new(TextSize::new(3), TextSize::new(300));
        let site = Site {
            range,
            at: MarkedOffset(TextSize::new(70_000)),
            plain: range,
            name: TextRange::default(),
        };
        let marked = postcard::to_allocvec(&site).unwrap();
        let plain =
            postcard::to_allocvec(&(range, 70_000u32, range, TextRange::default())).unwrap();
        assert_eq!(marked, plain);
        assert_eq!(postcard::from_bytes::<Site>(&marked).unwrap(), site);
    }

    #[test]
    fn a_stored_range_that_ends_before_it_starts_is_an_error() {
        let bytes = postcard::to_allocvec(&(9u32, 2u32, 0u32, 0u32, 0u32, 0u32, 0u32)).unwrap();
        assert!(postcard::from_bytes::<Site>(&bytes).is_err());
    }
}
