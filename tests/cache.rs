//! The cache (`src/cache/`): every run's output is the same with it as without it, whatever
//! happened to the files, the settings or the cache itself since the last run.
//!
//! The project: `app.web.handler` calls `app.db.load_user`, which blocks (LW103 in web.py,
//! through db.py); a file with a finding of its own and a `noqa`; one that does not parse.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const DB_BLOCKING: &str =
    "import time\n\n\ndef load_user(user_id):\n    time.sleep(1)\n    return user_id\n";
const DB_CLEAN: &str = "def load_user(user_id):\n    return user_id\n";
const WEB: &str = "from app.db import load_user\n\n\nasync def handler(user_id):\n    return load_user(user_id)\n";
const OWN: &str =
    "import time\n\n\nasync def tick():\n    time.sleep(1)\n    time.sleep(2)  # noqa: LW101\n";

fn project() -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(dir.path(), "app/__init__.py", "");
    write(dir.path(), "app/db.py", DB_BLOCKING);
    write(dir.path(), "app/web.py", WEB);
    write(dir.path(), "app/own.py", OWN);
    write(dir.path(), "app/broken.py", "def broken(:\n");
    dir
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
    std::fs::write(path, text).expect("write file");
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command
        .current_dir(dir)
        .env_remove("LOOPWARDEN_CACHE_DIR")
        .env_remove("LOOPWARDEN_NO_CACHE");
    command
}

/// A run's JSON output and what `--verbose` says the cache did.
struct Run {
    json: String,
    cache: String,
}

/// `check` with JSON output and the cache's report, in `dir`.
fn check_command(dir: &Path) -> assert_cmd::Command {
    let mut command = loopwarden(dir);
    command.args([
        "check",
        "--output-format",
        "json",
        "--verbose",
        "--extend-select",
        "LW003",
    ]);
    command
}

impl Run {
    fn of(output: std::process::Output) -> Self {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Run {
            json: String::from_utf8(output.stdout).expect("UTF-8"),
            cache: stderr
                .lines()
                .find(|line| line.starts_with("cache:"))
                .unwrap_or("")
                .to_string(),
        }
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let output = check_command(dir).args(args).output().expect("runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    Run::of(output)
}

/// The output of a run without the cache: what every cached run must print.
fn uncached(dir: &Path) -> String {
    check(dir, &["--no-cache"]).json
}

/// Checks `dir` with the cache: the project is linked again (`said` is in what `--verbose`
/// says), the output is the one without the cache, with `lw103` findings of LW103.
fn assert_linked_again(dir: &Path, said: &str, lw103: usize) {
    let run = check(dir, &[]);
    assert!(run.cache.contains(said), "{}", run.cache);
    assert_eq!(run.json, uncached(dir));
    assert_eq!(run.json.matches("LW103").count(), lw103, "{}", run.json);
}

fn cache_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(directory) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(cache_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "bin") {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_warm_run_prints_what_a_cold_run_printed_without_analysing() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    assert!(cold.json.contains("LW103"), "{}", cold.json);
    assert!(cold.json.contains("LW101"));
    assert!(cold.json.contains("LW001"));
    assert_eq!(
        cold.cache,
        "cache: 0 files read from the cache, 5 analysed; linked"
    );
    let warm = check(dir.path(), &[]);
    assert_eq!(warm.json, cold.json);
    assert_eq!(
        warm.cache,
        "cache: 5 files read from the cache, 0 analysed; link re-used; nothing written"
    );
    assert_eq!(warm.json, uncached(dir.path()));
}

#[test]
fn an_edit_in_one_module_changes_a_finding_in_another() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    write(dir.path(), "app/db.py", DB_CLEAN);
    let edited = check(dir.path(), &[]);
    assert!(!edited.json.contains("LW103"), "{}", edited.json);
    assert_eq!(
        edited.cache,
        "cache: 4 files read from the cache, 1 analysed; linked; delta written"
    );
    assert_eq!(edited.json, uncached(dir.path()));
    write(dir.path(), "app/db.py", DB_BLOCKING);
    let back = check(dir.path(), &[]);
    assert_eq!(back.json, cold.json);
    assert_eq!(check(dir.path(), &[]).json, cold.json);
}

#[test]
fn an_application_made_in_another_module_decides_its_views_findings_through_the_cache() {
    // `views.py` registers its coroutine on `site.py`'s application: a Flask view (each
    // request on a loop of its own, nothing reported) while `site.py` makes a Flask app,
    // an ordinary coroutine once it makes something else. Only `site.py` changes.
    let dir = tempfile::tempdir().expect("temporary directory");
    let flask_site = "from flask import Flask\n\napp = Flask(__name__)\n";
    write(dir.path(), "web/__init__.py", "");
    write(dir.path(), "web/site.py", flask_site);
    write(
        dir.path(),
        "web/views.py",
        "import time\n\nfrom .site import app\n\n\n@app.route(\"/\")\nasync def index():\n    \
         time.sleep(1)\n    return \"ok\"\n",
    );
    let cold = check(dir.path(), &[]);
    assert!(!cold.json.contains("LW101"), "{}", cold.json);
    write(
        dir.path(),
        "web/site.py",
        "from .factory import make_app\n\napp = make_app()\n",
    );
    let edited = check(dir.path(), &[]);
    assert!(edited.json.contains("LW101"), "{}", edited.json);
    assert!(
        edited.cache.contains("1 analysed; linked"),
        "{}",
        edited.cache
    );
    assert_eq!(edited.json, uncached(dir.path()));
    write(dir.path(), "web/site.py", flask_site);
    assert_eq!(check(dir.path(), &[]).json, cold.json);
}

#[test]
fn an_edit_that_leaves_the_summary_alone_reuses_the_link() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    // Same length, same lines, same calls: the summary and line index are the same.
    write(
        dir.path(),
        "app/db.py",
        &DB_BLOCKING.replace("sleep(1)", "sleep(2)"),
    );
    let edited = check(dir.path(), &[]);
    // One small file to analyse again next time costs less than writing the cache file.
    assert_eq!(
        edited.cache,
        "cache: 4 files read from the cache, 1 analysed; link re-used; nothing written"
    );
    assert_eq!(edited.json, uncached(dir.path()));
    assert_ne!(edited.json, "");
    let _ = cold;
}

