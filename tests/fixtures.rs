//! The fixture runner. Each `tests/fixtures/<rule_name>.py` (or a directory of modules,
//! for whole-project rules) states its expectations inline, on the line they concern:
//!
//! ```python
//! time.sleep(1)  # error: [LW101]
//! await asyncio.sleep(1)  # ok: the async API
//! ```
//!
//! A line may expect several findings (`# error: [LW101] [LW105]`). The runner checks every
//! rule (on-by-default or not) and fails on any finding not expected and any expectation
//! not found, naming the file and line. A first-line comment
//! `# fixture: target-version = py311` sets the target version.
//!
//! A notebook (`.ipynb`) in a fixture directory states its expectations the same way, in its
//! code cells; lines are counted in its code cells concatenated, as the analysis reads them.

use crate::common::python_files;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use loopwarden::registry::Rule;
use loopwarden::settings::Settings;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// (file, row) → the codes expected there, from `# error: [CODE]` comments.
fn expectations(root: &Path) -> BTreeMap<(String, usize), Vec<String>> {
    let mut expected = BTreeMap::new();
    for file in python_files(root).into_iter().chain(notebook_files(root)) {
        let text = std::fs::read_to_string(&file).expect("fixture is UTF-8");
        let text = if loopwarden::notebook::is_notebook(&file) {
            loopwarden::notebook::read(&text)
                .expect("fixture notebook is valid")
                .source
        } else {
            text
        };
        for (index, line) in text.lines().enumerate() {
            let Some(at) = line.find("# error:") else {
                continue;
            };
            let mut codes = Vec::new();
            let mut rest = &line[at + "# error:".len()..];
            while let Some(open) = rest.find('[') {
                let Some(close) = rest[open..].find(']') else {
                    break;
                };
                codes.push(rest[open + 1..open + close].trim().to_string());
                rest = &rest[open + close + 1..];
            }
            assert!(
                !codes.is_empty(),
                "{}:{}: `# error:` names no [CODE]",
                file.display(),
                index + 1
            );
            codes.sort();
            expected.insert((file.display().to_string(), index + 1), codes);
        }
    }
    expected
}

fn settings_for(root: &Path) -> Settings {
    // Each fixture is a project of its own (rooted at its directory), not this
    // repository's test code, so `test-ignore` does not apply to it.
    let project_root = if root.is_file() {
        root.parent()
    } else {
        Some(root)
    };
    let mut settings = Settings {
        rules: Rule::ALL.iter().copied().collect(),
        project_root: project_root.map(loopwarden::settings::absolutize),
        ..Settings::default()
    };
    let header_file = if root.is_file() {
        root.to_path_buf()
    } else {
        root.join("__init__.py")
    };
    let header = std::fs::read_to_string(header_file).unwrap_or_default();
    for line in header.lines().take_while(|line| line.starts_with('#')) {
        let Some(option) = line.strip_prefix("# fixture:") else {
            continue;
        };
        let (key, value) = option
            .split_once('=')
            .expect("fixture option is key = value");
        match key.trim() {
            "target-version" => {
                let minor = value
                    .trim()
                    .strip_prefix("py3")
                    .expect("py3XX")
                    .parse()
                    .expect("minor version");
                settings.target_version = ruff_python_ast::PythonVersion { major: 3, minor };
            }
            "sync-hooks" => {
                settings.sync_hooks = value
                    .split(',')
                    .map(|hook| hook.trim().to_string())
                    .collect()
            }
            other => panic!("unknown fixture option {other}"),
        }
    }
    settings
}

fn run_fixture(name: &str) {
    let dir = fixtures_dir();
    let root = if dir.join(name).is_dir() {
        dir.join(name)
    } else {
        dir.join(format!("{name}.py"))
    };
    assert!(root.exists(), "no fixture {}", root.display());
    let expected = expectations(&root);
    assert!(
        !expected.is_empty(),
        "{}: a fixture must expect at least one finding",
        root.display()
    );
    let report = loopwarden::check(std::slice::from_ref(&root), &settings_for(&root));
    assert!(report.errors.is_empty(), "errors: {:?}", report.errors);

    let mut found: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    let mut messages: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    for finding in report.findings() {
        let key = (finding.filename.clone(), finding.location.row);
        found
            .entry(key.clone())
            .or_default()
            .push(finding.rule.code().to_string());
        messages.entry(key).or_default().push(format!(
            "{} {}",
            finding.rule.code(),
            finding.message
        ));
    }
    found.values_mut().for_each(|codes| codes.sort());

    let mut problems = Vec::new();
    for (key, codes) in &expected {
        let actual = found.get(key).cloned().unwrap_or_default();
        if &actual != codes {
            problems.push(format!(
                "{}:{}: expected {codes:?}, found {actual:?} {:?}",
                key.0,
                key.1,
                messages.get(key)
            ));
        }
    }
    for (key, codes) in &found {
        if !expected.contains_key(key) {
            problems.push(format!(
                "{}:{}: unexpected {codes:?}: {:?}",
                key.0,
                key.1,
                messages.get(key)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture {name}:\n{}",
        problems.join("\n")
    );

    // Every fix, safe and unsafe, applied together, leaves code that still parses.
    for file in &report.files {
        if let Some((fixed, _)) = loopwarden::fix::fixed_source(file, true) {
            let source_type = ruff_python_ast::PySourceType::from(&file.display_path);
            let parsed = ruff_python_parser::parse_unchecked_source(&fixed, source_type);
            assert!(
                parsed.errors().is_empty(),
                "{}: the fixed file does not parse:\n{fixed}",
                file.display_path
            );
        }
    }
}

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { run_fixture(stringify!($name)); } )*

        /// Every fixture on disk is run by a test above.
        #[test]
        fn every_fixture_is_listed() {
            let listed = [$(stringify!($name)),*];
            for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
                let path = entry.unwrap().path();
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                assert!(listed.contains(&stem.as_str()), "fixture {} is not listed in tests/fixtures.rs", path.display());
            }
        }
    };
}

/// Every notebook in a fixture directory.
fn notebook_files(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| loopwarden::notebook::is_notebook(path))
        .collect();
    found.sort();
    found
}

fixtures! {
    blocking_io_in_async,
    blocking_cpu_in_async,
    blocking_fs_metadata_in_async,
    transitive_blocking_call,
    own_loop_views,
    own_loop_views_served_by_asgi,
    yield_in_async_generator_context_across_modules,
    namespace_packages,
    run_in_running_loop,
    thread_unsafe_asyncio_in_executor,
    types_across_modules,
    optional_imports,
    dead_branches,
    module_raises_on_import,
    thread_queues,
    unawaited_coroutine,
    get_event_loop,
    get_event_loop_helpers,
    fastapi_on_event,
    dangling_task,
    dangling_task_across_modules,
    gather_without_return_exceptions,
    gather_exceptions_unchecked,
    cancelled_error_swallowed,
    cancelled_error_swallowed_across_modules,
    gather_prefer_taskgroup,
    network_await_without_timeout,
    wait_for_prefer_timeout,
    check_then_act_across_await,
    background_task_not_drained,
    unused_noqa,
    wrong_context_manager_protocol,
    timeout_without_await,
    sleep_polling_loop,
    sleep_polling_loop_across_modules,
    loop_without_await,
    yield_in_async_generator_context,
    async_timeout_parameter,
    async_function_never_awaits,
    notebooks,
}
