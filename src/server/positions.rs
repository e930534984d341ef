//! Positions as LSP counts them: 0-based lines, and columns in UTF-16 code units (the
//! protocol's default encoding), converted from and to the byte offsets of the analysis.

use lsp_types::{Position, Range};
use ruff_text_size::{TextRange, TextSize};

use crate::source::LineIndex;

/// An open buffer's text with its line index.
#[derive(Debug)]
pub struct DocumentText {
    pub text: String,
    pub index: LineIndex,
}

impl DocumentText {
    pub fn new(text: String) -> Self {
        let index = LineIndex::new(&text);
        Self { text, index }
    }

    /// The LSP position of byte `offset` (clamped to the text).
    pub fn position(&self, offset: TextSize) -> Position {
        let offset = offset.to_usize().min(self.text.len());
        let line = self.index.line_of(TextSize::new(offset as u32));
        let start = self.index.line_start(line).to_usize();
        let character = match self.text.get(start..offset) {
            Some(before) => before.encode_utf16().count(),
            // Not on a character boundary: count up to the boundary before it.
            None => {
                let mut boundary = offset;
                while boundary > start && !self.text.is_char_boundary(boundary) {
                    boundary -= 1;
                }
                self.text[start..boundary].encode_utf16().count()
            }
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start()), self.position(range.end()))
    }

    /// The byte offset of an LSP position; a column past the end of its line means the
    /// line's end, a line past the end of the text the text's end (as the protocol asks).
    pub fn offset(&self, position: Position) -> TextSize {
        let line = position.line as usize;
        if line >= self.index.line_count() {
            return TextSize::of(self.text.as_str());
        }
        let start = self.index.line_start(line).to_usize();
        let line_text = self.index.line_text(line, &self.text);
        let mut units = 0;
        for (at, character) in line_text.char_indices() {
            if units >= position.character as usize {
                return TextSize::new((start + at) as u32);
            }
            units += character.len_utf16();
        }
        TextSize::new((start + line_text.len()) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is one UTF-16 unit (two bytes), `𝄞` two units (four bytes).
        let text = DocumentText::new("x = 'é𝄞'; y\r\nz\rw".to_string());
        let y = TextSize::new(text.text.find('y').unwrap() as u32);
        assert_eq!(text.position(y), Position::new(0, 11));
        assert_eq!(text.offset(Position::new(0, 11)), y);
        let w = TextSize::new(text.text.find('w').unwrap() as u32);
        assert_eq!(text.position(w), Position::new(2, 0));
        assert_eq!(text.offset(Position::new(2, 0)), w);
    }

    #[test]
    fn positions_out_of_range_are_clamped() {
        let text = DocumentText::new("ab\ncd".to_string());
        assert_eq!(text.offset(Position::new(0, 99)), TextSize::new(2));
        assert_eq!(text.offset(Position::new(9, 0)), TextSize::new(5));
        assert_eq!(text.position(TextSize::new(99)), Position::new(1, 2));
    }
}
