//! The default human output, shaped like Ruff's full output. For each finding:
//!
//! ```text
//! app/routes.py:10:12: LW103 `webhook` calls `_query_sync`, which blocks the event loop
//!    |
//!  9 | async def webhook(request):
//! 10 |     rows = _query_sync(request.user)
//!    |            ^^^^^^^^^^^^^^^^^^^^^^^^^
//! 11 |     return rows
//!    |
//!    = help: Run the helper in a thread: `await asyncio.to_thread(_query_sync, request.user)`
//!    = chain: webhook (app/routes.py:10) -> _query_sync (app/db.py:4) -> sqlite3.connect (app/db.py:6)
//!    = seen at run time: held the loop 14 times, 230 ms max
//!    = [unsafe fix] Run `_query_sync` in a thread with `asyncio.to_thread`
//! ```
//!
//! (the `seen at run time` line only with `--runtime-report`, for a finding it confirms.)
//!
//! then a blank line, and after the last finding the summary.
//!
//! LW103 findings of one helper called from several coroutines are one problem with several
//! places to fix it: the first call site is shown in full, with the chain once and every
//! call site listed under it (`= called from 3 places:`); the others are not repeated.
//!
//! The frame shows the finding's line(s) with one line of context on each side. A span over
//! several lines is underlined from its start to the end of its first line, and a span over
//! more than [`MAX_SPAN_LINES`] lines shows its first lines, `...`, and its last line. Tabs are
//! expanded to tab stops of [`TAB_WIDTH`], and the caret is placed by display width (a CJK
//! character takes two cells, a combining mark none), so it lines up under the right character.
//! Lines longer than [`MAX_LINE_CHARS`] are cut to a window around the span, marked `…`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use std::collections::BTreeSet;

use super::options::{RenderOptions, findings_with_files, helper_call_sites, helper_chain};
use super::style::{Paint, needs_replacement, printable, visible};
use super::{concise, summary};
use crate::diagnostic::Applicability;
use crate::notebook::Cell;
use crate::report::{FileFindings, Finding, Report};

/// Tab stops every this many columns (Ruff's default indent width).
const TAB_WIDTH: usize = 4;
/// The most lines of a span shown in full; longer spans are elided in the middle.
const MAX_SPAN_LINES: usize = 4;
/// The most characters of one source line shown.
const MAX_LINE_CHARS: usize = 240;
/// How many characters before the span stay visible when a long line is cut.
const LEAD_CHARS: usize = 40;
/// A chain longer than this (in characters) is written one step per line.
const MAX_CHAIN_LINE: usize = 100;

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint::new(options.color);
    let helpers = helper_call_sites(report);
    let mut shown = BTreeSet::new();
    for (file, finding) in findings_with_files(report) {
        let call_sites = helper_chain(finding)
            .and_then(|helper| helpers.get(helper))
            .filter(|sites| sites.len() > 1);
        if let Some(helper) = call_sites.and(helper_chain(finding))
            && !shown.insert(helper)
        {
            continue;
        }
        concise::write_line(finding, paint, out)?;
        write_body(file, finding, call_sites.map(Vec::as_slice), paint, out)?;
        writeln!(out)?;
    }
    summary::write(report, options, paint, out)
}

/// `= called from N places:` and one line per call site of the helper.
fn write_call_sites(
    sites: &[&Finding],
    pad: &str,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{pad} {} {} {} places:",
        paint.gutter("="),
        paint.label("called from"),
        sites.len()
    )?;
    for site in sites {
        let caller = site.chain.first().map_or("", |step| step.name.as_str());
        writeln!(
            out,
            "{pad}     {}:{}:{} in `{}`",
            paint.path(&printable(&site.filename)),
            site.location.row,
            site.location.column,
            printable(caller)
        )?;
    }
    Ok(())
}

