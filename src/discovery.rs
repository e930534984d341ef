//! Finding the files to check. (Being written: exclude patterns.)

use std::path::PathBuf;

use crate::settings::Settings;

/// A file to check: where it is, and how to name it in output.
#[derive(Clone, Debug)]
pub struct SourcePath {
    pub path: PathBuf,
    pub display: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourcePath>,
    pub errors: Vec<String>,
}

pub fn discover(paths: &[PathBuf], _settings: &Settings) -> Discovered {
    let mut discovered = Discovered::default();
    for root in paths {
        if !root.exists() {
            discovered.errors.push(format!("{}: No such file or directory", root.display()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(root).build() {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if path.is_file() && path.extension().is_some_and(|ext| ext == "py" || ext == "pyi") {
                        discovered.files.push(SourcePath {
                            path: path.to_path_buf(),
                            display: path.display().to_string(),
                        });
                    }
                }
                Err(error) => discovered.errors.push(error.to_string()),
            }
        }
    }
    discovered.files.sort_by(|a, b| a.display.cmp(&b.display));
    discovered.files.dedup_by(|a, b| a.path == b.path);
    discovered
}
