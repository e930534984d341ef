//! `docs/rules.md` is every rule's `loopwarden rule CODE` text in one page (the `url` of
//! JSON and SARIF output points into it). This test keeps it in step with the code:
//! `LOOPWARDEN_UPDATE_DOCS=1 cargo test --test docs` rewrites it.

use std::path::Path;

use loopwarden::registry::Rule;

fn rules_page() -> String {
    let mut page = String::from(
        "<!-- Generated from each rule's DOCS by tests/docs.rs: \
         LOOPWARDEN_UPDATE_DOCS=1 cargo test --test docs -->\n\n# loopwarden rules\n\n",
    );
    page.push_str("| Code | Name | Default |\n| --- | --- | --- |\n");
    for rule in Rule::ALL {
        let default = if rule.enabled_by_default() {
            "on"
        } else {
            "off"
        };
        page.push_str(&format!(
            "| [{code}](#{anchor}) | {name} | {default} |\n",
            code = rule.code(),
            anchor = rule.code().to_ascii_lowercase(),
            name = rule.name()
        ));
    }
    for rule in Rule::ALL {
        page.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n",
            rule.code().to_ascii_lowercase()
        ));
        // Each rule's headings go one level down here (not `#` comments in code blocks).
        let mut in_code = false;
        for line in loopwarden::rules::docs(*rule).trim().lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            }
            if line.starts_with('#') && !in_code {
                page.push('#');
            }
            page.push_str(line);
            page.push('\n');
        }
    }
    page
}

#[test]
fn rules_page_matches_the_rules_docs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("rules.md");
    let expected = rules_page();
    if std::env::var_os("LOOPWARDEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run LOOPWARDEN_UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_rule_has_real_documentation() {
    for rule in Rule::ALL {
        let docs = loopwarden::rules::docs(*rule);
        assert!(
            docs.contains(&format!("# {} {}", rule.code(), rule.name())),
            "{} docs must start with its code and name",
            rule.code()
        );
        for section in ["## What it does", "## Why is this bad?", "## Example"] {
            assert!(
                docs.contains(section),
                "{} docs lack `{section}`",
                rule.code()
            );
        }
    }
}
