//! The rules' documentation names exactly the libraries the catalog holds, so neither can
//! drift from the other. The first paragraph of a rule's "What it does" section is its list:
//! - LW101, LW102, LW105 name every library with a call of their blocking category
//!   (`catalog::libraries_for`), no other library, and only APIs the catalog has in that
//!   category;
//! - LW302 names the libraries with coroutine APIs, LW501 those with awaited network
//!   operations.
//!
//! A code span names a library when the library's name is the span or a dotted prefix of it
//! (`os.*`, `pathlib.Path`); a bare name of a catalogued builtin (`open`, `input()`) names
//! `builtins`.

use std::collections::BTreeSet;

use loopwarden::catalog::{self, Api, Blocking, Library};
use loopwarden::registry::Rule;

/// The first paragraph of the rule's "What it does" section.
fn what_it_does(rule: Rule) -> String {
    let docs = loopwarden::rules::docs(rule);
    let section = docs
        .split_once("## What it does\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("{} has no `## What it does`", rule.code()));
    section
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths the code spans of `text` name: `os.*` names `os`, `bcrypt.hashpw/checkpw` names
/// `bcrypt.hashpw`, `input()` names `input`, `passlib.hash.<scheme>.hash` names
/// `passlib.hash.*.hash`. Spans with a space are code, not names (`async def`).
fn named_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| !span.contains(char::is_whitespace))
        .map(|span| {
            let name = span.split(['/', '(']).next().unwrap_or(span);
            let name = name.strip_suffix(".*").unwrap_or(name);
            name.split('.')
                .map(|segment| {
                    if segment.starts_with('<') {
                        "*"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

fn is_under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Every catalogued call of a library, as a path with its facts: functions, calling a class
/// by each of its names, `Class.method`, `Class.*` for its other methods, and
/// `module.*.method` for a class family.
fn calls(library: &Library) -> Vec<(String, Api)> {
    let mut calls: Vec<(String, Api)> = library
        .functions
        .iter()
        .map(|api| (api.name.to_string(), *api))
        .collect();
    for class in library.classes {
        for name in std::iter::once(&class.path).chain(class.aliases) {
            let mut constructor = Api::new(name);
            constructor.blocking = class.constructor_blocking;
            calls.push((name.to_string(), constructor));
        }
        for method in class.methods {
            calls.push((format!("{}.{}", class.path, method.name), *method));
        }
        if let Some(blocking) = class.other_methods {
            calls.push((format!("{}.*", class.path), Api::new("*").blocks(blocking)));
        }
    }
    for family in library.class_families {
        for method in family.methods {
            calls.push((format!("{}.*.{}", family.module, method.name), *method));
        }
    }
    calls
}

/// The library a named path belongs to.
fn library_named(path: &str) -> Option<&'static Library> {
    let builtin = format!("builtins.{path}");
    catalog::libraries()
        .filter(|library| is_under(path, library.name))
        .max_by_key(|library| library.name.len())
        .or_else(|| {
            catalog::libraries().find(|library| {
                library.name == "builtins"
                    && calls(library).iter().any(|(call, _)| *call == builtin)
            })
        })
}

/// Checks that `rule`'s list names exactly the `expected` libraries; with `strict`, also that
/// every name in it is a catalogued API (or a member of one) with a fact that `strict` accepts.
fn check(rule: Rule, expected: BTreeSet<&'static str>, strict: Option<&dyn Fn(&Api) -> bool>) {
    let text = what_it_does(rule);
    let mut named = BTreeSet::new();
    let mut unknown = Vec::new();
    for path in named_paths(&text) {
        let library = library_named(&path);
        if let Some(library) = library {
            named.insert(library.name);
        }
        let Some(has_fact) = strict else { continue };
        let every_call = catalog::libraries().flat_map(calls);
        let known = library.is_some_and(|library| library.name == path)
            || every_call
                .filter(|(_, api)| has_fact(api))
                .any(|(call, _)| is_under(&call, &path) || call.ends_with(&format!(".{path}")));
        if !known {
            unknown.push(path);
        }
    }
    let missing: Vec<_> = expected.difference(&named).collect();
    let extra: Vec<_> = named.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && unknown.is_empty(),
        "{code}'s \"What it does\" list is out of step with the catalog:\n\
         catalogued but not named: {missing:?}\n\
         named but not catalogued for this rule: {extra:?}\n\
         names the catalog does not know for this rule: {unknown:?}\n\
         Name the libraries in the first paragraph of {code}'s DOCS (and regenerate \
         docs/rules.md: LOOPWARDEN_UPDATE_DOCS=1 cargo test --test integration docs::), or fix the catalog.",
        code = rule.code()
    );
}

fn libraries_with(fact: impl Fn(&Api) -> bool) -> BTreeSet<&'static str> {
    catalog::libraries()
        .filter(|library| calls(library).iter().any(|(_, api)| fact(api)))
        .map(|library| library.name)
        .collect()
}

#[test]
fn blocking_rules_name_the_libraries_of_their_category() {
    for (rule, category) in [
        (Rule::BlockingIoInAsync, Blocking::Io),
        (Rule::BlockingCpuInAsync, Blocking::Cpu),
        (Rule::BlockingFsMetadataInAsync, Blocking::FsMetadata),
    ] {
        let expected = catalog::libraries_for(category).into_iter().collect();
        let in_category = |api: &Api| {
            api.blocking
                .is_some_and(|blocking| blocking.category == category)
        };
        check(rule, expected, Some(&in_category));
    }
}

#[test]
fn unawaited_coroutine_names_the_libraries_with_coroutine_apis() {
    check(
        Rule::UnawaitedCoroutine,
        libraries_with(|api| api.coroutine),
        None,
    );
}

#[test]
fn network_timeout_rule_names_the_libraries_with_network_awaits() {
    check(
        Rule::NetworkAwaitWithoutTimeout,
        libraries_with(|api| api.network.is_some()),
        None,
    );
}

#[test]
fn named_paths_read_the_docs_shorthands() {
    assert_eq!(
        named_paths(
            "`async def` `os.*` `bcrypt.hashpw/checkpw` `input()` `passlib.hash.<scheme>.hash/verify`"
        ),
        ["os", "bcrypt.hashpw", "input", "passlib.hash.*.hash"]
    );
}
