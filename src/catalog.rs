//! The API tables: which calls block the loop, which values have which types, which
//! calls are asyncio's. Data, not logic: adding an API is adding a line.
//!
//! Names are *qualified paths*: `sqlite3.connect` for a module function, `sqlite3.Connection`
//! for a type, and `sqlite3.Connection.execute` for a method called on a value of that type
//! (see `semantic::Resolved`). A path ending in `.*` matches every method of a type, except
//! those listed in [`WILDCARD_EXCEPTIONS`].

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

/// Which rule a blocking call belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    /// LW101: file, socket, database, process, sleeping and waiting.
    Io,
    /// LW102: CPU-heavy hashing and key derivation.
    Cpu,
    /// LW105: a stat-like metadata syscall.
    FsMetadata,
}

/// An argument that turns a blocking call into a non-blocking one (`lock.acquire(blocking=False)`,
/// `queue.get(block=False)`, `queue.get(False)`): the keyword name and its positional index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonBlockingFlag {
    pub keyword: &'static str,
    pub position: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockingApi {
    pub category: Blocking,
    /// The async library or API to suggest instead, when there is one.
    pub alternative: Option<&'static str>,
    pub non_blocking_flag: Option<NonBlockingFlag>,
    /// Only blocking when the first argument is a known file object (`json.load(f)`).
    pub needs_file_argument: bool,
}

const fn io(alternative: Option<&'static str>) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative,
        non_blocking_flag: None,
        needs_file_argument: false,
    }
}

const fn flagged(keyword: &'static str, position: usize) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative: None,
        non_blocking_flag: Some(NonBlockingFlag { keyword, position }),
        needs_file_argument: false,
    }
}

const CPU: BlockingApi = BlockingApi {
    category: Blocking::Cpu,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: false,
};

const METADATA: BlockingApi = BlockingApi {
    category: Blocking::FsMetadata,
    alternative: Some("aiofiles.os / anyio.Path"),
    non_blocking_flag: None,
    needs_file_argument: false,
};

const FILE_ARGUMENT: BlockingApi = BlockingApi {
    category: Blocking::Io,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: true,
};

const AIOFILES: Option<&str> = Some("aiofiles or anyio.Path");
const AIOSQLITE: Option<&str> = Some("aiosqlite");
const HTTPX_ASYNC: Option<&str> = Some("httpx.AsyncClient or aiohttp");
const SUBPROCESS_ASYNC: Option<&str> = Some("asyncio.create_subprocess_exec");
const SLEEP_ASYNC: Option<&str> = Some("await asyncio.sleep(...)");
const OS_FS: Option<&str> = Some("aiofiles.os");

