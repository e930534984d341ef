//! The link and the whole-project rules of one generated project, run once each, for counting
//! their instructions: criterion's times (`benches/scaling.rs`) cannot tell more work from
//! slower memory, an instruction count can. Not a criterion benchmark: a plain binary that
//! `callgrind` runs, counting only inside `counted_link` and `counted_project_rules`.
//!
//! ```sh
//! cargo bench --bench link_work --no-run          # prints the binary's path
//! LW_MODULES=10000 RAYON_NUM_THREADS=1 valgrind --tool=callgrind \
//!   --toggle-collect='link_work::counted_link' \
//!   --toggle-collect='link_work::counted_project_rules' BIN
//! ```
//!
//! Count with one thread (`RAYON_NUM_THREADS=1`): work another thread steals runs outside
//! the counted functions' stacks. `LW_MODULES` is the project's size (1,000 unless told), the same generated project as the
//! scaling benchmark's. `LW_REPEAT=n` links (and runs the rules) `n` times and prints the
//! median wall and CPU time (of the process: with `RAYON_NUM_THREADS=1`, of the phase) of
//! each per module: a quick reading between two changes, no substitute for
//! the benchmark. `LW_PROJECT_DIR=dir` writes the project there and keeps it.

use std::time::{Duration, Instant};

use loopwarden::analysis::{
    FileAnalysis, LinkedProject, ProjectRoots, analyse_source, link, project_diagnostics,
};
use loopwarden::diagnostic::Diagnostic;
use loopwarden::discovery::module_name::ModuleNamer;
use loopwarden::discovery::{self, SourcePath};
use loopwarden::settings::Settings;

#[path = "support/cpu_time.rs"]
mod cpu_time;
// Only the projects are used here, not the single files.
#[allow(dead_code)]
#[path = "support/generate.rs"]
mod generate;

/// The command's allocator, as in `benches/scaling.rs`.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn analysed_project(modules: usize, settings: &Settings) -> Vec<FileAnalysis> {
    let dir = tempfile::Builder::new()
        .prefix("loopwarden-link-work-")
        .tempdir()
        .expect("a temporary directory");
    // `LW_PROJECT_DIR` keeps the project there, for comparing two builds' output on it.
    let root = std::env::var_os("LW_PROJECT_DIR")
        .map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from);
    for (path, text) in generate::project(modules) {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a package directory");
        }
        std::fs::write(&path, text).expect("write a generated module");
    }
    let discovered = discovery::discover(&[root], settings);
    let files: Vec<SourcePath> = discovered.files;
    let mut namer = ModuleNamer::default();
    let names: Vec<_> = files
        .iter()
        .map(|file| namer.name(&file.path, &file.display))
        .collect();
    let roots = ProjectRoots::of(&names);
    files
        .iter()
        .zip(&names)
        .map(|(file, name)| {
            let text = std::fs::read_to_string(&file.path).expect("a generated file");
            analyse_source(file, text, name, Some(&roots), settings)
        })
        .collect()
}

/// The link alone, under a name callgrind can be told to count in.
#[inline(never)]
fn counted_link<'a>(files: &'a [FileAnalysis], settings: &Settings) -> LinkedProject<'a> {
    link(files, settings)
}

/// The whole-project rules alone, likewise.
#[inline(never)]
fn counted_project_rules(linked: &LinkedProject, settings: &Settings) -> Vec<Vec<Diagnostic>> {
    project_diagnostics(linked, settings)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let modules: usize = std::env::var("LW_MODULES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000);
    let repeat: usize = std::env::var("LW_REPEAT")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1)
        .max(1);
    let settings = Settings::default();
    let files = analysed_project(modules, &settings);
    let mut link_times = Vec::new();
    let mut rule_times = Vec::new();
    let mut link_cpu = Vec::new();
    let mut rule_cpu = Vec::new();
    let mut findings = 0;
    // The link runs on rayon's pool: run the whole of it inside the pool, so that with one
    // thread every instruction is counted under `counted_link` (called from outside the
    // pool, its work would run on a pool thread whose stack does not hold it).
    let pool = rayon::ThreadPoolBuilder::new()
        .build()
        .expect("a thread pool");
    pool.install(|| {
        for _ in 0..repeat {
            let (started, cpu) = (Instant::now(), cpu_time::process_cpu_time());
            let linked = counted_link(&files, &settings);
            link_times.push(started.elapsed());
            link_cpu.push(cpu_time::process_cpu_time().saturating_sub(cpu));
            let (started, cpu) = (Instant::now(), cpu_time::process_cpu_time());
            let diagnostics = counted_project_rules(&linked, &settings);
            rule_times.push(started.elapsed());
            rule_cpu.push(cpu_time::process_cpu_time().saturating_sub(cpu));
            findings = diagnostics.iter().map(Vec::len).sum::<usize>();
        }
    });
    let per_module = |time: Duration| time.as_secs_f64() * 1e6 / modules as f64;
    println!(
        "{modules} modules, {findings} project findings; median of {repeat}, µs per module: \
         link {:.2} (CPU {:.2}), project rules {:.2} (CPU {:.2})",
        per_module(median(link_times)),
        per_module(median(link_cpu)),
        per_module(median(rule_times)),
        per_module(median(rule_cpu)),
    );
}
