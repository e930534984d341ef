//! LW105 blocking-fs-metadata-in-async. Detected by the shared blocking-call check in
//! [`super::blocking_io_in_async`], from the `FsMetadata` entries of the catalog.

pub const DOCS: &str = r#"# LW105 blocking-fs-metadata-in-async

## What it does
Flags file-metadata syscalls made directly inside an `async def`: `os.path.exists`,
`isfile`, `isdir`, `islink`, `getsize`, `getmtime` (and `getatime`, `getctime`), `os.stat`,
`os.lstat`, `os.access`, and `pathlib.Path.exists/is_file/is_dir/is_symlink/stat/lstat` on
values known to be paths.

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
The same exemptions as LW101. Keep the rule on if your files may live on network storage;
turn it off (`ignore = ["LW105"]`) if they are always on local disk and you accept the risk.

## Fix
Unsafe: `await asyncio.to_thread(f, *args)`, as for LW101.
"#;

pub(crate) fn message(api: &str) -> String {
    format!("Filesystem metadata call `{api}` in async function blocks the event loop")
}
