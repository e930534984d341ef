//! The sessions a function hands to the functions it calls: an argument that is an
//! `aiohttp.ClientSession` built (in the calling function, or for `self.attr` in its class)
//! without a finite read timeout. Recorded on the call site; the link asks it of the callers
//! of a function that makes requests on a session parameter (`callers.rs`).

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::checker::parameter_guards::spelled_arguments;
use crate::project::summary::ArgumentSlot;

use super::origins::{Query, all_origins};

/// Whether the module imports aiohttp, asked once per module: no other module can build a
/// session to hand over.
#[derive(Default)]
struct ImportsAiohttp(Option<bool>);

/// Notes the arguments of `call` that hand over a session without a finite read timeout.
/// Called after the call site is recorded: the site is the current function's last one.
pub(crate) fn record(checker: &mut Checker, call: &ast::ExprCall) {
    if call.arguments.is_empty() || checker.current_function().is_none() {
        return;
    }
    let imports_aiohttp = *checker
        .rule_state::<ImportsAiohttp>()
        .0
        .get_or_insert_with(|| checker.model.module.imports_from("aiohttp"));
    if !imports_aiohttp {
        return;
    }
    let calls = checker.summary.current_calls();
    let Some(site) = calls
        .len()
        .checked_sub(1)
        .filter(|&last| calls[last].range == call.range())
    else {
        return;
    };
    let handed: Vec<(ArgumentSlot, bool)> = spelled_arguments(call)
        .filter_map(|(spelled, argument)| {
            Some((spelled.slot(), unbounded_session(checker, argument)?))
        })
        .collect();
    let site = site as u32;
    checker.summary.current().session_arguments.extend(
        handed
            .into_iter()
            .map(|(slot, unlimited)| (site, slot, unlimited)),
    );
}

/// For a session built without a finite read timeout at every place the argument is
/// assigned: whether its `ClientTimeout` sets no limit at all (else it has aiohttp's default).
fn unbounded_session(checker: &Checker, argument: &Expr) -> Option<bool> {
    if !matches!(argument, Expr::Name(_) | Expr::Attribute(_)) {
        return None;
    }
    all_origins(checker, argument, Query::AiohttpUnbounded)
        .then(|| all_origins(checker, argument, Query::AiohttpUnlimited))
}
