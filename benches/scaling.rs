//! How loopwarden's phases grow with the project: generated projects of 10 to 10,000
//! modules (see `support/generate.rs`), each phase of the analysis API timed on its own,
//! and single files of 1 to 16 MB. Linear scaling shows as a constant time per module
//! (per MB) across sizes; `scripts/bench/scaling-table.py` prints that table from
//! criterion's results.
//!
//! ```sh
//! cargo bench --bench scaling                 # every group (a few minutes)
//! cargo bench --bench scaling -- --quick      # fewer samples, for a quick look
//! cargo bench --bench scaling -- link         # one group
//! python3 scripts/bench/scaling-table.py      # the table, from target/criterion
//! ```
//!
//! What is measured is the CPU time of the process (user and system, every thread), not
//! wall time: the question is how the work grows, and CPU time hardly moves when other
//! processes share the machine, where wall time can double. `LW_BENCH_CLOCK=wall` measures
//! wall time instead; its groups are named `wall-analyse` and so on.
//!
//! The groups, per project size (criterion's parameter is the number of modules):
//! - `analyse`: [`analyse_source`] on every file's text, one after the other on one thread
//!   (parse, single-file rules, summary), so the time is the work, not the thread count;
//! - `link`: [`link`] over those analyses (the call graph and the facts);
//! - `project-rules`: [`project_diagnostics`] over the linked project;
//! - `whole-check`: [`loopwarden::check`] on the project's directory, as the command runs it
//!   (discovery, reading, parallel analysis, link, rules, report);
//!
//! and per file size (the parameter is megabytes):
//! - `file-analyse`: [`analyse_source`] on one generated file;
//! - `file-project`: [`link`] and [`project_diagnostics`] on that one file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use loopwarden::analysis::{FileAnalysis, ProjectRoots, analyse_source, link, project_diagnostics};
use loopwarden::discovery::module_name::{ModuleName, ModuleNamer};
use loopwarden::discovery::{self, SourcePath};
use loopwarden::settings::Settings;

#[path = "support/cpu_time.rs"]
mod cpu_time;
#[path = "support/generate.rs"]
mod generate;

/// The command's allocator (`src/main.rs`), so that the figures are the command's:
/// allocation is a good part of the work.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Project sizes, in modules.
const MODULES: &[usize] = &[10, 100, 1_000, 10_000];

/// Single-file sizes, in MB.
const FILE_MB: &[usize] = &[1, 4, 16];

/// A generated project on disk, discovered and read as `check` would.
struct Project {
    /// Keeps the directory alive for the `check` group.
    dir: tempfile::TempDir,
    files: Vec<SourcePath>,
    names: Vec<ModuleName>,
    texts: Vec<String>,
    roots: ProjectRoots,
}

impl Project {
    fn generate(modules: usize, settings: &Settings) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("loopwarden-scaling-")
            .tempdir()
            .expect("a temporary directory");
        write_files(dir.path(), &generate::project(modules));
        let discovered = discovery::discover(&[dir.path().to_path_buf()], settings);
        assert_eq!(
            discovered.files.len(),
            modules,
            "every generated file is found"
        );
        let mut namer = ModuleNamer::default();
        let names: Vec<ModuleName> = discovered
            .files
            .iter()
            .map(|file| namer.name(&file.path, &file.display))
            .collect();
        let texts = discovered
            .files
            .iter()
            .map(|file| std::fs::read_to_string(&file.path).expect("a generated file"))
            .collect();
        let roots = ProjectRoots::of(&names);
        Self {
            dir,
            files: discovered.files,
            names,
            texts,
            roots,
        }
    }

    fn analyse(&self, settings: &Settings) -> Vec<FileAnalysis> {
        self.files
            .iter()
            .zip(&self.names)
            .zip(&self.texts)
            .map(|((file, name), text)| {
                analyse_source(file, text.clone(), name, Some(&self.roots), settings)
            })
            .collect()
    }
}

fn write_files(root: &Path, files: &[(String, String)]) {
    for (path, text) in files {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a package directory");
        }
        std::fs::write(&path, text).expect("write a generated module");
    }
}

/// The CPU time the whole process has used (every thread, user and system).
struct ProcessCpuTime {
    /// Lends its formatter: the values are durations all the same.
    wall: WallTime,
}

