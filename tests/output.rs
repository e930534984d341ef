//! Rendering of hand-built reports in every output format: insta snapshots for the layout,
//! plain asserts for the properties that matter to tools and terminals.

use loopwarden::diagnostic::{Applicability, ChainStep};
use loopwarden::output::{OutputFormat, RenderOptions, render, render_statistics};
use loopwarden::registry::Rule;
use loopwarden::report::{FileFindings, Finding, FindingEdit, FindingFix, Report};
use loopwarden::source::LineIndex;
use ruff_text_size::{TextRange, TextSize};
use serde_json::Value;

const ALL_FORMATS: [OutputFormat; 6] = [
    OutputFormat::Text,
    OutputFormat::Concise,
    OutputFormat::Json,
    OutputFormat::JsonLines,
    OutputFormat::Sarif,
    OutputFormat::Github,
];

// ---------------------------------------------------------------------------------------------
// Building reports by hand

/// The byte range of the `nth` occurrence (0-based) of `needle` in `source`.
fn nth_span(source: &str, needle: &str, nth: usize) -> TextRange {
    let start = source
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in source"))
        .0;
    range(start, start + needle.len())
}

fn span(source: &str, needle: &str) -> TextRange {
    nth_span(source, needle, 0)
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32))
}

fn finding(path: &str, source: &str, rule: Rule, message: &str, range: TextRange) -> Finding {
    let index = LineIndex::new(source);
    let location = index.location(range.start(), source);
    Finding {
        rule,
        message: message.to_string(),
        help: None,
        filename: path.to_string(),
        location,
        end_location: index.location(range.end(), source),
        fix: None,
        noqa_row: location.row,
        chain: Vec::new(),
        range,
        runtime: None,
        cell: None,
    }
}

fn fix(
    source: &str,
    applicability: Applicability,
    message: &str,
    edits: &[(TextRange, &str)],
) -> FindingFix {
    let index = LineIndex::new(source);
    FindingFix {
        applicability,
        message: message.to_string(),
        edits: edits
            .iter()
            .map(|&(range, content)| FindingEdit {
                content: content.to_string(),
                location: index.location(range.start(), source),
                end_location: index.location(range.end(), source),
                range,
            })
            .collect(),
    }
}

fn step(name: &str, filename: &str, row: usize) -> ChainStep {
    ChainStep {
        name: name.to_string(),
        filename: filename.to_string(),
        row,
    }
}

fn file(path: &str, source: &str, findings: Vec<Finding>) -> FileFindings {
    FileFindings {
        display_path: path.to_string(),
        source: source.to_string(),
        line_index: LineIndex::new(source),
        findings,
    }
}

fn report(mut files: Vec<FileFindings>) -> Report {
    files.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    let checked = files.len();
    Report::new(files, Vec::new(), checked)
}

/// A report with one file, for the edge cases.
fn single(path: &str, source: &str, findings: Vec<Finding>) -> Report {
    report(vec![file(path, source, findings)])
}

fn render_with(format: OutputFormat, report: &Report, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(format, report, options, &mut out).expect("writing to a Vec never fails");
    String::from_utf8(out).expect("output is UTF-8")
}

fn render_plain(format: OutputFormat, report: &Report) -> String {
    render_with(format, report, &RenderOptions::default())
}

