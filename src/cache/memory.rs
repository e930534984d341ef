//! The cache kept in memory by a process that checks the same project again and again
//! (`check --watch`): every file's analysis, summary and findings stay between runs, so a
//! re-check after an edit reads and analyses the files that changed and nothing else. No
//! walk, no `stat` of the other files, no cache file to read or write.
//!
//! The test is the on-disk cache's: a file whose bytes hash as before is not analysed
//! again; an edited file whose summary and line starts ([`super::link_input`]) hash as before
//! leaves the link and every other file's findings as they were; one whose summary changed
//! only in its offsets moves the findings with its code ([`super::moved_with`]); any other
//! edit links the project again, and the files whose whole-project findings changed get new findings.
//! A path the session does not know (a file created, a directory), a file gone, or other
//! settings start it over: a new walk and analysis, as the first run did.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::analysis::{
    self, FileAnalysis, HeldText, ProjectRoots, Texts, analyse_bytes, read_source,
};
use crate::diagnostic::Diagnostic;
use crate::discovery::module_name::ModuleName;
use crate::discovery::{self, Discovered, SourcePath};
use crate::report::{FileFindings, Report};
use crate::settings::{Settings, absolutize};

use super::keys::hash_bytes;
use super::link_input;

/// A checked project held in memory.
pub struct Session {
    paths: Vec<PathBuf>,
    /// The settings the files were analysed with, as `Debug` spells them: other settings
    /// start the session over.
    settings: String,
    /// Every file (display order), with its summary; its text as a fingerprint, or whole
    /// for the few files [`hold`] keeps it for.
    files: Vec<FileAnalysis>,
    modules: Vec<ModuleName>,
    roots: ProjectRoots,
    /// The hash of each file's bytes (`None`: it could not be read).
    contents: Vec<Option<u64>>,
    /// [`link_input`] of each file.
    links: Vec<Option<u64>>,
    /// The whole-project rules' findings in each file, from the last link.
    project: Vec<Vec<Diagnostic>>,
    /// The hashes of the callee paths the last link did nothing with
    /// ([`super::project_findings`]).
    inert: Vec<u64>,
    /// File index by absolute path, for the paths a watcher reports.
    by_path: HashMap<PathBuf, usize>,
    /// The last report: its files are patched in place by [`Session::update`].
    report: Report,
}

/// What a re-check did (`--verbose` of `--watch`, and the tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Files analysed again (their bytes changed).
    pub analysed: usize,
    /// The project was linked again.
    pub linked: bool,
    /// Files whose whole-project findings were moved with their code instead (only their
    /// offsets changed: [`super::moved_with`]).
    pub moved: usize,
    /// The session started over (a new walk).
    pub restarted: bool,
}

