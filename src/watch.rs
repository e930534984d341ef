//! `check --watch`: check, then check again whenever a Python file or a configuration file
//! under the checked paths changes, printing what changed (`output::changes`).
//!
//! Editors save in bursts (a temporary file, a rename, a metadata touch): events are
//! collected until none has come for [`DEBOUNCE`], then the project is checked once. The
//! configuration is read again on every run, so editing it takes effect. Ctrl-C ends the
//! watch with exit code 0.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use loopwarden::output::changes::{self, Snapshot};
use loopwarden::output::{OutputFormat, RenderOptions};
use loopwarden::settings::{CONFIG_FILE_NAME, Settings, SettingsError};
use notify::{EventKind, RecursiveMode, Watcher};

/// How long the files must be quiet before a re-check.
const DEBOUNCE: Duration = Duration::from_millis(150);

enum Signal {
    Changed,
    Interrupted,
}

/// Watches `paths`, loading the settings with `load` and checking with `check` for every
/// run (through the cache, unless `--no-cache`: a re-check analyses the changed files). Returns when
/// interrupted (0), or when watching cannot start (2). Changes are printed as text (the
/// `text` and `concise` formats alike): a machine format cannot say "what changed".
pub fn run(
    paths: &[PathBuf],
    format: OutputFormat,
    load: impl Fn() -> Result<Settings, SettingsError>,
    check: impl Fn(&Settings) -> loopwarden::report::Report,
    options: &RenderOptions,
) -> ExitCode {
    if !matches!(format, OutputFormat::Text | OutputFormat::Concise) {
        return fail(format_args!(
            "`--watch` prints its changes as text: use it without `--output-format`"
        ));
    }
    let (sender, signals) = mpsc::channel();
    let interrupt = sender.clone();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = interrupt.send(Signal::Interrupted);
    }) {
        return fail(format_args!("cannot watch for Ctrl-C: {error}"));
    }
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|event| is_relevant(&event)) {
            let _ = sender.send(Signal::Changed);
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(error) => return fail(format_args!("cannot watch files: {error}")),
    };
    for path in paths {
        let mode = if path.is_dir() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        if let Err(error) = watcher.watch(path, mode) {
            return fail(format_args!("cannot watch {}: {error}", path.display()));
        }
    }

    let mut previous = None;
    loop {
        match load() {
            Ok(settings) => {
                // A configuration file above the checked paths is watched too (its directory,
                // since editors replace files rather than write them in place).
                if let Some(config) = settings.config_file.as_deref().and_then(Path::parent) {
                    let _ = watcher.watch(config, RecursiveMode::NonRecursive);
                }
                let report = check(&settings);
                for error in &report.errors {
                    report_error(format_args!("{error}"));
                }
                let snapshot = Snapshot::of(&report);
                let written = match &previous {
                    None => write(|out| changes::render_first(&snapshot, options, out)),
                    Some(before) => {
                        let changes = changes::changes(before, &snapshot);
                        write(|out| changes::render_changes(&changes, snapshot.len(), options, out))
                    }
                };
                if written.is_err() {
                    // Nobody reads the output any more.
                    return ExitCode::SUCCESS;
                }
                previous = Some(snapshot);
            }
            Err(error) => report_error(format_args!("{error}")),
        }
        // Wait for a change, then for the burst it starts to end.
        match signals.recv() {
            Ok(Signal::Changed) => {}
            Ok(Signal::Interrupted) | Err(_) => return ExitCode::SUCCESS,
        }
        loop {
            match signals.recv_timeout(DEBOUNCE) {
                Ok(Signal::Changed) => {}
                Ok(Signal::Interrupted) => return ExitCode::SUCCESS,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
            }
        }
    }
}

/// A change to a Python file, a notebook or a configuration file (reads and metadata-only
/// events of other files are not).
fn is_relevant(event: &notify::Event) -> bool {
    !matches!(event.kind, EventKind::Access(_))
        && event.paths.iter().any(|path| {
            let name = path.file_name().and_then(|name| name.to_str());
            matches!(name, Some("pyproject.toml") | Some(CONFIG_FILE_NAME))
                || path
                    .extension()
                    .is_some_and(|ext| ext == "py" || ext == "pyi" || ext == "ipynb")
        })
}

fn write(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    render(&mut out)?;
    out.flush()
}

fn fail(message: std::fmt::Arguments<'_>) -> ExitCode {
    report_error(message);
    ExitCode::from(2)
}

fn report_error(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}
