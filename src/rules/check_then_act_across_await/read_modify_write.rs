//! Shape 3, read-modify-write: a value read by an await (`balance = await get_balance(u)`),
//! changed in a way that builds on what was read, and written back through the matching
//! setter for the same key.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::ast_query::{any_expr, any_in_body, single_assignment};
use crate::catalog;

use super::analysis::Analysis;
use super::events::scan_after;
use super::model::{Race, RaceKind};

impl<'a> Analysis<'_, 'a, '_> {
    pub(super) fn read_modify_write(
        &self,
        stmt: &'a Stmt,
        rest: &'a [Stmt],
        races: &mut Vec<Race>,
    ) {
        let Some((target, value)) = single_assignment(stmt) else {
            return;
        };
        let Expr::Name(name) = target else { return };
        let Expr::Await(awaited) = value else {
            self.snapshot_written_back(name.id.as_str(), value, rest, races);
            return;
        };
        let Expr::Call(read) = &*awaited.value else {
            return;
        };
        let Some((read_receiver, read_noun)) = accessor(&read.func, catalog::RMW_READ_PREFIXES)
        else {
            return;
        };
        let mut derived: HashSet<&str> = HashSet::from_iter([name.id.as_str()]);
        let mut modified: HashSet<&str> = HashSet::default();
        let mut aliases: HashMap<&str, &str> = HashMap::default();
        // `seen`, the first await between the read and the write; without one, the read's
        // own await opens the window (the store answered there).
        scan_after(self, rest, |stmt, protected, seen| {
            // The write back.
            let mut write = None;
            any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                let Expr::Call(call) = expr else { return false };
                let Some((receiver, noun)) = accessor(&call.func, catalog::RMW_WRITE_PREFIXES)
                else {
                    return false;
                };
                let same_target = noun == read_noun
                    && match (receiver, read_receiver) {
                        (None, None) => true,
                        (Some(a), Some(b)) => ComparableExpr::from(a) == ComparableExpr::from(b),
                        _ => false,
                    };
                let same_key = match (read.arguments.args.first(), call.arguments.args.first()) {
                    (Some(a), Some(b)) => ComparableExpr::from(a) == ComparableExpr::from(b),
                    (None, _) => true,
                    _ => false,
                };
                let writes_modified = call
                    .arguments
                    .args
                    .iter()
                    .skip(usize::from(!read.arguments.args.is_empty()))
                    .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value))
                    .any(|argument| is_modified(argument, &derived, &modified));
                if same_target && same_key && writes_modified {
                    write = Some(call.range());
                    return true;
                }
                false
            });
            if let Some(write) = write {
                if !protected {
                    races.push(Race {
                        resource: false,
                        check: awaited.range(),
                        awaited: seen.unwrap_or(awaited.range()),
                        write,
                        kind: RaceKind::ReadModifyWrite,
                        inserts: false,
                        filled: None,
                        through: None,
                    });
                }
                return true;
            }
            track_modification(stmt, &mut derived, &mut modified, &mut aliases);
            false
        });
    }
}

/// `get_balance` → (None, "balance"); `repo.get_balance` → (Some(repo), "balance");
/// `cache.get` → (Some(cache), "").
fn accessor<'e>(func: &'e Expr, verbs: &[&str]) -> Option<(Option<&'e Expr>, &'e str)> {
    let (receiver, name) = match func {
        Expr::Name(name) => (None, name.id.as_str()),
        Expr::Attribute(attribute) => (Some(&*attribute.value), attribute.attr.as_str()),
        _ => return None,
    };
    let name = name.trim_start_matches('_');
    for verb in verbs {
        if name == *verb {
            // A bare `get`/`set` pairs only on the same receiver.
            return receiver.map(|receiver| (Some(receiver), ""));
        }
        if let Some(noun) = name
            .strip_prefix(verb)
            .and_then(|rest| rest.strip_prefix('_'))
            && !noun.is_empty()
        {
            return Some((receiver, noun));
        }
    }
    None
}

/// An argument computed from the value read: `balance - amount`, a name assigned such a
/// value, or the read value after it was changed in place.
pub(super) fn is_modified(
    argument: &Expr,
    derived: &HashSet<&str>,
    modified: &HashSet<&str>,
) -> bool {
    use ruff_python_ast::visitor::{Visitor, walk_expr};

    // One walk: a derived name under an arithmetic operator, or a modified name anywhere.
    struct Finder<'s, 'n> {
        derived: &'s HashSet<&'n str>,
        modified: &'s HashSet<&'n str>,
        in_arithmetic: usize,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    self.found = self.modified.contains(name)
                        || (self.in_arithmetic > 0 && self.derived.contains(name));
                }
                Expr::BinOp(_) => {
                    self.in_arithmetic += 1;
                    walk_expr(self, expr);
                    self.in_arithmetic -= 1;
                }
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder {
        derived,
        modified,
        in_arithmetic: 0,
        found: false,
    };
    finder.visit_expr(argument);
    finder.found
}

