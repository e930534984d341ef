//! The API tables: which calls block the loop, which values have which types, which
//! calls are asyncio's. Data, not logic: adding an API is adding a line.
//!
//! Names are *qualified paths*: `sqlite3.connect` for a module function, `sqlite3.Connection`
//! for a type, and `sqlite3.Connection.execute` for a method called on a value of that type
//! (see `semantic::Resolved`). A path ending in `.*` matches every method of a type, except
//! those listed in [`WILDCARD_EXCEPTIONS`].

use std::collections::HashMap;
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
    ("threading.Condition.wait_for", io(Some("asyncio.Condition"))),
    ("threading.Event.wait", io(Some("asyncio.Event"))),
    ("threading.Barrier.wait", io(Some("asyncio.Barrier"))),
    ("threading.Thread.join", io(Some("await asyncio.to_thread(thread.join)"))),
    ("queue.Queue.get", flagged("block", 0)),
    ("queue.Queue.put", flagged("block", 1)),
    ("queue.Queue.join", io(Some("asyncio.Queue"))),
    ("multiprocessing.Queue.get", flagged("block", 0)),
    ("multiprocessing.Queue.put", flagged("block", 1)),
    ("multiprocessing.Process.join", io(None)),
    ("concurrent.futures.Future.result", io(Some("await asyncio.wrap_future(future)"))),
    ("concurrent.futures.Future.exception", io(Some("await asyncio.wrap_future(future)"))),
    ("concurrent.futures.wait", io(Some("asyncio.wait"))),
    ("concurrent.futures.ThreadPoolExecutor.shutdown", flagged("wait", 0)),
    ("concurrent.futures.ProcessPoolExecutor.shutdown", flagged("wait", 0)),
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
    ("socket.create_connection", io(Some("asyncio.open_connection"))),
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
    ("psycopg2.connect", io(Some("asyncpg or psycopg.AsyncConnection"))),
    ("psycopg2.extensions.connection.*", io(Some("asyncpg or psycopg.AsyncConnection"))),
    ("psycopg2.extensions.cursor.*", io(Some("asyncpg or psycopg.AsyncConnection"))),
    ("psycopg.connect", io(Some("psycopg.AsyncConnection.connect"))),
    ("psycopg.Connection.connect", io(Some("psycopg.AsyncConnection.connect"))),
    ("psycopg.Connection.*", io(Some("psycopg.AsyncConnection"))),
    ("psycopg.Cursor.*", io(Some("psycopg.AsyncConnection"))),
    ("pymysql.connect", io(Some("aiomysql"))),
    ("pymysql.connections.Connection.*", io(Some("aiomysql"))),
    ("pymysql.cursors.Cursor.*", io(Some("aiomysql"))),
    ("MySQLdb.connect", io(Some("aiomysql"))),
    ("pymongo.MongoClient.*", io(Some("motor or pymongo.AsyncMongoClient"))),
    ("pymongo.database.Database.*", io(Some("motor or pymongo.AsyncMongoClient"))),
    ("pymongo.collection.Collection.*", io(Some("motor or pymongo.AsyncMongoClient"))),
    ("redis.Redis.*", io(Some("redis.asyncio"))),
    ("redis.client.Pipeline.execute", io(Some("redis.asyncio"))),
    ("sqlalchemy.engine.Engine.connect", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Engine.begin", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Engine.execute", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Connection.execute", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Connection.commit", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Connection.scalar", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.engine.Connection.scalars", io(Some("sqlalchemy.ext.asyncio"))),
    ("sqlalchemy.orm.Session.execute", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.commit", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.query", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.get", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.flush", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.refresh", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.scalar", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.scalars", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("sqlalchemy.orm.Session.rollback", io(Some("sqlalchemy.ext.asyncio.AsyncSession"))),
    ("botocore.client.BaseClient.*", io(Some("aioboto3 / aiobotocore"))),
    ("boto3.resources.base.ServiceResource.*", io(Some("aioboto3"))),
    ("elasticsearch.Elasticsearch.*", io(Some("elasticsearch.AsyncElasticsearch"))),
    // CPU-heavy: LW102.
    ("bcrypt.hashpw", CPU),
    ("bcrypt.checkpw", CPU),
    ("bcrypt.kdf", CPU),
    ("passlib.context.CryptContext.hash", CPU),
    ("passlib.context.CryptContext.verify", CPU),
    ("passlib.context.CryptContext.verify_and_update", CPU),
    ("passlib.hash.*", CPU),
    ("argon2.PasswordHasher.hash", CPU),
    ("argon2.PasswordHasher.verify", CPU),
    ("hashlib.pbkdf2_hmac", CPU),
    ("hashlib.scrypt", CPU),
    ("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.derive", CPU),
    ("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.verify", CPU),
    ("cryptography.hazmat.primitives.kdf.scrypt.Scrypt.derive", CPU),
    ("cryptography.hazmat.primitives.kdf.scrypt.Scrypt.verify", CPU),
    ("cryptography.hazmat.primitives.kdf.hkdf.HKDF.derive", CPU),
    ("cryptography.hazmat.primitives.kdf.argon2.Argon2id.derive", CPU),
    ("cryptography.hazmat.primitives.kdf.argon2.Argon2id.verify", CPU),
];

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
    ("psycopg2.extensions.connection.cursor", "psycopg2.extensions.cursor"),
    ("psycopg.connect", "psycopg.Connection"),
    ("psycopg.Connection.connect", "psycopg.Connection"),
    ("psycopg.Connection.cursor", "psycopg.Cursor"),
    ("pymysql.connect", "pymysql.connections.Connection"),
    ("pymysql.connections.Connection.cursor", "pymysql.cursors.Cursor"),
    ("pymongo.MongoClient.get_database", "pymongo.database.Database"),
    ("pymongo.MongoClient.get_default_database", "pymongo.database.Database"),
    ("pymongo.database.Database.get_collection", "pymongo.collection.Collection"),
    ("sqlalchemy.create_engine", "sqlalchemy.engine.Engine"),
    ("sqlalchemy.engine.create_engine", "sqlalchemy.engine.Engine"),
    ("sqlalchemy.engine.Engine.connect", "sqlalchemy.engine.Connection"),
    ("sqlalchemy.engine.Engine.begin", "sqlalchemy.engine.Connection"),
    ("sqlalchemy.orm.sessionmaker.__call__", "sqlalchemy.orm.Session"),
    ("sqlalchemy.orm.scoped_session.__call__", "sqlalchemy.orm.Session"),
    ("boto3.client", "botocore.client.BaseClient"),
    ("boto3.session.Session.client", "botocore.client.BaseClient"),
    ("boto3.resource", "boto3.resources.base.ServiceResource"),
    ("boto3.session.Session.resource", "boto3.resources.base.ServiceResource"),
    ("boto3.resources.base.ServiceResource.Table", "boto3.resources.base.ServiceResource"),
    ("boto3.resources.base.ServiceResource.Bucket", "boto3.resources.base.ServiceResource"),
    ("boto3.resources.base.ServiceResource.Object", "boto3.resources.base.ServiceResource"),
    ("boto3.resources.base.ServiceResource.Queue", "boto3.resources.base.ServiceResource"),
    ("concurrent.futures.ThreadPoolExecutor.submit", "concurrent.futures.Future"),
    ("concurrent.futures.ProcessPoolExecutor.submit", "concurrent.futures.Future"),
    ("concurrent.futures.Executor.submit", "concurrent.futures.Future"),
    ("asyncio.run_coroutine_threadsafe", "concurrent.futures.Future"),
    ("subprocess.Popen", "subprocess.Popen"),
    ("multiprocessing.Queue", "multiprocessing.Queue"),
    ("asyncio.get_event_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.get_running_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.new_event_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.events.get_event_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.events.get_running_loop", "asyncio.AbstractEventLoop"),
    ("asyncio.AbstractEventLoop.create_task", "asyncio.Task"),
    ("asyncio.create_task", "asyncio.Task"),
    ("asyncio.ensure_future", "asyncio.Task"),
    ("asyncio.TaskGroup.create_task", "asyncio.Task"),
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
    ("concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ThreadPoolExecutor"),
    ("concurrent.futures.ProcessPoolExecutor", "concurrent.futures.ProcessPoolExecutor"),
    ("concurrent.futures.thread.ThreadPoolExecutor", "concurrent.futures.ThreadPoolExecutor"),
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
    ("sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoped_session"),
    ("sqlalchemy.engine.Engine", "sqlalchemy.engine.Engine"),
    ("sqlalchemy.Engine", "sqlalchemy.engine.Engine"),
    ("sqlalchemy.engine.Connection", "sqlalchemy.engine.Connection"),
    ("sqlalchemy.Connection", "sqlalchemy.engine.Connection"),
    ("boto3.session.Session", "boto3.session.Session"),
    ("boto3.Session", "boto3.session.Session"),
    ("elasticsearch.Elasticsearch", "elasticsearch.Elasticsearch"),
    ("passlib.context.CryptContext", "passlib.context.CryptContext"),
    ("argon2.PasswordHasher", "argon2.PasswordHasher"),
    ("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC", "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC"),
    ("cryptography.hazmat.primitives.kdf.scrypt.Scrypt", "cryptography.hazmat.primitives.kdf.scrypt.Scrypt"),
    ("cryptography.hazmat.primitives.kdf.hkdf.HKDF", "cryptography.hazmat.primitives.kdf.hkdf.HKDF"),
    ("cryptography.hazmat.primitives.kdf.argon2.Argon2id", "cryptography.hazmat.primitives.kdf.argon2.Argon2id"),
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
];

