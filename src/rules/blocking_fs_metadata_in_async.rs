//! LW105 blocking-fs-metadata-in-async: the `FsMetadata` entries of the catalog, called in
//! async context.

use ruff_python_ast as ast;

use crate::catalog::BlockingApi;
use crate::checker::Checker;
use crate::checker::blocking_diagnostic::{blocking_call_diagnostic, held_blocking_diagnostics};
use crate::diagnostic::{Diagnostic, display_path};
use crate::project::{Facts, Project};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW105 blocking-fs-metadata-in-async

## What it does
Flags file-metadata syscalls made directly inside an `async def`: `os.path.exists`,
`isfile`, `isdir`, `islink`, `getsize`, `getmtime` (and `getatime`, `getctime`),
`os.path.realpath`, `os.stat`, `os.lstat`, `os.access`, and
`pathlib.Path.exists/is_file/is_dir/is_symlink/stat/lstat/resolve` on values known to be
paths (`realpath` and `resolve` follow symbolic links on disk, a `stat` per component).

## Why is this bad?
A `stat` is a syscall that usually returns in microseconds from the page cache, which is
why it is reported apart from LW101. On a network filesystem (NFS, SMB, a FUSE mount, a
cold cloud disk) the same call can take tens of milliseconds or hang while the server is
unreachable, and for that whole time the event loop runs nothing else.

## Example
```python
import os

async def avatar(user_id: int) -> str:
    path = f"/srv/avatars/{user_id}.png"
    return path if os.path.exists(path) else "/static/default.png"
```

## Use instead
```python
import asyncio
import os

async def avatar(user_id: int) -> str:
    path = f"/srv/avatars/{user_id}.png"
    exists = await asyncio.to_thread(os.path.exists, path)
    return path if exists else "/static/default.png"
```
or `aiofiles.os.path.exists` / `anyio.Path(...).exists()`.

## Not flagged
- The pure string functions of `os.path` (`abspath`, `normpath`, `join`, `expanduser`) and
  `Path.absolute()`: they touch no disk (Ruff's ASYNC240 flags some of them; loopwarden
  does not).
The same exemptions as LW101 (coroutines that run only on a loop of their own, Flask's
async views, among them, and a program's entry coroutine before it first suspends). Keep the rule on if your files may live on network storage;
turn it off (`ignore = ["LW105"]`) if they are always on local disk and you accept the risk.

## Fix
Unsafe: `await asyncio.to_thread(f, *args)`, as for LW101.
"#;

/// Reports `call` (a filesystem metadata call, in async context).
pub(crate) fn check_call(
    checker: &mut Checker,
    call: &ast::ExprCall,
    path: &str,
    api: &BlockingApi,
) {
    let message = format!(
        "Filesystem metadata call `{}` in async function blocks the event loop",
        display_path(path)
    );
    let diagnostic =
        blocking_call_diagnostic(checker, Rule::BlockingFsMetadataInAsync, message, call, api);
    checker.summary.hold_blocking_finding(diagnostic);
}

/// Reports the findings the module walks held, but for those in coroutines that run only on
/// a loop of their own.
pub(crate) fn check_project(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    held_blocking_diagnostics(project, facts, Rule::BlockingFsMetadataInAsync, report);
}
