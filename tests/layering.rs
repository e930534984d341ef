//! The source files form layers that point one way (see `docs/architecture.md`): a file
//! imports only from its own layer or the layers beneath it, and no two files import each
//! other, directly or through others. This test reads `src/`, resolves every `use` and
//! every path that names another file's module, and fails on an upward import or a cycle.
//!
//! `mod x;` declarations are not imports; a `pub use` re-export is. Test modules inside a
//! file (`#[cfg(test)]`) are left out: they may reach anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The layers, bottom first. A file's layer is the first segment of its module path.
const LAYERS: &[&[&str]] = &[
    &["source", "offsets", "ast_query", "encoding", "parse_arena"],
    &["notebook"],
    &["registry"],
    &["diagnostic", "message_text"],
    &["to_thread_fix"],
    &["noqa"],
    &["settings"],
    &["discovery"],
    &["catalog"],
    &["semantic"],
    &["project"],
    &["checker"],
    &["rules"],
    &["dispatch"],
    &["report"],
    &["analysis"],
    &["cache"],
    &["fix"],
    &["runtime_report"],
    &["output"],
    &["server"],
];

/// A source file, by the module path it defines (`project::facts`); the crate root is `[]`.
type Module = Vec<String>;

struct SourceFile {
    path: PathBuf,
    module: Module,
    /// The binary's files (`main.rs` and the modules it declares) form a crate of their own
    /// on top of the library.
    in_binary: bool,
}

fn source_files() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &src, &mut files);
    let binary_modules = declared_children(&src.join("main.rs"));
    for file in &mut files {
        let is_main = file.module == ["main"];
        let declared_by_main = file.module.len() == 1 && binary_modules.contains(&file.module[0]);
        if is_main || declared_by_main {
            file.in_binary = true;
            if is_main {
                file.module = Vec::new();
            }
        }
    }
    files
}

fn collect(src: &Path, dir: &Path, files: &mut Vec<SourceFile>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(src, &path, files);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("below src/");
        let mut module: Module = relative
            .with_extension("")
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module
            .last()
            .is_some_and(|last| last == "mod" || last == "lib")
        {
            module.pop();
        }
        files.push(SourceFile {
            path,
            module,
            in_binary: false,
        });
    }
}

/// The modules a file declares with `mod x;`.
fn declared_children(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).expect("a readable source file");
    let file = syn::parse_file(&text).expect("a source file that parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(module) if module.content.is_none() => Some(module.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Collects the module paths a file's code refers to.
struct References<'f> {
    /// The module the code being visited is in (the file's, plus inline modules).
    current: Module,
    children: &'f BTreeSet<String>,
    in_binary: bool,
    found: BTreeSet<Module>,
}

