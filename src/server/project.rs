//! One project as the server keeps it: every file analysed once, its findings and summary
//! held in memory; a change re-analyses the changed file alone and re-links the summaries,
//! unless what the link reads of the file did not change (the cache's test,
//! [`crate::cache::link_input`], in memory) or changed only in its offsets (the findings
//! are then moved with the code: [`crate::cache::moved_with`]).
//!
//! The project is the one `check --stdin-filename` checks a buffer in: the directory of
//! the configuration file, else the top of the buffer's package tree
//! ([`crate::analysis::project_root`]). Paths are shown relative to that root, as a
//! `loopwarden check .` run there shows them.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{self, FileAnalysis, HeldText, ProjectRoots, analyse_file, analyse_source};
use crate::cache;
use crate::diagnostic::Diagnostic;
use crate::discovery::module_name::{ModuleName, ModuleNamer};
use crate::discovery::{self, SourcePath};
use crate::report::FileFindings;
use crate::settings::Settings;

pub struct ProjectState {
    pub root: PathBuf,
    pub settings: Settings,
    /// Every file of the project, sorted by display path (the order findings are linked in).
    files: Vec<FileAnalysis>,
    /// The module name of each file, in the same order.
    modules: Vec<ModuleName>,
    namer: ModuleNamer,
    roots: ProjectRoots,
    /// The whole-project rules' findings per file, from the last link.
    project_findings: Vec<Vec<Diagnostic>>,
    /// The hashes of the callee paths the last link did nothing with
    /// ([`cache::project_findings`]).
    inert: Vec<u64>,
    /// A file's summary or line index changed, or a file came or went, since the last link.
    stale: bool,
}

impl ProjectState {
    /// Discovers and analyses every file below `root` (in parallel when called on a pool).
    pub fn load(root: PathBuf, mut settings: Settings) -> Self {
        // Without a configuration file, patterns and test directories are read below the
        // project root rather than the directory the editor started the server in.
        if settings.project_root.is_none() {
            settings.project_root = Some(root.clone());
        }
        let discovered = discovery::discover(std::slice::from_ref(&root), &settings);
        let mut sources: Vec<SourcePath> = discovered
            .files
            .into_iter()
            .map(|file| SourcePath {
                display: display_below(&root, &file.path),
                path: file.path,
                seen_regular: file.seen_regular,
            })
            .collect();
        sources.sort_by(|a, b| a.display.cmp(&b.display));
        let mut namer = ModuleNamer::for_files(sources.iter().map(|file| file.path.as_path()));
        let modules: Vec<ModuleName> = sources
            .iter()
            .map(|file| namer.name(&file.path, &file.display))
            .collect();
        let roots = ProjectRoots::of(&modules);
        let files: Vec<FileAnalysis> = sources
            .par_iter()
            .zip(modules.par_iter())
            .map(|(file, module)| released(analyse_file(file, module, Some(&roots), &settings)))
            .collect();
        let project_findings = vec![Vec::new(); files.len()];
        let mut project = Self {
            root,
            settings,
            files,
            modules,
            namer,
            roots,
            project_findings,
            inert: Vec::new(),
            stale: true,
        };
        project.relink();
        project
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Whether `path` (absolute) lies inside the project's directory.
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// Whether the file at `path` is part of the project.
    pub fn has(&self, path: &Path) -> bool {
        self.index_of(path).is_some()
    }

    fn index_of(&self, path: &Path) -> Option<usize> {
        let display = display_below(&self.root, path);
        self.files
            .binary_search_by(|file| file.display_path.as_str().cmp(&display))
            .ok()
    }

    /// Analyses `text` as the file at `path` (absolute), which joins the project if it is
    /// not part of it yet (a new file, or one the walk excludes, as `--stdin-filename`
    /// does). The project must be re-linked before its findings are read again.
    pub fn set_text(&mut self, path: &Path, text: String) {
        let at = match self.index_of(path) {
            Some(at) => at,
            None => self.insert(path),
        };
        let file = SourcePath {
            path: path.to_path_buf(),
            display: self.files[at].display_path.clone(),
            seen_regular: false,
        };
        let analysis = analyse_source(
            &file,
            text,
            &self.modules[at],
            Some(&self.roots),
            &self.settings,
        );
        self.replace(at, analysis);
    }

    /// Puts `analysis` in place of file `at`; the link goes stale if it reads something
    /// else of it, unless its findings can be moved with the code (only offsets changed:
    /// a line typed above the calls does not link the project again).
    fn replace(&mut self, at: usize, analysis: FileAnalysis) {
        let before = cache::link_input(&self.files[at]);
        let after = cache::link_input(&analysis);
        if before.is_none() || before != after {
            let moved = (!self.stale)
                .then(|| {
                    cache::moved_with(
                        &self.project_findings,
                        at,
                        &self.files[at],
                        &analysis,
                        &self.inert,
                    )
                })
                .flatten();
            match moved {
                Some(moved) => self.project_findings = moved,
                None => self.stale = true,
            }
        }
        self.files[at] = released(analysis);
    }

    /// Reads the file at `path` again from disk (a closed buffer, a file changed by another
    /// program); a file that is gone leaves the project.
    pub fn reload(&mut self, path: &Path) {
        if !path.is_file() {
            self.remove(path);
            return;
        }
        let at = match self.index_of(path) {
            Some(at) => at,
            None => self.insert(path),
        };
        let file = SourcePath {
            path: path.to_path_buf(),
            display: self.files[at].display_path.clone(),
            seen_regular: false,
        };
        let analysis = analyse_file(&file, &self.modules[at], Some(&self.roots), &self.settings);
        self.replace(at, analysis);
    }

    pub fn remove(&mut self, path: &Path) {
        if let Some(at) = self.index_of(path) {
            self.files.remove(at);
            self.modules.remove(at);
            self.project_findings.remove(at);
            self.roots = ProjectRoots::of(&self.modules);
            self.stale = true;
        }
    }

    /// The files a walk of the project finds now, for a file created or deleted on disk.
    pub fn rediscover(&mut self) {
        let discovered = discovery::discover(std::slice::from_ref(&self.root), &self.settings);
        let found: std::collections::BTreeSet<String> = discovered
            .files
            .iter()
            .map(|file| display_below(&self.root, &file.path))
            .collect();
        let gone: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|file| !found.contains(&file.display_path) && !file.path.is_file())
            .map(|file| file.path.clone())
            .collect();
        for path in gone {
            self.remove(&path);
        }
        for file in discovered.files {
            if self.index_of(&file.path).is_none() {
                self.reload(&file.path);
            }
        }
    }

