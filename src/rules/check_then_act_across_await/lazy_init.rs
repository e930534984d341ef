//! Shape 1, lazy initialisation: `if self._x is None:` then awaits and then the write of
//! `self._x` (or the early-return form, `if self._ready: return` ... `self._ready = True`),
//! reported where concurrent callers are plausible and a duplicate does harm.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{
    Walk, any_expr, any_in_body, last_identifier, receiver_name, walk_statements_shallow,
};
use crate::catalog;

use super::analysis::Analysis;
use super::events::{Event, flatten};
use super::fan_out::{FanOut, FanOutState, method_key};
use super::model::{Race, RaceKind, Scan, State};
use super::syntax::{
    assigned_names, assigned_targets, assigned_value, awaited_callees, exits, first_await,
    first_await_in_stmt, returned_values,
};

impl<'a> Analysis<'_, 'a, '_> {
    pub(super) fn lazy_init(
        &self,
        if_stmt: &'a ast::StmtIf,
        previous: Option<&'a Stmt>,
        rest: &'a [Stmt],
        races: &mut Vec<Race>,
    ) {
        if first_await(&if_stmt.test).is_some() || self.is_serialized() {
            return;
        }
        let before = races.len();
        // Body form: `if self._x is None: ... await ...; self._x = ...`.
        let mut missing = self.states(&if_stmt.test, false);
        // `found = self._cache.get(key)` right before `if found is None:` (or `if not
        // found:`): the lookup kept in a local is the check.
        if missing.is_empty()
            && let Some(state) = self.lookup_kept_before(previous, &if_stmt.test)
        {
            missing.push(state);
        }
        let mut targets: Vec<ComparableExpr> = missing
            .iter()
            .map(|state| ComparableExpr::from(state.target))
            .collect();
        if !missing.is_empty() {
            let events = flatten(self, &if_stmt.body);
            self.report_states(&missing, &events, races);
            // The write after the block: `if not self._active: await self._open()` then
            // `self._active = True`, the body awaiting and every path going on to the write.
            if races.len() == before
                && if_stmt.elif_else_clauses.is_empty()
                && !exits(&if_stmt.body)
                && if_stmt
                    .body
                    .iter()
                    .any(|stmt| first_await_in_stmt(stmt).is_some())
            {
                let mut events = events;
                events.extend(flatten(self, rest));
                self.report_states(&missing, &events, races);
            }
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
        self.keep_if_accessor(&targets, before, races);
    }

    /// The lazy fill that asks forgiveness: `try: return cache[key]` / `except KeyError:`,
    /// then an await and `cache[key] = value` after the `try`. A miss falls through the
    /// handler to the fill, as `if key not in cache:` would lead into it.
    pub(super) fn lazy_fill_on_miss(
        &self,
        try_stmt: &'a ast::StmtTry,
        rest: &'a [Stmt],
        races: &mut Vec<Race>,
    ) {
        if self.is_serialized() || !matches!(try_stmt.body.last(), Some(Stmt::Return(_))) {
            return;
        }
        let catches_miss = try_stmt.handlers.iter().any(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            handler.type_.as_deref().is_some_and(|caught| {
                matches!(caught, Expr::Name(name) if catalog::MISSING_KEY_ERRORS.contains(&name.id.as_str()))
            }) && !handler
                .body
                .iter()
                .any(|stmt| matches!(stmt, Stmt::Return(_) | Stmt::Raise(_)))
        });
        if !catches_miss {
            return;
        }
        // The lookup: the first `container[key]` of a shared container the `try` reads,
        // before any await.
        let Some(lookup) = try_stmt.body.iter().find_map(|stmt| {
            let value = assigned_value(stmt).or(match stmt {
                Stmt::Return(ret) => ret.value.as_deref(),
                _ => None,
            })?;
            match value {
                Expr::Subscript(subscript)
                    if self.is_shared(&subscript.value) && first_await(value).is_none() =>
                {
                    Some((value, subscript))
                }
                _ => None,
            }
        }) else {
            return;
        };
        let (check, lookup) = lookup;
        let state = State {
            target: &lookup.value,
            key: Some(&lookup.slice),
            check,
        };
        let before = races.len();
        let events = flatten(self, rest);
        self.report_states(std::slice::from_ref(&state), &events, races);
        self.keep_if_accessor(&[ComparableExpr::from(state.target)], before, races);
    }