/// The code frame, then the help, chain (with the other call sites of the same helper) and
/// fix lines.
fn write_body(
    file: &FileFindings,
    finding: &Finding,
    call_sites: Option<&[&Finding]>,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    let frame = Frame::plan(file, finding);
    let width = frame
        .gutter_width()
        .max(digits(finding.shown(finding.location).row));
    let pad = " ".repeat(width);
    frame.write(file, &pad, paint, out)?;

    let note = |label: &str| format!("{pad} {} {}", paint.gutter("="), paint.label(label));
    if let Some(help) = &finding.help {
        // A help text of several lines keeps its lines, indented under the first.
        let indent = " ".repeat(width + 9);
        for (i, line) in help.lines().enumerate() {
            if i == 0 {
                writeln!(out, "{} {}", note("help:"), printable(line))?;
            } else {
                writeln!(out, "{indent}{}", printable(line))?;
            }
        }
    }
    if !finding.chain.is_empty() {
        let steps: Vec<String> = finding
            .chain
            .iter()
            .map(|step| printable(&format!("{} ({}:{})", step.name, step.filename, step.row)))
            .collect();
        let one_line = steps.join(" -> ");
        if one_line.chars().count() <= MAX_CHAIN_LINE {
            writeln!(out, "{} {one_line}", note("chain:"))?;
        } else {
            let indent = " ".repeat(width + 10);
            writeln!(out, "{} {}", note("chain:"), steps[0])?;
            for step in &steps[1..] {
                writeln!(out, "{indent}-> {step}")?;
            }
        }
    }
    if let Some(sites) = call_sites {
        write_call_sites(sites, &pad, paint, out)?;
    }
    if let Some(seen) = &finding.runtime {
        let label = if seen.only_at_runtime {
            "runtime only:"
        } else {
            "seen at run time:"
        };
        writeln!(out, "{} {}", note(label), printable(&seen.summary()))?;
    }
    if let Some(fix) = &finding.fix {
        let marker = match fix.applicability {
            Applicability::Safe => paint.fixable("[*]"),
            Applicability::Unsafe => paint.label("[unsafe fix]"),
            Applicability::DisplayOnly => paint.label("[suggested fix]"),
        };
        writeln!(
            out,
            "{pad} {} {marker} {}",
            paint.gutter("="),
            printable(&fix.message)
        )?;
    }
    Ok(())
}

/// One row of a code frame.
#[derive(Debug)]
enum FrameLine {
    /// A source line (0-based), with the span's first line underlined from `start` to `end`
    /// (0-based character indices in the line, `end` exclusive).
    Source {
        line: usize,
        underline: Option<(usize, usize)>,
    },
    /// The middle of a long span, left out.
    Elided,
}

#[derive(Debug)]
struct Frame {
    lines: Vec<FrameLine>,
    /// In a notebook, the finding's cell: the frame stays inside it and numbers its rows.
    cell: Option<Cell>,
}

impl Frame {
    /// Which lines to show for `finding`; none when the file's text is not available (an
    /// unreadable file) or the position is outside it.
    fn plan(file: &FileFindings, finding: &Finding) -> Self {
        let count = file.line_index.line_count();
        let row = finding.location.row;
        let cell = finding.cell;
        if row == 0 || row > count {
            return Self {
                lines: Vec::new(),
                cell,
            };
        }
        // Context lines come from the finding's cell only (`line` is 0-based).
        let in_cell = |line: usize| cell.is_none_or(|cell| cell.contains_row(line + 1));
        let first = row - 1;
        let end = finding.end_location;
        let mut last = end.row.saturating_sub(1).clamp(first, count - 1);
        // A span that ends at the start of a line (it took the newline) ends on the line before.
        if last > first && end.column <= 1 && end.row == last + 1 {
            last -= 1;
        }

        let start_char = finding.location.column.saturating_sub(1);
        let end_char = if end.row == row {
            end.column.saturating_sub(1)
        } else {
            // Underline to the end of the first line's text.
            let text = file.line_index.line_text(first, &file.source);
            text.trim_end().chars().count()
        };

        let mut lines = Vec::new();
        if first > 0 && in_cell(first - 1) {
            lines.push(FrameLine::Source {
                line: first - 1,
                underline: None,
            });
        }
        lines.push(FrameLine::Source {
            line: first,
            underline: Some((start_char, end_char)),
        });
        let span_lines = last - first + 1;
        if span_lines <= MAX_SPAN_LINES {
            for line in first + 1..=last {
                lines.push(FrameLine::Source {
                    line,
                    underline: None,
                });
            }
        } else {
            for line in first + 1..first + MAX_SPAN_LINES - 2 {
                lines.push(FrameLine::Source {
                    line,
                    underline: None,
                });
            }
            lines.push(FrameLine::Elided);
            lines.push(FrameLine::Source {
                line: last,
                underline: None,
            });
        }
        let after = last + 1;
        // The empty "line" after a final newline is not worth showing as context.
        if after < count
            && in_cell(after)
            && u32::from(file.line_index.line_start(after)) as usize != file.source.len()
        {
            lines.push(FrameLine::Source {
                line: after,
                underline: None,
            });
        }
        Self { lines, cell }
    }

