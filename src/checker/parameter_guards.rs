//! Code that runs only when a parameter of its function holds a value: the body of
//! `if p:` or `if p is not None:`, what follows `if p is None: raise ...` or
//! `assert p`, the `else` of `if not p:`, `f(p) if p else None`, `p and f(p)`, `if p is True:`
//! (and what follows `if p is True: return`, read as `if not p:`). A caller that
//! passes `None` (or, for a truth test, any falsy literal) for the parameter, or omits it
//! where its default is such a literal, never reaches that code: LW103 does not carry a
//! blocking call behind the guard to it, LW202 does not report a loop run behind it.
//!
//! Only parameters the function never reassigns count: the guard must say the same thing
//! about the value the caller passed.

use ruff_python_ast::{self as ast, BoolOp, CmpOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use thin_vec::ThinVec;

use super::Checker;
use super::blocking::makes_non_blocking;
use crate::offsets::MarkedOffset;
use crate::project::interned::Name;
use crate::project::summary::{
    ArgumentShape, ArgumentSlot, GuardTest, KeywordBits, Literal, ParameterGuard, ParameterRef,
    Passed,
};

/// What the code at `range` (in the current function) depends on.
#[derive(Default)]
pub(crate) struct Guards {
    /// A parameter (or receiver attribute) that must hold a value.
    pub parameter: Option<ParameterGuard>,
    /// A call of the function, recorded as call site `n`, whose value must be truthy
    /// (`true`) or falsy (`false`): `if not can_block(): raise` before it. When that call is
    /// a loop probe, the link decides whether the code can run inside a running loop.
    pub probe: Option<(u32, bool)>,
}

/// The guards the code at `range` (in the current function) sits behind.
pub(crate) fn guards(checker: &Checker, range: TextRange) -> Guards {
    let Some(function) = checker.current_function() else {
        return Guards::default();
    };
    let candidates = candidates(checker, function, range);
    let guard_of = |&(guarded, holds): &(Guarded<'_>, Holds<'_>)| {
        // A comparison with a string is asked of a parameter (or the receiver's attribute
        // that holds one) only: such tests are common on locals (`if method == "GET":`),
        // and following a local to the keyword of `**kwargs` it came from walks the body.
        let compares_text = matches!(holds, Holds::Equals(_) | Holds::Differs(_));
        let parameter = match guarded {
            Guarded::Name(name) if compares_text => parameter_ref(checker, function, name)?,
            Guarded::Name(name) => parameter_ref(checker, function, name)
                .or_else(|| keyword_option_ref(checker, function, name))?,
            Guarded::Attribute {
                receiver,
                attribute,
            } => receiver_attribute_ref(checker, function, receiver, attribute, range.start())?,
            Guarded::Call { .. } => return None,
        };
        let test = match holds {
            Holds::Truthy => GuardTest::Truthy,
            Holds::NotNone => GuardTest::NotNone,
            Holds::Falsy => GuardTest::Falsy,
            Holds::NotInstance(class) => {
                GuardTest::NotInstanceOf(Name::new(&checker.model.path_of(class)?))
            }
            Holds::Instance(classes) => {
                let classes = match classes {
                    Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                    class => vec![class],
                };
                GuardTest::InstanceOf(
                    classes
                        .into_iter()
                        .map(|class| Some(Name::new(&checker.model.path_of(class)?)))
                        .collect::<Option<ThinVec<Name>>>()?,
                )
            }
            Holds::Equals(text) => GuardTest::Equals(Literal::text(text)),
            Holds::Differs(text) => GuardTest::DiffersFrom(Literal::text(text)),
        };
        Some(ParameterGuard { parameter, test })
    };
    // One guard is kept (the code runs only when every test passes, so any one of them is
    // true of it): a test of the value's truth before a test of its class, which stops fewer
    // calls (only those that pass an instance the catalog knows); and among those, a test of
    // a flag, a parameter with a literal default (`_force_async=False`), before a test of
    // other data: callers set a flag with a literal, and pass data on from their own
    // parameters.
    let by_class = |(_, holds): &&(Guarded<'_>, Holds<'_>)| {
        matches!(holds, Holds::NotInstance(_) | Holds::Instance(_))
    };
    let is_flag = |(guarded, _): &&(Guarded<'_>, Holds<'_>)| matches!(guarded, Guarded::Name(name) if has_literal_default(function, name));
    // A test that the value equals one string stops every other literal: first of all.
    let equals_text = |(_, holds): &&(Guarded<'_>, Holds<'_>)| matches!(holds, Holds::Equals(_));
    // Each candidate's guard is worked out once, however many of the passes below ask.
    let mut known: Vec<Option<Option<ParameterGuard>>> = vec![None; candidates.len()];
    let mut first = |wanted: &dyn Fn(&&(Guarded<'_>, Holds<'_>)) -> bool| {
        candidates
            .iter()
            .enumerate()
            .find_map(|(index, candidate)| {
                if !wanted(&candidate) {
                    return None;
                }
                known[index]
                    .get_or_insert_with(|| guard_of(candidate))
                    .clone()
            })
    };
    let parameter = first(&|candidate| equals_text(candidate) && is_flag(candidate))
        .or_else(|| first(&|candidate| !by_class(candidate) && is_flag(candidate)))
        .or_else(|| first(&|candidate| !by_class(candidate)))
        .or_else(|| first(&by_class));
    let probe = candidates.iter().find_map(|&(guarded, _)| {
        let Guarded::Call { range, truthy } = guarded else {
            return None;
        };
        let site = checker
            .summary
            .current_calls()
            .iter()
            .rposition(|call| call.range == range)?;
        Some((site as u32, truthy))
    });
    Guards { parameter, probe }
}

/// The guard a blocking call's own flag makes when a parameter sets it
/// (`lock.acquire(blocking=blocking)`, `queue.get(block)`): the call waits only when the
/// caller passes a true value. Only for a plain on/off flag: a timeout of `None` waits too.
/// Also when a parameter chooses between a blocking and a non-blocking value of any flag
/// (`os.waitpid(pid, 0 if blocking else os.WNOHANG)`): the call waits only when the
/// parameter is true (or, the arms the other way round, false).
pub(crate) fn flag_parameter_guard(
    checker: &Checker,
    call: &ast::ExprCall,
    api: &crate::catalog::BlockingApi,
) -> Option<ParameterGuard> {
    let flag = api.non_blocking_flag?;
    let value = call
        .arguments
        .find_argument_value(flag.keyword, flag.position)?;
    let (name, test) = match value {
        Expr::Name(name) if !flag.zero_timeout && flag.option_bit.is_none() => {
            (name, GuardTest::Truthy)
        }
        Expr::If(choice) => {
            let Expr::Name(name) = &*choice.test else {
                return None;
            };
            let test = match (
                makes_non_blocking(checker, &choice.body, &flag),
                makes_non_blocking(checker, &choice.orelse, &flag),
            ) {
                (false, true) => GuardTest::Truthy,
                (true, false) => GuardTest::Falsy,
                _ => return None,
            };
            (name, test)
        }
        _ => return None,
    };
    let function = checker.current_function()?;
    Some(ParameterGuard {
        parameter: parameter_ref(checker, function, name.id.as_str())?,
        test,
    })
}

/// Whether `function` has a parameter `name` whose default is a literal (`False`, `None`,
/// `0`, `""`).
fn has_literal_default(function: &ast::StmtFunctionDef, name: &str) -> bool {
    function
        .parameters
        .iter_non_variadic_params()
        .any(|parameter| {
            parameter.parameter.name.as_str() == name
                && parameter.default.as_deref().is_some_and(|default| {
                    matches!(
                        default,
                        Expr::BooleanLiteral(_)
                            | Expr::NoneLiteral(_)
                            | Expr::NumberLiteral(_)
                            | Expr::StringLiteral(_)
                    )
                })
        })
}

/// Every test the code at `range` depends on, innermost last.
fn candidates<'a>(
    checker: &Checker<'a, '_>,
    function: &'a ast::StmtFunctionDef,
    range: TextRange,
) -> Vec<(Guarded<'a>, Holds<'a>)> {
    let mut candidates: Vec<(Guarded<'a>, Holds<'a>)> = Vec::new();
    // The statements from the function down to the one holding `range`.
    let ancestors = checker.statement_ancestors();
    let Some(start) = ancestors
        .iter()
        .rposition(|stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function)))
    else {
        return candidates;
    };
    let mut suite: &[Stmt] = &function.body;
    for &stmt in &ancestors[start + 1..] {
        preceding_exits(suite, stmt.range(), &mut candidates);
        let Some(inner) = entered_suite(stmt, range, &mut candidates) else {
            break;
        };
        suite = inner;
    }
    for expr in checker.expression_ancestors() {
        expression_guards(expr, range, &mut candidates);
    }
    candidates
}

