//! LW601 check-then-act-across-await: a decision on shared state and the write it guards,
//! with an `await` in between.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, BoolOp, CmpOp, Expr, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{
    Walk, any_expr, any_in_body, collect_assignments, enclosing_class, find_in_expr,
    last_identifier, receiver_name, single_assignment, walk_statements_shallow,
};
use crate::catalog;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::message_text::shorten;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW601 check-then-act-across-await

## What it does
Flags, in an `async def`, a decision on shared state and the write it guards when an `await`
lies between them, so that another coroutine can make the same decision in the meantime
(time-of-check to time-of-use). Three shapes:

- **Lazy init**: `if self._x is None:` (or `not self._x`, a module global, a class attribute,
  `key not in self._cache`) whose body awaits and only then assigns that same attribute, global
  or key; and its early-return form, `if self._ready: return` followed by awaits and then
  `self._ready = True`. Reported where concurrent callers are plausible and a duplicate does
  harm: the method is called from two or more places in its class (two or more functions of
  the module, for a module function), not counting `__aenter__`-style dunders, or it is a
  public accessor that returns what it builds; and what it builds is a *resource* (its name, or
  the name of the call awaited for it, ends in `client`, `conn...`, `session`, `pool`,
  `transport`, `socket`, `channel`, `ws`, `engine`, `task`, `api`, `server`, ...: a duplicate
  leaks or acts twice), or it sets a flag (`= True`) in a method whose name says it initialises
  once (`ensure`, `init`, `setup`, `load`, `connect`, `start`, ... and not `close`/`stop`/`eof`).
- **Database check-then-write**: `if not await repo.exists(k):`, or `row = await db.fetch_one(...)`
  (also through `user = result.scalar_one_or_none()`) followed by `if row is None:`, or by
  `if row: raise ...`/`return` and the code after it, then a write that can create a duplicate
  on the *same receiver*: `insert`, `create`, `add`, `save`, `put`, `set`, `commit` (and their
  `_one`/`_many`/`_new_...` forms), or `execute` of INSERT SQL (a string, `text(...)`, a SQLAlchemy
  `insert(...)`).
- **Read-modify-write**: `balance = await get_balance(u)` ... `await set_balance(u, balance - x)`:
  a value read by an await, changed in a way that builds on what was read (arithmetic,
  `+=`, `items.append(...)`, also through `section = config["s"]`), and written back through the
  matching setter (`get_x`/`set_x`, `load_x`/`save_x`, `fetch_x`/`store_x`, `get`/`set` on the
  same receiver) for the same key.

The message names the check, the await in between and the write, with their rows. (For a
database check the await can be the write's own: the read is answered, the coroutine yields,
and another request's identical check can land before this write does.)

## Why is this bad?
An `await` is a point where the event loop runs other coroutines. Two requests that both pass
`if self._client is None:` both build a client (one leaks, with its connections); two sign-ups
that both find no user with that e-mail both insert one; two withdrawals that both read a
balance of 100 both write back their own result, and one withdrawal is lost. None of this shows
in tests, which run one request at a time; all of it shows under load.

## Example
```python
class Service:
    async def client(self):
        if self._client is None:
            self._client = await connect(self.url)
        return self._client
```

## Use instead
```python
class Service:
    def __init__(self):
        self._client = None
        self._lock = asyncio.Lock()

    async def client(self):
        async with self._lock:
            if self._client is None:
                self._client = await connect(self.url)
        return self._client
```
For databases, let the database decide: a unique constraint and an upsert
(`INSERT ... ON CONFLICT DO NOTHING`), `SELECT ... FOR UPDATE` inside a transaction, or an atomic
update (`UPDATE accounts SET balance = balance - $1`, `INCRBY`).

## Not flagged
- Code inside `async with <lock>` (an `asyncio.Lock`/`Semaphore`/`Condition`, anyio's, or any
  context manager whose name ends in `lock`/`locks`/`mutex`/`semaphore`, such as
  `self._locks[key]` or `self._locks.setdefault(key, Lock())`), and functions that take a lock by
  hand with `await lock.acquire()`.
- Code inside a transaction: `async with conn.transaction()`, `session.begin()`,
  `begin_nested()`, `atomic()`.
- Upserts: SQL with `ON CONFLICT`, `INSERT OR IGNORE`/`OR REPLACE`, `ON DUPLICATE KEY`, `MERGE`,
  a locking read (`FOR UPDATE`), SQLAlchemy's `on_conflict_do_*`, methods such as `get_or_create`,
  `upsert`, `setnx`, and writes with `upsert=True` / `nx=True`; and a write inside a `try` that
  handles `IntegrityError`/`UniqueViolation`: the unique constraint settles the race.
- Purely local state: `client = None; if client is None: client = await make()`; attributes of
  a parameter (the caller owns that object).
- A write made *before* the first await (`self._task = create_task(...)` then `await`), a second
  check of the same condition after the last await (double-checked initialisation), and a check
  guarded by a flag or pending future that the function sets before its first await and tests
  (`self._connecting = True`, `self._pending[key] = future`).
- Lazy initialisation of a plain value (a cached list, an image, a model name): computing it
  twice is wasted work, not a bug. A method only its owner calls once (`start()`, a set-up
  step), and methods a framework never runs concurrently with themselves: dunder methods,
  Home Assistant's `async_step_*`, `async_update`, `async_added_to_hass`, `async_setup_entry`
  and the methods of `...Flow` classes (config and options flows run one step at a time).
- Database writes that cannot duplicate: `update...`/`replace_one` (the row is changed either
  way) and `delete...`/`remove` (deleting twice deletes nothing); a read-through cache fill
  (`get` then `set`/`put`), which at worst computes a value twice; and `self.get_x()` then
  `self.create_y()`, two methods of one class rather than a store.
- A read-modify-write that only sets parts to independent values (`config["flag"] = True`
  before `save(config)`): whether that loses a concurrent update depends on whether the store
  writes the whole document or the changed keys, which the rule cannot see.
- Writes done in another function (`await self._setup()` assigning `self._x`): the rule sees one
  function at a time; and a write more than 400 statements after its check.

## Fix
No automatic fix: the right remedy (a lock, an upsert, an atomic update) is a design decision.
"#;

/// One thing a branch decides on: `self._x`, a global, or `key` of a shared container.
struct State<'a> {
    /// The attribute, global name, or container.
    target: &'a Expr,
    /// The key, for `key not in container`.
    key: Option<&'a Expr>,
    /// The comparison or name test, for the message.
    check: &'a Expr,
}

/// A value read from a store by an await: `row = await db.fetch_one(...)`.
#[derive(Clone)]
struct StoreRead<'a> {
    receiver: &'a Expr,
    method: &'a str,
}

