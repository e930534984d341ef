//! Caches an object keeps in a container of its own and fills through its methods: a method
//! that answers whether a key is there (`def has_source(self, key): return key in
//! self.source`) and the methods that store into that container (`self.source[key] = css`).
//! At the link, a call behind `if not owner.has_source(key):` of a method of the same class
//! that stores into the container it asks about fills a cache on a miss, as `if key not in
//! CACHE: CACHE[key] = load(key)` does in one function: it runs once per key, so it does not
//! make its caller block (LW103).

use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt};

use crate::project::interned::Name;

/// The attribute of `receiver` whose membership `method` answers: its body (after a
/// docstring) is `return <key> in receiver.<attribute>`.
pub fn membership_answered(method: &ast::StmtFunctionDef, receiver: &str) -> Option<Name> {
    let body = match method.body.as_slice() {
        [Stmt::Expr(docstring), rest @ ..] if docstring.value.is_string_literal_expr() => rest,
        body => body,
    };
    let [
        Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }),
    ] = body
    else {
        return None;
    };
    let Expr::Compare(compare) = &**value else {
        return None;
    };
    let ([CmpOp::In], [container]) = (&*compare.ops, &*compare.comparators) else {
        return None;
    };
    receiver_attribute(container, receiver).map(Name::new)
}

/// The attribute of `receiver` that `target` stores an item into (`receiver.<attribute>[key]`
/// as an assignment's target).
pub fn item_store_attribute<'e>(target: &'e Expr, receiver: &str) -> Option<&'e str> {
    let Expr::Subscript(subscript) = target else {
        return None;
    };
    receiver_attribute(&subscript.value, receiver)
}

/// `attribute` of `receiver.attribute`.
fn receiver_attribute<'e>(expr: &'e Expr, receiver: &str) -> Option<&'e str> {
    let Expr::Attribute(attribute) = expr else {
        return None;
    };
    matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == receiver)
        .then(|| attribute.attr.as_str())
}