#[test]
fn a_file_added_before_the_others_leaves_their_records_found() {
    let dir = project();
    check(dir.path(), &[]);
    // Sorted after `app/__init__.py` and before every other file of the package (a new
    // top-level package would be a new cache): their records now sit one place before
    // their files.
    write(
        dir.path(),
        "app/a0.py",
        "import time\n\n\nasync def f():\n    time.sleep(1)\n",
    );
    let added = check(dir.path(), &[]);
    assert_eq!(
        added.cache,
        "cache: 5 files read from the cache, 1 analysed; linked"
    );
    assert_eq!(added.json, uncached(dir.path()));
    assert!(added.json.contains("app/a0.py"), "{}", added.json);
    // The link stored by that run places its findings by position: a run after it
    // re-uses them in the right files.
    let warm = check(dir.path(), &[]);
    assert_eq!(
        warm.cache,
        "cache: 6 files read from the cache, 0 analysed; link re-used; nothing written"
    );
    assert_eq!(warm.json, added.json);
}

#[test]
fn calls_the_link_cannot_use_leave_it_alone_and_any_other_call_links_again() {
    let dir = project();
    // The import is a module-level name the link reads: it is there before the edit.
    let db = format!("import json\n{DB_BLOCKING}");
    write(dir.path(), "app/db.py", &db);
    check(dir.path(), &[]);
    // A library call in no catalog table, outside the project: the summary is the same but
    // for where things are, so the link's findings move with the code.
    write(
        dir.path(),
        "app/db.py",
        &db.replace(
            "    time.sleep(1)\n",
            "    json.dumps(user_id)\n    time.sleep(1)\n",
        ),
    );
    let library = check(dir.path(), &[]);
    assert_eq!(
        library.cache,
        "cache: 4 files read from the cache, 1 analysed; link re-used (findings moved in 1 files); nothing written"
    );
    assert_eq!(library.json, uncached(dir.path()));
    // A coroutine API dropped unawaited: LW302 is a whole-project rule, so the link runs.
    write(
        dir.path(),
        "app/web.py",
        &WEB.replace(
            "    return load_user",
            "    asyncio.sleep(1)\n    return load_user",
        )
        .replace("from app.db", "import asyncio\nfrom app.db"),
    );
    let coroutine = check(dir.path(), &[]);
    // (db.py is analysed again too: the run before deferred writing it.)
    assert!(
        coroutine.cache.contains("2 analysed; linked"),
        "{}",
        coroutine.cache
    );
    assert!(coroutine.json.contains("LW302"), "{}", coroutine.json);
    assert_eq!(coroutine.json, uncached(dir.path()));
    // A call of a project function: linked again.
    write(
        dir.path(),
        "app/own.py",
        &OWN.replace("    time.sleep(2)", "    load_user(1)\n    time.sleep(2)")
            .replace("import time", "import time\nfrom app.db import load_user"),
    );
    assert_linked_again(dir.path(), "1 analysed; linked", 2);
}

/// `app.log.LOGGER`, a logger another module imports: only the link learns that
/// `app.log.LOGGER.debug` is `logging.Logger.debug`, which it does nothing with.
const LOG: &str = "import logging\n\nLOGGER = logging.getLogger(__name__)\n";
const WEB_LOGGING: &str = "from app.db import load_user\nfrom app.log import LOGGER\n\n\nasync def handler(user_id):\n    LOGGER.debug(\"loading %s\", user_id)\n    return load_user(user_id)\n";

#[test]
fn calls_the_last_link_did_nothing_with_move_its_findings_when_added_or_removed() {
    let dir = project();
    write(dir.path(), "app/log.py", LOG);
    write(dir.path(), "app/web.py", WEB_LOGGING);
    check(dir.path(), &[]);
    // Another call of the same path, above the call LW103 reports: the summary has one more
    // call site and every later one moved, and the link's finding moves with them.
    let added_line = "    LOGGER.debug(\"loading %s\", user_id)\n";
    let twice = WEB_LOGGING.replace(added_line, &added_line.repeat(2));
    write(dir.path(), "app/web.py", &twice);
    let added = check(dir.path(), &[]);
    assert_eq!(
        added.cache,
        "cache: 5 files read from the cache, 1 analysed; link re-used (findings moved in 1 files); nothing written"
    );
    assert_eq!(added.json, uncached(dir.path()));
    assert!(added.json.contains("LW103"), "{}", added.json);
    // Removed, both of them: moved again.
    let none = WEB_LOGGING.replace(added_line, "");
    write(dir.path(), "app/web.py", &none);
    let removed = check(dir.path(), &[]);
    assert!(
        removed.cache.contains("findings moved in 1 files"),
        "{}",
        removed.cache
    );
    assert_eq!(removed.json, uncached(dir.path()));
    // A path the last link never saw here: it cannot tell what the path names, so it links
    // again (and learns it for the next edit).
    write(
        dir.path(),
        "app/web.py",
        &WEB_LOGGING.replace("LOGGER.debug", "LOGGER.warning"),
    );
    let new_path = check(dir.path(), &[]);
    assert!(new_path.cache.contains("linked"), "{}", new_path.cache);
    assert_eq!(new_path.json, uncached(dir.path()));
    // The same edit with a call of a project function instead: the link runs, and the
    // finding it adds is there.
    write(
        dir.path(),
        "app/web.py",
        &WEB_LOGGING.replace(added_line, "    load_user(0)\n"),
    );
    assert_linked_again(dir.path(), "linked", 2);
}

