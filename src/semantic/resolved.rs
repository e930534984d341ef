//! What a name, an attribute or a call refers to: a qualified path, or a value of a known
//! type. The vocabulary every other part of the semantic model speaks.

use ruff_python_ast::Expr;

/// What an expression refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A module, function, class or method, by qualified path (`sqlite3.connect`,
    /// `sqlite3.Connection.execute` for a method looked up on a value, `app.db.load_user`).
    Path(String),
    /// A value whose type is known (`sqlite3.Connection`, `app.models.Repo`).
    Instance(String),
}

impl Resolved {
    pub fn path(&self) -> Option<&str> {
        match self {
            Resolved::Path(path) => Some(path),
            Resolved::Instance(_) => None,
        }
    }

    /// A copy whose text has `room` bytes to spare, for what the caller appends to it.
    pub(super) fn copy_with_room(&self, room: usize) -> Resolved {
        let copy = |text: &str| {
            let mut copied = String::with_capacity(text.len() + room);
            copied.push_str(text);
            copied
        };
        match self {
            Resolved::Path(path) => Resolved::Path(copy(path)),
            Resolved::Instance(type_name) => Resolved::Instance(copy(type_name)),
        }
    }

    pub fn instance_type(&self) -> Option<&str> {
        match self {
            Resolved::Instance(type_name) => Some(type_name),
            Resolved::Path(_) => None,
        }
    }
}

/// `owner.member`: the path of a member of a module, class or value. Built by hand, not with
/// `format!`: paths are built for most names and calls of every module.
pub fn member_path(owner: &str, member: &str) -> String {
    let mut path = String::with_capacity(owner.len() + 1 + member.len());
    path.push_str(owner);
    path.push('.');
    path.push_str(member);
    path
}

/// The dotted text of a plain `a.b.c` expression, without resolving anything.
pub fn dotted_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str().to_owned()),
        Expr::Attribute(attribute) => {
            let mut owner = dotted_name(&attribute.value)?;
            owner.push('.');
            owner.push_str(attribute.attr.as_str());
            Some(owner)
        }
        _ => None,
    }
}
