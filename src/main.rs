//! The `loopwarden` command: argument parsing and exit codes; the work is in the library.
//!
//! Exit codes: 0 no findings (or `--exit-zero`), 1 findings (an unreadable file or
//! directory too: an LW002 finding), 2 a usage or configuration error (a path that does not
//! exist, a bad setting) or an internal error. A closed stdout
//! (`loopwarden check | head`) ends the output quietly.

mod cli;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use loopwarden::Buffer;
use loopwarden::output::{self, RenderOptions};
use loopwarden::registry::Rule;
use loopwarden::settings::{Overrides, Settings};

use crate::cli::{CheckArgs, Cli, Command};

const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

/// mimalloc: the analysis allocates many small strings and trees on two threads at once,
/// where it is markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (see mimalloc.h; not exported by the -sys crate).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A run is short and its peak is its footprint: returning freed pages to the OS only to
    // fault them (zeroed) back in for the next file cost about a seventh of the CPU time on
    // the benchmark corpus.
    // SAFETY: setting an allocator option is allowed at any time; -1 means "never purge".
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules => finish(write_stdout(|out| list_rules(out)), ExitCode::SUCCESS),
        Command::Rule { rule } => explain(&rule),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = Instant::now();
    let overrides = Overrides {
        select: args.select,
        ignore: args.ignore,
        extend_select: args.extend_select,
        target_version: args.target_version,
    };
    if args.stdin_filename.is_some() && args.fix {
        report_error(format_args!(
            "`--fix` cannot be used with `--stdin-filename`: there is no file to write"
        ));
        return ExitCode::from(EXIT_ERROR);
    }
    let start = match &args.stdin_filename {
        Some(path) => path.clone(),
        None => args.paths.first().cloned().unwrap_or_else(|| ".".into()),
    };
    let settings = match Settings::load(args.config.as_deref(), &start, &overrides) {
        Ok(settings) => settings,
        Err(error) => {
            report_error(format_args!("{error}"));
            return ExitCode::from(EXIT_ERROR);
        }
    };

    if args.show_files {
        let discovered = loopwarden::discovery::discover(&args.paths, &settings);
        for error in &discovered.errors {
            report_error(format_args!("{error}"));
        }
        let written = write_stdout(|out| output::render_file_list(&discovered, out));
        return finish(written, ExitCode::SUCCESS);
    }

    let mut report = match &args.stdin_filename {
        Some(path) => {
            let mut bytes = Vec::new();
            if let Err(error) = io::stdin().lock().read_to_end(&mut bytes) {
                report_error(format_args!("cannot read standard input: {error}"));
                return ExitCode::from(EXIT_ERROR);
            }
            let buffer = Buffer {
                path: path.clone(),
                bytes,
            };
            loopwarden::check_buffer(buffer, &settings)
        }
        None => loopwarden::check(&args.paths, &settings),
    };
    if args.fix {
        let fixed = loopwarden::fix::apply_fixes(&report, args.unsafe_fixes);
        for error in &fixed.errors {
            report_error(format_args!("{error}"));
        }
        if fixed.applied > 0 {
            let _ = writeln!(
                io::stderr(),
                "Fixed {} {} in {} {}.",
                fixed.applied,
                if fixed.applied == 1 {
                    "finding"
                } else {
                    "findings"
                },
                fixed.files,
                if fixed.files == 1 { "file" } else { "files" }
            );
            // Report what is left, on the fixed text.
            report = loopwarden::check(&args.paths, &settings);
        }
    }

    let render_started = Instant::now();
    let options = RenderOptions {
        color: use_color(),
        unsafe_fixes: args.unsafe_fixes,
    };
    let written = write_stdout(|out| {
        if args.statistics {
            output::render_statistics(&report, out)
        } else {
            output::render(args.output_format, &report, &options, out)
        }
    });
    report.timings.render = render_started.elapsed();

    for error in &report.errors {
        report_error(format_args!("{error}"));
    }
    if args.verbose {
        for skipped in &report.skipped {
            let _ = writeln!(
                io::stderr().lock(),
                "skipped {}: {}, not a regular file",
                skipped.display,
                skipped.kind
            );
        }
    }
    if args.timings {
        print_timings(&report.timings, started.elapsed());
    }

    // A file or directory that cannot be read is a finding (LW002), exit 1, as Ruff's E902.
    let code = if report.has_errors() {
        ExitCode::from(EXIT_ERROR)
    } else if report.finding_count() > 0 && !args.exit_zero {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    };
    finish(written, code)
}

fn print_timings(timings: &loopwarden::report::Timings, total: Duration) {
    let phases = [
        ("discover", timings.discover),
        ("parse", timings.parse),
        ("check", timings.check),
        ("link", timings.link),
        ("render", timings.render),
        ("total", total),
    ];
    let mut err = io::stderr().lock();
    for (name, duration) in phases {
        let _ = writeln!(
            err,
            "{name:<8} {:>10.3} ms",
            duration.as_secs_f64() * 1000.0
        );
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to a non-empty value.
fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && io::stdout().is_terminal()
}

fn list_rules(out: &mut dyn Write) -> io::Result<()> {
    let width = Rule::ALL
        .iter()
        .map(|rule| rule.name().len())
        .max()
        .unwrap_or(0);
    for rule in Rule::ALL {
        let default = if rule.enabled_by_default() {
            "default"
        } else {
            "off"
        };
        writeln!(out, "{}  {:<width$}  {default}", rule.code(), rule.name())?;
    }
    Ok(())
}

fn explain(query: &str) -> ExitCode {
    let found = Rule::from_code(query)
        .or_else(|| Rule::ALL.iter().copied().find(|rule| rule.name() == query));
    let Some(rule) = found else {
        report_error(format_args!(
            "unknown rule `{query}` (run `loopwarden rules` for the list)"
        ));
        return ExitCode::from(EXIT_ERROR);
    };
    let written = write_stdout(|out| {
        writeln!(out, "{} {}", rule.code(), rule.name())?;
        writeln!(out)?;
        let docs = loopwarden::rules::docs(rule).trim_end();
        writeln!(out, "{docs}")
    });
    finish(written, ExitCode::SUCCESS)
}

/// Runs `write` on a buffered, locked stdout and flushes it.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write(&mut out)?;
    out.flush()
}

/// The exit code after writing the output: a closed pipe is not an error worth a message
/// (the reader has what it wanted), any other write failure is.
fn finish(written: io::Result<()>, code: ExitCode) -> ExitCode {
    match written {
        Ok(()) => code,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => code,
        Err(error) => {
            report_error(format_args!("cannot write the output: {error}"));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints `error: message` on stderr; a closed stderr is ignored (never a panic).
fn report_error(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}