#[test]
fn a_member_never_called_of_a_project_class_links_again() {
    let dir = project();
    write(
        dir.path(),
        "app/store.py",
        "import time\n\n\nclass Store:\n    def save(self):\n        time.sleep(1)\n\n\ndef make_store() -> Store:\n    return Store()\n",
    );
    // `make_store().flush()` names nothing the link knows; `make_store().save()`, a method
    // of the same class, blocks: the members of a value the link types as a project class
    // are not all alike.
    let web =
        "from app.store import make_store\n\n\nasync def handle():\n    make_store().flush()\n";
    write(dir.path(), "app/web.py", web);
    let first = check(dir.path(), &[]);
    assert!(!first.json.contains("LW103"), "{}", first.json);
    write(dir.path(), "app/web.py", &web.replace("flush", "save"));
    let saved = check(dir.path(), &[]);
    assert!(saved.cache.contains("linked"), "{}", saved.cache);
    assert_eq!(saved.json, uncached(dir.path()));
    assert!(saved.json.contains("LW103"), "{}", saved.json);
}

#[test]
fn small_edits_wait_for_a_larger_one_to_be_written() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    write(
        dir.path(),
        "app/db.py",
        &DB_BLOCKING.replace("sleep(1)", "sleep(2)"),
    );
    // Not written: each run compares the file's content with the cache's and analyses it
    // again, so what it prints is never stale.
    for _ in 0..2 {
        let edited = check(dir.path(), &[]);
        assert_eq!(
            edited.cache,
            "cache: 4 files read from the cache, 1 analysed; link re-used; nothing written"
        );
        assert_eq!(edited.json, uncached(dir.path()));
    }
    write(dir.path(), "app/db.py", DB_BLOCKING);
    let back = check(dir.path(), &[]);
    assert_eq!(back.json, cold.json);
    // More than the files waiting may add up to: the file is written, with both edits.
    write(
        dir.path(),
        "app/db.py",
        &DB_BLOCKING.replace("sleep(1)", "sleep(3)"),
    );
    let large = format!("{WEB}{}", "# padding after every call\n".repeat(12_000));
    write(dir.path(), "app/web.py", &large);
    let written = check(dir.path(), &[]);
    assert_eq!(
        written.cache,
        "cache: 3 files read from the cache, 2 analysed; link re-used"
    );
    assert_eq!(written.json, uncached(dir.path()));
    let after = check(dir.path(), &[]);
    assert!(
        after
            .cache
            .starts_with("cache: 5 files read from the cache, 0 analysed"),
        "{}",
        after.cache
    );
    assert_eq!(after.json, written.json);
}

#[test]
fn lines_added_after_everything_the_link_reads_reuse_the_link() {
    let dir = project();
    check(dir.path(), &[]);
    write(
        dir.path(),
        "app/db.py",
        &format!("{DB_BLOCKING}# a comment\n\n"),
    );
    let edited = check(dir.path(), &[]);
    assert_eq!(
        edited.cache,
        "cache: 4 files read from the cache, 1 analysed; link re-used; nothing written"
    );
    assert_eq!(edited.json, uncached(dir.path()));
    // A line added before the blocking call moves its row in web.py's chain: the stored
    // findings move with it.
    write(
        dir.path(),
        "app/db.py",
        &format!("# a comment\n{DB_BLOCKING}"),
    );
    let moved = check(dir.path(), &[]);
    assert_eq!(
        moved.cache,
        "cache: 4 files read from the cache, 1 analysed; link re-used (findings moved in 1 files); nothing written"
    );
    assert_eq!(moved.json, uncached(dir.path()));
}

/// `text` output (with code frames) of a run in `dir`.
fn text_output(dir: &Path, args: &[&str]) -> String {
    let output = loopwarden(dir)
        .args(["check", "--output-format", "text"])
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn code_moved_down_moves_the_stored_findings_with_it() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    // web.py holds the LW103 finding and its fix; db.py, the chain's rows.
    write(dir.path(), "app/web.py", &format!("# one\n\n{WEB}"));
    write(
        dir.path(),
        "app/db.py",
        &format!("\"\"\"Users.\"\"\"\n{DB_BLOCKING}"),
    );
    let moved = check(dir.path(), &[]);
    assert_eq!(
        moved.cache,
        "cache: 3 files read from the cache, 2 analysed; link re-used (findings moved in 2 files); nothing written"
    );
    assert_ne!(moved.json, cold.json, "the rows and offsets moved");
    assert_eq!(moved.json, uncached(dir.path()));
    assert_eq!(
        text_output(dir.path(), &[]),
        text_output(dir.path(), &["--no-cache"])
    );
    // Not written: the next run moves them again, from the same stored link. And back up.
    assert_eq!(check(dir.path(), &[]).json, moved.json);
    write(dir.path(), "app/web.py", WEB);
    write(dir.path(), "app/db.py", DB_BLOCKING);
    let back = check(dir.path(), &[]);
    assert_eq!(back.json, cold.json);
    assert!(
        back.cache
            .starts_with("cache: 5 files read from the cache, 0 analysed; link re-used;"),
        "{}",
        back.cache
    );
}

#[test]
fn code_moved_out_of_order_links_again() {
    let dir = project();
    let one_line = "import time\n\n\ndef load_user(user_id): time.sleep(1); return user_id\n";
    write(dir.path(), "app/db.py", one_line);
    check(dir.path(), &[]);
    // The function's name and its blocking call were on one row, and now are on two: the
    // link compares rows, so the stored findings cannot be moved.
    write(
        dir.path(),
        "app/db.py",
        &one_line.replace(": time.sleep(1);", ":\n    time.sleep(1)\n   "),
    );
    let split = check(dir.path(), &[]);
    assert!(
        split.cache.contains("1 analysed; linked"),
        "{}",
        split.cache
    );
    assert_eq!(split.json, uncached(dir.path()));
}