fn statistics(report: &Report) -> String {
    let mut out = Vec::new();
    render_statistics(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

const ROUTES: &str = "\
import asyncio

from app.db import _query_sync


async def webhook(request):
    rows = _query_sync(request.user)
    loop = asyncio.get_event_loop()
    asyncio.create_task(notify(rows))
    return rows
";

const DB: &str = "\
import sqlite3


def _query_sync(user):
    con = sqlite3.connect(\"app.db\")
    return con.execute(\"SELECT 1\").fetchall()
";

const JOBS: &str = "\
import asyncio


async def refresh(a, b, c):
    results = await asyncio.gather(
        fetch(a),
        fetch(b),
        fetch(c),
    )
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        pass
";

/// The demo project: three findings in one file (with chain, safe fix, unsafe fix, help),
/// two in another (a multi-line span, no fix), and a file without findings.
fn demo() -> Report {
    let routes = "app/routes.py";
    let mut blocking = finding(
        routes,
        ROUTES,
        Rule::BlockingIoInAsync,
        "`_query_sync` calls `sqlite3.connect`, which blocks the event loop",
        span(ROUTES, "_query_sync(request.user)"),
    );
    blocking.help =
        Some("Run the helper in a thread: `await asyncio.to_thread(_query_sync, ...)`".into());
    blocking.chain = vec![
        step("webhook", routes, 7),
        step("_query_sync", "app/db.py", 4),
        step("sqlite3.connect", "app/db.py", 5),
    ];
    blocking.fix = Some(fix(
        ROUTES,
        Applicability::Unsafe,
        "Run `_query_sync` in a thread with `asyncio.to_thread`",
        &[(
            span(ROUTES, "_query_sync(request.user)"),
            "await asyncio.to_thread(_query_sync, request.user)",
        )],
    ));

    let mut get_loop = finding(
        routes,
        ROUTES,
        Rule::GetEventLoop,
        "`asyncio.get_event_loop()` in a coroutine: use `asyncio.get_running_loop()`",
        span(ROUTES, "asyncio.get_event_loop()"),
    );
    get_loop.fix = Some(fix(
        ROUTES,
        Applicability::Safe,
        "Replace with `asyncio.get_running_loop()`",
        &[(span(ROUTES, "get_event_loop"), "get_running_loop")],
    ));

    let mut dangling = finding(
        routes,
        ROUTES,
        Rule::DanglingTask,
        "The task returned by `asyncio.create_task` is dropped and can be garbage-collected",
        span(ROUTES, "asyncio.create_task(notify(rows))"),
    );
    dangling.help = Some("Keep a reference: add it to a set and discard it when done".into());

    let jobs = "app/jobs.py";
    let gather_start = JOBS.find("asyncio.gather(").unwrap();
    let gather_end = JOBS.find("    )\n").unwrap() + "    )".len();
    let mut gather = finding(
        jobs,
        JOBS,
        Rule::GatherWithoutReturnExceptions,
        "`asyncio.gather` without `return_exceptions`: the other awaitables keep running",
        range(gather_start, gather_end),
    );
    gather.help = Some("Use `asyncio.TaskGroup` (Python 3.11+)".into());
    let mut swallowed = finding(
        jobs,
        JOBS,
        Rule::CancelledErrorSwallowed,
        "`asyncio.CancelledError` is caught and not re-raised",
        span(JOBS, "except asyncio.CancelledError:\n        pass"),
    );
    swallowed.fix = Some(fix(
        JOBS,
        Applicability::DisplayOnly,
        "Re-raise the cancellation",
        &[(span(JOBS, "pass"), "raise")],
    ));

    report(vec![
        file(routes, ROUTES, vec![blocking, get_loop, dangling]),
        file("app/db.py", DB, Vec::new()),
        file(jobs, JOBS, vec![gather, swallowed]),
    ])
}

fn empty() -> Report {
    report(vec![file(
        "app/clean.py",
        "async def f():\n    pass\n",
        Vec::new(),
    )])
}

// ---------------------------------------------------------------------------------------------
// Snapshots of each format

#[test]
fn text_snapshot() {
    insta::assert_snapshot!("text", render_plain(OutputFormat::Text, &demo()));
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!("concise", render_plain(OutputFormat::Concise, &demo()));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", render_plain(OutputFormat::Json, &demo()));
}

#[test]
fn json_lines_snapshot() {
    insta::assert_snapshot!("json_lines", render_plain(OutputFormat::JsonLines, &demo()));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", render_plain(OutputFormat::Github, &demo()));
}

#[test]
fn statistics_snapshot() {
    insta::assert_snapshot!("statistics", statistics(&demo()));
}

/// The SARIF log as written, with what changes whenever a rule is added or documented cut out
/// (the rule table, `ruleIndex`) and the version; `sarif_has_every_rule` checks those instead.
#[test]
fn sarif_snapshot() {
    let output = render_plain(OutputFormat::Sarif, &demo());
    let rules_start = output.find("\"rules\": [\n").unwrap();
    let rules_end = rules_start + output[rules_start..].find("\n          ]").unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    let redacted: Vec<String> = format!(
        "{}\"rules\": [\n            [every rule]{}",
        &output[..rules_start],
        &output[rules_end..]
    )
    .replacen(&version, "\"version\": \"[version]\"", 1)
    .lines()
    .map(|line| match line.split_once("\"ruleIndex\": ") {
        Some((indent, _)) => format!("{indent}\"ruleIndex\": [index],"),
        None => line.to_string(),
    })
    .collect();
    insta::assert_snapshot!("sarif", redacted.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_has_ruffs_keys_and_one_based_positions() {
    let output = render_plain(OutputFormat::Json, &demo());
    assert!(
        output.starts_with("[\n  {\n    \"cell\": null,\n"),
        "{output}"
    );
    assert!(output.ends_with("}\n]\n"));
    let findings: Vec<Value> = serde_json::from_str(&output).unwrap();
    assert_eq!(findings.len(), 5);

    let keys: Vec<&str> = findings[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "cell",
        "chain",
        "code",
        "end_location",
        "filename",
        "fix",
        "help",
        "location",
        "message",
        "name",
        "noqa_row",
        "url",
    ];
    expected.sort_unstable();
    let mut sorted_keys = keys.clone();
    sorted_keys.sort_unstable();
    assert_eq!(sorted_keys, expected);
    // Written in alphabetical order, whatever the map type of the parser.
    let position = |key: &str| output.find(&format!("\"{key}\"")).unwrap();
    assert!(
        expected
            .windows(2)
            .all(|pair| position(pair[0]) < position(pair[1]))
    );

    // Files in path order: app/jobs.py first.
    let gather = &findings[0];
    assert_eq!(gather["code"], "LW401");
    assert_eq!(gather["name"], "gather-without-return-exceptions");
    assert_eq!(gather["filename"], "app/jobs.py");
    assert_eq!(
        gather["location"],
        serde_json::json!({"row": 5, "column": 21})
    );
    assert_eq!(
        gather["end_location"],
        serde_json::json!({"row": 9, "column": 6})
    );
    assert_eq!(gather["noqa_row"], 5);
    assert_eq!(gather["cell"], Value::Null);
    assert_eq!(gather["chain"], Value::Null);
    assert_eq!(gather["fix"], Value::Null);
    assert_eq!(gather["help"], "Use `asyncio.TaskGroup` (Python 3.11+)");
    assert_eq!(gather["url"], Rule::GatherWithoutReturnExceptions.url());

    let swallowed = &findings[1];
    assert_eq!(swallowed["fix"]["applicability"], "display-only");
    assert_eq!(swallowed["help"], Value::Null);

    let blocking = &findings[2];
    assert_eq!(blocking["code"], "LW101");
    assert_eq!(
        blocking["location"],
        serde_json::json!({"row": 7, "column": 12})
    );
    assert_eq!(
        blocking["end_location"],
        serde_json::json!({"row": 7, "column": 37})
    );
    assert_eq!(
        blocking["chain"],
        serde_json::json!([
            {"filename": "app/routes.py", "name": "webhook", "row": 7},
            {"filename": "app/db.py", "name": "_query_sync", "row": 4},
            {"filename": "app/db.py", "name": "sqlite3.connect", "row": 5},
        ])
    );
    assert_eq!(
        blocking["fix"],
        serde_json::json!({
            "applicability": "unsafe",
            "message": "Run `_query_sync` in a thread with `asyncio.to_thread`",
            "edits": [{
                "content": "await asyncio.to_thread(_query_sync, request.user)",
                "location": {"row": 7, "column": 12},
                "end_location": {"row": 7, "column": 37},
            }],
        })
    );

    let get_loop = &findings[3];
    assert_eq!(get_loop["fix"]["applicability"], "safe");
    assert_eq!(
        get_loop["fix"]["edits"][0]["location"],
        serde_json::json!({"row": 8, "column": 20})
    );
}

#[test]
fn json_lines_are_the_json_objects_one_per_line() {
    let report = demo();
    let array: Vec<Value> =
        serde_json::from_str(&render_plain(OutputFormat::Json, &report)).unwrap();
    let lines = render_plain(OutputFormat::JsonLines, &report);
    assert!(lines.ends_with('\n'));
    let objects: Vec<Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(objects, array);
}

#[test]
fn empty_report_in_every_format() {
    let report = empty();
    assert_eq!(render_plain(OutputFormat::Json, &report), "[]\n");
    assert_eq!(render_plain(OutputFormat::JsonLines, &report), "");
    assert_eq!(render_plain(OutputFormat::Github, &report), "");
    assert_eq!(
        render_plain(OutputFormat::Text, &report),
        "All checks passed!\n"
    );
    assert_eq!(
        render_plain(OutputFormat::Concise, &report),
        "All checks passed!\n"
    );
    assert_eq!(statistics(&report), "");
    let sarif: Value = serde_json::from_str(&render_plain(OutputFormat::Sarif, &report)).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    // No files at all is the same.
    assert_eq!(render_plain(OutputFormat::Json, &Report::default()), "[]\n");
}

#[test]
fn no_findings_but_errors_is_not_a_pass() {
    let mut report = empty();
    report
        .errors
        .push("missing.py: No such file or directory".into());
    let text = render_plain(OutputFormat::Text, &report);
    assert!(!text.contains("All checks passed!"), "{text}");
    assert_eq!(
        text,
        "No findings, but 1 error prevented a complete check.\n"
    );
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_has_every_rule() {
    let output = render_plain(OutputFormat::Sarif, &demo());
    assert!(output.starts_with("{\n  \"$schema\": "));
    assert!(output.ends_with("}\n"));
    let sarif: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "loopwarden");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Rule::ALL.len());
    for (rule, sarif_rule) in Rule::ALL.iter().zip(rules) {
        assert_eq!(sarif_rule["id"], rule.code());
        assert_eq!(sarif_rule["name"], rule.name());
        assert_eq!(sarif_rule["helpUri"], rule.url());
        assert_eq!(
            sarif_rule["fullDescription"]["text"],
            loopwarden::rules::docs(*rule)
        );
        assert!(
            sarif_rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|text| !text.is_empty())
        );
        assert_eq!(sarif_rule["defaultConfiguration"]["level"], "error");
        assert_eq!(
            sarif_rule["defaultConfiguration"]["enabled"],
            rule.enabled_by_default()
        );
    }
    // `ruleIndex` points at the rule.
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["level"], "error");
    }
}

#[test]
fn sarif_uris_are_uri_references() {
    let source = "import time\n";
    let at = span(source, "time");
    let report = report(vec![
        file(
            "my app/a#1.py",
            source,
            vec![finding("my app/a#1.py", source, Rule::IoError, "m", at)],
        ),
        file(
            "/srv/x.py",
            source,
            vec![finding("/srv/x.py", source, Rule::IoError, "m", at)],
        ),
        file(
            "C:\\src\\y.py",
            source,
            vec![finding("C:\\src\\y.py", source, Rule::IoError, "m", at)],
        ),
    ]);
    let sarif: Value = serde_json::from_str(&render_plain(OutputFormat::Sarif, &report)).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "file:///srv/x.py",
            "file:///C:/src/y.py",
            "my%20app/a%231.py"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub

#[test]
fn github_escapes_data_and_properties() {
    let source = "x = 1\n";
    let path = "a,b:c%.py";
    let at = span(source, "x");
    let report = single(
        path,
        source,
        vec![finding(
            path,
            source,
            Rule::SyntaxError,
            "100% bad:\r\nnext, line",
            at,
        )],
    );
    assert_eq!(
        render_plain(OutputFormat::Github, &report),
        "::error title=loopwarden (LW001),file=a%2Cb%3Ac%25.py,line=1,col=1,endLine=1,endColumn=2\
         ::LW001 100%25 bad:%0D%0Anext, line\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Statistics

#[test]
fn statistics_sorted_by_count_then_code_and_aligned() {
    let source = "a\n".repeat(12);
    let mut findings = Vec::new();
    for row in 0..12 {
        findings.push(finding(
            "a.py",
            &source,
            Rule::BlockingIoInAsync,
            "m",
            range(row * 2, row * 2 + 1),
        ));
    }
    for row in 0..3 {
        findings.push(finding(
            "a.py",
            &source,
            Rule::DanglingTask,
            "m",
            range(row * 2, row * 2 + 1),
        ));
        findings.push(finding(
            "a.py",
            &source,
            Rule::GetEventLoop,
            "m",
            range(row * 2, row * 2 + 1),
        ));
    }
    findings.push(finding(
        "a.py",
        &source,
        Rule::SyntaxError,
        "m",
        range(0, 1),
    ));
    let report = single("a.py", &source, findings);
    assert_eq!(
        statistics(&report),
        "12\tLW101\tblocking-io-in-async\n \
         3\tLW201\tget-event-loop\n \
         3\tLW301\tdangling-task\n \
         1\tLW001\tsyntax-error\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Text: code frames

fn text_of(source: &str, rule: Rule, range: TextRange) -> String {
    let report = single(
        "t.py",
        source,
        vec![finding("t.py", source, rule, "message", range)],
    );
    render_plain(OutputFormat::Text, &report)
}

/// The caret line of a one-finding text output, without the gutter.
fn caret_line(text: &str) -> &str {
    let line = text
        .lines()
        .find(|line| line.contains('^'))
        .expect("a caret line");
    line.split_once("| ").unwrap().1
}

/// The shown source line numbered `row`, without the gutter.
fn shown_line(text: &str, row: usize) -> &str {
    let prefix = format!("{row} |");
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with(&prefix))
        .expect("the line is shown");
    line.split_once('|')
        .unwrap()
        .1
        .strip_prefix(' ')
        .unwrap_or("")
}

#[test]
fn text_layout_of_a_one_line_span() {
    let source = "import time\n\nasync def f():\n    time.sleep(1)\n    return 1\n";
    let text = text_of(
        source,
        Rule::BlockingIoInAsync,
        span(source, "time.sleep(1)"),
    );
    assert_eq!(
        text,
        "t.py:4:5: LW101 message\n  \
         |\n\
         3 | async def f():\n\
         4 |     time.sleep(1)\n  \
         |     ^^^^^^^^^^^^^\n\
         5 |     return 1\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
}

#[test]
fn tabs_expand_and_the_caret_lines_up() {
    let source = "async def f():\n\tx = 1;\ttime.sleep(1)\n";
    let at = span(source, "time.sleep(1)");
    let text = text_of(source, Rule::BlockingIoInAsync, at);
    assert!(text.starts_with("t.py:2:9: LW101"), "{text}");
    assert!(!text.contains('\t'), "{text}");
    let line = shown_line(&text, 2);
    assert_eq!(line, "    x = 1;  time.sleep(1)");
    assert_eq!(caret_line(&text), "            ^^^^^^^^^^^^^");
    assert_eq!(line.find("time"), caret_line(&text).find('^'));
}

#[test]
fn unicode_line_gets_the_caret_under_the_right_character() {
    // `é` is one column, `日本` two each, the combining acute accent none.
    let source = "async def f():\n    s = \"héllo 日本 e\u{301}\"; time.sleep(1)\n";
    let at = span(source, "time");
    let report = single(
        "t.py",
        source,
        vec![finding("t.py", source, Rule::BlockingIoInAsync, "m", at)],
    );
    assert_eq!(
        report.files[0].findings[0].location.column, 24,
        "character columns"
    );
    let text = render_plain(OutputFormat::Text, &report);
    assert!(text.starts_with("t.py:2:24: LW101 m\n"), "{text}");
    let line = shown_line(&text, 2);
    // Display cells before `time`: 4 + `s = "` (5) + `héllo ` (6) + `日本 ` (5) + `é"; ` (4).
    assert_eq!(caret_line(&text), format!("{}^^^^", " ".repeat(24)));
    assert!(line.ends_with("time.sleep(1)"));
}

#[test]
fn finding_on_the_last_line_without_a_trailing_newline() {
    let source = "import time\nasync def f():\n    time.sleep(1)";
    let text = text_of(
        source,
        Rule::BlockingIoInAsync,
        span(source, "time.sleep(1)"),
    );
    assert_eq!(
        text,
        "t.py:3:5: LW101 message\n  \
         |\n\
         2 | async def f():\n\
         3 |     time.sleep(1)\n  \
         |     ^^^^^^^^^^^^^\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
}

#[test]
fn finding_at_the_end_of_the_file() {
    // A syntax error at EOF sits on the empty line after the final newline: shown, one caret.
    let source = "async def f(:\n";
    let end = source.len();
    let text = text_of(source, Rule::SyntaxError, range(end, end));
    assert_eq!(
        text,
        "t.py:2:1: LW001 message\n  \
         |\n\
         1 | async def f(:\n\
         2 |\n  \
         | ^\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
}

#[test]
fn empty_span_gets_one_caret() {
    let source = "x = f()\n";
    let at = source.find("f").unwrap();
    assert_eq!(
        caret_line(&text_of(source, Rule::DanglingTask, range(at, at))),
        "    ^"
    );
}

#[test]
fn multi_line_span_underlines_its_first_line_and_elides_the_middle() {
    let source = "async def f():\n    await asyncio.gather(\n        a(),\n        b(),\n        c(),\n    )\n    return 1\n";
    let start = source.find("asyncio.gather").unwrap();
    let end = source.find("    )").unwrap() + 5;
    let text = text_of(
        source,
        Rule::GatherWithoutReturnExceptions,
        range(start, end),
    );
    assert_eq!(
        text,
        "t.py:2:11: LW401 message\n  \
         |\n\
         1 | async def f():\n\
         2 |     await asyncio.gather(\n  \
         |           ^^^^^^^^^^^^^^^\n\
         3 |         a(),\n  \
         | ...\n\
         6 |     )\n\
         7 |     return 1\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
}

#[test]
fn short_multi_line_span_is_shown_whole() {
    let source = "try:\n    pass\nexcept BaseException:\n    pass\n\nx = 1\n";
    let text = text_of(
        source,
        Rule::CancelledErrorSwallowed,
        span(source, "except BaseException:\n    pass"),
    );
    assert_eq!(
        text,
        "t.py:3:1: LW403 message\n  \
         |\n\
         2 |     pass\n\
         3 | except BaseException:\n  \
         | ^^^^^^^^^^^^^^^^^^^^^\n\
         4 |     pass\n\
         5 |\n  \
         |\n\
         \n\
         Found 1 error.\n"
    );
}

#[test]
fn span_taking_the_newline_ends_on_its_own_line() {
    let source = "a = 1\nb = 2\nc = 3\n";
    let text = text_of(source, Rule::DanglingTask, span(source, "b = 2\n"));
    assert!(
        text.contains("2 | b = 2\n  | ^^^^^\n3 | c = 3\n  |\n"),
        "{text}"
    );
}

#[test]
fn gutter_widens_for_two_digit_rows() {
    let source = format!("{}time.sleep(1)\nx\n", "\n".repeat(9));
    let text = text_of(
        &source,
        Rule::BlockingIoInAsync,
        span(&source, "time.sleep(1)"),
    );
    assert!(
        text.contains("   |\n 9 |\n10 | time.sleep(1)\n   | ^^^^^^^^^^^^^\n11 | x\n   |\n"),
        "{text}"
    );
}

#[test]
fn control_characters_are_shown_not_sent_to_the_terminal() {
    let source = "async def f():\n    print(\"\x1b[2J\"); time.sleep(1)\n";
    let text = text_of(source, Rule::BlockingIoInAsync, span(source, "time"));
    assert!(!text.contains('\x1b'), "{text:?}");
    assert_eq!(
        shown_line(&text, 2),
        "    print(\"\u{241b}[2J\"); time.sleep(1)"
    );
    assert_eq!(
        shown_line(&text, 2).find("time"),
        Some(caret_line(&text).find('^').unwrap() + 2)
    );
}

#[test]
fn long_lines_are_cut_around_the_span() {
    let source = format!(
        "x = [{}]; time.sleep(1); y = [{}]\n",
        "1, ".repeat(200),
        "2, ".repeat(200)
    );
    let text = text_of(&source, Rule::BlockingIoInAsync, span(&source, "time"));
    let line = shown_line(&text, 1);
    assert!(
        line.starts_with("… 1, 1, ") && line.ends_with(" 2, …"),
        "{line}"
    );
    assert_eq!(line.chars().count(), 242, "240 characters and two `…`");
    // 40 characters of lead before the span, after the one-column `…`.
    let caret = caret_line(&text);
    assert_eq!(caret, format!("{}^^^^", " ".repeat(41)));
    assert_eq!(line.chars().skip(41).take(4).collect::<String>(), "time");
}

#[test]
fn long_line_ending_near_the_span_keeps_its_end() {
    let source = format!("x = [{}]; time.sleep(1)\n", "1, ".repeat(200));
    let text = text_of(&source, Rule::BlockingIoInAsync, span(&source, "time"));
    let line = shown_line(&text, 1);
    assert!(
        line.starts_with('…') && line.ends_with("]; time.sleep(1)"),
        "{line}"
    );
    let caret_col = caret_line(&text).find('^').unwrap();
    assert_eq!(
        line.chars().skip(caret_col).take(4).collect::<String>(),
        "time"
    );
}

#[test]
fn unreadable_file_has_no_frame() {
    let mut report = Report::default();
    let mut io_error = finding(
        "gone.py",
        "",
        Rule::IoError,
        "Failed to read gone.py: Permission denied",
        range(0, 0),
    );
    io_error.filename = "gone.py".into();
    report.files.push(FileFindings {
        display_path: "gone.py".into(),
        source: String::new(),
        line_index: LineIndex::default(),
        findings: vec![io_error],
    });
    assert_eq!(
        render_plain(OutputFormat::Text, &report),
        "gone.py:1:1: LW002 Failed to read gone.py: Permission denied\n\nFound 1 error.\n"
    );
}

#[test]
fn long_chains_go_one_step_per_line() {
    let source = "async def f():\n    helper()\n";
    let mut found = finding(
        "t.py",
        source,
        Rule::BlockingIoInAsync,
        "m",
        span(source, "helper()"),
    );
    found.chain = (1..=6)
        .map(|i| {
            step(
                &format!("some_rather_long_helper_{i}"),
                "pkg/module.py",
                i * 10,
            )
        })
        .collect();
    let text = render_plain(OutputFormat::Text, &single("t.py", source, vec![found]));
    assert!(
        text.contains(&format!(
            "  = chain: some_rather_long_helper_1 (pkg/module.py:10)\n\
             {indent}-> some_rather_long_helper_2 (pkg/module.py:20)\n",
            indent = " ".repeat(11)
        )),
        "{text}"
    );
    assert_eq!(text.matches("->").count(), 5);
}

// ---------------------------------------------------------------------------------------------
// Summary and colour

#[test]
fn summary_counts_fixes_like_ruff() {
    let report = demo();
    let text = render_plain(OutputFormat::Concise, &report);
    assert!(text.ends_with(
        "Found 5 errors.\n[*] 1 fixable with the `--fix` option \
         (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    ));
    let options = RenderOptions {
        unsafe_fixes: true,
        ..RenderOptions::default()
    };
    assert!(
        render_with(OutputFormat::Concise, &report, &options)
            .ends_with("Found 5 errors.\n[*] 2 fixable with the `--fix` option.\n")
    );
}

#[test]
fn colour_only_when_asked_and_only_in_human_formats() {
    let report = demo();
    for format in ALL_FORMATS {
        assert!(
            !render_plain(format, &report).contains('\x1b'),
            "{format:?}"
        );
    }
    let color = RenderOptions {
        color: true,
        ..RenderOptions::default()
    };
    for format in [OutputFormat::Text, OutputFormat::Concise] {
        let output = render_with(format, &report, &color);
        assert!(
            output.contains("\x1b[1mapp/routes.py\x1b[0m:7:12: \x1b[1;31mLW101\x1b[0m "),
            "{output}"
        );
        // Stripping the escapes gives the uncoloured output.
        assert_eq!(strip_ansi(&output), render_plain(format, &report));
    }
    for format in [
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ] {
        assert_eq!(
            render_with(format, &report, &color),
            render_plain(format, &report),
            "{format:?}"
        );
    }
    let passed = render_with(OutputFormat::Text, &empty(), &color);
    assert_eq!(passed, "\x1b[1;32mAll checks passed!\x1b[0m\n");
    insta::assert_snapshot!(
        "text_color",
        render_with(OutputFormat::Text, &report, &color).replace('\x1b', "␛")
    );
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        if ch == '\x1b' {
            for next in chars.by_ref() {
                if next == 'm' {
                    break;
                }
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[test]
fn output_is_deterministic() {
    for format in ALL_FORMATS {
        assert_eq!(render_plain(format, &demo()), render_plain(format, &demo()));
    }
    assert_eq!(statistics(&demo()), statistics(&demo()));
}

#[test]
fn messages_are_made_printable_in_human_formats_only() {
    let source = "x = 1\n";
    let message = "bad\tname \u{1b}[31m\u{202e}";
    let report = single(
        "t.py",
        source,
        vec![finding(
            "t.py",
            source,
            Rule::DanglingTask,
            message,
            span(source, "x"),
        )],
    );
    let concise = render_plain(OutputFormat::Concise, &report);
    assert!(
        concise.starts_with("t.py:1:1: LW301 bad name \u{241b}[31m\u{fffd}\n"),
        "{concise:?}"
    );
    let json: Vec<Value> =
        serde_json::from_str(&render_plain(OutputFormat::Json, &report)).unwrap();
    assert_eq!(json[0]["message"], message);
}
