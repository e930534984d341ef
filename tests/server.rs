//! The language server, in process: a client speaks the protocol to `server::serve` over
//! lsp-server's in-memory connection, on projects written to temporary directories.

use std::collections::VecDeque;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Initialized, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Initialize, Shutdown};
use lsp_types::{
    CodeActionContext, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, HoverContents, HoverParams, InitializeParams, NumberOrString,
    Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent,
    TextDocumentIdentifier, TextDocumentItem, TextDocumentPositionParams, TextEdit, Url,
    VersionedTextDocumentIdentifier,
};
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(30);

struct Client {
    connection: Connection,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pending: VecDeque<Notification>,
    version: i32,
}

impl Client {
    fn start() -> Self {
        let (server, connection) = Connection::memory();
        let handle = std::thread::spawn(move || loopwarden::server::serve(server));
        let mut client = Self {
            connection,
            server: Some(handle),
            next_id: 0,
            pending: VecDeque::new(),
            version: 0,
        };
        let _: serde_json::Value = client.request::<Initialize>(InitializeParams::default());
        client.notify::<Initialized>(lsp_types::InitializedParams {});
        client
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> serde_json::Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), R::METHOD.to_string(), params).into())
            .expect("the server is listening");
        loop {
            match self.connection.receiver.recv_timeout(WAIT) {
                Ok(Message::Response(response)) if response.id == id => {
                    return response
                        .response_result
                        .unwrap_or_else(|error| panic!("{} failed: {error:?}", R::METHOD));
                }
                Ok(Message::Notification(notification)) => self.pending.push_back(notification),
                Ok(_) => {}
                Err(error) => panic!("no answer to {}: {error}", R::METHOD),
            }
        }
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.connection
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into())
            .expect("the server is listening");
    }

    /// The next diagnostics published for `uri` (publications for other files stay queued).
    fn diagnostics(&mut self, uri: &Url) -> Vec<Diagnostic> {
        let mut scanned = 0;
        loop {
            while scanned < self.pending.len() {
                let notification = &self.pending[scanned];
                if notification.method == PublishDiagnostics::METHOD {
                    let params: PublishDiagnosticsParams =
                        serde_json::from_value(notification.params.clone())
                            .expect("publishDiagnostics");
                    if params.uri == *uri {
                        self.pending.remove(scanned);
                        return params.diagnostics;
                    }
                }
                scanned += 1;
            }
            match self.connection.receiver.recv_timeout(WAIT) {
                Ok(Message::Notification(notification)) => self.pending.push_back(notification),
                Ok(_) => {}
                Err(error) => panic!("no diagnostics for {uri}: {error}"),
            }
        }
    }

    fn open(&mut self, uri: &Url, text: &str) {
        self.version += 1;
        self.notify::<DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(
                uri.clone(),
                "python".into(),
                self.version,
                text.into(),
            ),
        });
    }

    fn change(&mut self, uri: &Url, text: &str) {
        self.version += 1;
        self.notify::<DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier::new(uri.clone(), self.version),
            content_changes: vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.into(),
            }],
        });
    }

    fn code_actions(
        &mut self,
        uri: &Url,
        range: Range,
        only: Option<Vec<CodeActionKind>>,
    ) -> Vec<CodeActionOrCommand> {
        let result = self.request::<CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range,
            context: CodeActionContext {
                diagnostics: Vec::new(),
                only,
                trigger_kind: None,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        serde_json::from_value(result).expect("code actions")
    }

    fn shutdown(mut self) {
        let _ = self.request::<Shutdown>(());
        self.notify::<Exit>(());
        let result = self
            .server
            .take()
            .expect("running")
            .join()
            .expect("no panic");
        result.expect("the server ends cleanly");
    }
}

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (relative, text) in files {
        let path = dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
        std::fs::write(path, text).expect("write file");
    }
    dir
}

fn uri(dir: &Path, relative: &str) -> Url {
    Url::from_file_path(dir.join(relative)).expect("an absolute path")
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| match &diagnostic.code {
            Some(NumberOrString::String(code)) => code.clone(),
            other => panic!("unexpected code {other:?}"),
        })
        .collect()
}