impl Measurement for ProcessCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        cpu_time::process_cpu_time()
    }
    fn end(&self, started: Duration) -> Duration {
        cpu_time::process_cpu_time().saturating_sub(started)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

/// A group named `name` (`wall-name` under wall time). Few samples, each one batch of
/// iterations: one iteration of the largest sizes takes seconds.
fn new_group<'c, M: Measurement>(
    c: &'c mut Criterion<M>,
    prefix: &str,
    name: &str,
) -> BenchmarkGroup<'c, M> {
    let mut group = c.benchmark_group(format!("{prefix}{name}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group
}

fn project_phases<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let settings = Settings::default();
    let projects: Vec<(usize, Project)> = MODULES
        .iter()
        .map(|&modules| (modules, Project::generate(modules, &settings)))
        .collect();

    let mut group = new_group(c, prefix, "analyse");
    for (modules, project) in &projects {
        group.throughput(Throughput::Elements(*modules as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(modules),
            project,
            |b, project| {
                b.iter(|| project.analyse(&settings));
            },
        );
    }
    group.finish();

    let analysed: Vec<(usize, Vec<FileAnalysis>)> = projects
        .iter()
        .map(|(modules, project)| (*modules, project.analyse(&settings)))
        .collect();

    let mut group = new_group(c, prefix, "link");
    for (modules, files) in &analysed {
        group.throughput(Throughput::Elements(*modules as u64));
        group.bench_with_input(BenchmarkId::from_parameter(modules), files, |b, files| {
            b.iter(|| link(files, &settings));
        });
    }
    group.finish();

    let mut group = new_group(c, prefix, "project-rules");
    for (modules, files) in &analysed {
        let linked = link(files, &settings);
        group.throughput(Throughput::Elements(*modules as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(modules),
            &linked,
            |b, linked| {
                b.iter(|| project_diagnostics(linked, &settings));
            },
        );
    }
    group.finish();
    drop(analysed);

    let mut group = new_group(c, prefix, "whole-check");
    for (modules, project) in &projects {
        let paths: Vec<PathBuf> = vec![project.dir.path().to_path_buf()];
        group.throughput(Throughput::Elements(*modules as u64));
        group.bench_with_input(BenchmarkId::from_parameter(modules), &paths, |b, paths| {
            b.iter(|| loopwarden::check(paths, &settings));
        });
    }
    group.finish();
}

fn single_files<M: Measurement>(c: &mut Criterion<M>, prefix: &str) {
    let settings = Settings::default();
    let files: Vec<(usize, SourcePath, ModuleName, String)> = FILE_MB
        .iter()
        .map(|&mb| {
            let source = SourcePath {
                path: PathBuf::from(format!("huge_{mb}mb.py")),
                display: format!("huge_{mb}mb.py"),
                seen_regular: false,
            };
            let name = ModuleName {
                name: format!("huge_{mb}mb"),
                is_package: false,
                aliases: Vec::new(),
            };
            (mb, source, name, generate::single_file(mb << 20))
        })
        .collect();

    let mut group = new_group(c, prefix, "file-analyse");
    for (mb, source, name, text) in &files {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(mb), |b| {
            b.iter(|| analyse_source(source, text.clone(), name, None, &settings));
        });
    }
    group.finish();

    let mut group = new_group(c, prefix, "file-project");
    for (mb, source, name, text) in &files {
        let analysed = [analyse_source(source, text.clone(), name, None, &settings)];
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(mb), |b| {
            b.iter(|| {
                let linked = link(&analysed, &settings);
                project_diagnostics(&linked, &settings)
            });
        });
    }
    group.finish();
}

fn run<M: Measurement>(mut c: Criterion<M>, prefix: &str) {
    project_phases(&mut c, prefix);
    single_files(&mut c, prefix);
    c.final_summary();
}

fn main() {
    let wall = std::env::var("LW_BENCH_CLOCK").is_ok_and(|clock| clock == "wall");
    if wall {
        run(Criterion::default().configure_from_args(), "wall-");
    } else {
        let clock = ProcessCpuTime { wall: WallTime };
        run(
            Criterion::default()
                .with_measurement(clock)
                .configure_from_args(),
            "",
        );
    }
}