impl References<'_> {
    /// The absolute module path `segments` (as written in the code) starts with, if it
    /// names something of this crate.
    fn absolute(&self, segments: &[String]) -> Option<Module> {
        let first = segments.first()?;
        let mut base = match first.as_str() {
            "crate" if self.in_binary => return Some(vec!["<binary>".into()]),
            "crate" => Vec::new(),
            "loopwarden" if self.in_binary => Vec::new(),
            "self" => self.current.clone(),
            "super" => {
                let mut base = self.current.clone();
                base.pop();
                base
            }
            name if self.children.contains(name) && self.current.len() <= self.file_depth() => {
                let mut base = self.current.clone();
                base.push(name.to_string());
                return Some(
                    base.into_iter()
                        .chain(segments[1..].iter().cloned())
                        .collect(),
                );
            }
            _ => return None,
        };
        let mut rest = &segments[1..];
        while rest.first().is_some_and(|segment| segment == "super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn file_depth(&self) -> usize {
        self.current.len()
    }

    fn note(&mut self, segments: &[String]) {
        if let Some(absolute) = self.absolute(segments) {
            self.found.insert(absolute);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.note(prefix);
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.note(prefix);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.note(prefix),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

fn is_cfg_test(attributes: &[syn::Attribute]) -> bool {
    attributes.iter().any(|attribute| {
        attribute.path().is_ident("cfg")
            && attribute
                .parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

impl<'ast> Visit<'ast> for References<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if !is_cfg_test(&item.attrs) {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if is_cfg_test(&item.attrs) {
            return;
        }
        if let Some((_, items)) = &item.content {
            self.current.push(item.ident.to_string());
            for inner in items {
                self.visit_item(inner);
            }
            self.current.pop();
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        if segments.len() > 1 {
            self.note(&segments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// The file that defines `module` (or the item it names): the longest prefix that is a file.
fn defining_file(module: &Module, files: &BTreeMap<Module, usize>) -> Option<usize> {
    (0..=module.len())
        .rev()
        .find_map(|length| files.get(&module[..length].to_vec()).copied())
}

fn layer_of(module: &Module) -> Option<usize> {
    let first = module.first()?;
    LAYERS
        .iter()
        .position(|layer| layer.contains(&first.as_str()))
}

/// Every file → the files it imports.
fn import_graph(files: &[SourceFile]) -> Vec<BTreeSet<usize>> {
    let library: BTreeMap<Module, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| !file.in_binary)
        .map(|(index, file)| (file.module.clone(), index))
        .collect();
    let binary: BTreeMap<Module, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| file.in_binary)
        .map(|(index, file)| (file.module.clone(), index))
        .collect();
    files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let text = std::fs::read_to_string(&file.path).expect("a readable source file");
            let syntax = syn::parse_file(&text)
                .unwrap_or_else(|error| panic!("{} parses: {error}", file.path.display()));
            let children = declared_children(&file.path);
            let mut references = References {
                current: file.module.clone(),
                children: &children,
                in_binary: file.in_binary,
                found: BTreeSet::new(),
            };
            references.visit_file(&syntax);
            references
                .found
                .iter()
                .filter_map(|module| {
                    if file.in_binary && module.first().is_some_and(|m| m == "<binary>") {
                        return None;
                    }
                    let table = if file.in_binary && children.contains(&module[0]) {
                        &binary
                    } else {
                        &library
                    };
                    defining_file(module, table)
                })
                .filter(|&target| target != index)
                .collect()
        })
        .collect()
}

fn name(file: &SourceFile) -> String {
    file.path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(&file.path)
        .display()
        .to_string()
}

#[test]
fn every_library_file_has_a_layer() {
    let unplaced: Vec<String> = source_files()
        .iter()
        .filter(|file| !file.in_binary && !file.module.is_empty())
        .filter(|file| layer_of(&file.module).is_none())
        .map(name)
        .collect();
    assert!(
        unplaced.is_empty(),
        "files whose top-level module is in no layer of LAYERS: {unplaced:?}"
    );
}

#[test]
fn no_file_imports_from_a_higher_layer() {
    let files = source_files();
    let graph = import_graph(&files);
    let mut upward = Vec::new();
    for (index, imports) in graph.iter().enumerate() {
        let file = &files[index];
        if file.in_binary || file.module.is_empty() {
            continue;
        }
        let Some(own) = layer_of(&file.module) else {
            continue;
        };
        for &target in imports {
            let target_file = &files[target];
            if target_file.in_binary {
                continue;
            }
            match layer_of(&target_file.module) {
                Some(layer) if layer <= own => {}
                _ => upward.push(format!("{} -> {}", name(file), name(target_file))),
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn no_rule_file_imports_another_rule_file() {
    let files = source_files();
    let graph = import_graph(&files);
    let rule_of = |file: &SourceFile| -> Option<String> {
        (file.module.len() >= 2 && file.module[0] == "rules").then(|| file.module[1].clone())
    };
    let mut crossings = Vec::new();
    for (index, imports) in graph.iter().enumerate() {
        let Some(rule) = rule_of(&files[index]) else {
            continue;
        };
        for &target in imports {
            if let Some(other) = rule_of(&files[target])
                && other != rule
            {
                crossings.push(format!(
                    "{} -> {}",
                    name(&files[index]),
                    name(&files[target])
                ));
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "rule files importing other rules:\n{}",
        crossings.join("\n")
    );
}

#[test]
fn no_import_cycles() {
    let files = source_files();
    let graph = import_graph(&files);
    // Tarjan's strongly connected components: any component of two or more files is a cycle.
    let mut cycles = Vec::new();
    for component in strongly_connected(&graph) {
        if component.len() > 1 {
            let mut names: Vec<String> = component.iter().map(|&at| name(&files[at])).collect();
            names.sort();
            cycles.push(names.join(" <-> "));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    // The import graph must see real edges, or the tests above pass vacuously.
    let files = source_files();
    let graph = import_graph(&files);
    let index_of = |module: &str| {
        files
            .iter()
            .position(|file| !file.in_binary && file.module.join("::") == module)
            .unwrap_or_else(|| panic!("no file for {module}"))
    };
    let analysis = index_of("analysis");
    assert!(graph[analysis].contains(&index_of("dispatch")));
    assert!(graph[index_of("dispatch")].contains(&index_of("checker")));
    assert!(graph[index_of("diagnostic")].contains(&index_of("registry")));
}

fn strongly_connected(graph: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    struct State<'g> {
        graph: &'g [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        components: Vec<Vec<usize>>,
    }
    fn connect(state: &mut State, node: usize) {
        state.index[node] = Some(state.next);
        state.low[node] = state.next;
        state.next += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &next in state.graph[node].clone().iter() {
            match state.index[next] {
                None => {
                    connect(state, next);
                    state.low[node] = state.low[node].min(state.low[next]);
                }
                Some(index) if state.on_stack[next] => {
                    state.low[node] = state.low[node].min(index);
                }
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            state.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: vec![None; graph.len()],
        low: vec![0; graph.len()],
        on_stack: vec![false; graph.len()],
        stack: Vec::new(),
        next: 0,
        components: Vec::new(),
    };
    for node in 0..graph.len() {
        if state.index[node].is_none() {
            connect(&mut state, node);
        }
    }
    state.components
}