/// Applies LSP edits (UTF-16 columns) to `text`.
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let offset = |position: Position| -> usize {
        let mut line_start = 0;
        for _ in 0..position.line {
            line_start += text[line_start..]
                .find('\n')
                .map_or(text.len() - line_start, |at| at + 1);
        }
        let mut units = 0;
        for (at, character) in text[line_start..].char_indices() {
            if units >= position.character as usize || character == '\n' {
                return line_start + at;
            }
            units += character.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits
        .sort_by_key(|edit| std::cmp::Reverse((edit.range.start.line, edit.range.start.character)));
    let mut result = text.to_string();
    for edit in edits {
        result.replace_range(
            offset(edit.range.start)..offset(edit.range.end),
            &edit.new_text,
        );
    }
    result
}

fn only_edit(action: &CodeActionOrCommand, uri: &Url) -> Vec<TextEdit> {
    let CodeActionOrCommand::CodeAction(action) = action else {
        panic!("a code action, not a command");
    };
    let changes = action
        .edit
        .as_ref()
        .and_then(|edit| edit.changes.as_ref())
        .expect("edits");
    changes[uri].clone()
}

fn titles(actions: &[CodeActionOrCommand]) -> Vec<String> {
    actions
        .iter()
        .map(|action| match action {
            CodeActionOrCommand::CodeAction(action) => action.title.clone(),
            CodeActionOrCommand::Command(command) => command.title.clone(),
        })
        .collect()
}

const BLOCKING: &str = "import time\n\n\nasync def handler():\n    label = \"é𝄞\"; time.sleep(1)\n";

#[test]
fn an_open_buffer_gets_diagnostics_with_utf16_columns_and_edits_replace_them() {
    let dir = project(&[("app.py", BLOCKING)]);
    let app = uri(dir.path(), "app.py");
    let mut client = Client::start();
    client.open(&app, BLOCKING);
    let diagnostics = client.diagnostics(&app);
    assert_eq!(codes(&diagnostics), ["LW101"]);
    // `    label = "é𝄞"; ` is 19 UTF-16 units (`𝄞` counts two), 22 bytes.
    assert_eq!(
        diagnostics[0].range,
        Range::new(Position::new(4, 19), Position::new(4, 32))
    );
    assert_eq!(diagnostics[0].source.as_deref(), Some("loopwarden"));

    // The unsaved edit is what is checked, not the file on disk.
    let edited = BLOCKING.replace("time.sleep(1)", "await asyncio.sleep(1)");
    client.change(&app, &edited.replace("import time", "import asyncio"));
    assert_eq!(codes(&client.diagnostics(&app)), Vec::<String>::new());
    client.change(&app, BLOCKING);
    assert_eq!(codes(&client.diagnostics(&app)), ["LW101"]);

    // Saving publishes again; closing clears.
    client.notify::<DidSaveTextDocument>(DidSaveTextDocumentParams {
        text_document: TextDocumentIdentifier::new(app.clone()),
        text: None,
    });
    assert_eq!(codes(&client.diagnostics(&app)), ["LW101"]);
    client.notify::<DidCloseTextDocument>(DidCloseTextDocumentParams {
        text_document: TextDocumentIdentifier::new(app.clone()),
    });
    assert!(client.diagnostics(&app).is_empty());
    client.shutdown();
}

const DB: &str = "import sqlite3\n\n\ndef fetch_user(user_id):\n    con = sqlite3.connect(\"app.db\")\n    return con.execute(\"SELECT 1\").fetchone()\n";
const DB_FIXED: &str = "def fetch_user(user_id):\n    return None\n";
const APP: &str = "from shop.db import fetch_user\n\n\nasync def handler(user_id):\n    return fetch_user(user_id)\n";

#[test]
fn a_chain_through_a_module_never_opened_is_reported_and_follows_edits_of_it() {
    let dir = project(&[
        ("shop/__init__.py", ""),
        ("shop/db.py", DB),
        (
            "shop/app.py",
            "async def handler(user_id):\n    return user_id\n",
        ),
    ]);
    let app = uri(dir.path(), "shop/app.py");
    let db = uri(dir.path(), "shop/db.py");
    let mut client = Client::start();
    // The buffer calls into db.py, which is not open: its summary comes from disk.
    client.open(&app, APP);
    let diagnostics = client.diagnostics(&app);
    assert_eq!(codes(&diagnostics), ["LW103"]);
    let related = diagnostics[0]
        .related_information
        .as_ref()
        .expect("the chain");
    assert!(
        related.iter().any(|step| step.location.uri == db),
        "{related:?}"
    );

    // Editing db.py in the editor (unsaved) republishes app.py, whose finding is gone.
    client.open(&db, DB);
    let _ = client.diagnostics(&db);
    client.change(&db, DB_FIXED);
    assert!(client.diagnostics(&db).is_empty());
    assert!(client.diagnostics(&app).is_empty());
    client.shutdown();
}

#[test]
fn a_new_unsaved_file_is_checked_inside_its_project() {
    let dir = project(&[("shop/__init__.py", ""), ("shop/db.py", DB)]);
    let new = uri(dir.path(), "shop/views.py");
    let mut client = Client::start();
    client.open(&new, APP);
    assert_eq!(codes(&client.diagnostics(&new)), ["LW103"]);
    client.shutdown();
}

#[test]
fn hover_on_a_finding_shows_its_rule_documentation() {
    let dir = project(&[("app.py", BLOCKING)]);
    let app = uri(dir.path(), "app.py");
    let mut client = Client::start();
    client.open(&app, BLOCKING);
    let _ = client.diagnostics(&app);
    let hover_at = |client: &mut Client, position| {
        client.request::<HoverRequest>(HoverParams {
            text_document_position_params: TextDocumentPositionParams::new(
                TextDocumentIdentifier::new(app.clone()),
                position,
            ),
            work_done_progress_params: Default::default(),
        })
    };
    let hover = hover_at(&mut client, Position::new(4, 25));
    let hover: lsp_types::Hover = serde_json::from_value(hover).expect("a hover");
    let HoverContents::Markup(markup) = hover.contents else {
        panic!("markdown");
    };
    assert_eq!(
        markup.value,
        loopwarden::rules::docs(loopwarden::registry::Rule::BlockingIoInAsync).trim_end()
    );
    // Away from any finding: nothing.
    assert!(hover_at(&mut client, Position::new(0, 2)).is_null());
    client.shutdown();
}

const UNAWAITED: &str = "import asyncio\n\n\nasync def work():\n    pass\n\n\nasync def main():\n    s = \"ü\"; work()\n    time_left = 1\n";

#[test]
fn each_fix_is_a_quick_fix_and_applying_it_clears_the_finding() {
    let dir = project(&[("app.py", UNAWAITED)]);
    let app = uri(dir.path(), "app.py");
    let mut client = Client::start();
    client.open(&app, UNAWAITED);
    let diagnostics = client.diagnostics(&app);
    assert_eq!(codes(&diagnostics), ["LW302"]);
    let actions = client.code_actions(&app, diagnostics[0].range, None);
    let offered = titles(&actions);
    assert!(offered[0].starts_with("LW302: "), "{offered:?}");
    assert!(!offered[0].contains("unsafe"), "{offered:?}");
    assert_eq!(offered[1], "LW302: Disable for this line (`# noqa: LW302`)");
    assert_eq!(offered[2], "loopwarden: Apply 1 safe fix");

    let fixed = apply(UNAWAITED, &only_edit(&actions[0], &app));
    assert!(fixed.contains("s = \"ü\"; await work()"), "{fixed}");
    client.change(&app, &fixed);
    assert!(client.diagnostics(&app).is_empty());

    // The noqa action, applied instead, silences the finding too.
    client.change(&app, UNAWAITED);
    let _ = client.diagnostics(&app);
    let silenced = apply(UNAWAITED, &only_edit(&actions[1], &app));
    assert!(silenced.contains("work()  # noqa: LW302\n"), "{silenced}");
    client.change(&app, &silenced);
    assert!(client.diagnostics(&app).is_empty());

    // Asked only for the fix-all kind (as an editor's format-on-save does), that alone.
    client.change(&app, UNAWAITED);
    let _ = client.diagnostics(&app);
    let whole = Range::new(Position::new(0, 0), Position::new(0, 0));
    let actions = client.code_actions(&app, whole, Some(vec![CodeActionKind::SOURCE_FIX_ALL]));
    assert_eq!(titles(&actions), ["loopwarden: Apply 1 safe fix"]);
    assert_eq!(apply(UNAWAITED, &only_edit(&actions[0], &app)), fixed);
    client.shutdown();
}

const UNSAFE: &str = "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n";

#[test]
fn an_unsafe_fix_is_labelled_and_left_out_of_fix_all() {
    let dir = project(&[("app.py", UNSAFE)]);
    let app = uri(dir.path(), "app.py");
    let mut client = Client::start();
    client.open(&app, UNSAFE);
    let diagnostics = client.diagnostics(&app);
    assert_eq!(codes(&diagnostics), ["LW101"]);
    let actions = client.code_actions(&app, diagnostics[0].range, None);
    let offered = titles(&actions);
    assert_eq!(offered.len(), 2, "{offered:?}");
    assert!(
        offered[0].ends_with("(unsafe fix: may change behaviour)"),
        "{offered:?}"
    );
    let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
        panic!("a code action");
    };
    assert_eq!(action.is_preferred, Some(false));
    let fixed = apply(UNSAFE, &only_edit(&actions[0], &app));
    assert!(fixed.contains("await asyncio.sleep(1)"), "{fixed}");
    client.change(&app, &fixed);
    assert!(client.diagnostics(&app).is_empty());
    client.shutdown();
}

