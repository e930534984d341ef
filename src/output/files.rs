//! `--show-files`: the files a run would check, one per line in check order, then the
//! entries of walked directories it would skip, each with what it is.

use std::io::{self, Write};

use crate::discovery::Discovered;

pub fn render_file_list(discovered: &Discovered, out: &mut dyn Write) -> io::Result<()> {
    // The exact bytes of a name that is not UTF-8 (its display string has U+FFFD).
    for file in &discovered.files {
        match file.path.to_str() {
            Some(_) => writeln!(out, "{}", file.display)?,
            None => {
                out.write_all(&crate::discovery::display_bytes(&file.path))?;
                writeln!(out)?;
            }
        }
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
