//! LW102 blocking-cpu-in-async: the `Cpu` entries of the catalog, called in async context.

use ruff_python_ast as ast;

use crate::catalog::{Blocking, BlockingApi};
use crate::checker::Checker;
use crate::checker::blocking_diagnostic::{blocking_call_diagnostic, linked_blocking_diagnostics};
use crate::diagnostic::{Diagnostic, display_path};
use crate::project::{Facts, Project};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW102 blocking-cpu-in-async

## What it does
Flags CPU-heavy password hashing and key derivation called directly inside an `async def`:
`bcrypt.hashpw/checkpw/kdf`, passlib's `CryptContext.hash/verify/verify_and_update` and
`passlib.hash.<scheme>.hash/verify`, `argon2.PasswordHasher.hash/verify`,
`pwdlib.PasswordHash.hash/verify/verify_and_update` (and its hashers' `hash/verify`),
`hashlib.pbkdf2_hmac/scrypt`, the `cryptography` KDFs' `derive/verify`, and its key
generation and private-key loading: `rsa.generate_private_key` (seconds for a 4096-bit
key), `dsa.generate_private_key/generate_parameters`, `dh.generate_parameters`,
`serialization.load_pem_private_key/load_der_private_key` (which checks an RSA key's primes,
or derives the key of an encrypted one).

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
handed to `run_in_executor` or `asyncio.to_thread`), values whose type is not known, and
coroutines that run only on a loop of their own (Flask's async views and what only they
await), and a program's entry coroutine (`asyncio.run(main())`) before it first suspends or
schedules other work.
Cheap hashes (`hashlib.sha256`) are not flagged, nor key-expansion KDFs (`HKDF`, `ConcatKDF`,
`X963KDF` from `cryptography`): one or two HMACs, microseconds, not a password-stretching
function made to be slow.

## Fix
Unsafe: `await asyncio.to_thread(f, *args)`, as for LW101.
"#;

/// Reports `call` (a CPU-heavy API, in async context).
/// The finding's message for a CPU-heavy call to `path`.
fn message(path: &str) -> String {
    format!(
        "CPU-heavy call `{}` in async function holds the event loop",
        display_path(path)
    )
}

/// Reports the CPU-heavy calls in coroutines that only the link could judge (a method of a
/// value typed in another module).
pub(crate) fn check_project(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    linked_blocking_diagnostics(
        project,
        facts,
        Rule::BlockingCpuInAsync,
        Blocking::Cpu,
        message,
        report,
    );
}

pub(crate) fn check_call(
    checker: &mut Checker,
    call: &ast::ExprCall,
    path: &str,
    api: &BlockingApi,
) {
    let message = message(path);
    let diagnostic =
        blocking_call_diagnostic(checker, Rule::BlockingCpuInAsync, message, call, api);
    checker.summary.hold_blocking_finding(diagnostic);
}