/// One finding, before it is reported.
struct Race {
    /// For lazy initialisation: the value built is a resource (a client, a task).
    resource: bool,
    check: TextRange,
    awaited: TextRange,
    write: TextRange,
    kind: RaceKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RaceKind {
    LazyInit,
    CheckThenWrite,
    ReadModifyWrite,
}

/// The statements a region runs, flattened in source order (nested scopes left out), each
/// marked with whether it runs under a lock or in a transaction.
#[derive(Clone, Copy)]
enum Event<'a> {
    /// A simple statement.
    Simple { stmt: &'a Stmt, protected: bool },
    /// A compound statement's header expression (an `if`/`while` test, a `for` iterable, a
    /// `with` item); `test` for the tests of `if`/`elif`, which can re-check a state.
    Header { expr: &'a Expr, test: bool },
    /// The implicit await of `async with` / `async for`.
    Enter { range: TextRange, protected: bool },
}

enum Scan {
    /// `produced`: the value written comes from an await in between (`self._x = await make()`),
    /// rather than being a flag (`self._ready = True`); `producers` names the calls awaited for it.
    Found {
        awaited: TextRange,
        write: TextRange,
        produced: bool,
        producers: Vec<String>,
    },
    Guarded,
    NotFound,
}

impl Scan {
    /// A database check-then-write: the value written is produced by the code in between.
    fn store_race(awaited: TextRange, write: TextRange) -> Self {
        Scan::Found {
            awaited,
            write,
            produced: true,
            producers: Vec::new(),
        }
    }
}

/// Runs on every `async def`, once, when the walk enters it.
pub(crate) fn check_function<'a>(
    checker: &mut Checker<'a, '_>,
    function: &'a ast::StmtFunctionDef,
) {
    if !function.is_async {
        return;
    }
    let races = {
        let class = enclosing_class(checker.statement_ancestors(), function);
        let mut analysis = Analysis {
            checker,
            function,
            class,
            tested: Vec::new(),
            assignments: std::cell::OnceCell::new(),
            callers: std::cell::OnceCell::new(),
            receiver: class.and_then(|_| receiver_name(function)),
            class_name: class.map(|class| class.name.as_str()),
        };
        analysis.tested = analysis.tested_states();
        if analysis.acquires_lock_by_hand(&function.body) || analysis.is_serialized() {
            return;
        }
        let mut races = Vec::new();
        let mut reads = HashMap::new();
        analysis.block(&function.body, &mut reads, &mut races);
        races
    };
    let mut reported = HashSet::new();
    for race in races {
        if !reported.insert((race.check, race.write)) {
            continue;
        }
        let text = |range: TextRange| shorten(checker.text(range), 50);
        let (subject, consequence, help) = match race.kind {
            RaceKind::LazyInit => (
                "Check",
                "another coroutine can pass the same check and initialise it twice",
                "Hold an `asyncio.Lock` across the check and the write (and re-check inside it), or initialise eagerly",
            ),
            RaceKind::CheckThenWrite => (
                "Check",
                "another coroutine can pass the same check and write too",
                "Let the store decide: a unique constraint with an upsert (`INSERT ... ON CONFLICT`), or `SELECT ... FOR UPDATE` in a transaction",
            ),
            RaceKind::ReadModifyWrite => (
                "Read",
                "a concurrent update in between is overwritten and lost",
                "Update atomically in the store (`UPDATE ... SET x = x - $1`, `INCRBY`), or hold an `asyncio.Lock` per key across the read and the write",
            ),
        };
        let message = format!(
            "{subject} `{}` (row {}) and write `{}` (row {}) are separated by `{}` (row {}): {consequence}",
            text(race.check),
            checker.row_of(race.check.start()),
            text(race.write),
            checker.row_of(race.write.start()),
            text(race.awaited),
            checker.row_of(race.awaited.start()),
        );
        checker.report(
            Diagnostic::new(Rule::CheckThenActAcrossAwait, message, race.check).with_help(help),
        );
    }
}

struct Analysis<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    function: &'a ast::StmtFunctionDef,
    class: Option<&'a ast::StmtClassDef>,
    /// Every shared state an `if` of the function tests.
    tested: Vec<ComparableExpr<'a>>,
    /// The function's locals → the values assigned to them (`None`: not followed).
    assignments: std::cell::OnceCell<HashMap<&'a str, Vec<Option<&'a Expr>>>>,
    /// How many other functions of the class (or module) call this one.
    callers: std::cell::OnceCell<usize>,
    /// `self`/`cls` in a method.
    receiver: Option<&'a str>,
    class_name: Option<&'a str>,
}

