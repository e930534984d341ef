//! Names a summary repeats many times, kept once per process: the keyword and parameter
//! names of arguments (`timeout`, `session`, `self`), the type paths of constructor
//! arguments, the library APIs of blocking, loop-running and loop-affine sites
//! (`time.sleep`), and classes' bases. Each such name was a `Box<str>` or a `String` in
//! every entry that held it: 16 or 24 bytes and an allocation of its own, which made a
//! falsy literal argument 32 bytes and an argument passed on unchanged 64. A [`Name`] is
//! the number of the name in one table of the process: 4 bytes, compared as a number.
//!
//! The names are never freed. A run sees a few tens of thousands of distinct ones (the
//! vocabulary of the code checked, not its size), and the language server keeps them across
//! edits the same way. Serialized as its text, a [`Name`] changes nothing in the cache's
//! format, and orders as its text: a sorted list of names comes out the same whichever
//! thread met a name first.

use std::fmt;
use std::sync::{LazyLock, PoisonError, RwLock};

use rustc_hash::FxHashMap;

/// The names interned so far: each one's text by number, and the number by text.
#[derive(Default)]
struct Table {
    texts: Vec<&'static str>,
    numbers: FxHashMap<&'static str, u32>,
}

static NAMES: LazyLock<RwLock<Table>> = LazyLock::new(|| RwLock::new(Table::default()));

/// A name kept once for the whole process. Equal names are the same number; names order
/// as their text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(u32);

impl Name {
    /// The name `text`, kept once however often it is asked for.
    pub fn new(text: &str) -> Self {
        // A poisoned lock still holds a valid table: a thread that panicked while holding
        // it had added a whole name or none.
        if let Some(&number) = NAMES
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .numbers
            .get(text)
        {
            return Self(number);
        }
        let mut table = NAMES.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(&number) = table.numbers.get(text) {
            return Self(number);
        }
        // Four billion distinct names are not met (they would take more memory than any
        // run has): past them, new names would share the last number.
        let number = u32::try_from(table.texts.len()).unwrap_or(u32::MAX);
        let kept: &'static str = Box::leak(text.into());
        table.texts.push(kept);
        table.numbers.insert(kept, number);
        Self(number)
    }

    pub fn as_str(&self) -> &'static str {
        NAMES
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .texts
            .get(self.0 as usize)
            .copied()
            .unwrap_or("")
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Name;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a name")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Name, E> {
                Ok(Name::new(text))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_kept_once_and_reads_back_as_its_text() {
        let first = Name::new("timeout");
        let second = Name::new(&String::from("timeout"));
        assert!(std::ptr::eq(first.as_str(), second.as_str()));
        assert_eq!(first, second);
        assert_eq!(&*first, "timeout");
        assert_eq!(std::mem::size_of::<Name>(), 4);
        // By text, whichever was met first.
        let (later, earlier) = (
            Name::new("zz-interned-first"),
            Name::new("aa-interned-second"),
        );
        assert!(earlier < later);
        assert_eq!(earlier.cmp(&earlier), std::cmp::Ordering::Equal);
        assert_ne!(Name::new("session"), first);
        // Serialized as the string it is: what a `Box<str>` wrote, the cache reads back.
        let bytes = postcard::to_allocvec(&first).unwrap();
        assert_eq!(bytes, postcard::to_allocvec("timeout").unwrap());
        let back: Name = postcard::from_bytes(&bytes).unwrap();
        assert!(std::ptr::eq(back.as_str(), first.as_str()));
    }
}
