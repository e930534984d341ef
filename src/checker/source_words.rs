//! Words a few rules look for in a module's text before they walk anything (`threading`,
//! `contextmanager`, `SOCK_DGRAM`, the loop probes): most modules name none of them, and a
//! look at the text settles the question for the whole module.
//!
//! Each word used to be its own search of the whole text, four to nine a module: 1.9 % of
//! a cold run's instructions on the benchmark corpus. All of them are now found in one
//! scan, the first time any is asked about, with every occurrence kept, so each answer is
//! the one a search for that word alone would give. The scan is a leftmost-first search
//! (the automaton's fast skipping to the bytes a word starts with is kept; an overlapping
//! search steps through every byte, six times the cost) restarted one byte past the start
//! of each match: every start position is looked at, and no word of the scan is a prefix
//! of another, so two words never start at the same byte.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use crate::catalog;

/// Words asked about by their own spelling (`Checker::source_mentions`).
const WORDS: &[&str] = &[
    "threading",
    "contextmanager",
    "SOCK_DGRAM",
    // An application's start-up code (`entry_coroutines::start_up`).
    "lifespan",
    "startup",
    // The coroutine probes a guard clause may ask (`summarize::callable_probed_for_coroutine`).
    "iscoroutine",
    "isawaitable",
    "isasyncgen",
];

/// The words that may guard a loop run (`summarize::may_guard_on_the_loop`), asked about by
/// where they stand.
pub(crate) const LOOP_PROBES: &[&str] = &["is_running", "get_running_loop", "get_event_loop"];

/// Every word of the scan: [`WORDS`], [`LOOP_PROBES`], then the last names of the calls
/// that tell which thread runs (`get_ident`, `current_thread`, ...), in that order.
static SCANNED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut words: Vec<&'static str> = WORDS.iter().chain(LOOP_PROBES).copied().collect();
    for path in catalog::THREAD_IDENTITY_CALLS {
        let last = path.rsplit('.').next().unwrap_or(path);
        if !words.contains(&last) {
            words.push(last);
        }
    }
    words
});

/// The bits of [`SCANNED`] that stand for the thread identity calls.
static THREAD_IDENTITY: LazyLock<u64> = LazyLock::new(|| {
    catalog::THREAD_IDENTITY_CALLS
        .iter()
        .filter_map(|path| {
            let last = path.rsplit('.').next().unwrap_or(path);
            SCANNED.iter().position(|word| *word == last)
        })
        .fold(0, |bits, index| bits | 1 << index)
});

static AUTOMATON: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(SCANNED.iter())
        .ok()
});

/// What one scan of a module's text found.
#[derive(Default)]
pub(crate) struct SourceWords {
    /// Bit `i` set when word `i` of the scan occurs.
    found: u64,
    /// Where the text names one of [`LOOP_PROBES`]: (start, end), by start (the scan finds
    /// them in that order).
    loop_probes: Vec<(u32, u32)>,
}

impl SourceWords {
    /// Scans `text` once for every word.
    pub(crate) fn scan(text: &str) -> Self {
        let mut words = SourceWords::default();
        let Some(automaton) = AUTOMATON.as_ref() else {
            // The automaton is built from constants and always builds; were it not to, every
            // word counts as present, which only costs the rules their shortcut.
            words.found = u64::MAX;
            words.loop_probes = whole_text_probes(text);
            return words;
        };
        let probes = WORDS.len()..WORDS.len() + LOOP_PROBES.len();
        let mut from = 0;
        while let Some(found) = automaton.find(Input::new(text).range(from..)) {
            from = found.start() + 1;
            let index = found.pattern().as_usize();
            words.found |= 1 << index;
            if probes.contains(&index) {
                words
                    .loop_probes
                    .push((found.start() as u32, found.end() as u32));
            }
        }
        words
    }

    /// Whether the text contains `word`: a word of the scan is answered from it, any other
    /// by a search of `text`.
    pub(crate) fn mentions(&self, text: &str, word: &str) -> bool {
        match SCANNED.iter().position(|scanned| *scanned == word) {
            Some(index) => self.found & (1 << index) != 0,
            None => memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some(),
        }
    }

    /// Whether the text names one of the calls that tell which thread runs
    /// (`catalog::THREAD_IDENTITY_CALLS`, by their last name): asked at every call under an
    /// `if`, so answered by one mask rather than a word at a time.
    pub(crate) fn names_thread_identity(&self) -> bool {
        self.found & *THREAD_IDENTITY != 0
    }

    /// Where the text names one of [`LOOP_PROBES`], by start.
    pub(crate) fn loop_probes(&self) -> &[(u32, u32)] {
        &self.loop_probes
    }
}

/// The loop probes found word by word, were the automaton missing.
fn whole_text_probes(text: &str) -> Vec<(u32, u32)> {
    let mut found: Vec<(u32, u32)> = LOOP_PROBES
        .iter()
        .flat_map(|word| {
            memchr::memmem::find_iter(text.as_bytes(), word.as_bytes())
                .map(move |at| (at as u32, (at + word.len()) as u32))
        })
        .collect();
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_answered_as_its_own_search_would() {
        let text = "import threading\nloop.is_running() or asyncio.get_event_loop()\n_thread.get_ident()\n";
        let words = SourceWords::scan(text);
        for word in SCANNED.iter() {
            assert_eq!(
                words.mentions(text, word),
                text.contains(word),
                "{word} in the text"
            );
        }
        assert!(!words.mentions(text, "contextmanager"));
        assert!(words.mentions(text, "get_ident"));
        assert!(!words.mentions(text, "current_thread"));
        assert!(words.names_thread_identity());
        assert!(!SourceWords::scan("import threading").names_thread_identity());
        // A word outside the scan is searched for.
        assert!(words.mentions(text, "import"));
        assert!(!words.mentions(text, "gather"));
    }

    #[test]
    fn loop_probes_are_every_occurrence_by_start() {
        let text = "get_event_loop(); x.is_running(); get_running_loop(); get_event_loop()";
        let words = SourceWords::scan(text);
        assert_eq!(words.loop_probes(), whole_text_probes(text).as_slice());
        assert_eq!(words.loop_probes().len(), 4);
    }

    #[test]
    fn the_scan_fits_its_bit_set_and_no_word_starts_another() {
        assert!(SCANNED.len() <= 64);
        for word in SCANNED.iter() {
            for other in SCANNED.iter().filter(|other| other != &word) {
                assert!(!other.starts_with(word), "{word} starts {other}");
            }
        }
    }

    #[test]
    fn overlapping_words_are_both_found() {
        // `current_thread` and `threading` share `thread`.
        let text = "x = current_threading";
        let words = SourceWords::scan(text);
        assert!(words.mentions(text, "current_thread"));
        assert!(words.mentions(text, "threading"));
    }
}
