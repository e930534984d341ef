//! Jupyter notebooks (`.ipynb`): the code cells as one Python text, positions in that text
//! mapped back to cells, and fixes written back into the notebook's JSON.
//!
//! The code cells are concatenated in order, each ending with a newline, and parsed in
//! IPython mode: `%magic` and `!shell` lines (and `x = !ls`, `obj?`) are escape commands to
//! the parser, not syntax errors, and they keep their place in the text, so every offset in
//! the concatenation is an offset into some cell. A cell whose first line is a cell magic
//! that runs something other than Python (`%%bash`, `%%html`) is left out; the few cell
//! magics whose body is Python (`%%time`, `%%capture`, ...) keep their cell.
//!
//! Cells are numbered as Ruff numbers them: 1-based, counting every cell of the notebook
//! (markdown and raw ones too), so `cell 3` is the third cell the user sees.
//!
//! Writing back replaces only the `source` value of a cell a fix changed, byte for byte in
//! the file: outputs, metadata, the other cells and the file's own formatting stay as they
//! were. The new value is laid out like the old one (a string stays a string, a list of
//! lines keeps its indentation).

use std::path::Path;

use ruff_text_size::{TextRange, TextSize};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Cell magics whose body is Python: their cells are checked.
const PYTHON_CELL_MAGICS: &[&str] = &["time", "timeit", "capture", "prun", "debug"];

pub fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "ipynb")
}

/// A notebook's code, ready for the analysis.
#[derive(Debug)]
pub struct Notebook {
    /// The checked code cells, concatenated.
    pub source: String,
    pub index: CellIndex,
}

/// Which part of the concatenated text each checked cell is.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellIndex {
    cells: Vec<CellSpan>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct CellSpan {
    /// 1-based, counting every cell of the notebook.
    number: usize,
    /// The position of the cell's `source` value in `cells` (0-based, every cell counted).
    position: usize,
    /// Its bytes in the concatenation, the newline added after it included.
    range: TextRange,
    /// 1-based row of its first line in the concatenation.
    first_row: usize,
    /// How many rows it spans there.
    rows: usize,
    /// A newline was added after it (its text did not end with one).
    added_newline: bool,
}

/// A position's cell: which one, and where it starts in the concatenation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// 1-based, counting every cell of the notebook.
    pub number: usize,
    /// 1-based row of the cell's first line in the concatenated text.
    pub first_row: usize,
    /// 1-based row of its last line there.
    pub last_row: usize,
}

impl Cell {
    /// A row of the concatenated text as a row of this cell (1-based).
    pub fn row(self, row: usize) -> usize {
        (row + 1).saturating_sub(self.first_row).max(1)
    }

    /// Whether a row of the concatenated text belongs to this cell.
    pub fn contains_row(self, row: usize) -> bool {
        (self.first_row..=self.last_row).contains(&row)
    }
}

impl CellIndex {
    /// The cell that holds 1-based `row` of the concatenated text.
    pub fn cell_of_row(&self, row: usize) -> Option<Cell> {
        // The last cell starting at or before the row: an empty cell (no rows) shares its
        // start with the next one, which is the one that holds the row.
        let at = self.cells.partition_point(|cell| cell.first_row <= row);
        let span = self.cells.get(at.checked_sub(1)?)?;
        Some(Cell {
            number: span.number,
            first_row: span.first_row,
            last_row: span.first_row + span.rows.max(1) - 1,
        })
    }
}

#[derive(Deserialize)]
struct RawNotebook<'a> {
    #[serde(borrow)]
    cells: Vec<RawCell<'a>>,
}

#[derive(Deserialize)]
struct RawCell<'a> {
    cell_type: String,
    #[serde(borrow)]
    source: &'a RawValue,
}

/// A cell's `source`: one string, or a list of lines (nbformat allows both).
#[derive(Deserialize)]
#[serde(untagged)]
enum SourceValue {
    Text(String),
    Lines(Vec<String>),
}

impl SourceValue {
    fn into_text(self) -> String {
        match self {
            Self::Text(text) => text,
            Self::Lines(lines) => lines.concat(),
        }
    }
}

