//! LW001 syntax-error: reported by the file pipeline (`lib.rs`) when the parser fails.

pub const DOCS: &str = r#"# LW001 syntax-error

## What it does
Reports a file that does not parse, with the parser's message and the position of the
first error. The other files of the run are still checked, and the run's exit code is 1
(a finding), not 2.

## Why is this bad?
A file that does not parse cannot run, and loopwarden cannot check it: with error recovery
the parser still builds a tree, but findings in a guessed tree would point at code you did
not write, so a file with a syntax error gets this one finding and no other.

## Example
```python
async def handler(request)
    return await request.json()
```

## Use instead
```python
async def handler(request):
    return await request.json()
```

## Not flagged
Syntax that is valid for a newer Python than the target version (that is a version
question, not a parse failure).
"#;
