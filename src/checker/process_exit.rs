//! Code that runs only on the way out of the process: a block that ends with `sys.exit(1)`,
//! `os._exit`, an `os.exec*` or `raise SystemExit`, and everything it runs before that.
//!
//! Why it matters: what such a block blocks on (a "press enter to exit" prompt, a session
//! file renamed before the program re-executes itself) stalls an event loop whose tasks are
//! about to end with the process anyway, when nothing between the call and the exit
//! suspends: no other task runs again. LW101, LW102 and LW105 leave a blocking call there
//! alone, and the summary keeps no blocking site for it (LW103). Separately, an entry
//! coroutine's `await` in a nested block that ends the process does not end the stretch in
//! which it runs alone (`checker::entry_coroutines`): what follows the block runs only when
//! the block did not.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{
    Node, Walk, blocks_of, first_suspension, has_async_comprehension, statement_holding,
    walk_body_shallow,
};
use crate::catalog;
use crate::semantic::SemanticModel;

/// Whether `stmt` ends the process: a call that does (`sys.exit(...)`, `exit()`,
/// `os._exit(1)`, `os.execv(...)`: [`catalog::ends_the_process`]) or `raise SystemExit`.
pub fn ends_the_process(model: &SemanticModel, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(expr) => matches!(&*expr.value, Expr::Call(call)
            if model.call_path(call).is_some_and(|path| catalog::ends_the_process(&path))),
        Stmt::Raise(raise) => raise.exc.as_deref().is_some_and(|exc| {
            let class = match exc {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            model
                .path_of(class)
                .is_some_and(|path| matches!(path.as_str(), "SystemExit" | "builtins.SystemExit"))
        }),
        _ => false,
    }
}

/// The blocks of statements that hold `range`, from `body` (a function's) inward, each with
/// the statement of it that holds `range`; none past a nested `def` or `class`, whose body
/// runs at another time.
fn blocks_holding(body: &[Stmt], range: TextRange) -> Vec<(&[Stmt], &Stmt)> {
    let mut blocks = Vec::new();
    let mut block = body;
    while let Some((_, stmt)) = statement_holding(block, range) {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            break;
        }
        blocks.push((block, stmt));
        match blocks_of(stmt)
            .into_iter()
            .find(|inner| statement_holding(inner, range).is_some())
        {
            Some(inner) => block = inner,
            None => break,
        }
    }
    blocks
}

/// Whether `range`, inside `body` (a function's), lies in a block nested in it that ends
/// the process (`if args.list: print(await fetch()); sys.exit(0)`): the code after that
/// block runs only when the block did not.
pub fn in_block_ending_the_process(model: &SemanticModel, body: &[Stmt], range: TextRange) -> bool {
    blocks_holding(body, range)
        .iter()
        .skip(1)
        .any(|(block, _)| {
            block
                .last()
                .is_some_and(|last| ends_the_process(model, last))
        })
}

/// Whether the call at `range`, inside `body` (a function's), runs on the way out of the
/// process: a block holding it (`body` itself included) ends the process, and nothing
/// between the call and that end suspends (no `await`, `async for` or `async with` after it
/// in the block, no loop around it in the block that suspends), so no other task runs
/// between the call and the exit.
pub fn runs_on_the_way_out(model: &SemanticModel, body: &[Stmt], range: TextRange) -> bool {
    let blocks = blocks_holding(body, range);
    let Some(exiting) = blocks.iter().position(|(block, _)| {
        block
            .last()
            .is_some_and(|last| ends_the_process(model, last))
    }) else {
        return false;
    };
    let (block, holding) = blocks[exiting];
    let from = block
        .iter()
        .position(|stmt| std::ptr::eq(stmt, holding))
        .unwrap_or(0);
    let mut suspends_after = false;
    walk_body_shallow(&block[from..], &mut |node| {
        let suspension = match node {
            // An `async with` around the call suspends again on its way out, an `async for`
            // before its next turn.
            Node::Stmt(
                stmt @ (Stmt::For(ast::StmtFor { is_async: true, .. })
                | Stmt::With(ast::StmtWith { is_async: true, .. })),
            ) => Some(if stmt.range().contains_range(range) {
                range.end()
            } else {
                stmt.start()
            }),
            Node::Expr(expr @ Expr::Await(_)) => Some(expr.start()),
            Node::Expr(expr) if has_async_comprehension(expr) => Some(expr.start()),
            // A loop around the call runs it again after a suspension anywhere in it.
            Node::Stmt(stmt @ (Stmt::For(_) | Stmt::While(_)))
                if stmt.range().contains_range(range)
                    && first_suspension(std::slice::from_ref(stmt), None).is_some() =>
            {
                Some(range.end())
            }
            _ => None,
        };
        if suspension.is_some_and(|at| at >= range.start()) {
            suspends_after = true;
            return Walk::Stop;
        }
        Walk::Descend
    });
    !suspends_after
}