#[test]
fn a_link_made_with_a_buffer_is_not_moved_for_the_file_on_disk() {
    let dir = project();
    check(dir.path(), &[]);
    // The buffer moves db.py's code down: its run moves the stored findings with it, and
    // writes the cache for web.py, changed on disk (by more than a write is put off for);
    // the link it stores read the buffer.
    let moved = format!("# not saved\n{DB_BLOCKING}");
    let saved = "# saved\n".repeat(40_000);
    write(dir.path(), "app/web.py", &format!("{WEB}\n\n{saved}"));
    let buffer = check_stdin(dir.path(), "app/db.py", &moved, &[]);
    assert_eq!(
        buffer.cache,
        "cache: 3 files read from the cache, 2 analysed; link re-used (findings moved in 1 files)"
    );
    assert_eq!(
        buffer.json,
        check_stdin(dir.path(), "app/db.py", &moved, &["--no-cache"]).json
    );
    // The file on disk was never moved: its findings are where they were.
    let disk = check(dir.path(), &[]);
    assert_eq!(disk.json, uncached(dir.path()));
}

#[test]
fn every_fixture_moved_down_a_line_keeps_its_link() {
    // Every offset a summary holds must be marked as one (`src/offsets.rs`), or the file's
    // shape changes when its code moves and the project is linked again: the fixtures hold
    // every kind of summary entry the rules record.
    let dir = tempfile::tempdir().expect("temporary directory");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut modules = Vec::new();
    copy_tree(&fixtures, dir.path(), &mut modules);
    check(dir.path(), &[]);
    // Each module rewritten by `edit`, then checked: the findings moved, as without the cache.
    let moves_findings = |edit: &dyn Fn(&str) -> String| {
        for module in &modules {
            let text = std::fs::read_to_string(module).expect("fixture");
            std::fs::write(module, edit(&text)).expect("write");
        }
        let moved = check(dir.path(), &[]);
        assert!(
            moved.cache.contains("link re-used (findings moved in"),
            "{}",
            moved.cache
        );
        assert_eq!(moved.json, uncached(dir.path()));
    };
    moves_findings(&|text| format!("# moved down a line\n{text}"));
    // Moved by different amounts: a blank line above every top-level function, so each
    // function's code moves down one more row than the one before it.
    moves_findings(&|text| {
        text.replace("\ndef ", "\n\ndef ")
            .replace("\nasync def ", "\n\nasync def ")
    });
}

/// Copies the tree at `from` into `to`, listing the Python modules copied.
fn copy_tree(from: &Path, to: &Path, modules: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(from).expect("list").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("create");
            copy_tree(&entry.path(), &target, modules);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
            if target.extension().is_some_and(|ext| ext == "py") {
                modules.push(target);
            }
        }
    }
}

#[test]
fn a_file_that_cannot_be_read_is_read_again_and_keeps_nothing_else_from_the_cache() {
    let dir = project();
    write(dir.path(), "app/notes.ipynb", "not a notebook");
    let cold = check(dir.path(), &[]);
    assert!(cold.json.contains("LW002"), "{}", cold.json);
    let warm = check(dir.path(), &[]);
    assert_eq!(warm.json, cold.json);
    assert_eq!(
        warm.cache,
        "cache: 5 files read from the cache, 1 analysed; link re-used; nothing written"
    );
}

#[test]
fn settings_that_change_an_analysis_invalidate_it_and_report_time_settings_do_not() {
    let dir = project();
    check(dir.path(), &[]);
    let other = check(dir.path(), &["--target-version", "py38"]);
    assert!(
        other.cache.contains(" 0 files read from the cache"),
        "{}",
        other.cache
    );
    assert_eq!(
        other.json,
        check(dir.path(), &["--no-cache", "--target-version", "py38"]).json
    );
    // per-file-ignores apply when findings are reported: the cache still serves.
    write(
        dir.path(),
        "loopwarden.toml",
        "[per-file-ignores]\n\"app/web.py\" = [\"LW103\"]\n",
    );
    let ignored = check(dir.path(), &[]);
    assert!(!ignored.json.contains("LW103"), "{}", ignored.json);
    assert_eq!(ignored.json, uncached(dir.path()));
}

/// What a summary keeps depends on the project's top-level names (a call into a name no
/// module is imported under is left out), so a new top-level package makes every file's
/// record unusable, although the cache file, named for the settings and paths, is the same.
#[test]
fn a_new_top_level_package_analyses_every_file_again() {
    let dir = project();
    check(dir.path(), &[]);
    write(dir.path(), "tools/__init__.py", "");
    write(
        dir.path(),
        "tools/wait.py",
        "import time


def wait():
    time.sleep(1)
",
    );
    let run = check(dir.path(), &[]);
    assert_eq!(
        run.cache,
        "cache: 0 files read from the cache, 7 analysed; linked"
    );
    assert_eq!(run.json, uncached(dir.path()));
    assert_eq!(cache_files(&dir.path().join(".loopwarden_cache")).len(), 1);
}

#[test]
fn damaged_cache_files_are_ignored_and_replaced() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    let files = cache_files(&dir.path().join(".loopwarden_cache"));
    assert_eq!(files.len(), 1, "{files:?}");
    let whole = std::fs::read(&files[0]).expect("cache file");
    let mut wrong_magic = whole.clone();
    wrong_magic[0] ^= 0xff;
    let mut flipped = whole.clone();
    let middle = whole.len() / 2;
    flipped[middle] ^= 0xff;
    let damaged = [
        whole[..whole.len() / 3].to_vec(),
        b"not a cache".to_vec(),
        Vec::new(),
        wrong_magic,
        flipped,
    ];
    for bytes in damaged {
        std::fs::write(&files[0], &bytes).expect("damage");
        let run = check(dir.path(), &[]);
        assert_eq!(run.json, cold.json);
        assert!(run.cache.contains(" 0 files read"), "{}", run.cache);
        // Rewritten whole: the next run reads it.
        assert!(check(dir.path(), &[]).cache.contains(" 5 files read"));
    }
}

