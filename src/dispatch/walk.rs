//! The walk: one pass over a module's tree that keeps the checker's context current (scopes,
//! enclosing statements and expressions, nesting) and hands each node to the dispatch.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::checker::static_tests::{never_iterates, test_outcome};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::semantic::Scope;

impl<'a> Visitor<'a> for Checker<'a, '_> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        visitor::walk_body(self, super::code_that_runs(body));
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.stops_at(stmt.start()) {
            return;
        }
        self.nesting += 1;
        let saved_base = std::mem::replace(&mut self.expression_base, self.expressions.len());
        self.statements.push(stmt);
        match stmt {
            Stmt::FunctionDef(function) => {
                // Decorators, defaults and annotations run in the enclosing scope.
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                super::function_definition(self, function);
                for parameter in function.parameters.iter_non_variadic_params() {
                    if let Some(default) = &parameter.default {
                        self.visit_expr(default);
                    }
                }
                self.enter_function(function);
                super::function_body(self, function);
                self.visit_body(&function.body);
                self.exit_function();
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let path = if self.model.scopes.depth() == 0 {
                    let caches = crate::checker::owned_caches::of_class(class);
                    self.summary.note_owned_caches(caches);
                    self.model.module.qualify(class.name.as_str())
                } else {
                    // Classes nested in functions are not in the module's class table.
                    String::new()
                };
                self.model.scopes.push(Scope::Class { path });
                self.visit_body(&class.body);
                self.model.scopes.pop();
            }
            Stmt::With(with) => {
                super::with_statement(self, with);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::While(while_stmt) => {
                super::while_statement(self, while_stmt);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Try(try_stmt) => {
                super::try_statement(self, try_stmt);
                visitor::walk_stmt(self, stmt);
            }
            // A branch that never runs (for Pythons older than the target version, under a
            // flag the module binds once to `False`): not walked.
            Stmt::If(if_stmt) => {
                self.visit_expr(&if_stmt.test);
                match test_outcome(self, &if_stmt.test) {
                    Some(true) => self.visit_body(&if_stmt.body),
                    Some(false) => self.visit_clauses(&if_stmt.elif_else_clauses),
                    None => {
                        let narrowed = self.model.enter_narrowing(&if_stmt.test);
                        self.visit_body(&if_stmt.body);
                        self.model.leave_narrowing(narrowed);
                        self.visit_clauses(&if_stmt.elif_else_clauses);
                    }
                }
            }
            // A loop over a local list nothing fills: its body never runs, and is not walked.
            Stmt::For(for_stmt) if never_iterates(self, for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.visit_expr(&for_stmt.target);
                self.visit_body(&for_stmt.orelse);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.statements.pop();
        self.expression_base = saved_base;
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.stops_at(expr.start()) {
            return;
        }
        self.nesting += 1;
        self.expressions.push(expr);
        match expr {
            Expr::Call(call) => {
                super::call(self, call);
                visitor::walk_expr(self, expr);
            }
            Expr::Attribute(attribute) if self.thread_locals.is_some() => {
                super::attribute(self, attribute);
                visitor::walk_expr(self, expr);
            }
            Expr::Await(await_expr) if self.in_async_context() => {
                super::await_expression(self, await_expr);
                visitor::walk_expr(self, expr);
            }
            // The arm a settled test never takes (`x if False else y`, a version gate) is
            // not walked, as the `if` statement's.
            Expr::If(choice) => {
                self.visit_expr(&choice.test);
                match test_outcome(self, &choice.test) {
                    Some(true) => self.visit_expr(&choice.body),
                    Some(false) => self.visit_expr(&choice.orelse),
                    None => {
                        self.visit_expr(&choice.body);
                        self.visit_expr(&choice.orelse);
                    }
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for parameter in parameters.iter_non_variadic_params() {
                        if let Some(default) = &parameter.default {
                            self.visit_expr(default);
                        }
                    }
                }
                self.model.enter_lambda(lambda);
                self.visit_expr(&lambda.body);
                self.model.scopes.pop();
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                if !self.model.scopes.innermost_is_lambda() {
                    self.summary.note_yield();
                }
                visitor::walk_expr(self, expr);
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                self.in_comprehension += 1;
                visitor::walk_expr(self, expr);
                self.in_comprehension -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.expressions.pop();
        self.nesting -= 1;
    }
}

impl<'a> Checker<'a, '_> {
    /// The `elif`/`else` clauses of an `if` whose own branch may not have run: up to the
    /// first clause whose test always holds, skipping those whose test never does.
    fn visit_clauses(&mut self, clauses: &'a [ast::ElifElseClause]) {
        for clause in clauses {
            let outcome = match &clause.test {
                Some(test) => {
                    self.visit_expr(test);
                    test_outcome(self, test)
                }
                None => Some(true),
            };
            match outcome {
                Some(false) => {}
                Some(true) => {
                    self.visit_body(&clause.body);
                    return;
                }
                None => self.visit_body(&clause.body),
            }
        }
    }
}
