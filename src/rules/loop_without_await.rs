//! LW106 loop-without-await: a `while` loop in a coroutine that never lets the event loop run
//! and cannot end on its own.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::is_always_true;
use crate::ast_query::{Node, Walk, first_suspension, walk_body_shallow};
use crate::checker::Checker;
use crate::checker::polled_state::{exit_test, is_passive_call, state_all_poll};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW106 loop-without-await

## What it does
In an `async def`, flags a `while` loop with no `await`, `async for` or `async with` anywhere in
its body (or test) that cannot end on its own:
- `while True:` (or `while 1:`) with no `break`, `return` or `raise` in it;
- a spin-wait: a loop whose only ways out are tests of attributes or module globals
  (`while not self._ready:`, `while True: if self.done: break`), or of methods called without
  arguments that report an object's state (`fut.done()`, `queue.empty()`, `lock.locked()`,
  `event.is_set()`, any `is_…()` or `has_…()`: `if self._pool.is_all_free(): return`), and
  whose body changes nothing (it only passes, sleeps with a blocking `time.sleep`, calls
  `asyncio.sleep` without awaiting it, or logs what calls only builtins: a logged
  `queue.get_nowait()` takes an item out). The coroutine that would change
  that state can never run, because this one never gives the loop back.

## Why is this bad?
The event loop runs one coroutine at a time and switches only at an `await`. A loop with no
`await` holds the thread until it ends: every other request, timer and I/O callback of the
process waits. When its end depends on another coroutine setting a flag, it never ends: the
service hangs with one core at 100%.

## Example
```python
async def wait_connected(self):
    while not self.connected:
        pass
```

## Use instead
```python
async def wait_connected(self):
    await self.connected_event.wait()
```
or, at least, give the loop back on every round: `await asyncio.sleep(0)` in the body.

## Not flagged
- Loops that consume local state, such as a parser's `while True: i = buf.find(b"\n"); if i < 0:
  break; ...`: they end when their input does (flake8-async ASYNC913 flags every loop without an
  await; this rule keeps to the loops that cannot end on their own).
- A `while True:` with a `break`, `return` or `raise` whose test reads local state or calls
  something, or whose body does other work (assignments, calls that may change the state).
- A loop with a `yield` in it (an async generator hands control to its consumer, which awaits).
- `for` loops: they end with their iterable.

## Fix
None automatic: wait on an `asyncio.Event` (or `Condition`) that the other code sets, or
`await asyncio.sleep(0)` in the body.
"#;

pub(crate) fn check_while(checker: &mut Checker, while_stmt: &ast::StmtWhile) {
    if first_suspension(&while_stmt.body, Some(&while_stmt.test)).is_some() {
        return;
    }
    let header = TextRange::new(while_stmt.start(), while_stmt.test.end());
    let forever = is_always_true(&while_stmt.test);
    if forever && !has_exit(&while_stmt.body) {
        checker.report(
            Diagnostic::new(
                Rule::LoopWithoutAwait,
                "`while True` with no `await` and no way out: it holds the event loop forever",
                header,
            )
            .with_help("await something in the loop (`await asyncio.sleep(0)` at least), or run it in a thread"),
        );
        return;
    }
    // A spin-wait: every way out is a test of state only other code can change, and the body
    // changes nothing.
    let mut conditions: Vec<&Expr> = Vec::new();
    if !forever {
        conditions.push(&while_stmt.test);
    }
    for stmt in &while_stmt.body {
        match stmt {
            Stmt::Pass(_) | Stmt::Continue(_) => {}
            Stmt::Expr(expr) if is_passive_call(checker, &expr.value) => {}
            stmt => match exit_test(stmt) {
                Some(test) => conditions.push(test),
                None => return,
            },
        }
    }
    let Some(state) = state_all_poll(checker, &conditions) else {
        return;
    };
    checker.report(
        Diagnostic::new(
            Rule::LoopWithoutAwait,
            format!("spin-wait on `{state}` with no `await`: the coroutine that would change it can never run"),
            header,
        )
        .with_help("wait on an `asyncio.Event` that the other code sets"),
    );
}

/// Whether the loop body has a `break` of this loop, or a `return` or `raise` anywhere in it.
fn has_exit(body: &[Stmt]) -> bool {
    fn visit(body: &[Stmt], in_nested_loop: bool) -> bool {
        let mut found = false;
        walk_body_shallow(body, &mut |node| match node {
            Node::Stmt(Stmt::Return(_) | Stmt::Raise(_)) => {
                found = true;
                Walk::Stop
            }
            Node::Stmt(Stmt::Break(_)) if !in_nested_loop => {
                found = true;
                Walk::Stop
            }
            Node::Stmt(Stmt::For(ast::StmtFor { body, orelse, .. }))
            | Node::Stmt(Stmt::While(ast::StmtWhile { body, orelse, .. })) => {
                // A `break` in a nested loop leaves that loop only; its `else` is ours.
                if visit(body, true) || visit(orelse, in_nested_loop) {
                    found = true;
                    return Walk::Stop;
                }
                Walk::SkipChildren
            }
            Node::Expr(_) => Walk::SkipChildren,
            _ => Walk::Descend,
        });
        found
    }
    visit(body, false)
}
