//! `loopwarden server`: a language server over standard input and output.
//!
//! Diagnostics are computed on the editor's unsaved buffers with the whole project around
//! them, as `check --stdin-filename` computes them: the first buffer opened in a project
//! has every file of the project analysed once (in parallel); after that an edit
//! re-analyses the edited buffer alone and re-links the summaries every file left behind.
//! Edits that arrive together are analysed together: the server drains every message
//! waiting before it re-links, so a burst of keystrokes costs one link.
//!
//! Hover shows the documentation of the rule of a finding; code actions offer each fix,
//! a `noqa` comment per finding, and `source.fixAll.loopwarden` for every safe fix.

mod actions;
mod noqa_edit;
mod positions;
mod project;
mod workspace;

use anyhow::{Context, Result};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Initialized, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

pub use actions::FIX_ALL;
use workspace::Workspace;

/// Serves the editor on standard input and output until it asks the server to exit.
pub fn run_stdio() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    io_threads
        .join()
        .context("closing standard input and output")?;
    Ok(())
}

/// Serves one client on `connection`: the handshake, then requests and notifications until
/// `shutdown` and `exit`. All analysis runs on a pool whose threads have the large stacks
/// deeply nested input needs.
pub fn serve(connection: Connection) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::analysis::ANALYSIS_STACK_SIZE)
        .build()
        .context("starting the analysis threads")?;
    pool.install(|| serve_on_pool(connection))
}

fn serve_on_pool(connection: Connection) -> Result<()> {
    let capabilities = serde_json::to_value(capabilities())?;
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": ServerInfo {
                name: "loopwarden".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            },
        }),
    )?;
    let mut server = Server {
        connection: &connection,
        workspace: Workspace::default(),
        watch_files: params
            .capabilities
            .workspace
            .and_then(|workspace| workspace.did_change_watched_files)
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false),
    };
    while let Ok(message) = connection.receiver.recv() {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                // A request is answered on the buffers as they are now.
                server.publish_pending();
                server.request(request);
            }
            Message::Notification(notification) => {
                if notification.method == lsp_types::notification::Exit::METHOD {
                    return Ok(());
                }
                server.notification(notification);
            }
            Message::Response(_) => {}
        }
        // Edits that are already waiting are taken in before the project is re-linked.
        if connection.receiver.is_empty() {
            server.publish_pending();
        }
    }
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, FIX_ALL]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    /// Whether the client watches files for the server when asked to.
    watch_files: bool,
}

impl Server<'_> {
    fn send(&self, message: impl Into<Message>) {
        // The client has gone: the receive loop ends on its own.
        let _ = self.connection.sender.send(message.into());
    }

    fn publish_pending(&mut self) {
        if !self.workspace.has_pending_work() {
            return;
        }
        for params in self.workspace.flush() {
            self.send(Notification::new(
                PublishDiagnostics::METHOD.to_string(),
                params,
            ));
        }
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Some(params) = params::<DidOpenTextDocument>(notification) {
                    let document = params.text_document;
                    self.workspace
                        .open(document.uri, document.text, document.version);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(params) = params::<DidChangeTextDocument>(notification) {
                    let document = params.text_document;
                    self.workspace
                        .change(&document.uri, params.content_changes, document.version);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(params) = params::<DidSaveTextDocument>(notification) {
                    self.workspace.save(&params.text_document.uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(params) = params::<DidCloseTextDocument>(notification)
                    && let Some(cleared) = self.workspace.close(&params.text_document.uri)
                {
                    self.send(Notification::new(
                        PublishDiagnostics::METHOD.to_string(),
                        cleared,
                    ));
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Some(params) = params::<DidChangeWatchedFiles>(notification) {
                    self.files_changed(params);
                }
            }
            Initialized::METHOD => self.watch_python_files(),
            _ => {}
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        match request.method.as_str() {
            HoverRequest::METHOD => {
                let Some(params) = request_params::<HoverRequest>(request) else {
                    return self.invalid_params(id);
                };
                let position = params.text_document_position_params;
                let hover = self
                    .workspace
                    .document(&position.text_document.uri)
                    .and_then(|document| actions::hover(document, position.position));
                self.send(Response::new_ok(id, hover));
            }
            CodeActionRequest::METHOD => {
                let Some(params) = request_params::<CodeActionRequest>(request) else {
                    return self.invalid_params(id);
                };
                let uri = params.text_document.uri;
                let found = self.workspace.document(&uri).and_then(|document| {
                    let project = self.workspace.project_of(document)?;
                    Some(actions::code_actions(
                        &uri,
                        document,
                        &project.root,
                        params.range,
                        params.context.only.as_deref(),
                    ))
                });
                self.send(Response::new_ok(id, found.unwrap_or_default()));
            }
            _ => self.send(Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("loopwarden does not answer `{}`", request.method),
            )),
        }
    }

    fn invalid_params(&self, id: RequestId) {
        self.send(Response::new_err(
            id,
            ErrorCode::InvalidParams as i32,
            "the request's parameters do not match the protocol".to_string(),
        ));
    }

    /// Asks the client to report changes of Python files on disk (a `git checkout`, a
    /// file written by another program), when it can.
    fn watch_python_files(&self) {
        if !self.watch_files {
            return;
        }
        let watchers = ["**/*.py", "**/*.pyi"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "loopwarden-python-files".to_string(),
                method: DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.send(Request::new(
            RequestId::from("loopwarden-watch".to_string()),
            RegisterCapability::METHOD.to_string(),
            params,
        ));
    }

    fn files_changed(&mut self, params: DidChangeWatchedFilesParams) {
        let mut created_or_deleted = false;
        let mut changed = Vec::new();
        for event in params.changes {
            if event.typ != FileChangeType::CHANGED {
                created_or_deleted = true;
            }
            if let Ok(path) = event.uri.to_file_path() {
                changed.push(path);
            }
        }
        self.workspace.files_changed(&changed, created_or_deleted);
    }
}

/// A notification's parameters; a malformed notification is dropped (there is no one to
/// answer).
fn params<N: lsp_types::notification::Notification>(
    notification: Notification,
) -> Option<N::Params> {
    notification.extract(N::METHOD).ok()
}

fn request_params<R: lsp_types::request::Request>(request: Request) -> Option<R::Params> {
    request.extract(R::METHOD).ok().map(|(_, params)| params)
}