/// [`project`] with `modules` more modules beside it, each a helper that calls another.
fn larger_project(modules: usize) -> TempDir {
    let dir = project();
    for index in 0..modules {
        write(
            dir.path(),
            &format!("app/helper_{index:03}.py"),
            &format!(
                "from app.db import load_user\n\n\ndef helper_{index}(user_id):\n    return load_user(user_id)\n\n\nasync def caller_{index}(user_id):\n    return helper_{index}(user_id)\n"
            ),
        );
    }
    dir
}

#[test]
fn a_link_after_a_small_edit_writes_a_delta_and_leaves_the_cache_file_alone() {
    let dir = larger_project(40);
    let cold = check(dir.path(), &[]);
    assert_eq!(cold.json.matches("LW103").count(), 41, "{}", cold.json);
    let files = cache_files(&dir.path().join(".loopwarden_cache"));
    assert_eq!(files.len(), 1, "{files:?}");
    let base = std::fs::read(&files[0]).expect("cache file");
    let delta = files[0].with_extension("delta");
    assert!(!delta.exists());

    // One module of 45 changed: its data is a small part of the cache file's.
    write(dir.path(), "app/db.py", DB_CLEAN);
    let edited = check(dir.path(), &[]);
    assert_eq!(
        edited.cache,
        "cache: 44 files read from the cache, 1 analysed; linked; delta written"
    );
    assert!(!edited.json.contains("LW103"), "{}", edited.json);
    assert_eq!(edited.json, uncached(dir.path()));
    assert_eq!(std::fs::read(&files[0]).expect("cache file"), base);
    assert!(delta.exists());
    let warm = check(dir.path(), &[]);
    assert_eq!(
        warm.cache,
        "cache: 45 files read from the cache, 0 analysed; link re-used; nothing written"
    );
    assert_eq!(warm.json, edited.json);

    // Another edit: the delta is written again over the same file, with both edits.
    write(dir.path(), "app/db.py", DB_BLOCKING);
    write(
        dir.path(),
        "app/helper_007.py",
        "def helper_7(user_id):\n    return user_id\n",
    );
    let back = check(dir.path(), &[]);
    assert_eq!(
        back.cache,
        "cache: 43 files read from the cache, 2 analysed; linked; delta written"
    );
    assert_eq!(back.json, uncached(dir.path()));
    assert_eq!(back.json.matches("LW103").count(), 40);
    assert_eq!(std::fs::read(&files[0]).expect("cache file"), base);
    let warm = check(dir.path(), &[]);
    assert!(
        warm.cache.contains(" 0 analysed; link re-used"),
        "{}",
        warm.cache
    );
    assert_eq!(warm.json, back.json);

    // A damaged delta is not read: the cache file is, as it was, and the files changed
    // since are analysed again.
    let mut damaged = std::fs::read(&delta).expect("delta");
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    std::fs::write(&delta, &damaged).expect("damage");
    let after = check(dir.path(), &[]);
    assert_eq!(after.json, back.json);
    assert!(
        after
            .cache
            .starts_with("cache: 44 files read from the cache, 1 analysed"),
        "{}",
        after.cache
    );

    // Changes larger than an eighth of the file: it is written whole, and the delta goes.
    for index in 0..20 {
        write(
            dir.path(),
            &format!("app/helper_{index:03}.py"),
            &format!("import time\n\n\ndef helper_{index}(user_id):\n    time.sleep(user_id)\n"),
        );
    }
    let large = check(dir.path(), &[]);
    assert!(large.cache.ends_with("; linked"), "{}", large.cache);
    assert_eq!(large.json, uncached(dir.path()));
    assert_ne!(std::fs::read(&files[0]).expect("cache file"), base);
    assert!(!delta.exists());
    assert_eq!(check(dir.path(), &[]).json, large.json);

    // Most files removed: a small change, but the cache file would be kept for a few of
    // its files' data. It is written anew.
    let base = std::fs::read(&files[0]).expect("cache file");
    for index in 10..40 {
        std::fs::remove_file(dir.path().join(format!("app/helper_{index:03}.py"))).expect("remove");
    }
    let removed = check(dir.path(), &[]);
    assert!(removed.cache.ends_with("; linked"), "{}", removed.cache);
    assert_eq!(removed.json, uncached(dir.path()));
    assert_ne!(std::fs::read(&files[0]).expect("cache file"), base);
    assert!(!delta.exists());
}

#[test]
fn no_cache_writes_nothing() {
    let dir = project();
    check(dir.path(), &["--no-cache"]);
    assert!(!dir.path().join(".loopwarden_cache").exists());
    let output = loopwarden(dir.path())
        .args(["check", "--verbose"])
        .env("LOOPWARDEN_NO_CACHE", "1")
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("cache:"));
    assert!(!dir.path().join(".loopwarden_cache").exists());
}

#[test]
fn the_cache_directory_is_ignored_by_git_and_can_be_moved_and_cleaned() {
    let dir = project();
    check(dir.path(), &[]);
    let default = dir.path().join(".loopwarden_cache");
    assert_eq!(
        std::fs::read_to_string(default.join(".gitignore")).expect(".gitignore"),
        "# Created by loopwarden.\n*\n"
    );
    assert!(default.join("CACHEDIR.TAG").is_file());

    let elsewhere = tempfile::tempdir().expect("temporary directory");
    let flag = elsewhere.path().join("by-flag");
    check(dir.path(), &["--cache-dir", flag.to_str().expect("UTF-8")]);
    assert_eq!(cache_files(&flag).len(), 1);
    let by_env = elsewhere.path().join("by-env");
    loopwarden(dir.path())
        .args(["check"])
        .env("LOOPWARDEN_CACHE_DIR", &by_env)
        .assert()
        .code(1);
    assert_eq!(cache_files(&by_env).len(), 1);

    loopwarden(dir.path()).arg("clean").assert().success();
    assert!(!default.exists());
    loopwarden(dir.path())
        .args(["clean", "--cache-dir"])
        .arg(&flag)
        .assert()
        .success();
    assert!(!flag.exists());
}

