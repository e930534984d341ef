//! `loopwarden rule CODE`: the documentation as written when piped, styled on a terminal,
//! the title once either way; and the summary SARIF shows for each rule.

use loopwarden::registry::Rule;
use serde_json::Value;

fn rule_command(code: &str) -> String {
    let output = assert_cmd::cargo::cargo_bin_cmd!("loopwarden")
        .args(["rule", code])
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn piped_it_prints_the_title_once_then_the_markdown_as_written() {
    let printed = rule_command("LW202");
    let docs = loopwarden::rules::docs(Rule::RunInRunningLoop);
    let body = docs
        .trim()
        .strip_prefix("# LW202 run-in-running-loop\n")
        .unwrap();
    assert_eq!(printed, format!("LW202 run-in-running-loop\n{body}\n"));
    assert_eq!(printed.matches("run-in-running-loop").count(), 1);
    assert!(!printed.contains('\x1b'));
}

#[test]
fn on_a_terminal_the_markup_becomes_styling() {
    for &rule in Rule::ALL {
        let mut styled = Vec::new();
        loopwarden::output::render_rule(rule, true, &mut styled).unwrap();
        let styled = String::from_utf8(styled).unwrap();
        let title = format!("{} {}", rule.code(), rule.name());
        assert!(
            styled.starts_with(&format!("\x1b[1;4m{title}\x1b[0m\n")),
            "{styled}"
        );
        assert_eq!(styled.matches(&title).count(), 1, "{styled}");
        assert!(!styled.contains("```"), "{} keeps a fence", rule.code());
        assert!(
            !styled.contains("## "),
            "{} keeps a heading's hashes",
            rule.code()
        );
        assert!(
            !styled.contains("\n\n\n"),
            "{} has a double blank line",
            rule.code()
        );
    }
    let mut styled = Vec::new();
    loopwarden::output::render_rule(Rule::RunInRunningLoop, true, &mut styled).unwrap();
    let styled = String::from_utf8(styled).unwrap();
    assert!(
        styled.contains("Flags \x1b[36masyncio.run(...)\x1b[0m,"),
        "{styled}"
    );
    assert!(
        styled.contains("\n  • (a) in an \x1b[36masync def\x1b[0m;"),
        "{styled}"
    );
    assert!(
        styled.contains("\n    \x1b[33mimport asyncio\x1b[0m\n"),
        "{styled}"
    );
}

#[test]
fn sarif_short_descriptions_are_whole_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let output = assert_cmd::cargo::cargo_bin_cmd!("loopwarden")
        .current_dir(dir.path())
        .args(["check", ".", "--output-format", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let short = |code: &str| {
        rules.iter().find(|rule| rule["id"] == code).unwrap()["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        short("LW202"),
        "Flags `asyncio.run(...)`, `loop.run_until_complete(...)`, `loop.run_forever()` and \
         `async_to_sync(f)(...)` where an event loop is already running on the thread."
    );
    assert_eq!(
        short("LW101"),
        "Flags a blocking I/O call made directly inside an `async def`."
    );
    for rule in rules {
        let text = rule["shortDescription"]["text"].as_str().unwrap();
        assert!(text.ends_with('.') && !text.contains('\n'), "{text}");
    }
}
