//! A summary's shape: everything in it but its offsets, as a hash, and its offsets in the
//! order it holds them. Found by serializing it into nothing.
//!
//! Offsets are the numbers serialized under [`crate::offsets::MARK`]. Two summaries with the
//! same shape differ only in where things are: a line inserted above a module's code moves
//! its call sites without changing what calls what, so the last link's findings can be
//! moved with them (`super::relocate`) instead of linking the project again. An offset left
//! unmarked is hashed with the rest, which only makes more edits link again.
//!
//! The largest `u32` of a summary (marked or not) is also kept: every byte offset of a
//! summary serializes as a `u32`, so it bounds the offsets the link turns into rows, and
//! only the line starts up to it can change what the link reads ([`super::link_input`]).
//! Other `u32`s (indices, counts) only make the bound larger, which is safe. A serializer
//! rather than a walk of the summary's fields: a field added later is covered without a
//! word.

use std::cell::RefCell;
use std::hash::Hasher;

use serde::ser::{self, Serialize};

use crate::offsets::MARK;

/// A value's shape ([`of`]).
pub struct Shape {
    /// Everything but the offsets.
    pub hash: u64,
    /// The largest `u32` anywhere in it.
    pub extent: u32,
}

/// The shape of `value` (`None` when its `Serialize` fails).
pub fn of<T: Serialize + ?Sized>(value: &T) -> Option<Shape> {
    let mut shape = Shaper::new(false);
    let done = value.serialize(&mut shape);
    let shaped = done.is_ok().then(|| Shape {
        hash: shape.hasher.finish(),
        extent: shape.extent,
    });
    shape.hasher.give_back();
    shaped
}

/// The offsets of `value`, in the order it serializes them (`None` when its `Serialize`
/// fails). Two values of one shape list as many offsets, each for the same thing.
pub fn offsets<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u32>> {
    let mut shape = Shaper::new(true);
    let done = value.serialize(&mut shape);
    shape.hasher.give_back();
    done.ok()?;
    shape.offsets
}

thread_local! {
    /// Each thread's buffer for [`Buffered`], kept between summaries.
    static SHAPE_BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The most a thread keeps of its buffer between summaries: a very large file's shape is
/// not held for the rest of the run.
const KEPT_BUFFER: usize = 256 << 10;

/// What a shape hashes, collected and hashed in one call at the end: the same hash as
/// [`super::keys::hasher`] fed piece by piece, for a fraction of the instructions. A shape
/// is made of many pieces of one to eight bytes, and a streaming hasher's every `write`
/// goes through its buffering (on the benchmark corpus, hashing that way was two thirds of
/// the cost of every summary's shape).
struct Buffered(Vec<u8>);

impl Buffered {
    fn new() -> Self {
        Self(SHAPE_BYTES.with(|bytes| std::mem::take(&mut *bytes.borrow_mut())))
    }

    /// Returns the buffer to the thread, emptied.
    fn give_back(&mut self) {
        let mut bytes = std::mem::take(&mut self.0);
        if bytes.capacity() <= KEPT_BUFFER {
            bytes.clear();
            SHAPE_BYTES.with(|kept| *kept.borrow_mut() = bytes);
        }
    }
}

impl Hasher for Buffered {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        super::keys::hash_bytes(&self.0)
    }
}

/// The largest `u32` in `value` (0 when it holds none; `u32::MAX` when its `Serialize`
/// fails, an unknown extent taken as everything).
#[cfg(test)]
pub fn max_u32<T: Serialize + ?Sized>(value: &T) -> u32 {
    of(value).map_or(u32::MAX, |shape| shape.extent)
}

struct Shaper {
    hasher: Buffered,
    extent: u32,
    /// Inside a marked offset: its numbers are offsets, not hashed.
    marked: bool,
    /// The offsets, when asked for.
    offsets: Option<Vec<u32>>,
}

impl Shaper {
    fn new(collect: bool) -> Self {
        Self {
            hasher: Buffered::new(),
            extent: 0,
            marked: false,
            offsets: collect.then(Vec::new),
        }
    }

    /// A tag before every kind of value, so that two different values never hash the same
    /// bytes (postcard's encoding is unambiguous only given the type).
    fn tag(&mut self, tag: u8) {
        self.hasher.write_u8(tag);
    }

    /// An enum's variant, by its index.
    fn variant(&mut self, index: u32) {
        self.tag(tag::VARIANT);
        self.hasher.write_u32(index);
    }
}

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value that cannot be serialized")
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Never
    }
}

type Done = Result<(), Never>;

/// The integer methods of the serializer but `serialize_u32` (which may be an offset): each
/// hashes its value, widened, after the integer tag.
macro_rules! hashes_integers {
    ($($method:ident($type:ty) => $write:ident,)*) => {$(
        fn $method(self, value: $type) -> Done {
            self.tag(tag::INT);
            self.hasher.$write(value.into());
            Ok(())
        }
    )*};
}

/// Tags of the kinds of values ([`Shaper::tag`]).
mod tag {
    pub const UNIT: u8 = 0;
    pub const BOOL: u8 = 1;
    pub const INT: u8 = 2;
    pub const FLOAT: u8 = 3;
    pub const CHAR: u8 = 4;
    pub const STR: u8 = 5;
    pub const BYTES: u8 = 6;
    pub const NONE: u8 = 7;
    pub const SOME: u8 = 8;
    pub const VARIANT: u8 = 9;
    pub const SEQ: u8 = 10;
    pub const OFFSET: u8 = 11;
    pub const END: u8 = 12;
}