    /// `x is None` / `not x` where the statement before is `x = <shared>.get(key)`: the
    /// state is that entry of the container.
    fn lookup_kept_before(&self, previous: Option<&'a Stmt>, test: &'a Expr) -> Option<State<'a>> {
        let tested = match test {
            Expr::Compare(compare)
                if matches!(&*compare.ops, [ast::CmpOp::Is | ast::CmpOp::Eq])
                    && matches!(&*compare.comparators, [Expr::NoneLiteral(_)]) =>
            {
                &*compare.left
            }
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => &*unary.operand,
            _ => return None,
        };
        let Expr::Name(tested) = tested else {
            return None;
        };
        let Some(Stmt::Assign(assign)) = previous else {
            return None;
        };
        let [Expr::Name(bound)] = &*assign.targets else {
            return None;
        };
        if bound.id != tested.id {
            return None;
        }
        let (container, key) = self.shared_get(&assign.value)?;
        Some(State {
            target: container,
            key: Some(key),
            check: test,
        })
    }

    /// Keeps the races found since `before` only where concurrent callers are plausible: a
    /// lazy accessor.
    fn keep_if_accessor(&self, targets: &[ComparableExpr], before: usize, races: &mut Vec<Race>) {
        let builds_resource = races[before..].iter().any(|race| race.resource);
        if races.len() > before && !self.is_lazy_accessor(targets, builds_resource) {
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
        if self.runs_beside_itself() || self.is_returned_wrapper() {
            return true;
        }
        // A local the function stores into the state (`self._cache[key] = credentials`) and
        // returns is the state's value, returned.
        let stored = stored_locals(&self.function.body, states);
        let returns_state = returned_values(&self.function.body).iter().any(|value| {
            any_expr(value, &mut |inner: &Expr| match inner {
                Expr::Name(name) if stored.contains(&name.id.as_str()) => true,
                Expr::Attribute(_) | Expr::Name(_) => {
                    self.is_shared(inner)
                        && states
                            .iter()
                            .any(|state| ComparableExpr::from(inner) == *state)
                }
                _ => false,
            })
        });
        is_public(name) && returns_state && builds_resource
    }

    /// Whether the function is a wrapper its enclosing function returns (a decorator's
    /// `async def wrapped(*args)`, `return functools.wraps(func)(wrapped)`): it stands in for
    /// whatever it decorates, wherever that is called, so concurrent calls are plausible.
    pub(super) fn is_returned_wrapper(&self) -> bool {
        let ancestors = self.checker.statement_ancestors();
        let Some(at) = ancestors.iter().rposition(
            |stmt| matches!(stmt, Stmt::FunctionDef(function) if std::ptr::eq(function, self.function)),
        ) else {
            return false;
        };
        let Some(Stmt::FunctionDef(enclosing)) = ancestors[..at]
            .iter()
            .rev()
            .find(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        else {
            return false;
        };
        let name = self.function.name.as_str();
        returned_values(&enclosing.body)
            .iter()
            .any(|value| hands_out(value, name))
    }

    /// Whether concurrent calls of the function are plausible: other methods of its class
    /// (other functions of the module, for a module function) call it from two or more
    /// places, or its coroutines are made side by side ([`Self::fanned_out`]).
    pub(super) fn runs_beside_itself(&self) -> bool {
        self.caller_count() >= 2 || self.fanned_out()
    }

    /// How many other methods of the class (functions of the module) call the function, not
    /// counting `__aenter__` and friends, which run once per use, nor methods only they reach.
    fn caller_count(&self) -> usize {
        let name = self.function.name.as_str();
        *self.callers.get_or_init(|| match self.class {
            Some(class) => {
                if self.class_callers_hold_one_lock(class, name, &class_callers) {
                    return 0;
                }
                let callers = class_callers(class, name);
                let mut on_the_way = vec![name];
                paths_into(class, self.function, callers, &mut on_the_way)
            }
            None => {
                let body = &self.checker.module().body;
                let mut state = self.checker.rule_state::<ModuleFunctionNamesState>();
                let names = state.0.get_or_insert_with(|| ModuleFunctionNames::of(body));
                let users: Vec<&ast::StmtFunctionDef> =
                    names.users.get(name).map_or_else(Vec::new, |users| {
                        users
                            .iter()
                            .filter_map(|&index| match &body[index] {
                                Stmt::FunctionDef(other) if !std::ptr::eq(other, self.function) => {
                                    Some(other)
                                }
                                _ => None,
                            })
                            .collect()
                    });
                let is_call_of =
                    &mut |expr: &Expr| matches!(expr, Expr::Name(used) if used.id.as_str() == name);
                if self.callers_hold_one_lock(&users, is_call_of) {
                    return 0;
                }
                users.len()
            }
        })
    }

    /// Whether the function runs concurrently with itself: its coroutines, or those of a
    /// function of the module that calls it, are made in a loop or a comprehension and handed
    /// to `gather`/`wait`/`create_task` (see `fan_out.rs`).
    pub(super) fn fanned_out(&self) -> bool {
        let key = match self.class {
            Some(class) => method_key(&class.name, &self.function.name),
            None => self.function.name.to_string(),
        };
        let body = &self.checker.module().body;
        let mut state = self.checker.rule_state::<FanOutState>();
        state
            .0
            .get_or_insert_with(|| FanOut::of(body))
            .runs_concurrently(&key)
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
                    filled,
                    through,
                } => {
                    // An empty placeholder filled in place after further awaits is published
                    // half-built: a concurrent caller that passes the check starts over on it,
                    // and readers see it incomplete. That harm needs no resource.
                    if filled.is_some() {
                        found.get_or_insert(Race {
                            resource: true,
                            check: state.check.range(),
                            awaited,
                            write,
                            kind: RaceKind::LazyInit,
                            inserts: false,
                            filled,
                            through: None,
                        });
                        continue;
                    }
                    // A flag set after awaits is an initialise-once guard only in a method that
                    // says so (or calls one that does to set it); elsewhere (`close`, `read`,
                    // `write_eof`) it marks a state change.
                    let helper_initialises = through.is_some_and(|(_, says)| says);
                    if !produced && !self.initialises_once() && !helper_initialises {
                        continue;
                    }
                    // A lazily built value matters when it is a resource (a client, a connection,
                    // a task, a token): a duplicate leaks or acts twice. A cached list or image
                    // computed twice is wasted work, not a bug.
                    let resource = names_resource(state_name(state))
                        || producers
                            .iter()
                            .any(|producer| names_resource(Some(producer)));
                    // A cache entry per key (`self._cache[key] = await fetch(key)`) is the shape
                    // RULES.md names: concurrent misses on one key all fetch. A single value that
                    // the class then edits in place (`self._data["keys"][k] = v`) loses those
                    // edits when a late second initialisation overwrites it. An entry under a
                    // key spelled as a literal (`self._cache["full_text"]`) is one value, as
                    // an attribute is.
                    if produced
                        && !resource
                        && state.key.is_none_or(|key| key.is_literal_expr())
                        && !self.edited_in_place(state.target, state.key)
                    {
                        continue;
                    }
                    found.get_or_insert(Race {
                        resource: produced,
                        check: state.check.range(),
                        awaited,
                        write,
                        kind: RaceKind::LazyInit,
                        inserts: false,
                        filled: None,
                        through: through.map(|(write, _)| write),
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
        let mut awaited_names: HashMap<&str, Vec<String>> = HashMap::default();
        // Shared state written before the first await: a flag another coroutine tests.
        let mut flags_set_early: Vec<ComparableExpr> = Vec::new();
        // Locals holding an empty container (`entry = {}`), a placeholder once published.
        let mut empties: Vec<&str> = Vec::new();
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
        for (index, event) in events.iter().enumerate() {
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
                                filled: (!produced)
                                    .then(|| {
                                        filled_later(stmt, state, &empties, &events[index + 1..])
                                    })
                                    .flatten(),
                                through: None,
                            },
                            None => Scan::Guarded,
                        };
                    }
                    // `await self.initialize()`, which sets the state after awaits of its own.
                    if let Some(helper) = self.written_by_helper(stmt, state) {
                        let target = ComparableExpr::from(state.target);
                        if protected
                            || flags_set_early
                                .iter()
                                .any(|flag| *flag != target && self.tested.contains(flag))
                        {
                            return Scan::Guarded;
                        }
                        return match seen.or(helper.awaited) {
                            Some(awaited) => Scan::Found {
                                awaited,
                                write: stmt.range(),
                                produced: helper.produced,
                                producers: Vec::new(),
                                filled: None,
                                through: Some((helper.write, helper.initialises)),
                            },
                            None => Scan::Guarded,
                        };
                    }
                    if let Some(value) = assigned_value(stmt) {
                        let names = assigned_names(stmt);
                        empties.retain(|name| !names.contains(name));
                        if crate::ast_query::is_empty_container(value) {
                            empties.extend(names);
                        }
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
                    // `self._resolving.append(name)` before any await: a marker added to the
                    // container the check tests (`if name in self._resolving: raise`).
                    if seen.is_none()
                        && let Stmt::Expr(expression) = stmt
                        && let Expr::Call(call) = &*expression.value
                        && first_await(&expression.value).is_none()
                        && let Expr::Attribute(method) = &*call.func
                        && matches!(method.attr.as_str(), "append" | "add" | "setdefault")
                    {
                        flags_set_early.push(ComparableExpr::from(&*method.value));
                    }
                    if let Some(awaited) = first_await_in_stmt(stmt) {
                        seen.get_or_insert(awaited);
                    }
                }
            }
        }
        Scan::NotFound
    }

    /// Whether the class (the module, for a global) edits the value of `target` in place
    /// anywhere: `self._data["k"] = v`, `self._data.x.append(v)`, `del self._data[k]`.
    fn edited_in_place(&self, target: &Expr, key: Option<&Expr>) -> bool {
        // `self.<attr>` in a method whose receiver is `receiver`, or the global `name`.
        let (attr, global) = match target {
            Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if Some(owner.id.as_str()) == self.receiver) => {
                (attribute.attr.as_str(), false)
            }
            Expr::Name(name) if self.class.is_none() => (name.id.as_str(), true),
            _ => return false,
        };
        let is_state = |expr: &Expr, receiver: Option<&str>| match expr {
            Expr::Name(name) => global && name.id.as_str() == attr,
            Expr::Attribute(attribute) => {
                !global
                    && attribute.attr.as_str() == attr
                    && matches!(&*attribute.value, Expr::Name(owner) if Some(owner.id.as_str()) == receiver)
            }
            _ => false,
        };
        // The value initialised: the state, or its entry under the literal key
        // (`self._cache["full_text"]`), whose container's other entries are not its own.
        let is_value = |expr: &Expr, receiver: Option<&str>| match key {
            None => is_state(expr, receiver),
            Some(key) => matches!(expr, Expr::Subscript(entry)
                if is_state(&entry.value, receiver)
                    && ComparableExpr::from(&*entry.slice) == ComparableExpr::from(key)),
        };
        // Whether `expr` is the value or reaches it through subscripts, attributes and calls.
        let reaches = |expr: &Expr, receiver: Option<&str>| {
            let mut expr = expr;
            for _ in 0..32 {
                if is_value(expr, receiver) {
                    return true;
                }
                expr = match expr {
                    Expr::Subscript(subscript) => &subscript.value,
                    Expr::Attribute(attribute) => &attribute.value,
                    Expr::Call(call) => &call.func,
                    _ => return false,
                };
            }
            false
        };
        let edits = |body: &[Stmt], receiver: Option<&str>| {
            walk_statements_shallow(body, &mut |stmt| {
                let part_of = |target: &Expr| match target {
                    Expr::Subscript(subscript) => reaches(&subscript.value, receiver),
                    Expr::Attribute(attribute) => reaches(&attribute.value, receiver),
                    _ => false,
                };
                let hit = match stmt {
                    Stmt::Assign(assign) => assign.targets.iter().any(part_of),
                    Stmt::AugAssign(assign) => part_of(&assign.target),
                    Stmt::Delete(delete) => delete.targets.iter().any(part_of),
                    Stmt::Expr(expr) => matches!(&*expr.value, Expr::Call(call)
                        if matches!(&*call.func, Expr::Attribute(method)
                            if catalog::IN_PLACE_EDITS.contains(&method.attr.as_str())
                                && reaches(&method.value, receiver))),
                    _ => false,
                };
                if hit { Walk::Stop } else { Walk::Descend }
            })
        };
        match self.class {
            Some(class) => class.body.iter().any(|stmt| {
                let Stmt::FunctionDef(method) = stmt else {
                    return false;
                };
                edits(&method.body, receiver_name(method))
            }),
            None => self.checker.module().body.iter().any(|stmt| {
                let Stmt::FunctionDef(function) = stmt else {
                    return false;
                };
                edits(&function.body, None)
            }),
        }
    }

    /// A method whose name says it initialises once (`ensure_started`, `async_load`).
    fn initialises_once(&self) -> bool {
        says_initialises_once(self.function.name.as_str())
    }
}

