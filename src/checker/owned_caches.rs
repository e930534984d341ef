//! Caches an object keeps in a container of its own and fills through its methods: a method
//! that answers whether a key is there (`def has_source(self, key): return key in
//! self.source`) and the methods that store into that container (`self.source[key] = css`).
//! At the link, a call behind `if not owner.has_source(key):` of a method of the same class
//! that stores into the container it asks about fills a cache on a miss, as `if key not in
//! CACHE: CACHE[key] = load(key)` does in one function: it runs once per key, so it does not
//! make its caller block (LW103).

use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt};
use thin_vec::ThinVec;

use crate::ast_query::{collect_assignments, receiver_attribute, receiver_name};
use crate::project::interned::Name;
use crate::project::summary::OwnedCache;

/// The caches `class` fills through its own methods: none unless a sync method of it answers
/// whether a key is in one of the receiver's containers; then, for each such method, the
/// sync methods that store an item into that container.
pub fn of_class(class: &ast::StmtClassDef) -> Vec<OwnedCache> {
    let methods = || {
        class.body.iter().filter_map(|stmt| match stmt {
            Stmt::FunctionDef(method) if !method.is_async => Some((method, receiver_name(method)?)),
            _ => None,
        })
    };
    let predicates: Vec<(&ast::StmtFunctionDef, &str)> = methods()
        .filter_map(|(method, receiver)| Some((method, membership_answered(method, receiver)?)))
        .collect();
    predicates
        .into_iter()
        .filter_map(|(predicate, container)| {
            let fillers: ThinVec<Name> = methods()
                .filter(|&(method, receiver)| stores_item_into(method, receiver, container))
                .map(|(method, _)| Name::new(method.name.as_str()))
                .collect();
            (!fillers.is_empty()).then(|| OwnedCache {
                class: class.name.as_str().into(),
                predicate: Name::new(predicate.name.as_str()),
                container: Name::new(container),
                fillers,
            })
        })
        .collect()
}

/// The attribute of `receiver` whose membership `method` answers: its body (after a
/// docstring) is `return <key> in receiver.<attribute>`.
fn membership_answered<'m>(method: &'m ast::StmtFunctionDef, receiver: &str) -> Option<&'m str> {
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
    receiver_attribute(container, receiver)
}

/// Whether `method` stores an item into `receiver.<container>` (`self.source[key] = css`).
fn stores_item_into(method: &ast::StmtFunctionDef, receiver: &str, container: &str) -> bool {
    let mut stores = false;
    collect_assignments(&method.body, &mut |target, _, _| {
        stores |= matches!(target, Expr::Subscript(subscript)
            if receiver_attribute(&subscript.value, receiver) == Some(container));
    });
    stores
}
