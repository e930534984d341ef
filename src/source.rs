//! A file's text and the mapping from byte offsets to 1-based rows and columns.

use ruff_text_size::TextSize;

/// Nesting beyond this is not descended into by any walk over a tree: no rule has anything
/// to say about code nested ten thousand levels deep, and every walk must finish on any
/// input.
pub const MAX_NESTING: usize = 10_000;

/// 1-based row and column; the column counts characters, as Ruff's does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// Byte offsets of line starts, to turn a [`TextSize`] into a [`Location`].
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LineIndex {
    #[serde(with = "gaps")]
    line_starts: Vec<u32>,
}

/// Line starts serialized as the gaps between them: a byte or two each in a varint format,
/// where the offsets themselves take three or four.
mod gaps {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(starts: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
        // Of exact length: a format may need the length first.
        let first = starts.first().copied();
        let rest = starts.windows(2).map(|pair| pair[1].wrapping_sub(pair[0]));
        serializer.collect_seq(first.into_iter().chain(rest))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
        let mut at = 0u32;
        Ok(Vec::<u32>::deserialize(deserializer)?
            .into_iter()
            .map(|gap| {
                at = at.wrapping_add(gap);
                at
            })
            .collect())
    }
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        let bytes = source.as_bytes();
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A lone `\r` ends a line for Python too; `\r\n` is handled by its `\n`.
            if bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n') {
                line_starts.push((at + 1) as u32);
            }
        }
        Self { line_starts }
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: TextSize) -> usize {
        let offset = u32::from(offset);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> TextSize {
        TextSize::from(self.line_starts.get(line).copied().unwrap_or(u32::MAX))
    }

    pub fn location(&self, offset: TextSize, source: &str) -> Location {
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let end = (u32::from(offset) as usize).min(source.len());
        let column = source
            .get(start..end)
            .map_or(end.saturating_sub(start), |text| text.chars().count());
        Location {
            row: line + 1,
            column: column + 1,
        }
    }

    /// The text of 0-based `line`, without its line terminator.
    pub fn line_text<'s>(&self, line: usize, source: &'s str) -> &'s str {
        let Some(&start) = self.line_starts.get(line) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(source.len(), |&next| next as usize);
        source
            .get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_index_round_trips_as_gaps() {
        let index = LineIndex::new("a\n\nbb\r\nccc\rd");
        let bytes = postcard::to_allocvec(&index).unwrap();
        assert_eq!(bytes, [5, 0, 2, 1, 4, 4]);
        let back: LineIndex = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.line_starts, index.line_starts);
    }

    #[test]
    fn locations_count_characters_and_all_line_endings() {
        let source = "a = 1\r\nb = 'é'; c\rd";
        let index = LineIndex::new(source);
        assert_eq!(index.line_count(), 3);
        let c = source.find('c').unwrap();
        assert_eq!(
            index.location(TextSize::from(c as u32), source),
            Location { row: 2, column: 10 }
        );
        let d = source.find('d').unwrap();
        assert_eq!(
            index.location(TextSize::from(d as u32), source),
            Location { row: 3, column: 1 }
        );
        assert_eq!(index.line_text(1, source), "b = 'é'; c");
    }
}