    /// The row shown for 0-based `line`: in a notebook, the row in the cell.
    fn row_number(&self, line: usize) -> usize {
        self.cell.map_or(line + 1, |cell| cell.row(line + 1))
    }

    fn gutter_width(&self) -> usize {
        self.lines
            .iter()
            .filter_map(|line| match line {
                FrameLine::Source { line, .. } => Some(digits(self.row_number(*line))),
                FrameLine::Elided => None,
            })
            .max()
            .unwrap_or(1)
    }

    fn write(
        &self,
        file: &FileFindings,
        pad: &str,
        paint: Paint,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if self.lines.is_empty() {
            return Ok(());
        }
        let width = pad.len();
        let bar = paint.gutter("|");
        writeln!(out, "{pad} {bar}")?;
        for frame_line in &self.lines {
            match *frame_line {
                FrameLine::Source { line, underline } => {
                    let text = file.line_index.line_text(line, &file.source);
                    let focus = underline.map_or(0, |(start, _)| start);
                    let shown = ShownLine::new(text, focus);
                    let number = paint.gutter(&format!("{:>width$} |", self.row_number(line)));
                    if shown.text.is_empty() {
                        writeln!(out, "{number}")?;
                    } else {
                        writeln!(out, "{number} {}", shown.text)?;
                    }
                    if let Some((start, end)) = underline {
                        let from = shown.column_of(start);
                        let to = shown.column_of(end).max(from + 1);
                        writeln!(
                            out,
                            "{pad} {bar} {}{}",
                            " ".repeat(from),
                            paint.caret(&"^".repeat(to - from))
                        )?;
                    }
                }
                FrameLine::Elided => writeln!(out, "{pad} {bar} ...")?,
            }
        }
        writeln!(out, "{pad} {bar}")
    }
}

/// A source line as shown: tabs expanded, unprintable characters replaced, long lines cut,
/// with the display column of every shown character.
struct ShownLine {
    text: String,
    /// Index (in the whole line) of the first character shown.
    first: usize,
    /// Display column where each shown character starts, plus one entry for the end.
    columns: Vec<usize>,
    /// Whether characters after the last shown one were cut.
    cut_end: bool,
}

impl ShownLine {
    fn new(line: &str, focus: usize) -> Self {
        let total = line.chars().count();
        let (first, last) = if total <= MAX_LINE_CHARS {
            (0, total)
        } else {
            let first = focus.saturating_sub(LEAD_CHARS).min(total - MAX_LINE_CHARS);
            (first, first + MAX_LINE_CHARS)
        };
        let mut text = String::new();
        let mut column = 0;
        if first > 0 {
            text.push('…');
            column += 1;
        }
        let mut columns = Vec::with_capacity(last - first + 1);
        for ch in line.chars().skip(first).take(last - first) {
            columns.push(column);
            if ch == '\t' {
                let spaces = TAB_WIDTH - column % TAB_WIDTH;
                text.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            } else if needs_replacement(ch) {
                text.push(visible(ch));
                column += 1;
            } else {
                text.push(ch);
                column += ch.width().unwrap_or(0);
            }
        }
        columns.push(column);
        let cut_end = last < total;
        if cut_end {
            text.push('…');
        }
        Self {
            text,
            first,
            columns,
            cut_end,
        }
    }

    /// The display column of the character at `index` in the whole line; positions past the
    /// end of the line count one column per character.
    fn column_of(&self, index: usize) -> usize {
        let end = self.columns[self.columns.len() - 1];
        match index.checked_sub(self.first) {
            None => self.columns[0],
            Some(at) if at < self.columns.len() => self.columns[at],
            // Past a cut: stop under the `…`.
            Some(_) if self.cut_end => end + 1,
            Some(at) => end + (at + 1 - self.columns.len()),
        }
    }
}

fn digits(mut n: usize) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}
