//! LW002 io-error: reported by the file pipeline (`analysis.rs`) when a file or a directory
//! cannot be read.

pub const DOCS: &str = r#"# LW002 io-error

## What it does
Reports a path that could not be read, naming the operating system's error (permission
denied, an I/O error, a file that vanished during the run), or naming what it is when it is
not a regular file: a FIFO, a socket or a device given on the command line is never opened
(a FIFO would block the run until a writer came). A directory the walk could not list is
reported the same way, at the directory. The other files are still checked, and the run's
exit code is 1, as for any finding (Ruff's E902 does the same); exit code 2 is kept for
usage, configuration and internal errors.

Inside a walked directory, an entry named like a Python file that is not a regular file (a
FIFO, a socket, a device, a symbolic link, which the walk does not follow) is skipped and
not reported: `--show-files` and `--verbose` list it with what it is.

## Why is this bad?
A file that is not read is not checked: a green run would be a false promise.

## Example
A file or directory the linting user may not read, or `loopwarden check /dev/null`.

## Use instead
Make the files readable, or exclude them (`extend-exclude`) when they are not meant to be
checked. A file whose bytes CPython would not decode (not UTF-8 and no PEP 263 declaration,
or bytes the declared encoding rejects) is a syntax error, LW001, as it is for CPython.

## Not flagged
A path given on the command line that does not exist: that is a usage error, printed on
stderr, exit code 2.
"#;
