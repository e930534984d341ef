//! The non-blocking socket exemption of LW101 and of the summary LW103 reads: a method of a
//! socket that its function made
//! non-blocking (`sock.setblocking(False)`, `sock.settimeout(0)`), or whose call sits in a
//! `try` that catches `BlockingIOError` (the non-blocking socket's "not ready yet", which
//! the code then waits out on the loop), returns at once instead of waiting. Likewise a
//! pyserial port of a module that polls its ports: one that sets a port's `timeout` (and
//! `write_timeout`) to `0` reads and writes only what is ready, as pyserial-asyncio does.

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;

/// Whether `call` (a `socket.socket` method) is made on a socket its function treats as
/// non-blocking.
pub(crate) fn treated_as_non_blocking(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    if catches_blocking_io_error(checker, call) {
        return true;
    }
    let Some(function) = checker.current_function() else {
        return false;
    };
    let receiver = checker.text(attribute.value.range());
    let mut finder = NonBlockingFinder {
        checker,
        receiver,
        found: false,
    };
    finder.visit_body(&function.body);
    finder.found
}

/// Whether the call is in the body of a `try` (of its function) that catches
/// `BlockingIOError`.
fn catches_blocking_io_error(checker: &Checker, call: &ast::ExprCall) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(try_stmt)
                if try_stmt
                    .body
                    .iter()
                    .any(|inner| inner.range().contains_range(call.range())) =>
            {
                let catches = try_stmt.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler
                        .type_
                        .as_deref()
                        .is_some_and(names_blocking_io_error)
                });
                if catches {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn names_blocking_io_error(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == "BlockingIOError",
        Expr::Tuple(tuple) => tuple.elts.iter().any(names_blocking_io_error),
        _ => false,
    }
}

/// Looks for `<receiver>.setblocking(False)` / `<receiver>.settimeout(0)`.
struct NonBlockingFinder<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    receiver: &'a str,
    found: bool,
}

impl<'b> Visitor<'b> for NonBlockingFinder<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.found {
            return;
        }
        if let Expr::Call(call) = expr
            && let Expr::Attribute(attribute) = &*call.func
            && self.checker.text(attribute.value.range()) == self.receiver
        {
            let argument = call.arguments.args.first();
            let non_blocking = match attribute.attr.as_str() {
                "setblocking" => argument.is_some_and(is_false_or_zero),
                "settimeout" => argument.is_some_and(is_zero),
                _ => false,
            };
            if non_blocking {
                self.found = true;
                return;
            }
        }
        walk_expr(self, expr);
    }
}

fn is_false_or_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(literal) if !literal.value) || is_zero(expr)
}

fn is_zero(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(number) => match &number.value {
            ast::Number::Int(value) => value.as_u8() == Some(0),
            ast::Number::Float(value) => *value == 0.0,
            ast::Number::Complex { .. } => false,
        },
        _ => false,
    }
}

/// Whether the module polls its pyserial ports: it sets a `timeout` to `0`, as an attribute
/// (`port.timeout = 0`) or a keyword of a port it opens (`serial.Serial(url, timeout=0)`).
/// Its ports' reads and writes then return what is ready at once. Asked once per module (one
/// walk of it), only of modules that read or write a port.
pub(crate) fn serial_ports_polled(checker: &Checker) -> bool {
    #[derive(Default)]
    struct Polled(Option<bool>);
    if let Some(known) = checker.rule_state::<Polled>().0 {
        return known;
    }
    let mut finder = ZeroTimeoutFinder {
        found: false,
        nesting: 0,
    };
    finder.visit_body(&checker.module().body);
    checker.rule_state::<Polled>().0 = Some(finder.found);
    finder.found
}

/// Finds `x.timeout = 0`, or `Serial(..., timeout=0)` / `serial_for_url(..., timeout=0)`,
/// anywhere in a module, nested scopes included.
struct ZeroTimeoutFinder {
    found: bool,
    nesting: usize,
}

impl<'a> Visitor<'a> for ZeroTimeoutFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found || self.nesting >= crate::source::MAX_NESTING {
            return;
        }
        if let Stmt::Assign(assign) = stmt
            && is_zero(&assign.value)
            && assign.targets.iter().any(|target| {
                matches!(target, Expr::Attribute(attribute) if attribute.attr.as_str() == "timeout")
            })
        {
            self.found = true;
            return;
        }
        self.nesting += 1;
        walk_stmt(self, stmt);
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found || self.nesting >= crate::source::MAX_NESTING {
            return;
        }
        if let Expr::Call(call) = expr
            && crate::ast_query::last_identifier(&call.func)
                .is_some_and(|name| matches!(name, "Serial" | "serial_for_url"))
            && call.arguments.keywords.iter().any(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.as_str() == "timeout")
                    && is_zero(&keyword.value)
            })
        {
            self.found = true;
            return;
        }
        self.nesting += 1;
        walk_expr(self, expr);
        self.nesting -= 1;
    }
}
