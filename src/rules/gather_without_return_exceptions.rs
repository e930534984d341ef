//! (Being written.)
use ruff_python_ast as ast;

use crate::checker::Checker;

pub const DOCS: &str = "TODO";

pub(crate) fn check_call(_checker: &mut Checker, _call: &ast::ExprCall, _path: &str) {}