impl<'a> Analysis<'_, 'a, '_> {
    /// Walks a block (not under a lock), looking for the checks of each shape.
    fn block(
        &self,
        stmts: &'a [Stmt],
        reads: &mut HashMap<&'a str, StoreRead<'a>>,
        races: &mut Vec<Race>,
    ) {
        for (index, stmt) in stmts.iter().enumerate() {
            let rest = &stmts[index + 1..];
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(with) if !self.is_protecting(with) => {
                    self.block(&with.body, reads, races)
                }
                Stmt::With(_) => {}
                Stmt::If(if_stmt) => {
                    self.lazy_init(if_stmt, rest, races);
                    self.check_then_write(if_stmt, rest, reads, races);
                    self.block(&if_stmt.body, reads, races);
                    for clause in &if_stmt.elif_else_clauses {
                        self.block(&clause.body, reads, races);
                    }
                }
                Stmt::For(for_stmt) => {
                    self.block(&for_stmt.body, reads, races);
                    self.block(&for_stmt.orelse, reads, races);
                }
                Stmt::While(while_stmt) => {
                    self.block(&while_stmt.body, reads, races);
                    self.block(&while_stmt.orelse, reads, races);
                }
                Stmt::Try(try_stmt) => {
                    self.block(&try_stmt.body, reads, races);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.block(&handler.body, reads, races);
                    }
                    self.block(&try_stmt.orelse, reads, races);
                    self.block(&try_stmt.finalbody, reads, races);
                }
                Stmt::Match(match_stmt) => {
                    for case in &match_stmt.cases {
                        self.block(&case.body, reads, races);
                    }
                }
                Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                    self.remember_read(stmt, reads);
                    self.read_modify_write(stmt, rest, races);
                }
                _ => {}
            }
        }
    }

    // ---- Shape 1: lazy initialisation ---------------------------------------------------

    fn lazy_init(&self, if_stmt: &'a ast::StmtIf, rest: &'a [Stmt], races: &mut Vec<Race>) {
        if first_await(&if_stmt.test).is_some() || self.is_serialized() {
            return;
        }
        let before = races.len();
        // Body form: `if self._x is None: ... await ...; self._x = ...`.
        let missing = self.states(&if_stmt.test, false);
        let mut targets: Vec<ComparableExpr> = missing
            .iter()
            .map(|state| ComparableExpr::from(state.target))
            .collect();
        if !missing.is_empty() {
            let events = flatten(self, &if_stmt.body);
            self.report_states(&missing, &events, races);
        }
        // Early-return form: `if self._ready: return` ... await ...; `self._ready = True`.
        // (`if self._closed: raise ...` is a precondition, not an initialise-once guard.)
        if if_stmt.elif_else_clauses.is_empty()
            && exits(&if_stmt.body)
            && matches!(if_stmt.body.last(), Some(Stmt::Return(_)))
        {
            let present = self.states(&if_stmt.test, true);
            targets.extend(
                present
                    .iter()
                    .map(|state| ComparableExpr::from(state.target)),
            );
            if !present.is_empty() {
                let events = flatten(self, rest);
                self.report_states(&present, &events, races);
            }
        }
        // Only where concurrent callers are plausible: a lazy accessor.
        let builds_resource = races[before..].iter().any(|race| race.resource);
        if races.len() > before && !self.is_lazy_accessor(&targets, builds_resource) {
            races.truncate(before);
        }
    }

    /// Whether concurrent callers of the function are plausible: other methods of its class
    /// (other functions of the module, for a module function) call it from two or more
    /// places, not counting `__aenter__` and friends, which run once per use; or it is a public
    /// accessor that returns the resource it builds (`async def client(self): ... return self._client`).
    /// A method only its owner calls once (`start`, a set-up step) is not.
    fn is_lazy_accessor(&self, states: &[ComparableExpr], builds_resource: bool) -> bool {
        let name = self.function.name.as_str();
        let callers = *self.callers.get_or_init(|| match self.class {
            Some(class) => class
                .body
                .iter()
                .filter(|stmt| {
                    let Stmt::FunctionDef(method) = stmt else { return false };
                    let method_name = method.name.as_str();
                    if std::ptr::eq(method, self.function) || (method_name.starts_with("__") && method_name.ends_with("__")) {
                        return false;
                    }
                    let Some(self_name) = receiver_name(method) else { return false };
                    any_in_body(&method.body, &mut |expr| {
                        matches!(expr, Expr::Attribute(attribute)
                            if attribute.attr.as_str() == name
                                && matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self_name))
                    })
                })
                .count(),
            None => self
                .checker
                .module()
                .body
                .iter()
                .filter(|stmt| match stmt {
                    Stmt::FunctionDef(other) => {
                        !std::ptr::eq(other, self.function)
                            && any_in_body(&other.body, &mut |expr| matches!(expr, Expr::Name(used) if used.id.as_str() == name))
                    }
                    _ => false,
                })
                .count(),
        });
        if callers >= 2 {
            return true;
        }
        let returns_state = returned_values(&self.function.body).iter().any(|value| {
            any_expr(value, &mut |inner: &Expr| {
                matches!(inner, Expr::Attribute(_) | Expr::Name(_))
                    && self.is_shared(inner)
                    && states
                        .iter()
                        .any(|state| ComparableExpr::from(inner) == *state)
            })
        });
        !name.starts_with('_') && returns_state && builds_resource
    }

    /// Reports the first state whose write follows an await, unless one of the states the
    /// condition tests is written before any await (a flag set at once guards the others).
    fn report_states(&self, states: &[State<'a>], events: &[Event<'a>], races: &mut Vec<Race>) {
        let mut found = None;
        for state in states {
            match self.scan_state(state, events) {
                Scan::Guarded => return,
                Scan::Found {
                    awaited,
                    write,
                    produced,
                    producers,
                } => {
                    // A flag set after awaits is an initialise-once guard only in a method that
                    // says so; elsewhere (`close`, `read`, `write_eof`) it marks a state change.
                    if !produced && !self.initialises_once() {
                        continue;
                    }
                    // A lazily built value matters when it is a resource (a client, a connection,
                    // a task, a token): a duplicate leaks or acts twice. A cached list or image
                    // computed twice is wasted work, not a bug.
                    let resource = names_resource(state_name(state))
                        || producers
                            .iter()
                            .any(|producer| names_resource(Some(producer)));
                    if produced && !resource {
                        continue;
                    }
                    found.get_or_insert(Race {
                        resource: produced && resource,
                        check: state.check.range(),
                        awaited,
                        write,
                        kind: RaceKind::LazyInit,
                    });
                }
                Scan::NotFound => {}
            }
        }
        races.extend(found);
    }

    fn scan_state(&self, state: &State<'a>, events: &[Event<'a>]) -> Scan {
        let mut seen: Option<TextRange> = None;
        // Locals holding a value an await produced (`client = await connect()`), with the
        // names of the calls awaited for it.
        let mut awaited_names: HashMap<&str, Vec<String>> = HashMap::new();
        // Shared state written before the first await: a flag another coroutine tests.
        let mut flags_set_early: Vec<ComparableExpr> = Vec::new();
        // The calls awaited in the value itself; for a value derived without an await of its
        // own (`api_response.user`), those of the locals it uses.
        let producers_of = |value: &Expr, awaited_names: &HashMap<&str, Vec<String>>| {
            let mut producers = awaited_callees(value);
            if !producers.is_empty() {
                return producers;
            }
            any_expr(value, &mut |inner: &Expr| {
                if let Expr::Name(name) = inner
                    && let Some(more) = awaited_names.get(name.id.as_str())
                {
                    producers.extend(more.iter().cloned());
                }
                false
            });
            producers
        };
        for event in events {
            match *event {
                Event::Enter { range, protected } => {
                    if !protected {
                        seen.get_or_insert(range);
                    }
                }
                Event::Header { expr, test } => {
                    if let Some(awaited) = first_await(expr) {
                        seen.get_or_insert(awaited);
                    } else if test && self.rechecks(expr, state) {
                        // Double-checked: the state is tested again after the awaits.
                        seen = None;
                    }
                }
                Event::Simple { stmt, protected } => {
                    if let Some(write) = self.writes_state(stmt, state) {
                        if protected {
                            return Scan::Guarded;
                        }
                        let producers = assigned_value(stmt)
                            .map(|value| producers_of(value, &awaited_names))
                            .unwrap_or_default();
                        let produced = first_await_in_stmt(stmt).is_some() || !producers.is_empty();
                        let target = ComparableExpr::from(state.target);
                        if flags_set_early
                            .iter()
                            .any(|flag| *flag != target && self.tested.contains(flag))
                        {
                            return Scan::Guarded;
                        }
                        return match seen.or_else(|| first_await_in_stmt(stmt)) {
                            Some(awaited) => Scan::Found {
                                awaited,
                                write,
                                produced,
                                producers,
                            },
                            None => Scan::Guarded,
                        };
                    }
                    if let Some(value) = assigned_value(stmt) {
                        let producers = producers_of(value, &awaited_names);
                        if !producers.is_empty() {
                            for name in assigned_names(stmt) {
                                awaited_names.insert(name, producers.clone());
                            }
                        }
                        if seen.is_none() && first_await(value).is_none() {
                            flags_set_early.extend(assigned_targets(stmt).into_iter().map(
                                |target| match target {
                                    // `self._pending[key] = future`: the container is what is tested.
                                    Expr::Subscript(subscript) => {
                                        ComparableExpr::from(&*subscript.value)
                                    }
                                    target => ComparableExpr::from(target),
                                },
                            ));
                        }
                    }
                    if let Some(awaited) = first_await_in_stmt(stmt) {
                        seen.get_or_insert(awaited);
                    }
                }
            }
        }
        Scan::NotFound
    }

    /// The shared states `test` decides on: when `present` is false, the checks that are true
    /// when the state is missing (`x is None`, `not x`, `k not in c`); else those true when it
    /// is there (`x`, `x is not None`, `k in c`).
    fn states(&self, test: &'a Expr, present: bool) -> Vec<State<'a>> {
        let mut states = Vec::new();
        match test {
            // `a is None or a.closed`, `a is None and ready`: each operand decides.
            Expr::BoolOp(bool_op) if !present || bool_op.op == BoolOp::Or => {
                for value in &bool_op.values {
                    states.extend(self.states(value, present));
                }
            }
            Expr::UnaryOp(unary)
                if unary.op == UnaryOp::Not && !present && self.is_shared(&unary.operand) =>
            {
                states.push(State {
                    target: &unary.operand,
                    key: None,
                    check: test,
                });
            }
            Expr::Compare(compare) if compare.ops.len() == 1 => {
                let right = &compare.comparators[0];
                let op = compare.ops[0];
                let none_test = match op {
                    CmpOp::Is | CmpOp::Eq => Some(!present),
                    CmpOp::IsNot | CmpOp::NotEq => Some(present),
                    _ => None,
                };
                if none_test == Some(true)
                    && right.is_none_literal_expr()
                    && self.is_shared(&compare.left)
                {
                    states.push(State {
                        target: &compare.left,
                        key: None,
                        check: test,
                    });
                }
                let membership = match op {
                    CmpOp::NotIn => !present,
                    CmpOp::In => present,
                    _ => false,
                };
                if membership && self.is_shared(right) && first_await(&compare.left).is_none() {
                    states.push(State {
                        target: right,
                        key: Some(&compare.left),
                        check: test,
                    });
                }
            }
            Expr::Name(_) | Expr::Attribute(_) if present && self.is_shared(test) => {
                states.push(State {
                    target: test,
                    key: None,
                    check: test,
                });
            }
            _ => {}
        }
        states
    }

    /// The function's locals and what is assigned to them, built on first use.
    fn assignments(&self) -> &HashMap<&'a str, Vec<Option<&'a Expr>>> {
        self.assignments.get_or_init(|| {
            let mut found: HashMap<&'a str, Vec<Option<&'a Expr>>> = HashMap::new();
            for parameter in self.function.parameters.iter() {
                found
                    .entry(parameter.name().as_str())
                    .or_default()
                    .push(None);
            }
            collect_assignments(&self.function.body, &mut |target, value, index| {
                if let Expr::Name(name) = target {
                    found
                        .entry(name.id.as_str())
                        .or_default()
                        .push(value.filter(|_| index.is_none()));
                }
            });
            found
        })
    }

    /// The shared states tested by the `if`s of the function.
    fn tested_states(&self) -> Vec<ComparableExpr<'a>> {
        let mut tests: Vec<&'a Expr> = Vec::new();
        walk_statements_shallow(&self.function.body, &mut |stmt| {
            match stmt {
                Stmt::If(if_stmt) => {
                    tests.push(&if_stmt.test);
                    tests.extend(
                        if_stmt
                            .elif_else_clauses
                            .iter()
                            .filter_map(|clause| clause.test.as_ref()),
                    );
                }
                Stmt::While(while_stmt) => tests.push(&while_stmt.test),
                _ => {}
            }
            Walk::Descend
        });
        // Every shared value a test reads (`self._connecting`, `self._pending.get(key)`).
        let mut tested = Vec::new();
        for test in tests {
            collect_exprs(test, &mut |expr| {
                if matches!(expr, Expr::Attribute(_) | Expr::Name(_)) && self.is_shared(expr) {
                    tested.push(ComparableExpr::from(expr));
                }
            });
        }
        tested
    }

    /// A method the framework runs one at a time (see `catalog::SERIALIZED_HOOKS`), or a
    /// method of a class driven one step at a time (`catalog::SERIALIZED_BASE_SUFFIXES`).
    fn is_serialized(&self) -> bool {
        let name = self.function.name.as_str();
        self.is_serialized_class()
            || (name.starts_with("__") && name.ends_with("__"))
            || catalog::SERIALIZED_HOOKS
                .iter()
                .any(|hook| match hook.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => name == *hook,
                })
    }

    /// A method of a class driven one step at a time (a config flow).
    fn is_serialized_class(&self) -> bool {
        self.class.is_some_and(|class| {
            class.bases().iter().any(|base| {
                last_identifier(base).is_some_and(|base| {
                    catalog::SERIALIZED_BASE_SUFFIXES
                        .iter()
                        .any(|suffix| base.ends_with(suffix))
                })
            })
        })
    }

    /// A method whose name says it initialises once (`ensure_started`, `async_load`).
    fn initialises_once(&self) -> bool {
        let name = self.function.name.to_ascii_lowercase();
        catalog::INIT_ONCE_WORDS
            .iter()
            .any(|word| name.contains(word))
            && !catalog::TEARDOWN_WORDS
                .iter()
                .any(|word| name.contains(word))
    }

    /// `self.x`, `cls.x`, `Class.x`, a global (a name the function does not bind), or an
    /// attribute of one: state other coroutines see.
    fn is_shared(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(name) => {
                let name = name.id.as_str();
                !self.checker.model.is_local(name)
                    && self
                        .checker
                        .model
                        .module
                        .resolve_global(name)
                        .is_none_or(|resolved| {
                            resolved
                                .path()
                                .is_none_or(|path| !path.starts_with("builtins."))
                        })
            }
            Expr::Attribute(attribute) => {
                // Real state is a short chain (`self._client`, `cls._pool.conn`); a cap keeps
                // pathological chains linear.
                let mut root = &*attribute.value;
                let mut depth = 0;
                while let Expr::Attribute(inner) = root {
                    root = &inner.value;
                    depth += 1;
                    if depth > 32 {
                        return false;
                    }
                }
                let Expr::Name(root) = root else {
                    return false;
                };
                let root = root.id.as_str();
                Some(root) == self.receiver
                    || Some(root) == self.class_name
                    || !self.checker.model.is_local(root)
            }
            _ => false,
        }
    }

    /// Whether `test` checks `state` again (either polarity).
    fn rechecks(&self, test: &'a Expr, state: &State<'a>) -> bool {
        let target = ComparableExpr::from(state.target);
        self.states(test, false)
            .iter()
            .chain(self.states(test, true).iter())
            .any(|other| ComparableExpr::from(other.target) == target)
    }

    /// The range of `stmt` when it assigns a value to `state` (not `None`/`False`).
    fn writes_state(&self, stmt: &'a Stmt, state: &State<'a>) -> Option<TextRange> {
        let (targets, value): (&[Expr], &Expr) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, &assign.value),
            Stmt::AnnAssign(assign) => (
                std::slice::from_ref(&*assign.target),
                assign.value.as_deref()?,
            ),
            _ => return None,
        };
        if value.is_none_literal_expr()
            || matches!(value, Expr::BooleanLiteral(literal) if !literal.value)
        {
            return None;
        }
        let wanted = ComparableExpr::from(state.target);
        let matches = |target: &Expr| match (state.key, target) {
            (None, target) => ComparableExpr::from(target) == wanted,
            (Some(key), Expr::Subscript(subscript)) => {
                ComparableExpr::from(&*subscript.value) == wanted
                    && ComparableExpr::from(&*subscript.slice) == ComparableExpr::from(key)
            }
            _ => false,
        };
        let hit = targets.iter().any(|target| match target {
            Expr::Tuple(tuple) => tuple.elts.iter().any(matches),
            Expr::List(list) => list.elts.iter().any(matches),
            target => matches(target),
        });
        hit.then(|| stmt.range())
    }

    // ---- Shape 2: check-then-write on a store --------------------------------------------

    /// `row = await db.fetch_one(...)`, remembered for a later `if row is None:`.
    fn remember_read(&self, stmt: &'a Stmt, reads: &mut HashMap<&'a str, StoreRead<'a>>) {
        let Some((target, value)) = single_assignment(stmt) else {
            return;
        };
        let Expr::Name(name) = target else { return };
        let name = name.id.as_str();
        if let Some(read) = self.store_read_in(value) {
            reads.insert(name, read);
            return;
        }
        // `user = result.scalar_one_or_none()`: derived from a read, with no await of its own.
        let derived = if first_await(value).is_none() {
            find_in_expr(value, &mut |expr| match expr {
                Expr::Name(used) => reads.get(used.id.as_str()).cloned(),
                _ => None,
            })
        } else {
            None
        };
        match derived {
            Some(read) => reads.insert(name, read),
            None => reads.remove(name),
        };
    }

    /// The awaited store read inside `expr`: `await repo.exists(k)`, `(await s.execute(q)).first()`.
    fn store_read_in(&self, expr: &'a Expr) -> Option<StoreRead<'a>> {
        find_in_expr(expr, &mut |inner| match inner {
            Expr::Await(awaited) => self.store_read(awaited),
            _ => None,
        })
    }

    fn store_read(&self, awaited: &'a ast::ExprAwait) -> Option<StoreRead<'a>> {
        let Expr::Call(call) = &*awaited.value else {
            return None;
        };
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        let method = attribute.attr.as_str();
        if !catalog::method_has_verb(method, catalog::STORE_READ_METHODS) {
            return None;
        }
        if method.starts_with("execute")
            || method.starts_with("fetch")
            || method.starts_with("query")
        {
            // A locking read (`FOR UPDATE`) is the fix; a write is not a read.
            if let Some(sql) = call.arguments.args.first().and_then(|sql| self.sql_of(sql))
                && (sql_is_write(&sql) || sql_is_race_safe(&sql))
            {
                return None;
            }
        }
        // `self.get_x()` then `self.create_y()` are two methods of one class, not a store.
        if matches!(&*attribute.value, Expr::Name(name) if Some(name.id.as_str()) == self.receiver)
        {
            return None;
        }
        Some(StoreRead {
            receiver: &attribute.value,
            method,
        })
    }

    fn check_then_write(
        &self,
        if_stmt: &'a ast::StmtIf,
        rest: &'a [Stmt],
        reads: &HashMap<&'a str, StoreRead<'a>>,
        races: &mut Vec<Race>,
    ) {
        // (polarity, read): `if not await r.exists(k)` is missing, `if await r.exists(k)` present.
        let Some((present, read)) = self.existence_check(&if_stmt.test, reads) else {
            return;
        };
        let events = if !present {
            flatten(self, &if_stmt.body)
        } else if if_stmt.elif_else_clauses.is_empty() && exits(&if_stmt.body) {
            flatten(self, rest)
        } else {
            return;
        };
        if let Scan::Found { awaited, write, .. } = self.scan_store_write(&read, &events) {
            races.push(Race {
                resource: false,
                check: if_stmt.test.range(),
                awaited,
                write,
                kind: RaceKind::CheckThenWrite,
            });
        }
    }

    fn existence_check(
        &self,
        test: &'a Expr,
        reads: &HashMap<&'a str, StoreRead<'a>>,
    ) -> Option<(bool, StoreRead<'a>)> {
        let read_of = |expr: &'a Expr| -> Option<StoreRead<'a>> {
            match expr {
                Expr::Await(awaited) => self.store_read(awaited),
                Expr::Name(name) => reads.get(name.id.as_str()).cloned(),
                _ => None,
            }
        };
        match test {
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
                read_of(&unary.operand).map(|read| (false, read))
            }
            Expr::Compare(compare)
                if compare.ops.len() == 1 && compare.comparators[0].is_none_literal_expr() =>
            {
                let read = read_of(&compare.left)?;
                match compare.ops[0] {
                    CmpOp::Is | CmpOp::Eq => Some((false, read)),
                    CmpOp::IsNot | CmpOp::NotEq => Some((true, read)),
                    _ => None,
                }
            }
            other => read_of(other).map(|read| (true, read)),
        }
    }

    fn scan_store_write(&self, read: &StoreRead<'a>, events: &[Event<'a>]) -> Scan {
        let receiver = ComparableExpr::from(read.receiver);
        let mut seen: Option<TextRange> = None;
        let mut pending: Option<TextRange> = None;
        for event in events {
            match *event {
                Event::Enter { range, protected } => {
                    if !protected {
                        seen.get_or_insert(range);
                    }
                }
                Event::Header { expr, .. } => {
                    if let Some(awaited) = first_await(expr) {
                        if let Some(write) = pending {
                            return Scan::store_race(awaited, write);
                        }
                        seen.get_or_insert(awaited);
                    }
                }
                Event::Simple { stmt, protected } => {
                    match self.store_write(stmt, &receiver, read.method) {
                        Some(Write::Safe) => return Scan::Guarded,
                        Some(Write::Plain(write)) => {
                            if protected || self.in_integrity_handler(stmt) {
                                return Scan::Guarded;
                            }
                            // `db.add(row)` then `await db.commit()`: the add is the write.
                            let write = pending.unwrap_or(write);
                            if let Some(awaited) = seen.or_else(|| first_await_in_stmt(stmt)) {
                                return Scan::store_race(awaited, write);
                            }
                            pending.get_or_insert(write);
                            continue;
                        }
                        None => {}
                    }
                    if let Some(awaited) = first_await_in_stmt(stmt) {
                        if let Some(write) = pending {
                            return Scan::store_race(awaited, write);
                        }
                        seen.get_or_insert(awaited);
                    }
                }
            }
        }
        Scan::NotFound
    }

    /// A write call on `receiver` in `stmt`.
    fn store_write(
        &self,
        stmt: &'a Stmt,
        receiver: &ComparableExpr,
        read_method: &str,
    ) -> Option<Write> {
        let mut result = None;
        any_in_body(std::slice::from_ref(stmt), &mut |expr| {
            let Expr::Call(call) = expr else { return false };
            let Expr::Attribute(attribute) = &*call.func else {
                return false;
            };
            if ComparableExpr::from(&*attribute.value) != *receiver {
                return false;
            }
            let method = attribute.attr.as_str();
            if catalog::UPSERT_METHODS.contains(&method) || has_atomic_keyword(call) {
                result = Some(Write::Safe);
                return true;
            }
            if !catalog::method_has_verb(method, catalog::STORE_WRITE_METHODS)
                || catalog::IDEMPOTENT_WRITES.contains(&method)
                || catalog::method_has_verb(method, catalog::ROW_UPDATE_WRITES)
                || (catalog::CACHE_FILL_READS.contains(&read_method)
                    && catalog::CACHE_FILL_WRITES.contains(&method))
            {
                return false;
            }
            if method.starts_with("execute") {
                let Some(sql) = call.arguments.args.first().and_then(|sql| self.sql_of(sql)) else {
                    return false;
                };
                if sql_is_race_safe(&sql) {
                    result = Some(Write::Safe);
                    return true;
                }
                if !sql_is_write(&sql) {
                    return false;
                }
            }
            result = Some(Write::Plain(call.range()));
            true
        });
        result
    }

    /// Whether `stmt` sits in a `try` that handles a unique-constraint violation: the
    /// constraint settles the race.
    fn in_integrity_handler(&self, stmt: &'a Stmt) -> bool {
        let Some(function) = self.checker.current_function() else {
            return false;
        };
        let mut found = false;
        let target = stmt.range();
        find_enclosing_tries(&function.body, target, &mut |try_stmt| {
            let handles = try_stmt.handlers.iter().any(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                handler.type_.as_deref().is_some_and(|kind| {
                    let text = self.checker.text(kind.range());
                    [
                        "IntegrityError",
                        "UniqueViolation",
                        "DuplicateKey",
                        "UniqueConstraint",
                        "AlreadyExists",
                    ]
                    .iter()
                    .any(|name| text.contains(name))
                })
            });
            found |= handles;
        });
        found
    }

    /// The SQL an argument holds, upper-cased: a string, `text("...")`, a SQLAlchemy
    /// `insert(...)`/`select(...)` chain (its root function name), or a local assigned one.
    fn sql_of(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::StringLiteral(string) => Some(string.value.to_str().trim().to_ascii_uppercase()),
            Expr::FString(_) => {
                let text = self.checker.text(expr.range());
                let text = text
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '"' || c == '\'');
                Some(text.trim().to_ascii_uppercase())
            }
            Expr::BinOp(binop) if binop.op == Operator::Add => self.sql_of(&binop.left),
            Expr::Call(call) => {
                let whole = self.checker.text(call.range()).to_ascii_uppercase();
                let mut root = call;
                while let Expr::Attribute(attribute) = &*root.func {
                    let Expr::Call(inner) = &*attribute.value else {
                        break;
                    };
                    root = inner;
                }
                let name = last_identifier(&root.func)?;
                if name == "text" || name == "literal" {
                    let inner = root
                        .arguments
                        .args
                        .first()
                        .and_then(|inner| self.sql_of(inner))?;
                    return Some(format!("{inner} {whole}"));
                }
                Some(format!("{} {whole}", name.to_ascii_uppercase()))
            }
            // `sql = "INSERT ..."; await db.execute(sql)`: a local assigned once.
            Expr::Name(name) => match self.assignments().get(name.id.as_str())?.as_slice() {
                [Some(value)] if !matches!(value, Expr::Name(_)) => self.sql_of(value),
                _ => None,
            },
            _ => None,
        }
    }

    // ---- Shape 3: read-modify-write -------------------------------------------------------

    fn read_modify_write(&self, stmt: &'a Stmt, rest: &'a [Stmt], races: &mut Vec<Race>) {
        let Some((target, value)) = single_assignment(stmt) else {
            return;
        };
        let Expr::Name(name) = target else { return };
        let Expr::Await(awaited) = value else { return };
        let Expr::Call(read) = &*awaited.value else {
            return;
        };
        let Some((read_receiver, read_noun)) = accessor(&read.func, catalog::RMW_READ_PREFIXES)
        else {
            return;
        };
        let mut derived: HashSet<&str> = HashSet::from([name.id.as_str()]);
        let mut modified: HashSet<&str> = HashSet::new();
        let mut aliases: HashMap<&str, &str> = HashMap::new();
        let mut seen: Option<TextRange> = None;
        for event in flatten(self, rest) {
            let (stmt, protected) = match event {
                Event::Simple { stmt, protected } => (stmt, protected),
                Event::Enter { range, protected } => {
                    if !protected {
                        seen.get_or_insert(range);
                    }
                    continue;
                }
                Event::Header { expr, .. } => {
                    if let Some(found) = first_await(expr) {
                        seen.get_or_insert(found);
                    }
                    continue;
                }
            };
            // The write back.
            let mut write = None;
            any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                let Expr::Call(call) = expr else { return false };
                let Some((receiver, noun)) = accessor(&call.func, catalog::RMW_WRITE_PREFIXES)
                else {
                    return false;
                };
                let same_target = noun == read_noun
                    && match (receiver, read_receiver) {
                        (None, None) => true,
                        (Some(a), Some(b)) => ComparableExpr::from(a) == ComparableExpr::from(b),
                        _ => false,
                    };
                let same_key = match (read.arguments.args.first(), call.arguments.args.first()) {
                    (Some(a), Some(b)) => ComparableExpr::from(a) == ComparableExpr::from(b),
                    (None, _) => true,
                    _ => false,
                };
                let writes_modified = call
                    .arguments
                    .args
                    .iter()
                    .skip(usize::from(!read.arguments.args.is_empty()))
                    .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value))
                    .any(|argument| is_modified(argument, &derived, &modified));
                if same_target && same_key && writes_modified {
                    write = Some(call.range());
                    return true;
                }
                false
            });
            if let Some(write) = write {
                if !protected {
                    let awaited_between = seen
                        .or_else(|| first_await_in_stmt(stmt))
                        .unwrap_or(awaited.range());
                    races.push(Race {
                        resource: false,
                        check: stmt_range_of_read(awaited),
                        awaited: awaited_between,
                        write,
                        kind: RaceKind::ReadModifyWrite,
                    });
                }
                return;
            }
            track_modification(stmt, &mut derived, &mut modified, &mut aliases);
            if let Some(found) = first_await_in_stmt(stmt) {
                seen.get_or_insert(found);
            }
        }
    }

    // ---- Locks and transactions -----------------------------------------------------------

    /// `async with self._lock:`, `async with conn.transaction():` and the like.
    fn is_protecting(&self, with: &ast::StmtWith) -> bool {
        with.items.iter().any(|item| {
            let expr = &item.context_expr;
            if self
                .checker
                .model
                .type_of(expr)
                .is_some_and(|type_name| catalog::is_lock_type(&type_name))
            {
                return true;
            }
            if is_lock_name(expr) {
                return true;
            }
            // Transactions.
            if let Expr::Call(call) = expr
                && let Some(name) = last_identifier(&call.func)
            {
                return catalog::TRANSACTION_METHODS.contains(&name)
                    || name.to_ascii_lowercase().contains("transaction");
            }
            false
        })
    }

    /// `await self._lock.acquire()` anywhere in the function: the author manages a lock by hand.
    fn acquires_lock_by_hand(&self, body: &[Stmt]) -> bool {
        any_in_body(body, &mut |expr| {
            let Expr::Call(call) = expr else { return false };
            let Expr::Attribute(attribute) = &*call.func else {
                return false;
            };
            attribute.attr.as_str() == "acquire"
                && (is_lock_name(&attribute.value)
                    || self
                        .checker
                        .model
                        .type_of(&attribute.value)
                        .is_some_and(|type_name| catalog::is_lock_type(&type_name)))
        })
    }
}

