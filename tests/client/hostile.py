"""A hostile HTTP server on loopback: answers that trickle, never end, weigh 100 MB or nest deep.

A real socket server (not a MockTransport), so that the client's deadline is tested where it
acts: in its socket reads. Each connection is served by a thread named ``hostile-*`` that ends
when the client hangs up or the server closes.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

MB = 1024 * 1024
DEEP = 5_000
HEAD_END = b"\r\n\r\n"


def _headers(*lines: str) -> bytes:
    return ("\r\n".join(["HTTP/1.1 200 OK", *lines]) + "\r\n\r\n").encode()


class HostileServer:
    """Answers every request the way ``mode`` says (see ``MODES``)."""

    def __init__(self, mode: str, interval: float = 0.1, size: int = MB) -> None:
        self.mode = mode
        self.interval = interval
        self.size = size
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        if mode == "gzip-bomb":
            _bomb()  # made before any client waits on it
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept")
        self._acceptor.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-conn")
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.settimeout(5)
            request = b""
            while HEAD_END not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            MODES[self.mode](self, conn)

    def sleep(self) -> bool:
        """Wait one interval; False once the server is closing."""
        return not self.stop.wait(self.interval)

    def close(self) -> None:
        self.stop.set()
        self._listener.close()
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)

    def threads_alive(self) -> list[str]:
        return [t.name for t in (self._acceptor, *self._threads) if t.is_alive()]


def _trickle_headers(server: HostileServer, conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while server.sleep():
        conn.sendall(b"a")


def _trickle_body(server: HostileServer, conn: socket.socket) -> None:
    conn.sendall(_headers("Content-Type: application/json", "Content-Length: 1000000"))
    conn.sendall(b"[")
    while server.sleep():
        conn.sendall(b" ")


def _endless_chunked(server: HostileServer, conn: socket.socket) -> None:
    conn.sendall(_headers("Content-Type: application/json", "Transfer-Encoding: chunked"))
    chunk = b"%x\r\n%s\r\n" % (MB, b" " * MB)
    conn.sendall(b"1\r\n[\r\n")
    while not server.stop.is_set():
        conn.sendall(chunk)


def _huge(server: HostileServer, conn: socket.socket) -> None:
    """100 MB, declared in Content-Length."""
    conn.sendall(_headers("Content-Type: application/json", f"Content-Length: {100 * MB}"))
    _send_megabytes(server, conn, 100)


def _huge_undeclared(server: HostileServer, conn: socket.socket) -> None:
    """100 MB with no length: the body ends when the connection does."""
    conn.sendall(_headers("Content-Type: application/json", "Connection: close"))
    _send_megabytes(server, conn, 100)


def _send_megabytes(server: HostileServer, conn: socket.socket, count: int) -> None:
    block = b"[" + b"0," * (MB // 2 - 1) + b"0"
    for _ in range(count):
        if server.stop.is_set():
            return
        conn.sendall(block)


_BOMB: list[bytes] = []


def _bomb() -> bytes:
    """A small gzip body (about 200 KB) that inflates to 200 MB; made once per test process."""
    if not _BOMB:
        _BOMB.append(gzip.compress(b" " * (200 * MB), compresslevel=9))
    return _BOMB[0]


def _gzip_bomb(server: HostileServer, conn: socket.socket) -> None:
    body = _bomb()
    conn.sendall(
        _headers(
            "Content-Type: application/json",
            "Content-Encoding: gzip",
            f"Content-Length: {len(body)}",
        )
    )
    conn.sendall(body)
    server.stop.wait(2)


def _brotli(server: HostileServer, conn: socket.socket) -> None:
    """An encoding the client never asks for."""
    conn.sendall(_headers("Content-Encoding: br", "Content-Length: 4"))
    conn.sendall(b"\x0b\x00\x80\x03")


def _rate_limited(server: HostileServer, conn: socket.socket) -> None:
    """429 to everything, with a wait no client should take."""
    body = b'{"statusCode": 429, "message": "Too Many Requests"}'
    conn.sendall(
        (
            "\r\n".join(
                [
                    "HTTP/1.1 429 Too Many Requests",
                    "Content-Type: application/json",
                    "Retry-After: 999999",
                    "X-RateLimit-Remaining: 0",
                    f"X-RateLimit-Reset: {int(time.time()) + 999999}",
                    f"Content-Length: {len(body)}",
                    "Connection: close",
                ]
            )
            + "\r\n\r\n"
        ).encode()
        + body
    )


def _dense(server: HostileServer, conn: socket.socket) -> None:
    """Valid JSON just under the client's size cap, as costly to decode as JSON gets."""
    body = b"[" + b"{}," * (server.size // 3 - 1) + b"{}]"
    conn.sendall(_headers("Content-Type: application/json", f"Content-Length: {len(body)}"))
    conn.sendall(body)


def _deep(server: HostileServer, conn: socket.socket) -> None:
    body = b"[" * DEEP + b"]" * DEEP
    conn.sendall(_headers("Content-Type: application/json", f"Content-Length: {len(body)}"))
    conn.sendall(body)


MODES: dict[str, Callable[[HostileServer, socket.socket], None]] = {
    "trickle-headers": _trickle_headers,
    "trickle-body": _trickle_body,
    "endless-chunked": _endless_chunked,
    "huge": _huge,
    "huge-undeclared": _huge_undeclared,
    "gzip-bomb": _gzip_bomb,
    "brotli": _brotli,
    "deep": _deep,
    "dense": _dense,
    "rate-limited": _rate_limited,
}


@contextmanager
def hostile(mode: str, interval: float = 0.1, size: int = MB) -> Iterator[HostileServer]:
    server = HostileServer(mode, interval, size)
    try:
        yield server
    finally:
        server.close()
        deadline = time.monotonic() + 5
        while server.threads_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