#[test]
fn concurrent_runs_both_print_the_right_findings() {
    let dir = project();
    let expected = uncached(dir.path());
    for round in 0..3 {
        if round == 1 {
            write(dir.path(), "app/db.py", DB_CLEAN);
        }
        let expected = if round == 0 {
            expected.clone()
        } else {
            uncached(dir.path())
        };
        let spawn = || {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("loopwarden"))
                .current_dir(dir.path())
                .args([
                    "check",
                    "--output-format",
                    "json",
                    "--extend-select",
                    "LW003",
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawns")
        };
        let children = [spawn(), spawn(), spawn()];
        for child in children {
            let output = child.wait_with_output().expect("finishes");
            assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
        }
        assert_eq!(check(dir.path(), &[]).json, expected);
        // Never a temporary file left behind.
        let leftovers: Vec<_> = std::fs::read_dir(
            dir.path()
                .join(".loopwarden_cache")
                .join(env!("CARGO_PKG_VERSION")),
        )
        .expect("cache directory")
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn files_older_than_the_run_are_trusted_by_size_and_time_until_either_changes() {
    let dir = project();
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for file in [
        "app/__init__.py",
        "app/db.py",
        "app/web.py",
        "app/own.py",
        "app/broken.py",
    ] {
        std::fs::File::options()
            .append(true)
            .open(dir.path().join(file))
            .and_then(|file| file.set_modified(past))
            .expect("set the modification time");
    }
    let cold = check(dir.path(), &[]);
    assert_eq!(check(dir.path(), &[]).json, cold.json);
    // Touched, same content: read and found the same, the new time recorded.
    std::fs::File::options()
        .append(true)
        .open(dir.path().join("app/web.py"))
        .and_then(|file| file.set_modified(past + std::time::Duration::from_secs(60)))
        .expect("touch");
    let touched = check(dir.path(), &[]);
    assert_eq!(touched.json, cold.json);
    assert!(
        touched.cache.starts_with("cache: 5 files read"),
        "{}",
        touched.cache
    );
    // Edited now: the size and time differ.
    write(dir.path(), "app/db.py", DB_CLEAN);
    let edited = check(dir.path(), &[]);
    assert!(!edited.json.contains("LW103"));
    assert_eq!(edited.json, uncached(dir.path()));
}

/// `check --stdin-filename` reads the rest of the project from the cache.
fn check_stdin(dir: &Path, path: &str, text: &str, args: &[&str]) -> Run {
    let output = check_command(dir)
        .args(["--stdin-filename", path])
        .args(args)
        .write_stdin(text)
        .output()
        .expect("runs");
    Run::of(output)
}

#[test]
fn a_buffer_is_checked_against_the_cached_project_and_never_stored() {
    let dir = project();
    let cold = check(dir.path(), &[]);
    let same = check_stdin(dir.path(), "app/web.py", WEB, &[]);
    assert!(same.json.contains("LW103"));
    assert_eq!(
        same.cache,
        "cache: 4 files read from the cache, 1 analysed; link re-used; nothing written"
    );
    assert_eq!(
        same.json,
        check_stdin(dir.path(), "app/web.py", WEB, &["--no-cache"]).json
    );
    // The buffer of db.py no longer blocks; the file on disk still does.
    let buffer = check_stdin(dir.path(), "app/db.py", DB_CLEAN, &[]);
    assert_eq!(
        buffer.json,
        check_stdin(dir.path(), "app/db.py", DB_CLEAN, &["--no-cache"]).json
    );
    assert!(
        buffer.cache.ends_with("linked; nothing written"),
        "{}",
        buffer.cache
    );
    assert_eq!(check(dir.path(), &[]).json, cold.json);
    // A file changed on disk is analysed and stored, the buffer is not.
    write(dir.path(), "app/db.py", DB_CLEAN);
    let fresh = check_stdin(dir.path(), "app/web.py", WEB, &[]);
    assert!(!fresh.json.contains("LW103"), "{}", fresh.json);
    assert!(
        fresh
            .cache
            .starts_with("cache: 3 files read from the cache, 2 analysed")
    );
    assert!(!fresh.cache.ends_with("nothing written"), "{}", fresh.cache);
    assert_eq!(check(dir.path(), &[]).json, uncached(dir.path()));
}

#[test]
fn fixes_through_a_warm_cache_are_the_fixes_without_it() {
    let cached = project();
    let uncached_dir = project();
    check(cached.path(), &[]);
    let fix = |dir: &Path, extra: &[&str]| {
        let output = loopwarden(dir)
            .args([
                "check",
                "--fix",
                "--unsafe-fixes",
                "--output-format",
                "json",
            ])
            .args(extra)
            .output()
            .expect("runs");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let remaining = fix(cached.path(), &[]);
    assert_eq!(remaining, fix(uncached_dir.path(), &["--no-cache"]));
    for file in ["app/db.py", "app/web.py", "app/own.py"] {
        let read = |dir: &Path| std::fs::read_to_string(dir.join(file)).expect("fixed file");
        assert_eq!(read(cached.path()), read(uncached_dir.path()), "{file}");
    }
    assert_ne!(
        std::fs::read_to_string(cached.path().join("app/web.py")).expect("web.py"),
        WEB,
        "the LW103 fix was applied"
    );
    assert_eq!(check(cached.path(), &[]).json, uncached(cached.path()));
}

/// Sets the modification time of every file and directory under `root` (the cache's own
/// directory aside) an hour back: old enough for the cache to trust their stamps.
fn age(root: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read directory").flatten() {
                if entry.file_name() != ".loopwarden_cache" {
                    pending.push(entry.path());
                }
            }
        }
        std::fs::File::open(&path)
            .and_then(|file| file.set_modified(past))
            .expect("set the modification time");
    }
}

/// A project whose files and directories are an hour old, after the run that made its
/// cache directory, and a run that recorded its walk.
fn aged_project_with_a_recorded_walk(dir: &Path) -> Run {
    let first = check(dir, &[]);
    age(dir);
    let recorded = check(dir, &[]);
    assert!(
        !recorded.cache.contains("walk re-used"),
        "{}",
        recorded.cache
    );
    assert_eq!(recorded.json, first.json);
    recorded
}

#[test]
fn a_tree_whose_directories_did_not_change_is_not_walked_again() {
    let dir = project();
    let recorded = aged_project_with_a_recorded_walk(dir.path());
    let reused = check(dir.path(), &[]);
    assert!(reused.cache.contains("walk re-used"), "{}", reused.cache);
    assert_eq!(reused.json, recorded.json);
    assert_eq!(reused.json, uncached(dir.path()));
    // An edit in place leaves the directories as they were: the walk is re-used, the file
    // is analysed again.
    write(dir.path(), "app/db.py", DB_CLEAN);
    let edited = check(dir.path(), &[]);
    assert!(edited.cache.contains("walk re-used"), "{}", edited.cache);
    assert!(!edited.json.contains("LW103"));
    assert_eq!(edited.json, uncached(dir.path()));
}

#[test]
fn a_file_saved_by_renaming_over_it_leaves_the_walk_as_it_was() {
    let dir = project();
    let recorded = aged_project_with_a_recorded_walk(dir.path());
    // As many editors save: another file written, then renamed over the first. The
    // directory's stamp changes; what a walk sees of its entries does not.
    write(dir.path(), "app/.db.py.swp", "an editor's swap file");
    write(dir.path(), "app/db.py.tmp~", DB_CLEAN);
    std::fs::rename(
        dir.path().join("app/db.py.tmp~"),
        dir.path().join("app/db.py"),
    )
    .expect("rename over");
    let saved = check(dir.path(), &[]);
    assert!(saved.cache.contains("walk re-used"), "{}", saved.cache);
    assert_ne!(
        saved.json, recorded.json,
        "the saved file is analysed again"
    );
    assert_eq!(saved.json, uncached(dir.path()));
    // An ignore file made in a walked directory is seen, as is a new module.
    write(dir.path(), "app/.ignore", "web.py\n");
    let ignored = check(dir.path(), &[]);
    assert!(!ignored.cache.contains("walk re-used"), "{}", ignored.cache);
    assert!(!ignored.json.contains("web.py"));
    assert_eq!(ignored.json, uncached(dir.path()));
    std::fs::remove_file(dir.path().join("app/.ignore")).expect("remove");
    write(
        dir.path(),
        "app/late.py",
        "import time\n\n\nasync def f():\n    time.sleep(1)\n",
    );
    let added = check(dir.path(), &[]);
    assert!(!added.cache.contains("walk re-used"), "{}", added.cache);
    assert!(added.json.contains("late.py"));
    assert_eq!(added.json, uncached(dir.path()));
}

#[test]
fn a_file_added_or_removed_is_walked_for() {
    let dir = project();
    aged_project_with_a_recorded_walk(dir.path());
    write(
        dir.path(),
        "app/extra.py",
        "import time\n\n\nasync def pause():\n    time.sleep(1)\n",
    );
    let added = check(dir.path(), &[]);
    assert!(!added.cache.contains("walk re-used"), "{}", added.cache);
    assert!(added.json.contains("extra.py"));
    assert_eq!(added.json, uncached(dir.path()));
    std::fs::remove_file(dir.path().join("app/extra.py")).expect("remove");
    let removed = check(dir.path(), &[]);
    assert!(!removed.json.contains("extra.py"));
    assert_eq!(removed.json, uncached(dir.path()));
}

#[test]
fn a_package_made_above_the_path_given_is_walked_for() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(dir.path(), "src/app/__init__.py", "");
    write(dir.path(), "src/app/db.py", DB_BLOCKING);
    write(dir.path(), "src/app/web.py", WEB);
    let given = |dir: &Path| check(dir, &["src/app"]);
    given(dir.path());
    age(dir.path());
    given(dir.path());
    assert!(given(dir.path()).cache.contains("walk re-used"));
    // `src` becomes a package: every module under it is renamed (`src.app.db`).
    write(dir.path(), "src/__init__.py", "");
    let renamed = given(dir.path());
    assert!(!renamed.cache.contains("walk re-used"), "{}", renamed.cache);
    assert_eq!(
        renamed.json,
        check(dir.path(), &["src/app", "--no-cache"]).json
    );
}