enum Write {
    /// An upsert or conditional write: the store settles the race.
    Safe,
    Plain(TextRange),
}

/// `get_balance` → (None, "balance"); `repo.get_balance` → (Some(repo), "balance");
/// `cache.get` → (Some(cache), "").
fn accessor<'e>(func: &'e Expr, verbs: &[&str]) -> Option<(Option<&'e Expr>, &'e str)> {
    let (receiver, name) = match func {
        Expr::Name(name) => (None, name.id.as_str()),
        Expr::Attribute(attribute) => (Some(&*attribute.value), attribute.attr.as_str()),
        _ => return None,
    };
    let name = name.trim_start_matches('_');
    for verb in verbs {
        if name == *verb {
            // A bare `get`/`set` pairs only on the same receiver.
            return receiver.map(|receiver| (Some(receiver), ""));
        }
        if let Some(noun) = name
            .strip_prefix(verb)
            .and_then(|rest| rest.strip_prefix('_'))
            && !noun.is_empty()
        {
            return Some((receiver, noun));
        }
    }
    None
}

/// An argument computed from the value read: `balance - amount`, a name assigned such a
/// value, or the read value after it was changed in place.
fn is_modified(argument: &Expr, derived: &HashSet<&str>, modified: &HashSet<&str>) -> bool {
    use ruff_python_ast::visitor::{Visitor, walk_expr};

    // One walk: a derived name under an arithmetic operator, or a modified name anywhere.
    struct Finder<'s, 'n> {
        derived: &'s HashSet<&'n str>,
        modified: &'s HashSet<&'n str>,
        in_arithmetic: usize,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    self.found = self.modified.contains(name)
                        || (self.in_arithmetic > 0 && self.derived.contains(name));
                }
                Expr::BinOp(_) => {
                    self.in_arithmetic += 1;
                    walk_expr(self, expr);
                    self.in_arithmetic -= 1;
                }
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder {
        derived,
        modified,
        in_arithmetic: 0,
        found: false,
    };
    finder.visit_expr(argument);
    finder.found
}