/// What a guard says of what it tests: that it is true, that it is not `None`, or that it
/// is falsy.
#[derive(Clone, Copy)]
enum Holds<'a> {
    Truthy,
    NotNone,
    Falsy,
    /// It is not an instance of this class (the `else` of `if isinstance(p, C):`).
    NotInstance(&'a Expr),
    /// It is an instance of this class, or of one of this tuple's (the body of
    /// `if isinstance(p, (C, D)):`).
    Instance(&'a Expr),
    /// It equals this non-empty string (the body of `if mode == "file":`).
    Equals(&'a str),
    /// It differs from this non-empty string (the `else` of `if mode == "constant":`).
    Differs(&'a str),
}

/// What a guard tests: a name, an attribute of the method's receiver (`self.client`), or
/// the value of a call (`can_block()`), which must be truthy or falsy.
#[derive(Clone, Copy)]
enum Guarded<'a> {
    Name(&'a str),
    Attribute {
        receiver: &'a str,
        attribute: &'a str,
    },
    Call {
        range: TextRange,
        truthy: bool,
    },
}

impl<'a> Guarded<'a> {
    fn of(expr: &'a Expr) -> Option<Self> {
        match expr {
            Expr::Name(name) => Some(Guarded::Name(name.id.as_str())),
            Expr::Attribute(attribute) => match &*attribute.value {
                Expr::Name(receiver) => Some(Guarded::Attribute {
                    receiver: receiver.id.as_str(),
                    attribute: attribute.attr.as_str(),
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The name a receiver attribute goes by as a pseudo-parameter (`self.client` → `.client`):
/// a method's callers on the same object hand it over implicitly.
pub(crate) fn attribute_parameter_name(attribute: &str) -> Name {
    Name::new(&format!(".{attribute}"))
}

/// `receiver.attribute` as a pseudo-parameter of `function`: `receiver` is the method's
/// receiver, and the function assigns the attribute nowhere before `before`.
fn receiver_attribute_ref(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    receiver: &str,
    attribute: &str,
    before: ruff_text_size::TextSize,
) -> Option<ParameterRef> {
    if method_receiver(checker, function) != Some(receiver) {
        return None;
    }
    let assigned_before: Vec<_> = receiver_assignments(function, receiver)
        .into_iter()
        .filter(|(name, end, _)| *name == attribute && *end <= before)
        .collect();
    match assigned_before.as_slice() {
        [] => {}
        // `self.prompt_file = prompt_file` and nothing else before the test: the attribute
        // holds the parameter, and guards on it as the parameter does.
        [(_, _, Some(Expr::Name(value)))] => {
            return parameter_ref(checker, function, value.id.as_str());
        }
        _ => return None,
    }
    Some(ParameterRef {
        name: attribute_parameter_name(attribute),
        position: None,
        literal_default: None,
    })
}

/// The receiver of `function` when it is a method (`self`), else `None`.
pub(crate) fn method_receiver<'a>(
    checker: &Checker,
    function: &'a ast::StmtFunctionDef,
) -> Option<&'a str> {
    crate::ast_query::enclosing_class(checker.statement_ancestors(), function)?;
    crate::ast_query::receiver_name(function)
}

/// Every `receiver.attribute = value` of `function`, as (attribute, where the attribute
/// takes the value, the value when it can be followed). An assignment whose value holds a
/// call (`self.x = f(self.x)`) takes effect after that call.
pub(crate) fn receiver_assignments<'a>(
    function: &'a ast::StmtFunctionDef,
    receiver: &str,
) -> Vec<(&'a str, ruff_text_size::TextSize, Option<&'a Expr>)> {
    let mut found = Vec::new();
    crate::ast_query::collect_assignments(&function.body, &mut |target, value, _| {
        if let Expr::Attribute(attribute) = target
            && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == receiver)
        {
            let end = value.map_or(target.end(), |value| value.end().max(target.end()));
            found.push((attribute.attr.as_str(), end, value));
        }
    });
    found
}

/// The parameter `name` of `function`, when it is one the function never reassigns.
pub(crate) fn parameter_ref(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    name: &str,
) -> Option<ParameterRef> {
    let parameters = &function.parameters;
    let is_method = crate::ast_query::enclosing_class(checker.statement_ancestors(), function)
        .is_some()
        && crate::ast_query::receiver_name(function).is_some();
    let mut position = None;
    let mut found = None;
    for (index, parameter) in parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .skip(usize::from(is_method))
        .enumerate()
    {
        if parameter.name().as_str() == name {
            position = Some(index as u32);
            found = Some(parameter);
            break;
        }
    }
    if found.is_none() {
        found = parameters
            .kwonlyargs
            .iter()
            .find(|parameter| parameter.name().as_str() == name);
    }
    let found = found?;
    if is_reassigned(checker, function, name) {
        return None;
    }
    Some(ParameterRef {
        name: name.into(),
        position,
        literal_default: found.default.as_deref().and_then(literal_truth),
    })
}

/// A local that holds one keyword of the function's `**kwargs` (`validate =
/// kwargs.get("validate")`, `kwargs.pop("validate", None)`), as the keyword parameter it
/// stands for: `None` when a call does not spell that keyword. Trusted only when the local is
/// assigned that once, and the function never rebinds `kwargs`, nor stores into it before
/// (`update`, `setdefault`, a subscript of that key).
fn keyword_option_ref(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    name: &str,
) -> Option<ParameterRef> {
    let kwargs = function.parameters.kwarg.as_deref()?.name.as_str();
    if is_reassigned(checker, function, kwargs) {
        return None;
    }
    let mut values = Vec::new();
    crate::ast_query::collect_assignments(&function.body, &mut |target, value, _| {
        if matches!(target, Expr::Name(assigned) if assigned.id.as_str() == name) {
            values.push(value);
        }
    });
    let [Some(Expr::Call(call))] = values.as_slice() else {
        return None;
    };
    let Expr::Attribute(method) = &*call.func else {
        return None;
    };
    let reads_kwargs = matches!(&*method.value, Expr::Name(owner) if owner.id.as_str() == kwargs);
    let key = match (method.attr.as_str(), call.arguments.args.as_ref()) {
        ("get", [Expr::StringLiteral(key)]) => key,
        ("get" | "pop", [Expr::StringLiteral(key), default]) if default.is_none_literal_expr() => {
            key
        }
        _ => return None,
    };
    if !reads_kwargs || !call.arguments.keywords.is_empty() {
        return None;
    }
    let key = key.value.to_str();
    let read_at = call.start();
    let mut stored = false;
    crate::ast_query::collect_assignments(&function.body, &mut |target, _, _| {
        if let Expr::Subscript(store) = target
            && store.start() < read_at
            && matches!(&*store.value, Expr::Name(owner) if owner.id.as_str() == kwargs)
            && matches!(&*store.slice, Expr::StringLiteral(literal) if literal.value.to_str() == key)
        {
            stored = true;
        }
    });
    let filled = crate::ast_query::any_in_body(&function.body, &mut |expr| {
        matches!(expr, Expr::Call(call) if call.start() < read_at && matches!(&*call.func, Expr::Attribute(method)
            if matches!(method.attr.as_str(), "update" | "setdefault")
                && matches!(&*method.value, Expr::Name(owner) if owner.id.as_str() == kwargs)))
    });
    (!stored && !filled).then(|| ParameterRef {
        name: key.into(),
        position: None,
        literal_default: Some(Literal::None),
    })
}

/// Where a call spells an argument, borrowed from the call: turned into an [`ArgumentSlot`]
/// only for the arguments a caller keeps.
#[derive(Clone, Copy)]
pub(crate) enum Spelled<'a> {
    Positional(u32),
    Keyword(&'a str),
}

impl Spelled<'_> {
    pub(crate) fn slot(self) -> ArgumentSlot {
        match self {
            Spelled::Positional(position) => ArgumentSlot::Positional(position),
            Spelled::Keyword(name) => ArgumentSlot::Keyword(name.into()),
        }
    }
}

/// The arguments a call spells, with where: the positional ones before any `*args` (a
/// position after it names no parameter), then the named keywords (`**kwargs` left out).
pub(crate) fn spelled_arguments(
    call: &ast::ExprCall,
) -> impl Iterator<Item = (Spelled<'_>, &Expr)> {
    let positional = call
        .arguments
        .args
        .iter()
        .take_while(|argument| !argument.is_starred_expr())
        .enumerate()
        .map(|(position, argument)| (Spelled::Positional(position as u32), argument));
    let keywords = call.arguments.keywords.iter().filter_map(|keyword| {
        let name = keyword.arg.as_ref()?;
        Some((Spelled::Keyword(name.as_str()), &keyword.value))
    });
    positional.chain(keywords)
}

/// What the call spells for `function`'s own parameters passed on unchanged (`f(p, key=q)`
/// where `p` and `q` are parameters never reassigned).
pub(crate) fn forwarded_arguments(
    checker: &Checker,
    call: &ast::ExprCall,
) -> Vec<(ArgumentSlot, ParameterRef)> {
    let Some(function) = checker.current_function() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut forward = |spelled: Spelled, value: &Expr| {
        let parameter = match Guarded::of(value) {
            Some(Guarded::Name(name)) if names_a_parameter(function, name) => {
                parameter_ref(checker, function, name)
            }
            Some(Guarded::Attribute {
                receiver,
                attribute,
            }) => receiver_attribute_ref(checker, function, receiver, attribute, call.start()),
            _ => None,
        };
        if let Some(parameter) = parameter {
            found.push((spelled.slot(), parameter));
        }
    };
    for (spelled, argument) in spelled_arguments(call) {
        forward(spelled, argument);
    }
    found
}

/// What the current method assigns to its receiver's attributes, for the methods it calls
/// on the same receiver: asked at each such call, answered at the first one of each
/// function (`None` after that, and for functions that are not methods).
pub(crate) fn receiver_assignments_once(
    checker: &Checker,
) -> Option<Vec<(Box<str>, MarkedOffset, Passed)>> {
    #[derive(Default)]
    struct Recorded {
        function_start: Option<ruff_text_size::TextSize>,
    }
    let function = checker.current_function()?;
    {
        let mut recorded = checker.rule_state::<Recorded>();
        if recorded.function_start == Some(function.start()) {
            return None;
        }
        recorded.function_start = Some(function.start());
    }
    let receiver = method_receiver(checker, function)?;
    let assignments = receiver_assignments(function, receiver)
        .into_iter()
        .map(|(attribute, end, value)| {
            let passed = match value {
                Some(Expr::Name(name)) if names_a_parameter(function, name.id.as_str()) => {
                    parameter_ref(checker, function, name.id.as_str())
                        .map_or(Passed::Unknown, Passed::Parameter)
                }
                Some(value) => literal_truth(value).map_or(Passed::Unknown, Passed::Literal),
                None => Passed::Unknown,
            };
            (attribute.into(), MarkedOffset(end), passed)
        })
        .collect();
    Some(assignments)
}

/// Which arguments the call spells, and whether it calls a method on the current method's
/// own receiver; with the keyword names it spells.
pub(crate) fn argument_shape(
    checker: &Checker,
    call: &ast::ExprCall,
) -> (ArgumentShape, KeywordBits) {
    let arguments = &call.arguments;
    let positional = arguments
        .args
        .iter()
        .take_while(|argument| !argument.is_starred_expr())
        .count();
    let mut shape = ArgumentShape {
        positional: u8::try_from(positional).unwrap_or(u8::MAX),
        unpacks: positional < arguments.args.len(),
        spells_keywords: false,
        on_self: false,
    };
    let mut keywords = KeywordBits::default();
    if let Expr::Attribute(method) = &*call.func
        && let Expr::Name(receiver) = &*method.value
        && let Some(function) = checker.current_function()
    {
        shape.on_self = method_receiver(checker, function) == Some(receiver.id.as_str());
    }
    for keyword in &arguments.keywords {
        match &keyword.arg {
            Some(name) => {
                shape.spells_keywords = true;
                keywords.insert(name.as_str());
            }
            None => shape.unpacks = true,
        }
    }
    (shape, keywords)
}

/// The truth of the literal `expr` is, if it is one whose truth is plain: `None`; falsy
/// (`False`, `0`, `""`, `[]`, ...); or true (`True`, `1`, `"x"`).
pub(crate) fn literal_truth(expr: &Expr) -> Option<Literal> {
    let falsy = match expr {
        Expr::NoneLiteral(_) => return Some(Literal::None),
        Expr::BooleanLiteral(literal) => !literal.value,
        Expr::NumberLiteral(number) => match &number.value {
            ast::Number::Int(value) => *value == ast::Int::ZERO,
            ast::Number::Float(value) => *value == 0.0,
            ast::Number::Complex { .. } => return None,
        },
        Expr::StringLiteral(literal) if literal.value.is_empty() => true,
        Expr::StringLiteral(literal) if !literal.value.is_implicit_concatenated() => {
            return Some(Literal::text(literal.value.to_str()));
        }
        Expr::StringLiteral(_) => false,
        Expr::BytesLiteral(literal) => literal.value.is_empty(),
        Expr::List(list) => list.elts.is_empty(),
        Expr::Tuple(tuple) => tuple.elts.is_empty(),
        Expr::Dict(dict) => dict.is_empty(),
        _ => return None,
    };
    Some(if falsy {
        Literal::Falsy
    } else {
        Literal::Truthy
    })
}

fn names_a_parameter(function: &ast::StmtFunctionDef, name: &str) -> bool {
    let parameters = &function.parameters;
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .any(|parameter| parameter.name().as_str() == name)
}

/// Whether `name` is assigned anywhere in `function` (asked once per function: the names
/// are collected on the first question).
fn is_reassigned(checker: &Checker, function: &ast::StmtFunctionDef, name: &str) -> bool {
    #[derive(Default)]
    struct Cache {
        function_start: Option<ruff_text_size::TextSize>,
        assigned: rustc_hash::FxHashSet<String>,
    }
    let mut cache = checker.rule_state::<Cache>();
    if cache.function_start != Some(function.start()) {
        cache.function_start = Some(function.start());
        cache.assigned.clear();
        let mut assigned = std::mem::take(&mut cache.assigned);
        crate::ast_query::collect_assignments(&function.body, &mut |target, _, _| {
            if let Expr::Name(name) = target {
                assigned.insert(name.id.as_str().to_owned());
            }
        });
        cache.assigned = assigned;
    }
    cache.assigned.contains(name)
}

/// The suite of `stmt` that holds `range`, noting the guards entering it implies.
fn entered_suite<'a>(
    stmt: &'a Stmt,
    range: TextRange,
    candidates: &mut Vec<(Guarded<'a>, Holds<'a>)>,
) -> Option<&'a [Stmt]> {
    let holds = |suite: &[Stmt]| crate::ast_query::body_holds(suite, range);
    match stmt {
        Stmt::If(if_stmt) => {
            // A test is evaluated whatever it tests.
            if if_stmt.test.range().contains_range(range) {
                return None;
            }
            if holds(&if_stmt.body) {
                truthy_when_true(&if_stmt.test, candidates);
                return Some(&if_stmt.body);
            }
            // In a later clause, every earlier test was false.
            truthy_when_false(&if_stmt.test, candidates);
            for clause in &if_stmt.elif_else_clauses {
                if clause
                    .test
                    .as_ref()
                    .is_some_and(|test| test.range().contains_range(range))
                {
                    return None;
                }
                if holds(&clause.body) {
                    if let Some(test) = &clause.test {
                        truthy_when_true(test, candidates);
                    }
                    return Some(&clause.body);
                }
                if let Some(test) = &clause.test {
                    truthy_when_false(test, candidates);
                }
            }
            None
        }
        Stmt::While(while_stmt) => {
            if holds(&while_stmt.body) {
                truthy_when_true(&while_stmt.test, candidates);
                return Some(&while_stmt.body);
            }
            holds(&while_stmt.orelse).then_some(&while_stmt.orelse[..])
        }
        Stmt::For(for_stmt) => {
            if holds(&for_stmt.body) {
                // `for _ in range(p):` runs its body only when `p` is a positive number,
                // `for x in p:` only when `p` is a non-empty collection.
                if let Expr::Call(range_call) = &*for_stmt.iter
                    && matches!(&*range_call.func, Expr::Name(name) if name.id.as_str() == "range")
                    && range_call.arguments.keywords.is_empty()
                    && let [bound] = &*range_call.arguments.args
                    && let Some(guarded) = Guarded::of(bound)
                {
                    candidates.push((guarded, Holds::Truthy));
                } else if let Some(guarded) = Guarded::of(&for_stmt.iter) {
                    candidates.push((guarded, Holds::Truthy));
                }
                return Some(&for_stmt.body);
            }
            holds(&for_stmt.orelse).then_some(&for_stmt.orelse[..])
        }
        Stmt::With(with_stmt) => holds(&with_stmt.body).then_some(&with_stmt.body[..]),
        Stmt::Try(try_stmt) => [&try_stmt.body, &try_stmt.orelse, &try_stmt.finalbody]
            .into_iter()
            .find(|suite| holds(suite))
            .map(|suite| &suite[..])
            .or_else(|| {
                try_stmt.handlers.iter().find_map(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    holds(&handler.body).then_some(&handler.body[..])
                })
            }),
        Stmt::Match(match_stmt) => match_stmt
            .cases
            .iter()
            .find(|case| holds(&case.body))
            .map(|case| &case.body[..]),
        _ => None,
    }
}

/// The guards the statements of `suite` before `range` set up: `if p is None: raise ...`
/// (any exit ends the suite: `return`, `raise`, `continue`, `break`) and `assert p`.
fn preceding_exits<'a>(
    suite: &'a [Stmt],
    range: TextRange,
    candidates: &mut Vec<(Guarded<'a>, Holds<'a>)>,
) {
    for stmt in suite {
        if stmt.start() >= range.start() {
            break;
        }
        match stmt {
            Stmt::If(if_stmt) if if_stmt.body.last().is_some_and(exits_suite) => {
                truthy_when_false(&if_stmt.test, candidates);
            }
            Stmt::Assert(assert) => truthy_when_true(&assert.test, candidates),
            // The body of a `with` before the code runs whole (unless the context manager
            // swallows an exception, which a guard that returns does not wait for): its
            // `if flag: return ...` guards what follows the block too.
            Stmt::With(with) => preceding_exits(&with.body, range, candidates),
            _ => {}
        }
    }
}

