//! What the module does while it holds a `threading` lock, for LW101's exemption and for
//! the summary LW103 reads: acquiring such a lock waits only as long as some thread holds
//! it, and a lock whose critical sections never block (a dict update, a counter, a list
//! append) is held for microseconds. So an acquisition (`with lock:`, `lock.acquire()`)
//! waits on something only when the lock is held somewhere in the module around a blocking
//! call, an `await`, or a call to a function of the module that blocks.
//!
//! A lock is identified as an attribute of one class of the module (`self.<attr>` in its
//! methods, or `<value>.<attr>` where the value's type is that class), or as a module-level
//! name, or as a local a function makes for the functions nested in it; a lock known by
//! another name (a parameter, an attribute of a class elsewhere) cannot be followed. The
//! walk notes what each call and `await` is done under; the verdict is given once the
//! module has been walked, when every critical section has been seen ([`settle`]).
//!
//! Waiting on a held `threading.Condition` (`cond.wait()`, `cond.wait_for()`) releases that
//! lock while it waits: it is no blocking work done under it.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::ast_query::{block_key, body_holds, enclosing_class, receiver_name};
use crate::checker::Checker;

/// `threading` lock types: acquiring one waits for the thread that holds it.
pub const THREADING_LOCKS: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
];

/// The methods of a `threading.Condition` that release it while they wait.
const RELEASING_WAITS: &[&str] = &["threading.Condition.wait", "threading.Condition.wait_for"];

/// Which lock: the same attribute of one class of the module (by where the class starts),
/// a module-level name, or a name a function makes for itself and its nested functions (by
/// where the outermost function starts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LockKey {
    Attribute { class: u32, attr: String },
    Global(String),
    Local { function: u32, name: String },
}

/// What the walk learns of the module's locks (per-module state).
#[derive(Default)]
struct LockState {
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
    /// The summary's blocking sites that acquire a lock the module follows: kept only if
    /// the verdict says the lock is held around blocking work.
    summary_acquisitions: Vec<(LockKey, TextRange)>,
    /// Whether [`settle`] has run.
    settled: bool,
}

/// A statement of a block that acquires (`true`) or releases a lock, by where it ends.
type LockEvent = (TextSize, LockKey, bool);

