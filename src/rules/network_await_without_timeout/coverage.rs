//! Deadlines set by the callers: whether every use of the current function in the module
//! runs under one (lexically, or inside a function that is itself so covered). The uses of
//! the module's functions are indexed once per module, in the checker's per-module state.

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{enclosing_class, last_identifier};
use crate::catalog;
use crate::checker::Checker;

use super::deadlines::{has_timeout_decorator, is_deadline_item};

/// What LW501 learns once per module about the uses of its functions, and reuses for every
/// await in it: where each is used, and which are covered by their callers' deadlines. Kept
/// in the checker's per-module state, so it lives exactly as long as the module's walk.
#[derive(Default)]
struct CallerCoverage {
    sites: Option<SiteIndex>,
    /// Coverage of a function by its callers' deadlines, without and with private plumbing
    /// delegated to its entry point.
    coverage: HashMap<FunctionKey, bool>,
    coverage_delegating: HashMap<FunctionKey, bool>,
}

/// Whether every use of the current function in the module runs under a deadline (lexically,
/// or inside a function that is itself so covered). A function the module never uses is
/// covered only when `delegate_private` holds and it is private (`_name`, or in a `_module`):
/// plumbing behind an entry point, which owns the deadline (raw sockets and streams only).
pub(super) fn callers_bound(checker: &Checker, delegate_private: bool) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let is_method = enclosing_class(checker.statement_ancestors(), function).is_some();
    let key = FunctionKey {
        start: function.start().to_u32(),
        is_method,
    };
    let private_module = module_is_private(checker);
    let mut cache = checker.rule_state::<CallerCoverage>();
    let CallerCoverage {
        sites,
        coverage,
        coverage_delegating,
    } = &mut *cache;
    let sites = sites.get_or_insert_with(|| SiteIndex::build(checker));
    let memo = if delegate_private {
        coverage_delegating
    } else {
        coverage
    };
    sites.covered(key, delegate_private, private_module, memo, 0)
}

fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

fn module_is_private(checker: &Checker) -> bool {
    checker.model.module.module_name.split('.').any(is_private)
}

/// A function of the module: where its `def` starts, and whether it is a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FunctionKey {
    start: u32,
    is_method: bool,
}

/// A place the module uses a function: whether a deadline encloses it there, and the
/// function it is in.
struct UseSite {
    bounded: bool,
    caller: Option<FunctionKey>,
}

/// Every function of the module and every place it is used, built once per module.
struct SiteIndex {
    names: HashMap<FunctionKey, String>,
    /// (name, is_method) → the loads of `name` (a module function) or of `.name` (a method).
    sites: HashMap<(String, bool), Vec<UseSite>>,
}

impl SiteIndex {
    fn build(checker: &Checker) -> Self {
        use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};