#[test]
fn an_ignore_file_changed_or_added_is_walked_for() {
    let dir = project();
    write(dir.path(), ".ignore", "app/broken.py\n");
    std::fs::create_dir_all(dir.path().join(".git/info")).expect("a repository");
    aged_project_with_a_recorded_walk(dir.path());
    assert!(check(dir.path(), &[]).cache.contains("walk re-used"));
    // Edited in place: the file's own stamp changes, not its directory's.
    write(dir.path(), ".ignore", "app/own.py\n");
    let edited = check(dir.path(), &[]);
    assert!(!edited.cache.contains("walk re-used"), "{}", edited.cache);
    assert!(!edited.json.contains("own.py") && edited.json.contains("broken.py"));
    assert_eq!(edited.json, uncached(dir.path()));
    // A repository's exclude file, created where none was.
    age(dir.path());
    check(dir.path(), &[]);
    assert!(check(dir.path(), &[]).cache.contains("walk re-used"));
    write(dir.path(), ".git/info/exclude", "app/web.py\n");
    let excluded = check(dir.path(), &[]);
    assert!(
        !excluded.cache.contains("walk re-used"),
        "{}",
        excluded.cache
    );
    assert!(!excluded.json.contains("web.py"));
    assert_eq!(excluded.json, uncached(dir.path()));
}