/// Blocking calls, by qualified path.
pub const BLOCKING_CALLS: &[(&str, BlockingApi)] = &[
    // Files.
    ("builtins.open", io(AIOFILES)),
    ("io.open", io(AIOFILES)),
    ("codecs.open", io(AIOFILES)),
    ("os.open", io(OS_FS)),
    ("os.read", io(OS_FS)),
    ("os.write", io(OS_FS)),
    ("os.fsync", io(OS_FS)),
    ("os.sendfile", io(OS_FS)),
    ("os.remove", io(OS_FS)),
    ("os.unlink", io(OS_FS)),
    ("os.rename", io(OS_FS)),
    ("os.replace", io(OS_FS)),
    ("os.makedirs", io(OS_FS)),
    ("os.mkdir", io(OS_FS)),
    ("os.rmdir", io(OS_FS)),
    ("os.removedirs", io(OS_FS)),
    ("os.listdir", io(OS_FS)),
    ("os.scandir", io(OS_FS)),
    ("os.walk", io(OS_FS)),
    ("os.chmod", io(OS_FS)),
    ("os.chown", io(OS_FS)),
    ("os.truncate", io(OS_FS)),
    ("os.link", io(OS_FS)),
    ("os.symlink", io(OS_FS)),
    ("os.readlink", io(OS_FS)),
    ("shutil.copy", io(None)),
    ("shutil.copy2", io(None)),
    ("shutil.copyfile", io(None)),
    ("shutil.copyfileobj", io(None)),
    ("shutil.copytree", io(None)),
    ("shutil.move", io(None)),
    ("shutil.rmtree", io(None)),
    ("shutil.make_archive", io(None)),
    ("shutil.unpack_archive", io(None)),
    ("shutil.disk_usage", io(None)),
    ("pathlib.Path.read_text", io(AIOFILES)),
    ("pathlib.Path.read_bytes", io(AIOFILES)),
    ("pathlib.Path.write_text", io(AIOFILES)),
    ("pathlib.Path.write_bytes", io(AIOFILES)),
    ("pathlib.Path.open", io(AIOFILES)),
    ("pathlib.Path.mkdir", io(AIOFILES)),
    ("pathlib.Path.unlink", io(AIOFILES)),
    ("pathlib.Path.rmdir", io(AIOFILES)),
    ("pathlib.Path.rename", io(AIOFILES)),
    ("pathlib.Path.replace", io(AIOFILES)),
    ("pathlib.Path.touch", io(AIOFILES)),
    ("pathlib.Path.iterdir", io(AIOFILES)),
    ("pathlib.Path.glob", io(AIOFILES)),
    ("pathlib.Path.rglob", io(AIOFILES)),
    ("json.load", FILE_ARGUMENT),
    ("json.dump", FILE_ARGUMENT),
    ("pickle.load", FILE_ARGUMENT),
    ("pickle.dump", FILE_ARGUMENT),
    ("tempfile.TemporaryFile", io(AIOFILES)),
    ("tempfile.NamedTemporaryFile", io(AIOFILES)),
    ("tempfile.SpooledTemporaryFile", io(AIOFILES)),
    ("tempfile.mkstemp", io(AIOFILES)),
    ("tempfile.mkdtemp", io(AIOFILES)),
    ("tempfile.TemporaryDirectory", io(AIOFILES)),
    ("zipfile.ZipFile", io(None)),
    ("tarfile.open", io(None)),
    ("tarfile.TarFile", io(None)),
    ("gzip.open", io(None)),
    ("bz2.open", io(None)),
    ("lzma.open", io(None)),
    // File metadata: LW105.
    ("os.path.exists", METADATA),
    ("os.path.lexists", METADATA),
    ("os.path.isfile", METADATA),
    ("os.path.isdir", METADATA),
    ("os.path.islink", METADATA),
    ("os.path.getsize", METADATA),
    ("os.path.getmtime", METADATA),
    ("os.path.getatime", METADATA),
    ("os.path.getctime", METADATA),
    ("os.stat", METADATA),
    ("os.lstat", METADATA),
    ("os.access", METADATA),
    ("pathlib.Path.exists", METADATA),
    ("pathlib.Path.is_file", METADATA),
    ("pathlib.Path.is_dir", METADATA),
    ("pathlib.Path.is_symlink", METADATA),
    ("pathlib.Path.stat", METADATA),
    ("pathlib.Path.lstat", METADATA),
    // sqlite3.
    ("sqlite3.connect", io(AIOSQLITE)),
    ("sqlite3.Connection.*", io(AIOSQLITE)),
    ("sqlite3.Cursor.*", io(AIOSQLITE)),
    // Sleeping and waiting.
    ("time.sleep", io(SLEEP_ASYNC)),
    ("threading.Lock.acquire", flagged("blocking", 0)),
    ("threading.RLock.acquire", flagged("blocking", 0)),
    ("threading.Semaphore.acquire", flagged("blocking", 0)),
    ("threading.BoundedSemaphore.acquire", flagged("blocking", 0)),
    ("threading.Condition.acquire", flagged("blocking", 0)),
    ("threading.Condition.wait", io(Some("asyncio.Condition"))),
    (
        "threading.Condition.wait_for",
        io(Some("asyncio.Condition")),
    ),
    ("threading.Event.wait", io(Some("asyncio.Event"))),
    ("threading.Barrier.wait", io(Some("asyncio.Barrier"))),
    (
        "threading.Thread.join",
        io(Some("await asyncio.to_thread(thread.join)")),
    ),
    ("queue.Queue.get", flagged("block", 0)),
    ("queue.Queue.put", flagged("block", 1)),
    ("queue.Queue.join", io(Some("asyncio.Queue"))),
    ("multiprocessing.Queue.get", flagged("block", 0)),
    ("multiprocessing.Queue.put", flagged("block", 1)),
    ("multiprocessing.Process.join", io(None)),
    (
        "concurrent.futures.Future.result",
        io(Some("await asyncio.wrap_future(future)")),
    ),
    (
        "concurrent.futures.Future.exception",
        io(Some("await asyncio.wrap_future(future)")),
    ),
    ("concurrent.futures.wait", io(Some("asyncio.wait"))),
    (
        "concurrent.futures.ThreadPoolExecutor.shutdown",
        flagged("wait", 0),
    ),
    (
        "concurrent.futures.ProcessPoolExecutor.shutdown",
        flagged("wait", 0),
    ),
    ("builtins.input", io(None)),
    // HTTP and sockets.
    ("requests.get", io(HTTPX_ASYNC)),
    ("requests.post", io(HTTPX_ASYNC)),
    ("requests.put", io(HTTPX_ASYNC)),
    ("requests.patch", io(HTTPX_ASYNC)),
    ("requests.delete", io(HTTPX_ASYNC)),
    ("requests.head", io(HTTPX_ASYNC)),
    ("requests.options", io(HTTPX_ASYNC)),
    ("requests.request", io(HTTPX_ASYNC)),
    ("requests.Session.get", io(HTTPX_ASYNC)),
    ("requests.Session.post", io(HTTPX_ASYNC)),
    ("requests.Session.put", io(HTTPX_ASYNC)),
    ("requests.Session.patch", io(HTTPX_ASYNC)),
    ("requests.Session.delete", io(HTTPX_ASYNC)),
    ("requests.Session.head", io(HTTPX_ASYNC)),
    ("requests.Session.options", io(HTTPX_ASYNC)),
    ("requests.Session.request", io(HTTPX_ASYNC)),
    ("requests.Session.send", io(HTTPX_ASYNC)),
    ("urllib.request.urlopen", io(HTTPX_ASYNC)),
    ("urllib.request.urlretrieve", io(HTTPX_ASYNC)),
    ("urllib3.request", io(HTTPX_ASYNC)),
    ("urllib3.PoolManager.request", io(HTTPX_ASYNC)),
    ("urllib3.PoolManager.urlopen", io(HTTPX_ASYNC)),
    ("urllib3.PoolManager.request_encode_url", io(HTTPX_ASYNC)),
    ("urllib3.PoolManager.request_encode_body", io(HTTPX_ASYNC)),
    ("http.client.HTTPConnection.request", io(HTTPX_ASYNC)),
    ("http.client.HTTPConnection.getresponse", io(HTTPX_ASYNC)),
    ("http.client.HTTPConnection.connect", io(HTTPX_ASYNC)),
    ("http.client.HTTPConnection.send", io(HTTPX_ASYNC)),
    ("httpx.get", io(Some("httpx.AsyncClient"))),
    ("httpx.post", io(Some("httpx.AsyncClient"))),
    ("httpx.put", io(Some("httpx.AsyncClient"))),
    ("httpx.patch", io(Some("httpx.AsyncClient"))),
    ("httpx.delete", io(Some("httpx.AsyncClient"))),
    ("httpx.head", io(Some("httpx.AsyncClient"))),
    ("httpx.options", io(Some("httpx.AsyncClient"))),
    ("httpx.request", io(Some("httpx.AsyncClient"))),
    ("httpx.stream", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.get", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.post", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.put", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.patch", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.delete", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.head", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.options", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.request", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.send", io(Some("httpx.AsyncClient"))),
    ("httpx.Client.stream", io(Some("httpx.AsyncClient"))),
    (
        "socket.create_connection",
        io(Some("asyncio.open_connection")),
    ),
    ("socket.getaddrinfo", io(Some("loop.getaddrinfo"))),
    ("socket.gethostbyname", io(Some("loop.getaddrinfo"))),
    ("socket.socket.connect", io(Some("loop.sock_connect"))),
    ("socket.socket.recv", io(Some("loop.sock_recv"))),
    ("socket.socket.recv_into", io(Some("loop.sock_recv_into"))),
    ("socket.socket.recvfrom", io(Some("loop.sock_recvfrom"))),
    ("socket.socket.send", io(Some("loop.sock_sendall"))),
    ("socket.socket.sendall", io(Some("loop.sock_sendall"))),
    ("socket.socket.sendto", io(Some("loop.sock_sendto"))),
    ("socket.socket.accept", io(Some("loop.sock_accept"))),
    ("socket.socket.makefile", io(Some("asyncio streams"))),
    ("ftplib.FTP", io(Some("aioftp"))),
    ("ftplib.FTP.*", io(Some("aioftp"))),
    ("ftplib.FTP_TLS", io(Some("aioftp"))),
    ("smtplib.SMTP", io(Some("aiosmtplib"))),
    ("smtplib.SMTP.*", io(Some("aiosmtplib"))),
    ("smtplib.SMTP_SSL", io(Some("aiosmtplib"))),
    ("poplib.POP3", io(None)),
    ("poplib.POP3.*", io(None)),
    ("poplib.POP3_SSL", io(None)),
    ("imaplib.IMAP4", io(Some("aioimaplib"))),
    ("imaplib.IMAP4.*", io(Some("aioimaplib"))),
    ("imaplib.IMAP4_SSL", io(Some("aioimaplib"))),
    ("xmlrpc.client.ServerProxy.*", io(None)),
    // Processes.
    ("subprocess.run", io(SUBPROCESS_ASYNC)),
    ("subprocess.call", io(SUBPROCESS_ASYNC)),
    ("subprocess.check_call", io(SUBPROCESS_ASYNC)),
    ("subprocess.check_output", io(SUBPROCESS_ASYNC)),
    ("subprocess.getoutput", io(SUBPROCESS_ASYNC)),
    ("subprocess.getstatusoutput", io(SUBPROCESS_ASYNC)),
    ("subprocess.Popen.wait", io(SUBPROCESS_ASYNC)),
    ("subprocess.Popen.communicate", io(SUBPROCESS_ASYNC)),
    ("os.system", io(SUBPROCESS_ASYNC)),
    ("os.popen", io(SUBPROCESS_ASYNC)),
    ("os.spawnl", io(SUBPROCESS_ASYNC)),
    ("os.spawnle", io(SUBPROCESS_ASYNC)),
    ("os.spawnlp", io(SUBPROCESS_ASYNC)),
    ("os.spawnlpe", io(SUBPROCESS_ASYNC)),
    ("os.spawnv", io(SUBPROCESS_ASYNC)),
    ("os.spawnve", io(SUBPROCESS_ASYNC)),
    ("os.spawnvp", io(SUBPROCESS_ASYNC)),
    ("os.spawnvpe", io(SUBPROCESS_ASYNC)),
    ("os.wait", io(SUBPROCESS_ASYNC)),
    ("os.waitpid", io(SUBPROCESS_ASYNC)),
    ("os.wait3", io(SUBPROCESS_ASYNC)),
    ("os.wait4", io(SUBPROCESS_ASYNC)),
    ("os.waitid", io(SUBPROCESS_ASYNC)),
    // Sync database and service clients.
    (
        "psycopg2.connect",
        io(Some("asyncpg or psycopg.AsyncConnection")),
    ),
    (
        "psycopg2.extensions.connection.*",
        io(Some("asyncpg or psycopg.AsyncConnection")),
    ),
    (
        "psycopg2.extensions.cursor.*",
        io(Some("asyncpg or psycopg.AsyncConnection")),
    ),
    (
        "psycopg.connect",
        io(Some("psycopg.AsyncConnection.connect")),
    ),
    (
        "psycopg.Connection.connect",
        io(Some("psycopg.AsyncConnection.connect")),
    ),
    ("psycopg.Connection.*", io(Some("psycopg.AsyncConnection"))),
    ("psycopg.Cursor.*", io(Some("psycopg.AsyncConnection"))),
    ("pymysql.connect", io(Some("aiomysql"))),
    ("pymysql.connections.Connection.*", io(Some("aiomysql"))),
    ("pymysql.cursors.Cursor.*", io(Some("aiomysql"))),
    ("MySQLdb.connect", io(Some("aiomysql"))),
    (
        "pymongo.MongoClient.*",
        io(Some("motor or pymongo.AsyncMongoClient")),
    ),
    (
        "pymongo.database.Database.*",
        io(Some("motor or pymongo.AsyncMongoClient")),
    ),
    (
        "pymongo.collection.Collection.*",
        io(Some("motor or pymongo.AsyncMongoClient")),
    ),
    ("redis.Redis.*", io(Some("redis.asyncio"))),
    ("redis.client.Pipeline.execute", io(Some("redis.asyncio"))),
    (
        "sqlalchemy.engine.Engine.connect",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Engine.begin",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Engine.execute",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Connection.execute",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Connection.commit",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Connection.scalar",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.engine.Connection.scalars",
        io(Some("sqlalchemy.ext.asyncio")),
    ),
    (
        "sqlalchemy.orm.Session.execute",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.commit",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.query",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.get",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.flush",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.refresh",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.scalar",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.scalars",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "sqlalchemy.orm.Session.rollback",
        io(Some("sqlalchemy.ext.asyncio.AsyncSession")),
    ),
    (
        "botocore.client.BaseClient.*",
        io(Some("aioboto3 / aiobotocore")),
    ),
    (
        "boto3.resources.base.ServiceResource.*",
        io(Some("aioboto3")),
    ),
    (
        "elasticsearch.Elasticsearch.*",
        io(Some("elasticsearch.AsyncElasticsearch")),
    ),
    // CPU-heavy: LW102.
    ("bcrypt.hashpw", CPU),
    ("bcrypt.checkpw", CPU),
    ("bcrypt.kdf", CPU),
    ("passlib.context.CryptContext.hash", CPU),
    ("passlib.context.CryptContext.verify", CPU),
    ("passlib.context.CryptContext.verify_and_update", CPU),
    ("argon2.PasswordHasher.hash", CPU),
    ("argon2.PasswordHasher.verify", CPU),
    ("hashlib.pbkdf2_hmac", CPU),
    ("hashlib.scrypt", CPU),
    (
        "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.derive",
        CPU,
    ),
    (
        "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.verify",
        CPU,
    ),
    (
        "cryptography.hazmat.primitives.kdf.scrypt.Scrypt.derive",
        CPU,
    ),
    (
        "cryptography.hazmat.primitives.kdf.scrypt.Scrypt.verify",
        CPU,
    ),
    ("cryptography.hazmat.primitives.kdf.hkdf.HKDF.derive", CPU),
    (
        "cryptography.hazmat.primitives.kdf.argon2.Argon2id.derive",
        CPU,
    ),
    (
        "cryptography.hazmat.primitives.kdf.argon2.Argon2id.verify",
        CPU,
    ),
];

/// Families of classes whose every member has the same slow methods: `passlib.hash.<scheme>`
/// (`passlib.hash.bcrypt.hash`, `passlib.hash.argon2.verify`, ...).
pub const FAMILY_METHODS: &[(&str, &[&str], BlockingApi)] =
    &[("passlib.hash", &["hash", "verify", "genhash"], CPU)];

/// Methods that a `Type.*` wildcard does not cover: they do no I/O (they build a pipeline,
/// a paginator, a URL) or only release local resources.
pub const WILDCARD_EXCEPTIONS: &[&str] = &[
    "sqlite3.Connection.cursor",
    "sqlite3.Connection.create_function",
    "sqlite3.Connection.create_aggregate",
    "sqlite3.Connection.set_trace_callback",
    "sqlite3.Cursor.__iter__",
    "redis.Redis.pipeline",
    "redis.Redis.pubsub",
    "redis.Redis.lock",
    "redis.Redis.register_script",
    "redis.Redis.get_encoder",
    "redis.Redis.get_connection_kwargs",
    "redis.Redis.set_response_callback",
    "pymongo.MongoClient.get_database",
    "pymongo.MongoClient.get_default_database",
    "pymongo.database.Database.get_collection",
    "pymongo.collection.Collection.with_options",
    "botocore.client.BaseClient.get_paginator",
    "botocore.client.BaseClient.get_waiter",
    "botocore.client.BaseClient.can_paginate",
    "botocore.client.BaseClient.generate_presigned_url",
    "botocore.client.BaseClient.generate_presigned_post",
    "botocore.client.BaseClient.close",
    "boto3.resources.base.ServiceResource.Table",
    "boto3.resources.base.ServiceResource.Bucket",
    "boto3.resources.base.ServiceResource.Object",
    "boto3.resources.base.ServiceResource.Queue",
    "psycopg2.extensions.connection.cursor",
    "psycopg.Connection.cursor",
    "pymysql.connections.Connection.cursor",
    "elasticsearch.Elasticsearch.options",
    "smtplib.SMTP.set_debuglevel",
    "ftplib.FTP.set_debuglevel",
    "ftplib.FTP.set_pasv",
];

/// What calling a path returns (an instance of the given type).
pub const RETURN_TYPES: &[(&str, &str)] = &[
    ("builtins.open", "io.TextIOWrapper"),
    ("io.open", "io.TextIOWrapper"),
    ("pathlib.Path.open", "io.TextIOWrapper"),
    ("sqlite3.connect", "sqlite3.Connection"),
    ("sqlite3.Connection.cursor", "sqlite3.Cursor"),
    ("sqlite3.Connection.execute", "sqlite3.Cursor"),
    ("sqlite3.Connection.executemany", "sqlite3.Cursor"),
    ("sqlite3.Connection.executescript", "sqlite3.Cursor"),
    ("sqlite3.Cursor.execute", "sqlite3.Cursor"),
    ("sqlite3.Cursor.executemany", "sqlite3.Cursor"),
    ("pathlib.Path.cwd", "pathlib.Path"),
    ("pathlib.Path.home", "pathlib.Path"),
    ("pathlib.Path.resolve", "pathlib.Path"),
    ("pathlib.Path.absolute", "pathlib.Path"),
    ("pathlib.Path.expanduser", "pathlib.Path"),
    ("pathlib.Path.joinpath", "pathlib.Path"),
    ("pathlib.Path.with_name", "pathlib.Path"),
    ("pathlib.Path.with_suffix", "pathlib.Path"),
    ("pathlib.Path.with_stem", "pathlib.Path"),
    ("pathlib.Path.relative_to", "pathlib.Path"),
    ("requests.session", "requests.Session"),
    ("redis.from_url", "redis.Redis"),
    ("redis.Redis.from_url", "redis.Redis"),
    ("redis.Redis.pipeline", "redis.client.Pipeline"),
    ("psycopg2.connect", "psycopg2.extensions.connection"),
    (
        "psycopg2.extensions.connection.cursor",
        "psycopg2.extensions.cursor",
    ),
    ("psycopg.connect", "psycopg.Connection"),
    ("psycopg.Connection.connect", "psycopg.Connection"),
    ("psycopg.Connection.cursor", "psycopg.Cursor"),
    ("pymysql.connect", "pymysql.connections.Connection"),
    (
        "pymysql.connections.Connection.cursor",
        "pymysql.cursors.Cursor",
    ),
    (
        "pymongo.MongoClient.get_database",
        "pymongo.database.Database",
    ),
    (
        "pymongo.MongoClient.get_default_database",
        "pymongo.database.Database",
    ),
    (
        "pymongo.database.Database.get_collection",
        "pymongo.collection.Collection",
    ),
    ("sqlalchemy.create_engine", "sqlalchemy.engine.Engine"),
    (
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.engine.Engine",
    ),
    (
        "sqlalchemy.engine.Engine.connect",
        "sqlalchemy.engine.Connection",
    ),
    (
        "sqlalchemy.engine.Engine.begin",
        "sqlalchemy.engine.Connection",
    ),
    (
        "sqlalchemy.orm.sessionmaker.__call__",
        "sqlalchemy.orm.Session",
    ),
    (
        "sqlalchemy.orm.scoped_session.__call__",
        "sqlalchemy.orm.Session",
    ),
    ("boto3.client", "botocore.client.BaseClient"),
    ("boto3.session.Session.client", "botocore.client.BaseClient"),
    ("boto3.resource", "boto3.resources.base.ServiceResource"),
    (
        "boto3.session.Session.resource",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Table",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Bucket",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Object",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Queue",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "concurrent.futures.ThreadPoolExecutor.submit",
        "concurrent.futures.Future",
    ),
    (
        "concurrent.futures.ProcessPoolExecutor.submit",
        "concurrent.futures.Future",
    ),
    (
        "concurrent.futures.Executor.submit",
        "concurrent.futures.Future",
    ),
    (
        "asyncio.run_coroutine_threadsafe",
        "concurrent.futures.Future",
    ),
    ("subprocess.Popen", "subprocess.Popen"),
    ("multiprocessing.Queue", "multiprocessing.Queue"),
    ("asyncio.get_event_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.get_running_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.new_event_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.events.get_event_loop", "asyncio.AbstractEventLoop"),
    (
        "asyncio.events.get_running_loop",
        "asyncio.AbstractEventLoop",
    ),
    ("asyncio.AbstractEventLoop.create_task", "asyncio.Task"),
    ("asyncio.create_task", "asyncio.Task"),
    ("asyncio.ensure_future", "asyncio.Task"),
    ("asyncio.TaskGroup.create_task", "asyncio.Task"),
    // `async with websockets.connect(uri) as ws` (LW501); `ws = await connect(...)` is followed by the rule.
    ("websockets.connect", "websockets.ClientConnection"),
    (
        "websockets.asyncio.client.connect",
        "websockets.ClientConnection",
    ),
    (
        "websockets.client.connect",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.legacy.client.connect",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
];

/// Classes whose call builds an instance of themselves, under the name the tables use.
/// The key is every spelling an import can produce; the value is the canonical type.
pub const CLASSES: &[(&str, &str)] = &[
    ("pathlib.Path", "pathlib.Path"),
    ("pathlib.PosixPath", "pathlib.Path"),
    ("pathlib.WindowsPath", "pathlib.Path"),
    ("sqlite3.Connection", "sqlite3.Connection"),
    ("sqlite3.Cursor", "sqlite3.Cursor"),
    ("requests.Session", "requests.Session"),
    ("requests.sessions.Session", "requests.Session"),
    ("httpx.Client", "httpx.Client"),
    ("urllib3.PoolManager", "urllib3.PoolManager"),
    ("urllib3.poolmanager.PoolManager", "urllib3.PoolManager"),
    ("http.client.HTTPConnection", "http.client.HTTPConnection"),
    ("http.client.HTTPSConnection", "http.client.HTTPConnection"),
    ("socket.socket", "socket.socket"),
    ("ftplib.FTP", "ftplib.FTP"),
    ("ftplib.FTP_TLS", "ftplib.FTP"),
    ("smtplib.SMTP", "smtplib.SMTP"),
    ("smtplib.SMTP_SSL", "smtplib.SMTP"),
    ("poplib.POP3", "poplib.POP3"),
    ("poplib.POP3_SSL", "poplib.POP3"),
    ("imaplib.IMAP4", "imaplib.IMAP4"),
    ("imaplib.IMAP4_SSL", "imaplib.IMAP4"),
    ("xmlrpc.client.ServerProxy", "xmlrpc.client.ServerProxy"),
    ("threading.Lock", "threading.Lock"),
    ("threading.RLock", "threading.RLock"),
    ("threading.Semaphore", "threading.Semaphore"),
    ("threading.BoundedSemaphore", "threading.BoundedSemaphore"),
    ("threading.Condition", "threading.Condition"),
    ("threading.Event", "threading.Event"),
    ("threading.Barrier", "threading.Barrier"),
    ("threading.Thread", "threading.Thread"),
    ("queue.Queue", "queue.Queue"),
    ("queue.LifoQueue", "queue.Queue"),
    ("queue.PriorityQueue", "queue.Queue"),
    ("queue.SimpleQueue", "queue.Queue"),
    ("multiprocessing.Process", "multiprocessing.Process"),
    ("concurrent.futures.Future", "concurrent.futures.Future"),
    (
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ThreadPoolExecutor",
    ),
    (
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
    ),
    (
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.ThreadPoolExecutor",
    ),
    ("subprocess.Popen", "subprocess.Popen"),
    ("psycopg.Connection", "psycopg.Connection"),
    ("pymongo.MongoClient", "pymongo.MongoClient"),
    ("pymongo.mongo_client.MongoClient", "pymongo.MongoClient"),
    ("redis.Redis", "redis.Redis"),
    ("redis.StrictRedis", "redis.Redis"),
    ("redis.client.Redis", "redis.Redis"),
    ("redis.client.StrictRedis", "redis.Redis"),
    ("sqlalchemy.orm.Session", "sqlalchemy.orm.Session"),
    ("sqlalchemy.orm.session.Session", "sqlalchemy.orm.Session"),
    ("sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.sessionmaker"),
    (
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoped_session",
    ),
    ("sqlalchemy.engine.Engine", "sqlalchemy.engine.Engine"),
    ("sqlalchemy.Engine", "sqlalchemy.engine.Engine"),
    (
        "sqlalchemy.engine.Connection",
        "sqlalchemy.engine.Connection",
    ),
    ("sqlalchemy.Connection", "sqlalchemy.engine.Connection"),
    ("boto3.session.Session", "boto3.session.Session"),
    ("boto3.Session", "boto3.session.Session"),
    ("elasticsearch.Elasticsearch", "elasticsearch.Elasticsearch"),
    (
        "passlib.context.CryptContext",
        "passlib.context.CryptContext",
    ),
    ("argon2.PasswordHasher", "argon2.PasswordHasher"),
    (
        "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC",
        "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC",
    ),
    (
        "cryptography.hazmat.primitives.kdf.scrypt.Scrypt",
        "cryptography.hazmat.primitives.kdf.scrypt.Scrypt",
    ),
    (
        "cryptography.hazmat.primitives.kdf.hkdf.HKDF",
        "cryptography.hazmat.primitives.kdf.hkdf.HKDF",
    ),
    (
        "cryptography.hazmat.primitives.kdf.argon2.Argon2id",
        "cryptography.hazmat.primitives.kdf.argon2.Argon2id",
    ),
    ("asyncio.AbstractEventLoop", "asyncio.AbstractEventLoop"),
    ("asyncio.BaseEventLoop", "asyncio.AbstractEventLoop"),
    ("asyncio.Task", "asyncio.Task"),
    ("asyncio.Future", "asyncio.Future"),
    ("asyncio.TaskGroup", "asyncio.TaskGroup"),
    ("asyncio.Queue", "asyncio.Queue"),
    ("asyncio.Lock", "asyncio.Lock"),
    ("asyncio.Event", "asyncio.Event"),
    ("asyncio.Semaphore", "asyncio.Semaphore"),
    ("asyncio.Condition", "asyncio.Condition"),
    // Async network clients and locks (LW501, LW601).
    ("asyncio.BoundedSemaphore", "asyncio.BoundedSemaphore"),
    ("asyncio.StreamReader", "asyncio.StreamReader"),
    ("asyncio.streams.StreamReader", "asyncio.StreamReader"),
    ("asyncio.StreamWriter", "asyncio.StreamWriter"),
    ("asyncio.streams.StreamWriter", "asyncio.StreamWriter"),
    ("aiohttp.ClientSession", "aiohttp.ClientSession"),
    ("aiohttp.client.ClientSession", "aiohttp.ClientSession"),
    ("httpx.AsyncClient", "httpx.AsyncClient"),
    ("httpx._client.AsyncClient", "httpx.AsyncClient"),
    ("websockets.ClientConnection", "websockets.ClientConnection"),
    (
        "websockets.asyncio.client.ClientConnection",
        "websockets.ClientConnection",
    ),
    ("websockets.ServerConnection", "websockets.ServerConnection"),
    (
        "websockets.asyncio.server.ServerConnection",
        "websockets.ServerConnection",
    ),
    (
        "websockets.WebSocketClientProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.WebSocketServerProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.client.WebSocketClientProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.server.WebSocketServerProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.legacy.client.WebSocketClientProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.legacy.server.WebSocketServerProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    (
        "websockets.legacy.protocol.WebSocketCommonProtocol",
        "websockets.legacy.protocol.WebSocketCommonProtocol",
    ),
    ("anyio.Lock", "anyio.Lock"),
    ("anyio.Semaphore", "anyio.Semaphore"),
    ("anyio.Condition", "anyio.Condition"),
    // ASGI applications and routers (LW203).
    ("fastapi.FastAPI", "fastapi.FastAPI"),
    ("fastapi.applications.FastAPI", "fastapi.FastAPI"),
    ("fastapi.APIRouter", "fastapi.APIRouter"),
    ("fastapi.routing.APIRouter", "fastapi.APIRouter"),
    (
        "starlette.applications.Starlette",
        "starlette.applications.Starlette",
    ),
    ("starlette.routing.Router", "starlette.routing.Router"),
];

/// Attributes with a known type (`Path(...).parent` is a `Path`).
pub const ATTRIBUTE_TYPES: &[(&str, &str)] = &[
    ("pathlib.Path.parent", "pathlib.Path"),
    (
        "boto3.resources.base.ServiceResource.meta",
        "boto3.resources.base.ResourceMeta",
    ),
    (
        "boto3.resources.base.ResourceMeta.client",
        "botocore.client.BaseClient",
    ),
];

/// Types whose every other attribute and item is of another known type: `client.db` and
/// `client["db"]` of a `MongoClient` are `Database`s, whose attributes are `Collection`s.
pub const ITEM_TYPES: &[(&str, &str)] = &[
    ("pymongo.MongoClient", "pymongo.database.Database"),
    ("pymongo.database.Database", "pymongo.collection.Collection"),
];

/// The type `/` produces when its left operand is of the given type.
pub const DIVISION_TYPES: &[(&str, &str)] = &[("pathlib.Path", "pathlib.Path")];

/// Types that are file objects (for `json.load(f)`).
pub const FILE_TYPES: &[&str] = &["io.TextIOWrapper"];

struct Tables {
    blocking: HashMap<&'static str, BlockingApi>,
    wildcard_exceptions: rustc_hash::FxHashSet<&'static str>,
    returns: HashMap<&'static str, &'static str>,
    classes: HashMap<&'static str, &'static str>,
    /// Owner type → attribute → type.
    attributes: HashMap<&'static str, HashMap<&'static str, &'static str>>,
    items: HashMap<&'static str, &'static str>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    blocking: BLOCKING_CALLS.iter().copied().collect(),
    wildcard_exceptions: WILDCARD_EXCEPTIONS.iter().copied().collect(),
    returns: RETURN_TYPES.iter().copied().collect(),
    classes: CLASSES.iter().copied().collect(),
    attributes: ATTRIBUTE_TYPES.iter().fold(
        HashMap::default(),
        |mut by_owner, (path, type_name)| {
            if let Some((owner, attribute)) = path.rsplit_once('.') {
                by_owner
                    .entry(owner)
                    .or_insert_with(HashMap::default)
                    .insert(attribute, *type_name);
            }
            by_owner
        },
    ),
    items: ITEM_TYPES.iter().copied().collect(),
});

/// The blocking API a call to `path` is, if any: an exact entry, else the `Type.*` wildcard
/// of the type it is a method of.
pub fn blocking_api(path: &str) -> Option<&'static BlockingApi> {
    let tables = &*TABLES;
    if let Some(api) = tables.blocking.get(path) {
        return Some(api);
    }
    let (owner, method) = path.rsplit_once('.')?;
    if method.starts_with('_') || tables.wildcard_exceptions.contains(path) {
        return None;
    }
    let mut wildcard = String::with_capacity(owner.len() + 2);
    wildcard.push_str(owner);
    wildcard.push_str(".*");
    if let Some(api) = tables.blocking.get(wildcard.as_str()) {
        return Some(api);
    }
    let (family, _member) = owner.rsplit_once('.')?;
    FAMILY_METHODS
        .iter()
        .find(|(known, methods, _)| *known == family && methods.contains(&method))
        .map(|(_, _, api)| api)
}

