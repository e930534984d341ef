//! How LW601 words a finding: the check (or read), the write and the await between them,
//! each quoted with its row, what can go wrong, and the remedy for the shape.

use rustc_hash::FxHashSet as HashSet;

use ruff_text_size::TextRange;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::message_text::shorten;
use crate::registry::Rule;

use super::model::{Race, RaceKind};

/// Reports `races`, once per check and write.
pub(super) fn report(checker: &mut Checker, races: Vec<Race>) {
    let mut reported = HashSet::default();
    for race in races {
        if !reported.insert((race.check, race.write)) {
            continue;
        }
        let text = |range: TextRange| shorten(checker.text(range), 50);
        let half_built;
        let (subject, consequence, help) = match race.kind {
            RaceKind::LazyInit if race.filled.is_some() => {
                let filled = race.filled.unwrap_or(race.write);
                half_built = format!(
                    "the write publishes an empty value that is only filled in after further awaits (`{}`, row {}), so another coroutine can pass the same check and start it over, and readers see it half-built",
                    text(filled),
                    checker.row_of(filled.start()),
                );
                (
                    "Check",
                    half_built.as_str(),
                    "Build the value in a local and publish it once complete, and hold an `asyncio.Lock` (one per key, for a cache) across the check and the build, re-checking inside it",
                )
            }
            RaceKind::LazyInit => (
                "Check",
                "another coroutine can pass the same check and initialise it twice",
                "Hold an `asyncio.Lock` (one per key, for a cache) across the check and the write, re-checking inside it, or initialise eagerly",
            ),
            RaceKind::CheckThenWrite if race.inserts => (
                "Check",
                "another request can pass the same check and insert too; a unique constraint would turn this into an unhandled IntegrityError, not make it safe",
                "Let the store decide: a unique constraint with an upsert (`INSERT ... ON CONFLICT DO NOTHING`, `get_or_create`), or `SELECT ... FOR UPDATE` in a transaction; or hold an `asyncio.Lock` per key across the check and the insert",
            ),
            RaceKind::CheckThenWrite => (
                "Check",
                "another request can pass the same check and write too",
                "Let the store decide: a conditional write or an upsert, or `SELECT ... FOR UPDATE` in a transaction; or hold an `asyncio.Lock` per key across the check and the write",
            ),
            RaceKind::ReadModifyWrite => (
                "Read",
                "a concurrent update in between is overwritten and lost",
                "Update atomically in the store (`UPDATE ... SET x = x - $1`, `INCRBY`), or hold an `asyncio.Lock` per key across the read and the write",
            ),
            RaceKind::AugmentedAcrossAwait => (
                "Read",
                "the augmented assignment reads its target before the await, so a concurrent update in between is overwritten and lost",
                "Await into a local first, then update with no await in the statement (`delta = await ...`, then `x += delta`), or hold an `asyncio.Lock` across both",
            ),
            RaceKind::StaleWriteBack => (
                "Read",
                "the value written is built on a copy taken before other coroutines ran, so a concurrent update in between is overwritten and lost",
                "Update the state itself after the await, in one step with no await in it (`self.total += delta`), or hold an `asyncio.Lock` across the read and the write",
            ),
        };
        // The await where the window opens: the first one after the check, or, when the write's
        // own await would be the first, the store read's own await (the store answered there).
        let window = if race.check == race.awaited {
            ": other coroutines can run at that await".to_string()
        } else {
            format!(
                ": other coroutines can run at `{}` (row {})",
                text(race.awaited),
                checker.row_of(race.awaited.start()),
            )
        };
        // A write made by the method the statement calls: named where it is made.
        let through = race.through.map_or(String::new(), |write| {
            format!(
                "; it writes `{}` at row {}",
                text(write),
                checker.row_of(write.start()),
            )
        });
        let message = format!(
            "{subject} `{}` (row {}) and write `{}` (row {}{through}) are not atomic{window}; {consequence}",
            text(race.check),
            checker.row_of(race.check.start()),
            text(race.write),
            checker.row_of(race.write.start()),
        );
        checker.report(
            Diagnostic::new(Rule::CheckThenActAcrossAwait, message, race.check).with_help(help),
        );
    }
}
