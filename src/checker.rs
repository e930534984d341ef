//! The single-function rules' walk.
use ruff_python_ast::ModModule;

use crate::diagnostic::Diagnostic;
use crate::settings::Settings;

pub fn check_module(_module: &ModModule, _source: &str, _settings: &Settings) -> Vec<Diagnostic> {
    Vec::new()
}
