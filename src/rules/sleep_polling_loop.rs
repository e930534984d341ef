//! LW505 sleep-polling-loop: a loop that waits for state to change by sleeping and testing it
//! again, where an `asyncio.Event` would wake the waiter when it changes.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::is_always_true;
use crate::catalog::ASYNC_SLEEPS;
use crate::checker::Checker;
use crate::checker::polled_state::{exit_test, is_logging_call, state_all_poll};
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::project::member_types::Target;
use crate::project::roots::may_be_in_project;
use crate::registry::Rule;
use crate::semantic::{ELEMENTS_OF, VALUES_OF};

pub const DOCS: &str = r#"# LW505 sleep-polling-loop

## What it does
In an `async def`, flags a `while` loop whose body does nothing but `await asyncio.sleep(...)`
(or `anyio.sleep`, `trio.sleep`) until a condition changes:
```python
while not self._ready:
    await asyncio.sleep(0.1)
```
and the `while True:` form whose body tests the condition and leaves (`if self._ready: break`,
`return` or `raise`) beside the sleep. The condition must read state that other code sets: an
attribute (`self._ready`, `conn.state`) or a module global, through `not`, `and`/`or`,
comparisons, subscripts, `len(...)` and a dict's `get(key)` (`while self._starting.get(key):`,
on an attribute typed as a dict or that the class assigns one).

## Why is this bad?
The waiter wakes up to one period late (a 100 ms poll adds 50 ms to every wait on average) and
wakes up for nothing every period while it waits (a thousand idle waiters at 10 ms are a hundred
thousand wake-ups a second). An `asyncio.Event` (or `Condition`, or a `Future` set by the code
that changes the state) wakes the waiter exactly when the state changes, and composes with
`asyncio.timeout()` for a bounded wait.

## Example
```python
async def wait_ready(self):
    while not self._ready:
        await asyncio.sleep(0.1)

def mark_ready(self):
    self._ready = True
```

## Use instead
```python
async def wait_ready(self):
    await self._ready.wait()        # self._ready = asyncio.Event()

def mark_ready(self):
    self._ready.set()
```

## Not flagged
- A loop whose body does other work each round (a periodic job, a retry with backoff: any
  statement besides the sleep, the exit test, and a logging call or `print` that says it
  is still waiting, and calls nothing but builtins to say it).
- A condition that calls something (`while not await probe():`, `while not path.exists():`,
  `while time.monotonic() < deadline:`): an external condition with no event to wait on.
- A condition that reads a property of a class of the module (`@property def state(self):
  return str(self._broker.machine)`): it computes its value as a method would. The same
  of a class of another module of the project, on a value whose type is known
  (`server: Server`): the finding waits for the link, which reports it unless every such
  member is a property or a method. (Through a value another module binds, `config.server`,
  the type is not followed.)
- A condition on local names only: no other code can change them. (Locals beside outside
  state, `while self._count < index:`, do not clear it: a loop that only waits does not
  change them, so what it waits for is the outside state.)
- A condition that reads only the state of objects of a library's classes, known by their
  type (`fireplace.data.ip_address` with `fireplace: UnifiedFireplace` from a device
  library): the library changes that state on its own schedule and offers no event the
  project could set. Objects of `asyncio`, `queue`, `threading`, `collections` and the
  builtins are not such: their state is what the project's own code puts there (but for a
  child process of `asyncio.subprocess`, whose `returncode` the loop sets when it reaps
  it). Objects of
  `multiprocessing` are: another process sets a `multiprocessing.Event` (or fills a queue),
  and no `asyncio.Event` can be set from there.