/// Follows how the value read changes before it is written back, counting only changes that
/// build on what was read: `new = balance - x`, `balance -= x`, `items.append(v)` (also through
/// `section = config["s"]`), `data["n"] = data["n"] + 1`. Setting a part to an independent value
/// (`config["flag"] = True`) is not counted: whether that loses a concurrent update depends on
/// whether the store writes the whole document or only the keys that changed.
fn track_modification<'a>(
    stmt: &'a Stmt,
    derived: &mut HashSet<&'a str>,
    modified: &mut HashSet<&'a str>,
    aliases: &mut HashMap<&'a str, &'a str>,
) {
    // The read value a target or receiver is part of: `config` for `config["a"]["b"]`, and
    // for `section` when `section = config["a"]`.
    fn root_of<'e>(expr: &'e Expr, aliases: &HashMap<&'e str, &'e str>) -> Option<&'e str> {
        let mut expr = expr;
        loop {
            match expr {
                Expr::Subscript(subscript) => expr = &subscript.value,
                Expr::Attribute(attribute) => expr = &attribute.value,
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    return Some(aliases.get(name).copied().unwrap_or(name));
                }
                _ => return None,
            }
        }
    }
    let uses_derived = |expr: &Expr, derived: &HashSet<&str>| {
        any_expr(
            expr,
            &mut |inner: &Expr| matches!(inner, Expr::Name(name) if derived.contains(name.id.as_str())),
        )
    };
    match stmt {
        Stmt::AugAssign(assign) => {
            if let Some(root) = root_of(&assign.target, aliases)
                && derived.contains(root)
            {
                modified.insert(root);
            }
        }
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                match target {
                    Expr::Name(name) => {
                        let name = name.id.as_str();
                        if is_modified(&assign.value, derived, modified) {
                            derived.insert(name);
                            modified.insert(name);
                        } else if matches!(&*assign.value, Expr::Subscript(_) | Expr::Attribute(_))
                            && let Some(root) = root_of(&assign.value, aliases)
                            && derived.contains(root)
                        {
                            // `section = config["s"]`: changes to `section` change `config`.
                            derived.insert(name);
                            aliases.insert(name, root);
                        } else if uses_derived(&assign.value, derived) {
                            derived.insert(name);
                        }
                    }
                    Expr::Subscript(_) | Expr::Attribute(_) => {
                        if let Some(root) = root_of(target, aliases)
                            && derived.contains(root)
                            && uses_derived(&assign.value, derived)
                        {
                            modified.insert(root);
                        }
                    }
                    _ => {}
                }
            }
        }
        Stmt::Expr(expr) => {
            if let Expr::Call(call) = &*expr.value
                && let Expr::Attribute(attribute) = &*call.func
                && let Some(root) = root_of(&attribute.value, aliases)
                && derived.contains(root)
            {
                let method = attribute.attr.as_str();
                // A collection edit keeps what was read and adds to it; `update`/`setdefault`
                // count when what they store is built from the read value.
                let dict_key_removal = method == "pop" && call.arguments.args.len() == 2;
                let edits = (catalog::COLLECTION_EDITS.contains(&method) && !dict_key_removal)
                    || (matches!(method, "update" | "setdefault")
                        && call
                            .arguments
                            .args
                            .iter()
                            .any(|argument| uses_derived(argument, derived)));
                if edits {
                    modified.insert(root);
                }
            }
        }
        _ => {}
    }
}

