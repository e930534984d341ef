//! `--fix`, `--diff`, `--fix-only`, `--show-fixes` through the real binary: the shape of
//! the fixes that must keep a program working (RULES.md, LW101 "A fix must keep the program
//! working"), fixes applied in passes, and how fixed files are written.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).expect("write file");
    }
    dir
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command.current_dir(dir).env("NO_COLOR", "1");
    command
}

/// `app.py` after `check --fix --unsafe-fixes` (and `extra` arguments).
fn fixed(source: &str, extra: &[&str]) -> String {
    let dir = project(&[("app.py", source)]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "--exit-zero"])
        .args(extra)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("app.py")).expect("read");
    // A second run finds nothing more to change.
    loopwarden(dir.path())
        .args(["check", "--diff", "--unsafe-fixes"])
        .args(extra)
        .assert()
        .code(0)
        .stdout("");
    text
}

/// The JSON findings of `source` as `app.py`.
fn findings(source: &str) -> Vec<Value> {
    let dir = project(&[("app.py", source)]);
    let output = loopwarden(dir.path())
        .args(["check", "--output-format", "json"])
        .output()
        .expect("run");
    serde_json::from_slice::<Value>(&output.stdout)
        .expect("JSON")
        .as_array()
        .expect("array")
        .clone()
}

/// The LW103 finding on `row` has no fix, and a help line that starts with `help`.
fn assert_unfixed_lw103(found: &[Value], row: u64, help: &str) {
    let finding = finding_at(found, row);
    assert_eq!(finding["code"], "LW103", "row {row}: {finding}");
    assert!(finding["fix"].is_null(), "row {row}: {finding}");
    let text = finding["help"].as_str().unwrap_or_default();
    assert!(text.starts_with(help), "row {row}: {text}");
}

fn finding_at(findings: &[Value], row: u64) -> &Value {
    findings
        .iter()
        .find(|finding| finding["location"]["row"] == row)
        .unwrap_or_else(|| panic!("no finding on row {row}: {findings:?}"))
}

// ------------------------------------------------------------ thread-bound objects

const SQLITE_ROUTE: &str = "\
import asyncio
import sqlite3

DB = \"shop.db\"


