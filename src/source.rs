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
///
/// A file's index lives as long as its summary (a chain may name a row of any file), so it
/// is kept compact: the start of every [`BLOCK`]th line as an offset, and every line's start
/// as two bytes past its block's. A file with a block longer than 64 KiB keeps every
/// offset whole instead. Serialized (for the cache) as the gaps between line starts.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: LineStarts,
}

/// Lines per block of a compact [`LineIndex`].
const BLOCK: usize = 64;

#[derive(Clone, Debug)]
enum LineStarts {
    Compact {
        blocks: Box<[u32]>,
        within: Box<[u16]>,
    },
    Whole(Box<[u32]>),
}

impl Default for LineIndex {
    fn default() -> Self {
        Self {
            starts: LineStarts::Whole(Box::new([])),
        }
    }
}

/// The index serialized as its packed arrays in little-endian bytes, one byte string: a
/// cached run decodes the index of every file with findings, and copying arrays out of the
/// bytes it borrows costs about a byte's copy per line, where decoding a varint per line
/// (the older form, a third smaller) cost some forty instructions.
///
/// Layout: `0`, the line count as a `u32`, the blocks' starts (`u32` each), the lines'
/// starts within their blocks (`u16` each); or `1` and every start as a `u32`.
mod packed {
    use super::{BLOCK, LineStarts};

    const COMPACT: u8 = 0;
    const WHOLE: u8 = 1;

    pub fn encode(starts: &LineStarts) -> Vec<u8> {
        match starts {
            LineStarts::Compact { blocks, within } => {
                let mut bytes = Vec::with_capacity(5 + blocks.len() * 4 + within.len() * 2);
                bytes.push(COMPACT);
                bytes.extend((within.len() as u32).to_le_bytes());
                bytes.extend(blocks.iter().flat_map(|start| start.to_le_bytes()));
                bytes.extend(within.iter().flat_map(|start| start.to_le_bytes()));
                bytes
            }
            LineStarts::Whole(starts) => {
                let mut bytes = Vec::with_capacity(1 + starts.len() * 4);
                bytes.push(WHOLE);
                bytes.extend(starts.iter().flat_map(|start| start.to_le_bytes()));
                bytes
            }
        }
    }

    /// The starts `bytes` hold; `None` when they are not what [`encode`] writes, or not an
    /// index the lookups can use without going out of bounds (a compact index's first
    /// block and the first line of every block start at 0 past their block).
    pub fn decode(bytes: &[u8]) -> Option<LineStarts> {
        let (&tag, rest) = bytes.split_first()?;
        match tag {
            COMPACT => {
                let (count, rest) = rest.split_first_chunk::<4>()?;
                let lines = u32::from_le_bytes(*count) as usize;
                let (blocks, within) = rest.split_at_checked(lines.div_ceil(BLOCK) * 4)?;
                if within.len() != lines.checked_mul(2)? {
                    return None;
                }
                let blocks = words(blocks);
                let within = halves(within);
                let usable = blocks.first() == Some(&0)
                    && within.iter().step_by(BLOCK).all(|&start| start == 0);
                usable.then_some(LineStarts::Compact { blocks, within })
            }
            WHOLE => (rest.len() % 4 == 0).then(|| LineStarts::Whole(words(rest))),
            _ => None,
        }
    }

    // The two below fill an array made at its size, element by element, which the compiler
    // turns into plain copies: collecting from `chunks_exact` went a start at a time, 8 M
    // instructions for the line indexes of a cached run over the benchmark corpus.

    /// `bytes` (a multiple of four long) as little-endian `u32`s.
    fn words(bytes: &[u8]) -> Box<[u32]> {
        let mut words = vec![0u32; bytes.len() / 4];
        for (word, start) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes([start[0], start[1], start[2], start[3]]);
        }
        words.into_boxed_slice()
    }

    /// `bytes` (a multiple of two long) as little-endian `u16`s.
    fn halves(bytes: &[u8]) -> Box<[u16]> {
        let mut halves = vec![0u16; bytes.len() / 2];
        for (half, start) in halves.iter_mut().zip(bytes.chunks_exact(2)) {
            *half = u16::from_le_bytes([start[0], start[1]]);
        }
        halves.into_boxed_slice()
    }
}

impl serde::Serialize for LineIndex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&packed::encode(&self.starts))
    }
}