fn stmt_range_of_read(awaited: &ast::ExprAwait) -> TextRange {
    awaited.range()
}

/// How many statements after a check are searched for its write.
const MAX_REGION_EVENTS: usize = 400;

/// Flattens `stmts` into events, in source order, skipping nested scopes.
fn flatten<'a>(analysis: &Analysis<'_, 'a, '_>, stmts: &'a [Stmt]) -> Vec<Event<'a>> {
    fn walk<'a>(
        analysis: &Analysis<'_, 'a, '_>,
        stmts: &'a [Stmt],
        protected: bool,
        out: &mut Vec<Event<'a>>,
    ) {
        for stmt in stmts {
            // A check and the write it guards sit close together; looking further only costs
            // time (quadratic in a function's length).
            if out.len() >= MAX_REGION_EVENTS {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(with) => {
                    for item in &with.items {
                        out.push(Event::Header {
                            expr: &item.context_expr,
                            test: false,
                        });
                    }
                    let inner = protected || analysis.is_protecting(with);
                    if with.is_async {
                        out.push(Event::Enter {
                            range: with.items.first().map_or(with.range(), Ranged::range),
                            protected: inner,
                        });
                    }
                    walk(analysis, &with.body, inner, out);
                }
                Stmt::If(if_stmt) => {
                    out.push(Event::Header {
                        expr: &if_stmt.test,
                        test: true,
                    });
                    // `if done: return await pending`: the code after the `if` runs only when
                    // the body did not, so the body's awaits are not between what comes after.
                    let body_exits = if_stmt.elif_else_clauses.is_empty()
                        && matches!(if_stmt.body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)));
                    if !body_exits {
                        walk(analysis, &if_stmt.body, protected, out);
                    }
                    for clause in &if_stmt.elif_else_clauses {
                        if let Some(test) = &clause.test {
                            out.push(Event::Header {
                                expr: test,
                                test: true,
                            });
                        }
                        walk(analysis, &clause.body, protected, out);
                    }
                }
                Stmt::For(for_stmt) => {
                    out.push(Event::Header {
                        expr: &for_stmt.iter,
                        test: false,
                    });
                    if for_stmt.is_async {
                        out.push(Event::Enter {
                            range: for_stmt.iter.range(),
                            protected,
                        });
                    }
                    walk(analysis, &for_stmt.body, protected, out);
                    walk(analysis, &for_stmt.orelse, protected, out);
                }
                Stmt::While(while_stmt) => {
                    out.push(Event::Header {
                        expr: &while_stmt.test,
                        test: false,
                    });
                    walk(analysis, &while_stmt.body, protected, out);
                    walk(analysis, &while_stmt.orelse, protected, out);
                }
                Stmt::Try(try_stmt) => {
                    walk(analysis, &try_stmt.body, protected, out);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        walk(analysis, &handler.body, protected, out);
                    }
                    walk(analysis, &try_stmt.orelse, protected, out);
                    walk(analysis, &try_stmt.finalbody, protected, out);
                }
                Stmt::Match(match_stmt) => {
                    out.push(Event::Header {
                        expr: &match_stmt.subject,
                        test: false,
                    });
                    for case in &match_stmt.cases {
                        walk(analysis, &case.body, protected, out);
                    }
                }
                _ => out.push(Event::Simple { stmt, protected }),
            }
        }
    }
    let mut out = Vec::new();
    walk(analysis, stmts, false, &mut out);
    out
}

