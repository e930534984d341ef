//! What a cache entry is keyed by: the build that wrote it, the settings that change a
//! file's analysis, the file's content (with its size and modification time as a fast path
//! before the content), its module name, and what the link reads of it.

use std::fs::Metadata;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use twox_hash::XxHash3_64;

use crate::discovery::module_name::ModuleName;
use crate::settings::Settings;

/// The build of this binary: the package version and a hash of its sources (`build.rs`), so
/// that a cache written by any other build, even one of the same version in development, is
/// never read.
pub const BUILD_ID: &str = env!("LOOPWARDEN_BUILD_ID");

/// The hash the cache uses everywhere (xxh3: fast, and well spread).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    XxHash3_64::oneshot(bytes)
}

/// A streaming [`hash_bytes`] for values that implement [`Hash`].
pub fn hasher() -> XxHash3_64 {
    XxHash3_64::with_seed(0)
}

/// The settings that change what a file's analysis or the link finds. The ones applied when
/// findings are reported (`per-file-ignores`, `test-ignore`, the project root that decides
/// what a test file is) and the ones that choose files (`exclude`) are not in it: changing
/// them re-uses the cache.
pub fn settings_fingerprint(settings: &Settings) -> u64 {
    // Destructured in full: a new setting does not compile until it is placed on one side.
    let Settings {
        rules,
        per_file_ignores: _,
        exclude: _,
        force_exclude: _,
        target_version,
        sync_hooks,
        blocking_calls,
        async_safe_calls,
        test_ignore: _,
        file_time_limit,
        config_file: _,
        project_root: _,
    } = settings;
    let mut hasher = hasher();
    rules.hash(&mut hasher);
    target_version.hash(&mut hasher);
    sync_hooks.hash(&mut hasher);
    blocking_calls.hash(&mut hasher);
    async_safe_calls.hash(&mut hasher);
    file_time_limit.hash(&mut hasher);
    hasher.finish()
}

/// The names a file is imported under: the same text in another package layout is another
/// module, and its summary says so. Its aliases are left out: they are a function of its
/// display path and its name (`discovery::module_name::module_aliases`), and a record is
/// found by its display path; hashing them took as long as a cached run's whole check of
/// its records.
pub fn module_key(module: &ModuleName) -> u64 {
    // Hashed in one shot (the streaming hasher's set-up and finish cost about 600
    // instructions, for a key asked of every file on every run); a package's key differs
    // in its lowest bit.
    hash_bytes(module.name.as_bytes()) ^ u64::from(module.is_package)
}

/// Which file a cache record is for: a hash of its path. (Its display path follows from
/// the path, the paths given and the working directory, and the cache file is named after
/// the last two.) Records keep this instead of the file's strings: decoding 15,512
/// records' display paths and paths took a third of a one-file edit's reading of the cache
/// on the benchmark corpus. Two files of one project whose keys collide would need a 64-bit
/// hash collision between their paths, and the record found must still carry the file's
/// module key and size and modification time (or content hash) to be used.
pub fn name_key(path: &std::path::Path) -> u64 {
    hash_bytes(path.as_os_str().as_encoded_bytes())
}

/// A file's size and modification time: when both are as recorded, its content is taken
/// as unchanged without reading it (as Ruff's cache does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub modified: u128,
}

/// A file modified this close to the run (or after it) may be modified again within the
/// same tick of the file system's clock without its stamp changing: its stamp is not
/// recorded, and the next run compares its content.
const RACY_WINDOW: Duration = Duration::from_secs(2);

impl Stamp {
    /// The stamp of a file with `metadata`, when it may be trusted on a later run that starts
    /// after `now`.
    pub fn of(metadata: &Metadata, now: SystemTime) -> Option<Self> {
        let modified = metadata.modified().ok()?;
        if modified + RACY_WINDOW > now {
            return None;
        }
        Some(Self {
            size: metadata.len(),
            modified: modified.duration_since(UNIX_EPOCH).ok()?.as_nanos(),
        })
    }

    /// Whether a file with `metadata` still carries this stamp.
    pub fn matches(&self, metadata: &Metadata) -> bool {
        metadata.len() == self.size
            && metadata
                .modified()
                .ok()
                .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
                .is_some_and(|since| since.as_nanos() == self.modified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_key_tells_paths_apart() {
        use std::path::Path;
        let key = name_key(Path::new("/srv/app/db.py"));
        assert_eq!(key, name_key(Path::new("/srv/app/db.py")));
        assert_ne!(key, name_key(Path::new("/home/app/db.py")));
    }

    #[test]
    fn a_package_and_a_module_of_one_name_have_different_keys() {
        let package = |is_package| ModuleName {
            name: "app".into(),
            is_package,
            aliases: Vec::new(),
        };
        assert_ne!(module_key(&package(true)), module_key(&package(false)));
    }

    #[test]
    fn the_fingerprint_ignores_report_time_settings_only() {
        let base = Settings::default();
        let mut reported = Settings::default();
        reported.exclude.push("build".into());
        reported.test_ignore.clear();
        assert_eq!(settings_fingerprint(&base), settings_fingerprint(&reported));
        let mut analysed = Settings::default();
        analysed.blocking_calls.push("app.slow".into());
        assert_ne!(settings_fingerprint(&base), settings_fingerprint(&analysed));
        let mut older = Settings::default();
        older.target_version.minor = 8;
        assert_ne!(settings_fingerprint(&base), settings_fingerprint(&older));
    }
}