    /// Adds an empty entry for `path` at its place in display order; returns its index.
    fn insert(&mut self, path: &Path) -> usize {
        let display = display_below(&self.root, path);
        let at = self
            .files
            .partition_point(|file| file.display_path < display);
        let file = SourcePath {
            path: path.to_path_buf(),
            display,
            seen_regular: false,
        };
        let module = self.namer.name(&file.path, &file.display);
        // A placeholder until the caller analyses the file's text.
        let placeholder = analyse_source(&file, String::new(), &module, None, &self.settings);
        self.modules.insert(at, module);
        self.files.insert(at, placeholder);
        self.project_findings.insert(at, Vec::new());
        self.roots = ProjectRoots::of(&self.modules);
        self.stale = true;
        at
    }

    /// Links every file's summary again and runs the whole-project rules, when anything the
    /// link reads changed since the last time.
    pub fn relink(&mut self) {
        if !self.stale {
            return;
        }
        (self.project_findings, self.inert) = cache::project_findings(&self.files, &self.settings);
        self.stale = false;
    }

    /// The findings in the file at `path` whose text is `text` (the text it was last
    /// analysed from), after `noqa` and the per-file configuration.
    pub fn findings(&self, path: &Path, text: &str) -> Option<FileFindings> {
        let at = self.index_of(path)?;
        let file = &self.files[at];
        if let Some(message) = &file.unreadable {
            return Some(FileFindings::unreadable(
                file.display_path.clone(),
                message.clone(),
                &self.settings,
            ));
        }
        let mut diagnostics = file.diagnostics.clone();
        diagnostics.extend(self.project_findings.get(at).into_iter().flatten().cloned());
        // The link's `to_thread` fixes are recipes: spelled from the buffer's text, the one
        // they were taken from.
        analysis::spell_pending_fixes(&mut diagnostics, Some(text));
        Some(FileFindings::new(
            file.display_path.clone(),
            text.to_string(),
            file.line_index.clone(),
            diagnostics,
            &file.noqa,
            &self.settings,
            &file.path,
        ))
    }
}

