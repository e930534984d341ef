//! `loop.sock_connect(sock, address)` on a datagram (UDP) socket only records the peer and
//! returns at once: no network wait. The socket is usually made in another module (a
//! connection-state class's `self.socket = socket.socket(AF_INET, SOCK_DGRAM)`), so each
//! module records the class attributes it assigns datagram sockets to, and the finding names
//! the attribute its socket comes from; the project pass (`callers.rs`) matches the two.

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::ast_query::self_attribute_assignments;
use crate::catalog;
use crate::checker::Checker;
use crate::checker::blocking::is_datagram_socket;

/// The class attribute (`app.voice.VoiceState.socket`) the socket of a `loop.sock_connect`
/// call comes from, when its owner's type is known.
pub(super) fn socket_attribute(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    let path = checker.model.call_path(call)?;
    if !catalog::SOCKET_CONNECTS.contains(&path.as_str()) {
        return None;
    }
    let Expr::Attribute(attribute) = call.arguments.find_argument_value("sock", 0)? else {
        return None;
    };
    let owner = checker.model.type_of(&attribute.value)?;
    Some(format!("{owner}.{}", attribute.attr))
}

/// Records, in the module's summary, every `self.<attr> = socket.socket(..., SOCK_DGRAM)`
/// in a method of a module-level class.
pub(super) fn record(checker: &mut Checker) {
    if !checker.source_mentions("SOCK_DGRAM") {
        return;
    }
    let mut found = Vec::new();
    for stmt in &checker.module().body {
        let Stmt::ClassDef(class) = stmt else {
            continue;
        };
        let class_path = checker.model.module.qualify(class.name.as_str());
        self_attribute_assignments(class, &mut |_, attribute, value, index| {
            if index.is_none() && value.is_some_and(|value| is_datagram_socket(checker, value)) {
                found.push(format!("{class_path}.{}", attribute.attr));
            }
        });
    }
    for attribute in found {
        checker.summary.note_datagram_socket(attribute);
    }
}