impl ser::Serializer for &mut Shaper {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_u32(self, value: u32) -> Done {
        self.extent = self.extent.max(value);
        if self.marked {
            if let Some(offsets) = &mut self.offsets {
                offsets.push(value);
            }
        } else {
            self.tag(tag::INT);
            self.hasher.write_u32(value);
        }
        Ok(())
    }
    fn serialize_bool(self, value: bool) -> Done {
        self.tag(tag::BOOL);
        self.hasher.write_u8(u8::from(value));
        Ok(())
    }
    hashes_integers! {
        serialize_i8(i8) => write_i64,
        serialize_i16(i16) => write_i64,
        serialize_i32(i32) => write_i64,
        serialize_i64(i64) => write_i64,
        serialize_u8(u8) => write_u64,
        serialize_u16(u16) => write_u64,
        serialize_u64(u64) => write_u64,
        serialize_i128(i128) => write_i128,
        serialize_u128(u128) => write_u128,
    }
    fn serialize_f32(self, value: f32) -> Done {
        self.serialize_f64(value.into())
    }
    fn serialize_f64(self, value: f64) -> Done {
        self.tag(tag::FLOAT);
        self.hasher.write_u64(value.to_bits());
        Ok(())
    }
    fn serialize_char(self, value: char) -> Done {
        self.tag(tag::CHAR);
        self.hasher.write_u32(value.into());
        Ok(())
    }
    fn serialize_str(self, value: &str) -> Done {
        self.serialize_bytes(value.as_bytes())?;
        self.tag(tag::STR);
        Ok(())
    }
    fn serialize_bytes(self, value: &[u8]) -> Done {
        self.tag(tag::BYTES);
        self.hasher.write_usize(value.len());
        self.hasher.write(value);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.tag(tag::NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.tag(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.tag(tag::UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> Done {
        self.variant(index);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Done {
        if name != MARK {
            return value.serialize(self);
        }
        // An offset, or a range of two: listed, not hashed (a tag says one was here). A
        // marked value inside another keeps its numbers marked.
        self.tag(tag::OFFSET);
        let outer = std::mem::replace(&mut self.marked, true);
        let done = value.serialize(&mut *self);
        self.marked = outer;
        done
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Done {
        self.variant(index);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        self.tag(tag::SEQ);
        // An unknown length is told by the end tag each compound writes.
        self.hasher.write_usize(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        self.variant(index);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.serialize_seq(len)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Never> {
        self.serialize_tuple_variant(name, index, variant, len)
    }
}

/// The compound serializers all pass each part on to the same `Shaper` and end with a tag:
/// one macro says it for the element-wise ones (`fn method(value)`) and the named ones
/// (`fn method(name, value)`).
macro_rules! passes_parts_on {
    ($($trait:ident :: $method:ident ($($name:ident),*);)*) => {$(
        impl ser::$trait for &mut Shaper {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, $($name: &'static str,)* value: &T) -> Done {
                $(let _ = $name;)*
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.tag(tag::END);
                Ok(())
            }
        }
    )*};
}

passes_parts_on! {
    SerializeSeq::serialize_element();
    SerializeTuple::serialize_element();
    SerializeTupleStruct::serialize_field();
    SerializeTupleVariant::serialize_field();
    SerializeStruct::serialize_field(name);
    SerializeStructVariant::serialize_field(name);
}

impl ser::SerializeMap for &mut Shaper {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.tag(tag::END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::{TextRange, TextSize};

    use crate::offsets::MarkedRange;

    #[test]
    fn hashes_as_the_streaming_hasher_fed_piece_by_piece() {
        let mut buffered = Buffered::new();
        let mut streaming = crate::cache::keys::hasher();
        for piece in 0..5_000u32 {
            for hasher in [&mut buffered as &mut dyn Hasher, &mut streaming] {
                hasher.write_u8(piece as u8);
                hasher.write_u32(piece.wrapping_mul(2_654_435_761));
                hasher.write(&b"a longer piece of text"[..(piece % 23) as usize]);
                hasher.write_usize(piece as usize);
            }
        }
        assert_eq!(buffered.finish(), streaming.finish());
        buffered.give_back();
    }

    #[test]
    fn finds_the_largest_offset_wherever_it_is() {
        let range = TextRange::new(TextSize::from(7), TextSize::from(420));
        let nested: (Vec<Option<TextRange>>, u8, u64) = (vec![None, Some(range)], 200, 9000);
        assert_eq!(max_u32(&nested), 420);
        assert_eq!(max_u32(&"text"), 0);
    }

    fn shape<T: Serialize>(value: T) -> u64 {
        of(&value).unwrap().hash
    }

    #[test]
    fn the_shape_leaves_out_marked_offsets_and_nothing_else() {
        let range = |start: u32| TextRange::new(TextSize::from(start), TextSize::from(start + 5));
        let value = |at: u32, index: u32, name: &str| {
            (vec![MarkedRange(range(at))], index, Some(name.to_string()))
        };
        assert_eq!(shape(value(10, 1, "f")), shape(value(90, 1, "f")));
        assert_ne!(shape(value(10, 1, "f")), shape(value(10, 2, "f")));
        assert_ne!(shape(value(10, 1, "f")), shape(value(10, 1, "g")));
        assert_eq!(offsets(&value(90, 1, "f")), Some(vec![90, 95]));
        // An unmarked range is hashed like any number.
        assert_ne!(shape((range(1), 0u8)), shape((range(2), 0u8)));
        // Where the parts of a value end counts: two lists split differently differ.
        let split = |at: usize| {
            let all = ["a", "b", "c"];
            (all[..at].to_vec(), all[at..].to_vec())
        };
        assert_ne!(shape(split(1)), shape(split(2)));
    }
}