- A condition on a library module's own state (`while footswitch.pressed:` with `import
  footswitch`, a package whose task updates a flag of its module) that this module never
  assigns (`footswitch.pressed = ...`): the library changes it, and the project has nowhere
  to set an event instead. A module of the project, or one of the modules above whose state
  the project's code sets, is not such.

## Fix
None: the event must be set where the state changes, which is elsewhere.
"#;

pub(crate) fn check_while(checker: &mut Checker, while_stmt: &ast::StmtWhile) {
    let mut sleeps = 0;
    let mut conditions: Vec<&Expr> = Vec::new();
    if !is_always_true(&while_stmt.test) {
        conditions.push(&while_stmt.test);
    }
    for stmt in &while_stmt.body {
        match stmt {
            Stmt::Expr(expr) if is_sleep(checker, &expr.value) => sleeps += 1,
            Stmt::Pass(_) | Stmt::Continue(_) => {}
            // A line logged while waiting is no work done each round.
            Stmt::Expr(expr) if is_logging_call(checker, &expr.value) => {}
            stmt => match exit_test(stmt) {
                Some(test) => conditions.push(test),
                None => return,
            },
        }
    }
    if sleeps == 0 || conditions.is_empty() {
        return;
    }
    let Some(state) = state_all_poll(checker, &conditions) else {
        return;
    };
    // Only library objects' state: no finding. Members of other modules' classes too: held
    // for the link, which knows whether each is a property or a method.
    let outside: Option<Vec<String>> =
        conditions
            .iter()
            .try_fold(Vec::new(), |mut all, condition| {
                all.extend(outside_reads(checker, condition)?);
                Some(all)
            });
    let held = match outside {
        Some(members) if members.is_empty() => return,
        Some(members) => Some(members),
        None => None,
    };
    let header = TextRange::new(while_stmt.start(), while_stmt.test.end());
    let diagnostic = Diagnostic::new(
        Rule::SleepPollingLoop,
        format!("polling `{state}` with a sleep: the waiter wakes late and spins while it waits"),
        header,
    )
    .with_help("wait on an `asyncio.Event` (or `Condition`) that the code changing the state sets");
    match held {
        Some(members) => checker.summary.hold_polling_finding(
            diagnostic,
            members.into_iter().map(String::into_boxed_str).collect(),
        ),
        None => checker.report(diagnostic),
    }
}

/// `await asyncio.sleep(...)`.
fn is_sleep(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Await(await_expr) = expr else {
        return false;
    };
    let Expr::Call(call) = &*await_expr.value else {
        return false;
    };
    checker
        .model
        .call_path(call)
        .is_some_and(|path| ASYNC_SLEEPS.contains(&path.as_str()))
}

/// Modules whose objects hold state the project drives itself (an `asyncio.Queue` it fills, a
/// task it started, a dict it writes): polling them is waiting on the project's own code.
const PROJECT_DRIVEN_STATE_MODULES: &[&str] = &[
    "builtins",
    "asyncio",
    "collections",
    "queue",
    "threading",
    "concurrent",
    "typing",
    "dataclasses",
];

/// Classes of the modules above whose state the event loop itself changes, not the project:
/// a child process's `returncode` is set when the loop reaps it (and `wait()` also waits for
/// its pipes to close, so it is no event for the reap alone).
const LOOP_DRIVEN_TYPES: &[&str] = &["asyncio.subprocess.Process", "asyncio.Process"];

/// When every attribute `condition` reads belongs to an object of a library class
/// (`fireplace.data.ipv4_address` with `fireplace: UnifiedFireplace` from a device library,
/// `self.limiter.borrowed_tokens` on an anyio limiter) or is a member of a class of another
/// module of the project: those members (`app.mqtt.Server.state`), which the link looks up,
/// and none for library objects alone. The library changes its objects' state on its own
/// schedule and offers no event the project could set, so the catalog's "state the project
/// sets elsewhere" does not hold; a member of another module's class that is a property or
/// a method computes what it gives, as a call would. `None` when a read is neither. Read
/// down each chain to the first object whose type is known.
fn outside_reads(checker: &Checker, condition: &Expr) -> Option<Vec<String>> {
    let mut reads = 0usize;
    let mut library = 0usize;
    let mut members: Vec<String> = Vec::new();
    // A read is a whole chain: `self._stop.is_set` reads the event's state, not the field
    // `self._stop` holding it (met first, the outer attribute marks its inner one).
    let mut inner_links: Vec<TextRange> = Vec::new();
    let own_module = checker.model.module.module_name.as_str();
    crate::ast_query::any_expr(condition, &mut |expr| {
        let Expr::Attribute(attribute) = expr else {
            return false;
        };
        if inner_links.contains(&attribute.range()) {
            return false;
        }
        if let Expr::Attribute(inner) = &*attribute.value {
            inner_links.push(inner.range());
        }
        reads += 1;
        let mut owner = &*attribute.value;
        let mut immediate = true;
        let known = loop {
            if let Some(type_name) = checker.model.type_of(owner) {
                break Some(type_name);
            }
            immediate = false;
            match owner {
                Expr::Attribute(inner) => owner = &inner.value,
                Expr::Subscript(subscript) => owner = &subscript.value,
                _ => break None,
            }
        };
        let Some(type_name) = known else {
            // A library module's own state (`footpedal.pressed`, a flag its own task
            // updates) that this module never assigns: the library changes it, and no event
            // of the project's could stand for it.
            if let Expr::Name(base) = owner
                && let Some(path) = checker.model.path_of(owner)
                && !may_be_in_project(checker.roots, &path)
                && !PROJECT_DRIVEN_STATE_MODULES
                    .contains(&path.split('.').next().unwrap_or_default())
                && !module_assigns_member(checker, base.id.as_str(), attribute.attr.as_str())
            {
                library += 1;
            }
            return false;
        };
        // A container of known elements or values (`[]app.Job`, `{}builtins.bool`) is a
        // builtin list or dict, whatever it holds.
        if type_name.starts_with(ELEMENTS_OF) || type_name.starts_with(VALUES_OF) {
            return false;
        }
        let module = type_name.split('.').next().unwrap_or_default();
        if LOOP_DRIVEN_TYPES.contains(&type_name.as_str())
            || !PROJECT_DRIVEN_STATE_MODULES.contains(&module)
                && !may_be_in_project(checker.roots, &type_name)
        {
            library += 1;
        } else if immediate
            && may_be_in_project(checker.roots, &type_name)
            && type_name
                .rsplit_once('.')
                .is_some_and(|(class_module, _)| class_module != own_module)
        {
            members.push(format!("{type_name}.{}", attribute.attr));
        }
        false
    });
    (reads > 0 && library + members.len() == reads).then_some(members)
}

/// Whether the module assigns `owner.member` anywhere (`footpedal.pressed = True`).
fn module_assigns_member(checker: &Checker, owner: &str, member: &str) -> bool {
    crate::ast_query::any_in_body(&checker.module().body, &mut |expr| {
        matches!(expr, Expr::Attribute(attribute)
            if attribute.ctx.is_store()
                && attribute.attr.as_str() == member
                && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == owner))
    })
}

/// Reports the LW505 findings held for the link whose polled members of other modules'
/// classes are not all properties or methods (a plain attribute is state the project sets).
pub(crate) fn check_project(project: &Project, report: &mut dyn FnMut(usize, Diagnostic)) {
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_polling_findings {
            let all_computed = pending.members.iter().all(|member| {
                matches!(
                    project.resolve_member(member),
                    Some(Target::Function(_) | Target::Several(_))
                )
            });
            if !all_computed {
                report(index, pending.diagnostic.clone());
            }
        }
    }
}
