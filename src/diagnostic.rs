//! What a rule reports: a [`Diagnostic`] with a byte range in its file, an optional
//! [`Fix`], and, for interprocedural rules, the [`ChainStep`]s that led to it.

use ruff_text_size::TextRange;

use crate::registry::Rule;

/// One finding inside one file, positioned by byte offsets into that file's source.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// One line telling the user what to do instead.
    pub help: Option<String>,
    /// The call chain behind an interprocedural finding (empty for local findings).
    pub chain: Vec<ChainStep>,
    pub fix: Option<Fix>,
    /// A fix still to be spelled from the file's text ([`ToThreadRecipe`]): set by the
    /// whole-project rules, which run after the texts are let go, and turned into
    /// [`Self::fix`] once the text is read again (`analysis::spell_pending_fixes`). Never
    /// stored: a cached finding holds its spelled fix.
    #[serde(skip)]
    pub pending_fix: Option<Box<PendingFix>>,
}

impl Diagnostic {
    pub fn new(rule: Rule, message: impl Into<String>, range: TextRange) -> Self {
        Self {
            rule,
            message: message.into(),
            range,
            help: None,
            chain: Vec::new(),
            fix: None,
            pending_fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_chain(mut self, chain: Vec<ChainStep>) -> Self {
        self.chain = chain;
        self
    }

    pub fn with_pending_fix(mut self, pending: PendingFix) -> Self {
        self.pending_fix = Some(Box::new(pending));
        self
    }
}

/// A call's move to a worker thread (`await asyncio.to_thread(f, ...)`), held as the
/// positions it is spelled from rather than as text: LW103 may offer it for any call in a
/// coroutine that may reach a project function (about 100,000 calls of the benchmark
/// corpus), and only the few that turn out to block get a finding. Spelled by
/// `to_thread_fix::spell` from the file's text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ToThreadRecipe {
    /// What is replaced: the call, or the builtin that consumes its value.
    #[serde(with = "crate::offsets::range")]
    pub call: TextRange,
    /// The text of the function it calls.
    #[serde(with = "crate::offsets::range")]
    pub function: TextRange,
    /// Its parentheses and what is between them.
    #[serde(with = "crate::offsets::range")]
    pub arguments: TextRange,
    pub has_keywords: bool,
    /// It sits inside a larger expression: the `await` goes in parentheses.
    pub parenthesize: bool,
    /// Which of its module's [`ThreadRunner`]s spells it.
    pub runner: u32,
}

/// How a module runs a call in a worker thread: `asyncio` as the module names it, with the
/// edit that imports it when it does not; `asyncio.to_thread` from Python 3.9, else the
/// loop's default executor, with `functools.partial` (named and imported likewise) for
/// keyword arguments.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ThreadRunner {
    pub asyncio: String,
    pub legacy: bool,
    pub import: Option<Edit>,
    pub functools: Option<(String, Option<Edit>)>,
}

/// A [`ToThreadRecipe`] with its runner, on a finding until its file's text is read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingFix {
    pub recipe: ToThreadRecipe,
    pub runner: ThreadRunner,
}

/// One step of a call chain: a function (or the blocking API at the end), where it is.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ChainStep {
    pub name: String,
    /// The file as it is displayed (command-line path joined with the relative path).
    pub filename: String,
    /// 1-based row.
    pub row: usize,
}

/// Whether applying a fix keeps the program's behaviour.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Applicability {
    /// Shown, never applied automatically.
    DisplayOnly,
    /// Changes behaviour (e.g. moves a call to another thread); applied with `--unsafe-fixes`.
    Unsafe,
    /// Keeps behaviour.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            applicability: Applicability::Safe,
            message: message.into(),
            edits,
        }
    }

    pub fn unsafe_edit(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            applicability: Applicability::Unsafe,
            message: message.into(),
            edits,
        }
    }
}

/// Replace `range` with `content` (an insertion when the range is empty).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub content: String,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
}

impl Edit {
    pub fn insertion(content: impl Into<String>, at: ruff_text_size::TextSize) -> Self {
        Self {
            content: content.into(),
            range: TextRange::empty(at),
        }
    }

    pub fn replacement(content: impl Into<String>, range: TextRange) -> Self {
        Self {
            content: content.into(),
            range,
        }
    }
}

/// `sqlite3.Connection.execute` reads better as `Connection.execute`; module functions
/// keep their module (`time.sleep`); builtins lose the `builtins.` prefix.
pub fn display_path(path: &str) -> String {
    if let Some(builtin) = path.strip_prefix("builtins.") {
        return builtin.to_string();
    }
    let parts: Vec<&str> = path.split('.').collect();
    // A method on a type: keep `Type.method` when the type segment is capitalised.
    if parts.len() >= 3 {
        let owner = parts[parts.len() - 2];
        if owner.starts_with(|c: char| c.is_ascii_uppercase()) {
            return format!("{owner}.{}", parts[parts.len() - 1]);
        }
    }
    path.to_string()
}

/// The text of a chain, `webhook -> _query_sync -> sqlite3.connect (cache.py:12)`.
pub fn chain_text(chain: &[ChainStep]) -> String {
    let names: Vec<&str> = chain.iter().map(|step| step.name.as_str()).collect();
    match chain.last() {
        Some(last) => format!("{} ({}:{})", names.join(" -> "), last.filename, last.row),
        None => String::new(),
    }
}
