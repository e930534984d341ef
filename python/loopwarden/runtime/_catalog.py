"""The blocking APIs patched by the opt-in check (`blocking_calls=True`, `--blocking-calls`).

Data, not logic: (module, attribute path, code). A call is recorded when it is made on a
thread that is running an event loop, directly from project code. Socket methods count only
on a blocking socket (asyncio's own sockets are non-blocking).
"""

BLOCKING_CALLS = (
    ("time", "sleep", "LW101"),
    ("builtins", "open", "LW101"),
    ("sqlite3", "connect", "LW101"),
    ("socket", "getaddrinfo", "LW101"),
    ("socket", "create_connection", "LW101"),
    ("socket", "socket.connect", "LW101"),
    ("socket", "socket.accept", "LW101"),
    ("socket", "socket.recv", "LW101"),
    ("socket", "socket.recv_into", "LW101"),
    ("socket", "socket.send", "LW101"),
    ("socket", "socket.sendall", "LW101"),
    ("subprocess", "run", "LW101"),
    ("subprocess", "check_output", "LW101"),
    ("subprocess", "check_call", "LW101"),
    ("subprocess", "call", "LW101"),
    ("os.path", "exists", "LW105"),
    ("os.path", "isfile", "LW105"),
    ("os.path", "isdir", "LW105"),
    ("os.path", "getsize", "LW105"),
    ("hashlib", "pbkdf2_hmac", "LW102"),
    ("hashlib", "scrypt", "LW102"),
)