fn exits_suite(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_)
    )
}

/// The guards of an expression around `range`: `f(p) if p else None`, `p and f(p)`,
/// `p is None or f(p)`.
fn expression_guards<'a>(
    expr: &'a Expr,
    range: TextRange,
    candidates: &mut Vec<(Guarded<'a>, Holds<'a>)>,
) {
    match expr {
        Expr::If(if_expr) => {
            if if_expr.body.range().contains_range(range) {
                truthy_when_true(&if_expr.test, candidates);
            } else if if_expr.orelse.range().contains_range(range) {
                truthy_when_false(&if_expr.test, candidates);
            }
        }
        Expr::BoolOp(bool_op) => {
            for value in &bool_op.values {
                if value.range().contains_range(range) {
                    break;
                }
                match bool_op.op {
                    BoolOp::And => truthy_when_true(value, candidates),
                    BoolOp::Or => truthy_when_false(value, candidates),
                }
            }
        }
        _ => {}
    }
}

/// The names a test being true says hold a value, with whether only "not `None`" is known.
fn truthy_when_true<'a>(test: &'a Expr, candidates: &mut Vec<(Guarded<'a>, Holds<'a>)>) {
    match test {
        Expr::Name(_) | Expr::Attribute(_) => {
            if let Some(guarded) = Guarded::of(test) {
                candidates.push((guarded, Holds::Truthy));
            }
        }
        Expr::Call(call) => {
            // `isinstance(p, (str, Path))` true: `p` is one of those (the branch that opens
            // a path, beside the one that reads a file object).
            if let Some((guarded, classes)) = instance_test(test, true) {
                candidates.push((guarded, Holds::Instance(classes)));
            }
            candidates.push((
                Guarded::Call {
                    range: call.range(),
                    truthy: true,
                },
                Holds::Truthy,
            ));
        }
        Expr::Compare(compare) => {
            if let Some(guarded) = none_comparison(compare, CmpOp::IsNot) {
                candidates.push((guarded, Holds::NotNone));
            }
            candidates.extend(flag_comparison(compare, true));
            candidates.extend(text_comparison(compare, true));
        }
        Expr::BoolOp(bool_op) if bool_op.op == BoolOp::And => {
            for value in &bool_op.values {
                truthy_when_true(value, candidates);
            }
        }
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            truthy_when_false(&unary.operand, candidates);
        }
        _ => {}
    }
}