/// The type of the value that calling `path` returns.
pub fn return_type(path: &str) -> Option<&'static str> {
    let tables = &*TABLES;
    tables
        .returns
        .get(path)
        .or_else(|| tables.classes.get(path))
        .copied()
}

/// The canonical name of a known class.
pub fn canonical_class(path: &str) -> Option<&'static str> {
    TABLES.classes.get(path).copied()
}

pub fn attribute_type(owner_type: &str, attribute: &str) -> Option<&'static str> {
    let tables = &*TABLES;
    // Looked up by owner, then attribute: no key string to build on this hot path.
    if let Some(found) = tables
        .attributes
        .get(owner_type)
        .and_then(|attributes| attributes.get(attribute))
    {
        return Some(found);
    }
    item_type(owner_type)
}

/// The type of `value[...]` (and of unlisted attributes, for types in [`ITEM_TYPES`]).
pub fn item_type(owner_type: &str) -> Option<&'static str> {
    TABLES.items.get(owner_type).copied()
}

pub fn division_type(left_type: &str) -> Option<&'static str> {
    DIVISION_TYPES
        .iter()
        .find(|(left, _)| *left == left_type)
        .map(|(_, result)| *result)
}

pub fn is_file_type(type_name: &str) -> bool {
    FILE_TYPES.contains(&type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_methods_but_not_their_exceptions() {
        assert!(blocking_api("sqlite3.Connection.execute").is_some());
        assert!(blocking_api("sqlite3.Connection.cursor").is_none());
        assert!(blocking_api("redis.Redis.get").is_some());
        assert!(blocking_api("redis.Redis.pipeline").is_none());
        assert!(blocking_api("redis.Redis.__enter__").is_none());
        assert_eq!(
            blocking_api("bcrypt.hashpw").map(|api| api.category),
            Some(Blocking::Cpu)
        );
    }

    #[test]
    fn every_table_key_is_unique() {
        fn assert_unique(keys: impl Iterator<Item = &'static str>) {
            let mut seen = std::collections::HashSet::new();
            for key in keys {
                assert!(seen.insert(key), "{key} is listed twice");
            }
        }
        assert_unique(BLOCKING_CALLS.iter().map(|(key, _)| *key));
        assert_unique(RETURN_TYPES.iter().map(|(key, _)| *key));
        assert_unique(CLASSES.iter().map(|(key, _)| *key));
        assert_unique(WILDCARD_EXCEPTIONS.iter().copied());
    }
}

// ---------------------------------------------------------------------------------------
// Whole-project tables (LW103, LW104, LW202, LW302, LW303).

/// Calls that run an event loop on the current thread: they raise inside a running loop.
pub const LOOP_RUN_CALLS: &[&str] = &[
    "asyncio.run",
    "asyncio.runners.run",
    "asyncio.AbstractEventLoop.run_until_complete",
    "asyncio.AbstractEventLoop.run_forever",
    "asyncio.Runner.run",
];

/// asyncio APIs that must run on the loop's own thread (they are not thread-safe, or raise
/// when no loop runs in the thread).
pub const LOOP_AFFINE_CALLS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.get_running_loop",
    "asyncio.events.get_running_loop",
    "asyncio.AbstractEventLoop.create_task",
    "asyncio.AbstractEventLoop.call_soon",
    "asyncio.AbstractEventLoop.call_later",
    "asyncio.AbstractEventLoop.call_at",
    "asyncio.Future.set_result",
    "asyncio.Future.set_exception",
    "asyncio.Queue.put_nowait",
    "asyncio.Queue.get_nowait",
    "asyncio.Event.set",
];