/// Whether a function's name says it initialises once (`ensure_started`, `async_load`,
/// `_connect`), and not that it tears down (`close`, `stop`).
pub(super) fn says_initialises_once(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    catalog::INIT_ONCE_WORDS
        .iter()
        .any(|word| name.contains(word))
        && !catalog::TEARDOWN_WORDS
            .iter()
            .any(|word| name.contains(word))
}

/// The first statement of `later` that fills, in place, the placeholder `write` stores for
/// `state`, once an await has come between them: `cache[key][k] = v`, `cache[key].append(v)`,
/// or the same through the local the placeholder was built in (`entry = {}; cache[key] = entry`).
/// `None` when `write` stores no empty container, or nothing fills it after an await.
fn filled_later<'a>(
    write: &'a Stmt,
    state: &State<'a>,
    empties: &[&str],
    later: &[Event<'a>],
) -> Option<TextRange> {
    let value = assigned_value(write)?;
    let local = match value {
        Expr::Name(name) if empties.contains(&name.id.as_str()) => Some(name.id.as_str()),
        value if crate::ast_query::is_empty_container(value) => None,
        _ => return None,
    };
    // The names that hold the placeholder too: `cache[key] = entry = {}`, `entry`.
    let aliases: Vec<&str> = assigned_names(write).into_iter().chain(local).collect();
    let target = ComparableExpr::from(state.target);
    let is_placeholder = |expr: &Expr| match (expr, state.key) {
        (Expr::Name(name), _) if aliases.contains(&name.id.as_str()) => true,
        (expr, None) => ComparableExpr::from(expr) == target,
        (Expr::Subscript(subscript), Some(key)) => {
            ComparableExpr::from(&*subscript.value) == target
                && ComparableExpr::from(&*subscript.slice) == ComparableExpr::from(key)
        }
        _ => false,
    };
    // Whether `expr` is the placeholder or a part of it (`cache[key][k]`, `entry.items`).
    let reaches = |expr: &Expr| {
        let mut expr = expr;
        for _ in 0..32 {
            if is_placeholder(expr) {
                return true;
            }
            expr = match expr {
                Expr::Subscript(subscript) => &subscript.value,
                Expr::Attribute(attribute) => &attribute.value,
                _ => return false,
            };
        }
        false
    };
    let part_of = |target: &Expr| match target {
        Expr::Subscript(subscript) => reaches(&subscript.value),
        Expr::Attribute(attribute) => reaches(&attribute.value),
        _ => false,
    };
    let fills = |stmt: &Stmt| match stmt {
        Stmt::Assign(assign) => assign.targets.iter().any(part_of),
        Stmt::AugAssign(assign) => part_of(&assign.target),
        Stmt::Expr(expr) => matches!(&*expr.value, Expr::Call(call)
            if matches!(&*call.func, Expr::Attribute(method)
                if catalog::IN_PLACE_FILLS.contains(&method.attr.as_str())
                    && reaches(&method.value))),
        _ => false,
    };
    let mut awaited = false;
    for event in later {
        match *event {
            Event::Enter { .. } => awaited = true,
            Event::Header { expr, .. } => awaited |= first_await(expr).is_some(),
            Event::Simple { stmt, .. } => {
                // The fill's own await (`cache[key][k] = await fetch(k)`) runs before it stores.
                let suspends = first_await_in_stmt(stmt).is_some();
                if (awaited || suspends) && fills(stmt) {
                    return Some(stmt.range());
                }
                awaited |= suspends;
            }
        }
    }
    None
}

