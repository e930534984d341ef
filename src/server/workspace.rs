//! The open buffers and the projects they belong to. Edits mark a project stale; [`flush`]
//! re-links each stale project once, however many edits arrived, and says which buffers'
//! diagnostics to publish: the edited ones, and any other open buffer whose diagnostics
//! changed because of the edit (an LW103 chain that now runs through the edited module).
//!
//! [`flush`]: Workspace::flush

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, PublishDiagnosticsParams, Range, Url,
};

use super::positions::DocumentText;
use super::project::ProjectState;
use crate::analysis::project_root;
use crate::registry::Rule;
use crate::report::{FileFindings, Finding};
use crate::settings::{Overrides, Settings, absolutize};

/// The `source` field of every diagnostic.
pub const SOURCE: &str = "loopwarden";

pub struct Document {
    pub path: PathBuf,
    pub version: i32,
    pub text: DocumentText,
    /// The project's root (the key of [`Workspace::projects`]).
    project: PathBuf,
    /// Findings on `text` from the last flush.
    pub findings: Option<FileFindings>,
    published: Option<(i32, Vec<Diagnostic>)>,
}

#[derive(Default)]
pub struct Workspace {
    projects: BTreeMap<PathBuf, ProjectState>,
    documents: BTreeMap<Url, Document>,
    /// Projects edited since their last link.
    stale: BTreeSet<PathBuf>,
    /// Buffers whose diagnostics are published at the next flush even if unchanged.
    republish: BTreeSet<Url>,
}

impl Workspace {
    pub fn document(&self, uri: &Url) -> Option<&Document> {
        self.documents.get(uri)
    }