/// Attributes with a known type (`Path(...).parent` is a `Path`).
pub const ATTRIBUTE_TYPES: &[(&str, &str)] = &[
    ("pathlib.Path.parent", "pathlib.Path"),
    ("boto3.resources.base.ServiceResource.meta", "boto3.resources.base.ResourceMeta"),
    ("boto3.resources.base.ResourceMeta.client", "botocore.client.BaseClient"),
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
    wildcard_exceptions: std::collections::HashSet<&'static str>,
    returns: HashMap<&'static str, &'static str>,
    classes: HashMap<&'static str, &'static str>,
    attributes: HashMap<&'static str, &'static str>,
    items: HashMap<&'static str, &'static str>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    blocking: BLOCKING_CALLS.iter().copied().collect(),
    wildcard_exceptions: WILDCARD_EXCEPTIONS.iter().copied().collect(),
    returns: RETURN_TYPES.iter().copied().collect(),
    classes: CLASSES.iter().copied().collect(),
    attributes: ATTRIBUTE_TYPES.iter().copied().collect(),
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
    tables.blocking.get(wildcard.as_str())
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
    let key = format!("{owner_type}.{attribute}");
    if let Some(found) = tables.attributes.get(key.as_str()) {
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
        assert_eq!(blocking_api("bcrypt.hashpw").map(|api| api.category), Some(Blocking::Cpu));
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
