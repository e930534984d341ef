//! Where a value was built: every assignment to a local of the current function, or to
//! `self.attr` in any method of its class, reduced to the facts LW501 asks about (an awaited
//! stream opener, an unbounded client). Learned once per scope and kept in the checker's
//! per-module state.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::ast_query::{
    collect_assignments, enclosing_class, receiver_name, self_attribute_assignments,
};
use crate::catalog;
use crate::checker::Checker;
use crate::project::summary::ParameterRef;

use super::client_timeouts::{SessionDeadline, aiohttp_session_unbounded, httpx_client_unbounded};

/// What LW501 learns once per module about where values were built, and reuses for every
/// await in it. Kept in the checker's per-module state, so it lives exactly as long as the
/// module's walk.
#[derive(Default)]
struct OriginCache {
    /// Function (or class, for `self.attr`) start → target name → how each value was built.
    origins: HashMap<u32, HashMap<String, Vec<OriginFact>>>,
    /// The answers given from `origins`, by scope, target name and question.
    verdicts: HashMap<(u32, String, Query), bool>,
}

/// What LW501 asks of every place a value was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Query {
    /// The reader of `await asyncio.open_connection(...)`.
    StreamReader,
    /// `await websockets.connect(...)`.
    Websocket,
    /// An `aiohttp.ClientSession` without a finite timeout for its reads (the default one
    /// included).
    AiohttpUnbounded,
    /// An `aiohttp.ClientSession` whose `ClientTimeout` sets no limit at all.
    AiohttpUnlimited,
    /// An `httpx.AsyncClient(timeout=None)`.
    HttpxUnbounded,
}

impl Query {
    fn accepts(self, fact: &OriginFact) -> bool {
        let awaited = |openers: &[&str], index: Option<usize>| {
            fact.index == index
                && fact
                    .awaited
                    .as_deref()
                    .is_some_and(|path| openers.contains(&path))
        };
        match self {
            Query::StreamReader => awaited(catalog::STREAM_OPENERS, Some(0)),
            Query::Websocket => awaited(catalog::WEBSOCKET_CONNECTS, None),
            Query::AiohttpUnbounded => fact.index.is_none() && fact.aiohttp.is_some(),
            Query::AiohttpUnlimited => {
                fact.index.is_none() && fact.aiohttp == Some(SessionDeadline::Unlimited)
            }
            Query::HttpxUnbounded => fact.index.is_none() && fact.httpx_unbounded,
        }
    }
}

/// How one assignment built a value: enough to answer LW501's questions without keeping the
/// tree around.
#[derive(Clone, Debug, Default)]
struct OriginFact {
    /// `None` for a value that cannot be followed (a parameter, a loop variable).
    known: bool,
    /// The position in a tuple unpacking (`reader, writer = ...`).
    index: Option<usize>,
    /// The call awaited for the value (`asyncio.wait_for(x, t)` unwrapped to `x`).
    awaited: Option<String>,
    /// A `ClientSession(...)` without a finite timeout for its reads.
    aiohttp: Option<SessionDeadline>,
    /// An `httpx.AsyncClient(timeout=None)`.
    httpx_unbounded: bool,
    /// The literal `None`: a placeholder (`self.connection = None` in `__init__`) that no
    /// method can be called on, so an await of `.recv()` on the value meets another origin.
    placeholder: bool,
}

impl OriginFact {
    /// `body`: the function the assignment is in, where a coroutine handed to
    /// `asyncio.wait_for` by name is looked up.
    fn of(checker: &Checker, value: Option<&Expr>, index: Option<usize>, body: &[Stmt]) -> Self {
        let Some(value) = value else {
            return Self::default();
        };
        let mut fact = OriginFact {
            known: true,
            index,
            ..Self::default()
        };
        match value {
            Expr::NoneLiteral(_) => fact.placeholder = true,
            Expr::Await(awaited) => {
                if let Expr::Call(call) = &*awaited.value {
                    let mut call = call;
                    if checker
                        .model
                        .call_path(call)
                        .is_some_and(|path| catalog::is_wait_for(&path))
                    {
                        match call.arguments.find_argument_value("fut", 0) {
                            Some(Expr::Call(inner)) => call = inner,
                            // `conn = asyncio.open_connection(...)`, then `await
                            // asyncio.wait_for(conn, t)`: the coroutine made first.
                            Some(Expr::Name(name)) => {
                                if let Some(inner) = bound_once_to_call(body, name.id.as_str()) {
                                    call = inner;
                                }
                            }
                            _ => {}
                        }
                    }
                    fact.awaited = checker.model.call_path(call);
                }
            }
            Expr::Call(call) => {
                fact.aiohttp = index
                    .is_none()
                    .then(|| aiohttp_session_unbounded(checker, call))
                    .flatten();
                fact.httpx_unbounded = index.is_none() && httpx_client_unbounded(checker, call);
            }
            _ => {}
        }
        fact
    }
}

/// The call a local of `body` holds, when the function binds the name once and to a call
/// (not awaited): the coroutine a later `asyncio.wait_for(name, t)` runs.
fn bound_once_to_call<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ast::ExprCall> {
    let mut bindings = 0;
    let mut bound = None;
    collect_assignments(body, &mut |target, value, index| {
        if matches!(target, Expr::Name(target) if target.id.as_str() == name) {
            bindings += 1;
            bound = match (value, index) {
                (Some(Expr::Call(call)), None) => Some(call),
                _ => None,
            };
        }
    });
    bound.filter(|_| bindings == 1)
}