/// Calls that run a function on another thread: the path, and where the function is passed
/// (keyword name, positional index).
pub const THREAD_HANDOFFS: &[(&str, &str, usize)] = &[
    ("asyncio.AbstractEventLoop.run_in_executor", "func", 1),
    ("asyncio.to_thread", "func", 0),
    ("asyncio.threads.to_thread", "func", 0),
    ("anyio.to_thread.run_sync", "func", 0),
    ("starlette.concurrency.run_in_threadpool", "func", 0),
    ("fastapi.concurrency.run_in_threadpool", "func", 0),
    ("concurrent.futures.ThreadPoolExecutor.submit", "fn", 0),
    ("concurrent.futures.ThreadPoolExecutor.map", "fn", 0),
    ("concurrent.futures.Executor.submit", "fn", 0),
    ("concurrent.futures.Executor.map", "fn", 0),
    ("threading.Thread", "target", 1),
    ("threading.Timer", "function", 1),
];

/// Wrappers that call the function they are given later: `functools.partial(f, ...)`.
pub const CALLABLE_WRAPPERS: &[&str] = &["functools.partial"];

/// Known coroutine functions and methods outside the project (LW302, LW303).
pub const COROUTINE_APIS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.to_thread",
    "asyncio.Queue.put",
    "asyncio.Queue.get",
    "asyncio.Queue.join",
    "asyncio.Lock.acquire",
    "asyncio.Semaphore.acquire",
    "asyncio.Condition.wait",
    "asyncio.Event.wait",
    "asyncio.StreamWriter.drain",
    "asyncio.StreamWriter.wait_closed",
    "asyncio.StreamReader.read",
    "asyncio.StreamReader.readline",
    "asyncio.StreamReader.readexactly",
    "asyncio.AbstractEventLoop.run_in_executor",
    "asyncio.AbstractEventLoop.sock_connect",
    "asyncio.AbstractEventLoop.sock_recv",
    "asyncio.AbstractEventLoop.sock_sendall",
    "aiohttp.ClientSession.get",
    "aiohttp.ClientSession.post",
    "aiohttp.ClientSession.put",
    "aiohttp.ClientSession.patch",
    "aiohttp.ClientSession.delete",
    "aiohttp.ClientSession.head",
    "aiohttp.ClientSession.options",
    "aiohttp.ClientSession.request",
    "aiohttp.ClientSession.close",
    "httpx.AsyncClient.get",
    "httpx.AsyncClient.post",
    "httpx.AsyncClient.put",
    "httpx.AsyncClient.patch",
    "httpx.AsyncClient.delete",
    "httpx.AsyncClient.head",
    "httpx.AsyncClient.options",
    "httpx.AsyncClient.request",
    "httpx.AsyncClient.send",
    "httpx.AsyncClient.aclose",
];