/// One cell's source as found in the file.
struct FoundCell<'a> {
    cell_type: String,
    /// The raw JSON of the `source` value, borrowed from the file's text.
    raw: &'a str,
    text: String,
}

fn cells_of(json: &str) -> Result<Vec<FoundCell<'_>>, String> {
    let notebook: RawNotebook = serde_json::from_str(json)
        .map_err(|error| format!("not a valid Jupyter notebook: {error}"))?;
    notebook
        .cells
        .into_iter()
        .map(|cell| {
            let text = serde_json::from_str::<SourceValue>(cell.source.get())
                .map_err(|error| format!("not a valid Jupyter notebook: a cell's source: {error}"))?
                .into_text();
            Ok(FoundCell {
                cell_type: cell.cell_type,
                raw: cell.source.get(),
                text,
            })
        })
        .collect()
}

/// Whether a code cell is Python: not one whose first line is a cell magic for another
/// language.
fn is_python_cell(text: &str) -> bool {
    let Some(first) = text.lines().find(|line| !line.trim().is_empty()) else {
        return true;
    };
    let Some(magic) = first.trim_start().strip_prefix("%%") else {
        return true;
    };
    let name = magic.split_whitespace().next().unwrap_or("");
    PYTHON_CELL_MAGICS.contains(&name)
}

/// Reads a notebook's JSON: the concatenated code of its Python cells, and the index that
/// maps it back to cells.
pub fn read(json: &str) -> Result<Notebook, String> {
    let found = cells_of(json)?;
    let mut source = String::new();
    let mut cells = Vec::new();
    let mut row = 1;
    for (position, cell) in found.iter().enumerate() {
        if cell.cell_type != "code" || !is_python_cell(&cell.text) {
            continue;
        }
        let start = TextSize::of(source.as_str());
        source.push_str(&cell.text);
        let added_newline = !cell.text.is_empty() && !cell.text.ends_with(['\n', '\r']);
        if added_newline {
            source.push('\n');
        }
        let rows = crate::source::LineIndex::new(&source[start.to_usize()..]).line_count() - 1;
        cells.push(CellSpan {
            number: position + 1,
            position,
            range: TextRange::new(start, TextSize::of(source.as_str())),
            first_row: row,
            rows,
            added_newline,
        });
        row += rows;
    }
    Ok(Notebook {
        source,
        index: CellIndex { cells },
    })
}

/// The notebook's JSON with `edits` (byte ranges of the concatenated code, sorted, not
/// overlapping) applied to the cells they fall in. `expected` is the concatenated code the
/// edits were computed on: a notebook whose code is no longer that is not touched.
pub fn write_back<'e>(
    json: &str,
    expected: &str,
    edits: impl IntoIterator<Item = (TextRange, &'e str)>,
) -> Result<String, String> {
    let notebook = read(json)?;
    if notebook.source != expected {
        return Err("the notebook changed since it was checked".to_string());
    }
    let found = cells_of(json)?;
    let mut edits = edits.into_iter().peekable();
    // (where the `source` value is in the file, its new JSON), in file order.
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for span in &notebook.index.cells {
        let mut text = String::new();
        let mut cursor = span.range.start();
        let mut changed = false;
        while let Some(&(range, content)) = edits.peek() {
            if range.start() >= span.range.end() {
                break;
            }
            if range.start() < span.range.start() || range.end() > span.range.end() {
                return Err("a fix spans two cells".to_string());
            }
            text.push_str(&notebook.source[TextRange::new(cursor, range.start())]);
            text.push_str(content);
            cursor = range.end();
            changed = true;
            edits.next();
        }
        if !changed {
            continue;
        }
        text.push_str(&notebook.source[TextRange::new(cursor, span.range.end())]);
        if span.added_newline && text.ends_with('\n') {
            text.pop();
        }
        let raw = found[span.position].raw;
        let start = raw.as_ptr() as usize - json.as_ptr() as usize;
        replacements.push((start..start + raw.len(), source_json(raw, &text)));
    }
    if edits.next().is_some() {
        return Err("a fix falls outside the notebook's code cells".to_string());
    }
    let mut written = String::with_capacity(json.len() + 64);
    let mut cursor = 0;
    for (range, replacement) in replacements {
        written.push_str(&json[cursor..range.start]);
        written.push_str(&replacement);
        cursor = range.end;
    }
    written.push_str(&json[cursor..]);
    Ok(written)
}

