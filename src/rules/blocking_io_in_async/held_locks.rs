//! LW101's lock exemption: acquiring a `threading` lock in a coroutine waits only as long as
//! some thread holds it, and a lock whose critical sections never block (a dict update, a
//! counter, a list append) is held for microseconds. So an acquisition (`with lock:`,
//! `lock.acquire()`) is reported only when the lock is held somewhere in the module around a
//! blocking call, an `await`, or a call to a function of the module that blocks.
//!
//! A lock is identified as `self.<attr>` within one class, or as a module-level name; a lock
//! known by another name (a parameter, a local) cannot be followed, and its acquisition is
//! reported as before. The walk notes what each call and `await` is done under; the verdict
//! is given once the module has been walked, when every critical section has been seen.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::ast_query::{block_key, body_holds, enclosing_class, receiver_name};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;

/// `threading` lock types: acquiring one waits for the thread that holds it.
pub(super) const THREADING_LOCKS: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
];

/// Which lock: the same `self.<attr>` of one class (by where the class starts), a
/// module-level name, or a name a function makes for itself and its nested functions (by
/// where the outermost function starts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum LockKey {
    Attribute { class: u32, attr: String },
    Global(String),
    Local { function: u32, name: String },
}

/// What LW101 learns of the module's locks during the walk (per-module state).
#[derive(Default)]
struct LockState {
    /// Whether the module can hold a `threading` lock at all (decided once, from its text).
    relevant: Option<bool>,
    /// Acquisitions in async context, waiting for the verdict on their lock.
    pending: Vec<(LockKey, Diagnostic)>,
    /// Lock → the first place it is held around blocking work: (row, what).
    held_blocking: HashMap<LockKey, (usize, String)>,
    /// Calls made while a lock is held, to a path that may be a function of the module:
    /// (lock, callee path, row).
    held_calls: Vec<(LockKey, String, usize)>,
    /// The `lock.acquire()` and `lock.release()` statements of each block asked about, in
    /// order, as (where the statement ends, lock, acquired), by the block's address and
    /// length: a block is read once, not once per call inside it (a coroutine made of one
    /// long `with lock:` cost each call a pass over the statements before it).
    block_events: HashMap<(usize, usize), Vec<LockEvent>>,
}

/// A statement of a block that acquires (`true`) or releases a lock, by where it ends.
type LockEvent = (TextSize, LockKey, bool);

/// The lock `expr` names, when it is a `threading` lock LW101 can follow.
pub(super) fn lock_key(checker: &Checker, expr: &Expr) -> Option<LockKey> {
    let type_name = checker.model.type_of(expr)?;
    if !THREADING_LOCKS.contains(&type_name.as_str()) {
        return None;
    }
    match expr {
        Expr::Attribute(attribute) => {
            let Expr::Name(owner) = &*attribute.value else {
                return None;
            };
            let function = checker.current_function()?;
            if receiver_name(function) != Some(owner.id.as_str()) {
                return None;
            }
            let class = enclosing_class(checker.statement_ancestors(), function)?;
            Some(LockKey::Attribute {
                class: class.start().to_u32(),
                attr: attribute.attr.to_string(),
            })
        }
        Expr::Name(name) if !checker.model.is_local(name.id.as_str()) => {
            Some(LockKey::Global(name.id.to_string()))
        }
        Expr::Name(name) => {
            // A local made in a function (a closure's lock, say): its critical sections are
            // in that function and the ones nested in it. A parameter's lock is the
            // caller's, whose critical sections are not known.
            let mut outermost = None;
            for stmt in checker.statement_ancestors() {
                if let Stmt::FunctionDef(def) = stmt {
                    if def
                        .parameters
                        .iter()
                        .any(|parameter| parameter.name().as_str() == name.id.as_str())
                    {
                        return None;
                    }
                    outermost.get_or_insert(def.start().to_u32());
                }
            }
            Some(LockKey::Local {
                function: outermost?,
                name: name.id.to_string(),
            })
        }
        _ => None,
    }
}

/// Holds `diagnostic` (an acquisition of `key` in async context) until the module has been
/// walked.
pub(super) fn defer(checker: &Checker, key: LockKey, diagnostic: Diagnostic) {
    checker
        .rule_state::<LockState>()
        .pending
        .push((key, diagnostic));
}

/// Notes a call or `await` at `range`: when it runs while the module holds one of its
/// `threading` locks, whether it blocks (`blocking`: what to call it in a message, spelled
/// only where a lock is held) or calls `path` (maybe a function of the module that blocks).
pub(super) fn note(
    checker: &Checker,
    range: TextRange,
    blocking: Option<impl Fn() -> String>,
    path: Option<&str>,
) {
    if !relevant(checker) || checker.model.scopes.innermost_is_lambda() {
        return;
    }
    let held = held_locks(checker, range);
    if held.is_empty() {
        return;
    }
    let row = checker.row_of(range.start());
    let mut state = checker.rule_state::<LockState>();
    for key in held {
        match (&blocking, path) {
            (Some(what), _) => {
                state
                    .held_blocking
                    .entry(key)
                    .or_insert_with(|| (row, what()));
            }
            (None, Some(path)) => state.held_calls.push((key, path.to_string(), row)),
            (None, None) => {}
        }
    }
}

