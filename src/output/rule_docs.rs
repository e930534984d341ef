//! A rule's documentation outside `docs/rules.md`: `loopwarden rule CODE` on a terminal, and
//! the one-line summary SARIF viewers show next to a finding.
//!
//! The docs are Markdown. Piped or redirected, they are printed as written, the title
//! without its `#` (Markdown reads well as plain text, and a pager or a file gets no escape
//! codes). On a terminal, the
//! markup becomes styling: the title and headings in bold, code blocks indented and
//! coloured without their fences, inline code coloured without its backticks, list items
//! as bullets.

use std::io::{self, Write};

use super::style::{Paint, printable};

/// Writes `docs`, styled for a terminal when `color` is on, as written otherwise.
pub(super) fn render(docs: &str, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let docs = docs.trim();
    if !color {
        // The title without its `#` (it names the rule, as the first line of any
        // `loopwarden` output does), the rest as written.
        let docs = docs.strip_prefix("# ").unwrap_or(docs);
        return writeln!(out, "{docs}");
    }
    let paint = Paint::new(true);
    let mut in_code = false;
    let mut lines: Vec<String> = Vec::new();
    for line in docs.lines() {
        if line.trim_start().starts_with("```") {
            // A code block stands apart from the prose after it.
            if in_code {
                lines.push(String::new());
            }
            in_code = !in_code;
            continue;
        }
        lines.push(if in_code {
            format!("    {}", paint.code_block(&printable(line)))
        } else if let Some(title) = line.strip_prefix("# ") {
            paint.title(&printable(title))
        } else if let Some(heading) = line.trim_start_matches('#').strip_prefix(' ')
            && line.starts_with("##")
        {
            paint.label(&printable(heading))
        } else if let Some(item) = line.strip_prefix("- ") {
            format!("  • {}", inline(item, paint))
        } else if let Some(continued) = line.strip_prefix("  ") {
            // The continuation of a list item lines up under its text.
            format!("    {}", inline(continued.trim_start(), paint))
        } else {
            inline(line, paint)
        });
    }
    let mut previous_blank = false;
    for line in lines {
        let blank = line.is_empty();
        if !(blank && previous_blank) {
            writeln!(out, "{line}")?;
        }
        previous_blank = blank;
    }
    Ok(())
}

/// A line of prose with its `code` spans coloured and their backticks dropped, and its
/// `**strong**` text in bold.
fn inline(line: &str, paint: Paint) -> String {
    let line = printable(line);
    let mut styled = String::with_capacity(line.len() + 16);
    let mut rest = line.as_str();
    while let Some(open) = rest.find(['`', '*']) {
        let marker = if rest[open..].starts_with("**") {
            "**"
        } else if rest[open..].starts_with('`') {
            "`"
        } else {
            styled.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        let inner = &rest[open + marker.len()..];
        let Some(close) = inner.find(marker) else {
            break;
        };
        styled.push_str(&rest[..open]);
        let text = &inner[..close];
        styled.push_str(&if marker == "`" {
            paint.inline_code(text)
        } else {
            paint.label(text)
        });
        rest = &inner[close + marker.len()..];
    }
    styled.push_str(rest);
    styled
}

/// The rule's one-line summary: the first sentence of its "What it does" section, on one
/// line. A sentence that introduces a list (`...: - (a) ...`) ends where the list starts.
pub(super) fn summary(docs: &str, name: &str) -> String {
    let paragraph: Vec<&str> = docs
        .lines()
        .skip_while(|line| line.trim() != "## What it does")
        .skip(1)
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with(['-', '#']) && !line.starts_with("```")
        })
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        return name.to_string();
    }
    let text = paragraph.join(" ");
    let mut in_code = false;
    let mut depth = 0usize;
    for (at, ch) in text.char_indices() {
        match ch {
            '`' => in_code = !in_code,
            '(' if !in_code => depth += 1,
            ')' if !in_code => depth = depth.saturating_sub(1),
            '.' | ':' if !in_code && depth == 0 => {
                let after = &text[at + 1..];
                let next_starts_sentence = after
                    .strip_prefix(' ')
                    .is_some_and(|next| ch == ':' || next.starts_with(char::is_uppercase));
                if after.is_empty() || next_starts_sentence {
                    return format!("{}.", &text[..at]);
                }
            }
            _ => {}
        }
    }
    format!("{}.", text.trim_end_matches(['.', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_first_whole_sentence() {
        let docs = "# LW9 x\n\n## What it does\nFlags `a.b()` (see: `c`) in an `async def`. It\nalso does more.\n";
        assert_eq!(
            summary(docs, "x"),
            "Flags `a.b()` (see: `c`) in an `async def`."
        );
        let listing = "## What it does\nFlags a call where a loop\nruns:\n- (a) here\n";
        assert_eq!(summary(listing, "x"), "Flags a call where a loop runs.");
        let long = "## What it does\nFlags a call: file access (`open`), and so on.\n";
        assert_eq!(summary(long, "x"), "Flags a call.");
        assert_eq!(summary("# no sections", "fallback"), "fallback");
    }

    /// A summary is cut at a sentence's end, so every rule's first paragraph must end one
    /// (a paragraph that runs into a list without a `:` would be cut mid-sentence).
    #[test]
    fn every_rules_first_paragraph_ends_a_sentence() {
        for &rule in crate::registry::Rule::ALL {
            let docs = crate::rules::docs(rule);
            let summary = summary(docs, rule.name());
            let unwrapped = docs.split_whitespace().collect::<Vec<_>>().join(" ");
            let body = summary.trim_end_matches('.');
            let found = unwrapped.find(body).map(|at| &unwrapped[at + body.len()..]);
            assert!(
                found.is_some_and(|rest| rest.starts_with(['.', ':'])),
                "{}: the summary `{summary}` does not end a sentence of the docs",
                rule.code()
            );
        }
    }

    #[test]
    fn inline_markup_becomes_styling() {
        let styled = inline("use `await x` and **not** `y", Paint::new(true));
        assert!(!styled.contains("`await") && styled.contains("await x"));
        assert!(!styled.contains("**"));
        // An unclosed backtick is left as written.
        assert!(styled.ends_with("`y"));
    }
}
