"""The HTTP layer: a keep-alive ``ThreadingHTTPServer`` on loopback with fault injection.

Every request first passes the Host check (``hosts.py``, against DNS rebinding). One API request
then goes: latency -> fault (drop, refuse and raw act here) -> rate limit -> injected status or
429 -> API key -> deny list -> backend -> commit_then_drop / commit_then_delay -> answer. A
control request (``/__emulator``) needs the API key and, for POST, a JSON content type, so that
no web page can send one without the browser asking first (no CORS-simple request).
Responses always carry Content-Length, so connections stay usable for keep-alive. Nothing is
logged to stderr, so the API key cannot leak through the server log.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pulumi_thena.emulator.backend import EMULATOR_ORG_ID, EMULATOR_USER_ID, Backend
from pulumi_thena.emulator.constants import DEFAULT_API_KEY
from pulumi_thena.emulator.errors import (
    EmulatorError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from pulumi_thena.emulator.hosts import HostPolicy
from pulumi_thena.emulator.routes import NO_BODY, Request, Route, find_route
from pulumi_thena.emulator.settings import DEFAULT_LIMIT_CAP, Order, ResponseShape, Settings
from pulumi_thena.emulator.traffic import Fault, RateDecision, RateLimit, RequestRecord

JSON = "application/json; charset=utf-8"
POLL_SECONDS = 0.05
REBIND_ATTEMPTS = 40


@dataclass
class Answer:
    """A response about to be written: status, body bytes and extra headers."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = JSON

    @classmethod
    def json(cls, status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Answer:
        """A JSON answer; ``NO_BODY`` makes an empty one, without a content type (U-25)."""
        if body is NO_BODY:
            return cls(status, b"", list(headers or []), None)
        return cls(status, json.dumps(body).encode(), list(headers or []))

    @classmethod
    def error(cls, error: EmulatorError, headers: list[tuple[str, str]] | None = None) -> Answer:
        return cls.json(error.status, error.body(), headers)


def rate_headers(decision: RateDecision, ip: str, path: str, known: bool) -> list[tuple[str, str]]:
    """The seven documented X-RateLimit-* headers; user and org read "anonymous" without a key."""
    return [
        ("X-RateLimit-Limit", str(decision.limit)),
        ("X-RateLimit-Remaining", str(max(decision.remaining, 0))),
        ("X-RateLimit-Reset", str(decision.reset_header)),
        ("X-RateLimit-IP", ip),
        ("X-RateLimit-UserID", EMULATOR_USER_ID if known else "anonymous"),
        ("X-RateLimit-OrgID", EMULATOR_ORG_ID if known else "anonymous"),
        ("X-RateLimit-Path", path),
    ]


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, runs it through the pipeline, writes one answer (or none)."""

    protocol_version = "HTTP/1.1"
    server_version = "ThenaEmulator/1.0"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body are separate writes; without this Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    _on_answer: Callable[[int | None], None] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        """Silent on purpose: nothing about requests (keys included) reaches stderr."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    @property
    def backend(self) -> Backend:
        return self.server.emulator.backend

    def _dispatch(self) -> None:
        started = time.monotonic()
        if not self.server.emulator.hosts.allows(self.headers.get("Host")):
            self._refuse_host()
            return
        url = urlsplit(self.path)
        pairs = parse_qs(url.query, keep_blank_values=True)
        found = find_route(self.command, url.path)
        route, params = found if found else (None, {})
        request = Request(
            self.command,
            url.path,
            params=params,
            query={key: values[0] for key, values in pairs.items()},
            raw_body=self._read_body(),
        )
        try:
            if route is not None and route.control:
                self._write(self._serve_control(route, request))
            else:
                self._serve_api(route, request, started)
        except OSError:
            self.close_connection = True  # the client went away (e.g. timed out during a delay)

    def _refuse_host(self) -> None:
        """403 for a request addressed to another name (DNS rebinding); the body is not read."""
        self.close_connection = True
        message = (
            "the Host header does not name this emulator; send requests to "
            f"{self.server.emulator.base_url} (or start it with --allow-host NAME)"
        )
        with contextlib.suppress(OSError):
            self._write(Answer.error(EmulatorError(403, message)))

    def _serve_control(self, route: Route, request: Request) -> Answer:
        """A control route: the API key, and a JSON content type on POST, then the route."""
        if not self.backend.is_valid_key(self.headers.get("x-api-key")):
            return Answer.error(Unauthorized())
        if request.method == "POST" and not _is_json(self.headers.get("Content-Type")):
            return Answer.error(UnsupportedMediaType())
        return self._call(route, request)

    def _serve_api(self, route: Route | None, request: Request, started: float) -> None:
        time.sleep(self.backend.latency_seconds())
        template = route.template if route else None
        fault = self.backend.take_fault(request.method, request.path, template)
        action = fault.action if fault else None

        def record(status: int | None) -> None:
            duration = (time.monotonic() - started) * 1000
            self.backend.record(
                RequestRecord(
                    request.method, request.path, template, request.query, status, duration, action
                )
            )

        # Recorded before the first byte of the answer leaves, so that a client that has its
        # answer always finds the request in the counters.
        self._on_answer = record
        try:
            self._answer_api(route, request, fault)
        finally:
            self._settle(None)

    def _settle(self, status: int | None) -> None:
        callback, self._on_answer = self._on_answer, None
        if callback is not None:
            callback(status)

    def _answer_api(self, route: Route | None, request: Request, fault: Fault | None) -> int | None:
        """Serve one API request, applying ``fault``; the status sent, or None when dropped."""
        if fault is None:
            return self._write(self._guarded(route, request, None))
        if fault.action == "refuse":
            self.server.emulator.refuse(float(fault.option("seconds")), keep=self.connection)
        if fault.action in ("drop", "refuse"):
            return self._drop()
        if fault.action == "raw":
            body = str(fault.option("body")).encode()
            content_type = str(fault.option("contentType"))
            return self._write(Answer(int(fault.option("status")), body, [], content_type))
        if fault.action == "delay":
            time.sleep(float(fault.option("delaySeconds")))
        answer = self._guarded(route, request, fault)
        if fault.action == "commit_then_drop":
            return self._drop()
        if fault.action == "commit_then_delay":
            self._settle(answer.status)  # the change is made: count it now
            time.sleep(float(fault.option("delaySeconds")))
        return self._write(answer)

    def _guarded(self, route: Route | None, request: Request, fault: Fault | None) -> Answer:
        """Rate limit, injected status or 429, key and deny list, then the route itself."""
        if route is not None and not route.needs_key:
            return self._call(route, request)
        known = self.backend.is_valid_key(self.headers.get("x-api-key"))
        decision = self.backend.rate_hit("key" if known else f"ip:{self.client_address[0]}")
        headers = rate_headers(decision, str(self.client_address[0]), request.path, known)
        if not decision.allowed or (fault is not None and fault.action == "rate_limit"):
            return self._too_many(decision, headers, fault)
        if fault is not None and fault.action == "status":
            message = f"{fault.option('status')} (injected fault)"
            return Answer.error(EmulatorError(int(fault.option("status")), message), headers)
        if not known:
            return Answer.error(Unauthorized(), headers)
        if route is None:
            return Answer.error(NotFound(f"Cannot {request.method} {request.path}"), headers)
        if self.backend.is_denied(request.method, route.template):
            return Answer.error(Forbidden(), headers)
        answer = self._call(route, request)
        answer.headers += headers
        return answer

    def _too_many(
        self, decision: RateDecision, headers: list[tuple[str, str]], fault: Fault | None
    ) -> Answer:
        if decision.allowed and fault is not None:
            retry_after = int(fault.option("retryAfter"))
            headers = [(k, "0" if k == "X-RateLimit-Remaining" else v) for k, v in headers]
        else:
            retry_after = decision.retry_after(time.time())
        return Answer.error(TooManyRequests(), [*headers, ("Retry-After", str(retry_after))])

    def _call(self, route: Route, request: Request) -> Answer:
        try:
            status, body = route.action(self.backend, request)
        except EmulatorError as error:
            return Answer.error(error)
        except Exception:  # a bug in the emulator: answer like NestJS would, keep serving
            return Answer.error(EmulatorError(500, "Internal server error"))
        return Answer.json(status, body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)

    def _write(self, answer: Answer) -> int:
        self._settle(answer.status)
        self.send_response(answer.status)
        if answer.content_type is not None:
            self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)
        return answer.status

    def _drop(self) -> int | None:
        """Close the connection without a single byte of answer."""
        self._settle(None)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        return None


