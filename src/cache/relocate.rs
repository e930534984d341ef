//! The last link's findings moved with the code, for files whose summaries changed only in
//! where things are (a line inserted above their code: every offset below it moves).
//!
//! The link reads positions only to copy them into findings (a finding's range, its fix's
//! edits, the row of a chain's step, and that row in the message's chain) and to compare
//! them with each other (a call before an assignment, two calls on one row). So when a
//! file's old and new summaries have the same shape (`super::shape`: equal but for their
//! offsets), its offsets moved in the same order and its rows likewise, the link would find
//! the same findings at the moved positions. [`Moved`] pairs each old offset and row with
//! its new one, refusing when the order is not kept; [`relocate`] moves the findings through
//! those pairs, refusing when one names a position the summaries do not hold (such a
//! position did not come from them, so it cannot be moved safely). A refusal means linking
//! again, as without this.

use rustc_hash::FxHashMap;

use crate::diagnostic::{Diagnostic, chain_text};
use crate::project::summary::{MODULE_CODE, ModuleSummary};
use crate::source::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use super::shape;

/// How the positions of one file moved.
#[derive(Debug)]
pub struct Moved {
    /// The file's position among the files linked.
    position: usize,
    /// Its display path, as chain steps name it.
    display: String,
    /// Each offset its old summary holds, with the new one, sorted by both.
    offsets: Vec<(u32, u32)>,
    /// The 1-based row of each of those offsets, old and new, sorted by both.
    rows: Vec<(usize, usize)>,
}

impl Moved {
    /// How the positions of the file at `position` moved from its `old` summary (with its
    /// line index) to its `new` one, the two of the same shape; `None` when they did not move
    /// in order: two offsets (or rows) swapped, or came together, or apart.
    pub fn between(
        (position, display): (usize, &str),
        old: (Option<&ModuleSummary>, &LineIndex),
        new: (Option<&ModuleSummary>, &LineIndex),
    ) -> Option<Self> {
        let old_offsets = shape::offsets(&old.0)?;
        let new_offsets = shape::offsets(&new.0)?;
        if old_offsets.len() != new_offsets.len() {
            return None;
        }
        let offsets = in_order(old_offsets.into_iter().zip(new_offsets))?;
        let row = |index: &LineIndex, offset: u32| index.line_of(TextSize::new(offset)) + 1;
        let rows = in_order(
            offsets
                .iter()
                .map(|&(was, now)| (row(old.1, was), row(new.1, now))),
        )?;
        Some(Self {
            position,
            display: display.to_string(),
            offsets,
            rows,
        })
    }

    fn offset(&self, offset: TextSize) -> Option<TextSize> {
        let offset = u32::from(offset);
        let at = self
            .offsets
            .binary_search_by_key(&offset, |&(was, _)| was)
            .ok()?;
        Some(TextSize::new(self.offsets[at].1))
    }

    fn range(&self, range: TextRange) -> Option<TextRange> {
        Some(TextRange::new(
            self.offset(range.start())?,
            self.offset(range.end())?,
        ))
    }

    fn row(&self, row: usize) -> Option<usize> {
        let at = self.rows.binary_search_by_key(&row, |&(was, _)| was).ok()?;
        Some(self.rows[at].1)
    }
}

/// The pairs sorted, each once, when the second of each rises strictly with the first (a
/// bijection that keeps the order); `None` otherwise.
fn in_order<T: Ord + Copy>(pairs: impl Iterator<Item = (T, T)>) -> Option<Vec<(T, T)>> {
    let mut pairs: Vec<(T, T)> = pairs.collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .windows(2)
        .all(|two| two[0].0 < two[1].0 && two[0].1 < two[1].1)
        .then_some(pairs)
}