    /// A buffer opened in the editor. Its project is loaded (every file analysed) the first
    /// time one of its files is opened. Buffers that are not files are not checked.
    pub fn open(&mut self, uri: Url, text: String, version: i32) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        let path = absolutize(&path);
        let project = self.project_for(&path);
        if let Some(state) = self.projects.get_mut(&project) {
            state.set_text(&path, text.clone());
        }
        self.stale.insert(project.clone());
        self.republish.insert(uri.clone());
        self.documents.insert(
            uri,
            Document {
                path,
                version,
                text: DocumentText::new(text),
                project,
                findings: None,
                published: None,
            },
        );
    }

    /// The buffer's changes: whole new texts (the full synchronisation the server asks
    /// for), or ranges replaced, applied in order.
    pub fn change(
        &mut self,
        uri: &Url,
        changes: Vec<lsp_types::TextDocumentContentChangeEvent>,
        version: i32,
    ) {
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        let mut text = std::mem::take(&mut document.text.text);
        for change in changes {
            match change.range {
                Some(range) => {
                    let current = DocumentText::new(text);
                    let start = current.offset(range.start).to_usize();
                    let end = current.offset(range.end).to_usize().max(start);
                    text = current.text;
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        if let Some(state) = self.projects.get_mut(&document.project) {
            state.set_text(&document.path, text.clone());
        }
        document.text = DocumentText::new(text);
        document.version = version;
        self.stale.insert(document.project.clone());
        self.republish.insert(uri.clone());
    }

    /// A saved buffer: its diagnostics are published again.
    pub fn save(&mut self, uri: &Url) {
        if let Some(document) = self.documents.get(uri) {
            self.stale.insert(document.project.clone());
            self.republish.insert(uri.clone());
        }
    }

    /// A closed buffer: the file on disk stands for it again. Returns the publication that
    /// clears its diagnostics.
    pub fn close(&mut self, uri: &Url) -> Option<PublishDiagnosticsParams> {
        let document = self.documents.remove(uri)?;
        self.republish.remove(uri);
        if let Some(state) = self.projects.get_mut(&document.project) {
            state.reload(&document.path);
            self.stale.insert(document.project);
        }
        Some(PublishDiagnosticsParams::new(uri.clone(), Vec::new(), None))
    }

    /// Files changed on disk by another program. Open buffers are left alone (the editor's
    /// text is what counts for them).
    pub fn files_changed(&mut self, changed: &[PathBuf], created_or_deleted: bool) {
        let open: BTreeSet<&Path> = self
            .documents
            .values()
            .map(|document| document.path.as_path())
            .collect();
        for (root, state) in &mut self.projects {
            let mut touched = false;
            if created_or_deleted {
                state.rediscover();
                touched = true;
            }
            for path in changed {
                if state.contains(path) && !open.contains(path.as_path()) {
                    state.reload(path);
                    touched = true;
                }
            }
            if touched {
                self.stale.insert(root.clone());
            }
        }
        // An open buffer whose file is gone from disk stays in its project.
        for document in self.documents.values() {
            if let Some(state) = self.projects.get_mut(&document.project)
                && !state.has(&document.path)
            {
                state.set_text(&document.path, document.text.text.clone());
            }
        }
    }

    /// Re-links every stale project and returns the diagnostics to publish.
    pub fn flush(&mut self) -> Vec<PublishDiagnosticsParams> {
        let stale = std::mem::take(&mut self.stale);
        for root in &stale {
            if let Some(state) = self.projects.get_mut(root) {
                state.relink();
            }
        }
        let mut publish = Vec::new();
        for (uri, document) in &mut self.documents {
            if !stale.contains(&document.project) {
                continue;
            }
            let Some(state) = self.projects.get(&document.project) else {
                continue;
            };
            let findings = state.findings(&document.path, &document.text.text);
            let diagnostics: Vec<Diagnostic> = findings
                .iter()
                .flat_map(|file| &file.findings)
                .map(|finding| to_lsp_diagnostic(finding, &document.text, &state.root))
                .collect();
            document.findings = findings;
            let unchanged = document
                .published
                .as_ref()
                .is_some_and(|(_, published)| *published == diagnostics);
            if unchanged && !self.republish.contains(uri) {
                continue;
            }
            publish.push(PublishDiagnosticsParams::new(
                uri.clone(),
                diagnostics.clone(),
                Some(document.version),
            ));
            document.published = Some((document.version, diagnostics));
        }
        self.republish.clear();
        publish
    }

    pub fn has_pending_work(&self) -> bool {
        !self.stale.is_empty()
    }

    /// The root of the project `path` belongs to, loading the project if it is new.
    fn project_for(&mut self, path: &Path) -> PathBuf {
        // A file inside a project already loaded belongs to it when that project is the
        // one the command line would check it in.
        let settings = Settings::load(None, path, &Overrides::default()).unwrap_or_else(|error| {
            eprintln!("loopwarden: {error}; checking with the default settings");
            Settings::default()
        });
        let root = absolutize(&project_root(path, &settings));
        if !self.projects.contains_key(&root) {
            let started = std::time::Instant::now();
            let state = ProjectState::load(root.clone(), settings);
            // The editor shows a server's standard error in its log.
            eprintln!(
                "loopwarden: analysed the {} files of {} in {} ms",
                state.file_count(),
                root.display(),
                started.elapsed().as_millis()
            );
            self.projects.insert(root.clone(), state);
        }
        root
    }

    pub fn project_of(&self, document: &Document) -> Option<&ProjectState> {
        self.projects.get(&document.project)
    }
}

/// A finding as the editor shows it; the call chain of an interprocedural finding becomes
/// related locations, each step a link to where it is.
pub fn to_lsp_diagnostic(finding: &Finding, text: &DocumentText, root: &Path) -> Diagnostic {
    let severity = match finding.rule {
        Rule::SyntaxError | Rule::IoError => DiagnosticSeverity::ERROR,
        _ => DiagnosticSeverity::WARNING,
    };
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .chain
        .iter()
        .filter_map(|step| {
            let uri = Url::from_file_path(root.join(&step.filename)).ok()?;
            let line = step.row.saturating_sub(1) as u32;
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    uri,
                    Range::new(Position::new(line, 0), Position::new(line, 0)),
                ),
                message: step.name.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: text.range(finding.range),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule.code().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