class _HTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its emulator and its open connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); loopback needs none.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = (
            str(self.server_address[0]),
            int(self.server_address[1]),
        )

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self, keep: socket.socket | None = None, reset: bool = False) -> None:
        """Cut every open (keep-alive) connection except ``keep``.

        With ``reset``, each is closed with a TCP reset instead of a FIN, so that no connection
        of ours lingers in TIME_WAIT and holds the port after the emulator stopped.
        """
        with self._connections_lock:
            open_now = [conn for conn in self.connections if conn is not keep]
        for conn in open_now:
            with contextlib.suppress(OSError):
                if reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                    conn.shutdown(socket.SHUT_RD)  # wakes the handler; its close sends the reset
                else:
                    conn.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """The emulator on ``host:port`` (port 0 picks a free one), served from a background thread.

    The answer-shape options are the start values of ``Settings`` (a reset returns to them);
    ``allowed_hosts`` adds names the Host check accepts. Raises ValueError for a bad option and
    ``StateFileError`` for a state file that cannot be used.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        state_file: str | Path | None = None,
        latency_ms: float = 0.0,
        rate_limit: RateLimit | None = None,
        *,
        response_shape: ResponseShape = "request",
        page_base: int = 1,
        limit_cap: int = DEFAULT_LIMIT_CAP,
        order: Order = "desc",
        empty_bodies: bool = False,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.hosts = HostPolicy(host, allowed_hosts)
        settings = Settings(
            latency_ms=latency_ms,
            rate_limit=rate_limit or RateLimit(),
            response_shape=response_shape,
            page_base=page_base,
            limit_cap=limit_cap,
            order=order,
            empty_bodies=empty_bodies,
        )
        self.backend = Backend(api_key=api_key, state_file=state_file, settings=settings)
        self._httpd: _HTTPServer | None = None
        self._lock = threading.Lock()
        self._reopen_timer: threading.Timer | None = None
        self._stopped = threading.Event()

    @property
    def api_key(self) -> str:
        return self.backend.api_key

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> EmulatorServer:
        """Listen and serve in a background thread; returns self."""
        with self._lock:
            self._stopped.clear()
            self._listen(self.port)
        return self

    def stop(self) -> None:
        """Stop serving and reset open connections, so the port is free at once. Idempotent."""
        with self._lock:
            self._stopped.set()
            if self._reopen_timer is not None:
                self._reopen_timer.cancel()
            httpd, self._httpd = self._httpd, None
        if httpd is not None:
            _close(httpd, reset=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop()`` was called (or the timeout passed); True once stopped."""
        return self._stopped.wait(timeout)

    def refuse(self, seconds: float, keep: socket.socket | None = None) -> None:
        """Close the listening socket for ``seconds`` (connections are refused), then reopen."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            if httpd is None:
                return
            self._reopen_timer = threading.Timer(seconds, self._reopen)
            self._reopen_timer.daemon = True
        _close(httpd, keep)
        self._reopen_timer.start()

    def ensure_listening(self) -> None:
        """End a refuse window early: listen again now (no-op when already listening)."""
        with self._lock:
            if self._reopen_timer is not None:
                self._reopen_timer.cancel()
        self._reopen()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _listen(self, port: int) -> None:
        httpd = _HTTPServer((self.host, port), self)
        self.port = int(httpd.server_address[1])
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": POLL_SECONDS},
            name=f"thena-emulator-{self.port}",
            daemon=True,
        )
        thread.start()
        self._httpd = httpd

    def _reopen(self) -> None:
        for _ in range(REBIND_ATTEMPTS):
            with self._lock:
                if self._stopped.is_set() or self._httpd is not None:
                    return
                try:
                    self._listen(self.port)
                    return
                except OSError:
                    pass  # the port is not free yet; try again shortly
            time.sleep(POLL_SECONDS)


def _close(httpd: _HTTPServer, keep: socket.socket | None = None, reset: bool = False) -> None:
    httpd.shutdown()
    httpd.server_close()
    httpd.close_connections(keep, reset)


def _is_json(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset``."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


_LINGER_RESET = struct.pack("ii", 1, 0)
"""SO_LINGER on, 0 seconds: closing the socket sends a reset and leaves no TIME_WAIT."""