async def get_flag(name):
    con = sqlite3.connect(DB)
    try:
        row = con.execute(\"SELECT enabled FROM flags WHERE name = ?\", (name,)).fetchone()
    finally:
        con.close()  # closing blocks too
    return {\"name\": name, \"enabled\": bool(row and row[0])}
";

#[test]
fn a_sqlite_connection_moves_whole_into_one_helper() {
    assert_eq!(
        fixed(SQLITE_ROUTE, &[]),
        "\
import asyncio
import sqlite3

DB = \"shop.db\"


def _get_flag_sync(name):
    con = sqlite3.connect(DB)
    try:
        row = con.execute(\"SELECT enabled FROM flags WHERE name = ?\", (name,)).fetchone()
    finally:
        con.close()  # closing blocks too
    return row


async def get_flag(name):
    row = await asyncio.to_thread(_get_flag_sync, name)
    return {\"name\": name, \"enabled\": bool(row and row[0])}
"
    );
}

#[test]
fn every_call_on_the_connection_shares_the_one_fix() {
    let found = findings(SQLITE_ROUTE);
    let fixes: Vec<&Value> = found.iter().map(|finding| &finding["fix"]).collect();
    assert_eq!(fixes.len(), 4, "{found:?}");
    assert!(fixes.iter().all(|fix| *fix == fixes[0]), "{fixes:?}");
    let dir = project(&[("app.py", SQLITE_ROUTE)]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0)
        .stdout("Found 4 errors (4 fixed, 0 remaining).\n");
}

#[test]
fn a_method_passes_self_and_the_helper_goes_before_the_class() {
    let source = "\
import asyncio
import sqlite3


class Store:
    async def names(self, prefix):
        found = []
        con = sqlite3.connect(self.path)
        for (name,) in con.execute(\"SELECT name FROM flags\"):
            if name.startswith(prefix):
                found.append(name)
        con.close()
        return found
";
    assert_eq!(
        fixed(source, &[]),
        "\
import asyncio
import sqlite3


def _Store_names_sync(self, prefix, found):
    con = sqlite3.connect(self.path)
    for (name,) in con.execute(\"SELECT name FROM flags\"):
        if name.startswith(prefix):
            found.append(name)
    con.close()


class Store:
    async def names(self, prefix):
        found = []
        await asyncio.to_thread(_Store_names_sync, self, prefix, found)
        return found
"
    );
}

#[test]
fn no_fix_when_the_object_cannot_move_whole() {
    let source = "\
import asyncio
import sqlite3


async def across_await(db):
    con = sqlite3.connect(db)
    await asyncio.sleep(0)
    con.close()


async def kept(self, db):
    self.con = sqlite3.connect(db)


async def handed_in(con: sqlite3.Connection):
    return con.execute(\"SELECT 1\").fetchone()


async def returned(db):
    con = sqlite3.connect(db)
    return con


async def returns_early(db, name):
    con = sqlite3.connect(db)
    if not name:
        return None
    con.close()
    return name
";
    let found = findings(source);
    for (row, reason) in [
        (6, "across an `await`"),
        (12, "used outside"),
        (16, "outside this function"),
        (20, "used outside"),
        (25, "return or jump"),
    ] {
        let finding = finding_at(&found, row);
        assert!(finding["fix"].is_null(), "row {row}: {finding}");
        let help = finding["help"].as_str().unwrap_or_default();
        assert!(help.contains(reason), "row {row}: {help}");
    }
}

// ------------------------------------------------------------ files opened and used

#[test]
fn a_file_opened_and_used_moves_whole_into_one_helper() {
    // Moving the `open` alone would leave the reads and writes on the loop, and a cancelled
    // coroutine would close the file under a write still running in the worker thread.
    let source = "\
import asyncio
import json


class Store:
    async def save(self, path):
        with open(path, \"w\") as out:
            json.dump(self.state, out)

    async def load(self, path):
        with open(path, encoding=\"utf-8\") as handle:
            text = handle.read()
            self.size = len(text)
        return text.upper()


async def head(path):
    log = open(path)
    first = log.readline()
    log.close()
    return first


async def settings(path):
    print(\"loading\", path)
    with open(path) as handle:
        return json.load(handle)
";
    assert_eq!(
        fixed(source, &[]),
        "\
import asyncio
import json


def _Store_save_sync(self, path):
    with open(path, \"w\") as out:
        json.dump(self.state, out)


def _Store_load_sync(self, path):
    with open(path, encoding=\"utf-8\") as handle:
        text = handle.read()
        self.size = len(text)
    return text


class Store:
    async def save(self, path):
        await asyncio.to_thread(_Store_save_sync, self, path)

    async def load(self, path):
        text = await asyncio.to_thread(_Store_load_sync, self, path)
        return text.upper()


def _head_sync(path):
    log = open(path)
    first = log.readline()
    log.close()
    return first


async def head(path):
    first = await asyncio.to_thread(_head_sync, path)
    return first


def _settings_sync(path):
    with open(path) as handle:
        return json.load(handle)


async def settings(path):
    print(\"loading\", path)
    return await asyncio.to_thread(_settings_sync, path)
"
    );
}

#[test]
fn helpers_of_same_named_methods_are_named_apart() {
    // Both fixes land in one pass: two helpers of one name would leave both methods calling
    // the later one. A coroutine defined twice under one name gets no helper at all.
    let source = "\
import asyncio


class Left:
    async def load(self):
        with open(self.path) as handle:
            return handle.read()


class Right:
    async def load(self):
        with open(self.path) as handle:
            return handle.read().upper()

    async def save(self, text):
        with open(self.path, \"w\") as out:
            out.write(text)

    async def save(self, text):
        with open(self.path, \"a\") as out:
            out.write(text)
";
    let text = fixed(source, &[]);
    assert!(text.contains("def _Left_load_sync(self):"), "{text}");
    assert!(text.contains("def _Right_load_sync(self):"), "{text}");
    assert!(
        text.contains("return await asyncio.to_thread(_Left_load_sync, self)"),
        "{text}"
    );
    assert!(
        text.contains("return await asyncio.to_thread(_Right_load_sync, self)"),
        "{text}"
    );
    assert!(!text.contains("_save_sync"), "{text}");
    assert_eq!(
        text.matches("with await asyncio.to_thread(open, self.path")
            .count(),
        2,
        "{text}"
    );
}

#[test]
fn a_file_whose_use_cannot_move_whole_moves_its_open_alone() {
    // An `await` among the writes, a `return` with code after it, the loop's own objects or
    // a call the module cannot name, the file itself kept or returned: only `open` moves.
    let source = "\
import asyncio

changed = asyncio.Event()


async def stream(chunks, path):
    with open(path, \"wb\") as out:
        async for chunk in chunks:
            out.write(chunk)


async def first_line(path):
    with open(path) as handle:
        if not handle.readline():
            return None
    return path


async def reload(path):
    with open(path) as handle:
        text = handle.read()
        changed.set()
    return text


async def notify(self, path):
    with open(path) as handle:
        self.text = handle.read()
        self.listeners.notify()


async def keep(self, path):
    handle = open(path)
    self.handle = handle


async def opened(path):
    handle = open(path)
    return handle


async def tally(path):
    global total
    with open(path) as handle:
        total += len(handle.read())
";
    let found = findings(source);
    for row in [7, 13, 20, 27, 33, 38, 44] {
        let finding = finding_at(&found, row);
        let content = finding["fix"]["edits"][0]["content"]
            .as_str()
            .unwrap_or_default();
        assert!(
            content.starts_with("await asyncio.to_thread(open, path"),
            "row {row}: {finding}"
        );
        assert_eq!(
            finding["fix"]["edits"].as_array().map(Vec::len),
            Some(1),
            "row {row}: {finding}"
        );
    }
}

#[test]
fn a_global_the_moved_statements_do_not_name_leaves_the_file_use_whole() {
    // `global` declares names of the coroutine's: the helper needs none it does not read.
    let source = "\
import shutil

uploads = 0


async def upload(source, path):
    global uploads
    uploads += 1
    with open(path, \"wb\") as out:
        shutil.copyfileobj(source, out)
";
    let text = fixed(source, &[]);
    assert!(text.contains("def _upload_sync(source, path):"), "{text}");
    assert!(
        text.contains("await asyncio.to_thread(_upload_sync, source, path)"),
        "{text}"
    );
    assert!(
        text.contains("    global uploads\n    uploads += 1\n"),
        "{text}"
    );
}

#[test]
fn no_fix_moves_an_acquisition_the_calling_thread_owns() {
    // A worker thread that acquires an `RLock` owns it, and the release on the loop's thread
    // raises `RuntimeError`; a plain `Lock` may be released by any thread.
    let source = "\
import threading

rlock = threading.RLock()
lock = threading.Lock()


async def hold_reentrant():
    rlock.acquire()
    time_spent = sum(range(10))
    rlock.release()
    return time_spent


async def hold_plain():
    lock.acquire()
    time_spent = sum(range(10))
    lock.release()
    return time_spent


def slow():
    with rlock:
        with lock:
            open(\"log.txt\").read()
";
    let found = findings(source);
    let reentrant = finding_at(&found, 8);
    assert!(reentrant["fix"].is_null(), "{reentrant}");
    let help = reentrant["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("the thread that acquires it owns it"),
        "{help}"
    );
    // A plain `Lock` may be released by any thread, but a worker still takes it when the
    // coroutine awaiting the worker is cancelled, and then nothing releases it.
    let plain = finding_at(&found, 15);
    assert!(plain["fix"].is_null(), "{plain}");
    let help = plain["help"].as_str().unwrap_or_default();
    assert!(help.contains("still takes it when"), "{help}");
}

#[test]
fn no_fix_in_an_event_loop_s_own_methods() {
    // `asyncio.to_thread` goes through the running loop's `run_in_executor`: inside the
    // loop's own implementation (here after its default executor is marked shut down) it
    // would call back into the code being fixed.
    let source = "\
import asyncio
import threading


class Loop(asyncio.SelectorEventLoop):
    async def shutdown_default_executor(self):
        self._executor_shutdown_called = True
        thread = threading.Thread(target=self._do_shutdown)
        thread.start()
        thread.join()


class Service:
    async def stop(self, worker: threading.Thread):
        worker.join()
";
    let found = findings(source);
    assert!(finding_at(&found, 10)["fix"].is_null(), "{found:?}");
    assert!(!finding_at(&found, 15)["fix"].is_null(), "{found:?}");
}

#[test]
fn no_fix_moves_a_helper_that_cancels_a_loop_timer() {
    // Cancelling a `TimerHandle` updates the loop's own bookkeeping: from a worker thread it
    // is not thread-safe, so the helper that does it stays on the loop (the help says which
    // part to move); one that only joins its thread moves.
    let source = "\
import asyncio
import threading


class Watchdog:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._handle = None
        self._thread = threading.Thread(target=print)

    def start(self):
        self._handle = self._loop.call_later(1, print)

    def stop(self):
        self._handle.cancel()
        self._thread.join(timeout=0.2)

    def join(self):
        self._thread.join(timeout=0.2)


async def shutdown(watchdog: Watchdog):
    watchdog.stop()
    watchdog.join()
";
    let found = findings(source);
    let stop = finding_at(&found, 23);
    assert!(stop["fix"].is_null(), "{stop}");
    let help = stop["help"].as_str().unwrap_or_default();
    assert!(help.contains("also uses the event loop"), "{help}");
    assert!(!finding_at(&found, 24)["fix"].is_null(), "{found:?}");
}

#[test]
fn no_fix_moves_a_read_of_the_terminal() {
    // A worker thread blocked on `input()` keeps the program from exiting on Ctrl-C until a
    // line is typed; the other blocking call of the coroutine keeps its fix.
    let source = "\
import getpass
import time


async def login():
    name = input(\"user: \")
    secret = getpass.getpass()
    time.sleep(1)
    return name, secret, confirm()


def confirm():
    return input(\"sure? \") == \"y\"
";
    let found = findings(source);
    for row in [6, 7, 9] {
        let finding = finding_at(&found, row);
        assert!(finding["fix"].is_null(), "row {row}: {finding}");
        let help = finding["help"].as_str().unwrap_or_default();
        assert!(help.contains("Ctrl-C"), "row {row}: {help}");
    }
    assert!(!finding_at(&found, 8)["fix"].is_null());
}

#[test]
fn no_fix_moves_a_helper_that_shares_a_sqlite_connection() {
    // A connection kept on `self` (or made and kept by the helper) belongs to the thread that
    // made it: the helper moved to a worker thread would use it from another. A helper that
    // makes, uses and closes its own connection moves whole.
    let source = "\
import sqlite3


class Repo:
    def __init__(self, path):
        self.path = path
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = sqlite3.connect(self.path)
        return self.conn

    def log(self, line):
        cur = self.conn.cursor()
        cur.execute(\"INSERT INTO log VALUES (?)\", (line,))
        self.conn.commit()

    def count(self):
        con = sqlite3.connect(self.path)
        try:
            return con.execute(\"SELECT count(*) FROM log\").fetchone()[0]
        finally:
            con.close()


async def handle(repo: Repo, line):
    repo._connection()
    repo.log(line)
    return repo.count()


shared = None
opened = 0


def open_shared(path):
    global shared, opened
    opened += 1
    shared = sqlite3.connect(path)


def count_alone(path):
    global opened
    opened += 1
    con = sqlite3.connect(path)
    rows = con.execute(\"SELECT 1\").fetchall()
    con.close()
    return rows


async def start(path):
    open_shared(path)
    return count_alone(path)
";
    let found = findings(source);
    for row in [28, 29, 53] {
        let finding = finding_at(&found, row);
        assert_eq!(finding["code"], "LW103", "row {row}: {finding}");
        assert!(finding["fix"].is_null(), "row {row}: {finding}");
        let help = finding["help"].as_str().unwrap_or_default();
        assert!(
            help.contains("belongs to the thread that made it"),
            "row {row}: {help}"
        );
    }
    for row in [30, 54] {
        let count = finding_at(&found, row);
        assert_eq!(count["code"], "LW103", "row {row}: {count}");
        assert!(!count["fix"].is_null(), "row {row}: {count}");
    }
}

#[test]
fn no_fix_moves_a_helper_that_keeps_state_on_its_thread() {
    // Thread-local storage read or set, a context variable set, a signal handler installed:
    // in a worker thread the helper would see that thread's attributes, lose the value it
    // sets when `to_thread` returns, or raise `ValueError`. Also through a sync callee. A
    // helper that only reads a context variable (`to_thread` copies the context), sets one
    // and resets it with the token it kept, or asks which thread runs it moves.
    let source = "\
import contextvars
import signal
import threading


class Settings(threading.local):
    pass


_tls = threading.local()
settings = Settings()
current = contextvars.ContextVar(\"current\", default=None)


class Client:
    def __init__(self):
        self._per_thread = threading.local()

    def session(self):
        open(\"/etc/hosts\").read()
        return self._per_thread.session


def tagged():
    open(\"/etc/hosts\").read()
    return _tls.tag


def configure():
    open(\"/etc/hosts\").read()
    settings.debug = True


def remember(value):
    open(\"/etc/hosts\").read()
    current.set(value)


def install():
    open(\"/etc/hosts\").read()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def through():
    return tagged()


def reads_context():
    open(\"/etc/hosts\").read()
    return current.get()


def thread_name():
    open(\"/etc/hosts\").read()
    return threading.current_thread().name


async def handle(client: Client):
    client.session()
    tagged()
    configure()
    remember(1)
    install()
    through()
    reads_context()
    thread_name()


def scoped(value):
    open(\"/etc/hosts\").read()
    token = current.set(value)
    try:
        return current.get()
    finally:
        current.reset(token)


async def other():
    return scoped(2)
";
    let found = findings(source);
    for (row, says) in [
        (59, "thread-local storage"),
        (60, "thread-local storage"),
        (61, "thread-local storage"),
        (62, "context variable"),
        (63, "signal handler"),
        (
            64,
            "calls `tagged`, which reads or sets thread-local storage",
        ),
    ] {
        let finding = finding_at(&found, row);
        assert_eq!(finding["code"], "LW103", "row {row}: {finding}");
        assert!(finding["fix"].is_null(), "row {row}: {finding}");
        let help = finding["help"].as_str().unwrap_or_default();
        assert!(
            help.contains(says) && help.contains("cannot move to a worker thread"),
            "row {row}: {help}"
        );
    }
    for row in [65, 66, 79] {
        let finding = finding_at(&found, row);
        assert_eq!(finding["code"], "LW103", "row {row}: {finding}");
        assert!(!finding["fix"].is_null(), "row {row}: {finding}");
    }
}

#[test]
fn no_fix_moves_a_helper_that_asks_whether_a_loop_runs() {
    // A sync bridge that re-enters the running loop when there is one and starts its own
    // otherwise: on a worker thread it would always start its own, and a coroutine bound
    // to the caller's loop would fail there. Also a helper that calls it. A helper that
    // asks nothing of the loop moves.
    let source = "\
import asyncio


def run_sync(coro):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def build_filter(conn):
    open(\"/etc/hosts\").read()
    return run_sync(conn.fetch())


def plain():
    open(\"/etc/hosts\").read()


async def count(conn):
    build_filter(conn)
    plain()
";
    let found = findings(source);
    let bridged = finding_at(&found, 22);
    assert_eq!(bridged["code"], "LW103", "{bridged}");
    assert!(bridged["fix"].is_null(), "{bridged}");
    let help = bridged["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("asks whether an event loop runs on its thread")
            && help.contains("cannot move to a worker thread"),
        "{help}"
    );
    let plain = finding_at(&found, 23);
    assert_eq!(plain["code"], "LW103", "{plain}");
    assert!(!plain["fix"].is_null(), "{plain}");
}

#[test]
fn statements_that_keep_state_on_the_loop_s_thread_are_not_moved_with_a_file() {
    // A file's whole use moves into a helper run in a worker thread, unless the statements
    // also read thread-local storage or set a context variable: then only the `open` moves.
    let source = "\
import contextvars
import threading

_tls = threading.local()
current = contextvars.ContextVar(\"current\")


async def tagged(path):
    with open(path) as handle:
        text = handle.read() + _tls.tag
    return text


async def remembered(path):
    with open(path) as handle:
        text = handle.read()
        current.set(text)
    return text


async def plain(path):
    with open(path) as handle:
        text = handle.read()
    return text
";
    let fixed = fixed(source, &[]);
    assert!(
        fixed.contains(
            "async def tagged(path):\n    with await asyncio.to_thread(open, path) as handle:"
        ),
        "{fixed}"
    );
    assert!(
        fixed.contains(
            "async def remembered(path):\n    with await asyncio.to_thread(open, path) as handle:"
        ),
        "{fixed}"
    );
    assert!(fixed.contains("def _plain_sync(path):"), "{fixed}");
}

#[test]
fn a_command_s_pipe_moves_with_its_reads() {
    // `os.popen` starts the command; reading its pipe waits for the command to end. Moving
    // the `popen` alone would leave that wait on the loop.
    let source = "\
import os


async def run(cmd):
    return os.popen(cmd).read()


async def lines(cmd):
    pipe = os.popen(cmd)
    found = pipe.read().split()
    pipe.close()
    return found
";
    let fixed = fixed(source, &[]);
    assert!(
        fixed.contains("return await asyncio.to_thread(lambda: os.popen(cmd).read())"),
        "{fixed}"
    );
    assert!(
        fixed.contains("def _lines_sync(cmd):\n    pipe = os.popen(cmd)\n    found = pipe.read().split()\n    pipe.close()"),
        "{fixed}"
    );
}

#[test]
fn a_connection_behind_an_optional_argument_s_default_stays_on_the_loop() {
    // `store or Store()`: an optional argument and its default hold the same kind of object,
    // here one that keeps a `sqlite3` connection made on the loop's thread. A helper on an
    // object that keeps no connection moves.
    let source = "\
import shutil
import sqlite3


class Store:
    def __init__(self, path):
        self.db = sqlite3.connect(path)

    def count(self):
        return self.db.execute(\"SELECT count(*) FROM jobs\").fetchone()[0]


class Disk:
    def free(self):
        return shutil.disk_usage(\"/\").free


class Runner:
    def __init__(self, store=None, disk=None):
        self.store = store or Store(\"jobs.db\")
        self.disk = disk or Disk()

    def status(self):
        return {\"jobs\": self.store.count(), \"free\": shutil.disk_usage(\"/\").free}

    def space(self):
        return self.disk.free()

    async def report(self):
        return self.status(), self.space()
";
    let found = findings(source);
    let status = found
        .iter()
        .find(|finding| finding["location"]["row"] == 30 && finding["location"]["column"] == 16)
        .expect("the status call is reported");
    assert!(status["fix"].is_null(), "{status}");
    let help = status["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("belongs to the thread that made it"),
        "{help}"
    );
    let space = found
        .iter()
        .find(|finding| finding["location"]["row"] == 30 && finding["location"]["column"] == 31)
        .expect("the space call is reported");
    assert!(!space["fix"].is_null(), "{space}");
}

#[test]
fn no_fix_puts_an_await_between_a_check_and_the_state_it_sets() {
    // `if self._context is None: self._context = <blocking call>`: an `await` added there
    // lets a second coroutine pass the check before the first sets the state, and both make
    // the object. A branch that sets the state before the call, or a check of a local,
    // keeps its fix.
    let source = "\
import ssl


def load_settings(path):
    with open(path) as handle:
        return handle.read()


_settings = None


class Client:
    def __init__(self):
        self._context = None
        self._ready = False

    async def context(self):
        if self._context is None:
            self._context = ssl.create_default_context(cafile=\"ca.pem\")
        return self._context

    async def warm(self):
        if not self._ready:
            self._ready = True
            ssl.create_default_context(cafile=\"ca.pem\")


async def settings():
    global _settings
    if _settings is None:
        _settings = load_settings(\"app.toml\")
    return _settings


async def fresh(path):
    text = None
    if text is None:
        text = load_settings(path)
    return text


async def explained(path):
    error = ValueError(path)
    if not error.args:
        error.args = load_settings(path)
    raise error
";
    let found = findings(source);
    let guarded = finding_at(&found, 19);
    assert_eq!(guarded["code"], "LW101", "{guarded}");
    assert!(guarded["fix"].is_null(), "{guarded}");
    let help = guarded["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("pass the check of `self._context` before this one sets it"),
        "{help}"
    );
    let global = finding_at(&found, 31);
    assert_eq!(global["code"], "LW103", "{global}");
    assert!(global["fix"].is_null(), "{global}");
    for row in [25, 38, 45] {
        let kept = finding_at(&found, row);
        assert!(!kept["fix"].is_null(), "row {row}: {kept}");
    }
}

#[test]
fn a_sleep_on_its_own_line_becomes_an_asyncio_sleep() {
    // Waiting in a worker thread holds the thread for nothing; a sleep whose value is used,
    // or spelled with a starred argument, moves to a thread as any blocking call does.
    let source = "\
import time


async def poll(job, delays):
    while job.running:
        time.sleep(job.interval)
        job.refresh()
    done = time.sleep(0.5)
    time.sleep(*delays)
    return done
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("        await asyncio.sleep(job.interval)\n"),
        "{text}"
    );
    assert!(
        text.contains("    done = await asyncio.to_thread(time.sleep, 0.5)\n"),
        "{text}"
    );
    assert!(
        text.contains("    await asyncio.to_thread(time.sleep, *delays)\n"),
        "{text}"
    );
}

#[test]
fn a_comprehension_s_own_names_are_not_the_coroutine_s() {
    // A generator's loop variable is its own; the iterable it first loops over, and a
    // lambda's default, are read in the coroutine (here under the same name).
    let source = "\
async def export(path, rows, scale):
    with open(path, \"w\") as out:
        out.writelines(str(rows) for rows in rows)
        out.write(str(sorted([1], key=lambda item, scale=scale: item * scale)))
    total = sum(len(str(row)) for row in rows)
    return total
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("def _export_sync(path, rows, scale):"),
        "{text}"
    );
    assert!(
        text.contains("    await asyncio.to_thread(_export_sync, path, rows, scale)\n"),
        "{text}"
    );
}

#[test]
fn an_exception_name_is_neither_passed_to_the_helper_nor_returned() {
    // `except ... as error` deletes `error` when the handler ends: bound by an earlier
    // handler, it is no local the helper could be passed; bound in the moved statements, it
    // is none they could return.
    let source = "\
import json
import logging


async def fetch(kind, path, payload):
    if kind == \"json\":
        try:
            return json.loads(payload)
        except ValueError as error:
            logging.error(error)
            raise
    out = open(path, \"wb\")
    try:
        out.write(bytes(payload))
    except OSError as error:
        logging.error(error)
        raise
    finally:
        out.close()
    return path
";
    let text = fixed(source, &[]);
    assert!(text.contains("def _fetch_sync(path, payload):"), "{text}");
    assert!(
        text.contains("    await asyncio.to_thread(_fetch_sync, path, payload)\n"),
        "{text}"
    );
}

#[test]
fn a_cursor_of_a_connection_kept_on_self_stays_on_the_loop() {
    // The cursor belongs to the connection's thread: moved alone to a worker it raises
    // (unless the connection was made with `check_same_thread=False`). A cursor of a
    // connection the coroutine makes moves with the connection.
    let source = "\
import sqlite3


class Storage:
    async def open(self, path):
        self.conn = sqlite3.connect(path)
        cursor = self.conn.cursor()
        cursor.execute(\"SELECT 1\")
        found = cursor.fetchone()
        cursor.close()
        return found

    async def count(self, path):
        con = sqlite3.connect(path)
        cur = con.cursor()
        cur.execute(\"SELECT count(*) FROM t\")
        total = cur.fetchone()[0]
        con.close()
        return total
";
    let found = findings(source);
    for row in [8, 9] {
        let finding = finding_at(&found, row);
        assert!(finding["fix"].is_null(), "row {row}: {finding}");
    }
    let text = fixed(source, &[]);
    assert!(
        text.contains("def _Storage_count_sync(path):\n    con = sqlite3.connect(path)\n    cur = con.cursor()\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "        cursor = self.conn.cursor()\n        cursor.execute(\"SELECT 1\")\n"
        ),
        "{text}"
    );
}

#[test]
fn no_fix_moves_a_textual_widget_method_to_a_worker_thread() {
    // A Textual app's method may change the screen, which only the app's thread may touch:
    // neither it nor a helper that calls it moves, nor a method of a class mixed into an
    // app. A plain class's method still does.
    let source = "\
from textual.app import App
from textual.widgets import RichLog


class Calibration(App):
    def compose(self):
        self.log_view = RichLog()
        yield self.log_view

    def save(self):
        with open(\"calibration.bin\", \"wb\") as out:
            out.write(b\"...\")
        self.log_view.write(\"saved\")

    async def on_key(self, event):
        self.save()


def archive(app: Calibration):
    app.save()


async def on_archive(app: Calibration):
    archive(app)


class Store:
    def save(self):
        with open(\"store.bin\", \"wb\") as out:
            out.write(b\"...\")


async def keep(store: Store):
    store.save()


class Wizard(Calibration):
    def finish(self):
        with open(\"wizard.txt\") as handle:
            return handle.read()


async def done(wizard: Wizard):
    return wizard.finish()


class StatusMixin:
    def refresh_status(self):
        with open(\"status.txt\") as handle:
            self.query_one(\"#status\").update(handle.read())

    async def on_tick(self):
        self.refresh_status()


class Monitor(StatusMixin, App):
    pass
";
    let found = findings(source);
    // A mixin of an app: its methods run on the app.
    for (row, name) in [
        (16, "save"),
        (24, "archive"),
        (44, "finish"),
        (53, "refresh_status"),
    ] {
        assert_unfixed_lw103(
            &found,
            row,
            &format!("`{name}` is, or calls, a method of a Textual app"),
        );
    }
    let plain = finding_at(&found, 34);
    assert!(!plain["fix"].is_null(), "{plain}");
}

#[test]
fn a_file_use_that_touches_a_textual_widget_moves_its_open_alone() {
    // The statements that read the file also write to the app's widget: moved whole, they
    // would touch it from a worker thread. Those that do not name the app move whole.
    let source = "\
from textual.app import App


class Viewer(App):
    def show(self, text):
        self.query_one(\"#notes\").update(text)

    async def on_mount(self):
        with open(\"notes.txt\") as handle:
            self.show(handle.read())

    async def count(self):
        with open(\"notes.txt\") as handle:
            lines = len(handle.readlines())
        return lines
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("        with await asyncio.to_thread(open, \"notes.txt\") as handle:\n            self.show"),
        "{text}"
    );
    assert!(text.contains("def _Viewer_count_sync():"), "{text}");
    assert!(!text.contains("_Viewer_on_mount_sync"), "{text}");
}

#[test]
fn no_fix_moves_a_discord_view_to_a_worker_thread() {
    // A view's initialiser makes a future on the running loop: built on a worker thread it
    // raises, or never dispatches its buttons. A plain class that reads a file still moves.
    let source = "\
import discord


class Panel(discord.ui.View):
    def __init__(self, path):
        super().__init__(timeout=None)
        with open(path) as handle:
            self.text = handle.read()


class Plain:
    def __init__(self, path):
        with open(path) as handle:
            self.text = handle.read()


def build(path):
    return discord.ui.View(timeout=5), open(path).read()


async def show(interaction, path):
    view = Panel(path)
    plain = Plain(path)
    other = build(path)
    await interaction.response.send_message(view=view)
    return plain, other
";
    let found = findings(source);
    for (row, name) in [(22, "Panel"), (24, "build")] {
        assert_unfixed_lw103(&found, row, &format!("`{name}` also uses the event loop"));
    }
    let plain = finding_at(&found, 23);
    assert!(!plain["fix"].is_null(), "{plain}");
}

#[test]
fn no_asyncio_fix_in_a_module_written_for_another_event_loop() {
    // Under trio (or anyio on its trio backend) no asyncio loop runs: `asyncio.to_thread`
    // would raise. A module that imports asyncio as well keeps its fix.
    let trio_only = "\
import ssl
import trio


async def connect():
    await trio.sleep(0)
    return ssl.create_default_context()
";
    let finding = finding_at(&findings(trio_only), 7).clone();
    assert!(finding["fix"].is_null(), "{finding}");
    let both = trio_only.replace("import trio\n", "import asyncio\nimport trio\n");
    let finding = finding_at(&findings(&both), 8).clone();
    assert!(!finding["fix"].is_null(), "{finding}");
}

// ------------------------------------------------------------ lazy results and chains

#[test]
fn a_lazy_listing_moves_with_its_consumer_or_not_at_all() {
    let source = "\
import asyncio
import os
import pathlib


async def listed(root):
    return sorted(pathlib.Path(root).iterdir())


async def walked(root):
    for entry in os.scandir(root):
        print(entry)
";
    let text = fixed(source, &[]);
    assert!(
        text.contains(
            "    return await asyncio.to_thread(lambda: sorted(pathlib.Path(root).iterdir()))\n"
        ),
        "{text}"
    );
    // Moved whole: the listing no longer runs on the loop (passed as an argument, the call
    // itself did, and from Python 3.13 `iterdir` lists the directory when called).
    let again = findings(&text);
    assert!(
        again.iter().all(|finding| {
            !finding["message"]
                .as_str()
                .unwrap_or_default()
                .contains("iterdir")
        }),
        "{again:?}"
    );
    assert!(
        text.contains("    for entry in os.scandir(root):\n"),
        "{text}"
    );
}

#[test]
fn a_lazy_call_typed_by_the_link_moves_with_its_consumer_or_not_at_all() {
    // `self._checked(path)` is typed only by the link (a method of a base class whose own
    // base is in another module): the module wrote its recipes not knowing the calls lazy.
    // A generator's call moves with its consumer; `iterdir`, which lists when called, gets
    // no fix; an eager call moves alone.
    let source = "\
from pathlib import Path

from base import Tool


class Files(Tool):
    def _checked(self, path: str) -> Path:
        return Path(path).resolve()


class Listing(Files):
    async def listed(self, path: str):
        return sorted(self._checked(path).iterdir())

    async def found(self, path: str):
        return sorted(self._checked(path).rglob(\"*.json\"))

    async def made(self, path: str):
        self._checked(path).mkdir()
";
    let dir = project(&[("app.py", source), ("base.py", "class Tool:\n    pass\n")]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "--exit-zero"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("app.py")).expect("read");
    assert!(
        text.contains("        return sorted(self._checked(path).iterdir())\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "        return await asyncio.to_thread(sorted, self._checked(path).rglob(\"*.json\"))\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("        await asyncio.to_thread(self._checked(path).mkdir)\n"),
        "{text}"
    );
}

#[test]
fn a_redis_scan_moves_with_its_consumer_or_not_at_all() {
    // `scan_iter` is a generator: each `SCAN` round trip runs as it is iterated.
    let source = "\
import asyncio
import redis

client = redis.Redis()


async def keys(pattern):
    for key in client.scan_iter(match=pattern):
        print(key)
    return list(client.hscan_iter(\"h\"))
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("    for key in client.scan_iter(match=pattern):\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "    return await asyncio.to_thread(lambda: list(client.hscan_iter(\"h\")))\n"
        ),
        "{text}"
    );
}

#[test]
fn a_queryset_iterated_where_it_is_built_is_not_moved_alone() {
    // Moved to a thread, `Invoice.objects.all` would only build the queryset there: the
    // query would still run where it is iterated, on the loop.
    let source = "\
import asyncio

from django.db import models


class Invoice(models.Model):
    total = models.IntegerField()


async def totals():
    for invoice in Invoice.objects.all():
        print(invoice.total)
    return list(Invoice.objects.values_list(\"id\", flat=True))
";
    let found = findings(source);
    assert_eq!(found.len(), 2, "{found:?}");
    let text = fixed(source, &[]);
    assert!(
        text.contains("    for invoice in Invoice.objects.all():\n"),
        "{text}"
    );
    assert!(
        text.contains("    return list(Invoice.objects.values_list(\"id\", flat=True))\n"),
        "{text}"
    );
}

#[test]
fn a_chunked_reader_moves_with_its_consumer_or_not_at_all() {
    // With `chunksize=` pandas returns an iterator that parses as it is iterated: moved alone
    // to a thread, the parsing would still run on the loop.
    let source = "\
import asyncio
import pandas as pd


async def whole(path):
    return pd.read_csv(path)


async def chunked(path):
    for frame in pd.read_csv(path, chunksize=1000):
        print(frame)


async def unchunked(path):
    return list(pd.read_csv(path, chunksize=None))


async def listed(path):
    return list(pd.read_csv(path, chunksize=500))
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("    return await asyncio.to_thread(pd.read_csv, path)\n"),
        "{text}"
    );
    assert!(
        text.contains("    for frame in pd.read_csv(path, chunksize=1000):\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "    return list((await asyncio.to_thread(pd.read_csv, path, chunksize=None)))\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "    return await asyncio.to_thread(lambda: list(pd.read_csv(path, chunksize=500)))\n"
        ),
        "{text}"
    );
}

#[test]
fn a_generator_helper_moves_with_its_consumer_or_not_at_all() {
    let source = "\
import asyncio
import time


def ticks(n):
    for i in range(n):
        time.sleep(0.01)
        yield i


async def total():
    return sum(ticks(3))


async def counted():
    seen = 0
    for _ in ticks(2):
        seen += 1
    return seen
";
    let text = fixed(source, &[]);
    assert!(
        text.contains("    return await asyncio.to_thread(sum, ticks(3))\n"),
        "{text}"
    );
    assert!(text.contains("    for _ in ticks(2):\n"), "{text}");
}

#[test]
fn a_blocking_call_consumed_by_another_moves_with_it() {
    let source = "\
import asyncio
import json


async def read(path):
    return json.loads(open(path).read())


async def load(path):
    return json.load(open(path))
";
    let text = fixed(source, &[]);
    assert!(
        text.contains(
            "    return json.loads((await asyncio.to_thread(lambda: open(path).read())))\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("    return await asyncio.to_thread(lambda: json.load(open(path)))\n"),
        "{text}"
    );
}

#[test]
fn no_await_goes_into_a_lambda_a_generator_expression_a_nested_def_or_class() {
    let source = "\
import asyncio
import os
import time


async def handler(paths):
    later = lambda: time.sleep(1)
    present = any(os.path.exists(p) for p in paths)

    def nested():
        time.sleep(1)

    class Settings:
        present = os.path.exists(\"settings.toml\")

    return later, present, nested, Settings
";
    let found = findings(source);
    // The generator expression and the class body are still reported, without a fix.
    assert_eq!(found.len(), 2, "{found:?}");
    let with_fixes: Vec<&Value> = found
        .iter()
        .filter(|finding| !finding["fix"].is_null())
        .collect();
    assert!(with_fixes.is_empty(), "{with_fixes:?}");
}

#[test]
fn a_comment_after_the_last_argument_stays_a_comment() {
    let source = "import asyncio\nimport subprocess\n\n\nasync def run():\n    subprocess.run(\n        [\"true\"],\n        check=True,  # fail loudly\n    )\n";
    assert_eq!(
        fixed(source, &[]),
        "import asyncio\nimport subprocess\n\n\nasync def run():\n    await asyncio.to_thread(subprocess.run, [\"true\"],\n        check=True,  # fail loudly\n)\n"
    );
}

// ------------------------------------------------------------ the other fixes

#[test]
fn import_asyncio_is_added_after_the_leading_imports_when_missing() {
    let source = "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\"\"\"Doc.\"\"\"\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n";
    assert_eq!(
        fixed(source, &[]),
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\"\"\"Doc.\"\"\"\nimport time\nimport asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n"
    );
}

#[test]
fn below_python_3_9_the_call_runs_in_the_default_executor() {
    let source = "import asyncio\nimport os\nimport subprocess\n\n\nasync def handler():\n    os.remove(\"x\")\n    subprocess.run([\"true\"], check=True)\n";
    assert_eq!(
        fixed(source, &["--target-version", "py38"]),
        "import asyncio\nimport os\nimport subprocess\nimport functools\n\n\nasync def handler():\n    await asyncio.get_running_loop().run_in_executor(None, os.remove, \"x\")\n    await asyncio.get_running_loop().run_in_executor(None, functools.partial(subprocess.run, [\"true\"], check=True))\n"
    );
}

#[test]
fn a_dropped_task_is_kept_in_an_existing_set_or_a_new_one() {
    // A set the module already keeps tasks in (each removed by its done callback).
    let reuse = "\
import asyncio

tasks = set()


async def work():
    await asyncio.sleep(0)


async def begin():
    kept = asyncio.create_task(work())
    tasks.add(kept)
    kept.add_done_callback(tasks.discard)


async def start():
    asyncio.create_task(work())  # fire and forget
";
    assert!(
        fixed(reuse, &[]).ends_with(
            "    task = asyncio.create_task(work())\n    tasks.add(task)\n    task.add_done_callback(tasks.discard)  # fire and forget\n"
        ),
        "{}",
        fixed(reuse, &[])
    );

    let instance = "\
import asyncio


class Worker:
    def __init__(self):
        self.services = set()
        self.pending: set[asyncio.Task] = set()

    async def job(self):
        await asyncio.sleep(0)

    async def start(self):
        task = asyncio.ensure_future(self.job())
";
    assert!(
        fixed(instance, &[]).ends_with(
            "        task = asyncio.ensure_future(self.job())\n        self.pending.add(task)\n        task.add_done_callback(self.pending.discard)\n"
        ),
        "{}",
        fixed(instance, &[])
    );

    // A set named for tasks that holds something else (a scheduler's jobs, iterated):
    // only a set the module already keeps tasks in, or annotated so, is reused.
    let jobs = "\
import asyncio


class Scheduler:
    def __init__(self):
        self.tasks = set()

    async def load(self):
        await asyncio.sleep(0)
        self.tasks = {\"backup\"}

    def due(self):
        return [job for job in self.tasks]

    async def start(self):
        asyncio.ensure_future(self.load())
";
    let text = fixed(jobs, &[]);
    assert!(
        text.contains("_background_tasks = set()\n") && !text.contains("self.tasks.add("),
        "{text}"
    );

    // An empty set of something else (service names) is no place for tasks.
    let other = "\
import asyncio

services = set()


class Client:
    def __init__(self):
        self.tls_services = set()

    async def job(self):
        await asyncio.sleep(0)

    async def start(self):
        asyncio.ensure_future(self.job())
";
    let text = fixed(other, &[]);
    assert!(text.contains("_background_tasks = set()\n"), "{text}");
    assert!(
        text.ends_with("        task.add_done_callback(_background_tasks.discard)\n"),
        "{text}"
    );

    // Two dropped tasks and no set: the first pass adds the set, the next reuses it.
    let none = "\
import asyncio


async def work():
    await asyncio.sleep(0)


async def start():
    asyncio.create_task(work())


async def again():
    asyncio.create_task(work())
";
    let text = fixed(none, &[]);
    assert_eq!(
        text.matches("_background_tasks = set()").count(),
        1,
        "{text}"
    );
    assert_eq!(
        text.matches("task.add_done_callback(_background_tasks.discard)")
            .count(),
        2,
        "{text}"
    );
}

// ------------------------------------------------------------ the command line

const TWO_FIXES: &str = "\
import asyncio
import time


async def handler():
    loop = asyncio.get_event_loop()
    time.sleep(1)
    return loop
";

// ------------------------------------------------------------ missing awaits

#[test]
fn await_is_a_safe_fix_for_an_async_def_and_an_unsafe_one_for_an_annotated_callable() {
    let source = "\
from typing import Awaitable, Callable


async def save(record):
    return record


async def handle(record, notify: Callable[[str], Awaitable[None]]):
    save(record)
    notify(record)
";
    let found = findings(source);
    // The callee is an `async def` of the project: `await` is what the call needs.
    assert_eq!(finding_at(&found, 9)["fix"]["applicability"], "safe");
    // Known only from an annotation, which a plain function passed in would not keep to.
    assert_eq!(finding_at(&found, 10)["fix"]["applicability"], "unsafe");
    let dir = project(&[("app.py", source)]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--exit-zero"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("app.py")).expect("read");
    assert!(
        text.contains("    await save(record)\n    notify(record)\n"),
        "{text}"
    );
    assert!(fixed(source, &[]).contains("    await save(record)\n    await notify(record)\n"));
}

#[test]
fn no_await_for_a_coroutine_that_loops_forever() {
    // Awaited, `serve` would never return and `run` would stop there: the help says to start
    // it as a task. A loop its own `break` ends, or one in a nested loop's, keeps the fix.
    let source = "\
import asyncio


class Jobs:
    def __init__(self):
        self.queue = asyncio.Queue()

    async def serve(self):
        while True:
            job = await self.queue.get()
            for step in job:
                if step is None:
                    break
                await step()

    async def drain(self):
        while True:
            if self.queue.empty():
                break
            await self.queue.get()


async def run(jobs: Jobs):
    _ = jobs.serve()
    _ = jobs.drain()
";
    let found = findings(source);
    let endless = finding_at(&found, 24);
    assert_eq!(endless["code"], "LW302", "{endless}");
    assert!(endless["fix"].is_null(), "{endless}");
    let help = endless["help"].as_str().unwrap_or_default();
    assert!(help.starts_with("It loops forever"), "{help}");
    assert_eq!(finding_at(&found, 25)["fix"]["applicability"], "safe");
}

#[test]
fn diff_prints_what_fix_would_change_and_writes_nothing() {
    let dir = project(&[("app.py", TWO_FIXES)]);
    let output = loopwarden(dir.path())
        .args(["check", "--diff"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(
        stdout,
        "--- app.py\n+++ app.py\n@@ -3,6 +3,6 @@\n \n \n async def handler():\n-    loop = asyncio.get_event_loop()\n+    loop = asyncio.get_running_loop()\n     time.sleep(1)\n     return loop\n"
    );
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        stderr.contains("Would fix 1 finding in 1 file (1 remaining)."),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        TWO_FIXES
    );
    // Nothing to change: no diff, exit 0.
    loopwarden(dir.path())
        .args(["check", "--diff", "--select", "LW105"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fix_only_reports_nothing_but_the_counts() {
    let dir = project(&[("app.py", TWO_FIXES)]);
    loopwarden(dir.path())
        .args(["check", "--fix-only"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("Fixed 1 finding in 1 file (1 remaining).\n");
}

#[test]
fn show_fixes_lists_each_fix_and_the_summary_counts_fixed_and_remaining() {
    let dir = project(&[("app.py", TWO_FIXES)]);
    let output = loopwarden(dir.path())
        .args([
            "check",
            "--fix",
            "--show-fixes",
            "--output-format",
            "concise",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        stderr.contains("app.py:6: LW201 Replace with `asyncio.get_running_loop()`"),
        "{stderr}"
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.contains("Found 2 errors (1 fixed, 1 remaining)."),
        "{stdout}"
    );
}

// ------------------------------------------------------------ writing the files

const BLOCKING: &str = "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n";
const BLOCKING_FIXED: &str =
    "import asyncio\nimport time\n\n\nasync def handler():\n    await asyncio.sleep(1)\n";

#[test]
fn line_endings_and_a_byte_order_mark_are_kept() {
    let source = format!("\u{feff}{}", BLOCKING.replace('\n', "\r\n"));
    let text = fixed(&source, &[]);
    assert_eq!(
        text,
        format!("\u{feff}{}", BLOCKING_FIXED.replace('\n', "\r\n"))
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_stays_a_link_to_the_fixed_file() {
    let dir = project(&[]);
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("real/target.py"), BLOCKING).unwrap();
    std::os::unix::fs::symlink("../real/target.py", dir.path().join("src/app.py")).unwrap();
    loopwarden(dir.path())
        .args(["check", "src/app.py", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0);
    let link = dir.path().join("src/app.py");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/target.py")).unwrap(),
        BLOCKING_FIXED
    );
}

#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_fixed_under_its_own_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    std::fs::write(dir.path().join(name), BLOCKING).unwrap();
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(name)).unwrap(),
        BLOCKING_FIXED
    );
    // The cache directory aside.
    let entries = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name() != ".loopwarden_cache")
        .count();
    assert_eq!(entries, 1, "no other file was written");
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_a_read_only_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("app.py", BLOCKING), ("locked.py", BLOCKING)]);
    let app = dir.path().join("app.py");
    let locked = dir.path().join("locked.py");
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .output()
        .expect("run");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("locked.py: not fixed: the file is read-only"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&app).unwrap(), BLOCKING_FIXED);
    assert_eq!(
        std::fs::metadata(&app).unwrap().permissions().mode() & 0o777,
        0o750
    );
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), BLOCKING);
    // The read-only file's finding is still reported.
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(stdout.contains("locked.py"), "{stdout}");
}

// ------------------------------------------------------------ fixed programs still run

/// `tests/e2e/run_fixed.py` under CPython: every program of `tests/programs/`, and the demo,
/// runs with the same output before and after `check --fix --unsafe-fixes`. CI runs it too
/// (`tests/e2e/run_fixed.sh`); here it runs with the test build when a `python3` is found.
#[test]
fn fixed_programs_still_run() {
    let python = std::env::var("CI_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let Ok(probe) = std::process::Command::new(&python)
        .arg("--version")
        .output()
    else {
        eprintln!("skipped: no `{python}` to run the programs with");
        return;
    };
    assert!(probe.status.success(), "`{python} --version` failed");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(&python)
        .arg(root.join("tests/e2e/run_fixed.py"))
        .arg(env!("CARGO_BIN_EXE_loopwarden"))
        .output()
        .expect("run run_fixed.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("all fixed programs still run"), "{stdout}");
}

#[test]
fn a_transitive_call_is_moved_with_asyncio_imported_when_missing() {
    let source =
        "import time\n\n\ndef pause():\n    time.sleep(1)\n\n\nasync def handler():\n    pause()\n";
    let text = fixed(source, &[]);
    assert!(text.contains("import asyncio\n"), "{text}");
    assert!(
        text.contains("    await asyncio.to_thread(pause)\n"),
        "{text}"
    );
}

#[test]
fn a_blocking_helper_called_on_another_ones_result_moves_outer_first() {
    // `Material(data).as_file()`: both helpers block. Moving the constructor alone would
    // leave `as_file` on the loop with a receiver whose type the next run cannot follow, so
    // its finding would vanish unfixed. The outer call moves first; the inner one then
    // moves in the thread's arguments.
    let source = "\
import asyncio
import os
import tempfile


class Material:
    def __init__(self, data, directory):
        self.data = data
        os.makedirs(directory, exist_ok=True)

    def as_file(self):
        handle, name = tempfile.mkstemp()
        os.write(handle, self.data)
        return name


async def load(data):
    return Material(data, \"/tmp/m\").as_file()
";
    let found = findings(source);
    let on_row: Vec<&Value> = found
        .iter()
        .filter(|finding| finding["location"]["row"] == 18)
        .collect();
    assert_eq!(on_row.len(), 2, "{found:?}");
    let outer = on_row
        .iter()
        .find(|finding| finding["end_location"]["column"] == 46)
        .expect("the outer call's finding");
    assert!(!outer["fix"].is_null(), "{outer}");
    let inner = on_row
        .iter()
        .find(|finding| finding["fix"].is_null())
        .expect("the inner call's finding, without a fix");
    let help = inner["help"].as_str().unwrap_or_default();
    assert!(help.contains("asyncio.to_thread(Material, ...)"), "{help}");
    let text = fixed(source, &[]);
    assert!(
        text.contains(
            "    return await asyncio.to_thread((await asyncio.to_thread(Material, data, \"/tmp/m\")).as_file)\n"
        ),
        "{text}"
    );
}

#[test]
fn below_python_3_9_a_transitive_call_goes_to_the_default_executor() {
    let source = "import asyncio\nimport time\n\n\ndef pause(seconds, *, jitter=0):\n    time.sleep(seconds + jitter)\n\n\nasync def handler():\n    pause(1, jitter=2)\n";
    let text = fixed(source, &["--target-version", "py38"]);
    assert!(
        text.contains(
            "await asyncio.get_running_loop().run_in_executor(None, functools.partial(pause, 1, jitter=2))"
        ),
        "{text}"
    );
    assert!(text.contains("import functools\n"), "{text}");
}

/// The LW103 finding on `row` of `source`, asserted to offer no fix.
fn transitive_finding_without_fix(source: &str, row: u64) -> Value {
    let all = findings(source);
    let finding = finding_at(&all, row).clone();
    assert_eq!(finding["code"], "LW103", "{finding}");
    assert!(finding["fix"].is_null(), "{finding}");
    finding
}

#[test]
fn no_fix_inside_a_section_under_a_threads_lock() {
    // An `await` under `with self._lock:` would suspend the coroutine holding a thread's
    // lock; the next coroutine to take it would block the loop's thread for good. Outside
    // the section both calls keep their fixes.
    let source = "\
import threading
import time


class Pipe:
    def __init__(self):
        self._lock = threading.Lock()

    def send(self, message):
        time.sleep(0.1)
        return message

    async def request(self, message):
        with self._lock:
            reply = self.send(message)
            time.sleep(1)
        with self._state_lock:
            time.sleep(1)
        return reply

    async def free(self, message):
        time.sleep(1)
        return self.send(message)
";
    transitive_finding_without_fix(source, 15);
    let all = findings(source);
    for row in [16, 18] {
        let held = finding_at(&all, row);
        assert_eq!(held["code"], "LW101", "{held}");
        assert!(held["fix"].is_null(), "{held}");
        let help = held["help"].as_str().unwrap_or_default();
        assert!(help.contains("holds a thread's lock"), "{help}");
    }
    for row in [22, 23] {
        assert!(
            !finding_at(&all, row)["fix"].is_null(),
            "row {row}: {all:?}"
        );
    }
}

#[test]
fn no_fix_in_a_try_whose_handler_swallows_cancellation() {
    // An `await` added under a bare `except: pass` is where the task's cancellation would
    // land, and the handler would swallow it. `except Exception` does not catch it, and a
    // handler that re-raises hands it on: both keep their fixes.
    let source = "\
import time


def save(path):
    with open(path, 'w') as out:
        out.write('x')


async def close(path):
    try:
        time.sleep(1)
        save(path)
    except:
        pass
    try:
        time.sleep(1)
    except Exception:
        pass
    try:
        time.sleep(1)
    except BaseException:
        print('closing failed')
        raise
";
    let all = findings(source);
    let swallowed = finding_at(&all, 11);
    assert_eq!(swallowed["code"], "LW101", "{swallowed}");
    assert!(swallowed["fix"].is_null(), "{swallowed}");
    let help = swallowed["help"].as_str().unwrap_or_default();
    assert!(help.contains("swallows the task's cancellation"), "{help}");
    transitive_finding_without_fix(source, 12);
    for row in [16, 20] {
        assert!(
            !finding_at(&all, row)["fix"].is_null(),
            "row {row}: {all:?}"
        );
    }
}

#[test]
fn no_transitive_fix_in_an_except_clause() {
    // `write_report` logs the exception being handled without being handed it: on a worker
    // thread `sys.exc_info()` is empty. In the `try` body, or after the `try`, it may move.
    let source = "\
import sys
import traceback


def write_report():
    with open('errors.log', 'a') as log:
        traceback.print_exception(*sys.exc_info(), file=log)


async def run(job):
    try:
        await job()
        write_report()
    except Exception:
        write_report()
    write_report()
";
    transitive_finding_without_fix(source, 15);
    let all = findings(source);
    assert_eq!(finding_at(&all, 13)["code"], "LW103", "{all:?}");
    assert!(!finding_at(&all, 13)["fix"].is_null(), "{all:?}");
    assert!(!finding_at(&all, 16)["fix"].is_null(), "{all:?}");
}

#[test]
fn no_transitive_fix_when_the_helper_also_uses_the_event_loop() {
    // The helper reads a file and makes a future of the calling thread's loop: on a worker
    // thread the future has no loop, so the helper cannot move there whole.
    let source = "import asyncio\n\n\ndef load(path):\n    with open(path) as handle:\n        text = handle.read()\n    return text, asyncio.Future()\n\n\nasync def handler():\n    return load('a.txt')\n";
    let finding = transitive_finding_without_fix(source, 11);
    let help = finding["help"].as_str().unwrap_or_default();
    assert!(help.contains("also uses the event loop"), "{finding}");
    // With `loop=` the future is bound to the loop it is given: the helper may move.
    let bound = source
        .replace("asyncio.Future()", "asyncio.Future(loop=loop)")
        .replace("def load(path):", "def load(path, loop=None):");
    let all = findings(&bound);
    assert!(!finding_at(&all, 11)["fix"].is_null(), "{all:?}");
    // `get_event_loop()` raises on a worker thread, where no loop is set.
    let asks = source.replace("asyncio.Future()", "asyncio.get_event_loop()");
    let all = findings(&asks);
    assert!(finding_at(&all, 11)["fix"].is_null(), "{all:?}");
}

#[test]
fn no_transitive_fix_when_the_helper_emits_on_an_asyncio_event_emitter() {
    // aiortc's tracks derive from pyee's asyncio emitter: `stop()` joins a thread and emits
    // "ended", which schedules coroutine handlers on the emitter's loop. Emitting from a
    // worker thread is not thread-safe, so `stop` cannot move there whole.
    let source = "import threading\n\nfrom pyee.asyncio import AsyncIOEventEmitter\n\n\nclass Track(AsyncIOEventEmitter):\n    def __init__(self):\n        super().__init__()\n        self._thread = threading.Thread(target=print)\n\n    def stop(self):\n        self.emit(\"ended\")\n        self._thread.join()\n\n    async def recv(self):\n        self.stop()\n";
    transitive_finding_without_fix(source, 16);
    // A plain class's `emit` is the project's own: the helper may move.
    let plain = source
        .replace("from pyee.asyncio import AsyncIOEventEmitter\n", "")
        .replace("class Track(AsyncIOEventEmitter):", "class Track:")
        .replace("        super().__init__()\n", "")
        .replace(
            "    def stop(self):",
            "    def emit(self, name):\n        print(name)\n\n    def stop(self):",
        );
    let all = findings(&plain);
    let line = plain
        .lines()
        .position(|line| line.contains("        self.stop()"))
        .map_or(0, |index| index as u64 + 1);
    assert!(!finding_at(&all, line)["fix"].is_null(), "{all:?}");
}