/// The sync hooks LiteLLM calls from inside its running loop, and the base class they
/// belong to (LW202 (c)).
pub const LITELLM_SYNC_HOOKS: &[&str] = &[
    "log_success_event",
    "log_failure_event",
    "log_pre_api_call",
    "log_post_api_call",
];
pub const LITELLM_CUSTOM_LOGGER: &[&str] = &[
    "litellm.integrations.custom_logger.CustomLogger",
    "litellm.CustomLogger",
];

pub fn is_loop_run(path: &str) -> bool {
    LOOP_RUN_CALLS.contains(&path)
}

pub fn is_loop_affine(path: &str) -> bool {
    LOOP_AFFINE_CALLS.contains(&path)
}

pub fn thread_handoff(path: &str) -> Option<(&'static str, usize)> {
    THREAD_HANDOFFS
        .iter()
        .find(|(handoff, _, _)| *handoff == path)
        .map(|(_, keyword, position)| (*keyword, *position))
}

pub fn is_coroutine_api(path: &str) -> bool {
    static SET: LazyLock<std::collections::HashSet<&'static str>> =
        LazyLock::new(|| COROUTINE_APIS.iter().copied().collect());
    SET.contains(path)
}

// ---------------------------------------------------------------------------------------
// Loops, tasks, gather and cancellation (LW201, LW203, LW301, LW401, LW402, LW403).