/// Whether the value `target` names is known to be built, at every assignment to it, the
/// way `query` accepts: a local of the current function, or `self.attr` assigned in any method
/// of the class. False when no assignment is known.
pub(super) fn all_origins(checker: &Checker, target: &Expr, query: Query) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let (scope, name) = match target {
        Expr::Name(name) => (function.start().to_u32(), name.id.to_string()),
        Expr::Attribute(attribute) => {
            let Expr::Name(owner) = &*attribute.value else {
                return false;
            };
            let Some(class) = enclosing_class(checker.statement_ancestors(), function) else {
                return false;
            };
            if receiver_name(function) != Some(owner.id.as_str()) {
                return false;
            }
            (class.start().to_u32(), format!(".{}", attribute.attr))
        }
        _ => return false,
    };
    let mut cache = checker.rule_state::<OriginCache>();
    if let Some(known) = cache.verdicts.get(&(scope, name.clone(), query)) {
        return *known;
    }
    let index = cache.origins.entry(scope).or_insert_with(|| match target {
        Expr::Name(_) => function_origins(checker, function),
        _ => enclosing_class(checker.statement_ancestors(), function)
            .map(|class| class_origins(checker, class))
            .unwrap_or_default(),
    });
    // A `None` placeholder is skipped: a method called on the value never runs on it.
    let verdict = index.get(&name).is_some_and(|facts| {
        let mut built = facts.iter().filter(|fact| !fact.placeholder).peekable();
        built.peek().is_some() && built.all(|fact| fact.known && query.accepts(fact))
    });
    cache.verdicts.insert((scope, name, query), verdict);
    verdict
}

/// Every local of `function` (parameters included, as unknown) → how each value was built.
fn function_origins(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
) -> HashMap<String, Vec<OriginFact>> {
    let mut found: HashMap<String, Vec<OriginFact>> = HashMap::default();
    for parameter in function.parameters.iter() {
        found
            .entry(parameter.name().to_string())
            .or_default()
            .push(OriginFact::default());
    }
    collect_assignments(&function.body, &mut |target, value, index| {
        if let Expr::Name(name) = target {
            found
                .entry(name.id.to_string())
                .or_default()
                .push(OriginFact::of(checker, value, index, &function.body));
        }
    });
    found
}

/// Every `self.attr` assigned in a method of `class` → how each value was built (keyed `.attr`).
fn class_origins(checker: &Checker, class: &ast::StmtClassDef) -> HashMap<String, Vec<OriginFact>> {
    let mut found: HashMap<String, Vec<OriginFact>> = HashMap::default();
    self_attribute_assignments(class, &mut |method, attribute, value, index| {
        found
            .entry(format!(".{}", attribute.attr))
            .or_default()
            .push(OriginFact::of(checker, value, index, &method.body));
    });
    found
}

/// For `self.attr` in a method: the parameter of the class's `__init__` the attribute is set
/// from, when `__init__` assigns it straight from one it never rebinds (`self._session =
/// session`) and no other assignment in the class sets it. Returns `__init__`'s path and
/// the parameter (positions counted after `self`).
pub(super) fn init_parameter_origin(
    checker: &Checker,
    target: &Expr,
) -> Option<(String, ParameterRef)> {
    let Expr::Attribute(attribute) = target else {
        return None;
    };
    let Expr::Name(owner) = &*attribute.value else {
        return None;
    };
    let function = checker.current_function()?;
    let class = enclosing_class(checker.statement_ancestors(), function)?;
    if receiver_name(function) != Some(owner.id.as_str()) {
        return None;
    }
    let mut source: Option<(&ast::StmtFunctionDef, &str)> = None;
    let mut assignments = 0;
    self_attribute_assignments(class, &mut |method, assigned, value, index| {
        if assigned.attr.as_str() != attribute.attr.as_str() {
            return;
        }
        assignments += 1;
        if method.name.as_str() == "__init__"
            && index.is_none()
            && let Some(Expr::Name(value)) = value
        {
            source = Some((method, value.id.as_str()));
        }
    });
    let (init, name) = source.filter(|_| assignments == 1)?;
    let parameter = init_parameter(init, name)?;
    let class_path = checker
        .summary
        .current_path()?
        .rsplit_once('.')?
        .0
        .to_string();
    Some((format!("{class_path}.__init__"), parameter))
}

/// Parameter `name` of method `init` (not its receiver), when the method never rebinds it.
fn init_parameter(init: &ast::StmtFunctionDef, name: &str) -> Option<ParameterRef> {
    let parameters = &init.parameters;
    let position = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .skip(1)
        .position(|parameter| parameter.name().as_str() == name);
    let keyword_only = parameters
        .kwonlyargs
        .iter()
        .any(|parameter| parameter.name().as_str() == name);
    if position.is_none() && !keyword_only {
        return None;
    }
    let mut rebound = false;
    collect_assignments(&init.body, &mut |assigned, _, _| {
        rebound |= matches!(assigned, Expr::Name(bound) if bound.id.as_str() == name);
    });
    (!rebound).then(|| ParameterRef {
        name: name.into(),
        position: position.map(|position| position as u32),
        literal_default: None,
    })
}