/// `{}`, `[]`, `set()`, `dict()`, `list()`: an empty container, a placeholder to be filled.
/// Whether `value` is the function `name` itself, or a call that wraps it
/// (`functools.wraps(func)(name)`, `update_wrapper(name, func)`), not a call of it.
fn hands_out(value: &Expr, name: &str) -> bool {
    match value {
        Expr::Name(returned) => returned.id.as_str() == name,
        Expr::Call(call) => call
            .arguments
            .args
            .iter()
            .any(|argument| hands_out(argument, name)),
        _ => false,
    }
}

/// The locals `body` stores, as they are, into one of `states` (`self._client = client`,
/// `self._cache[key] = credentials`).
fn stored_locals<'b>(body: &'b [Stmt], states: &[ComparableExpr]) -> Vec<&'b str> {
    let mut stored = Vec::new();
    crate::ast_query::walk_statements_shallow(body, &mut |stmt| {
        if let Stmt::Assign(assign) = stmt
            && let Expr::Name(value) = &*assign.value
        {
            let into_state = assign.targets.iter().any(|target| {
                let target = match target {
                    Expr::Subscript(subscript) => &*subscript.value,
                    other => other,
                };
                states
                    .iter()
                    .any(|state| ComparableExpr::from(target) == *state)
            });
            if into_state {
                stored.push(value.id.as_str());
            }
        }
        crate::ast_query::Walk::Descend
    });
    stored
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