/// `text` as a cell's `source` value, laid out like `old` (the value it replaces).
fn source_json(old: &str, text: &str) -> String {
    let quote = |line: &str| serde_json::to_string(line).unwrap_or_else(|_| "\"\"".into());
    if !old.trim_start().starts_with('[') {
        return quote(text);
    }
    let lines: Vec<String> = text.split_inclusive('\n').map(quote).collect();
    if lines.is_empty() {
        return "[]".to_string();
    }
    // One line per element, as Jupyter writes it: keep the indentation of the old list's
    // first element and of its closing bracket.
    if let Some(after_bracket) = old.trim_start().strip_prefix('[')
        && let Some(newline) = after_bracket.find('\n')
    {
        let rest = &after_bracket[newline + 1..];
        let item_indent = &rest[..rest.len() - rest.trim_start().len()];
        let before_close = old.trim_end().strip_suffix(']').unwrap_or(old);
        let close_indent = before_close
            .rfind('\n')
            .map_or("", |at| &before_close[at + 1..]);
        let close_indent = if close_indent.trim().is_empty() {
            close_indent
        } else {
            ""
        };
        let items: Vec<String> = lines
            .iter()
            .map(|line| format!("{item_indent}{line}"))
            .collect();
        return format!("[\n{}\n{close_indent}]", items.join(",\n"));
    }
    format!("[{}]", lines.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Title"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {"tags": ["keep"]},
   "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}],
   "source": [
    "import asyncio\n",
    "%matplotlib inline\n",
    "x = 1"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": "%%bash\nls -la\n"
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": "y = asyncio.run(main())\n"
  }
 ],
 "metadata": {"kernelspec": {"name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn concatenates_python_code_cells_and_maps_rows_to_cells() {
        let notebook = read(NOTEBOOK).unwrap();
        assert_eq!(
            notebook.source,
            "import asyncio\n%matplotlib inline\nx = 1\ny = asyncio.run(main())\n"
        );
        let cell = notebook.index.cell_of_row(3).unwrap();
        assert_eq!((cell.number, cell.row(3)), (2, 3));
        let cell = notebook.index.cell_of_row(4).unwrap();
        assert_eq!((cell.number, cell.row(4)), (4, 1));
        assert!(cell.contains_row(4) && !cell.contains_row(3));
    }

    #[test]
    fn writes_back_only_the_changed_cells_source() {
        let notebook = read(NOTEBOOK).unwrap();
        let call = notebook.source.find("asyncio.run(main())").unwrap() as u32;
        let range = TextRange::new(TextSize::from(call), TextSize::from(call + 19));
        let written = write_back(NOTEBOOK, &notebook.source, [(range, "await main()")]).unwrap();
        assert_eq!(
            written,
            NOTEBOOK.replace(
                r#""source": "y = asyncio.run(main())\n""#,
                r#""source": "y = await main()\n""#
            )
        );
    }

    #[test]
    fn a_list_source_keeps_its_layout_and_its_missing_final_newline() {
        let notebook = read(NOTEBOOK).unwrap();
        let at = TextSize::from(notebook.source.find("x = 1").unwrap() as u32);
        let written = write_back(
            NOTEBOOK,
            &notebook.source,
            [(TextRange::new(at, at + TextSize::from(1)), "z")],
        )
        .unwrap();
        assert_eq!(written, NOTEBOOK.replace(r#""x = 1""#, r#""z = 1""#));
    }

    #[test]
    fn refuses_a_changed_notebook_and_bad_json() {
        assert!(write_back(NOTEBOOK, "other", []).is_err());
        assert!(
            read("{")
                .unwrap_err()
                .starts_with("not a valid Jupyter notebook")
        );
        assert!(read(r#"{"cells": [{"cell_type": "code", "source": 3}]}"#).is_err());
    }
}