impl<'de> serde::Deserialize<'de> for LineIndex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Packed;
        impl<'de> serde::de::Visitor<'de> for Packed {
            type Value = LineIndex;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a packed line index")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<LineIndex, E> {
                packed::decode(bytes)
                    .map(|starts| LineIndex { starts })
                    .ok_or_else(|| E::custom("malformed line index"))
            }
        }
        deserializer.deserialize_bytes(Packed)
    }
}

impl LineIndex {
    /// The index of `source`'s lines, built in one pass over its line ends straight into
    /// the compact form: collecting every start first and packing them after took as long
    /// as the search itself (it runs over every file's whole text).
    pub fn new(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut compact = CompactStarts::for_text(bytes.len());
        // Most files end their lines with `\n` alone: then one byte is searched for, faster
        // than two.
        let packed = if memchr::memchr(b'\r', bytes).is_none() {
            each_newline(bytes, |at| compact.push((at + 1) as u32))
        } else {
            line_ends(bytes).all(|at| compact.push((at + 1) as u32))
        };
        if packed {
            compact.finish()
        } else {
            // A block longer than 64 KiB: every start kept whole.
            let line_starts = std::iter::once(0)
                .chain(line_ends(bytes).map(|at| (at + 1) as u32))
                .collect();
            Self::from_starts(line_starts)
        }
    }

    /// The index of these line starts (ascending, the first 0; a cached index's may be
    /// anything, so nothing here assumes it).
    fn from_starts(line_starts: Vec<u32>) -> Self {
        if line_starts.first() != Some(&0) || line_starts.windows(2).any(|pair| pair[1] < pair[0]) {
            return Self {
                starts: LineStarts::Whole(line_starts.into_boxed_slice()),
            };
        }
        let blocks: Box<[u32]> = line_starts.iter().step_by(BLOCK).copied().collect();
        let within: Option<Box<[u16]>> = line_starts
            .iter()
            .enumerate()
            .map(|(line, &start)| u16::try_from(start - blocks[line / BLOCK]).ok())
            .collect();
        let starts = match within {
            Some(within) => LineStarts::Compact { blocks, within },
            None => LineStarts::Whole(line_starts.into_boxed_slice()),
        };
        Self { starts }
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: TextSize) -> usize {
        let offset = u32::from(offset);
        match &self.starts {
            LineStarts::Whole(starts) => starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1),
            LineStarts::Compact { blocks, within } => {
                // The first block always starts at 0, so the block is found.
                let block = blocks.partition_point(|&start| start <= offset) - 1;
                let relative = offset - blocks[block];
                let first = block * BLOCK;
                let lines = &within[first..within.len().min(first + BLOCK)];
                first + lines.partition_point(|&start| u32::from(start) <= relative) - 1
            }
        }
    }

    pub fn line_count(&self) -> usize {
        match &self.starts {
            LineStarts::Whole(starts) => starts.len(),
            LineStarts::Compact { within, .. } => within.len(),
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> TextSize {
        TextSize::from(self.start(line).unwrap_or(u32::MAX))
    }

    fn start(&self, line: usize) -> Option<u32> {
        match &self.starts {
            LineStarts::Whole(starts) => starts.get(line).copied(),
            LineStarts::Compact { blocks, within } => {
                let relative = *within.get(line)?;
                Some(blocks[line / BLOCK] + u32::from(relative))
            }
        }
    }

    pub fn location(&self, offset: TextSize, source: &str) -> Location {
        let line = self.line_of(offset);
        let start = self.start(line).unwrap_or(0) as usize;
        let end = (u32::from(offset) as usize).min(source.len());
        let column = source
            .get(start..end)
            .map_or(end.saturating_sub(start), |text| text.chars().count());
        Location {
            row: line + 1,
            column: column + 1,
        }
    }

    /// The location of `offset` with the column counted in bytes: the same as
    /// [`LineIndex::location`]'s on a line of ASCII characters.
    pub fn byte_location(&self, offset: TextSize) -> Location {
        let line = self.line_of(offset);
        let start = self.start(line).unwrap_or(0);
        Location {
            row: line + 1,
            column: u32::from(offset).saturating_sub(start) as usize + 1,
        }
    }

    /// The text of 0-based `line`, without its line terminator.
    pub fn line_text<'s>(&self, line: usize, source: &'s str) -> &'s str {
        let Some(start) = self.start(line) else {
            return "";
        };
        let end = self
            .start(line + 1)
            .map_or(source.len(), |next| next as usize);
        source
            .get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// What locates a text's offsets besides its [`LineIndex`], without the text: its length,
/// and the lines holding a character beyond ASCII, where a column (counted in characters) is
/// not the byte distance from the line's start. The cache keeps it for a file with findings,
/// so that a run whose output shows no code frames need not read the file again.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AsciiLines {
    len: u32,
    /// 0-based, ascending.
    non_ascii: Box<[u32]>,
}