impl Session {
    /// Walks `paths`, analyses every file and links the project.
    pub fn start(paths: &[PathBuf], settings: &Settings) -> Self {
        let mut discovered = discovery::discover(paths, settings);
        discovered.files.sort_by(|a, b| a.display.cmp(&b.display));
        let modules = analysis::name_modules(&discovered.files);
        let roots = ProjectRoots::of(&modules);
        let (files, contents): (Vec<FileAnalysis>, Vec<Option<u64>>) =
            analysis::in_analysis_pool(|| {
                discovered
                    .files
                    .par_iter()
                    .zip(modules.par_iter())
                    .map(|(file, module)| match read_source(file) {
                        Ok(bytes) => {
                            let content = hash_bytes(&bytes);
                            let analysis =
                                analyse_bytes(file, bytes, module, Some(&roots), settings);
                            (analysis, Some(content))
                        }
                        Err(message) => (FileAnalysis::unreadable(file, message), None),
                    })
                    .unzip()
            });
        let links = files.par_iter().map(link_input).collect();
        let by_path = discovered
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| (absolutize(&file.path), index))
            .collect();
        let mut session = Self {
            paths: paths.to_vec(),
            settings: format!("{settings:?}"),
            project: vec![Vec::new(); files.len()],
            inert: Vec::new(),
            files,
            modules,
            roots,
            contents,
            links,
            by_path,
            report: Report::new(Vec::new(), Vec::new(), 0),
        };
        (session.project, session.inert) = session.linked(settings);
        session.report = session.first_report(discovered, settings);
        session
    }

    /// The report of the last run.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Checks again after the files at `changed` changed (as a watcher reports them:
    /// absolute, or relative to the current directory), with `settings` read again.
    pub fn update(&mut self, changed: &[PathBuf], settings: &Settings) -> Update {
        let mut indices: Vec<usize> = Vec::with_capacity(changed.len());
        let mut known = format!("{settings:?}") == self.settings;
        for path in changed {
            match self.by_path.get(&absolutize(path)) {
                Some(&index) if known => indices.push(index),
                _ => known = false,
            }
        }
        if !known {
            return self.restart(settings);
        }
        indices.sort_unstable();
        indices.dedup();
        let mut update = Update::default();
        // The files analysed, with their texts (`None`: their findings need none).
        let mut texts: HashMap<usize, Option<String>> = HashMap::new();
        // The files whose whole-project findings moved with another file's code.
        let mut moved_in: Vec<usize> = Vec::new();
        for index in indices {
            let file = SourcePath {
                path: self.files[index].path.clone(),
                display: self.files[index].display_path.clone(),
                seen_regular: false,
            };
            if !file.path.is_file() {
                // Gone, or no longer a regular file: the walk decides what the project is.
                return self.restart(settings);
            }
            let (mut analysis, content) = match read_source(&file) {
                Ok(bytes) => {
                    let content = hash_bytes(&bytes);
                    if Some(content) == self.contents[index] {
                        continue;
                    }
                    let analysis = analyse_bytes(
                        &file,
                        bytes,
                        &self.modules[index],
                        Some(&self.roots),
                        settings,
                    );
                    (analysis, Some(content))
                }
                Err(message) => (FileAnalysis::unreadable(&file, message), None),
            };
            update.analysed += 1;
            let link = link_input(&analysis);
            if link.is_none() || link != self.links[index] {
                let moved = (!update.linked)
                    .then(|| {
                        super::moved_with(
                            &self.project,
                            index,
                            &self.files[index],
                            &analysis,
                            &self.inert,
                        )
                    })
                    .flatten();
                match moved {
                    Some(project) => {
                        update.moved += 1;
                        moved_in.extend(
                            (0..project.len()).filter(|&at| project[at] != self.project[at]),
                        );
                        self.project = project;
                    }
                    None => update.linked = true,
                }
            }
            texts.insert(index, hold(&mut analysis));
            self.files[index] = analysis;
            self.contents[index] = content;
            self.links[index] = link;
        }
        // The files whose findings change: the ones analysed, and after a new link the
        // ones whose whole-project findings differ.
        let mut touched: Vec<usize> = texts.keys().copied().chain(moved_in).collect();
        if update.linked {
            let (project, inert) = self.linked(settings);
            self.inert = inert;
            touched
                .extend((0..project.len()).filter(|&index| project[index] != self.project[index]));
            self.project = project;
        }
        touched.sort_unstable();
        touched.dedup();
        for index in touched {
            let (file, project) = (&mut self.files[index], &self.project[index]);
            let text = texts
                .remove(&index)
                .flatten()
                .or_else(|| read_again(file, project));
            let findings = file_findings(file, text, project, settings);
            if let Ok(at) = self
                .report
                .files
                .binary_search_by(|file| file.display_path.cmp(&findings.display_path))
            {
                self.report.files[at] = findings;
            }
        }
        update
    }

    fn restart(&mut self, settings: &Settings) -> Update {
        let paths = std::mem::take(&mut self.paths);
        *self = Self::start(&paths, settings);
        Update {
            analysed: self.files.len(),
            linked: true,
            moved: 0,
            restarted: true,
        }
    }

    /// The whole-project rules' findings over the files as they are now.
    fn linked(&self, settings: &Settings) -> (Vec<Vec<Diagnostic>>, Vec<u64>) {
        analysis::in_analysis_pool(|| super::project_findings(&self.files, settings))
    }

    /// The first report: every file's findings, as [`analysis::assemble`] makes them, the
    /// texts then let go (a fingerprint kept).
    fn first_report(&mut self, discovered: Discovered, settings: &Settings) -> Report {
        let project = &self.project;
        let mut findings: Vec<FileFindings> = self
            .files
            .par_iter_mut()
            .zip(project.par_iter())
            .map(|(file, project)| {
                let text = hold(file).or_else(|| read_again(file, project));
                file_findings(file, text, project, settings)
            })
            .collect();
        findings.extend(discovered.unreadable.into_iter().map(|directory| {
            FileFindings::unreadable(directory.path.display, directory.message, settings)
        }));
        findings.sort_by(|a, b| a.display_path.cmp(&b.display_path));
        let mut report = Report::new(findings, discovered.errors, self.files.len());
        report.paths = self
            .files
            .iter()
            .map(|file| (file.display_path.clone(), file.path.clone()))
            .collect();
        report.note_walk(discovered.skipped, &discovered.files);
        report
    }
}

