//! Whether a call is a blocking API, after the configuration (`blocking-calls`,
//! `async-safe-calls`) and the non-blocking forms. Asked once per call by the walk; the
//! answer feeds both the single-function rules (LW101, LW102, LW105) and the summary.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::Checker;
use crate::catalog::{self, Blocking, BlockingApi};

/// The blocking API `call` (to `path`) is, after the configuration (`blocking-calls`,
/// `async-safe-calls`) and the non-blocking forms: shared with the whole-project summary.
pub fn applicable_api(checker: &Checker, call: &ast::ExprCall, path: &str) -> Option<BlockingApi> {
    if checker
        .settings
        .async_safe_calls
        .iter()
        .any(|safe| safe == path)
    {
        return None;
    }
    let user_listed = checker
        .settings
        .blocking_calls
        .iter()
        .any(|listed| listed == path);
    let api = match catalog::blocking_api(path) {
        Some(api) => *api,
        None if user_listed => BlockingApi {
            category: Blocking::Io,
            alternative: None,
            non_blocking_flag: None,
            needs_file_argument: false,
            in_memory_prefix: None,
            buffer_argument: None,
        },
        None => return None,
    };
    if is_non_blocking_form(call, &api)
        || on_file_opened_here(checker, call, path)
        || (api.needs_file_argument && !first_argument_is_file(checker, call))
        || works_in_memory(checker, call, &api)
        || on_memory_buffer(checker, call, &api)
    {
        return None;
    }
    Some(api)
}

fn is_non_blocking_form(call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(flag) = api.non_blocking_flag else {
        return false;
    };
    let Some(value) = call
        .arguments
        .find_argument_value(flag.keyword, flag.position)
    else {
        return false;
    };
    if let Some(bit) = flag.option_bit {
        return has_option_bit(value, bit);
    }
    if flag.zero_timeout {
        return match value {
            Expr::NumberLiteral(number) => match &number.value {
                ast::Number::Int(int) => int.as_u8() == Some(0),
                ast::Number::Float(float) => *float == 0.0,
                ast::Number::Complex { .. } => false,
            },
            _ => false,
        };
    }
    matches!(value, Expr::BooleanLiteral(literal) if !literal.value)
}

/// Whether an options expression sets `bit`: `os.WNOHANG`, `WNOHANG`, or either or-ed with
/// other options.
fn has_option_bit(value: &Expr, bit: &str) -> bool {
    match value {
        Expr::BinOp(binary) if binary.op == ast::Operator::BitOr => {
            has_option_bit(&binary.left, bit) || has_option_bit(&binary.right, bit)
        }
        _ => crate::ast_query::last_identifier(value) == Some(bit),
    }
}

/// An archive opened on an in-memory buffer (`zipfile.ZipFile(io.BytesIO())`, a name bound to
/// one): no file is read or written.
fn on_memory_buffer(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(buffer) = api.buffer_argument else {
        return false;
    };
    let Some(argument) = call
        .arguments
        .find_argument_value(buffer.keyword, buffer.position)
    else {
        return false;
    };
    let built = match argument {
        Expr::Call(constructor) => checker.model.call_path(constructor),
        _ => checker.model.type_of(argument),
    };
    built.is_some_and(|path| catalog::MEMORY_BUFFERS.contains(&path.as_str()))
}

/// Whether the argument named by the API's `in_memory_prefix` is known to start with the
/// prefix: a string literal that does, or a name the function has already checked with
/// `if not name.startswith(prefix): raise` (or `return`) at the top of its body.
fn works_in_memory(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(rule) = api.in_memory_prefix else {
        return false;
    };
    let Some(argument) = call
        .arguments
        .find_argument_value(rule.keyword, rule.position)
    else {
        return false;
    };
    match argument {
        Expr::StringLiteral(literal) => literal.value.to_str().starts_with(rule.prefix),
        Expr::Name(name) => checker
            .current_body()
            .iter()
            .take_while(|stmt| stmt.range().end() <= call.range().start())
            .any(|stmt| rejects_without_prefix(stmt, name.id.as_str(), rule.prefix)),
        _ => false,
    }
}

/// `if not name.startswith(prefix): ... raise` (or `return`).
fn rejects_without_prefix(stmt: &ast::Stmt, name: &str, prefix: &str) -> bool {
    let ast::Stmt::If(if_stmt) = stmt else {
        return false;
    };
    let Expr::UnaryOp(not) = &*if_stmt.test else {
        return false;
    };
    let Expr::Call(test) = &*not.operand else {
        return false;
    };
    let checks_prefix = not.op == ast::UnaryOp::Not
        && matches!(&*test.func, Expr::Attribute(attribute)
            if attribute.attr.as_str() == "startswith"
                && matches!(&*attribute.value, Expr::Name(checked) if checked.id.as_str() == name))
        && matches!(test.arguments.args.as_ref(), [Expr::StringLiteral(literal)]
            if literal.value.to_str() == prefix);
    checks_prefix
        && matches!(
            if_stmt.body.last(),
            Some(ast::Stmt::Raise(_) | ast::Stmt::Return(_))
        )
        && if_stmt.elif_else_clauses.is_empty()
}

/// A method of a file object the current function opened: held in a local (`with open(p)
/// as f: f.read()`) or called on the opening call itself (`open(p).read()`). That `open` is
/// reported; one finding per use.
fn on_file_opened_here(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let Some((owner, _method)) = path.rsplit_once('.') else {
        return false;
    };
    catalog::is_file_type(owner)
        && matches!(&*call.func, Expr::Attribute(attribute) if match &*attribute.value {
            Expr::Name(name) => checker.model.is_local(name.id.as_str()),
            Expr::Call(_) => true,
            _ => false,
        })
}

fn first_argument_is_file(checker: &Checker, call: &ast::ExprCall) -> bool {
    // `json.dump(obj, fp)` takes the file second, `json.load(fp)` first.
    let file_argument = call
        .arguments
        .find_argument_value("fp", 0)
        .filter(|_| call.arguments.args.len() == 1 || call.arguments.find_keyword("fp").is_some())
        .or_else(|| call.arguments.find_argument_value("fp", 1))
        .or_else(|| call.arguments.find_argument_value("file", 1))
        .or_else(|| call.arguments.find_argument_value("file", 0));
    file_argument
        .and_then(|argument| checker.model.type_of(argument))
        .is_some_and(|type_name| catalog::is_file_type(&type_name))
}