/// How many ways the class's own methods reach a method whose callers are `callers`, up to
/// two: a caller counts once, or as often as its own callers reach it (a private helper
/// that two request paths share brings both to the method it calls), not counting
/// `__aenter__` and friends, which run once per use, nor methods only they reach.
fn paths_into<'a>(
    class: &'a ast::StmtClassDef,
    function: &ast::StmtFunctionDef,
    callers: Vec<&'a ast::StmtFunctionDef>,
    on_the_way: &mut Vec<&'a str>,
) -> usize {
    let is_dunder = |name: &str| catalog::SERIALIZED_DUNDERS.contains(&name);
    let mut paths = 0;
    for method in callers {
        let method_name = method.name.as_str();
        if std::ptr::eq(method, function)
            || is_dunder(method_name)
            || on_the_way.contains(&method_name)
        {
            continue;
        }
        let referrers = class_callers(class, method_name);
        // A method that only dunders of the class reach (`__aenter__` starts `do_typing`)
        // runs once per use of the object, as they do.
        if !referrers.is_empty()
            && referrers
                .iter()
                .all(|referrer| is_dunder(referrer.name.as_str()))
        {
            continue;
        }
        // The methods on the way (a cycle is not followed round), at most four deep.
        let through = if on_the_way.len() < 4 {
            on_the_way.push(method_name);
            let through = paths_into(class, function, referrers, on_the_way);
            on_the_way.pop();
            through
        } else {
            0
        };
        paths += through.max(1);
        if paths >= 2 {
            return paths;
        }
    }
    paths
}

