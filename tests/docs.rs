//! `docs/rules.md` is every rule's `loopwarden rule CODE` text in one page (the `url` of
//! JSON and SARIF output points into it). This test keeps it in step with the code:
//! `LOOPWARDEN_UPDATE_DOCS=1 cargo test --test integration docs::` rewrites it.

use std::path::Path;

use loopwarden::registry::Rule;

fn rules_page() -> String {
    let mut page = String::from(
        "<!-- Generated from each rule's DOCS by tests/docs.rs: \
         LOOPWARDEN_UPDATE_DOCS=1 cargo test --test integration docs:: -->\n\n# loopwarden rules\n\n",
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
        "docs/rules.md is out of date: run LOOPWARDEN_UPDATE_DOCS=1 cargo test --test integration docs::"
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

/// The Markdown files a reader of the repository reads: the README and everything below
/// `docs/`, `scripts/` and `tests/e2e/`.
fn readable_docs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    let mut pending: Vec<_> = ["docs", "scripts", "tests/e2e"]
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten() {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Where `relative` (a path written in the file at `from`) leads, without touching the disk.
fn resolve(from: &Path, relative: &str) -> std::path::PathBuf {
    let mut resolved = from.parent().expect("a file has a directory").to_path_buf();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                resolved.pop();
            }
            part => resolved.push(part),
        }
    }
    resolved
}

/// A clone of the repository is all a reader has: the docs name no file outside it (the
/// developers' `shared/` folder above the repository least of all), and every relative
/// link and `../` path in them stays inside the repository.
#[test]
fn docs_refer_to_nothing_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for file in readable_docs() {
        let text = std::fs::read_to_string(&file).expect("docs are UTF-8");
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (index, line) in text.lines().enumerate() {
            let at = format!("{shown}:{}", index + 1);
            for outside in [
                "../shared",
                "shared/RULES.md",
                "shared/DESIGN.md",
                "shared/bench",
            ] {
                if line.contains(outside) {
                    problems.push(format!("{at}: mentions `{outside}`"));
                }
            }
            // Relative link targets, `[text](target)`, and paths that climb with `../`
            // (not the `...` of an elided path such as `litellm/.../x.py`).
            let mut targets: Vec<&str> = Vec::new();
            for (start, _) in line.match_indices("](") {
                let rest = &line[start + 2..];
                let target = rest.split([')', ' ', '#']).next().unwrap_or("");
                if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
                    targets.push(target);
                }
            }
            for (start, _) in line.match_indices("../") {
                let before = line[..start].chars().next_back();
                if before.is_some_and(|c| c == '.' || c == '/' || c.is_alphanumeric()) {
                    continue;
                }
                let path = line[start..]
                    .split(|c: char| c.is_whitespace() || "`'\")],".contains(c))
                    .next()
                    .unwrap_or("");
                targets.push(path);
            }
            for target in targets {
                if target.starts_with('/') || !resolve(&file, target).starts_with(root) {
                    problems.push(format!("{at}: `{target}` is outside the repository"));
                }
            }
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_outside_check_sees_what_it_must() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = root.join("README.md");
    assert!(resolve(&readme, "docs/rules.md").starts_with(root));
    assert!(!resolve(&readme, "../shared/RULES.md").starts_with(root));
    let nested = root.join("scripts/bench/README.md");
    assert!(resolve(&nested, "../../docs/benchmarks.md").starts_with(root));
    assert!(!resolve(&nested, "../../../shared/bench").starts_with(root));
}