/// The text of `file` when its findings (its own and `project`) need it: the one it holds,
/// or read again while it is still the text analysed ([`analysis::restore_texts`]). The
/// file keeps what it held.
fn read_again(file: &mut FileAnalysis, project: &Vec<Diagnostic>) -> Option<String> {
    let (len, hash) = match &file.source {
        HeldText::Full(text) => return Some(text.clone()),
        HeldText::Fingerprint { len, hash, .. } => (*len, *hash),
        // The language server and `--watch` keep no file as positions only.
        HeldText::Released | HeldText::Positions(_) => return None,
    };
    analysis::restore_texts(
        std::slice::from_mut(file),
        std::slice::from_ref(project),
        &Texts::default(),
    );
    let fingerprint = HeldText::Fingerprint {
        len,
        hash,
        lines: None,
    };
    match std::mem::replace(&mut file.source, fingerprint) {
        HeldText::Full(text) => Some(text),
        _ => None,
    }
}

/// The text a file just analysed holds, for its findings; the file keeps a fingerprint of
/// it. Notebooks (whose checked text is not the file's bytes), files without a summary
/// (which may not decode again) and files whose `noqa` codes LW003 reviews keep their text,
/// as a run of `check` keeps them ([`analysis`]'s `hold_fingerprint`).
fn hold(file: &mut FileAnalysis) -> Option<String> {
    let keeps = file.cells.is_some() || file.summary.is_none() || file.noqa.has_codes();
    match &file.source {
        HeldText::Full(text) if keeps => Some(text.clone()),
        HeldText::Full(text) => {
            let fingerprint = HeldText::fingerprint(text);
            match std::mem::replace(&mut file.source, fingerprint) {
                HeldText::Full(text) => Some(text),
                _ => None,
            }
        }
        _ => None,
    }
}

