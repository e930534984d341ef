//! Gives the binary a build id that changes with any change to its sources: the cache
//! (`src/cache/`) keys every entry by it, so a cache written by another build, even one of
//! the same version during development, is never trusted.

use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
    let mut hasher = DefaultHasher::new();
    hash_tree(Path::new("src"), &mut hasher);
    if let Ok(lock) = std::fs::read("Cargo.lock") {
        hasher.write(&lock);
    }
    println!(
        "cargo:rustc-env=LOOPWARDEN_BUILD_ID={}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        hasher.finish()
    );
}

/// Hashes every file's path and content below `dir`, in a fixed (sorted) order.
fn hash_tree(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else if let Ok(content) = std::fs::read(&path) {
            hasher.write(path.to_string_lossy().as_bytes());
            hasher.write(&content);
        }
    }
}
