//! The `await asyncio.to_thread(f, ...)` rewrite that LW101, LW102, LW105 and LW103 offer:
//! the call's text taken apart, and the rewrite spelled, both for a module's own findings
//! (`checker::to_thread`, with the text at hand) and, from a [`PendingFix`], for the
//! whole-project rules' findings once the file's text is read again ([`spell`]).

use ruff_text_size::TextRange;

use crate::diagnostic::{Edit, Fix, PendingFix};

/// `await asyncio.to_thread(function, arguments)` (before Python 3.9, `await
/// asyncio.get_running_loop().run_in_executor(None, function, arguments)`, with
/// `functools.partial(function, arguments)` when `functools` is given): `asyncio` and
/// `functools` as the module names them, `arguments` as [`argument_text`] made them.
/// Appended piece by piece rather than formatted: thousands in a large project.
pub fn spelled_call(
    asyncio: &str,
    legacy: bool,
    functools: Option<&str>,
    function: &str,
    arguments: &str,
) -> String {
    let mut spelled = String::with_capacity(64 + function.len() + arguments.len());
    spelled.push_str("await ");
    spelled.push_str(asyncio);
    if legacy {
        spelled.push_str(".get_running_loop().run_in_executor(None, ");
    } else {
        spelled.push_str(".to_thread(");
    }
    if let Some(functools) = functools {
        spelled.push_str(functools);
        spelled.push_str(".partial(");
    }
    spelled.push_str(function);
    if !arguments.is_empty() {
        spelled.push_str(", ");
        spelled.push_str(arguments);
    }
    spelled.push(')');
    if functools.is_some() {
        spelled.push(')');
    }
    spelled
}

/// What the rewrite of `what` says it does.
pub fn described(what: &str, asyncio: &str, legacy: bool) -> String {
    let mut message = String::with_capacity(64 + what.len());
    message.push_str("Run `");
    message.push_str(what);
    if legacy {
        message.push_str("` in the loop's default executor");
    } else {
        message.push_str("` in a worker thread with `");
        message.push_str(asyncio);
        message.push_str(".to_thread`");
    }
    message
}

/// The fix made of `edits` and the `imports` the spelling needed, merged into one edit.
pub fn with_imports(message: String, mut edits: Vec<Edit>, imports: Vec<Edit>) -> Fix {
    let mut imports = imports.into_iter();
    if let Some(mut import) = imports.next() {
        for more in imports {
            import.content.push_str(&more.content);
        }
        edits.push(import);
    }
    edits.sort_by_key(|edit| edit.range.start());
    Fix::unsafe_edit(message, edits)
}

/// The fix `pending` describes, spelled from `text`, the text its positions were taken
/// from (`None` when they do not lie in it, or the spelling does not hold, as where the
/// callee's text holds a comment).
pub fn spell(text: &str, pending: &PendingFix) -> Option<Fix> {
    let PendingFix { recipe, runner } = pending;
    let slice = |range: TextRange| text.get(range.start().to_usize()..range.end().to_usize());
    let function = slice(recipe.function)?.trim();
    // A comment in the callee's text would swallow what follows it.
    if function.contains('#') {
        return None;
    }
    let arguments = argument_text(slice(arguments_inner(recipe.arguments))?);
    slice(recipe.call)?;
    let mut imports: Vec<Edit> = runner.import.iter().cloned().collect();
    let functools = if runner.legacy && recipe.has_keywords {
        let (functools, import) = runner.functools.as_ref()?;
        imports.extend(import.iter().cloned());
        Some(functools.as_str())
    } else {
        None
    };
    let mut replacement = spelled_call(
        &runner.asyncio,
        runner.legacy,
        functools,
        function,
        &arguments,
    );
    if recipe.parenthesize {
        replacement.insert(0, '(');
        replacement.push(')');
    }
    let message = described(function, &runner.asyncio, runner.legacy);
    Some(with_imports(
        message,
        vec![Edit::replacement(replacement, recipe.call)],
        imports,
    ))
}

/// The text between a call's parentheses.
pub fn arguments_inner(arguments: TextRange) -> TextRange {
    let one = ruff_text_size::TextSize::from(1);
    TextRange::new(
        arguments.start() + one,
        arguments.end().max(arguments.start() + one) - one,
    )
}

