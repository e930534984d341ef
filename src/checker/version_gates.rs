//! Branches on `sys.version_info` that cannot run on the project's target version: with
//! `target-version = py39`, the `else` of `if sys.version_info >= (3, 7):` is code for
//! Python 3.6 and older. The walk skips such branches, as Ruff's UP036 calls them outdated:
//! a finding there describes behaviour the supported Pythons never show.

use ruff_python_ast::{self as ast, CmpOp, Expr};
use ruff_text_size::Ranged;

use super::Checker;

/// Whether `test` is always true (`Some(true)`) or always false (`Some(false)`) on every
/// Python the project supports (its target version and newer); `None` when it depends.
/// Understood: `sys.version_info` (or `sys.version_info[:n]`) compared with a tuple of
/// integer literals by `<`, `<=`, `>`, `>=`.
pub fn version_test_outcome(checker: &Checker, test: &Expr) -> Option<bool> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    let ([op], [right]) = (compare.ops.as_ref(), compare.comparators.as_ref()) else {
        return None;
    };
    let (subject, sliced) = match &*compare.left {
        Expr::Subscript(subscript) => (&*subscript.value, true),
        other => (other, false),
    };
    // The tuple first: it needs no name resolved, and most comparisons are not with one.
    let bound = int_tuple(right)?;
    if checker.model.path_of(subject).as_deref() != Some("sys.version_info") {
        return None;
    }
    let target = [
        u64::from(checker.settings.target_version.major),
        u64::from(checker.settings.target_version.minor),
    ];
    // Every supported version is at least (major, minor, 0, ...). Compared with a bound of
    // at most two numbers, `version >= bound` holds for all of them once the target is.
    // A sliced `version_info[:2]` equals (major, minor) exactly, so `>` needs the target
    // strictly above the bound there.
    let above = target.as_slice() > bound.as_slice();
    let at_least = above || (bound.len() <= 2 && target.as_slice() >= bound.as_slice());
    match op {
        CmpOp::GtE if at_least => Some(true),
        CmpOp::Lt if at_least => Some(false),
        CmpOp::Gt if (!sliced && at_least) || above => Some(true),
        CmpOp::LtE if (!sliced && at_least) || above => Some(false),
        _ => None,
    }
}

/// Whether the code at `range` sits in a branch only Pythons older than `version` run: the
/// body of `if sys.version_info < (3, 12):` (or `<=` a lower bound), or the `else` of `if
/// sys.version_info >= (3, 12):`, for `version` (3, 12).
pub fn runs_only_before(
    checker: &Checker,
    range: ruff_text_size::TextRange,
    version: [u64; 2],
) -> bool {
    let older = |test: &Expr| only_older_test(checker, test, version);
    checker.statement_ancestors().iter().any(|stmt| {
        let ast::Stmt::If(if_stmt) = stmt else {
            return false;
        };
        if crate::ast_query::body_holds(&if_stmt.body, range) {
            return older(&if_stmt.test);
        }
        let Some(clause) = if_stmt
            .elif_else_clauses
            .iter()
            .find(|clause| clause.range().contains_range(range))
        else {
            return false;
        };
        match &clause.test {
            // `elif sys.version_info < (3, 12):` gates its own clause.
            Some(test) => older(test),
            // The `else` of `if sys.version_info >= (3, 12):`, with no `elif` between.
            None => {
                // It runs on the Pythons before the bound, so only before `version` when
                // the bound is no later.
                if_stmt.elif_else_clauses.len() == 1
                    && version_comparison(checker, &if_stmt.test).is_some_and(|(op, bound)| {
                        op == CmpOp::GtE && bound.as_slice() <= version.as_slice()
                    })
            }
        }
    })
}

/// Whether `test` holds only for Pythons older than `version`: `sys.version_info < (3, 10)`,
/// its minor number alone (`sys.version_info.minor < 10`, `sys.version_info[1] < 10`, for
/// Python 3), or such a test joined to others by `and`.
fn only_older_test(checker: &Checker, test: &Expr, version: [u64; 2]) -> bool {
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => bool_op
            .values
            .iter()
            .any(|value| only_older_test(checker, value, version)),
        _ => {
            version_comparison(checker, test)
                .is_some_and(|(op, bound)| only_older(op, &bound, version))
                || minor_comparison(checker, test)
                    .is_some_and(|(op, minor)| only_older(op, &[3, minor], version))
        }
    }
}

/// `sys.version_info.minor <op> n` or `sys.version_info[1] <op> n`: the operator and `n`.
fn minor_comparison(checker: &Checker, test: &Expr) -> Option<(CmpOp, u64)> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    let ([op], [Expr::NumberLiteral(number)]) =
        (compare.ops.as_ref(), compare.comparators.as_ref())
    else {
        return None;
    };
    let ast::Number::Int(minor) = &number.value else {
        return None;
    };
    let subject = match &*compare.left {
        Expr::Attribute(attribute) if attribute.attr.as_str() == "minor" => &*attribute.value,
        Expr::Subscript(subscript)
            if matches!(&*subscript.slice, Expr::NumberLiteral(index)
                if matches!(&index.value, ast::Number::Int(index) if index.as_u64() == Some(1))) =>
        {
            &*subscript.value
        }
        _ => return None,
    };
    (checker.model.path_of(subject).as_deref() == Some("sys.version_info"))
        .then_some((*op, minor.as_u64()?))
}

/// Whether `sys.version_info <op> bound` holds only for Pythons older than `version`.
fn only_older(op: CmpOp, bound: &[u64], version: [u64; 2]) -> bool {
    match op {
        CmpOp::Lt => bound <= version.as_slice(),
        CmpOp::LtE => bound < version.as_slice(),
        _ => false,
    }
}

/// `sys.version_info <op> (a, b, ...)`: the operator and the bound.
fn version_comparison(checker: &Checker, test: &Expr) -> Option<(CmpOp, Vec<u64>)> {
    let Expr::Compare(compare) = test else {
        return None;
    };
    let ([op], [right]) = (compare.ops.as_ref(), compare.comparators.as_ref()) else {
        return None;
    };
    let subject = match &*compare.left {
        Expr::Subscript(subscript) => &*subscript.value,
        other => other,
    };
    let mut bound = int_tuple(right)?;
    // `(3, 12, 0)` is `(3, 12)`: every 3.12 is at least 3.12.0.
    while bound.len() > 2 && bound.last() == Some(&0) {
        bound.pop();
    }
    (checker.model.path_of(subject).as_deref() == Some("sys.version_info")).then_some((*op, bound))
}

/// `(3, 7)`, `(3,)`: a tuple of small integer literals.
fn int_tuple(expr: &Expr) -> Option<Vec<u64>> {
    let Expr::Tuple(tuple) = expr else {
        return None;
    };
    tuple
        .elts
        .iter()
        .map(|element| match element {
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Int(value),
                ..
            }) => value.as_u64(),
            _ => None,
        })
        .collect()
}