/// [`FileAnalysis::into_findings`] of a file the session keeps: the same findings, from
/// copies of what it reads.
fn file_findings(
    file: &FileAnalysis,
    text: Option<String>,
    project: &[Diagnostic],
    settings: &Settings,
) -> FileFindings {
    let copy = FileAnalysis {
        display_path: file.display_path.clone(),
        path: file.path.clone(),
        source: text.map_or(HeldText::Released, HeldText::Full),
        line_index: file.line_index.clone(),
        diagnostics: file.diagnostics.clone(),
        noqa: file.noqa.clone(),
        summary: None,
        unreadable: file.unreadable.clone(),
        cells: file.cells.clone(),
        parse_time: file.parse_time,
        check_time: file.check_time,
    };
    copy.into_findings(project.to_vec(), settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "import time\n\n\ndef load(x):\n    time.sleep(1)\n    return x\n";
    const WEB: &str = "from app.db import load\n\n\nasync def handler(x):\n    return load(x)\n";

    /// What a report shows, file by file: path, text kept for code frames, findings.
    fn shown(report: &Report) -> String {
        let files: Vec<_> = report
            .files
            .iter()
            .map(|file| (&file.display_path, &file.source, &file.findings))
            .collect();
        format!("{files:#?}")
    }

    struct Project {
        _dir: tempfile::TempDir,
        root: PathBuf,
    }

    impl Project {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::create_dir(root.join("app")).unwrap();
            let project = Self { _dir: dir, root };
            for (name, text) in [
                ("app/__init__.py", ""),
                ("app/db.py", DB),
                ("app/web.py", WEB),
            ] {
                project.write(name, text);
            }
            project
        }

        fn write(&self, name: &str, text: &str) -> PathBuf {
            let path = self.root.join(name);
            std::fs::write(&path, text).unwrap();
            path
        }

        /// Checks that the session shows what a fresh check shows.
        fn agrees(&self, session: &Session) {
            let fresh =
                crate::analysis::check(std::slice::from_ref(&self.root), &Settings::default());
            assert_eq!(shown(session.report()), shown(&fresh));
        }
    }

    #[test]
    fn every_re_check_shows_what_a_fresh_check_shows_and_does_only_what_it_must() {
        let project = Project::new();
        let settings = Settings::default();
        let mut session = Session::start(std::slice::from_ref(&project.root), &settings);
        project.agrees(&session);
        assert!(shown(session.report()).contains("TransitiveBlockingCall"));
        let db = project.root.join("app/db.py");

        // The same bytes: nothing analysed.
        let update = session.update(std::slice::from_ref(&db), &settings);
        assert_eq!(update, Update::default());

        // The same calls at the same offsets: analysed, the link re-used.
        project.write("app/db.py", &DB.replace("sleep(1)", "sleep(2)"));
        let update = session.update(std::slice::from_ref(&db), &settings);
        assert_eq!(
            update,
            Update {
                analysed: 1,
                linked: false,
                moved: 0,
                restarted: false
            }
        );
        project.agrees(&session);

        // A line above the blocking call moves the row web.py's chain shows: the findings
        // are moved with it, not linked again.
        project.write("app/db.py", &format!("# moved\n{DB}"));
        let update = session.update(std::slice::from_ref(&db), &settings);
        assert_eq!(
            update,
            Update {
                analysed: 1,
                linked: false,
                moved: 1,
                restarted: false
            }
        );
        project.agrees(&session);
        // Split across rows, the name and call of `load` are no longer in order: linked.
        project.write(
            "app/db.py",
            "import time\n\n\ndef load(x): time.sleep(1); return x\n",
        );
        session.update(std::slice::from_ref(&db), &settings);
        project.write("app/db.py", DB);
        let update = session.update(std::slice::from_ref(&db), &settings);
        assert!(update.linked && !update.restarted, "{update:?}");
        project.agrees(&session);

        // The blocking call gone: web.py's finding goes with it.
        project.write("app/db.py", &DB.replace("time.sleep(1)", "print(1)"));
        session.update(std::slice::from_ref(&db), &settings);
        assert!(!shown(session.report()).contains("TransitiveBlockingCall"));
        project.agrees(&session);

        // Back, through a path spelled another way (as a watcher of `.` reports it).
        project.write("app/db.py", DB);
        session.update(&[project.root.join("app/./db.py")], &settings);
        assert!(shown(session.report()).contains("TransitiveBlockingCall"));
        project.agrees(&session);
    }

    #[test]
    fn a_line_above_a_finding_with_a_fix_moves_the_fix_with_it() {
        let project = Project::new();
        let settings = Settings::default();
        let mut session = Session::start(std::slice::from_ref(&project.root), &settings);
        // LW103's fix in web.py is a recipe until the report spells it: it moves with the
        // finding, or it would be spelled from where the call was.
        let path = project.write(
            "app/web.py",
            &WEB.replace("\n\nasync", "\n\n# typed\nasync"),
        );
        let update = session.update(std::slice::from_ref(&path), &settings);
        assert_eq!(update.moved, 1, "{update:?}");
        assert!(shown(session.report()).contains("to_thread(load, x)"));
        project.agrees(&session);
    }

    #[test]
    fn a_log_call_through_another_modules_logger_moves_the_findings_without_a_link() {
        let project = Project::new();
        project.write(
            "app/log.py",
            "import logging\n\nLOGGER = logging.getLogger(__name__)\n",
        );
        let logged = "    LOGGER.debug(\"x %s\", x)\n";
        let web = WEB
            .replace("from app.db", "from app.log import LOGGER\nfrom app.db")
            .replace("    return load(x)", &format!("{logged}    return load(x)"));
        let path = project.write("app/web.py", &web);
        let settings = Settings::default();
        let mut session = Session::start(std::slice::from_ref(&project.root), &settings);
        // The same call again, above the call LW103 reports.
        project.write("app/web.py", &web.replace(logged, &logged.repeat(2)));
        let update = session.update(std::slice::from_ref(&path), &settings);
        assert_eq!(
            update,
            Update {
                analysed: 1,
                linked: false,
                moved: 1,
                restarted: false
            }
        );
        assert!(shown(session.report()).contains("TransitiveBlockingCall"));
        project.agrees(&session);
        // A call of a project function there instead: linked.
        project.write("app/web.py", &web.replace(logged, "    load(0)\n"));
        let update = session.update(std::slice::from_ref(&path), &settings);
        assert!(update.linked, "{update:?}");
        project.agrees(&session);
    }

    #[test]
    fn a_file_created_or_deleted_or_other_settings_start_it_over() {
        let project = Project::new();
        let settings = Settings::default();
        let mut session = Session::start(std::slice::from_ref(&project.root), &settings);
        let new = project.write(
            "app/jobs.py",
            "import time\n\n\nasync def run():\n    time.sleep(1)\n",
        );
        assert!(
            session
                .update(std::slice::from_ref(&new), &settings)
                .restarted
        );
        project.agrees(&session);
        assert!(shown(session.report()).contains("jobs.py"));
        std::fs::remove_file(&new).unwrap();
        assert!(session.update(&[new], &settings).restarted);
        project.agrees(&session);
        assert!(!shown(session.report()).contains("jobs.py"));
        let mut other = Settings::default();
        other.blocking_calls.push("app.db.load".into());
        assert!(session.update(&[], &other).restarted);
    }
}