/// The server keeps the texts of open buffers itself: an analysis holds none.
fn released(mut analysis: FileAnalysis) -> FileAnalysis {
    analysis.source = HeldText::Released;
    analysis
}

/// `path` as shown in findings: relative to the project root when below it.
fn display_below(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(below) => discovery::display_name(below),
        Err(_) => discovery::display_name(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "import time\n\n\ndef load(x):\n    time.sleep(1)\n    return x\n";
    const WEB: &str = "from app.db import load\n\n\nasync def handler(x):\n    return load(x)\n";

    #[test]
    fn an_edit_the_link_does_not_read_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        for (name, text) in [("__init__.py", ""), ("db.py", DB), ("web.py", WEB)] {
            std::fs::write(dir.path().join("app").join(name), text).unwrap();
        }
        let root = dir.path().canonicalize().unwrap();
        let mut state = ProjectState::load(root.clone(), Settings::default());
        let (db, web) = (root.join("app/db.py"), root.join("app/web.py"));
        let chains = |state: &ProjectState| state.findings(&web, WEB).unwrap().findings.len();
        assert_eq!(chains(&state), 1);
        // The link's fix, kept as a recipe, is spelled from the buffer for the code action.
        let fix = state.findings(&web, WEB).unwrap().findings[0].fix.clone();
        let edits: Vec<String> = fix
            .iter()
            .flat_map(|fix| &fix.edits)
            .map(|edit| edit.content.clone())
            .collect();
        assert!(
            edits
                .iter()
                .any(|content| content == "await asyncio.to_thread(load, x)"),
            "{edits:?}"
        );
        assert!(!state.stale);
        state.set_text(&db, DB.replace("sleep(1)", "sleep(2)"));
        assert!(!state.stale, "same calls, same lines");
        state.set_text(&db, format!("{DB}# a comment after everything\n"));
        assert!(!state.stale, "a line after every offset the link reads");
        // A line above the calls moves the row web.py's chain names: moved, not linked.
        let moved_down = format!("# a comment above\n{DB}");
        state.set_text(&db, moved_down.clone());
        assert!(!state.stale, "only offsets changed");
        let moved = state.findings(&web, WEB).unwrap().findings;
        assert!(format!("{moved:?}").contains("app/db.py:6"), "{moved:?}");
        state.stale = true;
        state.relink();
        assert_eq!(state.findings(&web, WEB).unwrap().findings, moved);
        state.set_text(&db, moved_down.replace("time.sleep(1)", "print(1)     "));
        assert!(state.stale);
        state.relink();
        assert_eq!(chains(&state), 0);
    }

    #[test]
    fn a_log_call_typed_through_an_imported_logger_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        let log = "import logging\n\nLOGGER = logging.getLogger(__name__)\n";
        let logged = "    LOGGER.debug(\"x %s\", x)\n";
        let web = WEB
            .replace("from app.db", "from app.log import LOGGER\nfrom app.db")
            .replace("    return load(x)", &format!("{logged}    return load(x)"));
        for (name, text) in [
            ("__init__.py", ""),
            ("db.py", DB),
            ("log.py", log),
            ("web.py", &web),
        ] {
            std::fs::write(dir.path().join("app").join(name), text).unwrap();
        }
        let root = dir.path().canonicalize().unwrap();
        let mut state = ProjectState::load(root.clone(), Settings::default());
        let path = root.join("app/web.py");
        // The same call typed again above the call LW103 reports: moved, not linked.
        let typed = web.replace(logged, &logged.repeat(2));
        state.set_text(&path, typed.clone());
        assert!(!state.stale, "only calls the link does nothing with");
        let moved = state.findings(&path, &typed).unwrap().findings;
        state.stale = true;
        state.relink();
        assert_eq!(state.findings(&path, &typed).unwrap().findings, moved);
    }
}
