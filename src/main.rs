//! The `loopwarden` command: argument parsing and exit codes; the work is in the library.
//!
//! Exit codes: 0 no findings (or `--exit-zero`), 1 findings (an unreadable file or
//! directory too: an LW002 finding), 2 a usage or configuration error (a path that does not
//! exist, a bad setting) or an internal error. A closed stdout
//! (`loopwarden check | head`) ends the output quietly.

mod cli;
mod fix_cli;
mod show_settings;
mod watch;

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use loopwarden::Buffer;
use loopwarden::analysis::TextUse;
use loopwarden::output::{self, OutputFormat, RenderOptions};
use loopwarden::parse_arena::{self, TreeEnd};
use loopwarden::registry::Rule;
use loopwarden::settings::{Overrides, Settings};

use crate::cli::{CheckArgs, Cli, Command};

const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

/// jemalloc, as Ruff has on Linux and macOS, with parse regions beside it for syntax trees
/// (`loopwarden::parse_arena`): the analysis allocates many small strings and trees on two
/// threads at once, where jemalloc is markedly faster than the system allocator.
/// Against mimalloc (this allocator until 2026-12), on a cold run over the benchmark
/// corpus: a tenth less peak RSS with no per-file scratch heap, and a tenth fewer CPU
/// samples on one thread (on two, the same within noise). mimalloc hands out a block by
/// reading the link stored in it, a cache miss on each first touch of memory (9 % of the
/// CPU samples); jemalloc's thread cache holds pointers in an array. docs/performance.md
/// has the figures.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: parse_arena::ParseArena<tikv_jemallocator::Jemalloc> =
    parse_arena::ParseArena::new(tikv_jemallocator::Jemalloc);

/// jemalloc's options, read once before its first allocation. One arena instead of four per
/// CPU: the summaries are made on every worker thread and all kept until the link, and with
/// one arena the pages a thread frees after a file (its semantic model, its hash tables) are
/// reused by any thread's next allocations instead of staying with their own arena. On the
/// benchmark corpus, two alternating runs of 9 and 7 cold runs: 189.4 to 181.1 and 190.7 to
/// 181.5 MiB of peak RSS; the median wall 1.75 to 1.77 and 1.71 to 1.73 s (each thread's
/// cache of small blocks takes most allocations without the arena's lock).
/// `_RJEM_MALLOC_CONF` in the environment still overrides it.
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static JEMALLOC_OPTIONS: JemallocOptions = JemallocOptions(c"narenas:1".as_ptr());

/// A pointer to a C string, as jemalloc reads its options: a thin pointer, unlike `&CStr`.
#[cfg(not(target_env = "msvc"))]
#[repr(transparent)]
struct JemallocOptions(*const std::ffi::c_char);

// SAFETY: the pointer is to a string literal, never written.
#[cfg(not(target_env = "msvc"))]
unsafe impl Sync for JemallocOptions {}

fn main() -> ExitCode {
    disable_huge_pages();
    exit_on_panic();
    let cli = Cli::parse();
    run(cli.command)
}

fn run(command: Command) -> ExitCode {
    // A one-shot check forgets its syntax trees; a process that analyses again and again
    // (the language server, `--watch`) drops them (`parse_arena::TreeEnd` says why).
    let trees = match &command {
        Command::Check(args) if !args.watch => TreeEnd::Forgotten,
        _ => TreeEnd::Dropped,
    };
    #[cfg(not(target_env = "msvc"))]
    parse_arena::enable(parse_arena::Config::new(trees));
    #[cfg(target_env = "msvc")]
    let _ = trees;
    match command {
        Command::Check(args) => check(*args),
        Command::Rules => finish(write_stdout(|out| list_rules(out)), ExitCode::SUCCESS),
        Command::Rule { rule } => explain(&rule),
        Command::Clean(args) => clean(&args),
        Command::Server => match loopwarden::server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                report_error(format_args!("language server: {error:#}"));
                ExitCode::from(EXIT_ERROR)
            }
        },
    }
}