/// The methods of `class` that call `self.<name>`, not counting a start of the object's one
/// task for it (`self.main_task = self.loop.create_task(self.main())`): the object keeps a
/// single such task, so those starts do not run concurrently.
fn class_callers<'a>(class: &'a ast::StmtClassDef, name: &str) -> Vec<&'a ast::StmtFunctionDef> {
    class
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(method) => Some(method),
            _ => None,
        })
        .filter(|method| {
            let Some(self_name) = receiver_name(method) else {
                return false;
            };
            let mut task_slots: Vec<TextRange> = Vec::new();
            walk_statements_shallow(&method.body, &mut |stmt| {
                if let Stmt::Assign(assign) = stmt
                    && assign.targets.iter().all(|target| {
                        matches!(target, Expr::Attribute(attribute)
                            if matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self_name))
                    })
                    && let Expr::Call(call) = &*assign.value
                    && last_identifier(&call.func)
                        .is_some_and(|func| matches!(func, "create_task" | "ensure_future"))
                {
                    task_slots.push(assign.value.range());
                }
                Walk::Descend
            });
            any_in_body(&method.body, &mut |expr| {
                matches!(expr, Expr::Attribute(attribute)
                    if attribute.attr.as_str() == name
                        && matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self_name))
                    && !task_slots.iter().any(|slot| slot.contains_range(expr.range()))
            })
        })
        .collect()
}

