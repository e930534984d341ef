"""Deterministic stand-ins: a "hash" is the password reversed."""


def gensalt() -> bytes:
    return b"salt"


def hashpw(password: bytes, salt: bytes) -> bytes:
    return password[::-1]


def checkpw(password: bytes, hashed: bytes) -> bool:
    return password[::-1] == hashed