/// No transparent huge pages for this process. The allocator maps memory in large aligned
/// stretches, and where the kernel backs those with huge pages (its THP mode `always`), the
/// first touch of each 2 MiB zeroes all of it, while a file's analysis touches a little of
/// many: on the benchmark corpus (under mimalloc, which asked for huge pages) that zeroing
/// was a fifth of the CPU time, and huge pages 70 MB of the peak RSS.
fn disable_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and touches no memory of ours; a
    // kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = Instant::now();
    let text_use = text_use(&args);
    let mut extend_select = args.extend_select;
    if args.report_unused_noqa {
        extend_select.push(Rule::UnusedNoqa.code().to_string());
    }
    let overrides = Overrides {
        select: args.select,
        ignore: args.ignore,
        extend_select,
        target_version: args.target_version,
        exclude: args.exclude,
        extend_exclude: args.extend_exclude,
        force_exclude: args.force_exclude,
    };
    if args.stdin_filename.is_some() && (args.fix || args.fix_only || args.diff) {
        report_error(format_args!(
            "`--fix`, `--fix-only` and `--diff` cannot be used with `--stdin-filename`: there is no file to fix"
        ));
        return ExitCode::from(EXIT_ERROR);
    }
    let start = match &args.stdin_filename {
        Some(path) => path.clone(),
        None => args.paths.first().cloned().unwrap_or_else(|| ".".into()),
    };
    let load = || Settings::load(args.config.as_deref(), &start, &overrides);
    let settings = match load() {
        Ok(settings) => settings,
        Err(error) => {
            report_error(format_args!("{error}"));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if args.show_settings {
        let written = write_stdout(|out| show_settings::write(&settings, &start, out));
        return finish(written, ExitCode::SUCCESS);
    }
    let options = RenderOptions {
        color: args.output_file.is_none() && use_color(),
        unsafe_fixes: args.unsafe_fixes,
        quiet: args.quiet,
    };
    if args.watch {
        return watch::run(
            &args.paths,
            args.output_format,
            load,
            &options,
            args.verbose,
        );
    }

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
            if settings.force_exclude && settings.is_excluded(path) {
                loopwarden::report::Report::default()
            } else if args.no_cache {
                loopwarden::check_buffer(buffer, &settings)
            } else {
                let directory = cache_directory(&args.cache, &settings);
                let (report, stats) =
                    loopwarden::cache::check_buffer(buffer, &settings, &directory);
                if args.verbose {
                    let _ = writeln!(io::stderr(), "{stats}");
                }
                report
            }
        }
        None => check_paths(
            &args.paths,
            args.no_cache,
            &args.cache,
            args.verbose,
            &settings,
            text_use,
        ),
    };
    let fix_only = args.fix_only;
    // A file the fixes could not be written to (read-only, changed meanwhile) is an error.
    let mut fix_failed = false;
    if args.fix || args.fix_only || args.diff {
        let mode = if args.diff {
            fix_cli::Mode::Diff
        } else {
            fix_cli::Mode::Write
        };
        let cache = (!args.no_cache).then(|| cache_directory(&args.cache, &settings));
        let fixed = fix_cli::fix(
            report,
            &args.paths,
            &settings,
            cache.as_deref(),
            args.unsafe_fixes,
            mode,
            args.show_fixes,
        );
        for error in &fixed.errors {
            report_error(format_args!("{error}"));
        }
        let remaining = fixed.remaining.finding_count();
        if mode == fix_cli::Mode::Diff {
            let _ = writeln!(
                io::stderr(),
                "Would fix {} ({remaining} remaining).",
                fix_cli::count_text(fixed.applied, fixed.files)
            );
            let code = if !fixed.errors.is_empty() {
                EXIT_ERROR
            } else {
                u8::from(fixed.files > 0)
            };
            return ExitCode::from(code);
        }
        if fix_only {
            let _ = writeln!(
                io::stderr(),
                "Fixed {} ({remaining} remaining).",
                fix_cli::count_text(fixed.applied, fixed.files)
            );
            let failed = !fixed.errors.is_empty() || fixed.remaining.has_errors();
            return ExitCode::from(if failed { EXIT_ERROR } else { 0 });
        }
        if fixed.applied > 0 && !args.quiet && !args.silent {
            let _ = writeln!(
                io::stderr(),
                "Fixed {}.",
                fix_cli::count_text(fixed.applied, fixed.files)
            );
        }
        report = fixed.remaining;
        fix_failed = !fixed.errors.is_empty();
    }

    if let Some(path) = &args.runtime_report
        && let Err(error) = join_runtime_report(&mut report, path, &settings)
    {
        report_error(format_args!("{error}"));
        return ExitCode::from(EXIT_ERROR);
    }

    let render_started = Instant::now();
    let render = |out: &mut dyn Write| {
        if args.statistics {
            output::render_statistics(&report, out)
        } else {
            output::render(args.output_format, &report, &options, out)
        }
    };
    let written = match &args.output_file {
        Some(path) => write_file(path, render),
        None if args.silent => Ok(()),
        None => write_stdout(render),
    };
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

    // A file or directory that cannot be read is a finding (LW002), exit 1, as Ruff's E902;
    // exit 2 is for usage, configuration and internal errors, and fixes that could not be
    // written.
    let code = if fix_failed || report.has_errors() {
        ExitCode::from(EXIT_ERROR)
    } else if report.finding_count() > 0 && !args.exit_zero {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    };
    // The process exits next: freeing every finding, path and text one at a time is work
    // nobody waits for (about 6 M instructions on a cached run of the benchmark corpus).
    std::mem::forget(report);
    finish(written, code)
}

/// What the run does with the files with findings after the check: only code frames, fixes
/// and runtime observations read their text.
fn text_use(args: &CheckArgs) -> TextUse {
    let shows_frames = args.output_format == OutputFormat::Text && !args.statistics;
    if shows_frames || args.fix || args.fix_only || args.diff || args.runtime_report.is_some() {
        TextUse::Text
    } else {
        TextUse::Positions
    }
}

