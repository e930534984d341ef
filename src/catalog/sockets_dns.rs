//! Raw sockets and name resolution: the `socket` module's connecting and resolving
//! functions and the blocking methods of `socket.socket`, each with the event loop's
//! counterpart. (`ssl`'s certificate loading is not listed yet: a TLS context built in a
//! shared client helper reaches most coroutines of a project, and those chains need reading
//! before the calls join the catalog.)

use super::entries::{Api, Class, Library, io};

pub(super) const LIBRARIES: &[Library] = &[Library::new("socket")
    .functions(&[
        Api::new("socket.create_connection").blocks(io(Some("asyncio.open_connection"))),
        Api::new("socket.getaddrinfo").blocks(io(Some("loop.getaddrinfo"))),
        Api::new("socket.gethostbyname").blocks(io(Some("loop.getaddrinfo"))),
        Api::new("socket.gethostbyname_ex").blocks(io(Some("loop.getaddrinfo"))),
        Api::new("socket.gethostbyaddr").blocks(io(Some("loop.getnameinfo"))),
        Api::new("socket.getnameinfo").blocks(io(Some("loop.getnameinfo"))),
        Api::new("socket.getfqdn").blocks(io(Some("loop.getnameinfo"))),
    ])
    .classes(&[Class::new("socket.socket").methods(&[
        Api::new("connect").blocks(io(Some("loop.sock_connect"))),
        Api::new("recv").blocks(io(Some("loop.sock_recv"))),
        Api::new("recv_into").blocks(io(Some("loop.sock_recv_into"))),
        Api::new("recvfrom").blocks(io(Some("loop.sock_recvfrom"))),
        Api::new("send").blocks(io(Some("loop.sock_sendall"))),
        Api::new("sendall").blocks(io(Some("loop.sock_sendall"))),
        Api::new("sendto").blocks(io(Some("loop.sock_sendto"))),
        Api::new("accept").blocks(io(Some("loop.sock_accept"))),
        Api::new("makefile").blocks(io(Some("asyncio streams"))),
    ])])];
