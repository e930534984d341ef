//! Files and directories in the standard library: `open`, the `os` file functions and
//! metadata calls (LW105), `shutil`, `pathlib`, `tempfile`, archives and compressed files,
//! `json`/`pickle` on file objects; and `input()` and `getpass.getpass()`, which read the
//! terminal.

use super::entries::{Api, Class, FILE_ARGUMENT, Library, METADATA, StaysOnItsThread, archive, io};

/// One-time set-up calls: they block (a TLS context reads the CA bundle, an import reads and
/// runs files, a time zone reads its file), but the helpers that make them keep what they make (a client factory's
/// cached context, `sys.modules`). Reported where a coroutine makes one itself (LW101); not
/// followed through helpers (LW103), where the call is almost always a cache hit's miss
/// path.
pub const SETUP_CALLS: &[&str] = &[
    "ssl.create_default_context",
    "ssl.SSLContext.load_verify_locations",
    "ssl.SSLContext.load_cert_chain",
    "ssl.SSLContext.load_default_certs",
    "ssl.SSLContext.set_default_verify_paths",
    "importlib.import_module",
    // Installed-package metadata: looked up once (a version string, the plugins' entry
    // points) and kept.
    "importlib.metadata.version",
    "importlib.metadata.distribution",
    "importlib.metadata.distributions",
    "importlib.metadata.metadata",
    "importlib.metadata.entry_points",
    "importlib.metadata.files",
    "importlib.metadata.requires",
    "importlib.metadata.packages_distributions",
    // A time zone: read from its file on the first lookup of its key, then cached.
    "zoneinfo.ZoneInfo",
    "pytz.timezone",
    "dateutil.tz.gettz",
];

/// Calls that write to a file descriptor given first: on the process's own standard output
/// or error (`os.write(2, ...)`, `os.write(sys.stderr.fileno(), ...)`) they are what
/// `print` and `logging` do, which no rule reports (LW101).
pub const DESCRIPTOR_WRITES: &[&str] = &["os.write"];

/// The standard streams whose descriptor [`DESCRIPTOR_WRITES`] may name by `fileno()`.
pub const STANDARD_STREAMS: &[&str] = &[
    "sys.stdout",
    "sys.stderr",
    "sys.__stdout__",
    "sys.__stderr__",
];

/// In-memory file objects: an archive opened on one touches no file (LW101).
pub const MEMORY_BUFFERS: &[&str] = &["io.BytesIO", "io.StringIO"];

/// Stream classes that wrap another stream, with the argument (keyword, position) that is
/// the wrapped one and the in-memory class a wrapper of an in-memory buffer behaves as: a
/// `TextIOWrapper` over a `BytesIO` decodes bytes already in memory, its reads and writes
/// touch no file, as a `StringIO`'s do not. Over anything else it is the file object it is.
pub const STREAM_WRAPPERS: &[(&str, &str, usize, &str)] = &[
    ("io.TextIOWrapper", "buffer", 0, "io.StringIO"),
    ("io.BufferedReader", "raw", 0, "io.BytesIO"),
    ("io.BufferedWriter", "raw", 0, "io.BytesIO"),
    ("io.BufferedRandom", "raw", 0, "io.BytesIO"),
];

/// Classes whose every base the catalog lists (their `isinstance` answers are all known):
/// each with the classes it is an instance of besides itself. `isinstance(fp, io.IOBase)`
/// holds for a `BytesIO` a caller passes, so code behind its `else` does not run for that
/// call; `isinstance(data, (str, Path))` does not, so code behind it does not run either.
/// `os.PathLike` is the classes with `__fspath__`: the paths, none of the others.
const KNOWN_ANCESTRY: &[(&str, &[&str])] = &[
    ("builtins.str", &[]),
    ("builtins.bytes", &[]),
    ("builtins.bytearray", &[]),
    ("builtins.int", &[]),
    ("builtins.bool", &["builtins.int"]),
    ("builtins.float", &[]),
    ("builtins.dict", &[]),
    ("builtins.list", &[]),
    ("builtins.tuple", &[]),
    ("io.BytesIO", &["io.BufferedIOBase", "io.IOBase"]),
    ("io.StringIO", &["io.TextIOBase", "io.IOBase"]),
    ("io.BufferedReader", &["io.BufferedIOBase", "io.IOBase"]),
    ("io.BufferedWriter", &["io.BufferedIOBase", "io.IOBase"]),
    ("io.BufferedRandom", &["io.BufferedIOBase", "io.IOBase"]),
    ("io.TextIOWrapper", &["io.TextIOBase", "io.IOBase"]),
    ("io.FileIO", &["io.RawIOBase", "io.IOBase"]),
    ("io.BufferedIOBase", &["io.IOBase"]),
    ("io.TextIOBase", &["io.IOBase"]),
    ("io.RawIOBase", &["io.IOBase"]),
    ("io.IOBase", &[]),
    ("pathlib.Path", &["pathlib.PurePath", "os.PathLike"]),
    ("pathlib.PurePath", &["os.PathLike"]),
    (
        "pathlib.PosixPath",
        &["pathlib.Path", "pathlib.PurePath", "os.PathLike"],
    ),
    (
        "pathlib.WindowsPath",
        &["pathlib.Path", "pathlib.PurePath", "os.PathLike"],
    ),
];