/// Checks `paths`, through the cache unless `--no-cache`; `--verbose` says what it did.
fn check_paths(
    paths: &[std::path::PathBuf],
    no_cache: bool,
    cache: &cli::CacheArgs,
    verbose: bool,
    settings: &Settings,
    text_use: TextUse,
) -> loopwarden::report::Report {
    if no_cache {
        return loopwarden::analysis::check_for(paths, settings, text_use);
    }
    let directory = cache_directory(cache, settings);
    let (report, stats) = loopwarden::cache::check(paths, settings, &directory, text_use);
    if verbose {
        let _ = writeln!(io::stderr(), "{stats}");
    }
    report
}

/// The cache directory: `--cache-dir` (or `LOOPWARDEN_CACHE_DIR`), else the project's.
fn cache_directory(args: &cli::CacheArgs, settings: &Settings) -> std::path::PathBuf {
    args.cache_dir
        .clone()
        .unwrap_or_else(|| loopwarden::cache::default_directory(settings))
}

/// `loopwarden clean`: removes the cache of the project in the current directory.
fn clean(args: &cli::CacheArgs) -> ExitCode {
    let settings = match Settings::load(None, Path::new("."), &Overrides::default()) {
        Ok(settings) => settings,
        Err(error) => {
            report_error(format_args!("{error}"));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let directory = cache_directory(args, &settings);
    match loopwarden::cache::clean(&directory) {
        Ok(removed) => {
            if removed {
                let _ = writeln!(io::stderr(), "Removed {}", directory.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            report_error(format_args!(
                "cannot remove {}: {error}",
                directory.display()
            ));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `--runtime-report`: joins the report's observations with the findings, and says on stderr
/// what came of them.
fn join_runtime_report(
    report: &mut loopwarden::report::Report,
    path: &std::path::Path,
    settings: &Settings,
) -> Result<(), String> {
    let observations = loopwarden::runtime_report::read(path)?;
    let joined = loopwarden::runtime_report::join(report, observations, settings);
    let _ = writeln!(
        io::stderr(),
        "Runtime report: {} observations; {} findings seen at run time, {} runtime only, {} not reported (files not checked, rules off, or rows past the end).",
        joined.observations,
        joined.confirmed,
        joined.runtime_only,
        joined.not_reported
    );
    Ok(())
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
    let found = Rule::from_code(query).or_else(|| {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.name().eq_ignore_ascii_case(query))
    });
    let Some(rule) = found else {
        report_error(format_args!(
            "unknown rule `{query}` (run `loopwarden rules` for the list)"
        ));
        return ExitCode::from(EXIT_ERROR);
    };
    let written = write_stdout(|out| output::render_rule(rule, use_color(), out));
    finish(written, ExitCode::SUCCESS)
}

/// Runs `write` on a buffered, locked stdout and flushes it.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write(&mut out)?;
    out.flush()
}

/// `--output-file`: writes the report to `path`, creating its directory.
fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let with_path =
        |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(with_path)?;
    }
    let file = std::fs::File::create(path).map_err(with_path)?;
    let mut out = io::BufWriter::new(file);
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

/// A panic (a bug: no input is meant to cause one) ends the run with exit code 2, an
/// internal error as the exit codes promise, instead of Rust's 101 or an abort's signal. The
/// release build does not unwind (`panic = "abort"` in Cargo.toml: the unwinding paths cost
/// 3 % of the instructions of a cold run), so nothing can catch a panic on its way out: the
/// hook, which runs first on whichever thread panicked, prints the panic's own message (and
/// where it happened), then says what it means, then exits.
fn exit_on_panic() {
    let print_panic = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        print_panic(info);
        report_error(format_args!(
            "internal error: loopwarden stopped on a bug (the message above says where); \
             please report it with the file that caused it"
        ));
        std::process::exit(i32::from(EXIT_ERROR));
    }));
}

/// Prints `error: message` on stderr; a closed stderr is ignored (never a panic).
fn report_error(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test binary runs itself with this variable set: the child installs the hook and
    /// panics, and the parent reads how it ended.
    const PANIC_CHILD: &str = "LOOPWARDEN_TEST_PANIC_CHILD";

    #[test]
    fn a_panic_exits_as_an_internal_error_with_its_message() {
        if std::env::var_os(PANIC_CHILD).is_some() {
            exit_on_panic();
            // On another thread, as in the analysis pool: the whole process still ends.
            let worker = std::thread::spawn(|| panic!("a bug in a worker"));
            let _ = worker.join();
            unreachable!("the hook exits before the panic unwinds");
        }
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "tests::a_panic_exits_as_an_internal_error_with_its_message",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(PANIC_CHILD, "1")
            .output()
            .expect("the test binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(i32::from(EXIT_ERROR)),
            "{stderr}"
        );
        assert!(stderr.contains("a bug in a worker"), "{stderr}");
        assert!(stderr.contains("error: internal error"), "{stderr}");
        assert!(!stderr.contains("unreachable"), "{stderr}");
    }
}