/// The `try` statements in `body` whose `try` block contains `target`.
fn find_enclosing_tries<'a>(
    body: &'a [Stmt],
    target: TextRange,
    visit: &mut dyn FnMut(&'a ast::StmtTry),
) {
    for stmt in body {
        if !stmt.range().contains_range(target) {
            continue;
        }
        match stmt {
            Stmt::Try(try_stmt) => {
                if try_stmt
                    .body
                    .iter()
                    .any(|inner| inner.range().contains_range(target))
                {
                    visit(try_stmt);
                }
                find_enclosing_tries(&try_stmt.body, target, visit);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    find_enclosing_tries(&handler.body, target, visit);
                }
                find_enclosing_tries(&try_stmt.orelse, target, visit);
                find_enclosing_tries(&try_stmt.finalbody, target, visit);
            }
            Stmt::If(if_stmt) => {
                find_enclosing_tries(&if_stmt.body, target, visit);
                for clause in &if_stmt.elif_else_clauses {
                    find_enclosing_tries(&clause.body, target, visit);
                }
            }
            Stmt::With(with) => find_enclosing_tries(&with.body, target, visit),
            Stmt::For(for_stmt) => {
                find_enclosing_tries(&for_stmt.body, target, visit);
                find_enclosing_tries(&for_stmt.orelse, target, visit);
            }
            Stmt::While(while_stmt) => {
                find_enclosing_tries(&while_stmt.body, target, visit);
                find_enclosing_tries(&while_stmt.orelse, target, visit);
            }
            Stmt::Match(match_stmt) => {
                for case in &match_stmt.cases {
                    find_enclosing_tries(&case.body, target, visit);
                }
            }
            _ => {}
        }
    }
}

