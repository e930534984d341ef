//! Code actions and hover on a buffer's findings: each fix as a quick fix (unsafe ones
//! labelled so), "disable for this line" as a `noqa` comment, a `source.fixAll.loopwarden`
//! action applying every safe fix, and the rule's documentation on hover.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Hover, HoverContents, MarkupContent,
    MarkupKind, Position, Range, TextEdit, Url, WorkspaceEdit,
};
use ruff_python_ast::PySourceType;
use ruff_text_size::{TextRange, TextSize};

use super::noqa_edit::noqa_edit;
use super::positions::DocumentText;
use super::workspace::{Document, to_lsp_diagnostic};
use crate::diagnostic::Applicability;
use crate::fix::fixed_source;
use crate::report::{FileFindings, Finding};

/// The kind of the action that applies every safe fix in a file.
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.loopwarden");

/// The code actions for `range` of `document`, of the kinds `only` asks for (all when
/// `None`).
pub fn code_actions(
    uri: &Url,
    document: &Document,
    root: &std::path::Path,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let Some(findings) = &document.findings else {
        return Vec::new();
    };
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|asked| {
                let asked = asked.as_str();
                kind.as_str() == asked
                    || kind
                        .as_str()
                        .strip_prefix(asked)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    };
    let text = &document.text;
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        let selected = TextRange::new(
            text.offset(range.start),
            text.offset(range.end).max(text.offset(range.start)),
        );
        for finding in findings
            .findings
            .iter()
            .filter(|finding| touches(finding.range, selected))
        {
            let diagnostic = to_lsp_diagnostic(finding, text, root);
            if let Some(action) = quick_fix(uri, text, finding) {
                let mut action = action;
                action.diagnostics = Some(vec![diagnostic.clone()]);
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
            if let Some(mut action) = noqa_action(uri, text, finding) {
                action.diagnostics = Some(vec![diagnostic]);
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
        }
    }
    if wanted(&FIX_ALL)
        && let Some(action) = fix_all(uri, text, findings)
    {
        actions.push(CodeActionOrCommand::CodeAction(action));
    }
    actions
}

/// Whether a finding's range meets the selection (a cursor touching either end counts).
fn touches(finding: TextRange, selected: TextRange) -> bool {
    finding.start() <= selected.end() && selected.start() <= finding.end()
}

fn quick_fix(uri: &Url, text: &DocumentText, finding: &Finding) -> Option<CodeAction> {
    let fix = finding.fix.as_ref()?;
    let label = match fix.applicability {
        Applicability::Safe => "",
        Applicability::Unsafe => " (unsafe fix: may change behaviour)",
        Applicability::DisplayOnly => return None,
    };
    if fix.edits.is_empty() {
        return None;
    }
    let edits = fix
        .edits
        .iter()
        .map(|edit| TextEdit::new(text.range(edit.range), edit.content.clone()))
        .collect();
    Some(CodeAction {
        title: format!("{}: {}{label}", finding.rule.code(), fix.message),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(uri, edits)),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..CodeAction::default()
    })
}

fn noqa_action(uri: &Url, text: &DocumentText, finding: &Finding) -> Option<CodeAction> {
    let code = finding.rule.code();
    let line = finding.noqa_row.checked_sub(1)?;
    let edit = noqa_edit(&text.text, &text.index, line, code)?;
    Some(CodeAction {
        title: format!("{code}: Disable for this line (`# noqa: {code}`)"),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(
            uri,
            vec![TextEdit::new(text.range(edit.range), edit.content)],
        )),
        ..CodeAction::default()
    })
}

/// Every safe fix of the file, as `--fix` would apply them, as one edit of the whole text;
/// `None` when there is none or the result would not parse.
fn fix_all(uri: &Url, text: &DocumentText, findings: &FileFindings) -> Option<CodeAction> {
    let (fixed, applied) = fixed_source(findings, false)?;
    let parsed = ruff_python_parser::parse_unchecked_source(&fixed, PySourceType::Python);
    if !parsed.errors().is_empty() {
        return None;
    }
    let edit = minimal_edit(&text.text, &fixed, text);
    Some(CodeAction {
        title: format!(
            "loopwarden: Apply {applied} safe {}",
            if applied == 1 { "fix" } else { "fixes" }
        ),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(uri, vec![edit])),
        ..CodeAction::default()
    })
}

/// One edit turning `old` into `new`: the span between their common prefix and suffix,
/// so the editor keeps the cursor and folds outside it.
fn minimal_edit(old: &str, new: &str, text: &DocumentText) -> TextEdit {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let range = TextRange::new(
        TextSize::new(prefix as u32),
        TextSize::new((old.len() - suffix) as u32),
    );
    TextEdit::new(
        text.range(range),
        new[prefix..new.len() - suffix].to_string(),
    )
}

fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The documentation of the rules whose findings are under the cursor, as `loopwarden rule
/// CODE` prints it (markdown).
pub fn hover(document: &Document, position: Position) -> Option<Hover> {
    let findings = document.findings.as_ref()?;
    let at = document.text.offset(position);
    let mut rules = Vec::new();
    let mut range = None;
    for finding in &findings.findings {
        if finding.range.start() <= at
            && at <= finding.range.end()
            && !rules.contains(&finding.rule)
        {
            rules.push(finding.rule);
            range.get_or_insert(document.text.range(finding.range));
        }
    }
    if rules.is_empty() {
        return None;
    }
    let value = rules
        .iter()
        .map(|rule| crate::rules::docs(*rule).trim_end())
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_all_edit_spans_only_what_changed() {
        let old = "a = 1\nb = f()\nc = 'é'\n";
        let new = "a = 1\nb = await f()\nc = 'é'\n";
        let text = DocumentText::new(old.to_string());
        let edit = minimal_edit(old, new, &text);
        assert_eq!(
            edit.range,
            Range::new(Position::new(1, 4), Position::new(1, 4))
        );
        assert_eq!(edit.new_text, "await ");
        // Identical texts give an empty edit.
        let edit = minimal_edit(old, old, &text);
        assert_eq!(edit.new_text, "");
        assert_eq!(edit.range.start, edit.range.end);
    }
}