#[test]
fn a_ranged_change_is_applied_to_the_buffer_at_its_utf16_position() {
    // The server asks for whole texts, but a client that sends ranges is understood.
    let dir = project(&[("app.py", BLOCKING)]);
    let app = uri(dir.path(), "app.py");
    let mut client = Client::start();
    client.open(&app, BLOCKING);
    assert_eq!(codes(&client.diagnostics(&app)), ["LW101"]);
    client.version += 1;
    // Replace `time.sleep(1)` (UTF-16 columns 19..32 of line 4) with `print(1)`.
    client.notify::<DidChangeTextDocument>(DidChangeTextDocumentParams {
        text_document: VersionedTextDocumentIdentifier::new(app.clone(), client.version),
        content_changes: vec![TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(4, 19), Position::new(4, 32))),
            range_length: None,
            text: "print(1)".into(),
        }],
    });
    assert!(client.diagnostics(&app).is_empty());
    // A whole text after a ranged change replaces all of it.
    client.change(
        &app,
        &BLOCKING.replace("time.sleep(1)", "print(1); time.sleep(2)"),
    );
    let diagnostics = client.diagnostics(&app);
    assert_eq!(diagnostics[0].range.start, Position::new(4, 29));
    client.shutdown();
}

#[test]
fn a_file_changed_on_disk_by_another_program_is_read_again() {
    let dir = project(&[
        ("shop/__init__.py", ""),
        ("shop/db.py", DB),
        ("shop/app.py", APP),
    ]);
    let app = uri(dir.path(), "shop/app.py");
    let db = uri(dir.path(), "shop/db.py");
    let mut client = Client::start();
    client.open(&app, APP);
    assert_eq!(codes(&client.diagnostics(&app)), ["LW103"]);
    // db.py, never opened, is rewritten on disk (a `git checkout`) and the editor says so.
    std::fs::write(dir.path().join("shop/db.py"), DB_FIXED).expect("write db.py");
    client.notify::<lsp_types::notification::DidChangeWatchedFiles>(
        lsp_types::DidChangeWatchedFilesParams {
            changes: vec![lsp_types::FileEvent::new(
                db.clone(),
                lsp_types::FileChangeType::CHANGED,
            )],
        },
    );
    assert!(client.diagnostics(&app).is_empty());
    // Deleted, then created again as it was: the chain is back.
    std::fs::remove_file(dir.path().join("shop/db.py")).expect("remove db.py");
    std::fs::write(dir.path().join("shop/db.py"), DB).expect("write db.py");
    client.notify::<lsp_types::notification::DidChangeWatchedFiles>(
        lsp_types::DidChangeWatchedFilesParams {
            changes: vec![lsp_types::FileEvent::new(
                db,
                lsp_types::FileChangeType::CREATED,
            )],
        },
    );
    assert_eq!(codes(&client.diagnostics(&app)), ["LW103"]);
    client.shutdown();
}