/// The classes of [`KNOWN_ANCESTRY`] named only as bases there.
const KNOWN_BASES: &[&str] = &["os.PathLike"];

/// The classes library class `class` is an instance of besides itself, when the catalog
/// knows them all.
fn known_ancestors(class: &str) -> Option<&'static [&'static str]> {
    KNOWN_ANCESTRY
        .iter()
        .find(|(known, _)| *known == class)
        .map(|(_, ancestors)| *ancestors)
}

/// Whether library class `class` is `base` or derives from it, as far as the catalog knows.
pub fn derives_from(class: &str, base: &str) -> bool {
    class == base || known_ancestors(class).is_some_and(|ancestors| ancestors.contains(&base))
}

/// Whether a value of library class `class` is known to be an instance of none of
/// `classes`: every class involved is one whose bases the catalog lists in full (a class
/// outside that list, an abstract class such as `collections.abc.Iterable`, may take any
/// value in).
pub fn never_instance_of(class: &str, classes: &[impl AsRef<str>]) -> bool {
    let Some(ancestors) = known_ancestors(class) else {
        return false;
    };
    let is_known = |name: &str| KNOWN_BASES.contains(&name) || known_ancestors(name).is_some();
    !classes.is_empty()
        && classes.iter().all(|tested| {
            let tested = tested.as_ref();
            is_known(tested) && tested != class && !ancestors.contains(&tested)
        })
}

const AIOFILES: Option<&str> = Some("aiofiles or anyio.Path");
const OS_FS: Option<&str> = Some("aiofiles.os");
const SSL_ONCE: Option<&str> =
    Some("a context made once at start-up and reused (or made in a worker thread)");

