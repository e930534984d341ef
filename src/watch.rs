//! `check --watch`: check, then check again whenever a Python file or a configuration file
//! under the checked paths changes, printing what changed (`output::changes`).
//!
//! Editors save in bursts (a temporary file, a rename, a metadata touch): events are
//! collected until none has come for [`DEBOUNCE`], then the project is checked once. The
//! project is kept in memory between runs ([`loopwarden::cache::memory`]): a re-check
//! analyses the files the events name, and links the project again only when what the link
//! reads of them changed; a file created or deleted, or a configuration file changed, starts
//! it over. The configuration is read again on every run, so editing it takes effect.
//! Ctrl-C ends the watch with exit code 0.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loopwarden::cache::memory::Session;
use loopwarden::output::changes::{self, Snapshot};
use loopwarden::output::{OutputFormat, RenderOptions};
use loopwarden::settings::{CONFIG_FILE_NAME, Settings, SettingsError};
use notify::{EventKind, RecursiveMode, Watcher};

/// How long the files must be quiet before a re-check. An editor's save (a temporary
/// file written, renamed over the module, its time set) is over in a few milliseconds; a
/// re-check of an edit costs about a millisecond when the link is re-used, so the wait is
/// most of the time from a save to its report, and is kept short. A burst split in two
/// costs one more cheap re-check.
const DEBOUNCE: Duration = Duration::from_millis(50);

enum Signal {
    /// These paths changed.
    Changed(Vec<PathBuf>),
    Interrupted,
}

/// Watches `paths`, loading the settings with `load` for every run. Returns when
/// interrupted (0), or when watching cannot start (2). Changes are printed as text (the
/// `text` and `concise` formats alike): a machine format cannot say "what changed".
/// `verbose` says on stderr how long each re-check took and what it did.
pub fn run(
    paths: &[PathBuf],
    format: OutputFormat,
    load: impl Fn() -> Result<Settings, SettingsError>,
    options: &RenderOptions,
    verbose: bool,
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
        if let Ok(event) = event
            && !matches!(event.kind, EventKind::Access(_))
        {
            // Only the paths that matter: an editor's temporary file renamed over a module
            // names both, and the session starts over for a path it does not know.
            let paths: Vec<PathBuf> = event
                .paths
                .into_iter()
                .filter(|path| is_relevant(path))
                .collect();
            if !paths.is_empty() {
                let _ = sender.send(Signal::Changed(paths));
            }
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
    let mut session: Option<Session> = None;
    // The paths changed since the last run that checked them.
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        match load() {
            Ok(settings) => {
                // A configuration file above the checked paths is watched too (its directory,
                // since editors replace files rather than write them in place).
                if let Some(config) = settings.config_file.as_deref().and_then(Path::parent) {
                    let _ = watcher.watch(config, RecursiveMode::NonRecursive);
                }
                let started = Instant::now();
                let (report, update) = match &mut session {
                    Some(session) => {
                        let update = session.update(&changed, &settings);
                        (session.report(), Some(update))
                    }
                    None => (
                        session.insert(Session::start(paths, &settings)).report(),
                        None,
                    ),
                };
                changed.clear();
                for error in &report.errors {
                    report_error(format_args!("{error}"));
                }
                let snapshot = Snapshot::of(report);
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
                if verbose && let Some(update) = update {
                    report_progress(format_args!(
                        "re-checked in {:.1} ms (changes printed): {} files analysed, {}",
                        started.elapsed().as_secs_f64() * 1000.0,
                        update.analysed,
                        if update.restarted {
                            "walked and linked again"
                        } else if update.linked {
                            "linked again"
                        } else if update.moved > 0 {
                            "link re-used, findings moved with the code"
                        } else {
                            "link re-used"
                        }
                    ));
                }
                previous = Some(snapshot);
            }
            Err(error) => report_error(format_args!("{error}")),
        }
        // Wait for a change, then for the burst it starts to end.
        match signals.recv() {
            Ok(Signal::Changed(paths)) => changed.extend(paths),
            Ok(Signal::Interrupted) | Err(_) => return ExitCode::SUCCESS,
        }
        loop {
            match signals.recv_timeout(DEBOUNCE) {
                Ok(Signal::Changed(paths)) => changed.extend(paths),
                Ok(Signal::Interrupted) => return ExitCode::SUCCESS,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
            }
        }
    }
}

/// A Python file, a notebook or a configuration file (reads, and other files, are not
/// changes that matter).
fn is_relevant(path: &Path) -> bool {
    let name = path.file_name().and_then(|name| name.to_str());
    matches!(name, Some("pyproject.toml") | Some(CONFIG_FILE_NAME))
        || path
            .extension()
            .is_some_and(|ext| ext == "py" || ext == "pyi" || ext == "ipynb")
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

fn report_progress(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_python_files_and_configuration_files_are_changes() {
        for path in [
            "app/db.py",
            "/p/stubs.pyi",
            "n.ipynb",
            "pyproject.toml",
            CONFIG_FILE_NAME,
        ] {
            assert!(is_relevant(Path::new(path)), "{path}");
        }
        // An editor's temporary file, renamed over the module: the event names both, and
        // only the module is a change (an unknown path would start the session over).
        for path in [
            "app/db.py.saving",
            "app/.db.py.swp",
            "app/db.py~",
            "README.md",
        ] {
            assert!(!is_relevant(Path::new(path)), "{path}");
        }
    }
}
