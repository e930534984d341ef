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

use std::cell::RefCell;
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

/// Slots of a thread's [`Seen::recent`]: a power of two.
const RECENT_SLOTS: usize = 4096;

/// What one thread has asked of [`NAMES`]. Every worker interns and reads names at the
/// calls it records: through the shared lock alone, each of those wrote the lock's count of
/// readers, a cache line the other threads were writing too (a cold run of the benchmark
/// corpus spent four times the instructions' share of its samples there). A name's number
/// and text never change once given, so what a thread keeps is never stale.
struct Seen {
    /// The texts of the names `0..texts.len()`: a prefix of the shared table's.
    texts: Vec<&'static str>,
    /// The last name met at each slot of the text's hash, a cache of fixed size: a map of
    /// every name met, per thread, held a few MiB at the peak for a few more hits.
    recent: Box<[(&'static str, u32)]>,
}

thread_local! {
    static SEEN: RefCell<Seen> = RefCell::new(Seen {
        texts: Vec::new(),
        recent: vec![("", u32::MAX); RECENT_SLOTS].into_boxed_slice(),
    });
}

/// A name kept once for the whole process. Equal names are the same number; names order
/// as their text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(u32);

impl Name {
    /// The name `text`, kept once however often it is asked for.
    pub fn new(text: &str) -> Self {
        let slot = {
            use std::hash::BuildHasher;
            rustc_hash::FxBuildHasher.hash_one(text) as usize & (RECENT_SLOTS - 1)
        };
        let recent = SEEN.with_borrow(|seen| seen.recent[slot]);
        // `u32::MAX` marks a slot never filled (a name with that number is never given).
        if recent.1 != u32::MAX && recent.0 == text {
            return Self(recent.1);
        }
        let (number, kept) = Self::new_shared(text);
        SEEN.with_borrow_mut(|seen| seen.recent[slot] = (kept, number));
        Self(number)
    }

    /// The number and kept text of `text` in the process's table, added if new.
    fn new_shared(text: &str) -> (u32, &'static str) {
        // A poisoned lock still holds a valid table: a thread that panicked while holding
        // it had added a whole name or none.
        if let Some((&kept, &number)) = NAMES
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .numbers
            .get_key_value(text)
        {
            return (number, kept);
        }
        let mut table = NAMES.write().unwrap_or_else(PoisonError::into_inner);
        if let Some((&kept, &number)) = table.numbers.get_key_value(text) {
            return (number, kept);
        }
        // Four billion distinct names are not met (they would take more memory than any
        // run has): past them, new names would share the last number but one.
        let number = u32::try_from(table.texts.len())
            .map_or(u32::MAX - 1, |number| number.min(u32::MAX - 1));
        let kept: &'static str = Box::leak(text.into());
        table.texts.push(kept);
        table.numbers.insert(kept, number);
        (number, kept)
    }

    pub fn as_str(&self) -> &'static str {
        let index = self.0 as usize;
        if let Some(text) = SEEN.with_borrow(|seen| seen.texts.get(index).copied()) {
            return text;
        }
        // Copy the texts given since this thread last looked, up to this one.
        let shared = NAMES.read().unwrap_or_else(PoisonError::into_inner);
        let Some(&text) = shared.texts.get(index) else {
            return "";
        };
        SEEN.with_borrow_mut(|seen| {
            let known = seen.texts.len();
            seen.texts.extend_from_slice(&shared.texts[known..=index]);
        });
        text
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

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
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

    #[test]
    fn threads_agree_on_every_name_whatever_their_own_caches_hold() {
        // More names than a thread's cache has slots, so that slots are shared and
        // overwritten; each thread meets them in its own order, twice.
        let texts: Vec<String> = (0..3 * RECENT_SLOTS)
            .map(|n| format!("thread-name-{n}"))
            .collect();
        let numbers = |reversed: bool| {
            let texts = texts.clone();
            std::thread::spawn(move || {
                let mut order: Vec<&String> = texts.iter().collect();
                if reversed {
                    order.reverse();
                }
                let first: Vec<(String, Name)> = order
                    .iter()
                    .map(|text| ((*text).clone(), Name::new(text)))
                    .collect();
                for (text, name) in &first {
                    assert_eq!(Name::new(text), *name);
                    assert_eq!(name.as_str(), text);
                }
                first
            })
        };
        let (one, other) = (numbers(false), numbers(true));
        let one: FxHashMap<String, Name> = one.join().unwrap().into_iter().collect();
        for (text, name) in other.join().unwrap() {
            assert_eq!(one[&text], name);
        }
        // And on this thread, which met none of them: read through a number alone.
        for (text, name) in &one {
            assert_eq!(name.as_str(), text);
            assert_eq!(Name::new(text), *name);
        }
        assert_eq!(Name::new(""), Name::new(""));
        assert_eq!(Name::new("").as_str(), "");
    }
}