/// The names a test being false says hold a value, or are falsy (`if p: ... else:`).
fn truthy_when_false<'a>(test: &'a Expr, candidates: &mut Vec<(Guarded<'a>, Holds<'a>)>) {
    // `isinstance(p, C)` false: `p` is not a `C` (the `else` of a test that tells a path
    // from a file object).
    if let Some((guarded, class)) = instance_test(test, false) {
        candidates.push((guarded, Holds::NotInstance(class)));
        return;
    }
    match test {
        Expr::Name(_) | Expr::Attribute(_) => {
            if let Some(guarded) = Guarded::of(test) {
                candidates.push((guarded, Holds::Falsy));
            }
        }
        Expr::Compare(compare) => {
            if let Some(guarded) = none_comparison(compare, CmpOp::Is) {
                candidates.push((guarded, Holds::NotNone));
            }
            candidates.extend(flag_comparison(compare, false));
            candidates.extend(text_comparison(compare, false));
        }
        Expr::Call(call) => candidates.push((
            Guarded::Call {
                range: call.range(),
                truthy: false,
            },
            Holds::Truthy,
        )),
        Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => {
            for value in &bool_op.values {
                truthy_when_false(value, candidates);
            }
        }
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            truthy_when_true(&unary.operand, candidates);
        }
        _ => {}
    }
}