/// Once the module is walked: reports every pending acquisition whose lock is held around
/// blocking work somewhere, naming where.
pub(super) fn finish(checker: &mut Checker) {
    let (pending, mut held_blocking, held_calls) = {
        let mut state = checker.rule_state::<LockState>();
        (
            std::mem::take(&mut state.pending),
            std::mem::take(&mut state.held_blocking),
            std::mem::take(&mut state.held_calls),
        )
    };
    if pending.is_empty() {
        return;
    }
    if !held_calls.is_empty() {
        let blocking = checker.summary.blocking_functions();
        for (key, path, row) in held_calls {
            if blocking.contains(&path) {
                let name = path.rsplit('.').next().unwrap_or(&path);
                held_blocking
                    .entry(key)
                    .or_insert_with(|| (row, format!("`{name}()` (which blocks)")));
            }
        }
    }
    for (key, mut diagnostic) in pending {
        if let Some((row, what)) = held_blocking.get(&key) {
            diagnostic.message = format!(
                "{}: the lock is held around {what} at row {row}",
                diagnostic.message
            );
            checker.report(diagnostic);
        }
    }
}

fn relevant(checker: &Checker) -> bool {
    let known = checker.rule_state::<LockState>().relevant;
    if let Some(known) = known {
        return known;
    }
    let relevant = checker.source_mentions("threading");
    checker.rule_state::<LockState>().relevant = Some(relevant);
    relevant
}

/// The locks held at `range` in its function: a `with lock:` around it, or a
/// `lock.acquire()` earlier in an enclosing block with no `lock.release()` after it.
fn held_locks(checker: &Checker, range: TextRange) -> Vec<LockKey> {
    let mut held = Vec::new();
    let mut child = range;
    for stmt in checker.statement_ancestors().iter().rev() {
        if let Stmt::With(with) = stmt
            && !with.is_async
            && body_holds(&with.body, child)
        {
            held.extend(
                with.items
                    .iter()
                    .filter_map(|item| lock_key(checker, &item.context_expr)),
            );
        }
        for body in bodies(stmt) {
            if body_holds(body, child) {
                acquired_before(checker, body, child, &mut held);
            }
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            break;
        }
        child = stmt.range();
    }
    held
}

/// The locks acquired by statements of `body` before `child` and not released since.
fn acquired_before(checker: &Checker, body: &[Stmt], child: TextRange, held: &mut Vec<LockKey>) {
    let block = block_key(body);
    if !checker
        .rule_state::<LockState>()
        .block_events
        .contains_key(&block)
    {
        let events = body
            .iter()
            .filter_map(|stmt| {
                let (key, acquired) = acquire_or_release(checker, stmt)?;
                Some((stmt.end(), key, acquired))
            })
            .collect();
        checker
            .rule_state::<LockState>()
            .block_events
            .insert(block, events);
    }
    let lock_state = checker.rule_state::<LockState>();
    let mut state: Vec<(&LockKey, bool)> = Vec::new();
    for (end, key, acquired) in lock_state.block_events.get(&block).into_iter().flatten() {
        if *end > child.start() {
            break;
        }
        match state.iter_mut().find(|(known, _)| *known == key) {
            Some(entry) => entry.1 = *acquired,
            None => state.push((key, *acquired)),
        }
    }
    held.extend(
        state
            .into_iter()
            .filter(|(_, acquired)| *acquired)
            .map(|(key, _)| key.clone()),
    );
}

/// `lock.acquire(...)` (as a statement, an assignment, or the test of an `if`) or
/// `lock.release()`.
fn acquire_or_release(checker: &Checker, stmt: &Stmt) -> Option<(LockKey, bool)> {
    let mut expr = match stmt {
        Stmt::Expr(statement) => &*statement.value,
        Stmt::Assign(assign) => &*assign.value,
        Stmt::If(if_stmt) => &*if_stmt.test,
        _ => return None,
    };
    if let Expr::UnaryOp(unary) = expr
        && unary.op == UnaryOp::Not
    {
        expr = &unary.operand;
    }
    let Expr::Call(call) = expr else { return None };
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    let acquired = match attribute.attr.as_str() {
        "acquire" => true,
        "release" => false,
        _ => return None,
    };
    Some((lock_key(checker, &attribute.value)?, acquired))
}

/// The blocks of statements `stmt` holds (not a nested class's).
fn bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(def) => vec![&def.body],
        Stmt::If(if_stmt) => std::iter::once(if_stmt.body.as_slice())
            .chain(
                if_stmt
                    .elif_else_clauses
                    .iter()
                    .map(|clause| clause.body.as_slice()),
            )
            .collect(),
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => vec![body, orelse],
        Stmt::With(with) => vec![&with.body],
        Stmt::Try(try_stmt) => {
            let mut found: Vec<&[Stmt]> = vec![&try_stmt.body];
            for handler in &try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                found.push(&handler.body);
            }
            found.push(&try_stmt.orelse);
            found.push(&try_stmt.finalbody);
            found
        }
        Stmt::Match(match_stmt) => match_stmt
            .cases
            .iter()
            .map(|case| case.body.as_slice())
            .collect(),
        _ => Vec::new(),
    }
}