/// What `Path.iterdir()`, `glob()` and `rglob()` give: paths, one at a time (the model's
/// spelling of a collection's elements, `[]` and their type).
const PATHS: &str = "[]pathlib.Path";

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("builtins").functions(&[
        Api::new("builtins.open")
            .blocks(io(AIOFILES))
            .returns("io.TextIOWrapper"),
        Api::new("builtins.input")
            .blocks(io(None))
            .stays_on_its_thread(StaysOnItsThread::ReadsTerminal),
    ]),
    // Reads the password from the terminal, like `input()`.
    Library::new("getpass").functions(&[Api::new("getpass.getpass")
        .blocks(io(None))
        .stays_on_its_thread(StaysOnItsThread::ReadsTerminal)]),
    Library::new("io")
        .functions(&[Api::new("io.open")
            .blocks(io(AIOFILES))
            .returns("io.TextIOWrapper")])
        // A file object's reads and writes go to the disk (a flush, a read past the buffer).
        // Where the function opened the file itself, the `open` is what is reported; these
        // count on a file opened elsewhere (`self._log = open(...)` in `__init__`).
        .classes(&[Class::type_only("io.TextIOWrapper")
            .file_object()
            .methods(&[
                Api::new("read").blocks(io(AIOFILES)),
                Api::new("readline").blocks(io(AIOFILES)),
                Api::new("readlines").blocks(io(AIOFILES)),
                Api::new("write").blocks(io(AIOFILES)),
                Api::new("writelines").blocks(io(AIOFILES)),
                Api::new("flush").blocks(io(AIOFILES)),
                Api::new("truncate").blocks(io(AIOFILES)),
            ])]),
    Library::new("codecs").functions(&[Api::new("codecs.open").blocks(io(AIOFILES))]),
    // Wrapping a descriptor opens nothing: its `fstat` is on a descriptor already open (an
    // inode in memory; a socket, a pipe), so `os.fdopen` is typed but not blocking. What
    // blocks is the `open` that made the descriptor, reported where it is.
    Library::new("os").functions(&[Api::new("os.fdopen").returns("io.TextIOWrapper")]),
    // The first import of a module finds, reads and runs its files (later ones are a
    // dictionary lookup, but the call cannot tell which it is).
    Library::new("importlib").functions(&[Api::new("importlib.import_module").blocks(io(None))]),
    // A TLS context reads the CA bundle or certificate files from disk as it is made or
    // loaded: tens of milliseconds for the system bundle.
    Library::new("ssl")
        .functions(&[Api::new("ssl.create_default_context")
            .blocks(io(SSL_ONCE))
            .returns("ssl.SSLContext")])
        .classes(&[Class::new("ssl.SSLContext").methods(&[
            Api::new("load_verify_locations").blocks(io(SSL_ONCE)),
            Api::new("load_cert_chain").blocks(io(SSL_ONCE)),
            Api::new("load_default_certs").blocks(io(SSL_ONCE)),
            Api::new("set_default_verify_paths").blocks(io(SSL_ONCE)),
        ])]),
    // A pattern expands by listing directories.
    Library::new("glob").functions(&[
        Api::new("glob.glob").blocks(io(AIOFILES)),
        Api::new("glob.iglob").blocks(io(AIOFILES)).generator(),
    ]),
    Library::new("os").functions(&[
        Api::new("os.open").blocks(io(OS_FS)),
        Api::new("os.read").blocks(io(OS_FS)),
        Api::new("os.write").blocks(io(OS_FS)),
        Api::new("os.fsync").blocks(io(OS_FS)),
        Api::new("os.sendfile").blocks(io(OS_FS)),
        Api::new("os.remove").blocks(io(OS_FS)),
        Api::new("os.unlink").blocks(io(OS_FS)),
        Api::new("os.rename").blocks(io(OS_FS)),
        Api::new("os.replace").blocks(io(OS_FS)),
        Api::new("os.makedirs").blocks(io(OS_FS)),
        Api::new("os.mkdir").blocks(io(OS_FS)),
        Api::new("os.rmdir").blocks(io(OS_FS)),
        Api::new("os.removedirs").blocks(io(OS_FS)),
        Api::new("os.listdir").blocks(io(OS_FS)),
        Api::new("os.scandir").blocks(io(OS_FS)).lazy(),
        Api::new("os.walk").blocks(io(OS_FS)).generator(),
        Api::new("os.chmod").blocks(io(OS_FS)),
        Api::new("os.chown").blocks(io(OS_FS)),
        Api::new("os.truncate").blocks(io(OS_FS)),
        Api::new("os.link").blocks(io(OS_FS)),
        Api::new("os.symlink").blocks(io(OS_FS)),
        Api::new("os.readlink").blocks(io(OS_FS)),
        // File metadata: LW105.
        Api::new("os.path.exists").blocks(METADATA),
        Api::new("os.path.lexists").blocks(METADATA),
        Api::new("os.path.isfile").blocks(METADATA),
        Api::new("os.path.isdir").blocks(METADATA),
        Api::new("os.path.islink").blocks(METADATA),
        Api::new("os.path.getsize").blocks(METADATA),
        Api::new("os.path.getmtime").blocks(METADATA),
        Api::new("os.path.getatime").blocks(METADATA),
        Api::new("os.path.getctime").blocks(METADATA),
        Api::new("os.stat").blocks(METADATA),
        Api::new("os.lstat").blocks(METADATA),
        Api::new("os.access").blocks(METADATA),
        // Follows symbolic links on disk: a `stat` per path component.
        Api::new("os.path.realpath").blocks(METADATA),
    ]),
    Library::new("shutil").functions(&[
        Api::new("shutil.copy").blocks(io(None)),
        Api::new("shutil.copy2").blocks(io(None)),
        Api::new("shutil.copyfile").blocks(io(None)),
        Api::new("shutil.copyfileobj").blocks(io(None)),
        Api::new("shutil.copytree").blocks(io(None)),
        Api::new("shutil.move").blocks(io(None)),
        Api::new("shutil.rmtree").blocks(io(None)),
        Api::new("shutil.make_archive").blocks(io(None)),
        Api::new("shutil.unpack_archive").blocks(io(None)),
        Api::new("shutil.disk_usage").blocks(io(None)),
    ]),
    Library::new("pathlib").classes(&[Class::new("pathlib.Path")
        .aliases(&["pathlib.PosixPath", "pathlib.WindowsPath"])
        .methods(&[
            Api::new("read_text").blocks(io(AIOFILES)),
            Api::new("read_bytes").blocks(io(AIOFILES)),
            Api::new("write_text").blocks(io(AIOFILES)),
            Api::new("write_bytes").blocks(io(AIOFILES)),
            Api::new("open")
                .blocks(io(AIOFILES))
                .returns("io.TextIOWrapper"),
            Api::new("mkdir").blocks(io(AIOFILES)),
            Api::new("unlink").blocks(io(AIOFILES)),
            Api::new("rmdir").blocks(io(AIOFILES)),
            Api::new("rename").blocks(io(AIOFILES)),
            Api::new("replace").blocks(io(AIOFILES)),
            Api::new("touch").blocks(io(AIOFILES)),
            // Each gives paths: `for f in root.glob("*.json"): f.read_text()` reads files.
            Api::new("iterdir")
                .blocks(io(AIOFILES))
                .lazy()
                .returns(PATHS),
            Api::new("glob")
                .blocks(io(AIOFILES))
                .generator()
                .returns(PATHS),
            Api::new("rglob")
                .blocks(io(AIOFILES))
                .generator()
                .returns(PATHS),
            // File metadata: LW105.
            Api::new("exists").blocks(METADATA),
            Api::new("is_file").blocks(METADATA),
            Api::new("is_dir").blocks(METADATA),
            Api::new("is_symlink").blocks(METADATA),
            Api::new("stat").blocks(METADATA),
            Api::new("lstat").blocks(METADATA),
            // Pure path arithmetic: no I/O, another path.
            Api::new("cwd").returns("pathlib.Path"),
            Api::new("home").returns("pathlib.Path"),
            // Follows symbolic links on disk (a `stat` per component): LW105.
            Api::new("resolve").blocks(METADATA).returns("pathlib.Path"),
            Api::new("absolute").returns("pathlib.Path"),
            Api::new("expanduser").returns("pathlib.Path"),
            Api::new("joinpath").returns("pathlib.Path"),
            Api::new("with_name").returns("pathlib.Path"),
            Api::new("with_suffix").returns("pathlib.Path"),
            Api::new("with_stem").returns("pathlib.Path"),
            Api::new("relative_to").returns("pathlib.Path"),
        ])
        .attributes(&[("parent", "pathlib.Path")])
        .division_type("pathlib.Path")]),
    // Blocking only on a file object: `json.loads` and `json.load(io.StringIO(...))` do no I/O.
    Library::new("json").functions(&[
        Api::new("json.load").blocks(FILE_ARGUMENT),
        Api::new("json.dump").blocks(FILE_ARGUMENT),
    ]),
    Library::new("pickle").functions(&[
        Api::new("pickle.load").blocks(FILE_ARGUMENT),
        Api::new("pickle.dump").blocks(FILE_ARGUMENT),
    ]),
    Library::new("tempfile").functions(&[
        Api::new("tempfile.TemporaryFile").blocks(io(AIOFILES)),
        Api::new("tempfile.NamedTemporaryFile").blocks(io(AIOFILES)),
        // `tempfile.SpooledTemporaryFile(...)` is left out: it stays in memory until it
        // outgrows `max_size`, so making one touches no disk.
        Api::new("tempfile.mkstemp").blocks(io(AIOFILES)),
        Api::new("tempfile.mkdtemp").blocks(io(AIOFILES)),
        Api::new("tempfile.TemporaryDirectory").blocks(io(AIOFILES)),
    ]),
    // On an in-memory buffer (`zipfile.ZipFile(io.BytesIO())`) an archive touches no file.
    Library::new("zipfile").functions(&[Api::new("zipfile.ZipFile").blocks(archive("file", 0))]),
    Library::new("tarfile").functions(&[
        Api::new("tarfile.open").blocks(archive("fileobj", 2)),
        Api::new("tarfile.TarFile").blocks(archive("fileobj", 2)),
    ]),
    // `gzip.open(io.BytesIO(), "wb")` wraps the buffer it is given: no file is opened.
    Library::new("gzip").functions(&[Api::new("gzip.open").blocks(archive("filename", 0))]),
    Library::new("bz2").functions(&[Api::new("bz2.open").blocks(archive("filename", 0))]),
    Library::new("lzma").functions(&[Api::new("lzma.open").blocks(archive("filename", 0))]),
];