/// A body that leaves: `return`, `return x`, `raise ...` (possibly after logging).
fn exits(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
        && body.iter().all(|stmt| {
            matches!(
                stmt,
                Stmt::Return(_) | Stmt::Raise(_) | Stmt::Expr(_) | Stmt::Pass(_)
            )
        })
        && !body.iter().any(|stmt| first_await_in_stmt(stmt).is_some())
}

/// Names that say lock: `lock`, `self._lock`, `self._locks[key]`, `self._get_lock(key)`,
/// `write_mutex`, `self._sem`.
fn is_lock_name(expr: &Expr) -> bool {
    let mut expr = expr;
    loop {
        match expr {
            // `self._locks.setdefault(key, Lock())`, `self._locks.get(key)`: the container names it.
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attribute)
                    if matches!(
                        attribute.attr.as_str(),
                        "setdefault" | "get" | "__getitem__"
                    ) =>
                {
                    expr = &attribute.value;
                }
                func => expr = func,
            },
            Expr::Subscript(subscript) => expr = &subscript.value,
            _ => break,
        }
    }
    let Some(name) = last_identifier(expr) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    name.ends_with("lock")
        || name.ends_with("locks")
        || name.ends_with("mutex")
        || name.contains("semaphore")
        || name
            .split('_')
            .any(|part| matches!(part, "lock" | "locks" | "mutex" | "sem" | "semaphore"))
}

fn has_atomic_keyword(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|keyword| {
        keyword
            .arg
            .as_ref()
            .is_some_and(|arg| catalog::ATOMIC_WRITE_KEYWORDS.contains(&arg.as_str()))
            && !matches!(&keyword.value, Expr::BooleanLiteral(literal) if !literal.value)
            && !keyword.value.is_none_literal_expr()
    })
}

fn sql_is_write(sql: &str) -> bool {
    let first = sql
        .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    catalog::SQL_WRITE_KEYWORDS.contains(&first)
}

fn sql_is_race_safe(sql: &str) -> bool {
    catalog::SQL_RACE_SAFE_MARKERS
        .iter()
        .any(|marker| sql.contains(marker))
}

/// The name of a state, for the resource test: `_client` of `self._client`, `_clients` of
/// `self._clients[key]`, `CLIENT` of a global.
fn state_name<'a>(state: &State<'a>) -> Option<&'a str> {
    last_identifier(state.target)
}

/// Whether `name` says resource (see `catalog::RESOURCE_WORDS`).
fn names_resource(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    // The last word names what the value is: `imap_client`, `_long_poll_task`, not `_session_key`.
    let name = name.to_ascii_lowercase();
    let Some(last) = name.split('_').rfind(|segment| !segment.is_empty()) else {
        return false;
    };
    catalog::RESOURCE_WORDS
        .iter()
        .any(|word| last.starts_with(word) || (word.len() > 4 && last.contains(word)))
}

/// The last names of the calls awaited in `expr`: `connect` of `await self._pool.connect()`.
fn awaited_callees(expr: &Expr) -> Vec<String> {
    let mut found = Vec::new();
    any_expr(expr, &mut |inner: &Expr| {
        if let Expr::Await(awaited) = inner
            && let Expr::Call(call) = &*awaited.value
            && let Some(name) = last_identifier(&call.func)
        {
            found.push(name.to_string());
        }
        false
    });
    found
}

/// The values of the `return` statements of a body (not of nested scopes).
fn returned_values(body: &[Stmt]) -> Vec<&Expr> {
    let mut found = Vec::new();
    walk_statements_shallow(body, &mut |stmt| {
        if let Stmt::Return(ret) = stmt {
            found.extend(ret.value.as_deref());
        }
        Walk::Descend
    });
    found
}

/// The value an assignment statement stores.
fn assigned_value(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Assign(assign) => Some(&assign.value),
        Stmt::AnnAssign(assign) => assign.value.as_deref(),
        _ => None,
    }
}

/// The plain names an assignment binds.
fn assigned_names(stmt: &Stmt) -> Vec<&str> {
    fn names<'e>(target: &'e Expr, out: &mut Vec<&'e str>) {
        match target {
            Expr::Name(name) => out.push(name.id.as_str()),
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|elt| names(elt, out)),
            Expr::List(list) => list.elts.iter().for_each(|elt| names(elt, out)),
            Expr::Starred(starred) => names(&starred.value, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .for_each(|target| names(target, &mut out)),
        Stmt::AnnAssign(assign) => names(&assign.target, &mut out),
        _ => {}
    }
    out
}

/// The targets an assignment stores to (tuple targets unpacked).
fn assigned_targets(stmt: &Stmt) -> Vec<&Expr> {
    fn collect<'e>(target: &'e Expr, out: &mut Vec<&'e Expr>) {
        match target {
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|elt| collect(elt, out)),
            Expr::List(list) => list.elts.iter().for_each(|elt| collect(elt, out)),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .for_each(|target| collect(target, &mut out)),
        Stmt::AnnAssign(assign) => collect(&assign.target, &mut out),
        _ => {}
    }
    out
}

/// Calls `visit` on `expr` and every expression inside it.
fn collect_exprs<'a>(expr: &'a Expr, visit: &mut dyn FnMut(&'a Expr)) {
    let _: Option<()> = find_in_expr(expr, &mut |inner| {
        visit(inner);
        None
    });
}

/// The first `await` in `expr`, in source order.
fn first_await(expr: &Expr) -> Option<TextRange> {
    let mut found = None;
    any_expr(expr, &mut |inner: &Expr| {
        if let Expr::Await(awaited) = inner {
            found = Some(awaited.range());
            return true;
        }
        false
    });
    found
}

fn first_await_in_stmt(stmt: &Stmt) -> Option<TextRange> {
    let mut found = None;
    any_in_body(std::slice::from_ref(stmt), &mut |inner| {
        if let Expr::Await(awaited) = inner {
            found = Some(awaited.range());
            return true;
        }
        false
    });
    found
}
