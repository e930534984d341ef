//! `--show-files`: the files a run would check, one per line in check order, then the
//! entries of walked directories it would skip, each with what it is.

use std::io::{self, Write};

use crate::discovery::Discovered;

pub fn render_file_list(discovered: &Discovered, out: &mut dyn Write) -> io::Result<()> {
    for file in &discovered.files {
        writeln!(out, "{}", file.display)?;
    }
    for directory in &discovered.unreadable {
        writeln!(out, "{}", directory.message)?;
    }
    for skipped in &discovered.skipped {
        writeln!(
            out,
            "skipped {}: {}, not a regular file",
            skipped.display, skipped.kind
        )?;
    }
    Ok(())
}
