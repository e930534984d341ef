//! (Being written.)
use ruff_python_ast as ast;

use crate::checker::Checker;

pub const DOCS: &str = "TODO";

pub(crate) fn check_try(_checker: &mut Checker, _try_stmt: &ast::StmtTry) {}
