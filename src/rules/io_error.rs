//! LW002 io-error: reported by the file pipeline (`lib.rs`) when a file cannot be read.

pub const DOCS: &str = r#"# LW002 io-error

## What it does
Reports a file that could not be read, naming the operating system's error (permission
denied, an I/O error, a file that vanished during the run), or that is not valid UTF-8. The
other files are still checked, and the run's exit code is 2: something was not checked.

## Why is this bad?
A file that is not read is not checked: a green run would be a false promise.

## Example
A `.py` file saved as Latin-1 with a non-ASCII character in a string, or a file the
linting user may not read.

## Use instead
Save Python source as UTF-8 (PEP 3120) and make the files readable, or exclude them
(`extend-exclude`) when they are not meant to be checked.

## Not flagged
A path given on the command line that does not exist: that is a usage error, printed on
stderr, exit code 2.
"#;