impl AsciiLines {
    /// Those of `source`, found by one pass for bytes beyond ASCII that counts the line ends
    /// before each (no line index made: most files have none, some have a few).
    pub fn of(source: &str) -> Self {
        let len = u32::try_from(source.len()).unwrap_or(u32::MAX);
        let bytes = source.as_bytes();
        let mut non_ascii = Vec::new();
        // The line of `counted`, and the offset up to which line ends have been counted.
        let (mut line, mut counted) = (0usize, 0usize);
        while let Some(found) = first_non_ascii(&bytes[counted..]) {
            let at = counted + found;
            // A `\r` right before `at` ends a line on its own: `at` is no `\n`.
            line += line_ends(&bytes[counted..at]).count();
            non_ascii.extend(u32::try_from(line));
            // On to the start of the next line.
            match line_ends(&bytes[at..]).next() {
                Some(end) => {
                    line += 1;
                    counted = at + end + 1;
                }
                None => break,
            }
        }
        Self {
            len,
            non_ascii: non_ascii.into_boxed_slice(),
        }
    }

    /// The location of `offset` as [`LineIndex::location`] gives it with the text; `None`
    /// when its line holds a character beyond ASCII (the text is needed to count it).
    pub fn location(&self, index: &LineIndex, offset: TextSize) -> Option<Location> {
        let offset = TextSize::from(u32::from(offset).min(self.len));
        let line = index.line_of(offset);
        let on_non_ascii =
            u32::try_from(line).map_or(true, |line| self.non_ascii.binary_search(&line).is_ok());
        if on_non_ascii {
            return None;
        }
        // [`LineIndex::byte_location`], the line already found.
        let start = index.start(line).unwrap_or(0);
        Some(Location {
            row: line + 1,
            column: u32::from(offset).saturating_sub(start) as usize + 1,
        })
    }
}

/// Where the first byte beyond ASCII is: whole blocks are tested at once (a byte at a time
/// was slower than the line index it replaced).
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut skipped = 0;
    for block in bytes.chunks(64) {
        if !block.is_ascii() {
            return block
                .iter()
                .position(|byte| !byte.is_ascii())
                .map(|at| skipped + at);
        }
        skipped += block.len();
    }
    None
}

/// The offsets of the bytes that end a line: `\n`, and a lone `\r` (it ends a line for
/// Python too; `\r\n` ends at its `\n`).
fn line_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&at| bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n'))
}

/// Calls `found` with the offset of every `\n` of `bytes`, in order, until it returns
/// false; returns whether it never did. Python's lines are short (about 40 bytes in the
/// benchmark corpus), so a search that starts again after each match, as `memchr_iter`
/// does, pays its setup once a line: 1.5 % of a cold run's instructions went to building
/// line indexes that way. Here sixteen bytes at a time are compared at once and each
/// match is read off the comparison's bit mask.
fn each_newline(bytes: &[u8], mut found: impl FnMut(usize) -> bool) -> bool {
    let (chunks, rest) = bytes.as_chunks::<16>();
    let mut base = 0;
    for chunk in chunks {
        let mut mask = newline_mask(chunk);
        while mask != 0 {
            if !found(base + mask.trailing_zeros() as usize) {
                return false;
            }
            mask &= mask - 1;
        }
        base += 16;
    }
    memchr::memchr_iter(b'\n', rest).all(|at| found(base + at))
}

/// Bit `i` set where byte `i` of the sixteen is `\n`.
#[cfg(target_arch = "x86_64")]
fn newline_mask(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: SSE2 is part of every x86_64 CPU, so its instructions always exist; the load
    // reads the chunk's sixteen bytes, with no alignment asked.
    unsafe {
        let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
        _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\n' as i8))) as u32
    }
}

