//! Behaviours of single rules that a fixture line cannot show: the exact text of a fix, the
//! rows a message names. Each goes through the public analysis API.

use loopwarden::analysis::analyse_source;
use loopwarden::discovery::SourcePath;
use loopwarden::discovery::module_name::ModuleName;
use loopwarden::registry::Rule;
use loopwarden::settings::Settings;

// LW201: the spelling of `get_running_loop` its fix uses.
/// The source after applying every LW201 fix, or `None` when no finding has one.
fn fixed(source: &str) -> Option<String> {
    fixed_by(Rule::GetEventLoop, source)
}

/// The source after applying every fix of `rule`'s findings, or `None` when none has one.
fn fixed_by(rule: Rule, source: &str) -> Option<String> {
    let file = SourcePath {
        path: "m.py".into(),
        display: "m.py".into(),
        seen_regular: false,
    };
    let module = ModuleName {
        name: "m".into(),
        ..ModuleName::default()
    };
    let analysis = analyse_source(
        &file,
        source.to_string(),
        &module,
        None,
        &Settings::default(),
    );
    let mut edits: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule == rule)
        .filter_map(|diagnostic| diagnostic.fix.as_ref())
        .flat_map(|fix| fix.edits.iter())
        .collect();
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start()));
    let mut result = source.to_string();
    for edit in edits {
        result.replace_range(edit.range.to_std_range(), &edit.content);
    }
    assert!(
        ruff_python_parser::parse_module(&result).is_ok(),
        "fixed source re-parses:\n{result}"
    );
    Some(result)
}

#[test]
fn keeps_the_module_alias() {
    let source = "import asyncio as aio\n\nasync def f():\n    return aio.get_event_loop()\n";
    assert_eq!(
        fixed(source).unwrap(),
        source.replace("aio.get_event_loop()", "aio.get_running_loop()")
    );
}

#[test]
fn uses_an_imported_get_running_loop() {
    let source = "from asyncio import get_event_loop, get_running_loop\n\nasync def f():\n    return get_event_loop()\n";
    assert!(
        fixed(source)
            .unwrap()
            .ends_with("return get_running_loop()\n")
    );
}

#[test]
fn falls_back_to_the_module_import() {
    let source = "import asyncio as aio\nfrom asyncio import get_event_loop\n\nasync def f():\n    return get_event_loop()\n";
    assert!(
        fixed(source)
            .unwrap()
            .ends_with("return aio.get_running_loop()\n")
    );
}

#[test]
fn no_fix_without_a_spelling_for_get_running_loop() {
    let source =
        "from asyncio import get_event_loop\n\nasync def f():\n    return get_event_loop()\n";
    assert_eq!(fixed(source), None);
    let shadowed = "import asyncio\nfrom asyncio import get_event_loop\n\nasync def f(asyncio):\n    return get_event_loop()\n";
    assert_eq!(fixed(shadowed), None);
}

#[test]
fn no_fix_in_sync_context() {
    let source = "import asyncio\n\ndef f():\n    return asyncio.get_event_loop()\n";
    assert_eq!(fixed(source), None);
}

// LW601: what its message names.
fn messages(name: &str, source: &str) -> Vec<(usize, String)> {
    let dir = std::env::temp_dir().join(format!("loopwarden-lw601-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.py"));
    std::fs::write(&path, source).unwrap();
    let settings = Settings {
        rules: [Rule::CheckThenActAcrossAwait].into_iter().collect(),
        ..Settings::default()
    };
    let report = loopwarden::check(&[path], &settings);
    let found = report
        .findings()
        .map(|finding| (finding.location.row, finding.message.clone()))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    found
}

#[test]
fn the_message_names_the_check_the_await_and_the_write_with_their_rows() {
    let found = messages(
        "rows",
        "async def signup(db, email):\n    row = await db.fetch_one(\"SELECT 1 FROM users WHERE email = ?\", email)\n    if row is not None:\n        raise ValueError(email)\n    await audit(email)\n    await db.execute(\"INSERT INTO users (email) VALUES (?)\", email)\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (row, message) = &found[0];
    assert_eq!(*row, 3);
    assert!(
        message.starts_with("Check `row is not None` (row 3) and write `db.execute("),
        "{message}"
    );
    assert!(
        message.contains(
            "(row 6) are not atomic: other coroutines can run at `await audit(email)` (row 5)"
        ),
        "{message}"
    );
}

// LW204: `with` on an async-only context manager becomes `async with`, in a coroutine only.
#[test]
fn wrong_protocol_fix_adds_async() {
    let source =
        "import asyncio\n\nlock = asyncio.Lock()\n\nasync def f():\n    with lock:\n        pass\n";
    assert_eq!(
        fixed_by(Rule::WrongContextManagerProtocol, source).unwrap(),
        source.replace("    with lock:", "    async with lock:")
    );
}

#[test]
fn wrong_protocol_no_fix_in_sync_code_or_with_a_sync_item() {
    let sync =
        "import asyncio\n\nlock = asyncio.Lock()\n\ndef f():\n    with lock:\n        pass\n";
    assert_eq!(fixed_by(Rule::WrongContextManagerProtocol, sync), None);
    let mixed = "import asyncio, threading\n\nlock = asyncio.Lock()\n\nasync def f():\n    with lock, threading.Lock():\n        pass\n";
    assert_eq!(fixed_by(Rule::WrongContextManagerProtocol, mixed), None);
}