/// `asyncio.get_event_loop` under the paths it can be imported from (LW201).
pub const GET_EVENT_LOOP_CALLS: &[&str] =
    &["asyncio.get_event_loop", "asyncio.events.get_event_loop"];

/// Setting the thread's current loop: `get_event_loop()` after it returns that loop on every
/// version (LW201).
pub const SET_EVENT_LOOP_CALLS: &[&str] =
    &["asyncio.set_event_loop", "asyncio.events.set_event_loop"];

/// Calls that schedule a new task and return the only strong reference to it (LW301).
/// `asyncio.TaskGroup.create_task` is deliberately absent: the group holds its tasks.
pub const TASK_CREATING_CALLS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.tasks.create_task",
    "asyncio.ensure_future",
    "asyncio.tasks.ensure_future",
    "asyncio.AbstractEventLoop.create_task",
];

/// Calls that return their argument unchanged when it already is a future (LW301).
pub const FUTURE_PASSTHROUGH_CALLS: &[&str] =
    &["asyncio.ensure_future", "asyncio.tasks.ensure_future"];

/// Types of values that already are futures: `ensure_future` returns them as they are.
pub const FUTURE_TYPES: &[&str] = &["asyncio.Task", "asyncio.Future"];

/// `asyncio.gather` under the paths it can be imported from (LW401, LW402).
pub const GATHER_CALLS: &[&str] = &["asyncio.gather", "asyncio.tasks.gather"];

/// What LW401 asks about the awaitables of a fail-fast `gather` and the code around it.
///
/// Awaited method calls that write a store or change something over HTTP: the store writes of
/// LW601 and these HTTP verbs. A name matches with `catalog::method_has_verb`, after an `async_`
/// prefix (`async_set_value`), except the verbs of `EXACT_WRITE_VERBS`; `execute` counts only
/// with INSERT/UPDATE/DELETE SQL. `post` is left out: it is as often a query (a search, an
/// analysis, a model call) as a write.
pub const HTTP_WRITE_METHODS: &[&str] = &["put", "patch", "delete"];
/// Write verbs that count only as the whole method name: `create_task`, `create_client`,
/// `add_executor_job`, `add_listener` are no writes, and a bare `update()` with no argument is
/// a refresh (Home Assistant's `async_update()`).
pub const EXACT_WRITE_VERBS: &[&str] = &["create", "add", "update"];
/// Awaited calls that only read or wait: the store reads of LW601 (`execute` aside), these HTTP
/// verbs, and waits (`event.wait()`).
pub const HTTP_READ_METHODS: &[&str] = &["get", "head", "options", "wait"];
/// Methods that run a function on a worker thread, by name, with the function's position:
/// Home Assistant's `hass.async_add_executor_job(func, *args)`, `loop.run_in_executor(None,
/// func)` on a loop of unknown type (`THREAD_HANDOFFS` has the resolved paths).
pub const EXECUTOR_JOB_METHODS: &[(&str, usize)] = &[
    ("async_add_executor_job", 0),
    ("async_add_import_executor_job", 0),
    ("run_in_executor", 1),
];
/// Calls (by their last name) that only log: a coroutine whose statements outside its
/// catch-all `try` are such calls still cannot fail.
pub const LOGGING_CALLS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "print",
    "print_verbose",
];
/// Exception classes an `except` clause catches everything with (but cancellation, for
/// `Exception`).
pub const CATCH_ALL_CLASSES: &[&str] = &["builtins.Exception", "builtins.BaseException"];
/// Exception classes only a cancellation or the interpreter's exit raises: a handler for them
/// is not about a failed awaitable.
pub const EXIT_EXCEPTION_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
    "builtins.KeyboardInterrupt",
    "builtins.SystemExit",
    "builtins.GeneratorExit",
];
/// The error a deadline raises; the deadline cancels the gather, and so its children.
pub const TIMEOUT_ERROR_CLASSES: &[&str] = &[
    "builtins.TimeoutError",
    "asyncio.TimeoutError",
    "asyncio.exceptions.TimeoutError",
    "concurrent.futures.TimeoutError",
];
/// Context managers that swallow the exceptions they are given, like a handler that carries on.
pub const SUPPRESS_CALLS: &[&str] = &["contextlib.suppress"];
/// Methods that close or release what they are called on (`await session.close()`).
pub const CLOSING_METHODS: &[&str] = &[
    "close",
    "aclose",
    "release",
    "disconnect",
    "shutdown",
    "stop",
    "cleanup",
    "terminate",
    "dispose",
];
/// Calls that remove the path they are given (`shutil.rmtree(tmp_dir)`).
pub const PATH_REMOVING_CALLS: &[&str] = &["shutil.rmtree", "os.remove", "os.unlink", "os.rmdir"];
/// Words naming something a `with` closes or releases on exit (`async with pool.acquire() as
/// conn`, `async with aiohttp.ClientSession() as session`, `async with self._lock`). Words of
/// up to four letters must start a `_`- or `.`-separated segment (`db_conn`, not `condition`).
pub const CLOSABLE_RESOURCE_WORDS: &[&str] = &[
    "session",
    "client",
    "conn",
    "connection",
    "pool",
    "cursor",
    "channel",
    "transport",
    "socket",
    "sock",
    "websocket",
    "ws",
    "browser",
    "driver",
    "engine",
    "lock",
    "semaphore",
    "mutex",
    "file",
    "tmp",
    "temp",
    "db",
    "database",
    "transaction",
    "stream",
];
/// Exit stacks: what the body enters into them is closed when the `with` ends.
pub const EXIT_STACKS: &[&str] = &["contextlib.ExitStack", "contextlib.AsyncExitStack"];
/// Context managers whose value is closed on exit, by path.
pub const RESOURCE_OPENERS: &[&str] = &[
    "builtins.open",
    "aiofiles.open",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "aiohttp.ClientSession",
    "aiohttp.client.ClientSession",
    "httpx.AsyncClient",
    "httpx._client.AsyncClient",
];

/// Calls returning every task of the running loop: a gather over them drains tasks created
/// elsewhere (LW402).
pub const ALL_TASKS_CALLS: &[&str] = &["asyncio.all_tasks", "asyncio.tasks.all_tasks"];

/// Calls and methods that copy or view a collection without changing which tasks it holds:
/// `*list(self._tasks)`, `*self._tasks.values()` (LW402 shutdown drain).
pub const COLLECTION_COPY_CALLS: &[&str] = &[
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.sorted",
];
pub const COLLECTION_COPY_METHODS: &[&str] = &["values", "copy"];

/// Builtins that iterate or wrap a collection, yielding its items unchanged: their result
/// still holds the gather results (LW402).
pub const ITERATION_HELPERS: &[&str] = &[
    "builtins.enumerate",
    "builtins.zip",
    "builtins.list",
    "builtins.tuple",
    "builtins.iter",
    "builtins.reversed",
    "builtins.sorted",
];