/// Bit `i` set where byte `i` of the sixteen is `\n`.
#[cfg(not(target_arch = "x86_64"))]
fn newline_mask(chunk: &[u8; 16]) -> u32 {
    chunk.iter().enumerate().fold(0, |mask, (at, &byte)| {
        mask | (u32::from(byte == b'\n') << at)
    })
}

/// A compact [`LineIndex`] in the making, line start by line start.
struct CompactStarts {
    blocks: Vec<u32>,
    within: Vec<u16>,
}

impl CompactStarts {
    /// Room for the lines of a text of `length` bytes (Python averages over 30 bytes a
    /// line), the first line's start made.
    fn for_text(length: usize) -> Self {
        let lines = length / 32 + 1;
        let mut blocks = Vec::with_capacity(lines / BLOCK + 1);
        let mut within = Vec::with_capacity(lines);
        blocks.push(0);
        within.push(0);
        Self { blocks, within }
    }

    /// Adds the next line's start (past the previous one's); false when it is too far past
    /// its block's start for two bytes.
    fn push(&mut self, start: u32) -> bool {
        if self.within.len().is_multiple_of(BLOCK) {
            self.blocks.push(start);
        }
        let base = self.blocks.last().copied().unwrap_or(0);
        match start
            .checked_sub(base)
            .and_then(|relative| u16::try_from(relative).ok())
        {
            Some(relative) => {
                self.within.push(relative);
                true
            }
            None => false,
        }
    }