        struct Finder<'f, 'a, 'm> {
            checker: &'f Checker<'a, 'm>,
            stmts: Vec<&'a Stmt>,
            exprs: Vec<&'a Expr>,
            index: SiteIndex,
            nesting: usize,
        }
        impl<'a> Finder<'_, 'a, '_> {
            fn site(&mut self, name: &str, is_method: bool, range: TextRange) {
                let site = self.use_site(range);
                self.index
                    .sites
                    .entry((name.to_string(), is_method))
                    .or_default()
                    .push(site);
            }

            fn use_site(&self, range: TextRange) -> UseSite {
                // Innermost first: `wait_for(f(), 5)` bounds `f`; a new task does not inherit
                // the deadline of the code that spawns it.
                for expr in self.exprs.iter().rev() {
                    let Expr::Call(call) = expr else { continue };
                    if last_identifier(&call.func).is_some_and(|callee| {
                        matches!(
                            callee,
                            "create_task"
                                | "ensure_future"
                                | "start_soon"
                                | "run_coroutine_threadsafe"
                        )
                    }) {
                        return UseSite {
                            bounded: false,
                            caller: None,
                        };
                    }
                    let is_wait_for = self
                        .checker
                        .model
                        .call_path(call)
                        .is_some_and(|path| catalog::is_wait_for(&path));
                    let timeout = call.arguments.find_argument_value("timeout", 1);
                    if is_wait_for && timeout.is_some_and(|timeout| !timeout.is_none_literal_expr())
                    {
                        return UseSite {
                            bounded: true,
                            caller: None,
                        };
                    }
                }
                let mut bounded = false;
                for (index, stmt) in self.stmts.iter().enumerate().rev() {
                    match *stmt {
                        Stmt::FunctionDef(def) => {
                            let is_method = enclosing_class(&self.stmts[..=index], def).is_some();
                            return UseSite {
                                bounded: bounded || has_timeout_decorator(def),
                                caller: Some(FunctionKey {
                                    start: def.start().to_u32(),
                                    is_method,
                                }),
                            };
                        }
                        Stmt::With(with) => {
                            bounded |= with.items.iter().any(|item| {
                                item.context_expr.end() <= range.start()
                                    && is_deadline_item(self.checker, item)
                            });
                        }
                        _ => {}
                    }
                }
                UseSite {
                    bounded,
                    caller: None,
                }
            }
        }
        impl<'a> Visitor<'a> for Finder<'_, 'a, '_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                if self.nesting > 2_000 {
                    return;
                }
                self.nesting += 1;
                if let Stmt::FunctionDef(def) = stmt {
                    let is_method = enclosing_class(&self.stmts, def).is_some()
                        || matches!(self.stmts.last(), Some(Stmt::ClassDef(_)));
                    self.index.names.insert(
                        FunctionKey {
                            start: def.start().to_u32(),
                            is_method,
                        },
                        def.name.to_string(),
                    );
                }
                self.stmts.push(stmt);
                let saved = std::mem::take(&mut self.exprs);
                walk_stmt(self, stmt);
                self.exprs = saved;
                self.stmts.pop();
                self.nesting -= 1;
            }

            fn visit_expr(&mut self, expr: &'a Expr) {
                if self.nesting > 2_000 {
                    return;
                }
                self.nesting += 1;
                match expr {
                    Expr::Name(used) if used.ctx.is_load() => {
                        self.site(used.id.as_str(), false, expr.range())
                    }
                    Expr::Attribute(attribute) => {
                        self.site(attribute.attr.as_str(), true, expr.range())
                    }
                    _ => {}
                }
                self.exprs.push(expr);
                walk_expr(self, expr);
                self.exprs.pop();
                self.nesting -= 1;
            }
        }
        let mut finder = Finder {
            checker,
            stmts: Vec::new(),
            exprs: Vec::new(),
            index: SiteIndex {
                names: HashMap::new(),
                sites: HashMap::new(),
            },
            nesting: 0,
        };
        finder.visit_body(&checker.module().body);
        // Keep only the uses of the module's own functions.
        let defined: std::collections::HashSet<(String, bool)> = finder
            .index
            .names
            .iter()
            .map(|(key, name)| (name.clone(), key.is_method))
            .collect();
        finder.index.sites.retain(|key, _| defined.contains(key));
        finder.index
    }

    fn covered(
        &self,
        key: FunctionKey,
        delegate_private: bool,
        private_module: bool,
        memo: &mut HashMap<FunctionKey, bool>,
        depth: usize,
    ) -> bool {
        if let Some(known) = memo.get(&key) {
            return *known;
        }
        if depth > 8 {
            return false;
        }
        let Some(name) = self.names.get(&key) else {
            return false;
        };
        // In progress: a recursive use does not cover itself.
        memo.insert(key, false);
        let covered = match self.sites.get(&(name.clone(), key.is_method)) {
            None => delegate_private && (is_private(name) || private_module),
            Some(sites) => sites.iter().all(|site| {
                site.bounded
                    || site.caller.is_some_and(|caller| {
                        self.covered(caller, delegate_private, private_module, memo, depth + 1)
                    })
            }),
        };
        memo.insert(key, covered);
        covered
    }
}
