//! The attribute names a module reads anywhere (`x.name`, or the string `"name"`, as
//! `getattr(self, "name")` spells it), collected once per module on the first question:
//! is a private attribute a call's result is stored in ever read?

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};

/// The attribute names a module reads, borrowed from the tree, which outlives the module's
/// walk, rather than copied.
pub struct AttributesRead<'a> {
    names: rustc_hash::FxHashSet<&'a str>,
    /// `vars(self)`, `self.__dict__`: attributes read by no name.
    everything: bool,
}

impl<'a> AttributesRead<'a> {
    pub fn collect(body: &'a [Stmt]) -> Self {
        let mut collector = Collector(AttributesRead {
            names: rustc_hash::FxHashSet::default(),
            everything: false,
        });
        collector.visit_body(body);
        collector.0
    }

    /// Whether the module may read the attribute `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.everything || self.names.contains(name)
    }
}

struct Collector<'a>(AttributesRead<'a>);

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Attribute(attribute) if !attribute.ctx.is_store() => {
                if attribute.attr.as_str() == "__dict__" {
                    self.0.everything = true;
                }
                self.0.names.insert(attribute.attr.as_str());
            }
            Expr::StringLiteral(string) => {
                self.0.names.insert(string.value.to_str());
            }
            Expr::Name(name) if name.id.as_str() == "vars" => self.0.everything = true,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
