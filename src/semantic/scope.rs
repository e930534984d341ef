//! Function scopes: which names a function binds (they shadow imports) and what is known
//! of their values.

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::resolved::Resolved;

/// The names one function binds, each with what is known of its value (`None`: nothing).
/// Keyed by the tree's own [`Name`]s: a copy of one is a few bytes inline or a shared
/// reference, where a `String` key cost an allocation for every name of every function.
#[derive(Clone, Debug, Default)]
pub struct FunctionScope {
    pub is_async: bool,
    pub(super) bindings: HashMap<Name, Option<Resolved>>,
    /// In a method that `super()` can be called from (it has the parameter `super()` binds
    /// to): whether that is the instance (`true`) or, in a `@classmethod`, the class.
    pub(super) super_receiver: Option<bool>,
}

/// What `super()` stands for where it is called, found only then: the method's class (the
/// class body around the innermost function) and whether the method's receiver is an
/// instance. The first base of the class is what it stands for: an instance of it in an
/// instance method, the class itself in a `@classmethod`. A method the first base's line of
/// classes does not define resolves to nothing at the link, so a later base of several
/// (Python's method resolution order goes on to it) is missed rather than guessed.
pub struct SuperTarget<'s> {
    pub(super) class: &'s str,
    pub(super) instance: bool,
}

impl FunctionScope {
    pub fn binds(&self, name: &str) -> bool {
        self.bindings.contains_key(name)
    }
}

#[derive(Clone, Debug)]
pub enum Scope {
    /// An `async def` or `def` body.
    Function(FunctionScope),
    /// A `lambda`: its parameters shadow; it is sync context.
    Lambda(HashSet<Name>),
    /// A class body: its names are not visible to the methods inside it.
    Class { path: String },
}

#[derive(Clone, Debug, Default)]
pub struct ScopeStack {
    scopes: Vec<Scope>,
}

impl ScopeStack {
    pub fn push(&mut self, scope: Scope) {
        self.scopes.push(scope);
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    pub fn depth(&self) -> usize {
        self.scopes.len()
    }

    /// The innermost function or lambda: `Some(true)` in an `async def`, `Some(false)` in a
    /// `def` or `lambda`, `None` at module or class level.
    pub fn innermost_function_is_async(&self) -> Option<bool> {
        self.scopes.iter().rev().find_map(|scope| match scope {
            Scope::Function(function) => Some(function.is_async),
            Scope::Lambda(_) => Some(false),
            Scope::Class { .. } => None,
        })
    }

    /// Whether the innermost function-like scope is a `lambda`.
    pub fn innermost_is_lambda(&self) -> bool {
        self.innermost_callable()
            .is_some_and(|at| matches!(self.scopes[at], Scope::Lambda(_)))
    }

    /// Where the innermost function or lambda is on the stack: class bodies are looked
    /// through (the code of a method is its function's, not its class's).
    fn innermost_callable(&self) -> Option<usize> {
        self.scopes
            .iter()
            .rposition(|scope| !matches!(scope, Scope::Class { .. }))
    }

    /// Whether the innermost function (not a lambda) binds `name` itself.
    pub fn innermost_function_binds(&self, name: &str) -> bool {
        match self.innermost_callable().map(|at| &self.scopes[at]) {
            Some(Scope::Function(function)) => function.binds(name),
            _ => false,
        }
    }

    /// The class whose body the innermost scope is, if it is one.
    pub fn current_class(&self) -> Option<&str> {
        match self.scopes.last()? {
            Scope::Class { path } => Some(path),
            _ => None,
        }
    }

    /// What the innermost scope binding `name` knows of it. Class bodies are skipped unless
    /// the name is looked up directly in one (Python's rule for methods).
    pub fn lookup(&self, name: &str) -> Option<&Option<Resolved>> {
        for scope in self.scopes.iter().rev() {
            match scope {
                Scope::Function(function) => {
                    if let Some(binding) = function.bindings.get(name) {
                        return Some(binding);
                    }
                }
                Scope::Lambda(parameters) => {
                    if parameters.contains(name) {
                        return Some(&None);
                    }
                }
                // Class-level names are not visible inside methods; class bodies themselves
                // only hold definitions the rules do not resolve through.
                Scope::Class { .. } => {}
            }
        }
        None
    }

    /// What `super()` stands for where it is called: in the innermost function, when that is
    /// a method right inside a class body (a lambda or a nested `def` has no class of its own
    /// to start from).
    pub(super) fn super_target(&self) -> Option<SuperTarget<'_>> {
        let innermost = self.innermost_callable()?;
        let Scope::Function(function) = &self.scopes[innermost] else {
            return None;
        };
        let instance = function.super_receiver?;
        match self.scopes[..innermost].last()? {
            Scope::Class { path } if !path.is_empty() => Some(SuperTarget {
                class: path,
                instance,
            }),
            _ => None,
        }
    }

    pub(super) fn innermost_function_mut(&mut self) -> Option<&mut FunctionScope> {
        match self.scopes.last_mut()? {
            Scope::Function(function) => Some(function),
            _ => None,
        }
    }
}

/// How a function is entered: as a plain function, or as a method of a class (whose first
/// parameter is the instance, or the class for a `@classmethod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver<'a> {
    None,
    Instance(&'a str),
    Class(&'a str),
}
