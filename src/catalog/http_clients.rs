//! HTTP clients: the sync ones that block the loop (`requests`, `urllib`, `urllib3`,
//! `http.client`, the sync `httpx` API) and the async ones whose requests are coroutines
//! and need a deadline (`httpx.AsyncClient`, `aiohttp`, LW501).

use super::entries::{Api, Class, Library, NetworkDefault, io};

const HTTPX_ASYNC: Option<&str> = Some("httpx.AsyncClient or aiohttp");
const HTTPX_ASYNC_CLIENT: Option<&str> = Some("httpx.AsyncClient");

/// Client constructors whose `timeout=` bounds the requests made through them (LW501): the
/// names of `aiohttp.ClientSession` and `httpx.AsyncClient` below.
/// The class of what an `httpx.AsyncClient` request gives.
const HTTPX_RESPONSE: &str = "httpx.Response";

/// The class of what an `aiohttp` request gives.
const RESPONSE: &str = "aiohttp.ClientResponse";

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

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("requests")
        .functions(&[
            Api::new("requests.get").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.post").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.put").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.patch").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.delete").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.head").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.options").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.request").blocks(io(HTTPX_ASYNC)),
            Api::new("requests.session").returns("requests.Session"),
        ])
        .classes(&[Class::new("requests.Session")
            .aliases(&["requests.sessions.Session"])
            .methods(&[
                Api::new("get").blocks(io(HTTPX_ASYNC)),
                Api::new("post").blocks(io(HTTPX_ASYNC)),
                Api::new("put").blocks(io(HTTPX_ASYNC)),
                Api::new("patch").blocks(io(HTTPX_ASYNC)),
                Api::new("delete").blocks(io(HTTPX_ASYNC)),
                Api::new("head").blocks(io(HTTPX_ASYNC)),
                Api::new("options").blocks(io(HTTPX_ASYNC)),
                Api::new("request").blocks(io(HTTPX_ASYNC)),
                Api::new("send").blocks(io(HTTPX_ASYNC)),
            ])]),
    Library::new("urllib").functions(&[
        Api::new("urllib.request.urlopen")
            .blocks(io(HTTPX_ASYNC).in_memory_with_prefix("url", 0, "data:")),
        Api::new("urllib.request.urlretrieve").blocks(io(HTTPX_ASYNC)),
    ]),
    Library::new("urllib3")
        .functions(&[Api::new("urllib3.request").blocks(io(HTTPX_ASYNC))])
        .classes(&[Class::new("urllib3.PoolManager")
            .aliases(&["urllib3.poolmanager.PoolManager"])
            .methods(&[
                Api::new("request").blocks(io(HTTPX_ASYNC)),
                Api::new("urlopen").blocks(io(HTTPX_ASYNC)),
                Api::new("request_encode_url").blocks(io(HTTPX_ASYNC)),
                Api::new("request_encode_body").blocks(io(HTTPX_ASYNC)),
            ])]),
    Library::new("http.client").classes(&[Class::new("http.client.HTTPConnection")
        .aliases(&["http.client.HTTPSConnection"])
        .methods(&[
            Api::new("request").blocks(io(HTTPX_ASYNC)),
            Api::new("getresponse").blocks(io(HTTPX_ASYNC)),
            Api::new("connect").blocks(io(HTTPX_ASYNC)),
            Api::new("send").blocks(io(HTTPX_ASYNC)),
        ])]),
    Library::new("httpx")
        .functions(&[
            Api::new("httpx.get").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.post").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.put").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.patch").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.delete").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.head").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.options").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.request").blocks(io(HTTPX_ASYNC_CLIENT)),
            Api::new("httpx.stream").blocks(io(HTTPX_ASYNC_CLIENT)),
        ])
        .classes(&[
            Class::new("httpx.Client").methods(&[
                Api::new("get").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("post").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("put").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("patch").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("delete").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("head").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("options").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("request").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("send").blocks(io(HTTPX_ASYNC_CLIENT)),
                Api::new("stream").blocks(io(HTTPX_ASYNC_CLIENT)),
            ]),
            Class::new("httpx.AsyncClient")
                .aliases(&["httpx._client.AsyncClient"])
                .methods(&[
                    Api::new("request")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("get")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("post")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("put")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("patch")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("delete")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("head")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("options")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    Api::new("send")
                        .coroutine()
                        .returns(HTTPX_RESPONSE)
                        .network(NetworkDefault::Httpx),
                    // An async context manager, not a coroutine.
                    Api::new("stream").network(NetworkDefault::Httpx),
                    Api::new("aclose").coroutine(),
                ]),
            // What an `AsyncClient` request gives: its body is read whole by `aread()` when it
            // was streamed (`json()` and `text()` are plain methods there).
            Class::new(HTTPX_RESPONSE)
                .aliases(&["httpx._models.Response"])
                .methods(&[
                    Api::new("aread").coroutine(),
                    Api::new("aclose").coroutine(),
                ]),
        ]),
    Library::new("aiohttp")
        .functions(&[Api::new("aiohttp.request").network(NetworkDefault::Aiohttp)])
        .classes(&[
            Class::new("aiohttp.ClientSession")
                .aliases(&["aiohttp.client.ClientSession"])
                .methods(&[
                    Api::new("request")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("get")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("post")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("put")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("patch")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("delete")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("head")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("options")
                        .coroutine()
                        .returns(RESPONSE)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("ws_connect")
                        .coroutine()
                        .returns(CLIENT_WEBSOCKET)
                        .network(NetworkDefault::Aiohttp),
                    Api::new("close").coroutine(),
                ]),
            // What a request gives, awaited or entered (`async with session.get(url) as
            // response`): its body is read by coroutines.
            Class::new(RESPONSE)
                .aliases(&[
                    "aiohttp.client.ClientResponse",
                    "aiohttp.client_reqrep.ClientResponse",
                ])
                .methods(&[
                    Api::new("json").coroutine(),
                    Api::new("text").coroutine(),
                    Api::new("read").coroutine(),
                ]),
            // A websocket, the client's (`ws_connect`) and the server's (built in a
            // handler): every send, receive, ping and close is a coroutine.
            Class::type_only(CLIENT_WEBSOCKET)
                .aliases(&["aiohttp.client_ws.ClientWebSocketResponse"])
                .methods(WEBSOCKET_METHODS),
            Class::new("aiohttp.web.WebSocketResponse")
                .aliases(&["aiohttp.web_ws.WebSocketResponse"])
                .methods(WEBSOCKET_METHODS),
        ]),
];

const CLIENT_WEBSOCKET: &str = "aiohttp.ClientWebSocketResponse";

/// The coroutine methods aiohttp's two websocket classes share (and `prepare`, the server
/// side's handshake).
const WEBSOCKET_METHODS: &[Api] = &[
    Api::new("prepare").coroutine(),
    Api::new("send_str").coroutine(),
    Api::new("send_bytes").coroutine(),
    Api::new("send_json").coroutine(),
    Api::new("send_frame").coroutine(),
    Api::new("ping").coroutine(),
    Api::new("pong").coroutine(),
    Api::new("close").coroutine(),
    Api::new("receive").coroutine(),
    Api::new("receive_str").coroutine(),
    Api::new("receive_bytes").coroutine(),
    Api::new("receive_json").coroutine(),
];
