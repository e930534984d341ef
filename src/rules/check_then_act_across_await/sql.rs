//! The SQL a store call executes, as far as the source shows it, and what it says: a write,
//! or a statement that settles a race itself (an upsert, a locking read).

use ruff_python_ast::{Expr, Operator};
use ruff_text_size::Ranged;

use crate::ast_query::last_identifier;
use crate::catalog;

use super::analysis::Analysis;

impl<'a> Analysis<'_, 'a, '_> {
    /// The SQL an argument holds, upper-cased: a string, `text("...")`, a SQLAlchemy
    /// `insert(...)`/`select(...)` chain (its root function name), or a local assigned one.
    pub(super) fn sql_of(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::StringLiteral(string) => Some(string.value.to_str().trim().to_ascii_uppercase()),
            Expr::FString(_) => {
                let text = self.checker.text(expr.range());
                let text = text
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '"' || c == '\'');
                Some(text.trim().to_ascii_uppercase())
            }
            Expr::BinOp(binop) if binop.op == Operator::Add => self.sql_of(&binop.left),
            Expr::Call(call) => {
                let whole = self.checker.text(call.range()).to_ascii_uppercase();
                let mut root = call;
                while let Expr::Attribute(attribute) = &*root.func {
                    let Expr::Call(inner) = &*attribute.value else {
                        break;
                    };
                    root = inner;
                }
                let name = last_identifier(&root.func)?;
                if name == "text" || name == "literal" {
                    let inner = root
                        .arguments
                        .args
                        .first()
                        .and_then(|inner| self.sql_of(inner))?;
                    return Some(format!("{inner} {whole}"));
                }
                Some(format!("{} {whole}", name.to_ascii_uppercase()))
            }
            // `sql = "INSERT ..."; await db.execute(sql)`: a local assigned once.
            Expr::Name(name) => match self.assignments().get(name.id.as_str())?.as_slice() {
                [Some(value)] if !matches!(value, Expr::Name(_)) => self.sql_of(value),
                _ => None,
            },
            _ => None,
        }
    }
}

pub(super) fn sql_is_write(sql: &str) -> bool {
    catalog::SQL_WRITE_KEYWORDS.contains(&first_word(sql))
}

/// SQL that reads rows: the query a plain function is handed when it reads a store.
pub(super) fn sql_is_select(sql: &str) -> bool {
    first_word(sql) == "SELECT"
}

/// SQL that adds rows: a unique constraint turns its race into an IntegrityError.
pub(super) fn sql_is_insert(sql: &str) -> bool {
    first_word(sql) == "INSERT"
}

/// SQL that changes or removes rows that exist (`UPDATE`, `DELETE`): it adds none, so a
/// check before it cannot let a duplicate in.
pub(super) fn sql_changes_existing_rows(sql: &str) -> bool {
    matches!(first_word(sql), "UPDATE" | "DELETE")
}

fn first_word(sql: &str) -> &str {
    sql.trim_start_matches(|c: char| !c.is_ascii_alphabetic())
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
}

pub(super) fn sql_is_race_safe(sql: &str) -> bool {
    catalog::SQL_RACE_SAFE_MARKERS
        .iter()
        .any(|marker| sql.contains(marker))
}
