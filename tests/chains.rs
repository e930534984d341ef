//! Which blocking call a chain names (LW103, LW104): the chains are in the messages, which
//! the inline fixtures do not check.

use loopwarden::registry::Rule;
use loopwarden::settings::Settings;

/// Writes `files` (name, text) into a fresh directory and returns every finding of `rule`
/// as (file name, row, message).
fn findings(test: &str, rule: Rule, files: &[(&str, &str)]) -> Vec<(String, usize, String)> {
    let dir = std::env::temp_dir().join(format!("loopwarden-chains-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
    }
    let settings = Settings {
        rules: [rule].into_iter().collect(),
        ..Settings::default()
    };
    let report = loopwarden::check(std::slice::from_ref(&dir), &settings);
    let found = report
        .findings()
        .map(|finding| {
            let name = finding
                .filename
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .to_string();
            (name, finding.location.row, finding.message.clone())
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    found
}

#[test]
fn a_helper_with_a_file_read_and_a_request_is_named_by_the_request() {
    let found = findings(
        "same_helper",
        Rule::TransitiveBlockingCall,
        &[(
            "app.py",
            "import requests\n\n\
             def refresh(path, url):\n    \
                 with open(path) as f:\n        \
                     f.read()\n    \
                 return requests.get(url)\n\n\
             async def handler(path, url):\n    \
                 return refresh(path, url)\n",
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (_, row, message) = &found[0];
    assert_eq!(*row, 9);
    assert!(
        message.contains("blocks the event loop in `requests.get`"),
        "{message}"
    );
}

#[test]
fn a_deeper_round_trip_outranks_a_nearer_file_read() {
    let found = findings(
        "deeper",
        Rule::TransitiveBlockingCall,
        &[
            (
                "helpers.py",
                "import time\n\n\
                 def read_config(path):\n    \
                     with open(path) as f:\n        \
                         return f.read()\n\n\
                 def wait_a_bit():\n    \
                     time.sleep(1)\n\n\
                 def retry():\n    \
                     wait_a_bit()\n",
            ),
            (
                "service.py",
                "from helpers import read_config, retry\n\n\
                 def prepare(path):\n    \
                     read_config(path)\n    \
                     retry()\n\n\
                 async def serve(path):\n    \
                     prepare(path)\n",
            ),
        ],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (file, row, message) = &found[0];
    assert_eq!((file.as_str(), *row), ("service.py", 8));
    assert!(
        message.contains("blocks the event loop in `time.sleep`")
            && message.contains("prepare -> retry -> wait_a_bit -> time.sleep"),
        "{message}"
    );
}

#[test]
fn among_equals_the_first_call_is_named() {
    let found = findings(
        "equals",
        Rule::TransitiveBlockingCall,
        &[(
            "app.py",
            "import subprocess\nimport time\n\n\
             def deploy():\n    \
                 time.sleep(1)\n    \
                 subprocess.run([\"true\"])\n\n\
             async def handler():\n    \
                 deploy()\n",
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].2.contains("blocks the event loop in `time.sleep`"),
        "{}",
        found[0].2
    );
}

#[test]
fn a_sleep_behind_a_loop_probe_is_not_the_named_call() {
    // The login sleeps only where no loop runs (`if not can_block(): raise`): inside one, the
    // helper still reads the token file, and that is what the chain names.
    let found = findings(
        "probe",
        Rule::TransitiveBlockingCall,
        &[(
            "app.py",
            "import asyncio\nimport time\n\n\
             def loop_running():\n    \
                 try:\n        \
                     asyncio.get_running_loop()\n    \
                 except RuntimeError:\n        \
                     return False\n    \
                 return True\n\n\
             def can_block():\n    \
                 return not loop_running()\n\n\
             def login():\n    \
                 if not can_block():\n        \
                     raise RuntimeError('no')\n    \
                 time.sleep(5)\n\n\
             def token():\n    \
                 with open('token') as f:\n        \
                     data = f.read()\n    \
                 login()\n    \
                 return data\n\n\
             async def handler():\n    \
                 return token()\n",
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (_, _, message) = &found[0];
    assert!(
        message.contains("blocks the event loop in `open`"),
        "{message}"
    );
}

#[test]
fn an_override_calling_its_base_through_super_is_named_with_both_classes() {
    let found = findings(
        "super_override",
        Rule::TransitiveBlockingCall,
        &[(
            "store.py",
            "import time\n\n\
             class Store:\n    \
                 def save(self):\n        \
                     time.sleep(1)\n\n\
             class AsyncStore(Store):\n    \
                 async def save(self):\n        \
                     super().save()\n\n\
             async def handler(path):\n    \
                 return save(path)\n\n\
             def save(path):\n    \
                 time.sleep(1)\n",
        )],
    );
    let messages: Vec<(usize, &str)> = found
        .iter()
        .map(|(_, row, message)| (*row, message.as_str()))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0]
            .1
            .starts_with("`AsyncStore.save` calls `Store.save`,"),
        "{messages:?}"
    );
    // Different names need no classes: the short names stay.
    assert!(
        messages[1].1.starts_with("`handler` calls `save`,"),
        "{messages:?}"
    );
}

#[test]
fn a_constructor_in_a_chain_is_named_with_its_class() {
    let found = findings(
        "constructor_steps",
        Rule::TransitiveBlockingCall,
        &[(
            "app.py",
            "import os\n\n\
             class Telegrams:\n    \
                 def __init__(self, path):\n        \
                     os.makedirs(path)\n\n\
             class Module:\n    \
                 def __init__(self, path):\n        \
                     self.telegrams = Telegrams(path)\n\n\
             async def setup(path):\n    \
                 return Module(path)\n",
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (_, row, message) = &found[0];
    assert_eq!(*row, 12);
    assert!(
        message.starts_with("`setup` calls `Module.__init__`,"),
        "{message}"
    );
    assert!(
        message.contains("setup -> Module.__init__ -> Telegrams.__init__ -> os.makedirs"),
        "{message}"
    );
}

#[test]
fn a_chain_takes_the_steps_the_call_s_arguments_let_run() {
    // `settle(detect=False)` never reaches the request behind `if not detect: return`, nor
    // does `provider(detect=False)`, which passes its flag on; it still blocks in the
    // listing before it, which is the call the chain must name. A call that leaves `detect`
    // at its default is named by the more serious request.
    let found = findings(
        "arguments_decide_the_chain",
        Rule::TransitiveBlockingCall,
        &[(
            "app.py",
            "import os\nimport urllib.request\n\n\
             def fix_owner(path):\n    \
                 for entry in os.listdir(path):\n        \
                     print(entry)\n\n\
             def ask_remote():\n    \
                 return urllib.request.urlopen(\"https://example.invalid\").read()\n\n\
             def settle(detect=True):\n    \
                 if os.environ.get(\"FORCED\"):\n        \
                     fix_owner(\"/srv\")\n        \
                     return \"forced\"\n    \
                 if not detect:\n        \
                     return \"default\"\n    \
                 return ask_remote()\n\n\
             def provider(detect=True):\n    \
                 return settle(detect=detect)\n\n\
             def payload():\n    \
                 return provider(detect=False)\n\n\
             async def quiet_report():\n    \
                 return payload()\n\n\
             async def full_report():\n    \
                 return settle()\n",
        )],
    );
    assert_eq!(found.len(), 2, "{found:?}");
    let message_on = |row: usize| {
        found
            .iter()
            .find(|(_, at, _)| *at == row)
            .map(|(_, _, message)| message.clone())
            .unwrap_or_else(|| panic!("no finding on row {row}: {found:?}"))
    };
    let quiet = message_on(26);
    assert!(
        quiet.contains("quiet_report -> payload -> provider -> settle -> fix_owner -> os.listdir"),
        "{quiet}"
    );
    let full = message_on(29);
    assert!(
        full.contains("full_report -> settle -> ask_remote -> urllib.request.urlopen"),
        "{full}"
    );
}

#[test]
fn the_help_of_a_helper_keeping_a_session_names_the_kinds_of_thread_bound_objects() {
    // A SQLAlchemy session on any database, not only a `sqlite3` connection, is why no fix
    // moves the helper alone: the help names both kinds.
    let dir = std::env::temp_dir().join(format!(
        "loopwarden-chains-{}-session-help",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("orm.py"),
        "from sqlalchemy.orm import Session\n\n\
         def find_row(session: Session, key: int):\n    \
         return session.execute(\"select 1\").one_or_none()\n\n\
         async def handler(session: Session, key: int):\n    \
         return find_row(session, key)\n",
    )
    .unwrap();
    let settings = Settings {
        rules: [Rule::TransitiveBlockingCall].into_iter().collect(),
        ..Settings::default()
    };
    let report = loopwarden::check(std::slice::from_ref(&dir), &settings);
    let helps: Vec<String> = report
        .findings()
        .filter_map(|finding| finding.help.clone())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(helps.len(), 1, "{helps:?}");
    assert!(
        helps[0].contains("an SQLAlchemy or SQLModel session or connection"),
        "{}",
        helps[0]
    );
}
