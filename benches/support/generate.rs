//! Generated Python for the scaling benchmark (`benches/scaling.rs`) and its check
//! (`tests/bench_generator.rs`): projects of any number of modules that import each other
//! the way services do, and single files of any size.
//!
//! Every module is made from the same recipe, drawn with a fixed seed, so a project of 10,000
//! modules is a project of 100 modules a hundred times over in kind: per-module work should
//! stay constant as the project grows, and any growth of it is the analyzer's. A module has
//! ~150 lines: imports of other modules (absolute, relative, through a package's
//! `__init__.py` re-exports, under an alias), a class deriving from another module's class,
//! sync helpers that call other modules' helpers, some reaching `open`, `requests.get`,
//! `time.sleep` or `subprocess.run`, and coroutines that call those helpers, start tasks,
//! gather, time out and retry, some correct and some not.

use std::fmt::Write as _;

/// Modules per package: one `__init__.py` and this many minus one plain modules.
pub const PACKAGE_SIZE: usize = 10;

/// The seed of every draw: the same project whatever the machine or the run.
const SEED: u64 = 0x6c6f_6f70_7761_7264;

/// SplitMix64: small, fast, and good enough to vary code shapes; no dependency needed.
struct Draw(u64);

impl Draw {
    fn new(stream: u64) -> Self {
        Self(SEED ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `bound` (`bound` > 0).
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Where a module sits: module number `g` is module `g % PACKAGE_SIZE` of package
/// `g / PACKAGE_SIZE`; number 0 of a package is its `__init__.py`.
#[derive(Clone, Copy)]
struct Place {
    package: usize,
    index: usize,
}

impl Place {
    fn of(g: usize) -> Self {
        Self {
            package: g / PACKAGE_SIZE,
            index: g % PACKAGE_SIZE,
        }
    }

    fn number(self) -> usize {
        self.package * PACKAGE_SIZE + self.index
    }

    fn is_init(self) -> bool {
        self.index == 0
    }

    /// The module's file, relative to the project root.
    fn file(self) -> String {
        if self.is_init() {
            format!("app/pkg{}/__init__.py", self.package)
        } else {
            format!("app/pkg{}/mod{}.py", self.package, self.index)
        }
    }

    fn module(self) -> String {
        format!("app.pkg{}.mod{}", self.package, self.index)
    }
}

/// The blocking calls helpers reach, with the import each needs.
const BLOCKING: &[(&str, &str)] = &[
    ("open(path).read()", ""),
    ("requests.get(url, timeout=5).json()", "requests"),
    ("time.sleep(0.05)", "time"),
    ("subprocess.run([\"true\"], check=False)", "subprocess"),
    ("sqlite3.connect(path).execute(\"SELECT 1\")", "sqlite3"),
];

/// How a module names another module's helpers and classes.
struct Reference {
    /// The import statement.
    import: String,
    /// Helper `i` of the referenced module, as this module spells a call to it.
    helper: Box<dyn Fn(usize) -> String>,
    /// The referenced module's class, as this module spells it.
    class: String,
    /// The referenced module's number.
    number: usize,
}

/// How module `me` imports module `other`, in one of the forms real code uses.
fn reference(me: Place, other: Place, draw: &mut Draw) -> Reference {
    let g = other.number();
    let module = other.module();
    match draw.below(4) {
        // Through the package's re-exports: `from app.pkg3 import helper_31_0, Model31`.
        0 => Reference {
            import: format!(
                "from app.pkg{} import Model{g}, helper_{g}_0",
                other.package
            ),
            helper: Box::new(move |i| {
                if i == 0 {
                    format!("helper_{g}_0")
                } else {
                    format!("Model{g}().lookup")
                }
            }),
            class: format!("Model{g}"),
            number: g,
        },
        // A module under an alias: `import app.pkg3.mod1 as m31`.
        1 => Reference {
            import: format!("import {module} as m{g}"),
            helper: Box::new(move |i| format!("m{g}.helper_{g}_{i}")),
            class: format!("m{g}.Model{g}"),
            number: g,
        },
        // Relative, within the package: `from . import mod4`.
        2 if other.package == me.package => {
            let index = other.index;
            Reference {
                import: format!("from . import mod{index}"),
                helper: Box::new(move |i| format!("mod{index}.helper_{g}_{i}")),
                class: format!("mod{index}.Model{g}"),
                number: g,
            }
        }
        // The names themselves: `from app.pkg3.mod1 import helper_31_1, Model31`.
        _ => Reference {
            import: format!(
                "from {module} import Model{g}, helper_{g}_0, helper_{g}_1, helper_{g}_2"
            ),
            helper: Box::new(move |i| format!("helper_{g}_{}", i.min(2))),
            class: format!("Model{g}"),
            number: g,
        },
    }
}

/// Other modules module `me` imports: mostly neighbours in its package, one anywhere.
fn imports_of(me: Place, modules: usize, draw: &mut Draw) -> Vec<Place> {
    let mut picked: Vec<Place> = Vec::new();
    for attempt in 0..4 {
        let g = if attempt < 3 {
            let package_start = me.package * PACKAGE_SIZE;
            let package_end = (package_start + PACKAGE_SIZE).min(modules);
            package_start + draw.below(package_end - package_start)
        } else {
            draw.below(modules)
        };
        let other = Place::of(g);
        if !other.is_init() && g != me.number() && picked.iter().all(|p| p.number() != g) {
            picked.push(other);
        }
    }
    picked
}

/// One module's text: `me` in a project of `modules` modules.
fn module_text(me: Place, modules: usize) -> String {
    let mut draw = Draw::new(me.number() as u64);
    let g = me.number();
    let mut imports: Vec<String> = vec!["import asyncio".into(), "import logging".into()];
    let blocking = BLOCKING[draw.below(BLOCKING.len())];
    if !blocking.1.is_empty() {
        imports.push(format!("import {}", blocking.1));
    }
    let references: Vec<Reference> = imports_of(me, modules, &mut draw)
        .into_iter()
        .map(|other| reference(me, other, &mut draw))
        .collect();
    imports.extend(references.iter().map(|r| r.import.clone()));
    let mut text =
        format!("\"\"\"Module {g}: generated for loopwarden's scaling benchmark.\"\"\"\n\n");
    for import in &imports {
        let _ = writeln!(text, "{import}");
    }
    let _ = writeln!(
        text,
        "\nlog = logging.getLogger(__name__)\n_tasks: set = set()\n"
    );
    body(&mut text, g, &references, blocking.0, &mut draw);
    text
}

/// The definitions of module (or block) `g`: its class, helpers and coroutines. Calls to
/// other modules go through `references`; those in the same package (`near`) may be sync
/// helpers' callees and base classes, the others only coroutines' callees. So call chains
/// and class hierarchies stay within a package, as long in a project of 10,000 modules as in
/// one of 100: the work per module is the same whatever the project's size, as in real code,
/// where a bigger project is not a deeper one.
fn body(text: &mut String, g: usize, references: &[Reference], blocking: &str, draw: &mut Draw) {
    let near: Vec<&Reference> = references
        .iter()
        .filter(|r| r.number / PACKAGE_SIZE == g / PACKAGE_SIZE)
        .collect();
    // A base class of another module of the package, when one was imported from an earlier
    // module (no import cycle through bases).
    let base = near
        .iter()
        .filter(|r| r.number < g)
        .map(|r| r.class.as_str())
        .next();
    let blocks_directly = draw.one_in(3);
    // Half the subclasses inherit `lookup`: `self.lookup()` then resolves through the base
    // class, in another module.
    let own_lookup = if base.is_none() || draw.one_in(2) {
        format!(
            "    def lookup(self, path=\"/etc/hostname\", url=\"https://example.com/{g}\"):
        if self.key in self.cache:
            return self.cache[self.key]
        value = helper_{g}_1(path, url)
        self.cache[self.key] = value
        return value

"
        )
    } else {
        String::new()
    };
    let _ = write!(
        text,
        "\
class Model{g}({base}):
    \"\"\"A record with a cache; `lookup` may reach the disk.\"\"\"

    retries = {retries}

    def __init__(self, key=\"k{g}\"):
        self.key = key
        self.cache = {{}}

{own_lookup}    async def refresh(self):
        # Calls a sync method that may block (through this class or its base).
        return self.lookup()

    async def refresh_in_thread(self):
        return await asyncio.to_thread(self.lookup)


",
        base = base.unwrap_or("object"),
        retries = 1 + draw.below(5),
    );
    // helper_0: blocks one time in three, computes otherwise.
    if blocks_directly {
        let _ = write!(
            text,
            "\
def helper_{g}_0(path=\"/etc/hostname\", url=\"https://example.com\"):
    log.debug(\"helper %s\", path)
    return {blocking}


"
        );
    } else {
        let _ = write!(
            text,
            "\
def helper_{g}_0(path=\"/etc/hostname\", url=\"https://example.com\"):
    total = 0
    for index, char in enumerate(path + url):
        total += index * ord(char)
    return total % {modulus}


",
            modulus = 97 + draw.below(1000)
        );
    }
    // helper_1: calls another module's helper (a chain across modules), or its own helper_0.
    let callee = match near.get(draw.below(near.len() + 1)) {
        Some(reference) => (reference.helper)(draw.below(2)),
        None => format!("helper_{g}_0"),
    };
    let _ = write!(
        text,
        "\
def helper_{g}_1(path=\"/etc/hostname\", url=\"https://example.com\"):
    values = [helper_{g}_2(path, url)]
    if len(path) > {limit}:
        values.append({callee}(path, url))
    return values


def helper_{g}_2(path=\"/etc/hostname\", url=\"https://example.com\"):
    parts = path.split(\"/\") + url.split(\"/\")
    return {{part: len(part) for part in parts if part}}


async def fetch_{g}(session, url=\"https://example.com/{g}\"):
    async with asyncio.timeout(10):
        response = await session.get(url)
    return response


",
        limit = draw.below(8),
    );
    // Coroutines: one calls a helper that may block (LW103 when the chain blocks), one
    // starts a task and drops it (LW301) or keeps it, one gathers (LW401 without
    // return_exceptions), one polls.
    let helper_call = match references.get(draw.below(references.len() + 1)) {
        Some(reference) => (reference.helper)(draw.below(3)),
        None => format!("helper_{g}_1"),
    };
    let _ = write!(
        text,
        "\
async def handle_{g}_0(request):
    data = {helper_call}(request.path)
    await asyncio.sleep(0)
    return {{\"data\": data, \"id\": {g}}}


async def handle_{g}_1(request):
    model = Model{g}(request.key)
    await model.refresh()
    return await handle_{g}_0(request)


"
    );
    if draw.one_in(2) {
        let _ = write!(
            text,
            "\
async def start_{g}(session):
    asyncio.create_task(fetch_{g}(session))
    await asyncio.sleep(0)


"
        );
    } else {
        let _ = write!(
            text,
            "\
async def start_{g}(session):
    task = asyncio.create_task(fetch_{g}(session))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


"
        );
    }
    // Half the gathers leave siblings running when one push fails (LW401), half collect
    // every outcome and check it.
    let gather_body = if draw.one_in(2) {
        format!(
            "    try:\n        await asyncio.gather(*(push_{g}(session, item) for item in items))\n    \
             except Exception:\n        log.warning(\"push failed; will retry on the next run\")\n        \
             return False\n    return True"
        )
    } else {
        format!(
            "    results = await asyncio.gather(*(push_{g}(session, item) for item in items), \
             return_exceptions=True)\n    \
             errors = [result for result in results if isinstance(result, BaseException)]\n    \
             return not errors"
        )
    };
    let _ = write!(
        text,
        "\
async def push_{g}(session, item):
    async with asyncio.timeout(10):
        await session.put(\"https://example.com/{g}\", json=item)


async def gather_{g}(session, items):
{gather_body}


async def settings_{g}(path=\"/etc/app.conf\"):
    {read_settings}


async def poll_{g}(session, attempts={attempts}):
    for attempt in range(attempts):
        try:
            return await asyncio.wait_for(fetch_{g}(session), timeout=5)
        except asyncio.TimeoutError:
            log.warning(\"attempt %s timed out\", attempt)
        except Exception:
            log.exception(\"poll failed\")
            raise
        await asyncio.sleep(0.1 * attempt)
    return None


def run_{g}(session):
    # A sync entry point: runs its own loop, as a script would.
    return asyncio.run(poll_{g}(session))


",
        attempts = 2 + draw.below(4),
        // A blocking read on the loop itself (LW101) one time in three.
        read_settings = if draw.one_in(3) {
            "with open(path) as handle:\n        return handle.read()"
        } else {
            "return await asyncio.to_thread(helper_{g}_2, path)"
        }
        .replace("{g}", &g.to_string()),
    );
}

/// The text of package `package`'s `__init__.py`: re-exports of its modules' class and
/// first helper, as packages expose their API.
fn init_text(package: usize, modules: usize) -> String {
    let mut text = format!("\"\"\"Package {package} of the generated project.\"\"\"\n\n");
    let mut names = Vec::new();
    for index in 1..PACKAGE_SIZE {
        let g = package * PACKAGE_SIZE + index;
        if g >= modules {
            break;
        }
        let _ = writeln!(text, "from .mod{index} import Model{g}, helper_{g}_0");
        names.push(format!("\"Model{g}\""));
        names.push(format!("\"helper_{g}_0\""));
    }
    let _ = writeln!(text, "\n__all__ = [{}]", names.join(", "));
    text
}

/// A project of `modules` modules (at least 1): the files as (path relative to the
/// project root, text), `app/__init__.py` first. Every package is complete but the last.
pub fn project(modules: usize) -> Vec<(String, String)> {
    let modules = modules.max(1);
    let mut files = vec![(
        "app/__init__.py".to_string(),
        "\"\"\"The generated project.\"\"\"\n".to_string(),
    )];
    // The top package's __init__ counts as one of the modules.
    let rest = modules - 1;
    for g in 0..rest {
        let place = Place::of(g);
        let text = if place.is_init() {
            init_text(place.package, rest)
        } else {
            module_text(place, rest)
        };
        files.push((place.file(), text));
    }
    files
}

/// One file of at least `bytes` bytes: the bodies of many modules, one after the other,
/// calling each other's helpers inside the file.
pub fn single_file(bytes: usize) -> String {
    let mut text = String::from(
        "\"\"\"One huge generated module.\"\"\"\n\nimport asyncio\nimport logging\nimport requests\nimport sqlite3\nimport subprocess\nimport time\n\nlog = logging.getLogger(__name__)\n_tasks: set = set()\n\n",
    );
    let mut g = 0;
    while text.len() < bytes {
        let mut draw = Draw::new(g as u64 ^ 0x5151);
        let blocking = BLOCKING[draw.below(BLOCKING.len())].0;
        // Earlier blocks, by their local names: two of its group of ten (its "package"), and
        // one anywhere before it.
        let group_start = g / PACKAGE_SIZE * PACKAGE_SIZE;
        let references: Vec<Reference> = (0..3)
            .filter(|_| g > 0)
            .map(|pick| {
                let other = if pick < 2 && g > group_start {
                    group_start + draw.below(g - group_start)
                } else {
                    draw.below(g)
                };
                Reference {
                    import: String::new(),
                    helper: Box::new(move |i| format!("helper_{other}_{}", i.min(2))),
                    class: format!("Model{other}"),
                    number: other,
                }
            })
            .collect();
        body(&mut text, g, &references, blocking, &mut draw);
        g += 1;
    }
    text
}
