//! The `websockets` client library: `connect()` and the connection types whose `recv()`
//! waits for the next message (LW501), in both the new (`websockets.asyncio`) and the
//! legacy API, and whose sends, pings and close are coroutines a missing `await` never runs
//! (LW302).

use super::entries::{Api, Class, Library, NetworkDefault};

const LEGACY_PROTOCOL: &str = "websockets.legacy.protocol.WebSocketCommonProtocol";

/// Calls whose awaited result is a `websockets` connection (LW501).
pub const WEBSOCKET_CONNECTS: &[&str] = &[
    "websockets.connect",
    "websockets.asyncio.client.connect",
    "websockets.client.connect",
    "websockets.legacy.client.connect",
];

/// A connection's methods, alike in the new and the legacy API: each an `async def`.
const CONNECTION_METHODS: &[Api] = &[
    Api::new("recv")
        .coroutine()
        .network(NetworkDefault::WebsocketRecv),
    Api::new("send").coroutine(),
    Api::new("ping").coroutine(),
    Api::new("pong").coroutine(),
    Api::new("close").coroutine(),
    Api::new("wait_closed").coroutine(),
];

pub(super) const LIBRARIES: &[Library] = &[Library::new("websockets")
    .functions(&[
        // `async with websockets.connect(uri) as ws` (LW501); `ws = await connect(...)` is
        // followed by the rule.
        Api::new("websockets.connect")
            .returns("websockets.ClientConnection")
            .network(NetworkDefault::WebsocketConnect),
        Api::new("websockets.asyncio.client.connect")
            .returns("websockets.ClientConnection")
            .network(NetworkDefault::WebsocketConnect),
        Api::new("websockets.client.connect")
            .returns(LEGACY_PROTOCOL)
            .network(NetworkDefault::WebsocketConnect),
        Api::new("websockets.legacy.client.connect")
            .returns(LEGACY_PROTOCOL)
            .network(NetworkDefault::WebsocketConnect),
    ])
    .classes(&[
        Class::new("websockets.ClientConnection")
            .aliases(&["websockets.asyncio.client.ClientConnection"])
            .methods(CONNECTION_METHODS),
        Class::new("websockets.ServerConnection")
            .aliases(&["websockets.asyncio.server.ServerConnection"])
            .methods(CONNECTION_METHODS),
        Class::new(LEGACY_PROTOCOL)
            .aliases(&[
                "websockets.WebSocketClientProtocol",
                "websockets.WebSocketServerProtocol",
                "websockets.client.WebSocketClientProtocol",
                "websockets.server.WebSocketServerProtocol",
                "websockets.legacy.client.WebSocketClientProtocol",
                "websockets.legacy.server.WebSocketServerProtocol",
            ])
            .methods(CONNECTION_METHODS),
    ])];
