//! LW102 blocking-cpu-in-async. Detected by the shared blocking-call check in
//! [`super::blocking_io_in_async`], from the `Cpu` entries of the catalog.

pub const DOCS: &str = r#"# LW102 blocking-cpu-in-async

## What it does
Flags CPU-heavy password hashing and key derivation called directly inside an `async def`:
`bcrypt.hashpw/checkpw/kdf`, passlib's `CryptContext.hash/verify/verify_and_update` and
`passlib.hash.<scheme>.hash/verify`, `argon2.PasswordHasher.hash/verify`,
`hashlib.pbkdf2_hmac/scrypt`, and the `cryptography` KDFs' `derive/verify`.

## Why is this bad?
These functions are slow on purpose: a bcrypt hash at cost 12 takes around 250 ms, and
PBKDF2 with the recommended 600,000 iterations a similar time. On the event loop's thread
that is a quarter of a second in which no other request of the process makes progress; a
burst of logins serialises every user behind the hashing. bcrypt, argon2-cffi, hashlib and
cryptography release the GIL while they hash, so a worker thread really runs in parallel.

## Example
```python
import bcrypt

async def login(password: bytes, stored: bytes) -> bool:
    return bcrypt.checkpw(password, stored)
```

## Use instead
```python
import asyncio
import bcrypt

async def login(password: bytes, stored: bytes) -> bool:
    return await asyncio.to_thread(bcrypt.checkpw, password, stored)
```

## Not flagged
The same exemptions as LW101: the call inside a plain `def` or `lambda` (for example one
handed to `run_in_executor` or `asyncio.to_thread`), and values whose type is not known.
Cheap hashes (`hashlib.sha256`) are not flagged.

## Fix
Unsafe: `await asyncio.to_thread(f, *args)`, as for LW101.
"#;

pub(crate) fn message(api: &str) -> String {
    format!("CPU-heavy call `{api}` in async function holds the event loop")
}