    fn finish(self) -> LineIndex {
        LineIndex {
            starts: LineStarts::Compact {
                blocks: self.blocks.into_boxed_slice(),
                within: self.within.into_boxed_slice(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_newline_finds_what_a_byte_search_finds() {
        let texts = [
            String::new(),
            "\n".to_string(),
            "no newline at all".to_string(),
            "x\n".repeat(40),
            format!("{}\n{}\n\n", "a".repeat(15), "b".repeat(16)),
            (0..300)
                .map(|n| if n % 7 == 0 { '\n' } else { 'é' })
                .collect(),
            "\n".repeat(33),
        ];
        for text in &texts {
            let mut found = Vec::new();
            assert!(each_newline(text.as_bytes(), |at| {
                found.push(at);
                true
            }));
            let expected: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
            assert_eq!(found, expected, "{text:?}");
        }
        // Stopped by the callback at the third newline, in the first chunk or a later one.
        for text in ["a\nb\nc\nd\n", &"abcdefghij\n".repeat(9)] {
            let mut seen = 0;
            assert!(!each_newline(text.as_bytes(), |_| {
                seen += 1;
                seen < 3
            }));
            assert_eq!(seen, 3);
        }
    }

    #[test]
    fn ascii_lines_name_the_lines_a_line_index_sees_beyond_ascii() {
        // Line by line through a line index, as the lines are defined.
        let by_index = |source: &str| -> Vec<u32> {
            let index = LineIndex::new(source);
            (0..index.line_count())
                .filter(|&line| {
                    let start = index.start(line).unwrap_or(0) as usize;
                    let end = index
                        .start(line + 1)
                        .map_or(source.len(), |next| next as usize);
                    !source.as_bytes()[start..end].is_ascii()
                })
                .map(|line| line as u32)
                .collect()
        };
        for source in [
            "",
            "plain\n",
            "é",
            "é\n",
            "a\né",
            "a\r\néb é\r\n\r\nc é\n",
            "a\ré\rb\r\r€\n",
            "x\r\né\r",
            "é\n\n\né\né",
            "no newline at the end: ü",
            "\r\r\n\n€€€\r\n",
        ] {
            assert_eq!(
                AsciiLines::of(source).non_ascii.to_vec(),
                by_index(source),
                "{source:?}"
            );
        }
    }

    #[test]
    fn ascii_lines_locate_as_the_text_does_and_only_on_ascii_lines() {
        let source = "x = 1\r\ny = 'café'  # non-ASCII\rz = f(\n    y)\n";
        let index = LineIndex::new(source);
        let lines = AsciiLines::of(source);
        for offset in 0..=source.len() as u32 + 3 {
            let offset = TextSize::from(offset);
            let with_text = index.location(offset, source);
            match lines.location(&index, offset) {
                Some(location) => assert_eq!(location, with_text, "at {offset:?}"),
                None => assert_eq!(with_text.row, 2, "only line 2 needs the text"),
            }
        }
        assert!(lines.location(&index, TextSize::from(9)).is_none());
        let z = source.find('z').unwrap() as u32;
        assert!(lines.location(&index, TextSize::from(z)).is_some());
        let ascii = "a = 1\n";
        assert_eq!(AsciiLines::of(ascii).non_ascii.len(), 0);
    }

    fn starts(index: &LineIndex) -> Vec<Option<u32>> {
        (0..index.line_count())
            .map(|line| index.start(line))
            .collect()
    }

    #[test]
    fn a_line_index_round_trips_packed_in_either_form() {
        let compact = LineIndex::new("a\n\nbb\r\nccc\rd");
        let bytes = postcard::to_allocvec(&compact).unwrap();
        // The byte string's length, the form, 5 lines, one block starting at 0, and each
        // line's start within it.
        assert_eq!(
            bytes,
            [19, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 7, 0, 11, 0]
        );
        let back: LineIndex = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(starts(&back), starts(&compact));

        let whole = LineIndex::new(&format!("a = 1\n{}\nb\n", "y".repeat(70_000)));
        assert!(matches!(whole.starts, LineStarts::Whole(_)));
        let back: LineIndex =
            postcard::from_bytes(&postcard::to_allocvec(&whole).unwrap()).unwrap();
        assert_eq!(starts(&back), starts(&whole));
    }

    /// A damaged index is refused, never taken for one whose lookups would index out of
    /// bounds.
    #[test]
    fn a_packed_line_index_that_does_not_hold_together_is_refused() {
        let good = postcard::to_allocvec(&LineIndex::new("a\nb\n")).unwrap();
        assert!(postcard::from_bytes::<LineIndex>(&good).is_ok());
        let mut damaged: Vec<Vec<u8>> = Vec::new();
        // Cut short, in the count and in the starts.
        damaged.push(vec![3, 0, 3, 0]);
        damaged.push(good[..good.len() - 1].to_vec());
        // A form that does not exist.
        damaged.push(vec![1, 7]);
        // A first block that does not start at 0.
        damaged.push(vec![11, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0]);
        // A block whose first line is not at its start.
        damaged.push(vec![11, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
        // More lines said than given.
        damaged.push(vec![11, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        // A whole form with a start cut in half.
        damaged.push(vec![3, 1, 0, 0]);
        for bytes in damaged {
            assert!(
                postcard::from_bytes::<LineIndex>(&bytes).is_err(),
                "{bytes:?} was taken for a line index"
            );
        }
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

    /// Every offset of a text finds the line that holds it, in the compact form (many
    /// blocks of lines) and in the whole form (a line longer than 64 KiB).
    #[test]
    fn the_compact_and_the_whole_index_agree_with_a_scan() {
        // 320 line starts in all (the last after the final newline), five whole blocks:
        // the line after the last is in no block.
        let short_lines: String = (0..319).map(|n| format!("x{n} = {n}\n")).collect();
        let long_line = format!("a = 1\n{}\nb = 2\n", "y".repeat(70_000));
        for source in [short_lines.as_str(), long_line.as_str()] {
            let index = LineIndex::new(source);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(source.match_indices('\n').map(|(at, _)| at + 1))
                .collect();
            assert_eq!(index.line_count(), starts.len());
            for (line, &start) in starts.iter().enumerate() {
                assert_eq!(index.line_start(line), TextSize::try_from(start).unwrap());
            }
            assert_eq!(index.line_start(starts.len()), TextSize::from(u32::MAX));
            let last = starts.len() - 1;
            assert_eq!(index.line_text(last, source), "");
            for offset in (0..=source.len()).step_by(7) {
                let expected = starts.partition_point(|&start| start <= offset) - 1;
                let at = TextSize::try_from(offset).unwrap();
                assert_eq!(index.line_of(at), expected, "offset {offset}");
            }
        }
        assert!(matches!(
            LineIndex::new(&short_lines).starts,
            LineStarts::Compact { .. }
        ));
        assert!(matches!(
            LineIndex::new(&long_line).starts,
            LineStarts::Whole(_)
        ));
    }
}