/// Moves `findings` (the last link's, by the position of their file) with the files that
/// `moved`: the ranges and fix edits of findings in those files, and every chain step (in
/// any file's findings) that names a row of one, with the chain's text at the end of the
/// message. `false` when a position cannot be moved; `findings` are then partly moved, and
/// must not be used.
pub fn relocate(findings: &mut [Vec<Diagnostic>], moved: &[Moved]) -> bool {
    if moved.is_empty() {
        return true;
    }
    let by_display: FxHashMap<&str, &Moved> = moved
        .iter()
        .map(|moved| (moved.display.as_str(), moved))
        .collect();
    for file in moved {
        let Some(diagnostics) = findings.get_mut(file.position) else {
            return false;
        };
        for diagnostic in diagnostics {
            let Some(range) = file.range(diagnostic.range) else {
                return false;
            };
            diagnostic.range = range;
            for edit in diagnostic.fix.iter_mut().flat_map(|fix| &mut fix.edits) {
                let Some(range) = file.range(edit.range) else {
                    return false;
                };
                edit.range = range;
            }
            // A fix not spelled yet (the sessions that hold every analysis keep LW103's as
            // recipes until a report reads the text): its positions move too, or it would
            // be spelled from where the code was.
            if let Some(pending) = diagnostic.pending_fix.as_deref_mut() {
                let recipe = &mut pending.recipe;
                for range in [
                    &mut recipe.call,
                    &mut recipe.function,
                    &mut recipe.arguments,
                ] {
                    let Some(moved) = file.range(*range) else {
                        return false;
                    };
                    *range = moved;
                }
                let runner = &mut pending.runner;
                let functools = runner
                    .functools
                    .iter_mut()
                    .filter_map(|(_, edit)| edit.as_mut());
                for edit in runner.import.iter_mut().chain(functools) {
                    let Some(range) = file.range(edit.range) else {
                        return false;
                    };
                    edit.range = range;
                }
            }
        }
    }
    findings
        .iter_mut()
        .flatten()
        .all(|diagnostic| move_chain(diagnostic, &by_display))
}