/// Follows how the value read changes before it is written back, counting only changes that
/// build on what was read: `new = balance - x`, `balance -= x`, `items.append(v)` (also through
/// `section = config["s"]`), `data["n"] = data["n"] + 1`. Setting a part to an independent value
/// (`config["flag"] = True`) is not counted: whether that loses a concurrent update depends on
/// whether the store writes the whole document or only the keys that changed. A name rebound
/// to a value that does not build on the read, or to what an await returns (another service's
/// answer, even to a question that passed the read value), no longer holds it.
pub(super) fn track_modification<'a>(
    stmt: &'a Stmt,
    derived: &mut HashSet<&'a str>,
    modified: &mut HashSet<&'a str>,
    aliases: &mut HashMap<&'a str, &'a str>,
) {
    // The read value a target or receiver is part of: `config` for `config["a"]["b"]`, and
    // for `section` when `section = config["a"]`.
    fn root_of<'e>(expr: &'e Expr, aliases: &HashMap<&'e str, &'e str>) -> Option<&'e str> {
        let mut expr = expr;
        loop {
            match expr {
                Expr::Subscript(subscript) => expr = &subscript.value,
                Expr::Attribute(attribute) => expr = &attribute.value,
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    return Some(aliases.get(name).copied().unwrap_or(name));
                }
                _ => return None,
            }
        }
    }
    let uses_derived = |expr: &Expr, derived: &HashSet<&str>| {
        any_expr(
            expr,
            &mut |inner: &Expr| matches!(inner, Expr::Name(name) if derived.contains(name.id.as_str())),
        )
    };
    match stmt {
        Stmt::AugAssign(assign) => {
            if let Some(root) = root_of(&assign.target, aliases)
                && derived.contains(root)
            {
                modified.insert(root);
            }
        }
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                match target {
                    Expr::Name(name) => {
                        let name = name.id.as_str();
                        if matches!(&*assign.value, Expr::Await(_)) {
                            // Another service's answer (`data = await api.sync(since=token)`):
                            // new information, not the read value changed.
                            derived.remove(name);
                            modified.remove(name);
                            aliases.remove(name);
                        } else if is_modified(&assign.value, derived, modified) {
                            derived.insert(name);
                            modified.insert(name);
                        } else if matches!(&*assign.value, Expr::Subscript(_) | Expr::Attribute(_))
                            && let Some(root) = root_of(&assign.value, aliases)
                            && derived.contains(root)
                        {
                            // `section = config["s"]`: changes to `section` change `config`.
                            derived.insert(name);
                            aliases.insert(name, root);
                        } else if uses_derived(&assign.value, derived) {
                            derived.insert(name);
                        } else {
                            // Rebound to something else (`token = response["next"]`): what
                            // it held before is no longer what is written.
                            derived.remove(name);
                            modified.remove(name);
                            aliases.remove(name);
                        }
                    }
                    Expr::Subscript(_) | Expr::Attribute(_) => {
                        if let Some(root) = root_of(target, aliases)
                            && derived.contains(root)
                            && uses_derived(&assign.value, derived)
                        {
                            modified.insert(root);
                        }
                    }
                    _ => {}
                }
            }
        }
        Stmt::Expr(expr) => {
            if let Expr::Call(call) = &*expr.value
                && let Expr::Attribute(attribute) = &*call.func
                && let Some(root) = root_of(&attribute.value, aliases)
                && derived.contains(root)
            {
                let method = attribute.attr.as_str();
                // A collection edit keeps what was read and adds to it; `update`/`setdefault`
                // count when what they store is built from the read value.
                let dict_key_removal = method == "pop" && call.arguments.args.len() == 2;
                let edits = (catalog::COLLECTION_EDITS.contains(&method) && !dict_key_removal)
                    || (matches!(method, "update" | "setdefault")
                        && call
                            .arguments
                            .args
                            .iter()
                            .any(|argument| uses_derived(argument, derived)));
                if edits {
                    modified.insert(root);
                }
            }
        }
        _ => {}
    }
}
