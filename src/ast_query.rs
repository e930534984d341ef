//! Questions answered from the syntax tree alone: no names resolved, no checker, no rule.
//! Whether any expression of a body matches, the last identifier of a callee, the class
//! around a method and its `self`, every assignment of a body. The rules that ask the same
//! question share the answer here instead of borrowing it from one another.

use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};

/// Whether `found` holds for `expr` or any expression inside it. Like ruff's `any_over_expr`,
/// but linear in the depth of the tree (the helper nests its closure once per level, which is
/// quadratic on deeply nested input).
pub fn any_expr(expr: &Expr, found: &mut dyn FnMut(&Expr) -> bool) -> bool {
    let mut finder = AnyFinder { found, hit: false };
    ruff_python_ast::visitor::Visitor::visit_expr(&mut finder, expr);
    finder.hit
}

/// [`any_expr`] over every expression of `body`, nested functions included.
pub fn any_in_body(body: &[Stmt], found: &mut dyn FnMut(&Expr) -> bool) -> bool {
    let mut finder = AnyFinder { found, hit: false };
    ruff_python_ast::visitor::Visitor::visit_body(&mut finder, body);
    finder.hit
}

struct AnyFinder<'f> {
    found: &'f mut dyn FnMut(&Expr) -> bool,
    hit: bool,
}

impl<'a> ruff_python_ast::visitor::Visitor<'a> for AnyFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.hit {
            ruff_python_ast::visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.hit {
            return;
        }
        if (self.found)(expr) {
            self.hit = true;
            return;
        }
        ruff_python_ast::visitor::walk_expr(self, expr);
    }
}

/// `c` of `a.b.c`, `f` of `f`.
pub fn last_identifier(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The class whose body directly defines `function` (through `if`/`try` blocks), if any.
pub fn enclosing_class<'a>(
    ancestors: &[&'a Stmt],
    function: &ast::StmtFunctionDef,
) -> Option<&'a ast::StmtClassDef> {
    let index = ancestors
        .iter()
        .rposition(|stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function)))?;
    for stmt in ancestors[..index].iter().rev() {
        match stmt {
            Stmt::ClassDef(class) => return Some(class),
            Stmt::FunctionDef(_) => return None,
            _ => {}
        }
    }
    None
}

/// The name of a method's instance (or class) parameter; `None` for a `@staticmethod`.
pub fn receiver_name(method: &ast::StmtFunctionDef) -> Option<&str> {
    let is_static = method.decorator_list.iter().any(|decorator| {
        matches!(&decorator.expression, Expr::Name(name) if name.id.as_str() == "staticmethod")
    });
    if is_static {
        return None;
    }
    method
        .parameters
        .iter()
        .next()
        .map(|parameter| parameter.name().as_str())
}

/// Calls `record(target, value, index)` for every assignment in `body` (not in nested
/// scopes): `value` is `None` when it cannot be followed, `index` the position in a tuple.
pub fn collect_assignments<'a>(
    body: &'a [Stmt],
    record: &mut dyn FnMut(&'a Expr, Option<&'a Expr>, Option<usize>),
) {
    struct Collector<'a, 'r> {
        record: &'r mut dyn FnMut(&'a Expr, Option<&'a Expr>, Option<usize>),
    }
    impl<'a> Collector<'a, '_> {
        fn target(&mut self, target: &'a Expr, value: Option<&'a Expr>) {
            match target {
                Expr::Tuple(ast::ExprTuple { elts, .. })
                | Expr::List(ast::ExprList { elts, .. }) => {
                    for (index, element) in elts.iter().enumerate() {
                        match element {
                            // Nested or starred unpacking: not followed.
                            Expr::Starred(_) | Expr::Tuple(_) | Expr::List(_) => {
                                self.target(element, None)
                            }
                            element => (self.record)(element, value, Some(index)),
                        }
                    }
                }
                Expr::Starred(starred) => self.target(&starred.value, None),
                target => (self.record)(target, value, None),
            }
        }
    }
    impl<'a> StatementVisitor<'a> for Collector<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        self.target(target, Some(&assign.value));
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let Some(value) = &assign.value {
                        self.target(&assign.target, Some(value));
                    }
                }
                Stmt::AugAssign(assign) => self.target(&assign.target, None),
                Stmt::For(for_stmt) => self.target(&for_stmt.target, None),
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(target) = &item.optional_vars {
                            // `async with X(...) as x`: `__aenter__` of the clients covered
                            // returns the client itself.
                            self.target(target, Some(&item.context_expr));
                        }
                    }
                }
                _ => {}
            }
            walk_stmt(self, stmt);
        }
    }
    let mut collector = Collector { record };
    collector.visit_body(body);
}