/// The names each module-level function reads (a `Name` anywhere in its body), inverted:
/// per name, the indices in the module's body of the functions that use it. Made once per
/// module: a walk of every module-level function for each candidate made a module with many
/// of them quadratic in its size.
#[derive(Default)]
struct ModuleFunctionNames {
    users: HashMap<Box<str>, Vec<usize>>,
}

/// The module's [`ModuleFunctionNames`], kept in the checker's rule state.
#[derive(Default)]
struct ModuleFunctionNamesState(Option<ModuleFunctionNames>);

impl ModuleFunctionNames {
    fn of(body: &[Stmt]) -> Self {
        let mut users: HashMap<Box<str>, Vec<usize>> = HashMap::default();
        for (index, stmt) in body.iter().enumerate() {
            let Stmt::FunctionDef(function) = stmt else {
                continue;
            };
            let mut used: Vec<Box<str>> = Vec::new();
            any_in_body(&function.body, &mut |expr| {
                if let Expr::Name(name) = expr {
                    used.push(Box::from(name.id.as_str()));
                }
                false
            });
            used.sort_unstable();
            used.dedup();
            for name in used {
                users.entry(name).or_default().push(index);
            }
        }
        Self { users }
    }
}

/// Whether a method's name makes it part of its class's public face: no leading underscore,
/// or a double-underscore name that ends like Python's own (`__connect__`): such names are
/// neither private by convention nor mangled, and are called from other classes.
fn is_public(name: &str) -> bool {
    !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__") && name.len() > 4)
}