#[test]
fn a_damaged_walk_record_is_ignored() {
    let dir = project();
    let recorded = aged_project_with_a_recorded_walk(dir.path());
    let record = cache_files(&dir.path().join(".loopwarden_cache"))[0].with_extension("walk");
    let whole = std::fs::read(&record).expect("the walk's record");
    let mut flipped = whole.clone();
    let middle = whole.len() / 2;
    flipped[middle] ^= 0xff;
    for bytes in [whole[..whole.len() / 2].to_vec(), flipped, Vec::new()] {
        std::fs::write(&record, &bytes).expect("damage");
        let run = check(dir.path(), &[]);
        assert!(!run.cache.contains("walk re-used"), "{}", run.cache);
        assert_eq!(run.json, recorded.json);
        // Written again whole: the next run uses it.
        assert!(check(dir.path(), &[]).cache.contains("walk re-used"));
    }
}

/// A module with findings on lines of ASCII characters and on lines beyond: its own
/// (LW101) and the link's (LW103, through `app.db`).
const ACCENTED: &str = "import time\nfrom app.db import load_user\n\n\nasync def café():\n    time.sleep(1)\n    é = 'à'; time.sleep(2)\n    return load_user('é'), load_user(1)\n";

#[test]
fn findings_are_located_without_their_text_as_with_it() {
    let dir = project();
    write(dir.path(), "app/accented.py", ACCENTED);
    aged_project_with_a_recorded_walk(dir.path());
    let cold = uncached(dir.path());
    assert!(cold.contains("accented.py") && cold.contains("LW103"));
    for format in ["json", "concise", "sarif", "text"] {
        let run = |extra: &[&str]| {
            loopwarden(dir.path())
                .args(["check", "--verbose", "--output-format", format])
                .args(extra)
                .output()
                .expect("runs")
        };
        let expected = run(&["--no-cache"]);
        run(&[]);
        let warm = run(&[]);
        let cache = Run::of(warm.clone()).cache;
        assert!(cache.contains(" 0 analysed"), "{format}: {cache}");
        assert_eq!(
            String::from_utf8_lossy(&warm.stdout),
            String::from_utf8_lossy(&expected.stdout),
            "{format}"
        );
    }
}

#[test]
fn an_output_without_code_frames_does_not_read_a_file_from_the_cache() {
    let dir = project();
    write(
        dir.path(),
        "app/own.py",
        "import time\n\n\nasync def tick():\n    ab = 1; time.sleep(1)\n",
    );
    // Old before the first run: the cache records every file's size and time.
    age(dir.path());
    let cold = check(dir.path(), &[]);
    assert!(cold.json.contains("\"column\": 13"), "{}", cold.json);
    // The same size and modification time, another text: the cache trusts the stamp (as
    // Ruff's does), so what a run shows of the file tells whether it read it. `é` is two
    // bytes and one character: read, the finding's column would be 12.
    let path = dir.path().join("app/own.py");
    let stamp = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("time");
    std::fs::write(
        &path,
        "import time\n\n\nasync def tick():\n    é = 1; time.sleep(1)\n",
    )
    .expect("write");
    std::fs::File::options()
        .append(true)
        .open(&path)
        .and_then(|file| file.set_modified(stamp))
        .expect("restore the modification time");
    let warm = check(dir.path(), &[]);
    assert!(warm.cache.contains("0 analysed"), "{}", warm.cache);
    assert_eq!(warm.json, cold.json);
    // Code frames need the text: read, the column counts its characters.
    let framed = loopwarden(dir.path())
        .args(["check", "--output-format", "text"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&framed.stdout).contains("own.py:5:12"));
}

#[test]
fn the_same_directory_named_another_way_is_walked_for_its_own_names() {
    let dir = project();
    aged_project_with_a_recorded_walk(dir.path());
    let relative = check(dir.path(), &["app"]);
    let absolute_path = dir.path().join("app");
    let absolute = check(dir.path(), &[absolute_path.to_str().expect("UTF-8")]);
    for run in [&relative, &absolute] {
        assert!(run.json.contains("web.py"));
    }
    assert!(
        relative.json.contains("\"app/web.py\""),
        "{}",
        relative.json
    );
    assert!(
        absolute
            .json
            .contains(&format!("\"{}\"", absolute_path.join("web.py").display()))
    );
    // They share the record's file (named after the absolute paths), which holds the other
    // run's names each time: each run walks again, and shows its own names.
    assert_eq!(check(dir.path(), &["app"]).json, relative.json);
    let again = check(dir.path(), &[absolute_path.to_str().expect("UTF-8")]);
    assert_eq!(again.json, absolute.json);
}

#[test]
fn a_file_given_by_name_and_removed_is_an_error_as_without_the_record() {
    let dir = project();
    // Given by name but excluded: not checked, and nothing else of its directory is.
    write(dir.path(), "scripts/tool.py", "print(1)\n");
    let run = |extra: &[&str]| {
        check_command(dir.path())
            .args([
                "--force-exclude",
                "--extend-exclude",
                "scripts",
                "app",
                "scripts/tool.py",
            ])
            .args(extra)
            .output()
            .expect("runs")
    };
    run(&[]);
    age(dir.path());
    run(&[]);
    assert!(Run::of(run(&[])).cache.contains("walk re-used"));
    std::fs::remove_file(dir.path().join("scripts/tool.py")).expect("remove");
    let without = run(&["--no-cache"]);
    assert_eq!(without.status.code(), Some(2), "a path that does not exist");
    let with = run(&[]);
    assert_eq!(with.status.code(), without.status.code());
    assert_eq!(with.stdout, without.stdout);
    assert!(String::from_utf8_lossy(&with.stderr).contains("scripts/tool.py"));
}
