//! Sync database and search-engine clients (`sqlite3`, `psycopg2`, sync `psycopg`,
//! `pymysql`, `MySQLdb`, `pymongo`, `redis`, sync SQLAlchemy, Django's ORM, `elasticsearch`): their
//! connections, cursors and sessions, and what each call returns, so that methods on the
//! values they hand out are known too.

use super::entries::{Api, Class, Library, io};

const AIOSQLITE: Option<&str> = Some("aiosqlite");
const PSYCOPG2_ASYNC: Option<&str> = Some("asyncpg or psycopg.AsyncConnection");
const PSYCOPG_ASYNC: Option<&str> = Some("psycopg.AsyncConnection");
const PSYCOPG_ASYNC_CONNECT: Option<&str> = Some("psycopg.AsyncConnection.connect");
const AIOMYSQL: Option<&str> = Some("aiomysql");
const MONGO_ASYNC: Option<&str> = Some("motor or pymongo.AsyncMongoClient");
const REDIS_ASYNC: Option<&str> = Some("redis.asyncio");
const SQLALCHEMY_ASYNC: Option<&str> = Some("sqlalchemy.ext.asyncio");
const SQLALCHEMY_ASYNC_SESSION: Option<&str> = Some("sqlalchemy.ext.asyncio.AsyncSession");
const SQLMODEL_ASYNC_SESSION: Option<&str> = Some("sqlmodel.ext.asyncio.session.AsyncSession");
const DJANGO_ASYNC: Option<&str> =
    Some("the QuerySet's async form (`aget`, `afirst`, `acount`, `acreate`...; Django 4.1+)");
const DJANGO_MODEL_ASYNC: Option<&str> =
    Some("the model's async form (`asave`, `adelete`, `arefresh_from_db`; Django 4.2+)");
const DJANGO_SYNC_TO_ASYNC: Option<&str> = Some("asgiref's `sync_to_async`");
const DJANGO_SHORTCUT_ASYNC: Option<&str> =
    Some("`django.shortcuts.aget_object_or_404` / `aget_list_or_404` (Django 5.0+)");
const MANAGER: &str = "django.db.models.Manager";
const QUERYSET: &str = "django.db.models.QuerySet";

/// What a Django manager and a queryset share: the methods that build another queryset
/// (lazy: no query until it is iterated, `for order in Order.objects.filter(...)`,
/// `list(...)`) and the ones that run a query. Django raises `SynchronousOnlyOperation` when
/// a query runs on a thread with a running event loop.
const QUERYSET_METHODS: &[Api] = &[
    Api::new("all")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("filter")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("exclude")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("order_by")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("select_related")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("prefetch_related")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("annotate")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("alias")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("values")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("values_list")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("distinct")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("only")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("defer")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("using")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("none").returns(QUERYSET),
    Api::new("reverse")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("select_for_update")
        .returns(QUERYSET)
        .blocks_when_iterated(io(DJANGO_ASYNC)),
    Api::new("get").blocks(io(DJANGO_ASYNC)),
    Api::new("first").blocks(io(DJANGO_ASYNC)),
    Api::new("last").blocks(io(DJANGO_ASYNC)),
    Api::new("count").blocks(io(DJANGO_ASYNC)),
    Api::new("exists").blocks(io(DJANGO_ASYNC)),
    Api::new("contains").blocks(io(DJANGO_ASYNC)),
    Api::new("create").blocks(io(DJANGO_ASYNC)),
    Api::new("get_or_create").blocks(io(DJANGO_ASYNC)),
    Api::new("update_or_create").blocks(io(DJANGO_ASYNC)),
    Api::new("bulk_create").blocks(io(DJANGO_ASYNC)),
    Api::new("bulk_update").blocks(io(DJANGO_ASYNC)),
    Api::new("in_bulk").blocks(io(DJANGO_ASYNC)),
    Api::new("aggregate").blocks(io(DJANGO_ASYNC)),
    Api::new("earliest").blocks(io(DJANGO_ASYNC)),
    Api::new("latest").blocks(io(DJANGO_ASYNC)),
    Api::new("update").blocks(io(DJANGO_ASYNC)),
    Api::new("delete").blocks(io(DJANGO_ASYNC)),
    Api::new("explain").blocks(io(DJANGO_ASYNC)),
];

/// A model instance's methods that run a query (`asave`, `adelete`, `arefresh_from_db` are
/// their async forms, Django 4.2+). `full_clean` and `validate_unique` query for unique
/// fields; `clean` and `clean_fields` run no query of Django's own and are not listed.
const MODEL_METHODS: &[Api] = &[
    Api::new("save").blocks(io(DJANGO_MODEL_ASYNC)),
    Api::new("delete").blocks(io(DJANGO_MODEL_ASYNC)),
    Api::new("refresh_from_db").blocks(io(DJANGO_MODEL_ASYNC)),
    Api::new("full_clean").blocks(io(DJANGO_SYNC_TO_ASYNC)),
    Api::new("validate_unique").blocks(io(DJANGO_SYNC_TO_ASYNC)),
];