/// `p is True`, `p is False`, `p is not True` or `p is not False`, known to be `outcome`:
/// what that says of `p`. `p` is `True` is a true value and `p` is `False` a falsy one; `p`
/// is not `True` is taken for a falsy one (`if flag is True: return ...` before the code),
/// which a caller passing another true literal (`flag=1`) would contradict, so the guard
/// then hides what that call reaches rather than reporting what it does not; `p` is not
/// `False` says nothing.
fn flag_comparison(compare: &ast::ExprCompare, outcome: bool) -> Option<(Guarded<'_>, Holds<'_>)> {
    let ([op], [Expr::BooleanLiteral(literal)]) =
        (compare.ops.as_ref(), compare.comparators.as_ref())
    else {
        return None;
    };
    let is = match op {
        CmpOp::Is => outcome,
        CmpOp::IsNot => !outcome,
        _ => return None,
    };
    let holds = match (is, literal.value) {
        (true, true) => Holds::Truthy,
        (true, false) | (false, true) => Holds::Falsy,
        (false, false) => return None,
    };
    Some((Guarded::of(&compare.left)?, holds))
}

/// `p == "file"` or `p != "file"` (either side), known to be `outcome`: whether `p` equals
/// that string. Only a plain non-empty string: an f-string or an implicit concatenation is
/// left alone.
fn text_comparison(compare: &ast::ExprCompare, outcome: bool) -> Option<(Guarded<'_>, Holds<'_>)> {
    let ([op], [right]) = (compare.ops.as_ref(), compare.comparators.as_ref()) else {
        return None;
    };
    let equal = match op {
        CmpOp::Eq => outcome,
        CmpOp::NotEq => !outcome,
        _ => return None,
    };
    let (tested, text) = match (&*compare.left, right) {
        (tested, Expr::StringLiteral(text)) | (Expr::StringLiteral(text), tested) => (tested, text),
        _ => return None,
    };
    if text.value.is_implicit_concatenated() || text.value.is_empty() {
        return None;
    }
    let text = text.value.to_str();
    let holds = if equal {
        Holds::Equals(text)
    } else {
        Holds::Differs(text)
    };
    Some((Guarded::of(tested)?, holds))
}