/// Builtins that look at a value without handing it on: passing gather results to them is not
/// handing them on (LW402). `isinstance`/`issubclass` count as a check only with an exception
/// class.
pub const NON_INSPECTING_CALLS: &[&str] = &[
    "builtins.len",
    "builtins.bool",
    "builtins.any",
    "builtins.all",
    "builtins.isinstance",
    "builtins.issubclass",
    "builtins.type",
];

/// Exception classes an `isinstance` test of gather results is checking for (LW402). Any
/// class whose name ends in `Error` or `Exception` counts too.
pub const EXCEPTION_BASE_CLASSES: &[&str] = &[
    "builtins.BaseException",
    "builtins.Exception",
    "builtins.BaseExceptionGroup",
    "builtins.ExceptionGroup",
    "builtins.KeyboardInterrupt",
    "builtins.SystemExit",
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
];

/// The cancellation exception itself: `raise asyncio.CancelledError` propagates a
/// cancellation (LW403).
pub const CANCELLED_ERROR_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
];

/// Exception classes whose `except` clause catches asyncio's `CancelledError` (a
/// `BaseException` since Python 3.8) (LW403).
pub const CANCELLATION_CATCHING_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
    "builtins.BaseException",
];

/// Exception classes that do not include `CancelledError`: `if not isinstance(exc, Exception):
/// raise` re-raises cancellations (LW403).
pub const NON_CANCELLATION_BASES: &[&str] = &["builtins.Exception"];

/// Calls that return the cancellation exception class: `except anyio.get_cancelled_exc_class():`.
pub const CANCELLATION_CLASS_CALLS: &[&str] = &["anyio.get_cancelled_exc_class"];

/// Methods that cancel a task or future (`task.cancel()`), and that acknowledge a
/// deliberately suppressed cancellation (`asyncio.current_task().uncancel()`, 3.11+) (LW403).
pub const TASK_CANCEL_METHODS: &[&str] = &["cancel"];
pub const UNCANCEL_METHODS: &[&str] = &["uncancel"];

/// ASGI application and router classes whose startup/shutdown event API is deprecated in
/// favour of `lifespan` (LW203), as canonical class paths.
pub const LIFESPAN_APP_CLASSES: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.APIRouter",
    "starlette.applications.Starlette",
    "starlette.routing.Router",
];

/// The deprecated constructor keywords of those classes (LW203).
pub const DEPRECATED_LIFESPAN_KEYWORDS: &[&str] = &["on_startup", "on_shutdown"];

/// The deprecated methods of those classes that register a startup/shutdown handler; the
/// event name is their first argument, `event_type` (LW203).
pub const DEPRECATED_EVENT_METHODS: &[&str] = &["on_event", "add_event_handler"];

/// The lifespan events those methods accept (LW203).
pub const LIFESPAN_EVENTS: &[&str] = &["startup", "shutdown"];

// ---------------------------------------------------------------------------------------
// Deadlines, races and background tasks (LW501, LW502, LW601, LW304).

/// What bounds an awaited network operation when no deadline encloses it (LW501).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkDefault {
    /// Raw asyncio streams and event-loop socket calls: no timeout at all.
    Streams,
    /// `recv()` on a `websockets` connection: waits for the next message forever.
    WebsocketRecv,
    /// `websockets.connect()`: a 10 s `open_timeout` unless it is set to `None`.
    WebsocketConnect,
    /// An `aiohttp` request: only a `timeout=` on the call or on its `ClientSession` bounds it
    /// (the session default is 300 s total and nothing per read).
    Aiohttp,
    /// An `httpx.AsyncClient` request: 5 s by default, unbounded only with `timeout=None` on
    /// the call or on the client.
    Httpx,
}

/// Awaited network operations, by qualified path (LW501).
pub const NETWORK_AWAITS: &[(&str, NetworkDefault)] = &[
    ("asyncio.open_connection", NetworkDefault::Streams),
    ("asyncio.open_unix_connection", NetworkDefault::Streams),
    ("asyncio.streams.open_connection", NetworkDefault::Streams),
    (
        "asyncio.streams.open_unix_connection",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.create_connection",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.create_unix_connection",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.sock_connect",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.sock_recv",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.sock_recv_into",
        NetworkDefault::Streams,
    ),
    (
        "asyncio.AbstractEventLoop.sock_accept",
        NetworkDefault::Streams,
    ),
    (
        "websockets.ClientConnection.recv",
        NetworkDefault::WebsocketRecv,
    ),
    (
        "websockets.ServerConnection.recv",
        NetworkDefault::WebsocketRecv,
    ),
    (
        "websockets.legacy.protocol.WebSocketCommonProtocol.recv",
        NetworkDefault::WebsocketRecv,
    ),
    ("websockets.connect", NetworkDefault::WebsocketConnect),
    (
        "websockets.asyncio.client.connect",
        NetworkDefault::WebsocketConnect,
    ),
    (
        "websockets.client.connect",
        NetworkDefault::WebsocketConnect,
    ),
    (
        "websockets.legacy.client.connect",
        NetworkDefault::WebsocketConnect,
    ),
    ("aiohttp.request", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.request", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.get", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.post", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.put", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.patch", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.delete", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.head", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.options", NetworkDefault::Aiohttp),
    ("aiohttp.ClientSession.ws_connect", NetworkDefault::Aiohttp),
    ("httpx.AsyncClient.request", NetworkDefault::Httpx),
    ("httpx.AsyncClient.get", NetworkDefault::Httpx),
    ("httpx.AsyncClient.post", NetworkDefault::Httpx),
    ("httpx.AsyncClient.put", NetworkDefault::Httpx),
    ("httpx.AsyncClient.patch", NetworkDefault::Httpx),
    ("httpx.AsyncClient.delete", NetworkDefault::Httpx),
    ("httpx.AsyncClient.head", NetworkDefault::Httpx),
    ("httpx.AsyncClient.options", NetworkDefault::Httpx),
    ("httpx.AsyncClient.send", NetworkDefault::Httpx),
    ("httpx.AsyncClient.stream", NetworkDefault::Httpx),
];

/// `asyncio.open_connection` and friends return `(reader, writer)`: reads on the first element
/// are stream reads (LW501 follows the unpacking itself). A `StreamReader` known only by its
/// type is not followed: it is as often a subprocess pipe as a socket.
pub const STREAM_OPENERS: &[&str] = &[
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.streams.open_connection",
    "asyncio.streams.open_unix_connection",
];

/// `StreamReader` methods that wait for the peer (LW501).
pub const STREAM_READ_METHODS: &[&str] = &["read", "readline", "readexactly", "readuntil"];

/// Network operations that wait for the *next* message or connection: in a loop they are a
/// pump (a server's accept loop, a relay), which waits by design (LW501).
pub const NETWORK_WAIT_FOR_NEXT: &[&str] = &[
    "read",
    "readline",
    "readexactly",
    "readuntil",
    "recv",
    "sock_recv",
    "sock_recv_into",
    "sock_accept",
];

/// Loop methods that do no network I/O when handed an already-connected `sock=` (LW501).
pub const SOCKET_WRAPPING_CONNECTS: &[&str] = &[
    "asyncio.AbstractEventLoop.create_connection",
    "asyncio.AbstractEventLoop.create_unix_connection",
];

/// Calls whose awaited result is a `websockets` connection (LW501).
pub const WEBSOCKET_CONNECTS: &[&str] = &[
    "websockets.connect",
    "websockets.asyncio.client.connect",
    "websockets.client.connect",
    "websockets.legacy.client.connect",
];

/// Client constructors whose `timeout=` bounds the requests made through them (LW501).
pub const AIOHTTP_SESSIONS: &[&str] = &["aiohttp.ClientSession", "aiohttp.client.ClientSession"];
pub const HTTPX_ASYNC_CLIENTS: &[&str] = &["httpx.AsyncClient", "httpx._client.AsyncClient"];

/// Timeout objects: a call with no finite field (`ClientTimeout()`, `httpx.Timeout(None)`) is no deadline.
pub const TIMEOUT_OBJECTS: &[&str] = &[
    "aiohttp.ClientTimeout",
    "aiohttp.client.ClientTimeout",
    "aiohttp.timeout.ClientTimeout",
    "httpx.Timeout",
    "httpx._config.Timeout",
];

/// Context managers that put a deadline on everything awaited inside them (LW501).
pub const TIMEOUT_SCOPES: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "async_timeout.timeout",
    "async_timeout.timeout_at",
    "anyio.fail_after",
    "anyio.move_on_after",
    "trio.fail_after",
    "trio.move_on_after",
    "trio.fail_at",
    "trio.move_on_at",
];