/// The text between a call's parentheses, ready to follow other arguments: trimmed, without
/// a trailing comma, and ending on a new line when its last line ends in a comment (which
/// would otherwise swallow the closing parenthesis).
pub fn argument_text(arguments: &str) -> String {
    let arguments = arguments.trim();
    let arguments = arguments.strip_suffix(',').unwrap_or(arguments).trim();
    let last_line = arguments.rsplit(['\n', '\r']).next().unwrap_or("");
    if last_line.contains('#') {
        format!("{arguments}\n")
    } else {
        arguments.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{argument_text, spell};
    use crate::diagnostic::{Edit, PendingFix, ThreadRunner, ToThreadRecipe};
    use ruff_text_size::{TextRange, TextSize};

    /// The pending fix of the one call in `text` whose callee is `function` and whose
    /// arguments start right after it.
    fn pending(text: &str, function: &str, runner: ThreadRunner) -> PendingFix {
        let at = |offset: usize| TextSize::try_from(offset).unwrap();
        let start = text.find(function).unwrap();
        let open = start + function.len();
        let close = open + text[open..].find(')').unwrap() + 1;
        let arguments = &text[open..close];
        PendingFix {
            recipe: ToThreadRecipe {
                call: TextRange::new(at(start), at(close)),
                function: TextRange::new(at(start), at(open)),
                arguments: TextRange::new(at(open), at(close)),
                has_keywords: arguments.contains('='),
                parenthesize: false,
                runner: 0,
            },
            runner,
        }
    }

    fn runner(legacy: bool, functools: Option<(String, Option<Edit>)>) -> ThreadRunner {
        ThreadRunner {
            asyncio: "asyncio".to_string(),
            legacy,
            import: Some(Edit::insertion("import asyncio\n", TextSize::new(0))),
            functools,
        }
    }

    #[test]
    fn a_pending_fix_is_spelled_from_the_text_it_was_taken_from() {
        let text = "async def f():\n    return helper(a, b=1)\n";
        let fix = spell(text, &pending(text, "helper", runner(false, None))).unwrap();
        let edits: Vec<(&str, usize)> = fix
            .edits
            .iter()
            .map(|edit| (edit.content.as_str(), edit.range.start().to_usize()))
            .collect();
        assert_eq!(
            edits,
            [
                ("import asyncio\n", 0),
                ("await asyncio.to_thread(helper, a, b=1)", 26)
            ]
        );
        assert_eq!(
            fix.message,
            "Run `helper` in a worker thread with `asyncio.to_thread`"
        );

        // Before Python 3.9 keyword arguments go through `functools.partial`, imported with
        // `asyncio` in one edit; with no name for `functools`, there is no fix.
        let functools = Some((
            "functools".to_string(),
            Some(Edit::insertion("import functools\n", TextSize::new(0))),
        ));
        let legacy = spell(text, &pending(text, "helper", runner(true, functools))).unwrap();
        let contents: Vec<&str> = legacy
            .edits
            .iter()
            .map(|edit| edit.content.as_str())
            .collect();
        assert_eq!(
            contents,
            [
                "import asyncio\nimport functools\n",
                "await asyncio.get_running_loop().run_in_executor(None, functools.partial(helper, a, b=1))"
            ]
        );
        assert!(spell(text, &pending(text, "helper", runner(true, None))).is_none());
    }

    #[test]
    fn a_pending_fix_that_does_not_fit_its_text_spells_nothing() {
        let text = "async def f():\n    return helper(a)\n";
        let fits = pending(text, "helper", runner(false, None));
        assert!(spell(text, &fits).is_some());
        // Positions past the end of the text (a shorter file than the one analysed).
        assert!(spell("async def f(): pass\n", &fits).is_none());
        // A comment inside the callee's text would swallow the rest of the rewrite.
        let commented = "async def f():\n    return (helper  # why\n)(a)\n";
        let at = |offset: usize| TextSize::try_from(offset).unwrap();
        let function = commented.find("(helper").unwrap();
        let arguments = commented.find("(a)").unwrap();
        let pending = PendingFix {
            recipe: ToThreadRecipe {
                call: TextRange::new(at(function), at(arguments + 3)),
                function: TextRange::new(at(function), at(arguments)),
                arguments: TextRange::new(at(arguments), at(arguments + 3)),
                has_keywords: false,
                parenthesize: false,
                runner: 0,
            },
            runner: runner(false, None),
        };
        assert!(spell(commented, &pending).is_none());
    }

    #[test]
    fn a_comment_after_the_last_argument_keeps_the_parenthesis_out_of_it() {
        assert_eq!(argument_text(" a, b, "), "a, b");
        assert_eq!(argument_text("a,\n b,  # why\n"), "a,\n b,  # why\n");
        assert_eq!(argument_text(""), "");
    }
}