/// `p is None` (with `op` `is`) or `p is not None` (`is not`): what `p` is.
fn none_comparison(compare: &ast::ExprCompare, op: CmpOp) -> Option<Guarded<'_>> {
    match (compare.ops.as_ref(), compare.comparators.as_ref()) {
        ([found], [Expr::NoneLiteral(_)]) if *found == op => Guarded::of(&compare.left),
        _ => None,
    }
}

/// The parameter a name stands for, unchanged: one of the current function's
/// (depth 0), or of an enclosing function whose parameter a nested one reads (depth: how many
/// functions out). `None` for a name some function on the way binds, and across a class body
/// (a method does not read the names of the function around its class the same way).
pub(crate) fn parameter_origin(
    checker: &Checker,
    receiver: &Expr,
) -> Option<(usize, ParameterRef)> {
    let Expr::Name(name) = receiver else {
        return None;
    };
    let name = name.id.as_str();
    let functions = &checker.functions;
    let is_parameter = |function: &ast::StmtFunctionDef| {
        function
            .parameters
            .iter()
            .any(|parameter| parameter.name().as_str() == name)
    };
    // The nearest function the name is a parameter of, found from the parameter lists alone:
    // most names called are no parameter, and the bodies are walked only for those that are.
    let depth = functions
        .iter()
        .rev()
        .position(|function| is_parameter(function))?;
    let owner = functions[functions.len() - 1 - depth];
    for inner in 1..=depth {
        // Each function between must sit directly in the next one's body (not in a class) and
        // leave the name alone.
        let nested = functions[functions.len() - inner];
        if crate::ast_query::enclosing_class(checker.statement_ancestors(), nested).is_some() {
            return None;
        }
        let mut binds = false;
        crate::ast_query::collect_assignments(&nested.body, &mut |target, _, _| {
            binds |= matches!(target, Expr::Name(bound) if bound.id.as_str() == name);
        });
        if binds || declares(&nested.body, name) {
            return None;
        }
    }
    parameter_ref(checker, owner, name).map(|parameter| (depth, parameter))
}

/// Whether `body` declares `name` `global` or `nonlocal` (at any depth of its own statements).
fn declares(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    crate::ast_query::walk_statements_shallow(body, &mut |stmt| {
        found |= match stmt {
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                names.iter().any(|declared| declared.as_str() == name)
            }
            _ => false,
        };
        crate::ast_query::Walk::Descend
    });
    found
}

/// `isinstance(p, C)` with one class (or, `tuple` allowed, a tuple of them: `(str, Path)`):
/// what it tests and the class. (The builtin is taken by its name: a module that rebinds
/// `isinstance` is not worth the lookup.)
fn instance_test(test: &Expr, tuple: bool) -> Option<(Guarded<'_>, &Expr)> {
    let Expr::Call(call) = test else { return None };
    let Expr::Name(func) = &*call.func else {
        return None;
    };
    if func.id.as_str() != "isinstance" || !call.arguments.keywords.is_empty() {
        return None;
    }
    let [subject, class] = &*call.arguments.args else {
        return None;
    };
    if matches!(class, Expr::Tuple(_)) && !tuple {
        return None;
    }
    Some((Guarded::of(subject)?, class))
}