/// Moves the steps of `diagnostic`'s chain that name a row of a file that moved, and the
/// chain's text when it ends the message (as the rules that show a chain write it). `false`
/// when a row that moved is also in the message's or the help's own words: it cannot be
/// told whether it is that step's row.
fn move_chain(diagnostic: &mut Diagnostic, moved: &FxHashMap<&str, &Moved>) -> bool {
    let named = |filename: &str| moved.get(filename).copied();
    if !diagnostic
        .chain
        .iter()
        .any(|step| named(&step.filename).is_some())
    {
        return true;
    }
    let text = chain_text(&diagnostic.chain);
    let mut places = Vec::new();
    for step in &mut diagnostic.chain {
        // A module's code is at its first row, wherever its code moves (its range is no
        // offset: `crate::offsets::name_range`).
        if step.name == MODULE_CODE {
            continue;
        }
        if let Some(file) = named(&step.filename) {
            let Some(row) = file.row(step.row) else {
                return false;
            };
            if row != step.row {
                places.push(format!("{}:{}", step.filename, step.row));
                step.row = row;
            }
        }
    }
    let (words, ends_with_chain) = match diagnostic.message.strip_suffix(&text) {
        Some(words) => (words, true),
        None => (diagnostic.message.as_str(), false),
    };
    let help = diagnostic.help.as_deref().unwrap_or_default();
    if places
        .iter()
        .any(|place| words.contains(place.as_str()) || help.contains(place.as_str()))
    {
        return false;
    }
    if ends_with_chain && !places.is_empty() {
        diagnostic.message = format!("{words}{}", chain_text(&diagnostic.chain));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{ChainStep, Edit, Fix};
    use crate::registry::Rule;

    fn moved(offsets: Vec<(u32, u32)>, rows: Vec<(usize, usize)>) -> Moved {
        Moved {
            position: 0,
            display: "app/db.py".to_string(),
            offsets,
            rows,
        }
    }

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(TextSize::new(start), TextSize::new(end))
    }

    #[test]
    fn pairs_that_keep_their_order_are_kept_and_others_refused() {
        let kept = in_order([(5, 9), (1, 2), (5, 9), (7, 30)].into_iter());
        assert_eq!(kept, Some(vec![(1, 2), (5, 9), (7, 30)]));
        // Swapped, brought together, taken apart.
        assert_eq!(in_order([(1, 9), (5, 2)].into_iter()), None);
        assert_eq!(in_order([(1, 9), (5, 9)].into_iter()), None);
        assert_eq!(in_order([(1, 9), (1, 12)].into_iter()), None);
    }

    #[test]
    fn findings_move_with_their_file_and_chains_with_the_rows_they_name() {
        let file = moved(vec![(10, 30), (14, 34), (40, 60)], vec![(2, 4), (5, 7)]);
        let here =
            Diagnostic::new(Rule::TransitiveBlockingCall, "in here", range(10, 14)).with_fix(
                Fix::safe("fix", vec![Edit::replacement("x", range(40, 40))]),
            );
        let step = |filename: &str, row| ChainStep {
            name: "load".to_string(),
            filename: filename.to_string(),
            row,
        };
        let chain = vec![step("app/web.py", 3), step("app/db.py", 5)];
        let elsewhere = Diagnostic::new(
            Rule::TransitiveBlockingCall,
            format!("`f` blocks: {}", chain_text(&chain)),
            range(1, 2),
        )
        .with_chain(chain);
        let mut findings = vec![vec![here], vec![elsewhere]];
        assert!(relocate(&mut findings, &[file]));
        assert_eq!(findings[0][0].range, range(30, 34));
        assert_eq!(
            findings[0][0].fix.as_ref().unwrap().edits[0].range,
            range(60, 60)
        );
        let elsewhere = &findings[1][0];
        assert_eq!(elsewhere.range, range(1, 2), "another file's range stays");
        assert_eq!(elsewhere.chain[0].row, 3);
        assert_eq!(elsewhere.chain[1].row, 7);
        assert_eq!(elsewhere.message, "`f` blocks: load -> load (app/db.py:7)");
    }

    #[test]
    fn a_position_the_summaries_do_not_hold_is_refused() {
        let file = || moved(vec![(10, 30), (14, 34)], vec![(2, 4)]);
        let off = Diagnostic::new(Rule::TransitiveBlockingCall, "m", range(10, 15));
        assert!(!relocate(&mut [vec![off]], &[file()]));
        let step = ChainStep {
            name: "load".to_string(),
            filename: "app/db.py".to_string(),
            row: 9,
        };
        let unknown_row = Diagnostic::new(Rule::TransitiveBlockingCall, "m", range(10, 14))
            .with_chain(vec![step.clone()]);
        assert!(!relocate(&mut [vec![unknown_row]], &[file()]));
        // A moved row in the message's own words, or in the help.
        let step = ChainStep { row: 2, ..step };
        let in_words = Diagnostic::new(
            Rule::TransitiveBlockingCall,
            "see app/db.py:2 first",
            range(10, 14),
        )
        .with_chain(vec![step.clone()]);
        assert!(!relocate(&mut [vec![in_words]], &[file()]));
        let in_help = Diagnostic::new(Rule::TransitiveBlockingCall, "m", range(10, 14))
            .with_help("look at app/db.py:2")
            .with_chain(vec![step.clone()]);
        assert!(!relocate(&mut [vec![in_help]], &[file()]));
        // A chain the message does not show moves alone.
        let mut findings = [vec![
            Diagnostic::new(Rule::TransitiveBlockingCall, "m", range(10, 14))
                .with_chain(vec![step]),
        ]];
        assert!(relocate(&mut findings, &[file()]));
        assert_eq!(
            (findings[0][0].chain[0].row, findings[0][0].message.as_str()),
            (4, "m")
        );
    }
}
