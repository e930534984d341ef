//! `check --show-settings`: the settings a check would run with, after the configuration
//! file and the command line, written as TOML (the keys of the configuration, with
//! `select` as the resolved list of rules that run), so a surprise can be traced to its
//! source.

use std::io::{self, Write};
use std::path::Path;

use loopwarden::settings::Settings;
use toml::Value;

pub fn write(settings: &Settings, start: &Path, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# Settings for {}",
        quote(&start.display().to_string())
    )?;
    match &settings.config_file {
        Some(path) => writeln!(out, "config-file = {}", quote(&path.display().to_string()))?,
        None => writeln!(out, "# config-file: none found (defaults)")?,
    }
    writeln!(
        out,
        "project-root = {}",
        quote(&settings.root().display().to_string())
    )?;
    writeln!(
        out,
        "select = {}",
        list(settings.rules.iter().map(|rule| rule.code()))
    )?;
    let version = settings.target_version;
    writeln!(
        out,
        "target-version = \"py{}{}\"",
        version.major, version.minor
    )?;
    writeln!(out, "exclude = {}", list(&settings.exclude))?;
    writeln!(out, "force-exclude = {}", settings.force_exclude)?;
    writeln!(
        out,
        "test-ignore = {}",
        list(settings.test_ignore.iter().map(|rule| rule.code()))
    )?;
    writeln!(out, "sync-hooks = {}", list(&settings.sync_hooks))?;
    writeln!(out, "blocking-calls = {}", list(&settings.blocking_calls))?;
    writeln!(
        out,
        "async-safe-calls = {}",
        list(&settings.async_safe_calls)
    )?;
    writeln!(out, "[per-file-ignores]")?;
    for entry in &settings.per_file_ignores {
        writeln!(
            out,
            "{} = {}",
            quote(&entry.pattern),
            list(entry.rules.iter().map(|rule| rule.code()))
        )?;
    }
    Ok(())
}

/// A TOML string (escaped as TOML needs).
fn quote(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items.into_iter().map(|item| quote(item.as_ref())).collect();
    format!("[{}]", items.join(", "))
}