/// The lock `expr` names, when it is a `threading` lock the module's sections can be read
/// for.
pub fn lock_key(checker: &Checker, expr: &Expr) -> Option<LockKey> {
    let type_name = checker.model.type_of(expr)?;
    if !THREADING_LOCKS.contains(&type_name.as_str()) {
        return None;
    }
    match expr {
        Expr::Attribute(attribute) => {
            if let Expr::Name(owner) = &*attribute.value
                && let Some(function) = checker.current_function()
                && receiver_name(function) == Some(owner.id.as_str())
                && let Some(class) = enclosing_class(checker.statement_ancestors(), function)
            {
                return Some(LockKey::Attribute {
                    class: class.start().to_u32(),
                    attr: attribute.attr.to_string(),
                });
            }
            // `router.condition`, `self._session._router.condition`: the value's type is a
            // class of this module, whose methods hold the same lock as `self.condition`;
            // `Owner.lock`, a lock the class body made, read through the class.
            let owner_type = (checker.model.type_of(&attribute.value))
                .or_else(|| checker.model.path_of(&attribute.value))?;
            let class = checker.module_class(&owner_type)?;
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

/// Notes a call or `await` at `range`: when it runs while the module holds one of its
/// `threading` locks, whether it blocks (`blocking`: what to call it in a message, spelled
/// only where a lock is held) or calls `path` (maybe a function of the module that blocks).
/// `releases` is the lock the call lets go of while it waits (a held condition's `wait`).
fn note(
    checker: &Checker,
    range: TextRange,
    blocking: Option<impl Fn() -> String>,
    path: Option<&str>,
    releases: Option<&LockKey>,
) {
    if !relevant(checker) || checker.model.scopes.innermost_is_lambda() {
        return;
    }
    let mut held = held_locks(checker, range);
    held.retain(|key| Some(key) != releases);
    // A lock made afresh by each call of a function is shared only with the functions nested
    // in it (a worker thread's, a callback's): one call's own sections never wait for each
    // other, so what they do keeps no other acquisition on the loop waiting. Its nested
    // functions' sections still count.
    if let Some(current) = checker.current_function() {
        held.retain(|key| match key {
            LockKey::Local { function, name } if *function == current.start().to_u32() => {
                !made_afresh(checker, current, name)
            }
            _ => true,
        });
    }
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

/// Whether every binding of `name` in `function` makes a new `threading` lock
/// (`lock = threading.Lock()`), not one shared from elsewhere (`lock = self._lock`).
fn made_afresh(checker: &Checker, function: &ast::StmtFunctionDef, name: &str) -> bool {
    let mut fresh = false;
    let mut other = false;
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        if let Some((Expr::Name(target), value)) = crate::ast_query::single_assignment(stmt)
            && target.id.as_str() == name
        {
            let constructs = matches!(value, Expr::Call(call) if checker
                .model
                .call_path(call)
                .is_some_and(|path| THREADING_LOCKS.contains(&path.as_str())));
            if constructs {
                fresh = true;
            } else {
                other = true;
            }
        }
        crate::ast_query::Walk::Descend
    });
    fresh && !other
}

/// Any call of the module, sync code too: what it does while a lock is held. `blocking`
/// says whether the walk judged it a blocking call (metadata syscalls aside). A held
/// condition's `wait` lets go of its lock while it waits, and acquiring a lock again
/// is no work done under it (an `RLock` takes it at once; a plain `Lock` deadlocks, which is
/// another bug): neither counts for the lock it is called on.
pub fn note_call(checker: &Checker, call: &ast::ExprCall, path: &str, blocking: bool) {
    let releases = (RELEASING_WAITS.contains(&path) || is_acquisition(path))
        .then(|| match &*call.func {
            Expr::Attribute(attribute) => lock_key(checker, &attribute.value),
            _ => None,
        })
        .flatten();
    let what = blocking.then_some(|| format!("`{}`", crate::diagnostic::display_path(path)));
    note(checker, call.range(), what, Some(path), releases.as_ref());
}

/// An `await`: a `threading` lock held across it stays held while other coroutines run.
pub fn note_await(checker: &Checker, await_expr: &ast::ExprAwait) {
    note(
        checker,
        await_expr.range(),
        Some(|| "an `await`".to_string()),
        None,
        None,
    );
}

/// Records that the summary's blocking site at `range` acquires `key`: it stays a blocking
/// site only if the lock is held around blocking work somewhere in the module.
pub fn note_summary_acquisition(checker: &Checker, key: LockKey, range: TextRange) {
    checker
        .rule_state::<LockState>()
        .summary_acquisitions
        .push((key, range));
}

/// Once the module is walked: decides which locks are held around blocking work (a call of
/// one of the module's functions that block counts too), and drops from the summary the
/// acquisitions of the other locks. Runs once; later calls do nothing.
pub fn settle(checker: &mut Checker) {
    let (held_calls, acquisitions) = {
        let mut state = checker.rule_state::<LockState>();
        if std::mem::replace(&mut state.settled, true) {
            return;
        }
        (
            std::mem::take(&mut state.held_calls),
            std::mem::take(&mut state.summary_acquisitions),
        )
    };
    if !held_calls.is_empty() {
        let blocking = checker.summary.blocking_functions();
        let mut state = checker.rule_state::<LockState>();
        for (key, path, row) in held_calls {
            if blocking.contains(&path) {
                let name = path.rsplit('.').next().unwrap_or(&path);
                state
                    .held_blocking
                    .entry(key)
                    .or_insert_with(|| (row, format!("`{name}()` (which blocks)")));
            }
        }
    }
    if acquisitions.is_empty() {
        return;
    }
    let dropped: Vec<TextRange> = {
        let state = checker.rule_state::<LockState>();
        acquisitions
            .into_iter()
            .filter(|(key, _)| !state.held_blocking.contains_key(key))
            .map(|(_, range)| range)
            .collect()
    };
    checker.summary.drop_blocking_sites(&dropped);
}

/// Where `key` is held around blocking work, once [`settle`] has run: (row, what).
pub fn held_around_blocking(checker: &Checker, key: &LockKey) -> Option<(usize, String)> {
    checker
        .rule_state::<LockState>()
        .held_blocking
        .get(key)
        .cloned()
}

/// Whether `path` is the `acquire` of a `threading` lock.
fn is_acquisition(path: &str) -> bool {
    path.strip_suffix(".acquire")
        .is_some_and(|owner| THREADING_LOCKS.contains(&owner))
}

/// The lock a blocking site acquires, when it is `<lock>.acquire()` on a lock the module's
/// sections can be read for.
pub fn acquired_lock(checker: &Checker, call: &ast::ExprCall, path: &str) -> Option<LockKey> {
    if !is_acquisition(path) {
        return None;
    }
    match &*call.func {
        Expr::Attribute(attribute) => lock_key(checker, &attribute.value),
        _ => None,
    }
}

/// Whether the module can hold a `threading` lock at all: its text names `threading` (one
/// scan of the module answers it, `Checker::source_words`).
fn relevant(checker: &Checker) -> bool {
    checker.source_mentions("threading")
}

/// Whether code at `range` runs while its function holds a lock of the loop's thread: a
/// sync `with` of a `threading` lock, or of a name that says it is a lock (an `asyncio` lock
/// takes no sync `with`: `with self._lock:` is a thread's lock, or a file's), or after a
/// `threading` lock's `acquire()` not yet released. An `await` there suspends the coroutine
/// with the lock held, and the next coroutine to take it blocks the loop's thread for good:
/// no fix adds one there.
pub fn held_by_function(checker: &Checker, range: TextRange) -> bool {
    fn names_a_lock(expr: &Expr) -> bool {
        let name = match expr {
            Expr::Call(call) => return names_a_lock(&call.func),
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return false,
        };
        name.to_ascii_lowercase().contains("lock")
    }
    let named_lock = checker.statements_in_function().any(|stmt| {
        matches!(stmt, Stmt::With(with) if !with.is_async
                && body_holds(&with.body, range)
                && with.items.iter().any(|item| names_a_lock(&item.context_expr)))
    });
    named_lock || relevant(checker) && !held_locks(checker, range).is_empty()
}

/// The locks held at `range` in its function: a `with lock:` around it, or a
/// `lock.acquire()` earlier in an enclosing block with no `lock.release()` after it. The
/// innermost block that acquires or releases a lock decides for it: `lock.release()` just
/// before an `await` in a loop lets go of the lock the function acquired before the loop.
fn held_locks(checker: &Checker, range: TextRange) -> Vec<LockKey> {
    let mut held = Vec::new();
    let mut decided = Vec::new();
    let mut child = range;
    for stmt in checker.statement_ancestors().iter().rev() {
        if let Stmt::With(with) = stmt
            && !with.is_async
            && body_holds(&with.body, child)
        {
            for key in with
                .items
                .iter()
                .filter_map(|item| lock_key(checker, &item.context_expr))
            {
                if !decided.contains(&key) {
                    decided.push(key.clone());
                    held.push(key);
                }
            }
        }
        for body in bodies(stmt) {
            if body_holds(body, child) {
                acquired_before(checker, body, child, &mut held, &mut decided);
            }
        }
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            break;
        }
        child = stmt.range();
    }
    held
}

/// The locks acquired by statements of `body` before `child` and not released since, of
/// those no inner block decided (`decided`, which gains the locks this block decides).
fn acquired_before(
    checker: &Checker,
    body: &[Stmt],
    child: TextRange,
    held: &mut Vec<LockKey>,
    decided: &mut Vec<LockKey>,
) {
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
    for (key, acquired) in state {
        if decided.contains(key) {
            continue;
        }
        decided.push(key.clone());
        if acquired {
            held.push(key.clone());
        }
    }
}

/// `lock.acquire(...)` (as a statement, an assignment, or the test of an `if`) or
/// `lock.release()`; also a `try` whose `finally` releases a lock (`lock.release()`, or
/// `if acquired: lock.release()`): past the `try`, the lock is let go of on every path.
fn acquire_or_release(checker: &Checker, stmt: &Stmt) -> Option<(LockKey, bool)> {
    let mut expr = match stmt {
        Stmt::Expr(statement) => &*statement.value,
        Stmt::Assign(assign) => &*assign.value,
        Stmt::If(if_stmt) => &*if_stmt.test,
        Stmt::Try(try_stmt) => {
            return try_stmt.finalbody.iter().find_map(|last| {
                let released = match last {
                    Stmt::If(if_stmt) if if_stmt.elif_else_clauses.is_empty() => {
                        if_stmt.body.iter().find_map(|inner| {
                            acquire_or_release(checker, inner).filter(|(_, acquired)| !acquired)
                        })
                    }
                    Stmt::If(_) => None,
                    last => acquire_or_release(checker, last),
                };
                released.filter(|(_, acquired)| !acquired)
            });
        }
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
        Stmt::If(if_stmt) => crate::ast_query::if_branches(if_stmt).collect(),
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