/// The methods of a client-side cursor that read the rows its `execute` already took.
const BUFFERED_FETCHES: &[Api] = &[
    Api::new("fetchone"),
    Api::new("fetchmany"),
    Api::new("fetchall"),
];

/// What a sync SQLAlchemy `Session` does with a round trip to the database (SQLModel's
/// `Session` is one, with `exec` besides).
const SESSION_METHODS: &[Api] = &[
    Api::new("execute").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("commit").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("query").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("get").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("flush").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("refresh").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("scalar").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("scalars").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
    Api::new("rollback").blocks(io(SQLALCHEMY_ASYNC_SESSION)),
];

/// SQLModel's `Session`: SQLAlchemy's, with `exec` (its typed `select`) besides.
const SQLMODEL_SESSION_METHODS: [Api; SESSION_METHODS.len() + 1] = {
    let mut methods =
        [Api::new("exec").blocks(io(SQLMODEL_ASYNC_SESSION)); SESSION_METHODS.len() + 1];
    let mut index = 0;
    while index < SESSION_METHODS.len() {
        methods[index + 1] = SESSION_METHODS[index];
        index += 1;
    }
    methods
};

pub(super) const LIBRARIES: &[Library] = &[
    // The sqlite3 documentation: a connection (and its cursors) may only be used in the
    // thread that created it, unless `check_same_thread=False`.
    Library::new("sqlite3")
        // `sqlite3.connect(":memory:")` opens no file: the database lives in memory.
        .functions(&[Api::new("sqlite3.connect")
            .blocks(io(AIOSQLITE).in_memory_with_prefix("database", 0, ":memory:"))
            .returns("sqlite3.Connection")])
        .classes(&[
            Class::new("sqlite3.Connection")
                .thread_bound()
                .other_methods(io(AIOSQLITE))
                .methods(&[
                    Api::new("execute")
                        .blocks(io(AIOSQLITE))
                        .returns("sqlite3.Cursor"),
                    Api::new("executemany")
                        .blocks(io(AIOSQLITE))
                        .returns("sqlite3.Cursor"),
                    Api::new("executescript")
                        .blocks(io(AIOSQLITE))
                        .returns("sqlite3.Cursor"),
                    Api::new("cursor").returns("sqlite3.Cursor"),
                    Api::new("create_function"),
                    Api::new("create_aggregate"),
                    Api::new("set_trace_callback"),
                ]),
            Class::new("sqlite3.Cursor")
                .thread_bound()
                .other_methods(io(AIOSQLITE))
                .methods(&[
                    Api::new("execute")
                        .blocks(io(AIOSQLITE))
                        .returns("sqlite3.Cursor"),
                    Api::new("executemany")
                        .blocks(io(AIOSQLITE))
                        .returns("sqlite3.Cursor"),
                ]),
        ]),
    Library::new("psycopg2")
        .functions(&[Api::new("psycopg2.connect")
            .blocks(io(PSYCOPG2_ASYNC))
            .returns("psycopg2.extensions.connection")])
        .classes(&[
            Class::type_only("psycopg2.extensions.connection")
                .other_methods(io(PSYCOPG2_ASYNC))
                .methods(&[
                    Api::new("cursor").returns("psycopg2.extensions.cursor"),
                    // What the client library answers from its own state, without a round
                    // trip; `poll()` is the non-blocking step of an asynchronous connection;
                    // `close()` sends the terminate message and closes the socket without
                    // waiting for the server (libpq's `PQfinish`).
                    Api::new("isexecuting"),
                    Api::new("xid"),
                    Api::new("fileno"),
                    Api::new("poll"),
                    Api::new("get_backend_pid"),
                    Api::new("get_parameter_status"),
                    Api::new("get_transaction_status"),
                    Api::new("get_dsn_parameters"),
                    Api::new("get_native_connection"),
                    Api::new("close"),
                ]),
            // A cursor made without `name=` is client-side: `execute` runs the query and
            // takes every row, and the `fetch` methods read those rows from memory. (A named,
            // server-side cursor's fetches go to the server: not told apart, not reported.)
            Class::type_only("psycopg2.extensions.cursor")
                .other_methods(io(PSYCOPG2_ASYNC))
                .methods(BUFFERED_FETCHES),
        ]),
    Library::new("psycopg")
        .functions(&[Api::new("psycopg.connect")
            .blocks(io(PSYCOPG_ASYNC_CONNECT))
            .returns("psycopg.Connection")])
        .classes(&[
            Class::new("psycopg.Connection")
                .other_methods(io(PSYCOPG_ASYNC))
                .methods(&[
                    Api::new("connect")
                        .blocks(io(PSYCOPG_ASYNC_CONNECT))
                        .returns("psycopg.Connection"),
                    Api::new("cursor").returns("psycopg.Cursor"),
                ]),
            Class::type_only("psycopg.Cursor")
                .other_methods(io(PSYCOPG_ASYNC))
                .methods(BUFFERED_FETCHES),
        ]),
    Library::new("pymysql")
        .functions(&[Api::new("pymysql.connect")
            .blocks(io(AIOMYSQL))
            .returns("pymysql.connections.Connection")])
        .classes(&[
            Class::type_only("pymysql.connections.Connection")
                .other_methods(io(AIOMYSQL))
                .methods(&[Api::new("cursor").returns("pymysql.cursors.Cursor")]),
            // The default cursor buffers the result set at `execute` (`SSCursor` does not).
            Class::type_only("pymysql.cursors.Cursor")
                .other_methods(io(AIOMYSQL))
                .methods(BUFFERED_FETCHES),
        ]),
    Library::new("MySQLdb").functions(&[Api::new("MySQLdb.connect").blocks(io(AIOMYSQL))]),
    Library::new("pymongo").classes(&[
        Class::new("pymongo.MongoClient")
            .aliases(&["pymongo.mongo_client.MongoClient"])
            .other_methods(io(MONGO_ASYNC))
            .methods(&[
                Api::new("get_database").returns("pymongo.database.Database"),
                Api::new("get_default_database").returns("pymongo.database.Database"),
            ])
            .item_type("pymongo.database.Database"),
        Class::type_only("pymongo.database.Database")
            .other_methods(io(MONGO_ASYNC))
            .methods(&[Api::new("get_collection").returns("pymongo.collection.Collection")])
            .item_type("pymongo.collection.Collection"),
        Class::type_only("pymongo.collection.Collection")
            .other_methods(io(MONGO_ASYNC))
            .methods(&[Api::new("with_options")]),
    ]),
    Library::new("redis")
        .functions(&[Api::new("redis.from_url").returns("redis.Redis")])
        .classes(&[
            Class::new("redis.Redis")
                .aliases(&[
                    "redis.StrictRedis",
                    "redis.client.Redis",
                    "redis.client.StrictRedis",
                ])
                .other_methods(io(REDIS_ASYNC))
                .methods(&[
                    // Builds a client from a URL: the pool connects on the first command.
                    Api::new("from_url").returns("redis.Redis"),
                    Api::new("pipeline").returns("redis.client.Pipeline"),
                    Api::new("pubsub"),
                    Api::new("lock"),
                    Api::new("register_script"),
                    Api::new("get_encoder"),
                    Api::new("get_connection_kwargs"),
                    Api::new("set_response_callback"),
                    // Hands its connection back and closes the pool's sockets: nothing is
                    // sent or waited for.
                    Api::new("close"),
                    // Generators: each `SCAN` round trip runs as they are iterated, so a fix
                    // moves the consumer, not the call.
                    Api::new("scan_iter").blocks(io(REDIS_ASYNC)).generator(),
                    Api::new("sscan_iter").blocks(io(REDIS_ASYNC)).generator(),
                    Api::new("hscan_iter").blocks(io(REDIS_ASYNC)).generator(),
                    Api::new("zscan_iter").blocks(io(REDIS_ASYNC)).generator(),
                ]),
            Class::type_only("redis.client.Pipeline")
                .methods(&[Api::new("execute").blocks(io(REDIS_ASYNC))]),
        ]),
    Library::new("sqlalchemy")
        .functions(&[
            Api::new("sqlalchemy.create_engine").returns("sqlalchemy.engine.Engine"),
            Api::new("sqlalchemy.engine.create_engine").returns("sqlalchemy.engine.Engine"),
        ])
        .classes(&[
            Class::new("sqlalchemy.engine.Engine")
                .aliases(&["sqlalchemy.Engine"])
                .methods(&[
                    Api::new("connect")
                        .blocks(io(SQLALCHEMY_ASYNC))
                        .returns("sqlalchemy.engine.Connection"),
                    Api::new("begin")
                        .blocks(io(SQLALCHEMY_ASYNC))
                        .returns("sqlalchemy.engine.Connection"),
                    Api::new("execute").blocks(io(SQLALCHEMY_ASYNC)),
                ]),
            // SQLAlchemy's documentation: a Connection, and a Session, are not thread-safe;
            // each is meant to be used by one thread at a time.
            Class::new("sqlalchemy.engine.Connection")
                .aliases(&["sqlalchemy.Connection"])
                .thread_bound()
                .methods(&[
                    Api::new("execute").blocks(io(SQLALCHEMY_ASYNC)),
                    Api::new("commit").blocks(io(SQLALCHEMY_ASYNC)),
                    Api::new("scalar").blocks(io(SQLALCHEMY_ASYNC)),
                    Api::new("scalars").blocks(io(SQLALCHEMY_ASYNC)),
                ]),
            Class::new("sqlalchemy.orm.Session")
                .aliases(&["sqlalchemy.orm.session.Session"])
                .thread_bound()
                .methods(SESSION_METHODS),
            // The asyncio extension: the same operations as coroutines, which a call without
            // `await` creates and drops (LW302, LW303).
            Class::new("sqlalchemy.ext.asyncio.AsyncConnection")
                .aliases(&["sqlalchemy.ext.asyncio.engine.AsyncConnection"])
                .methods(&[
                    Api::new("execute").coroutine(),
                    Api::new("exec_driver_sql").coroutine(),
                    Api::new("scalar").coroutine(),
                    Api::new("scalars").coroutine(),
                    Api::new("stream").coroutine(),
                    Api::new("stream_scalars").coroutine(),
                    Api::new("commit").coroutine(),
                    Api::new("rollback").coroutine(),
                    Api::new("close").coroutine(),
                    Api::new("run_sync").coroutine(),
                ]),
            Class::new("sqlalchemy.ext.asyncio.AsyncSession")
                .aliases(&["sqlalchemy.ext.asyncio.session.AsyncSession"])
                .methods(&[
                    Api::new("execute").coroutine(),
                    Api::new("scalar").coroutine(),
                    Api::new("scalars").coroutine(),
                    Api::new("stream").coroutine(),
                    Api::new("stream_scalars").coroutine(),
                    Api::new("get").coroutine(),
                    Api::new("get_one").coroutine(),
                    Api::new("merge").coroutine(),
                    Api::new("flush").coroutine(),
                    Api::new("refresh").coroutine(),
                    Api::new("delete").coroutine(),
                    Api::new("commit").coroutine(),
                    Api::new("rollback").coroutine(),
                    Api::new("close").coroutine(),
                    Api::new("run_sync").coroutine(),
                ]),
            Class::new("sqlalchemy.ext.asyncio.AsyncEngine")
                .aliases(&["sqlalchemy.ext.asyncio.engine.AsyncEngine"])
                .methods(&[Api::new("dispose").coroutine()]),
            Class::new("sqlalchemy.orm.sessionmaker")
                .methods(&[Api::new("__call__").returns("sqlalchemy.orm.Session")]),
            Class::new("sqlalchemy.orm.scoped_session")
                .methods(&[Api::new("__call__").returns("sqlalchemy.orm.Session")]),
        ]),
    // A model's `objects` is its default manager, from the base class's metaclass; a model
    // that declares a manager of the project's own is typed by the project instead.
    Library::new("django")
        // The shortcuts run a query through the model's default manager (`aget_object_or_404`
        // and `aget_list_or_404` are their async forms, Django 5.0+).
        .functions(&[
            Api::new("django.shortcuts.get_object_or_404").blocks(io(DJANGO_SHORTCUT_ASYNC)),
            Api::new("django.shortcuts.get_list_or_404").blocks(io(DJANGO_SHORTCUT_ASYNC)),
            // The model classes looked up by name, from the registry of installed apps
            // (`Instance = apps.get_model("main", "Instance")`) or the settings
            // (`User = get_user_model()`): their `objects` is a manager like any model's.
            Api::new("django.apps.apps.get_model").returns("django.db.models.Model"),
            Api::new("django.contrib.auth.get_user_model").returns("django.db.models.Model"),
        ])
        .classes(&[
            Class::type_only("django.db.models.Model")
                .aliases(&["django.db.models.base.Model"])
                .attributes(&[("objects", MANAGER)])
                .methods(MODEL_METHODS),
            Class::type_only(MANAGER)
                .aliases(&["django.db.models.manager.Manager"])
                .methods(QUERYSET_METHODS),
            Class::type_only(QUERYSET)
                .aliases(&["django.db.models.query.QuerySet"])
                .methods(QUERYSET_METHODS),
        ]),
    Library::new("elasticsearch").classes(&[Class::new("elasticsearch.Elasticsearch")
        .other_methods(io(Some("elasticsearch.AsyncElasticsearch")))
        .methods(&[Api::new("options")])]),
    // SQLModel: SQLAlchemy's sessions with `exec` for its typed selects.
    Library::new("sqlmodel")
        .functions(&[Api::new("sqlmodel.create_engine").returns("sqlalchemy.engine.Engine")])
        .classes(&[
            Class::new("sqlmodel.Session")
                .aliases(&["sqlmodel.orm.session.Session"])
                .thread_bound()
                .methods(&SQLMODEL_SESSION_METHODS),
            Class::new("sqlmodel.ext.asyncio.session.AsyncSession")
                .methods(&[Api::new("exec").coroutine()]),
        ]),
];
