//! Raw sockets and name resolution: the `socket` module's connecting and resolving
//! functions and the blocking methods of `socket.socket`, each with the event loop's
//! counterpart; and waiting on descriptors with `select` and `selectors`. (`ssl`'s certificate loading is not listed yet: a TLS context built in a
//! shared client helper reaches most coroutines of a project, and those chains need reading
//! before the calls join the catalog.)

use super::entries::{Api, Class, Library, io, timed, unless_option};

/// What to wait on file descriptors with instead of `select`: the loop watches them.
const LOOP_READERS: Option<&str> = Some("loop.add_reader/add_writer, or asyncio streams");

/// The constructor of a raw socket, and the type argument that makes it a datagram (UDP) one.
pub const SOCKET_CONSTRUCTOR: &str = "socket.socket";
pub const DATAGRAM_SOCKET_TYPE: &str = "socket.SOCK_DGRAM";
/// Socket methods that return at once on a datagram socket: `connect` only records the
/// peer's address (LW101, LW103).
pub const DATAGRAM_INSTANT_METHODS: &[&str] = &["socket.socket.connect"];

pub(super) const LIBRARIES: &[Library] = &[
    // Waits for descriptors to be ready, up to the timeout (forever without one); a timeout
    // of `0` polls and returns at once.
    Library::new("select")
        .functions(&[Api::new("select.select").blocks(timed(LOOP_READERS, "timeout", 3))])
        .classes(&[
            // `epoll` and `devpoll` objects wait the same way as `poll`'s.
            Class::new("select.poll")
                .aliases(&["select.devpoll", "select.epoll"])
                .methods(&[Api::new("poll").blocks(timed(LOOP_READERS, "timeout", 0))]),
            Class::new("select.kqueue").methods(&[Api::new("control").blocks(timed(
                LOOP_READERS,
                "timeout",
                2,
            ))]),
        ]),
    Library::new("selectors").classes(&[Class::new("selectors.DefaultSelector")
        .aliases(&[
            "selectors.SelectSelector",
            "selectors.PollSelector",
            "selectors.EpollSelector",
            "selectors.DevpollSelector",
            "selectors.KqueueSelector",
        ])
        .methods(&[Api::new("select").blocks(timed(LOOP_READERS, "timeout", 0))])]),
    Library::new("socket")
        .functions(&[
            Api::new("socket.create_connection").blocks(io(Some("asyncio.open_connection"))),
            // With `AI_NUMERICHOST` no name is looked up: a numeric address is parsed, any
            // other fails at once (the fast path that tries numbers before a resolver thread).
            Api::new("socket.getaddrinfo").blocks(unless_option(
                Some("loop.getaddrinfo"),
                "flags",
                5,
                "AI_NUMERICHOST",
            )),
            Api::new("socket.gethostbyname").blocks(io(Some("loop.getaddrinfo"))),
            Api::new("socket.gethostbyname_ex").blocks(io(Some("loop.getaddrinfo"))),
            Api::new("socket.gethostbyaddr").blocks(io(Some("loop.getnameinfo"))),
            Api::new("socket.getnameinfo").blocks(io(Some("loop.getnameinfo"))),
            Api::new("socket.getfqdn").blocks(io(Some("loop.getnameinfo"))),
        ])
        .classes(&[
            Class::new("socket.socket").methods(&[
                Api::new("connect").blocks(io(Some("loop.sock_connect"))),
                Api::new("recv").blocks(io(Some("loop.sock_recv"))),
                Api::new("recv_into").blocks(io(Some("loop.sock_recv_into"))),
                Api::new("recvfrom").blocks(io(Some("loop.sock_recvfrom"))),
                Api::new("send").blocks(io(Some("loop.sock_sendall"))),
                Api::new("sendall").blocks(io(Some("loop.sock_sendall"))),
                Api::new("sendto").blocks(io(Some("loop.sock_sendto"))),
                Api::new("accept").blocks(io(Some("loop.sock_accept"))),
                // Wraps the socket in a file object and waits for nothing; its reads and
                // writes wait on the socket (reported even where the function made it: unlike
                // a file's `open`, the `makefile` is not).
                Api::new("makefile").returns("socket.SocketIO"),
            ]),
            Class::type_only("socket.SocketIO").methods(&[
                Api::new("read").blocks(io(Some("asyncio streams"))),
                Api::new("readline").blocks(io(Some("asyncio streams"))),
                Api::new("readlines").blocks(io(Some("asyncio streams"))),
                Api::new("write").blocks(io(Some("asyncio streams"))),
                Api::new("writelines").blocks(io(Some("asyncio streams"))),
                Api::new("flush").blocks(io(Some("asyncio streams"))),
            ]),
        ]),
];