/// `asyncio.wait_for` under the paths it can be imported from (LW501, LW502).
pub const WAIT_FOR_CALLS: &[&str] = &["asyncio.wait_for", "asyncio.tasks.wait_for"];

/// Lock types: code inside `async with` one of these cannot interleave with itself (LW601).
pub const LOCK_TYPES: &[&str] = &[
    "asyncio.Lock",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.Condition",
    "anyio.Lock",
    "anyio.Semaphore",
    "anyio.Condition",
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
];

/// Methods whose `async with x.method()` opens a database transaction (LW601).
pub const TRANSACTION_METHODS: &[&str] = &["transaction", "begin", "begin_nested", "atomic"];

/// Methods that read a store and whose result a check-then-write decides on (LW601): a name
/// matches when it is one of these or starts with one followed by `_` (`get_user`, `fetch_one`).
pub const STORE_READ_METHODS: &[&str] = &[
    "exists",
    "get",
    "find",
    "fetch",
    "fetchrow",
    "fetchval",
    "fetchone",
    "fetch_one",
    "first",
    "one_or_none",
    "scalar",
    "scalars",
    "count",
    "select",
    "query",
    "lookup",
    "load",
    "retrieve",
    "execute",
];

/// Methods that write a store (LW601); `execute` counts only with INSERT/UPDATE/DELETE SQL.
pub const STORE_WRITE_METHODS: &[&str] = &[
    "insert",
    "insert_one",
    "insert_many",
    "create",
    "add",
    "add_all",
    "save",
    "put",
    "set",
    "update",
    "update_one",
    "update_many",
    "replace_one",
    "delete",
    "delete_one",
    "delete_many",
    "remove",
    "commit",
    "execute",
    "executemany",
    "hset",
    "setex",
];

/// SQL statements that write.
pub const SQL_WRITE_KEYWORDS: &[&str] = &["INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT"];

/// SQL that cannot race a prior existence check: upserts and locking reads (LW601).
pub const SQL_RACE_SAFE_MARKERS: &[&str] = &[
    "ON CONFLICT",
    "INSERT OR IGNORE",
    "INSERT OR REPLACE",
    "REPLACE INTO",
    "ON DUPLICATE KEY",
    "MERGE ",
    "UPSERT",
    "FOR UPDATE",
    "FOR NO KEY UPDATE",
    "FOR SHARE",
    // SQLAlchemy's spellings: `insert(...).on_conflict_do_nothing()`, `.on_duplicate_key_update()`.
    "ON_CONFLICT",
    "ON_DUPLICATE",
    "WITH_FOR_UPDATE",
];

/// Methods that are upserts themselves (LW601).
pub const UPSERT_METHODS: &[&str] = &[
    "get_or_create",
    "update_or_create",
    "aget_or_create",
    "aupdate_or_create",
    "upsert",
    "insert_or_ignore",
    "find_one_and_update",
    "setnx",
    "hsetnx",
    "set_if_not_exists",
];

/// Keyword arguments that make a write conditional on the store's state (LW601):
/// `update_one(..., upsert=True)`, redis `set(k, v, nx=True)`.
pub const ATOMIC_WRITE_KEYWORDS: &[&str] = &["upsert", "nx", "xx", "on_conflict", "if_not_exists"];

/// Methods a framework never runs concurrently with themselves (LW601 shape 1 is not reported
/// in them): Home Assistant's config-flow steps (`async_step_*`), entity and coordinator
/// update hooks, and unittest's async set-up. A trailing `*` matches a prefix; dunder methods
/// (`__aenter__`, `__anext__`) are always treated so.
pub const SERIALIZED_HOOKS: &[&str] = &[
    "async_step_*",
    "async_update",
    "async_added_to_hass",
    "async_will_remove_from_hass",
    "async_internal_added_to_hass",
    "_async_update_data",
    "_async_setup",
    "asyncSetUp",
    "asyncTearDown",
    "async_setup",
    "async_setup_entry",
    "async_unload_entry",
    "async_migrate_entry",
];

/// Base classes (by their last name segment's suffix) whose instances are driven one call at a
/// time: Home Assistant's `ConfigFlow`, `OptionsFlow`, `ConfigSubentryFlow`, `FlowHandler`
/// (LW601 shape 1 is not reported in their methods).
pub const SERIALIZED_BASE_SUFFIXES: &[&str] = &["Flow", "FlowHandler"];

/// Words that mark a lazily built value as a *resource*, whose duplicate leaks or acts twice
/// (LW601 shape 1): matched inside the state's name or the producing call's name. Words of up
/// to four letters must start a `_`-separated segment (`ws`, `api_client`, not `news`).
pub const RESOURCE_WORDS: &[&str] = &[
    "client",
    "conn",
    "session",
    "pool",
    "transport",
    "socket",
    "sock",
    "channel",
    "websocket",
    "ws",
    "engine",
    "driver",
    "browser",
    "process",
    "task",
    "subscri",
    "unsub",
    "listener",
    "consumer",
    "producer",
    "api",
    "server",
    "tunnel",
    "watcher",
];

/// Words in a method name that say "run once": a flag set after awaits (`self._started = True`)
/// guards a one-time initialisation there (LW601 shape 1).
pub const INIT_ONCE_WORDS: &[&str] = &[
    "init",
    "setup",
    "set_up",
    "start",
    "connect",
    "load",
    "ensure",
    "open",
    "login",
    "prepare",
    "register",
    "subscribe",
    "bootstrap",
    "warm",
    "auth",
];

/// Words that say "tear down": a flag in such a method guards a teardown, not an initialisation.
pub const TEARDOWN_WORDS: &[&str] = &[
    "close",
    "stop",
    "shutdown",
    "eof",
    "disconnect",
    "cancel",
    "teardown",
    "finish",
    "release",
    "cleanup",
    "unload",
    "unsubscribe",
    "exit",
];

/// A read with one of these verbs followed by a write with one of `CACHE_FILL_WRITES` on the
/// same receiver is a read-through cache fill, which at worst computes a value twice (LW601).
pub const CACHE_FILL_READS: &[&str] = &["get", "fetch", "aget"];
pub const CACHE_FILL_WRITES: &[&str] = &["set", "put", "setex", "aset", "set_many"];

/// Writes that a prior existence check cannot make wrong: deleting what another request
/// deleted first only deletes nothing (LW601).
pub const IDEMPOTENT_WRITES: &[&str] = &["delete", "delete_one", "delete_many", "remove"];

/// Writes that change a row an existence check found or did not find: they cannot create a
/// duplicate, so they are not the write of a check-then-write (LW601).
pub const ROW_UPDATE_WRITES: &[&str] = &["update", "update_one", "update_many", "replace_one"];

/// Methods that edit a collection in place, keeping what it held (LW601 read-modify-write).
/// (`pop(key, default)` is a dict's key removal, not counted.)
pub const COLLECTION_EDITS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "discard", "add",
];

/// Read-modify-write pairs by verb prefix: `get_balance` / `set_balance` (LW601).
pub const RMW_READ_PREFIXES: &[&str] = &["get", "fetch", "read", "load"];
pub const RMW_WRITE_PREFIXES: &[&str] = &["set", "update", "save", "put", "write", "store"];

/// Calls that create a task the caller must keep and drain (LW304).
pub const TASK_FACTORIES: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.tasks.create_task",
    "asyncio.tasks.ensure_future",
    "asyncio.AbstractEventLoop.create_task",
];

/// ASGI application classes whose module must drain its background tasks (LW304).
pub const ASGI_APP_CLASSES: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
    "quart.Quart",
];

pub fn network_default(path: &str) -> Option<NetworkDefault> {
    NETWORK_AWAITS
        .iter()
        .find(|(api, _)| *api == path)
        .map(|(_, default)| *default)
}

pub fn is_timeout_scope(path: &str) -> bool {
    TIMEOUT_SCOPES.contains(&path)
}

pub fn is_wait_for(path: &str) -> bool {
    WAIT_FOR_CALLS.contains(&path)
}

pub fn is_lock_type(type_name: &str) -> bool {
    LOCK_TYPES.contains(&type_name)
}

/// Whether `method` is `verb` or `verb_...` for one of `verbs`.
pub fn method_has_verb(method: &str, verbs: &[&str]) -> bool {
    verbs.iter().any(|verb| {
        method == *verb
            || method
                .strip_prefix(verb)
                .is_some_and(|rest| rest.starts_with('_'))
    })
}
